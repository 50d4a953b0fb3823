"""``tcommlint show``: the model as text, JSON and Mermaid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def in_examples(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(EXAMPLES)
    return EXAMPLES


def test_text_names_the_pool_that_serves_the_app_path(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-broken"], capsys)
    assert code == 0
    assert "pool be_chat_api [active-active] chat-broken/lb/haproxy.cfg:21:1  <- serves /api" in out
    assert "stick-table, cookie JSESSIONID, NOT learned, lifetime 10m" in out
    assert "member proxy-2 10.20.1.12:8443" in out


def test_json_lists_services_pools_and_members(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-fixed", "--format", "json"], capsys)
    assert code == 0
    (deployment,) = json.loads(out)
    (lb,) = deployment["load_balancers"]
    (service,) = lb["services"]
    assert service["app_path_pools"] == ["be_chat_api"]
    pools = {pool["name"]: pool for pool in lb["pools"]}
    assert pools["be_chat_api"]["ha_mode"] == "active-active"
    assert [m["address"] for m in pools["be_chat_api"]["members"]] == ["10.20.1.11", "10.20.1.12"]


def test_mermaid_draws_the_app_path_edge(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-broken", "--format", "mermaid"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    d0l0s0 == "/api" ==> d0l0p0' in lines
    assert any(line.startswith('    d0l0p0["be_chat_api<br/>active-active') for line in lines)
    assert lines[-1] == "  end"
