"""The bundled nginx and Apache example deployments: each broken twin fails on its load
balancer's stickiness and nothing else, each fixed twin passes, and ``show --trace`` explains
both."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# example -> (rule, "path:line" of the line to change) of every finding
BROKEN = {
    "nginx-broken": {("TC209", "nginx-broken/lb/nginx.conf:17")},
    "apache-broken": {
        ("TC213", "apache-broken/lb/httpd.conf:25"),
        ("TC213", "apache-broken/lb/httpd.conf:26"),
    },
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_twin_fails_on_the_line_to_change(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, out, _ = run_cli(["check", name], capsys)
    found = {
        (line.split(" ")[1], line.split(":")[0] + ":" + line.split(":")[1])
        for line in out.splitlines()
        if line and not line.startswith(" ") and " [" in line
    }
    assert code == 1
    assert found == BROKEN[name]


@pytest.mark.parametrize("name", ["nginx-fixed", "apache-fixed"])
def test_fixed_twin_passes(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, out, _ = run_cli(["check", name], capsys)
    assert (code, out.splitlines()[-1]) == (
        0,
        "0 errors, 0 warnings, 0 infos in 1 deployment (12 files)",
    )


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("nginx-broken", "breaks"),
        ("nginx-fixed", "sticky"),
        ("apache-broken", "breaks"),
        ("apache-fixed", "sticky"),
    ],
)
def test_show_trace_tells_the_verdict(
    name: str, verdict: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    code, out, _ = run_cli(["show", name, "--trace"], capsys)
    assert code == 0
    assert verdict in out.lower()
    assert "R2 GET /api/chat/poll" in out


@pytest.mark.parametrize(
    ("vendor", "changed"),
    # The nginx fix is NGINX Plus's ``sticky learn``: its manifest says the deployment runs Plus.
    [("nginx", ["lb/nginx.conf", "tcommlint.yaml"]), ("apache", ["lb/httpd.conf"])],
)
def test_twins_differ_only_in_the_load_balancer(vendor: str, changed: list[str]) -> None:
    broken, fixed = EXAMPLES / f"{vendor}-broken", EXAMPLES / f"{vendor}-fixed"
    files = sorted(p.relative_to(broken) for p in broken.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fixed) for p in fixed.rglob("*") if p.is_file())
    differing = [f for f in files if (broken / f).read_bytes() != (fixed / f).read_bytes()]
    assert [f.as_posix() for f in differing] == changed
