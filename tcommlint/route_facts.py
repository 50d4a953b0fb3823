"""The simulated verdict of every route, as the plain maps rules read (``app_routes``).

A route is one load-balancer service that serves the app path. Its breaks are listed once per
cause and line (the first scenario that shows it); each names what the client saw, why, and the
line to change. Directives outside the model make the route ``not-evaluable`` (TC008).
"""

from __future__ import annotations

from typing import Any

from tcommlint.durations import human_duration
from tcommlint.model import Deployment
from tcommlint.pipeline.balance import candidates
from tcommlint.pipeline.describe import describe_persistence
from tcommlint.pipeline.model import LbCookie, LoadBalancer, Pool, Service
from tcommlint.pipeline.outcome import Break
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.source import Span, loc
from tcommlint.stickiness import RouteVerdict, app_model, route_verdicts

_SEVERITY = {"tomcat-pause": "warning"}


def route_facts(deployment: Deployment) -> list[dict[str, Any]]:
    """One map per route, in load-balancer and service order."""
    app = app_model(deployment)
    indexes: dict[int, _Index] = {}
    routes = []
    for verdict in route_verdicts(deployment):
        lb = verdict.load_balancer
        index = indexes.get(id(lb))
        if index is None:
            index = indexes[id(lb)] = _Index(lb)
        routes.append(_route(verdict, app, index))
    return routes


class _Index:
    """What every route of one load balancer looks up, indexed once."""

    def __init__(self, lb: LoadBalancer) -> None:
        self.tables = {table.name: table for table in lb.tables}
        self.mentions: dict[str, list[Span]] = {}
        for name, span in lb.cookie_mentions:
            self.mentions.setdefault(name, []).append(span)


def ha_mode_of(pool: Pool | None) -> str:
    """``active-active`` (two or more servers take balanced traffic), ``active-passive`` (one,
    with standby servers) or ``unknown``."""
    if pool is None:
        return "unknown"
    active = candidates(pool)
    usable = [server for server in pool.servers if not server.disabled]
    if len(active) >= 2:
        return "active-active"
    if len(active) == 1 and len(usable) > 1:
        return "active-passive"
    return "unknown"


def _route(verdict: RouteVerdict, app: AppModel, index: _Index) -> dict[str, Any]:
    lb, service, pool, outcome = (
        verdict.load_balancer,
        verdict.service,
        verdict.pool,
        verdict.outcome,
    )
    pool_name = pool.name if pool is not None else ""
    key = f"{service.name}/{pool_name}"
    servers = pool.servers if pool is not None else ()
    tables = index.tables
    context = {
        "service": service.name,
        "pool": pool_name,
        "vendor": lb.vendor,
        "assumption": lb.assumption,
        "route_loc": loc(verdict.route_span),
    }
    cookie = _lb_cookie(service.persistence.cookie or (pool.persistence.cookie if pool else None))
    if cookie is not None:
        cookie.update(context, https=service.https, key=f"{key}/cookie")
    return {
        **context,
        "service_loc": loc(service.span),
        "https": service.https,
        "http": service.http,
        "pool_found": pool is not None,
        "pool_loc": loc(pool.span if pool is not None else verdict.route_span),
        "home_loc": loc(pool.span if pool is not None else service.span),
        "active_members": len(candidates(pool)) if pool is not None else 0,
        "members": [_address(s.address, s.port) for s in servers if not s.disabled],
        "ha_mode": ha_mode_of(pool),
        "verdict": outcome.verdict,
        "persistence": [
            *describe_persistence(service.persistence, tables),
            *(describe_persistence(pool.persistence, tables) if pool is not None else []),
        ],
        "kept_by": list(outcome.kept_by),
        "client_address_loc": loc(_client_address_span(service, pool) or service.span),
        "client_address_detail": _client_address_detail(pool),
        "breaks": _breaks(outcome.breaks, context, key, app, lb, index),
        "outside": [
            {**context, "loc": loc(o.span), "reason": o.reason, "text": o.text, "key": key}
            for o in outcome.outside
        ],
        "lb_cookies": [cookie] if cookie is not None else [],
        "inert": [
            {**context, "loc": loc(item.span), "reason": item.reason, "key": f"{key}/inert"}
            for item in service.inert
        ],
    }


