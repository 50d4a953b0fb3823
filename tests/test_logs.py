"""``tcommlint logs`` and ``check --logs``: signatures in TComm proxy and server logs."""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

import pytest

from tcommlint.errors import UsageError
from tcommlint.logs import (
    _LAYOUT,
    NO_SESSION,
    SIGNATURES_FILE,
    Scan,
    Signature,
    evidence_line,
    excerpt,
    load_signatures,
    pattern_problem,
    scan,
    session_id,
)
from tcommlint.ruleset import load_rules

from conftest import run_cli, run_json

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
PROJECT = Path(__file__).resolve().parents[1]
BROKEN = [str(FIXTURES / "broken" / "proxy.log"), str(FIXTURES / "broken" / "server.log")]
CLEAN = [str(FIXTURES / "clean" / "proxy.log"), str(FIXTURES / "clean" / "server.log")]
LINE = "2024-05-14 09:12:05,230 WARN  [http-nio-8443-exec-2] com.tcomm.proxy.api.SessionFilter - "
STICKY_RULES = [f"TC2{n:02}" for n in (1, 2, 3, 4, 5, 6, 9, 13, 14, 15)]


def bundled_signatures() -> tuple[Signature, ...]:
    return load_signatures(load_rules())


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
    assert sticky["confirms"] == STICKY_RULES
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
    assert f"confirms: {', '.join(STICKY_RULES)}" in out
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
    state = Scan(bundled_signatures())
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
    reports, _ = scan([(Path(BROKEN[0]), "proxy.log")], bundled_signatures())
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


# --- session ids in every shape the TComm logs use ---------------------------------------------

STAMP = "2026-11-02 10:15:01,233"
PROXY = f"{STAMP} ERROR [http-nio-8443-exec-7] c.t.proxy.ApiServlet - "
SERVER = f"{STAMP} INFO  [pool-2-thread-1] c.t.server.Router - "
UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            PROXY + "UnOpenedSessionNotAllowed for sessionId=8F3A0C2B9D1E4F5A6B7C8D9E0F1A2B3C",
            "8F3A0C2B9D1E4F5A6B7C8D9E0F1A2B3C",
            id="sessionId=",
        ),
        pytest.param(PROXY + "lookup failed sessionID: 99887766", "99887766", id="sessionID:"),
        pytest.param(PROXY + "closing session_id=771234 (idle)", "771234", id="session_id="),
        pytest.param(PROXY + "[sid:123456] No Session Found", "123456", id="sid:"),
        pytest.param(
            SERVER + "Routing to Agent via 'WorkQueue' session 4711", "4711", id="session-number"
        ),
        pytest.param(SERVER + "session 123456 closed by agent", "123456", id="session-number-mid"),
        pytest.param(SERVER + f"session: {UUID} started", UUID, id="session:-uuid"),
        pytest.param(SERVER + "session id #A72E5D4B748F263C ended", "A72E5D4B748F263C", id="id-#"),
        pytest.param(PROXY + "[123456] No Session Found", "123456", id="bracketed-number"),
        pytest.param(PROXY + f"[{UUID.upper()}] No Session Found", UUID, id="bracketed-uuid"),
        pytest.param(
            PROXY + f"UnOpenedSessionNotAllowed chat={UUID.upper()} GET /api/messages",
            UUID,
            id="uuid-alone-any-case",
        ),
        pytest.param(PROXY + f"requestId={UUID} No Session Found", "", id="uuid-of-a-request"),
        pytest.param(
            "2024-05-14 09:12:00,000 INFO  [main] o.a.c.s.Catalina - Server startup in [4183] ms",
            "",
            id="bracketed-duration",
        ),
        pytest.param("May 14 09:12:05 host proxy[12345]: No Session Found", "", id="syslog-pid"),
        pytest.param(PROXY + "session 2026-11-02 rollover", "", id="session-date"),
        pytest.param(PROXY + "No Session Found", "", id="no-id"),
    ],
)
def test_session_id_shapes(line: str, expected: str) -> None:
    assert session_id(line) == expected


