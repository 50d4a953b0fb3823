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


# --- all or none: a fix that cannot write one file changes none ------------------------------

ROOT = Path(__file__).resolve().parents[1]
PROXY = "d/proxy/proxy.properties"
LONG_NAME = "d/server/" + "r" * 239 + ".properties"  # no room for a temporary file's longer name


def _fixable_pair(root: Path, server: str, server_text: str) -> dict[str, bytes]:
    write_tree(root, {PROXY: "ProxyName=chat-1\nAutoCallQueue=yes\n", server: server_text})
    return _snapshot(root / "d")


def _one_line_refusal(code: int, err: str, path: str, reason: str) -> None:
    assert code == 2, err
    assert (
        err == f"tcommlint: error: {path}: cannot write for --fix: {reason}; no file was changed\n"
    )


def test_fix_that_cannot_write_the_last_file_changes_none(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _fixable_pair(in_tmp, LONG_NAME, "enable.callagentMessage=yes\n")
    code, out, err = run_cli(["check", "d", "--fix"], capsys)
    _one_line_refusal(code, err, LONG_NAME, "File name too long")
    assert out == ""
    assert _snapshot(in_tmp / "d") == before  # the proxy's file, fixable, is unchanged too


def _limited(limit: int) -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a file size limit of the process")
def test_fix_on_a_full_disk_changes_no_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    # The server's file is larger than the process may write: as on a full disk or quota.
    server = "d/server/rconfig.properties"
    padding = "# " + "x" * 97 + "\n"
    before = _fixable_pair(tmp_path, server, padding * 1000 + "enable.callagentMessage=yes\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / ".cache")}
    done = subprocess.run(
        [sys.executable, "-m", "tcommlint", "check", "d", "--fix", "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: _limited(64 * 1024),
    )
    _one_line_refusal(done.returncode, done.stderr, server, "File too large")
    assert _snapshot(tmp_path / "d") == before


def test_a_failure_in_a_later_pass_restores_the_earlier_passes(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pass 1 fixes the proxy key's case; only then does TC101 see the server flag to fix.
    write_tree(
        in_tmp, {PROXY: "autocallqueue=true\n", LONG_NAME: "enable.callagentMessage=false\n"}
    )
    before = _snapshot(in_tmp / "d")
    code, _, err = run_cli(["check", "d", "--fix", "--unsafe-fixes"], capsys)
    _one_line_refusal(code, err, LONG_NAME, "File name too long")
    assert _snapshot(in_tmp / "d") == before


def test_a_failed_rename_puts_back_the_files_already_replaced(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _fixable_pair(in_tmp, "d/server/rconfig.properties", "enable.callagentMessage=yes\n")
    replace = os.replace
    calls: list[str] = []

    def server_fails(source: str, target: str) -> None:
        calls.append(Path(target).name)
        if Path(target).name == "rconfig.properties":  # turned into a directory, a mount point…
            raise IsADirectoryError(21, "Is a directory")
        replace(source, target)

    monkeypatch.setattr(os, "replace", server_fails)
    code, _, err = run_cli(["check", "d", "--fix"], capsys)
    _one_line_refusal(code, err, "d/server/rconfig.properties", "Is a directory")
    assert _snapshot(in_tmp / "d") == before
    # The proxy's file replaced, then put back (the cache writes its files the same way).
    assert [name for name in calls if name.endswith(".properties")] == [
        "proxy.properties",
        "rconfig.properties",
        "proxy.properties",
    ]


def test_fix_refuses_a_file_changed_since_the_check(in_tmp: Path) -> None:
    from tcommlint.errors import UsageError
    from tcommlint.fix import FilePatch, write_patches

    write_tree(in_tmp, {"a.properties": "A=yes\n", "b.properties": "B=edited meanwhile\n"})
    patches = [
        FilePatch("a.properties", "A=yes\n", "A=true\n", ()),
        FilePatch("b.properties", "B=yes\n", "B=true\n", ()),
    ]
    with pytest.raises(UsageError, match="changed while tcommlint ran"):
        write_patches(patches, in_tmp)
    assert (in_tmp / "a.properties").read_text() == "A=yes\n"
    assert (in_tmp / "b.properties").read_text() == "B=edited meanwhile\n"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["a.properties", "b.properties"]


def test_temporary_file_of_a_killed_fix_is_not_read_and_the_next_fix_removes_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {PROXY: "ProxyName=chat-1\nAutoCallQueue=yes\n"})
    folder = in_tmp / "d" / "proxy"
    stale = folder / ".proxy.properties.tcommlint-4194304.tmp"  # beyond any pid_max
    stale.write_text("ProxyName=chat-1\nAutoCallQueue=tru\n")  # half written
    other = folder / ".proxy.properties.swp"
    other.write_text("an editor's")
    _, report = run_json(["check", "d"], capsys)
    assert {f["location"]["path"] for f in report["findings"]} == {PROXY}
    assert report["summary"]["files"] == 1
    _, out, _ = run_cli(["check", "d", "--list-files"], capsys)
    (listed,) = [line.split() for line in out.splitlines() if "tcommlint-" in line]
    assert listed[0] == stale.relative_to(in_tmp).as_posix()
    assert " ".join(listed[1:]) == "skipped: a temporary file of an interrupted --fix"
    run_cli(["check", "d", "--fix"], capsys)
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in folder.iterdir()) == [".proxy.properties.swp", "proxy.properties"]


def test_fix_keeps_the_owner_of_a_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another owner")
    write_tree(in_tmp, {PROXY: "AutoCallQueue=yes\n"})
    os.chown(in_tmp / PROXY, 4321, 4321)
    run_cli(["check", "d", "--fix"], capsys)
    status = (in_tmp / PROXY).stat()
    assert (status.st_uid, status.st_gid) == (4321, 4321)
    assert (in_tmp / PROXY).read_text() == "AutoCallQueue=true\n"


def test_fix_never_edits_a_file_outside_the_deployment(in_tmp: Path) -> None:
    """Defence in depth: whatever a finding holds, only the deployment's files are edited."""
    from tcommlint.errors import UsageError
    from tcommlint.findings import Edit, Finding
    from tcommlint.fix import plan_patches
    from tcommlint.source import Span

    (in_tmp / "canary.txt").write_text("SECRET\n")
    edit = Edit(Span("canary.txt", 1, 1), "SECRET", "PWNED")
    finding = Finding("XX901", "hostile", "error", "d", "m", Span(PROXY, 1, 1), edits=(edit,))
    with pytest.raises(UsageError, match="refusing to fix: rule XX901 edits a file that is not"):
        plan_patches([finding], in_tmp, {PROXY})
    assert (in_tmp / "canary.txt").read_text() == "SECRET\n"
