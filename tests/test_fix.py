"""``check --fix`` and ``--diff``: safe edits only, every other byte kept, atomic writes."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from conftest import run_cli, run_json, write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def broken(in_tmp: Path) -> Path:
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "chat")
    return in_tmp / "chat"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_fix_removes_the_fixable_findings_and_keeps_other_bytes(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(broken)
    code, _, err = run_cli(["check", "chat", "--fix", "--unsafe-fixes"], capsys)
    assert code == 1  # TC205, TC209, TC301, TC211 have no safe fix
    assert err == "tcommlint: fixed 3 findings\n"
    _, report = run_json(["check", "chat"], capsys)
    assert {f["rule"] for f in report["findings"]} == {"TC205", "TC209", "TC211", "TC301"}
    after = _snapshot(broken)
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {"proxy-2/conf/config/proxy.properties", "server/rconfig.properties"}
    proxy = "proxy-2/conf/config/proxy.properties"
    assert after[proxy] == before[proxy].replace(
        b"AutoCallQueue=true \n", b"AutoCallQueue=true\n"
    ).replace(b"EnableFileTransfer=no", b"EnableFileTransfer=false")
    server = "server/rconfig.properties"
    assert after[server] == before[server].replace(
        b"enable.callagentMessage=false", b"enable.callagentMessage=true"
    )


def test_fix_is_idempotent(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["check", "chat", "--fix", "--unsafe-fixes"], capsys)
    once = _snapshot(broken)
    _, _, err = run_cli(["check", "chat", "--fix", "--unsafe-fixes"], capsys)
    assert err == "tcommlint: fixed 0 findings\n"
    assert _snapshot(broken) == once


def test_diff_shows_the_fix_and_writes_nothing(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(broken)
    code, out, _ = run_cli(["check", "chat", "--diff", "--unsafe-fixes"], capsys)
    assert code == 1
    assert "--- a/chat/server/rconfig.properties\n+++ b/chat/server/rconfig.properties\n" in out
    assert "-enable.callagentMessage=false\n+enable.callagentMessage=true\n" in out
    assert _snapshot(broken) == before


def test_kill_during_write_leaves_the_original(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(broken)

    def killed(fd: int) -> None:
        raise KeyboardInterrupt  # the process dies after writing, before the rename

    monkeypatch.setattr(os, "fsync", killed)
    code, _, _ = run_cli(["check", "chat", "--fix"], capsys)
    assert code == 130
    assert _snapshot(broken) == before  # no half-written file, no temporary left behind


def test_fix_keeps_crlf_encoding_and_mode(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = in_tmp / "d" / "proxy" / "proxy.properties"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"# caf\xe9 proxy\r\nautocallqueue=yes\r\nProxyName=chat-1\r\n")
    target.chmod(0o640)
    run_cli(["check", "d", "--fix"], capsys)
    assert target.read_bytes() == b"# caf\xe9 proxy\r\nAutoCallQueue=true\r\nProxyName=chat-1\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_fix_cookie_case_in_haproxy_on_every_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "defaults\n    mode http\n"
        "frontend fe\n    bind :80\n    default_backend be_api\n"
        "backend be_api\n"
        "    stick-table type string len 52 size 200k expire 30m\n"
        "    stick on req.cook(jsessionid)\n"
        "    stick store-response res.cook(jsessionid)\n"
        "    server p1 10.0.0.11:8080\n    server p2 10.0.0.12:8080\n"
    )
    write_tree(in_tmp / "d", {"lb/haproxy.cfg": config})
    run_cli(["check", "d", "--fix"], capsys)
    fixed = (in_tmp / "d" / "lb" / "haproxy.cfg").read_text()
    assert fixed == config.replace("jsessionid", "JSESSIONID")
    _, report = run_json(["check", "d", "--select", "TC2"], capsys)
    assert report["findings"] == []


def test_fix_cookie_case_in_every_irule_mention(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tcommlint.ruleset import load_rules

    (tc202,) = [rule for rule in load_rules() if rule.id == "TC202"]
    (example,) = [e for e in tc202.examples["fail"] if "iRule" in e.get("title", "")]
    write_tree(in_tmp / "d", example["files"])
    config = in_tmp / "d" / "lb" / "bigip.conf"
    before = config.read_text()
    run_cli(["check", "d", "--fix", "--select", "TC202"], capsys)
    after = config.read_text()
    assert '"jsessionid"' in before and '"jsessionid"' not in after  # the guards too
    assert after == before.replace('"jsessionid"', '"JSESSIONID"')
    _, report = run_json(["check", "d", "--select", "TC2"], capsys)
    assert report["findings"] == []


SERVER = "server/rconfig.properties"


def test_fix_of_another_teams_file_needs_unsafe_fixes(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(broken)
    code, _, err = run_cli(["check", "chat", "--fix"], capsys)
    assert code == 1
    # Fixed, proxy-2's AutoCallQueue is true too: a second TC101 that only the server's flag fixes.
    assert err == "tcommlint: fixed 2 findings; 2 more with --unsafe-fixes\n"
    after = _snapshot(broken)
    assert after[SERVER] == before[SERVER]  # TC101's fix edits the server team's file
    assert after != before
    code, out, err = run_cli(["check", "chat", "--diff"], capsys)
    assert (code, out) == (0, "")
    assert err == "tcommlint: nothing to fix; 2 more with --unsafe-fixes\n"
    code, _, err = run_cli(["check", "chat", "--fix", "--unsafe-fixes"], capsys)
    assert err == "tcommlint: fixed 2 findings\n"  # one edit of the server fixes both
    assert b"enable.callagentMessage=true" in _snapshot(broken)[SERVER]


def test_a_fix_that_edits_another_file_is_unsafe_without_being_marked(
    broken: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (EXAMPLES.parent / "rules" / "TC101-duplicate-queuing.yaml").read_text()
    assert "  safety: unsafe" in source
    unmarked = "".join(line for line in source.splitlines(True) if "safety:" not in line)
    write_tree(in_tmp / "extra", {"XX101.yaml": unmarked.replace("id: TC101", "id: XX101")})
    before = _snapshot(broken)
    argv = ["check", "chat", "--rules", "extra", "--select", "XX101", "--fix"]
    _, _, err = run_cli(argv, capsys)
    assert err == "tcommlint: fixed 0 findings; 1 more with --unsafe-fixes\n"
    assert _snapshot(broken) == before


def test_text_report_marks_fixable_findings_and_counts_them(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", "chat"], capsys)
    assert code == 1
    marked = [line.split()[1] for line in out.splitlines() if " [*] " in line]
    assert marked == ["TC005", "TC005"]
    assert out.endswith(" (12 files)\n2 fixable with `--fix` (1 more with `--unsafe-fixes`)\n")
    _, out, _ = run_cli(["check", "chat", "--unsafe-fixes"], capsys)
    assert [line.split()[1] for line in out.splitlines() if " [*] " in line] == [
        "TC101",
        "TC005",
        "TC005",
    ]
    assert out.endswith(" (12 files)\n3 fixable with `--fix`\n")
    run_cli(["check", "chat", "--fix"], capsys)
    _, out, _ = run_cli(["check", "chat"], capsys)
    assert out.endswith(" (12 files)\n2 fixable with `--fix --unsafe-fixes`\n")
    run_cli(["check", "chat", "--fix", "--unsafe-fixes"], capsys)
    _, out, _ = run_cli(["check", "chat"], capsys)
    assert " [*] " not in out and "fixable" not in out


def test_diff_with_nothing_to_fix_says_so(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "chat")
    code, out, err = run_cli(["check", "chat", "--diff"], capsys)
    assert (code, out, err) == (0, "", "tcommlint: nothing to fix\n")