def write_log(folder: Path, name: str, lines: list[str]) -> str:
    log = folder / name
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(log)


def sessions_of(signature: dict[str, object]) -> dict[str, int]:
    found = signature["sessions"]
    assert isinstance(found, list)
    return {s["session"]: s["lines"] for s in found}


def test_sessions_counted_once_per_id_whatever_its_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(
        tmp_path,
        "proxy.log",
        [
            PROXY + "UnOpenedSessionNotAllowed for sessionId=8F3A0C2B9D1E4F5A6B7C8D9E0F1A2B3C",
            PROXY + "[sid:8F3A0C2B9D1E4F5A6B7C8D9E0F1A2B3C] No Session Found",
            PROXY + "UnOpenedSessionNotAllowed for session 4711",
            PROXY + "[4711] No Session Found",
            PROXY + f"[{UUID.upper()}] No Session Found",
            PROXY + f"UnOpenedSessionNotAllowed: session: {UUID} is not open here",
            PROXY + "UnOpenedSessionNotAllowed",
            PROXY + "404 No Session Found",
        ],
    )
    code, data = logs_json([log], capsys)
    assert code == 1
    sticky = signatures(data)["session-not-found"]
    assert sessions_of(sticky) == {
        "8F3A0C2B9D1E4F5A6B7C8D9E0F1A2B3C": 2,
        "4711": 2,
        UUID: 2,
        NO_SESSION: 2,  # counted apart, not a session
    }
    assert sticky["sessions_count"] == 3
    assert sticky["lines"] == 8


def test_queued_twice_and_never_routed_with_numeric_and_uuid_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "5b1c8a52-9e3f-4c1a-8d2e-7f6a5b4c3d2e"
    log = write_log(
        tmp_path,
        "server.log",
        [
            SERVER + "session 4711 started (channel=webchat)",
            SERVER + "Routing to Agent via 'WorkQueue' session 4711",
            SERVER + "Routing to Agent via 'WorkQueue' session 4711",
            SERVER + "session 4712 started (channel=webchat)",
            SERVER + "Routing to Agent via 'WorkQueue' session 4712",
            SERVER + f"session: {UUID} started",
            SERVER + f"new chat session {other.upper()}",
            SERVER + f"Routing to Agent via 'WorkQueue' sessionId={other}",
        ],
    )
    code, data = logs_json([log], capsys)
    assert code == 1
    found = signatures(data)
    assert sessions_of(found["duplicate-queuing"]) == {"4711": 2}
    assert sessions_of(found["no-routing"]) == {UUID: 1}


def test_lines_without_id_never_make_a_session(capsys: pytest.CaptureFixture[str]) -> None:
    # Without a session id there is no telling a session queued twice from two sessions.
    lines = [SERVER + "Routing to Agent via 'WorkQueue' queue=Q", SERVER + "session started"] * 2
    state = Scan(bundled_signatures())
    state.feed("server.log", lines)
    assert state.reports() == []


# --- signatures are data -----------------------------------------------------------------------


def test_signatures_come_from_the_data_file() -> None:
    declared = {s.id: s for s in bundled_signatures()}
    assert list(declared) == ["session-not-found", "duplicate-queuing", "no-routing"]
    named = {
        name: [rule.id for rule in load_rules() if name in rule.log_signatures] for name in declared
    }
    assert {name: list(s.confirms) for name, s in declared.items()} == named
    assert named["session-not-found"] == STICKY_RULES
    source = (PROJECT / "tcommlint" / "logs.py").read_text(encoding="utf-8")
    assert re.search(r"\bTC\d{3}\b", source) is None, "rule ids belong in the rule files"


CUSTOM_RULE = """\
id: XY901
name: every-proxy
severity: warning
summary: Fires on every proxy config (a test rule).
requires: [proxy]
for_each: deployment.proxies
as: p
when: "true"
at: p.loc
message: "proxy config {{p.path}}"
log_signatures: [{signature}]
docs: {{what: a test rule, why: to see log evidence follow the data, fix: nothing}}
examples:
  fail: [{{files: {{p/conf/config/proxy.properties: "AutoCallQueue=true\\n"}}}}]
  pass: [{{files: {{lb/haproxy.cfg: "defaults\\n"}}}}]
"""