def _breaks(
    breaks: tuple[Break, ...],
    context: dict[str, Any],
    key: str,
    app: AppModel,
    lb: LoadBalancer,
    index: _Index,
) -> list[dict[str, Any]]:
    assumption, mentions = lb.assumption, index.mentions
    seen: set[tuple[str, str]] = set()
    found = []
    for item in breaks:
        cause = item.cause
        identity = (cause.code, loc(cause.span))
        if identity in seen:
            continue
        seen.add(identity)
        assumed = "; ".join(part for part in (assumption, item.assumption) if part)
        found.append(
            {
                **context,
                "cause": cause.code,
                "loc": loc(cause.span),
                "reason": cause.reason,
                "related": [{"at": loc(span), "message": text} for span, text in cause.related],
                "scenario": item.scenario,
                "when": _when(item.scenario, app) + (f" (when {assumed})" if assumed else ""),
                "request": item.request,
                "seen": item.seen,
                "severity": _SEVERITY.get(item.scenario, "error"),
                "key": f"{key}/{cause.code}",
                "cookie_name": cause.cookie,
                "mentions": [loc(span) for span in mentions.get(cause.cookie, ())],
            }
        )
    return found


def _when(scenario: str, app: AppModel) -> str:
    """The scenario in words, as a finding tells it."""
    if scenario == "concurrent":
        return f"with {app.concurrent_sessions} concurrent sessions"
    if scenario == "pause":
        return f"after an idle pause of {human_duration(app.average_session_seconds)}"
    if scenario == "tomcat-pause":
        idle = human_duration(app.tomcat_timeout_seconds)
        return f"after an idle pause of {idle} (within the Tomcat session-timeout)"
    if scenario == "login":
        return "when the session id changes at login"
    if scenario == "url-id":
        return "when the session id travels in the URL"
    return "in a chat session"


def _lb_cookie(cookie: LbCookie | None) -> dict[str, Any] | None:
    if cookie is None:
        return None
    secure = cookie.secure.value if cookie.secure is not None else False
    http_only = cookie.httponly.value if cookie.httponly is not None else False
    return {
        "name": cookie.name.value,
        "name_loc": loc(cookie.name.span),
        "mode": cookie.mode.value,
        "mode_loc": loc(cookie.mode.span),
        "own": cookie.mode.value == "insert",
        "loc": loc(cookie.span),
        "path": cookie.path.value if cookie.path is not None else "/",
        "path_loc": loc(cookie.path.span if cookie.path is not None else cookie.span),
        "secure": secure,
        "secure_loc": loc(cookie.secure.span if cookie.secure is not None else cookie.span),
        "httponly": http_only,
        "httponly_loc": loc(cookie.httponly.span if cookie.httponly is not None else cookie.span),
    }


def _client_address_span(service: Service, pool: Pool | None) -> Span | None:
    """The directive that keeps sessions by client address (a stick rule on src, balance)."""
    rules = service.persistence.stick_rules + (pool.persistence.stick_rules if pool else ())
    for rule in rules:
        if rule.key.fetch == "src":
            return rule.span
    if pool is None:
        return None
    key = pool.balance.key
    return pool.balance.algorithm.span if key is not None and key.fetch == "src" else None


def _client_address_detail(pool: Pool | None) -> str:
    """What of the client address a balance algorithm hashes, when the vendor narrows it (nginx
    ``ip_hash``: the first three octets), else ""."""
    return pool.balance.narrowing if pool is not None else ""


def _address(address: str, port: int | None) -> str:
    return f"{address}:{port}" if port is not None else address
