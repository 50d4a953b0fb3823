"""The deployment as rules see it: plain maps, lists, strings, numbers and booleans.

Every fact that a rule may point at comes with a ``*loc`` string (``path:line:col``); rules
hand those strings back in ``at`` and ``related`` and never compute positions themselves.
The shape of this view is the rule authors' API; ``docs/facts.md`` describes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tcommlint.model import Deployment, KeyValueConfig, Persistence, TomcatConf
from tcommlint.resources import known_keys
from tcommlint.source import Located, Span
from tcommlint.topology import AppRoute, app_routes, pool_ha_mode

PARTS = ("proxy", "server", "tomcat", "lb")


def loc(span: Span | None) -> str:
    """The location string of a span ("" when there is none)."""
    return str(span) if span is not None else ""


def deployment_facts(deployment: Deployment) -> dict[str, Any]:
    """The CEL view of one deployment."""
    manifest = deployment.manifest
    routes = [
        route for lb in deployment.load_balancers for route in app_routes(lb, manifest.app_path)
    ]
    keys = known_keys()
    return {
        "name": deployment.name,
        "root": deployment.root,
        "loc": loc(deployment_span(deployment)),
        "app_path": manifest.app_path,
        "session_cookie": manifest.session_cookie,
        "average_session_seconds": manifest.average_session_seconds,
        "expected_ha_mode": manifest.ha_mode or "",
        "manifest_loc": loc(manifest.span),
        "manifest_ha_mode_loc": loc(manifest.span_of("ha_mode")),
        "manifest_proxies_loc": loc(manifest.span_of("proxies")),
        "manifest_proxies": [proxy.address for proxy in manifest.proxies],
        "ha_mode": ha_mode(routes),
        "parts": present_parts(deployment),
        "parse_errors": [
            {"loc": loc(error.span), "path": error.span.path, "reason": error.reason}
            for error in deployment.parse_errors
        ],
        "known_keys": {role: sorted(role_keys) for role, role_keys in keys.items()},
        "folded_keys": {role: _folded(role_keys) for role, role_keys in keys.items()},
        "entries": [entry for config in deployment.configs for entry in _entries(config)],
        "proxies": [_config(c) for c in deployment.configs if c.role == "proxy"],
        "servers": [_config(c) for c in deployment.configs if c.role == "server"],
        "tomcats": [_tomcat(tomcat) for tomcat in deployment.tomcats],
        "captcha_files": [
            {"path": f.path, "loc": loc(Span(f.path, 1, 1)), "empty": f.empty}
            for tomcat in deployment.tomcats
            for f in tomcat.captcha_files
        ],
        "app_routes": [_app_route(route) for route in routes],
        "app_persistences": [
            _in_route(p, route) for route in routes for p in route.persistences if not p.fallback
        ],
        "app_problems": [
            {
                "loc": loc(problem.span),
                "reason": problem.value,
                "service": route.service.name,
                "service_loc": loc(route.service.span),
            }
            for route in routes
            for problem in route.service.problems
        ],
        "incomplete": [],
    }


def deployment_span(deployment: Deployment) -> Span:
    """Where a deployment-level finding points: the manifest, else the first file's line 1."""
    span = deployment.manifest.span
    if span is not None and (deployment.root in (".", "") or span.path.startswith(deployment.root)):
        return span
    paths = sorted(file.path for file in deployment.files)
    return Span(paths[0] if paths else deployment.root, 1, 1)


def present_parts(deployment: Deployment) -> dict[str, bool]:
    """Which parts needed by cross-file rules the deployment has."""
    roles = {config.role for config in deployment.configs}
    return {
        "proxy": "proxy" in roles,
        "server": "server" in roles,
        "tomcat": bool(deployment.tomcats),
        "lb": bool(deployment.load_balancers),
    }


def ha_mode(routes: list[AppRoute]) -> str:
    """The HA mode of the pool that serves the app path; ``unknown`` when pools disagree."""
    modes = {pool_ha_mode(route.pool) for route in routes}
    return modes.pop() if len(modes) == 1 else "unknown"


def _folded(keys: Iterable[str]) -> dict[str, str]:
    """Each key by its lower case (the first in sorted order where two fold alike)."""
    folded: dict[str, str] = {}
    for key in sorted(keys):
        folded.setdefault(key.lower(), key)
    return folded


def _entries(config: KeyValueConfig) -> list[dict[str, Any]]:
    types = known_keys().get(config.role, {})
    seen: dict[str, str] = {}
    last_index = {entry.key.value: index for index, entry in enumerate(config.entries)}
    result = []
    for index, entry in enumerate(config.entries):
        key = entry.key.value
        result.append(
            {
                "path": config.path,
                "role": config.role,
                "key": key,
                "value": entry.value.value,
                "loc": loc(entry.key.span),
                "value_loc": loc(entry.value.span),
                "type": types.get(key, ""),
                "previous_loc": seen.get(key, ""),
                "last": last_index[key] == index,
            }
        )
        seen[key] = loc(entry.key.span)
    return result


def _config(config: KeyValueConfig) -> dict[str, Any]:
    types = known_keys().get(config.role, {})
    settings = {}
    for key, entry in config.effective().items():
        if key not in types:
            continue
        settings[key] = {
            "value": entry.value.value,
            "value_loc": loc(entry.value.span),
            "bool": entry.value.value.lower() == "true",
            "loc": loc(entry.key.span),
            "where": f"{entry.key.span.path}:{entry.key.span.line}",
        }
    return {"path": config.path, "loc": loc(config.header), "settings": settings}


