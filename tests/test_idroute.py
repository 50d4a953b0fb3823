"""Route persistence (``IdRoute``) in the simulation, vendor-neutral: the route the application
appends to its session id names the member, as mod_proxy_balancer and NGINX Plus read it."""

from __future__ import annotations

from tcommlint.pipeline.model import (
    Balance,
    IdRoute,
    LoadBalancer,
    Persistence,
    Pool,
    Server,
    Service,
)
from tcommlint.pipeline.outcome import Outcome
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate
from tcommlint.source import Located, Span

AT = Span("lb.conf", 1)


def _lb(routes: tuple[str | None, ...], rule: IdRoute, disabled: int = -1) -> LoadBalancer:
    servers = tuple(
        Server(
            f"s{i}",
            f"10.0.0.{i}",
            8080,
            Span("lb.conf", 10 + i),
            number=i,
            disabled=i == disabled,
            route=Located(route, Span("lb.conf", 10 + i, 20)) if route else None,
        )
        for i, route in enumerate(routes, start=1)
    )
    pool = Pool(
        "chat",
        AT,
        servers,
        Balance(Located("byrequests", AT)),
        persistence=Persistence(id_route=rule),
    )
    service = Service("web", AT, default_pool=Located("chat", AT))
    return LoadBalancer("test", ("lb.conf",), (service,), (pool,))


def _rule(cookie: str = "JSESSIONID", **fields: object) -> IdRoute:
    return IdRoute(Located(cookie, Span("lb.conf", 5, 7)), Span("lb.conf", 5), "sticky", **fields)  # type: ignore[arg-type]


def _outcome(lb: LoadBalancer, trace: bool = False, **app: object) -> Outcome:
    model = AppModel(**app)  # type: ignore[arg-type]
    (outcome,) = simulate(lb, model, trace)
    return outcome


def test_routes_equal_to_the_applications_are_sticky() -> None:
    outcome = _outcome(_lb(("a", "b"), _rule()), jvm_routes=("a", "b"))
    assert outcome.verdict == "sticky" and "cookie" in outcome.kept_by


def test_the_id_in_the_url_is_read_first() -> None:
    lb = _lb(("a", "b"), _rule(url_parameter="jsessionid"))
    outcome = _outcome(lb, jvm_routes=("a", "b"), id_in_url=True)
    assert outcome.verdict == "sticky" and "url" in outcome.kept_by


def test_a_route_no_member_has_names_both_sides() -> None:
    lb = _lb(("x", "y"), _rule())
    routes = (Span("p1/server.xml", 3, 40), Span("p2/server.xml", 3, 40))
    outcome = _outcome(lb, jvm_routes=("a", "b"), route_spans=routes)
    assert outcome.verdict == "breaks"
    cause = outcome.breaks[0].cause
    assert cause.code == "ineffective" and cause.span.line in (11, 12)
    assert cause.related[0][0].path.endswith("server.xml")


def test_members_without_route_and_ids_without_route_break() -> None:
    assert _outcome(_lb((None, None), _rule()), jvm_routes=("a", "b")).verdict == "breaks"
    assert _outcome(_lb(("a", "b"), _rule())).verdict == "breaks"  # Tomcat sets no jvmRoute


def test_duplicate_routes_send_every_session_to_the_first() -> None:
    outcome = _outcome(_lb(("a", "a"), _rule()), jvm_routes=("a", "a"))
    assert outcome.verdict == "breaks"
    cause = outcome.breaks[0].cause
    assert "same route=a" in cause.reason and "(line 11)" in cause.reason
    assert cause.span.line == 12 and cause.related[0][0].line == 11  # both members' lines


SERVER_XML = tuple(Span(f"p{n}/server.xml", 3, 40) for n in (1, 2, 3))


def test_a_mismatched_route_names_the_member_of_the_node_with_that_jvm_route() -> None:
    # Blind trial 05: every message named the jvmRoute of the member's own node, not another's.
    lb = _lb(("node1", "node2", "node3"), _rule())
    outcome = _outcome(lb, jvm_routes=("p1", "p2", "p3"), route_spans=SERVER_XML)
    assert outcome.verdict == "breaks"
    for broken in outcome.breaks:
        cause = broken.cause
        member = cause.span.line - 10  # s1..s3 are on lines 11..13
        assert f"route=node{member}" in cause.reason and f"'.p{member}'" in cause.reason
        assert cause.related[0][0].path == f"p{member}/server.xml"


def test_a_route_two_members_share_is_named_with_both_lines() -> None:
    # Blind trial 29: members route=p1, p1, p3 before Tomcats p1, p2, p3.
    lb = _lb(("p1", "p1", "p3"), _rule())
    outcome = _outcome(lb, jvm_routes=("p1", "p2", "p3"), route_spans=SERVER_XML, trace=True)
    assert outcome.verdict == "breaks"
    causes = {broken.cause.reason for broken in outcome.breaks}
    (reason,) = causes  # only the member whose node's sessions end in .p2 is to blame
    assert "s2 has route=p1" in reason and "'.p2'" in reason
    assert "route=p1 is also that of s1 (line 11)" in reason


def test_a_kept_request_notes_no_missed_persistence() -> None:
    lb = _lb(("p1", "p1", "p3"), _rule())
    model = AppModel(jvm_routes=("p1", "p2", "p3"), route_spans=SERVER_XML)
    (outcome,) = simulate(lb, model, trace=True)
    kept = [request for request in outcome.trace[1:] if request.result == "kept"]
    assert kept and any("route p1" in step.text for step in kept[0].steps)
    for request in kept:  # blind trial 29: "persistence missed" then "route p1 -> kept"
        assert not any("persistence missed" in step.text for step in request.steps)


def test_a_jvm_route_two_tomcats_share_is_named_with_both_files() -> None:
    lb = _lb(("p1", "p2", "p3"), _rule())
    outcome = _outcome(lb, jvm_routes=("p1", "p1", "p3"), route_spans=SERVER_XML)
    assert outcome.verdict == "breaks"
    cause = outcome.breaks[0].cause
    assert "jvmRoute 'p1' is set on two nodes" in cause.reason
    assert "p1/server.xml:3" in cause.reason and "p2/server.xml:3" in cause.reason
    assert cause.span.path == "p2/server.xml" and cause.related[0][0].path == "p1/server.xml"


def test_cookie_names_are_case_sensitive() -> None:
    outcome = _outcome(_lb(("a", "b"), _rule("jsessionid")), jvm_routes=("a", "b"))
    assert outcome.breaks[0].cause.code == "cookie-name-case"


def test_without_server_xml_the_members_routes_are_assumed() -> None:
    outcome = _outcome(_lb(("a", "b"), _rule()), assume_member_routes=True)
    assert outcome.verdict == "sticky"


def test_a_route_differing_in_case_says_routes_are_case_sensitive() -> None:
    # Blind trial 26: route=P1 against jvmRoute p1.
    outcome = _outcome(_lb(("P1", "P2"), _rule()), jvm_routes=("p1", "p2"))
    assert all("compared case-sensitively" in b.cause.reason for b in outcome.breaks)
