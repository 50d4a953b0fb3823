"""Ground truth: tcommlint's HAProxy stickiness verdicts against a real haproxy on loopback.

For every configuration of the matrix, a real ``haproxy`` is started in front of chat-API-like
nodes and 20 sessions x 10 requests are played; the observed verdict ("every session kept its
server-side session") must equal the recorded expectation and tcommlint's verdict (no error from
a stickiness rule). The harness's own pieces are unit-tested first, without haproxy.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator

import pytest

from tests.groundtruth.chat_backend import ChatBackend
from tests.groundtruth.harness import (
    CookieJar,
    Observation,
    Outcome,
    Reply,
    Scenario,
    blocking_findings,
    chat_backends,
    env_label,
    haproxy_binary,
    observe_variants,
    run_tcommlint,
    tcommlint_available,
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
    cache: dict[str, Observation] = {}
    with chat_backends(3) as upper, chat_backends(3, "jsessionid") as lower:
        nodes = {"JSESSIONID": upper, "jsessionid": lower}

        def run(entry: Entry) -> Observation:
            if entry.id not in cache:
                backends = nodes[entry.app_cookie][: entry.servers]
                cache[entry.id] = observe_variants(
                    entry.render, backends, entry.scenario, entry.environments
                )
            return cache[entry.id]

        yield run


def _explain(observation: Observation) -> str:
    parts = []
    for env, outcome in observation.variants:
        broken = [f"session {s.position}: {s.reason}" for s in outcome.sessions if not s.kept][:3]
        detail = broken or outcome.check_output[-400:]
        parts.append(f"{env_label(env)}: {outcome.summary()}; {detail}")
    return " | ".join(parts)


def _outcome(sticky: bool) -> Outcome:
    session = judge(0, [Reply(200, "p1", "A"), Reply(200 if sticky else 404, "p1", "A")])
    return Outcome(True, "", (session,), "cfg")


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


def test_defined_entries_run_both_ways() -> None:
    by_id = {entry.id: entry for entry in MATRIX}
    for entry_id in ("if-undefined-persist", "if-else-persist"):
        assert by_id[entry_id].environments == ({}, {"TCOMMLINT_GT_UNSET": "1"})
    assert by_id["if-version-persist"].environments == ({},)


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("entry", MATRIX, ids=[entry.id for entry in MATRIX])
def test_haproxy_observation_matches_recorded(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    observation = observe(entry)
    assert observation.sticky is entry.expected_sticky, _explain(observation)


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("entry", MATRIX, ids=[entry.id for entry in MATRIX])
def test_tcommlint_verdict_matches_haproxy(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    if not tcommlint_available():
        pytest.skip("tcommlint/__main__.py not present yet: `python -m tcommlint check` cannot run")
    observation = observe(entry)
    report = run_tcommlint(observation.config, entry.app_cookie)
    rules = verdict_rules(entry.scenario)
    verdict = tcommlint_sticky(report, rules)
    assert verdict is observation.sticky, (
        f"haproxy: {_explain(observation)}; tcommlint errors: {blocking_findings(report, rules)}"
    )
