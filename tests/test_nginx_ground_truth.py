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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.groundtruth.harness import (
    NGINX,
    Observation,
    Ports,
    binary_of,
    explain,
    observer,
    run_tcommlint,
    split_bundle,
    tcommlint_available,
    tcommlint_disagreement,
    write_bundle,
)
from tests.groundtruth.matrix import Entry
from tests.groundtruth.matrix_nginx import ENTRIES

needs_nginx = pytest.mark.skipif(
    binary_of(NGINX) is None, reason="nginx binary not installed (apt-get install nginx)"
)
MIN_ENTRIES = 45
PLACEHOLDER = re.compile(r"@(?:FE|S[0-9])@")
MIN_PER_FAMILY = 3


def _family(entry: Entry) -> str:
    return entry.id.split("-")[0]


def test_nginx_matrix_is_complete_and_renders() -> None:
    ids = [entry.id for entry in ENTRIES]
    assert len(ids) >= MIN_ENTRIES and len(set(ids)) == len(ids)
    for entry in ENTRIES:
        main, others = split_bundle(entry.render(Ports(8080, (9001, 9002, 9003))))
        assert not PLACEHOLDER.search(main + "".join(others.values())), entry.id
        assert "listen 127.0.0.1:8080" in entry.sample(), entry.id
        assert main.startswith("pid nginx.pid;"), entry.id


def test_nginx_entries_record_a_prediction_and_explain_surprises() -> None:
    for entry in ENTRIES:
        assert entry.description and entry.predicted_sticky is not None, entry.id
        if entry.predicted_sticky is not entry.expected_sticky:
            assert entry.note, entry.id
    families = {_family(entry) for entry in ENTRIES}
    for family in families:
        assert sum(_family(entry) == family for entry in ENTRIES) >= MIN_PER_FAMILY, family


def test_nginx_plus_sticky_entries_are_recorded_as_refused() -> None:
    plus = [entry for entry in ENTRIES if _family(entry) == "plus"]
    assert len(plus) >= 2
    assert all("sticky " in entry.template and not entry.expected_sticky for entry in plus)
    assert not any(entry.client_differs for entry in plus)  # compared: refused is TC001


def test_bundle_splits_into_files(tmp_path: Path) -> None:
    text = "http {\n    include a/b.conf;\n}\n#@file a/b.conf\nx 1;\n#@file c\ny;\n"
    main, others = split_bundle(text)
    assert main == "http {\n    include a/b.conf;\n}\n"
    assert others == {"a/b.conf": "x 1;\n", "c": "y;\n"}
    assert split_bundle("only\n") == ("only\n", {})
    cfg = write_bundle(tmp_path, "nginx.conf", text)
    assert cfg.read_text() == main
    assert (tmp_path / "a" / "b.conf").read_text() == "x 1;\n"


def test_run_tcommlint_writes_every_file_of_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    def fake_run(argv: list[str], **_: object) -> object:
        lb = Path(argv[4]) / "lb"
        seen.update({str(f.relative_to(lb)): f.read_text() for f in lb.rglob("*") if f.is_file()})
        return subprocess.CompletedProcess(argv, 0, '{"findings": []}', "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    bundle = "http {\n    include snippets/a.conf;\n}\n#@file snippets/a.conf\nx;\n"
    assert run_tcommlint(bundle, config_name=NGINX.config_name) == {"findings": []}
    assert seen == {
        "nginx.conf": "http {\n    include snippets/a.conf;\n}\n",
        "snippets/a.conf": "x;\n",
    }


# --------------------------------------------------------------------------- against nginx


@pytest.fixture(scope="module")
def observe() -> Iterator[Callable[[Entry], Observation]]:
    """Run each matrix entry once (shared by both differential tests)."""
    with observer(NGINX) as run:
        yield run


def _nginx_loader_missing() -> str:
    """Why tcommlint cannot be compared with nginx yet ("" when it can)."""
    if not tcommlint_available():
        return "tcommlint/__main__.py not present: `python -m tcommlint check` cannot run"
    from tcommlint.loaders import registry

    if "nginx" not in registry.BY_ROLE:
        return "tcommlint has no nginx loader yet (registry.BY_ROLE has no 'nginx' role)"
    return ""


@pytest.mark.nginx
@needs_nginx
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_nginx_observation_matches_recorded(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    observation = observe(entry)
    assert observation.sticky is entry.expected_sticky, explain(observation)


@pytest.mark.nginx
@needs_nginx
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_tcommlint_verdict_matches_nginx(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    missing = _nginx_loader_missing()
    if missing:
        pytest.skip(missing)
    if entry.client_differs:
        pytest.skip(entry.client_differs)
    problem = tcommlint_disagreement(entry, observe(entry), NGINX)
    assert not problem, problem
