"""``tcommlint show``: the pipeline and the verdict as text, JSON and Mermaid; ``--trace``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def in_examples(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(EXAMPLES)
    return EXAMPLES


def test_text_names_the_pool_the_verdict_and_the_break(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-broken"], capsys)
    assert code == 0
    assert "pool be_chat_api [active-active] chat-broken/lb/haproxy.cfg:21:1  <- serves /api" in out
    assert "/api -> be_chat_api: BREAKS" in out
    assert "not-learned chat-broken/lb/haproxy.cfg:25:14" in out
    assert "lifetime chat-broken/lb/haproxy.cfg:24:53" in out
    assert "stick on req.cook(JSESSIONID) in table be_chat_api (string len 52" in out
    assert "server proxy-2 10.20.1.12:8443" in out


def test_fixed_twin_is_sticky(in_examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["show", "chat-fixed"], capsys)
    assert code == 0
    assert ": STICKY" in out and "BREAKS" not in out


def test_trace_shows_each_request_of_the_session(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-broken", "--trace"], capsys)
    assert code == 0
    trace = out[out.index("simulated chat session:") :]
    assert "R1 GET /api/chat  cookies: -" in trace
    assert "routed to be_chat_api (chat-broken/lb/haproxy.cfg:18:5)" in trace
    assert "client got: Set-Cookie: JSESSIONID=" in trace
    assert "R2 GET /api/chat/poll  cookies: JSESSIONID=" in trace
    assert "-> status 404 from 10.20.1.12:8443" in trace  # No Session Found on the other node


def test_trace_json_lists_requests_and_steps(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-fixed", "--trace", "--format", "json"], capsys)
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    (lb,) = deployment["load_balancers"]
    (verdict,) = lb["verdicts"]
    assert verdict["verdict"] == "sticky"
    requests = verdict["trace"]
    assert [r["request"] for r in requests] == [1, 2, 3, 4]
    assert all(r["result"] == "kept" for r in requests)
    assert any("learned" in step["text"] for r in requests for step in r["steps"])


def test_json_lists_services_pools_and_servers(
    in_examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["show", "chat-broken", "--format", "json"], capsys)
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    (lb,) = deployment["load_balancers"]
    pools = {pool["name"]: pool for pool in lb["pools"]}
    assert pools["be_chat_api"]["ha_mode"] == "active-active"
    assert [s["address"] for s in pools["be_chat_api"]["servers"]] == ["10.20.1.11", "10.20.1.12"]
    (verdict,) = lb["verdicts"]
    assert verdict["pools"] == ["be_chat_api"]
    assert {b["cause"] for b in verdict["breaks"]} == {"not-learned", "lifetime"}


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


def test_unreadable_lb_file_shows_the_parse_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "d", {"lb/haproxy.cfg": "frontend fe\n    bind :80\n    appsession X\n"})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["show", "d"], capsys)
    assert code == 1
    assert "d/lb/haproxy.cfg:3:5: TC001" in out
    assert "no load-balancer configuration found" not in out


def test_not_evaluable_route_names_the_directive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "defaults\n    mode http\nfrontend fe\n    bind :80\n"
        "    http-request lua.pick_node\n    default_backend be\n"
        "backend be\n    server a 10.0.0.1:80\n    server b 10.0.0.2:80\n"
    )
    write_tree(tmp_path / "d", {"lb/haproxy.cfg": config})
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["show", "d"], capsys)
    assert code == 0
    assert "NOT-EVALUABLE" in out
    assert "outside the model d/lb/haproxy.cfg:5:5: the action 'lua.pick_node'" in out


def test_lb_file_that_is_not_text_shows_why_and_exits_like_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "d", {"proxy/proxy.properties": "AutoCallQueue=true\n"})
    (tmp_path / "d" / "lb").mkdir()
    (tmp_path / "d" / "lb" / "haproxy.cfg").write_bytes(b"\x00\xff" * 64)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["show", "d"], capsys)
    check_code, _, _ = run_cli(["check", "d"], capsys)
    assert code == check_code == 1
    assert "d/lb/haproxy.cfg:1:1: TC001 cannot be read as an HAProxy configuration" in out
    assert "no load-balancer configuration found" not in out


def test_show_of_a_directory_without_configuration_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path / "d", {"README.md": "notes\n"})
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["show", "d"], capsys)
    assert code == 2 and err == "tcommlint: error: no configuration found in d\n"
