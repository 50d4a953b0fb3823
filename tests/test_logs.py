"""``tcommlint logs`` and ``check --logs``: signatures in TComm proxy and server logs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tcommlint.logs import (
    _LAYOUT,
    NO_SESSION,
    STICKY_RULES,
    Scan,
    evidence_line,
    excerpt,
    scan,
    session_id,
)

from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
PROJECT = Path(__file__).resolve().parents[1]
BROKEN = [str(FIXTURES / "broken" / "proxy.log"), str(FIXTURES / "broken" / "server.log")]
CLEAN = [str(FIXTURES / "clean" / "proxy.log"), str(FIXTURES / "clean" / "server.log")]
LINE = "2024-05-14 09:12:05,230 WARN  [http-nio-8443-exec-2] com.tcomm.proxy.api.SessionFilter - "


def logs_json(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, object]]:
    code, out, err = run_cli(["logs", *files, "--format", "json"], capsys)
    assert err == ""
    data: dict[str, object] = json.loads(out)
    return code, data


def signatures(data: dict[str, object]) -> dict[str, dict[str, object]]:
    found = data["signatures"]
    assert isinstance(found, list)
    return {s["id"]: s for s in found}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(LINE + "[sid=8F3A2C1D9B7E4A60] x", "8F3A2C1D9B7E4A60", id="sid"),
        pytest.param(LINE + "[sessionId=ab12cd34ef56] x", "ab12cd34ef56", id="sessionId"),
        pytest.param(LINE + "Session started sessionId=A1B2C3D4 ch=web", "A1B2C3D4", id="kv"),
        pytest.param(LINE + "closing session 0a1b2c3d4e5f now", "0a1b2c3d4e5f", id="session-hex"),
        pytest.param(LINE + "session_id: 'X9Y8Z7W6'", "X9Y8Z7W6", id="quoted"),
        pytest.param(LINE + "sid=5D41402ABC.proxy1 404", "5D41402ABC", id="jvmroute-dropped"),
        pytest.param(LINE + "GET /api/health 200", "", id="none"),
        pytest.param(LINE + "session timeout reached", "", id="word-not-hex"),
    ],
)
def test_session_id_patterns(line: str, expected: str) -> None:
    assert session_id(line) == expected


def test_broken_logs_report_both_signatures_per_session(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = logs_json(BROKEN, capsys)
    assert code == 1
    found = signatures(data)
    assert set(found) == {"session-not-found", "duplicate-queuing"}
    sticky = found["session-not-found"]
    assert sticky["confirms"] == list(STICKY_RULES)
    assert sticky["sessions_count"] == 7
    assert sticky["first"] == f"{BROKEN[0]}:14"
    first_session = sticky["sessions"][0]  # type: ignore[index]
    assert first_session == {
        "session": "A72E5D4B748F263C",
        "first": f"{BROKEN[0]}:14",
        "last": f"{BROKEN[0]}:19",
        "lines": 6,
    }
    assert sticky["sessions"][-1]["session"] == NO_SESSION  # type: ignore[index]
    queued = found["duplicate-queuing"]
    assert queued["confirms"] == ["TC101"]
    assert queued["sessions_count"] == 5
    assert all(s["lines"] == 2 for s in queued["sessions"])  # type: ignore[attr-defined]


def test_no_routing_signature(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = logs_json([str(FIXTURES / "no-routing" / "server.log")], capsys)
    assert code == 1
    found = signatures(data)
    assert list(found) == ["no-routing"]
    assert found["no-routing"]["confirms"] == ["TC102"]
    assert found["no-routing"]["sessions_count"] == 6


def test_clean_logs_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["logs", *CLEAN], capsys)
    assert code == 0
    assert out == "no known signature in 2 files (111 lines)\n"


def test_proxy_session_starts_alone_are_not_no_routing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A proxy log starts sessions but routing happens on the server: no false TC102.
    code, data = logs_json([CLEAN[0]], capsys)
    assert code == 0
    assert data["signatures"] == []


def test_text_output_names_sessions_locations_and_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(["logs", *BROKEN], capsys)
    assert code == 1
    assert 'UnOpenedSessionNotAllowed / "No Session Found" [session-not-found]' in out
    assert "confirms: TC201, TC202, TC203, TC204, TC205, TC206, TC209, TC213" in out
    assert f"A72E5D4B748F263C    6 lines  {BROKEN[0]}:14 … {BROKEN[0]}:19" in out
    assert "confirms: TC101" in out
    assert out.endswith("2 signatures in 2 files (261 lines)\n")


def test_gzip_file_gives_the_same_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = tmp_path / "server.log.gz"
    packed.write_bytes(gzip.compress(Path(BROKEN[1]).read_bytes()))
    _, plain = logs_json([BROKEN[1]], capsys)
    _, zipped = logs_json([str(packed)], capsys)
    plain_queued = signatures(plain)["duplicate-queuing"]["sessions"]
    zipped_queued = signatures(zipped)["duplicate-queuing"]["sessions"]
    assert [s["session"] for s in zipped_queued] == [s["session"] for s in plain_queued]  # type: ignore[attr-defined]


def test_undecodable_bytes_and_unknown_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "proxy.log"
    log.write_bytes(
        b"\xff\xfe garbage \x00\x81\n"
        b"just some text\n"
        b"\n" + LINE.encode() + b"[sid=C0FFEE0012345678] UnOpenedSessionNotAllowed caf\xe9\n"
    )
    code, data = logs_json([str(log)], capsys)
    assert code == 1
    sticky = signatures(data)["session-not-found"]
    assert sticky["first"] == f"{log}:4"
    assert sticky["sessions"][0]["session"] == "C0FFEE0012345678"  # type: ignore[index]


def test_streams_large_input_without_keeping_lines() -> None:
    lines = (
        f"{LINE}[sid={n:016X}] Routing to Agent via 'WorkQueue' queue=Q\n" for n in range(200_000)
    )
    state = Scan()
    state.feed("big.log", lines)
    assert state.files[0].lines == 200_000
    assert state.reports() == []  # each session queued once


@pytest.mark.parametrize(
    "argv",
    [pytest.param(["missing.log"], id="missing"), pytest.param(["."], id="directory")],
)
def test_unreadable_file_is_usage_error(
    argv: list[str], in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["logs", *argv], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("tcommlint: error: ")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(gzip.compress(Path(BROKEN[0]).read_bytes())[:200], id="truncated"),
        # A valid gzip header, then a deflate block of the reserved type 3 (zlib.error).
        pytest.param(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\x07" + bytes(8), id="bad-block"),
    ],
)
def test_corrupt_gzip_is_usage_error(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "proxy.log.gz"
    broken.write_bytes(content)
    code, _, err = run_cli(["logs", str(broken)], capsys)
    assert code == 2
    assert "cannot read log file" in err


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(LINE + "x", ("WARN", "com.tcomm.proxy.api.SessionFilter"), id="tcomm"),
        pytest.param(
            "2024-05-14T09:12:05.230Z INFO [main] com.tcomm.server.Router - x",
            ("INFO", "com.tcomm.server.Router"),
            id="iso-zulu",
        ),
        pytest.param(
            "2024-05-14 09:12:05+02:00 ERROR [pool 1] server.Boot x",
            ("ERROR", "server.Boot"),
            id="offset-thread-with-space",
        ),
        pytest.param(
            "\t2024-05-14 09:12:05 DEBUG\t[]  a.B", ("DEBUG", "a.B"), id="tabs-empty-thread"
        ),
        pytest.param(
            "2024-01-01 " + "1" * 2000 + " INFO [t] com.tcomm.server.X - started",
            ("INFO", "com.tcomm.server.X"),
            id="long-timestamp",
        ),
        pytest.param("2024-01-01 123456 session started sid=abcd", None, id="no-thread"),
        pytest.param(
            "2024-01-01 " + "1" * 2000 + " session started sid=abcd", None, id="long-no-thread"
        ),
        pytest.param("2024-01-01 x09:12 WARN [t] proxy.X - x", None, id="time-not-digits"),
        pytest.param("2024-01-01 09:12 WARN [t]", None, id="no-logger"),
        pytest.param("May 14 09:12:05 host proxy[123]: x", None, id="syslog"),
    ],
)
def test_layout_matches_tcomm_lines_only(line: str, expected: tuple[str, str] | None) -> None:
    layout = _LAYOUT.match(line)
    assert (layout and (layout["level"], layout["logger"])) == expected


def test_evidence_line_shape() -> None:
    reports, _ = scan([(Path(BROKEN[0]), "proxy.log")])
    line = evidence_line(reports[0])
    assert line.startswith("proxy.log:14: [sid=A72E5D4B748F263C] UnOpenedSessionNotAllowed")
    assert line.endswith("(7 sessions)")


def test_excerpt_shortens_long_messages() -> None:
    text = excerpt(LINE + "UnOpenedSessionNotAllowed " + "x" * 300)
    assert text.startswith("UnOpenedSessionNotAllowed")
    assert len(text) == 110
    assert text.endswith("…")


def test_check_logs_attaches_evidence_to_confirmed_findings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from tcommlint.engine import Selection
    from tcommlint.logs import attach_evidence
    from tcommlint.ruleset import load_rules
    from tcommlint.run import check

    selection = Selection(frozenset(), frozenset(), ())
    result = check(["examples/chat-broken"], PROJECT, load_rules(), selection, None)
    attached = attach_evidence(result, "tests/fixtures/logs/broken")
    evidence = {f.rule: f.evidence for f in attached.findings}
    assert evidence["TC205"] == evidence["TC209"]
    assert evidence["TC205"][0].startswith("tests/fixtures/logs/broken/proxy.log:14: ")
    assert evidence["TC205"][0].endswith("(7 sessions)")
    assert evidence["TC101"][0].startswith("tests/fixtures/logs/broken/server.log:4: ")
    assert "Routing to Agent via 'WorkQueue'" in evidence["TC101"][0]
    assert evidence["TC301"] == ()  # captcha: no log signature confirms it
    assert [f._replace(evidence=()) for f in attached.findings] == result.findings


def test_check_logs_via_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    argv = ["check", "examples/chat-broken", "--logs", "tests/fixtures/logs/broken"]
    code, out, err = run_cli([*argv, "--format", "html"], capsys)
    assert code == 1, err
    assert out.count("log evidence") == 3  # TC101, TC205, TC209
    assert "tests/fixtures/logs/broken/server.log:4:" in out
    code, _, err = run_cli(["check", "examples/chat-broken", "--logs", "no/such/dir"], capsys)
    assert code == 2
    assert "log directory not found" in err


def test_log_evidence_is_redacted(tmp_path: Path) -> None:
    log = tmp_path / "proxy.log"
    log.write_text(
        LINE + "[sid=AB12CD34] UnOpenedSessionNotAllowed login password=hunter2 token=abc7,"
        ' "apiKey": "k-123" secret: s3cr3t\n',
        encoding="utf-8",
    )
    reports, _ = scan([(log, "proxy.log")])
    line = evidence_line(reports[0])
    for secret in ("hunter2", "abc7", "k-123", "s3cr3t"):
        assert secret not in line
    assert "login password=******** token=********," in line
