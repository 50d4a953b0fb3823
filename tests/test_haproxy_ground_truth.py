"""Ground truth: tcommlint's HAProxy stickiness verdicts against a real haproxy on loopback.

For every configuration of the matrix, a real ``haproxy`` is started in front of chat-API-like
nodes and 20 sessions x 10 requests are played; the observed verdict ("every session kept its
server-side session") must equal the recorded expectation and tcommlint's verdict (no error from
a stickiness rule). The harness's own pieces are unit-tested first, without haproxy.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.groundtruth.chat_backend import ChatBackend, split_path
from tests.groundtruth.harness import (
    HAPROXY,
    CookieJar,
    HarnessError,
    Observation,
    Outcome,
    Reply,
    Scenario,
    drive_sessions,
    entry_observer,
    explain,
    haproxy_binary,
    run_tcommlint,
    running_server,
    scenario_manifest,
    tcommlint_available,
    tcommlint_disagreement,
    tcommlint_sticky,
    verdict_rules,
)
from tests.groundtruth.harness import _judge as judge
from tests.groundtruth.matrix import MATRIX, Entry

needs_haproxy = pytest.mark.skipif(
    haproxy_binary() is None, reason="haproxy binary not installed (apt-get install haproxy)"
)

# --------------------------------------------------------------------------- harness unit tests


def _get(backend: ChatBackend, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=5)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_chat_backend_creates_keeps_and_rejects_sessions() -> None:
    with ChatBackend("p1") as backend:
        created = _get(backend, "/api/chat")
        session = created.getheader("X-Session") or ""
        assert created.status == 200
        assert created.getheader("Set-Cookie") == f"JSESSIONID={session}; Path=/api; HttpOnly"
        assert session.endswith(".p1") and len(session) == 32 + 3
        kept = _get(backend, "/api/chat", f"SRV=s1; JSESSIONID={session}")
        assert (kept.status, kept.getheader("X-Session")) == (200, session)
        foreign = _get(backend, "/api/chat", "JSESSIONID=0123456789ABCDEF0123456789ABCDEF.p2")
        assert foreign.status == 404
        assert backend.log and "UnOpenedSessionNotAllowed" in backend.log[0]
        static = _get(backend, "/index.html")
        assert (static.status, static.getheader("Set-Cookie")) == (200, None)
        assert static.getheader("X-Served-By") == "p1"


def test_chat_backend_cookie_name_is_case_sensitive() -> None:
    with ChatBackend("p2", "jsessionid") as backend:
        created = _get(backend, "/api", "JSESSIONID=whatever")
        assert (created.getheader("Set-Cookie") or "").startswith("jsessionid=")


@pytest.mark.parametrize(
    ("set_cookie", "request_path", "ask", "expected"),
    [
        ("JSESSIONID=a; Path=/api", "/api/x", "/api/chat", "JSESSIONID=a"),
        ("JSESSIONID=a; Path=/api", "/api/x", "/apiv2", ""),
        ("JSESSIONID=a; Path=/api", "/api/x", "/", ""),
        ("SRV=s1; path=/", "/api/x", "/anything", "SRV=s1"),
        ("SRV=s1", "/api/chat", "/api/other", "SRV=s1"),
        ("SRV=s1", "/api/chat", "/web", ""),
        ("SRV=s1; Path=/; Max-Age=0", "/", "/", ""),
    ],
    ids=[
        "path-match",
        "path-not-prefix-word",
        "outside-path",
        "root",
        "default-path",
        "default-path-outside",
        "max-age-0",
    ],
)
def test_cookie_jar_honours_path(
    set_cookie: str, request_path: str, ask: str, expected: str
) -> None:
    jar = CookieJar()
    jar.receive(set_cookie, request_path)
    assert jar.header(ask) == expected


def test_cookie_jar_sends_longest_path_first() -> None:
    jar = CookieJar()
    jar.receive("SRV=s1; Path=/", "/api/chat")
    jar.receive("JSESSIONID=x.p1; Path=/api", "/api/chat")
    assert jar.header("/api/chat") == "JSESSIONID=x.p1; SRV=s1"


@pytest.mark.parametrize(
    ("replies", "kept"),
    [
        ([Reply(200, "p1", "A"), Reply(200, "p1", "A")], True),
        ([Reply(200, "p1", "A"), Reply(404, "p2", "")], False),
        ([Reply(200, "p1", "A"), Reply(200, "p1", "B")], False),
        ([Reply(503, "", "")], False),
        ([Reply(200, "p1", "A"), Reply(0, "", "TimeoutError")], False),
    ],
    ids=["kept", "other-node-404", "new-session", "first-fails", "transport-error"],
)
def test_judge_session(replies: list[Reply], kept: bool) -> None:
    assert judge(0, replies).kept is kept


def test_chat_backend_login_renews_the_session_id() -> None:
    with ChatBackend("p1") as backend:
        old = _get(backend, "/api/chat").getheader("X-Session") or ""
        login = _get(backend, "/api/chat/poll/login", f"JSESSIONID={old}")
        new = login.getheader("X-Session") or ""
        assert login.status == 200 and new != old and new.endswith(".p1")
        assert login.getheader("Set-Cookie") == f"JSESSIONID={new}; Path=/api; HttpOnly"
        assert _get(backend, "/api/chat", f"JSESSIONID={old}").status == 404
        assert _get(backend, "/api/chat", f"JSESSIONID={new}").getheader("X-Session") == new
        # a login without a session opens one, as any first request does
        fresh = _get(backend, "/api/chat/login")
        assert fresh.status == 200 and fresh.getheader("Set-Cookie")


def test_chat_backend_reads_the_session_from_a_path_parameter() -> None:
    with ChatBackend("p1") as backend:
        session = _get(backend, "/api/chat").getheader("X-Session") or ""
        kept = _get(backend, f"/api/chat/poll;jsessionid={session}?since=3")
        assert (kept.status, kept.getheader("X-Session"), kept.getheader("Set-Cookie")) == (
            200,
            session,
            None,
        )
        assert _get(backend, "/api/chat;jsessionid=0123.p2").status == 404
        # the cookie wins over the path parameter
        both = _get(backend, "/api/chat;jsessionid=0123.p2", f"JSESSIONID={session}")
        assert both.status == 200
        login = _get(backend, f"/api/chat/login;jsessionid={session}")
        renewed = login.getheader("X-Session") or ""
        assert login.status == 200 and renewed not in ("", session)
        assert _get(backend, f"/api/chat;jsessionid={session}").status == 404


def test_split_path() -> None:
    assert split_path("/api/chat;jsessionid=A.p1?x=1") == ("/api/chat", {"jsessionid": "A.p1"})
    assert split_path("/api/chat/login") == ("/api/chat/login", {})


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cookie_jar_expires_max_age_and_expires() -> None:
    clock = _Clock()
    jar = CookieJar(clock=clock)
    jar.receive("SRV=s1; Path=/; Max-Age=1", "/api/chat")
    jar.receive("A=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/api/chat")
    jar.receive("B=2; Path=/; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/api/chat")
    assert jar.header("/api/chat") == "SRV=s1; B=2"
    clock.now += 1.5
    assert jar.header("/api/chat") == "B=2"


def test_cookie_jar_refuses_secure_over_http_and_foreign_domains() -> None:
    jar = CookieJar()
    jar.receive("SRV=s1; path=/; Secure", "/api/chat")
    jar.receive("X=1; path=/; Domain=.example.com", "/api/chat")
    jar.receive("Y=2; path=/; Domain=127.0.0.1", "/api/chat")
    assert jar.header("/api/chat") == "Y=2"
    secure = CookieJar(secure_channel=True)
    secure.receive("SRV=s1; path=/; Secure", "/api/chat")
    assert secure.header("/api/chat") == "SRV=s1"


def test_cookie_jar_ignores_named_cookies() -> None:
    jar = CookieJar(ignore={"JSESSIONID"})
    jar.receive("JSESSIONID=A.p1; Path=/api; HttpOnly", "/api/chat")
    jar.receive("SRV=s1; path=/", "/api/chat")
    assert jar.header("/api/chat;jsessionid=A.p1") == "SRV=s1"


def test_scenario_paths_login_and_path_parameter() -> None:
    plain = Scenario()
    assert [plain.path_for(k) for k in (1, 2, 3, 4)] == [
        "/api/chat",
        "/api/chat/poll",
        "/api/chat/send",
        "/api/chat",
    ]
    both = Scenario(login_at=2, id_in_path=True)
    assert both.path_for(1, "A") == "/api/chat"
    assert both.path_for(2, "A") == "/api/chat/poll/login;jsessionid=A"
    assert both.path_for(3, "B") == "/api/chat/send;jsessionid=B"


def test_scenario_pauses() -> None:
    assert [Scenario(pause_seconds=1).pauses_before(k) for k in (1, 2, 3)] == [False, True, True]
    once = Scenario(pause_seconds=1, pause_before=3)
    assert [once.pauses_before(k) for k in (1, 2, 3, 4)] == [False, False, True, False]
    assert not Scenario(pause_before=3).pauses_before(3)


@pytest.mark.parametrize(
    ("replies", "kept"),
    [
        ([Reply(200, "p1", "A"), Reply(200, "p1", "B"), Reply(200, "p1", "B")], True),
        ([Reply(200, "p1", "A"), Reply(200, "p1", "B"), Reply(200, "p1", "A")], False),
        ([Reply(200, "p1", "A"), Reply(200, "p2", "C"), Reply(200, "p2", "C")], False),
        ([Reply(200, "p1", "A"), Reply(200, "p1", "A"), Reply(200, "p1", "B")], False),
    ],
    ids=["renewed-and-kept", "old-id-again", "login-elsewhere", "change-after-login"],
)
def test_judge_session_with_login(replies: list[Reply], kept: bool) -> None:
    assert judge(0, replies, login_at=2).kept is kept


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(sessions=3, requests=5, login_at=3),
        Scenario(sessions=3, requests=5, id_in_path=True),
        Scenario(sessions=3, requests=5, id_in_path=True, login_at=2, interleaved=False),
    ],
    ids=["login", "id-in-path", "sequential-login-id-in-path"],
)
def test_drive_sessions_against_one_node(scenario: Scenario) -> None:
    with ChatBackend("p1") as backend:
        results = drive_sessions(backend.port, scenario)
    assert all(result.kept for result in results), [r.reason for r in results]
    sessions = [{reply.session for reply in result.replies} for result in results]
    assert all(len(ids) == (2 if scenario.login_at else 1) for ids in sessions)


def test_drive_sessions_sequential_and_pause_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    with ChatBackend("p1") as backend:
        drive_sessions(backend.port, Scenario(sessions=3, requests=4, pause_seconds=0.5))
        assert sleeps == [0.5] * 3
        sleeps.clear()
        once = Scenario(sessions=3, requests=4, pause_seconds=0.5, pause_before=3)
        drive_sessions(backend.port, once)
        assert sleeps == [0.5]
        sleeps.clear()
        drive_sessions(backend.port, once._replace(interleaved=False))
        assert sleeps == [0.5] * 3


def test_client_with_id_in_path_never_keeps_the_session_cookie() -> None:
    from tests.groundtruth import harness

    with ChatBackend("p1") as backend:
        client = harness._Client(Scenario(id_in_path=True), "JSESSIONID")
        for _ in range(3):
            client.send(backend.port)
        client.jar.receive("SRV=s1; path=/", "/api/chat")
    assert client.jar.header("/api/chat") == "SRV=s1"
    assert [r.status for r in client.replies] == [200, 200, 200]
    assert client.session and {r.session for r in client.replies} == {client.session}


def test_scenario_manifest() -> None:
    assert scenario_manifest(Scenario()) == (
        "deployment:\n  name: groundtruth\n  concurrent_sessions: 20\n"
        "  login_changes_session_id: false\n"
    )
    scenario = Scenario(
        sessions=6, pause_seconds=1.2, login_at=3, id_in_path=True, interleaved=False
    )
    assert scenario_manifest(scenario, "jsessionid") == (
        "deployment:\n  name: groundtruth\n  session_cookie: jsessionid\n"
        "  concurrent_sessions: 1\n  average_session_duration: 2s\n"
        "  login_changes_session_id: true\n  session_id_in_url: true\n"
    )


def test_run_tcommlint_writes_the_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    def fake_run(argv: list[str], **_: object) -> object:
        root = Path(argv[4])
        seen["manifest"] = (root / "tcommlint.yaml").read_text()
        seen["cfg"] = (root / "lb" / "haproxy.cfg").read_text()
        return subprocess.CompletedProcess(argv, 0, '{"findings": []}', "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    scenario = Scenario(sessions=4, login_at=2)
    assert run_tcommlint("global\n", scenario) == {"findings": []}
    assert seen == {"manifest": scenario_manifest(scenario), "cfg": "global\n"}


def test_verdict_ignores_warnings_and_other_rules() -> None:
    report = {
        "findings": [
            {"rule": "TC208", "severity": "warning"},
            {"rule": "TC205", "severity": "error"},
            {"rule": "TC201", "severity": "warning"},
        ]
    }
    assert tcommlint_sticky(report, verdict_rules(Scenario()))
    assert not tcommlint_sticky(report, verdict_rules(Scenario(pause_seconds=2)))
    assert not tcommlint_sticky({"findings": [{"rule": "TC209", "severity": "error"}]})


def test_matrix_is_complete_and_renders() -> None:
    ids = [entry.id for entry in MATRIX]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)
    for entry in MATRIX:
        text = entry.sample()
        assert "@" not in text, entry.id
        assert "bind 127.0.0.1:8080" in text and "timeout server" in text, entry.id


# --------------------------------------------------------------------------- against haproxy


@pytest.fixture(scope="module")
def observe() -> Iterator[Callable[[Entry], Observation]]:
    """Run each matrix entry once per environment variant (shared by both differential tests)."""
    with entry_observer(HAPROXY) as run:
        yield run


def _outcome(sticky: bool) -> Outcome:
    session = judge(0, [Reply(200, "p1", "A"), Reply(200 if sticky else 404, "p1", "A")])
    return Outcome(True, "", (session,), "cfg")


def test_family_entries_record_a_prediction_and_explain_surprises() -> None:
    from tests.groundtruth.matrix_lb_cookie import ENTRIES

    assert len(ENTRIES) >= 60
    assert {entry.id for entry in ENTRIES} <= {entry.id for entry in MATRIX}
    for entry in ENTRIES:
        assert entry.description and entry.predicted_sticky is not None, entry.id
        if entry.predicted_sticky is not entry.expected_sticky:
            assert entry.note, entry.id
    families = {entry.id.split("-")[0] for entry in ENTRIES}
    for family in families:
        assert sum(entry.id.startswith(family + "-") for entry in ENTRIES) >= 3, family


def test_observation_is_sticky_only_if_every_variant_is() -> None:
    both = Observation((({}, _outcome(True)), ({"X": "1"}, _outcome(True))))
    one = Observation((({}, _outcome(True)), ({"X": "1"}, _outcome(False))))
    assert both.sticky and not one.sticky
    assert one.summary() == "(no variables): sticky 1/1; X=1: NOT sticky 0/1"
    assert Observation((({}, _outcome(True)),)).summary() == "sticky 1/1"


def test_variants_see_their_variables_and_only_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.groundtruth import harness

    monkeypatch.setenv("TCOMMLINT_GT_LEAK", "1")
    env = harness._clean_env({"TCOMMLINT_GT_UNSET": "1"})
    assert env["TCOMMLINT_GT_UNSET"] == "1" and "TCOMMLINT_GT_LEAK" not in env
    assert set(harness._clean_env()) == {"PATH"}


def test_entries_haproxy_varies_on_are_not_compared_with_tcommlint_either() -> None:
    from tests.groundtruth.matrix import HAPROXY_VARIES

    varying = {entry.id for entry in MATRIX if entry.haproxy_varies}
    assert varying == HAPROXY_VARIES
    assert all(entry.client_differs for entry in MATRIX if entry.haproxy_varies)


def test_defined_entries_run_both_ways() -> None:
    by_id = {entry.id: entry for entry in MATRIX}
    for entry_id in ("if-undefined-persist", "if-else-persist"):
        assert by_id[entry_id].environments == ({}, {"TCOMMLINT_GT_UNSET": "1"})
    assert by_id["if-version-persist"].environments == ({},)


@pytest.mark.haproxy
@needs_haproxy
def test_haproxy_never_shares_a_port_with_another_listener(tmp_path: Path) -> None:
    """A port another process listens on with SO_REUSEPORT voids the run instead of mixing in."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        cfg = tmp_path / "haproxy.cfg"
        cfg.write_text(
            "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n"
            f"    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:{port}\n"
            "    default_backend be\nbackend be\n    server s1 127.0.0.1:9\n"
        )
        with pytest.raises(HarnessError), running_server(cfg, port):
            time.sleep(0.5)


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("entry", MATRIX, ids=[entry.id for entry in MATRIX])
def test_haproxy_observation_matches_recorded(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    if entry.haproxy_varies:
        pytest.skip(entry.haproxy_varies)
    observation = observe(entry)
    assert observation.sticky is entry.expected_sticky, explain(observation)


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("entry", MATRIX, ids=[entry.id for entry in MATRIX])
def test_tcommlint_verdict_matches_haproxy(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    if not tcommlint_available():
        pytest.skip("tcommlint/__main__.py not present yet: `python -m tcommlint check` cannot run")
    if entry.client_differs:
        pytest.skip(entry.client_differs)
    observation = observe(entry)
    disagreement = tcommlint_disagreement(entry, observation, HAPROXY)
    assert not disagreement, disagreement
