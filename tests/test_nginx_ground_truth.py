"""Ground truth: tcommlint's nginx stickiness verdicts against a real nginx on loopback.

Every configuration of ``tests/groundtruth/matrix_nginx.py`` is checked with ``nginx -t`` and run
by the real open-source nginx (Debian's 1.22) in front of chat-API-like nodes; the observed
verdict ("every session kept its server-side session") must equal the recorded one, and
tcommlint's verdict (no error from a stickiness rule, TC001 for a refused configuration, TC008
for a mechanism outside its model) must equal the observation once tcommlint reads nginx.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.groundtruth.harness import NGINX, Ports, differential_tests, run_tcommlint
from tests.groundtruth.matrix import recording_problems
from tests.groundtruth.matrix_nginx import ENTRIES

MIN_ENTRIES = 45
PLACEHOLDER = re.compile(r"@(?:FE|S[0-9])@")


def test_nginx_matrix_is_complete_and_renders() -> None:
    assert len(ENTRIES) >= MIN_ENTRIES
    ports = Ports(8080, (9001, 9002, 9003))
    for entry in ENTRIES:
        main = entry.render(ports)
        included = "".join(text for _, text in entry.render_files(ports))
        assert not PLACEHOLDER.search(main + included), entry.id
        assert "listen 127.0.0.1:8080" in main + included, entry.id
        assert main.startswith("pid nginx.pid;"), entry.id


def test_nginx_entries_record_a_prediction_and_explain_surprises() -> None:
    assert recording_problems(ENTRIES) == []


def test_nginx_plus_sticky_entries_are_recorded_as_refused() -> None:
    plus = [entry for entry in ENTRIES if entry.id.startswith("plus-")]
    assert len(plus) >= 2
    assert all("sticky " in entry.template and not entry.expected_sticky for entry in plus)
    assert not any(entry.client_differs for entry in plus)  # compared: refused is TC001


def test_run_tcommlint_writes_every_included_file(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    def fake_run(argv: list[str], **_: object) -> object:
        lb = Path(argv[4]) / "lb"
        seen.update({str(f.relative_to(lb)): f.read_text() for f in lb.rglob("*") if f.is_file()})
        return subprocess.CompletedProcess(argv, 0, '{"findings": []}', "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    main = "http {\n    include snippets/a.conf;\n}\n"
    files = (("snippets/a.conf", "x;\n"),)
    assert run_tcommlint(main, config_name=NGINX.config_name, files=files) == {"findings": []}
    assert seen == {"nginx.conf": main, "snippets/a.conf": "x;\n"}


# --------------------------------------------------------------------------- against nginx

NGINX_SUITE = differential_tests(NGINX, ENTRIES, "nginx", "nginx")
observe = NGINX_SUITE.observe  # each entry observed once, shared by both tests
test_nginx_observation_matches_recorded = NGINX_SUITE.observation_matches_recorded
test_tcommlint_verdict_matches_nginx = NGINX_SUITE.tcommlint_verdict_matches
