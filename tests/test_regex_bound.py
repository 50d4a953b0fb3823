"""Configuration regexes that backtrack exponentially are never run by the simulation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy
from tcommlint.pipeline.regex import bounded
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^/api/", True),
        (r"JSESSIONID=([^;]*)", True),
        (r"^(/[a-z]+)+$", False),
        ("(a+)+$", False),
        ("(.*)*X", False),
        ("(a|aa)*b", False),
        ("([0-9A-F]+){2,}", False),
        ("(ab){2}", True),
        ("(", False),
    ],
)
def test_bounded(pattern: str, expected: bool) -> None:
    assert bounded(pattern) is expected


@pytest.mark.parametrize(
    "rule",
    [
        r"    http-request replace-header Cookie ([0-9A-F]+)+$ x",
        r"    acl evil path_reg ^(/[a-z0-9]+)+\.$" + "\n    http-request deny if evil",
        r"    http-request set-header X %[path,regsub((a+)+$,b)]",
    ],
    ids=["replace-header", "path_reg", "regsub"],
)
def test_exponential_regexes_are_not_run(rule: str) -> None:
    config = (
        "defaults\n    mode http\nfrontend fe\n    bind :80\n" + rule + "\n"
        "    default_backend be\nbackend be\n    cookie SRV insert indirect nocache\n"
        "    server a 10.0.0.1:80 cookie a\n    server b 10.0.0.2:80 cookie b\n"
    )
    started = time.monotonic()
    result = load_haproxy("lb/haproxy.cfg", config)
    outcomes = [o for lb in result.load_balancers for o in simulate(lb, AppModel())]
    assert time.monotonic() - started < 5
    assert outcomes and all(o.verdict in ("sticky", "not-evaluable") for o in outcomes)


def test_a_regex_python_warns_about_prints_nothing(tmp_path: Path) -> None:
    """Found by benchmarks/fuzz.py: ``[[:alpha:]]`` (a POSIX class HAProxy's regex library
    reads) made Python print a FutureWarning on stderr in the middle of a report."""
    import subprocess
    import sys

    cfg = tmp_path / "d" / "lb" / "haproxy.cfg"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(
        "defaults\n    mode http\nfrontend fe\n    bind :80\n"
        "    use_backend be if { path_reg ^/api[[:alpha:]]* }\n    default_backend be\n"
        "backend be\n    server p1 10.0.0.11:8080\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "default", "-m", "tcommlint", "check", "d", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
