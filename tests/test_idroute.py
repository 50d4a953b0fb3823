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


def _outcome(lb: LoadBalancer, **app: object) -> Outcome:
    model = AppModel(**app)  # type: ignore[arg-type]
    (outcome,) = simulate(lb, model)
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
    assert "same route" in outcome.breaks[0].cause.reason


def test_cookie_names_are_case_sensitive() -> None:
    outcome = _outcome(_lb(("a", "b"), _rule("jsessionid")), jvm_routes=("a", "b"))
    assert outcome.breaks[0].cause.code == "cookie-name-case"


def test_without_server_xml_the_members_routes_are_assumed() -> None:
    outcome = _outcome(_lb(("a", "b"), _rule()), assume_member_routes=True)
    assert outcome.verdict == "sticky"
