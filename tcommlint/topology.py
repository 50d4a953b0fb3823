"""Which pool serves the application path: routes resolved the way the load balancer does."""

from __future__ import annotations

import re
from typing import NamedTuple

from tcommlint.model import LoadBalancer, Persistence, Pool, Route, Service
from tcommlint.source import Span


class AppRoute(NamedTuple):
    """One service's answer to "where does a request for the app path go?"."""

    load_balancer: LoadBalancer
    service: Service
    pool: Pool | None
    pool_name: str
    route_span: Span  # the route or default-pool line that selected the pool
    via: str  # "route", "default", "listen"
    persistences: tuple[Persistence, ...]  # the service's and the pool's
    undecided: tuple[Route, ...]  # routes before the match whose condition could not be judged


def probe_path(app_path: str) -> str:
    """A representative request under the app path (``/api`` → ``/api/session``)."""
    return app_path.rstrip("/") + "/session"


def route_matches(route: Route, path: str) -> bool | None:
    """Whether the route sends ``path`` to its pool; None when the condition cannot be judged."""
    matched = _match(route, path)
    if matched is None:
        return None
    return matched != route.negate


def _match(route: Route, path: str) -> bool | None:
    if route.match == "always":
        return True
    folded = path if route.case_sensitive else path.lower()
    values = route.values if route.case_sensitive else tuple(v.lower() for v in route.values)
    if route.match == "prefix":
        return any(folded.startswith(value) for value in values)
    if route.match == "exact":
        return folded in values
    if route.match == "dir":
        return any(_dir_match(folded, value) for value in values)
    if route.match == "regex":
        flags = 0 if route.case_sensitive else re.IGNORECASE
        try:
            return any(re.search(value, path, flags) for value in route.values)
        except re.error:
            return None
    return None


def _dir_match(path: str, value: str) -> bool:
    segments = "/" + value.strip("/") + "/"
    return ("/" + path.strip("/") + "/").find(segments) >= 0


def app_routes(load_balancer: LoadBalancer, app_path: str) -> list[AppRoute]:
    """For every service, the pool that serves the app path; services serving none are skipped."""
    path = probe_path(app_path)
    result = []
    for service in load_balancer.services:
        found = _resolve(load_balancer, service, path)
        if found is not None:
            result.append(found)
    return result


def _resolve(load_balancer: LoadBalancer, service: Service, path: str) -> AppRoute | None:
    undecided: list[Route] = []
    for route in service.routes:
        verdict = route_matches(route, path)
        if verdict is None:
            undecided.append(route)
        elif verdict:
            return _app_route(load_balancer, service, route.pool, route.span, "route", undecided)
    if service.default_pool is None:
        return None
    via = "listen" if service.default_pool.value == service.name else "default"
    return _app_route(
        load_balancer,
        service,
        service.default_pool.value,
        service.default_pool.span,
        via,
        undecided,
    )


def _app_route(
    load_balancer: LoadBalancer,
    service: Service,
    pool_name: str,
    span: Span,
    via: str,
    undecided: list[Route],
) -> AppRoute:
    pool = load_balancer.pool(pool_name)
    persistences = service.persistences + (pool.persistences if pool else ())
    return AppRoute(
        load_balancer, service, pool, pool_name, span, via, persistences, tuple(undecided)
    )


def pool_ha_mode(pool: Pool | None) -> str:
    """``active-active`` (two or more active members), ``active-passive`` (one active plus
    standby members) or ``unknown``."""
    if pool is None:
        return "unknown"
    usable = [member for member in pool.members if not member.disabled]
    active = [member for member in usable if not member.backup]
    if len(active) >= 2:
        return "active-active"
    if len(active) == 1 and len(usable) > 1:
        return "active-passive"
    return "unknown"