def test_a_rule_of_a_rules_dir_gets_the_evidence_of_the_signatures_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "XY901-every-proxy.yaml").write_text(
        CUSTOM_RULE.format(signature="duplicate-queuing"), encoding="utf-8"
    )
    argv = ["check", "examples/chat-broken", "--rules", str(rules)]
    _, report = run_json([*argv, "--logs", "tests/fixtures/logs/broken"], capsys)
    custom = [f for f in report["findings"] if f["rule"] == "XY901"]
    assert len(custom) == 2
    for finding in custom:
        (evidence,) = finding["evidence"]
        assert evidence.startswith("tests/fixtures/logs/broken/server.log:4: ")
        assert evidence.endswith("(5 sessions)")


def test_a_rule_naming_an_unknown_signature_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = rules / "XY901-every-proxy.yaml"
    rule.write_text(CUSTOM_RULE.format(signature="session-lost"), encoding="utf-8")
    argv = ["check", "examples/chat-broken", "--rules", str(rules)]
    code, out, err = run_cli([*argv, "--logs", "tests/fixtures/logs/broken"], capsys)
    assert code == 2
    assert out == ""
    assert err == f"tcommlint: error: {rule.as_posix()}:11: unknown log signature 'session-lost'\n"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        pytest.param(r"(session\w+)+$", "exponential time", id="nested-repeat"),
        pytest.param(r"(session|sessions)*x", "exponential time", id="repeated-alternation"),
        pytest.param(r"session(", "not a valid regular expression", id="invalid"),
        pytest.param(r"(?:session)?", "matches an empty line", id="empty"),
        pytest.param(r"UnOpened\w+NotAllowed", "names none of the keywords", id="no-keyword"),
        pytest.param("session" * 80, "exponential time", id="too-long"),
        pytest.param(r"No\s+Session\s+Found", "", id="fine"),
    ],
)
def test_signature_patterns_are_checked_at_load(pattern: str, reason: str) -> None:
    problem = pattern_problem(pattern, ["session"])
    assert (reason in problem) if reason else problem == ""


def test_the_signatures_file_is_validated_by_its_schema() -> None:
    from tcommlint.resources import rules_dir, schema
    from tcommlint.yamlread import read_yaml, validate

    path = rules_dir() / SIGNATURES_FILE
    document = read_yaml(path.name, path.read_text(encoding="utf-8"))
    validate(path.name, document, schema("log-signatures.schema.json"))
    broken = read_yaml("x.yaml", "signatures: [{id: x, title: t, meaning: m, match: [x]}]\n")
    with pytest.raises(UsageError, match="'keywords' is a required property"):
        validate("x.yaml", broken, schema("log-signatures.schema.json"))


def test_a_huge_line_costs_bounded_time() -> None:
    line = PROXY + "session " + "(a" * 500_000 + " UnOpenedSessionNotAllowed sid=ABCDEF01"
    state = Scan(bundled_signatures())
    started = time.monotonic()
    state.feed("proxy.log", [line] * 20)
    assert time.monotonic() - started < 5
    assert state.reports() == []  # the signature is past the searched start of the line


def test_log_evidence_is_redacted(tmp_path: Path) -> None:
    log = write_log(
        tmp_path,
        "proxy.log",
        [
            PROXY + "[sid=AB12CD34] UnOpenedSessionNotAllowed login password=hunter2 token=abc7,"
            ' "apiKey": "k-123" secret: s3cr3t'
        ],
    )
    reports, _ = scan([(Path(log), "proxy.log")], bundled_signatures())
    line = evidence_line(reports[0])
    for secret in ("hunter2", "abc7", "k-123", "s3cr3t"):
        assert secret not in line
    assert "login password=******** token=********," in line
