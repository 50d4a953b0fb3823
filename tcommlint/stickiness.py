"""The stickiness verdict of a deployment: every load balancer's services simulated once.

The application model comes from the manifest (app path, session cookie, average session
duration, concurrent sessions, id changes at login, ids in URLs) and the proxies' Tomcat
configuration (jvmRoute, session-timeout). A cause ``no-persistence`` becomes
``persistence-elsewhere`` when the load balancer declares persistence on pools or services that
the app path never reaches (TC206 rather than TC201).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from tcommlint.durations import MINUTE
from tcommlint.model import Deployment
from tcommlint.pipeline.evaluate import condition_holds
from tcommlint.pipeline.http import Request
from tcommlint.pipeline.model import LoadBalancer, Pool, Service
from tcommlint.pipeline.outcome import Cause, Outcome
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate
from tcommlint.records import NamedTuple
from tcommlint.source import Span


class RouteVerdict(NamedTuple):
    """One service that serves the app path: where it sends it and what the session does."""

    load_balancer: LoadBalancer
    service: Service
    pool: Pool | None  # the pool that serves the request creating the session
    route_span: Span  # the routing rule or default pool that chose it
    outcome: Outcome
    elsewhere: Sequence[Span]  # persistence declared where the app path does not go


def app_model(deployment: Deployment) -> AppModel:
    """What the simulation knows of this deployment's application."""
    manifest = deployment.manifest
    timeouts = [
        t.session_timeout_minutes.value * MINUTE
        for t in deployment.tomcats
        if t.session_timeout_minutes.value > 0
    ]
    # One entry per Tomcat with a server.xml ("" where it sets no jvmRoute), in proxy order.
    engines = [t for t in deployment.tomcats if t.header.path.endswith("server.xml")]
    routes = tuple(t.jvm_route.value if t.jvm_route is not None else "" for t in engines)
    spans = tuple(t.jvm_route.span if t.jvm_route is not None else None for t in engines)
    lengths = [t.session_id_length.value for t in deployment.tomcats if t.session_id_length]
    # Where Tomcat deploys the application, when every proxy says the same and it is not the
    # app path: a load balancer that maps the path (ProxyPass /chat …/api) reaches it there,
    # and Tomcat's cookie says that path. (A cookie path Tomcat sets apart is TC207's.)
    contexts = {t.context_path.value or "/" for t in deployment.tomcats if t.context_path}
    context = contexts.pop() if len(contexts) == 1 else ""
    context = "" if context == manifest.app_path else context
    return AppModel(
        app_path=manifest.app_path,
        session_cookie=manifest.session_cookie,
        cookie_path=context or manifest.app_path,
        context_path=context,
        jvm_routes=routes if any(routes) else (),
        route_spans=spans if any(routes) else (),
        assume_member_routes=not engines,
        id_length=2 * lengths[0] if lengths else 32,
        average_session_seconds=manifest.average_session_seconds,
        tomcat_timeout_seconds=max(timeouts, default=0),
        concurrent_sessions=manifest.concurrent_sessions,
        login_changes_id=manifest.login_changes_session_id,
        id_in_url=manifest.session_id_in_url,
    )


def route_verdicts(deployment: Deployment, trace: bool = False) -> list[RouteVerdict]:
    """Every service of every load balancer that serves the app path, with its verdict."""
    app = app_model(deployment)
    verdicts = []
    for lb in deployment.load_balancers:
        pools = {pool.name: pool for pool in lb.pools}
        served: set[str] = set()
        found = []
        for outcome in simulate(lb, app, trace):
            pool_name, span = _first_route(outcome.service, app)
            pool = pools.get(outcome.pools[0] if outcome.pools else pool_name)
            served.update(outcome.pools)
            found.append((outcome, pool, span))
        declared = _Declared(lb, served)
        for outcome, pool, span in found:
            elsewhere = declared.elsewhere(outcome.service)
            fixed = _elsewhere(outcome, elsewhere)
            verdicts.append(RouteVerdict(lb, outcome.service, pool, span, fixed, elsewhere))
    return verdicts


def _first_route(service: Service, app: AppModel) -> tuple[str, Span]:
    request = Request("GET", app.first_path, "198.51.100.1", service.https)
    for rule in service.routes:
        if condition_holds(rule.when, request, None, {}):
            return rule.pool, rule.span
    if service.default_pool is not None:
        return service.default_pool.value, service.default_pool.span
    return "", service.span


class _Declared:
    """Persistence on the pools the app path never reaches and on every service of one load
    balancer, found once: a route's share is all of it but its own service's."""

    def __init__(self, lb: LoadBalancer, served: set[str]) -> None:
        pools = [p.span for p in lb.pools if p.name not in served and not p.persistence.empty]
        services = [s for s in lb.services if not s.persistence.empty]
        self.spans = (*pools, *(s.span for s in services))
        self.positions: dict[int, list[int]] = {}
        for position, service in enumerate(services, len(pools)):
            self.positions.setdefault(id(service), []).append(position)

    def elsewhere(self, service: Service) -> Sequence[Span]:
        """Persistence on pools the app path never reaches, and on the other services."""
        return _Without(self.spans, frozenset(self.positions.get(id(service), ())))


class _Without(Sequence[Span]):
    """A shared tuple of spans but some positions, without copying it for every route."""

    __slots__ = ("_skip", "_spans")

    def __init__(self, spans: tuple[Span, ...], skip: frozenset[int]) -> None:
        self._spans = spans
        self._skip = skip

    def __len__(self) -> int:
        return len(self._spans) - len(self._skip)

    @overload
    def __getitem__(self, index: int) -> Span: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Span, ...]: ...

    def __getitem__(self, index: int | slice) -> Span | tuple[Span, ...]:
        if not self._skip:
            return self._spans[index]
        return tuple(self)[index]

    def __iter__(self) -> Iterator[Span]:
        skip = self._skip
        return (span for k, span in enumerate(self._spans) if k not in skip)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _elsewhere(outcome: Outcome, elsewhere: Sequence[Span]) -> Outcome:
    if not elsewhere:
        return outcome
    breaks = []
    for found in outcome.breaks:
        if found.cause.code == "no-persistence" and not _persists(outcome):
            cause = Cause(
                "persistence-elsewhere",
                found.cause.span,
                found.cause.reason + "; the persistence in this configuration applies to "
                "other traffic",
                tuple((span, "persistence the app path never reaches") for span in elsewhere),
            )
            found = found._replace(cause=cause)
        breaks.append(found)
    return outcome._replace(breaks=tuple(breaks))


def _persists(outcome: Outcome) -> bool:
    return bool(outcome.kept_by)