def _located(value: Located[Any] | None, default: Any = "") -> tuple[Any, str, bool]:
    if value is None:
        return default, "", False
    return value.value, loc(value.span), value.inherited


def _tomcat(tomcat: TomcatConf) -> dict[str, Any]:
    name, name_loc, name_inherited = _located(tomcat.session_cookie_name)
    cookie_path, cookie_path_loc, _ = _located(tomcat.session_cookie_path)
    timeout, timeout_loc, timeout_inherited = _located(tomcat.session_timeout_minutes, 30)
    return {
        "root": tomcat.root,
        "loc": loc(tomcat.header),
        "cookie_name": name,
        "cookie_name_loc": name_loc or loc(tomcat.header),
        "cookie_name_inherited": name_inherited,
        "cookie_path": cookie_path,
        "cookie_path_loc": cookie_path_loc or loc(tomcat.header),
        "session_timeout_minutes": timeout,
        "session_timeout_loc": timeout_loc or loc(tomcat.header),
        "session_timeout_inherited": timeout_inherited,
        "has_config_dir": tomcat.has_config_dir,
    }


def persistence_facts(persistence: Persistence) -> dict[str, Any]:
    """The neutral facts of one persistence method."""
    p = persistence
    cookie_name, cookie_name_loc, _ = _located(p.cookie_name)
    lifetime, lifetime_loc, _ = _located(p.lifetime_seconds, None)
    cookie_path, cookie_path_loc, _ = _located(p.cookie_path)
    secure, secure_loc, _ = _located(p.cookie_secure, None)
    http_only, http_only_loc, _ = _located(p.cookie_http_only, None)
    mode, mode_loc, _ = _located(p.mode)
    return {
        "kind": p.kind,
        "keyed_on": p.keyed_on,
        "loc": loc(p.span),
        "cookie_name": cookie_name,
        "cookie_name_loc": cookie_name_loc or loc(p.span),
        "mode": mode,
        "mode_loc": mode_loc or loc(p.span),
        "condition": p.condition,
        "fallback": p.fallback,
        "writes_cookie": p.writes_cookie,
        "own_cookie": p.own_cookie,
        "learns_from_response": p.learns_from_response,
        "lifetime": lifetime,
        "lifetime_loc": lifetime_loc or loc(p.span),
        "lifetime_kind": p.lifetime_kind,
        "cookie_path": cookie_path,
        "cookie_path_loc": cookie_path_loc or loc(p.span),
        "secure": secure,
        "secure_loc": secure_loc or loc(p.span),
        "httponly": http_only,
        "httponly_loc": http_only_loc or loc(p.span),
        "ineffective": p.ineffective,
        "effective": not p.ineffective,
        "related": [loc(span) for span in p.related],
        "notes": list(p.notes),
    }


def _app_route(route: AppRoute) -> dict[str, Any]:
    lb = route.load_balancer
    pool = route.pool
    members = pool.members if pool else ()
    active = [m for m in members if not m.backup and not m.disabled]
    here = {id(p) for p in route.persistences}
    declared = [p for s in lb.services for p in s.persistences]
    declared += [p for pool_ in lb.pools for p in pool_.persistences]
    elsewhere = [p for p in declared if id(p) not in here]
    home = pool.span if (pool is not None and lb.vendor == "haproxy") else route.service.span
    primary = [p for p in route.persistences if not p.fallback]
    return {
        "vendor": lb.vendor,
        "service": route.service.name,
        "service_loc": loc(route.service.span),
        "https": route.service.https,
        "http": route.service.http,
        "pool": route.pool_name,
        "pool_found": pool is not None,
        "pool_loc": loc(pool.span if pool else route.route_span),
        "route_loc": loc(route.route_span),
        "via": route.via,
        "home_loc": loc(home),
        "active_members": len(active),
        "members": [_member_address(m.address, m.port) for m in members if not m.disabled],
        "ha_mode": pool_ha_mode(pool),
        "persistences": [persistence_facts(p) for p in primary],
        "unconditional_persistences": sum(
            1 for p in primary if not p.condition and _per_session(p)
        ),
        "conditions": sorted({p.condition for p in primary if p.condition}),
        "problems": [
            {"loc": loc(problem.span), "reason": problem.value}
            for problem in route.service.problems
        ],
        "other_persistences": [persistence_facts(p) for p in elsewhere],
        "notes": [*route.service.notes, *(pool.notes if pool else ())],
        "undecided_routes": [loc(r.span) for r in route.undecided],
    }


def _per_session(persistence: Persistence) -> bool:
    """Whether the persistence can follow a session (a URL hash without a session id cannot)."""
    return persistence.keyed_on != "url" or persistence.cookie_name is not None


def _learns_elsewhere(persistence: Persistence, route: AppRoute) -> bool:
    """Another persistence of the route already keeps the session: the LB consults it first."""
    return any(
        other is not persistence
        and not other.ineffective
        and not other.fallback
        and other.keyed_on == "cookie"
        and other.learns_from_response
        for other in route.persistences
    )


def _in_route(persistence: Persistence, route: AppRoute) -> dict[str, Any]:
    facts = persistence_facts(persistence)
    facts.update(
        sticky_elsewhere=_learns_elsewhere(persistence, route),
        vendor=route.load_balancer.vendor,
        service=route.service.name,
        service_loc=loc(route.service.span),
        pool=route.pool_name,
        https=route.service.https,
        http=route.service.http,
    )
    return facts


def _member_address(address: str, port: int | None) -> str:
    return f"{address}:{port}" if port is not None else address
