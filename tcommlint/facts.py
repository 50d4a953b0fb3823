"""The deployment as rules see it: plain maps, lists, strings, numbers and booleans.

Every fact that a rule may point at comes with a ``*loc`` string (``path:line:col``); rules
hand those strings back in ``at`` and ``related`` and never compute positions themselves.
The shape of this view is the rule authors' API: ``schemas/facts.schema.json`` describes it
(``docs/facts.md`` is generated from it) and the tests validate every view against it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from tcommlint.model import Deployment, KeyValueConfig, TomcatConf
from tcommlint.resources import known_keys
from tcommlint.route_facts import route_facts
from tcommlint.source import Located, Span, loc

PARTS = ("proxy", "server", "tomcat", "lb")
# The facts that may be left out of a view (``skip``) when no rule that runs reads them: one map
# per key/value entry, which for a large file costs more than everything else. ``fact_lengths``
# tells how long each would be without building it.
DEFERRABLE = frozenset({"entries"})


def deployment_facts(deployment: Deployment, *, skip: Collection[str] = ()) -> dict[str, Any]:
    """The CEL view of one deployment, without the facts of ``DEFERRABLE`` named in ``skip``."""
    manifest = deployment.manifest
    routes = route_facts(deployment)
    keys = known_keys()
    facts = {
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
        "entries": [] if "entries" in skip else _all_entries(deployment),
        "proxies": [_config(c) for c in deployment.configs if c.role == "proxy"],
        "servers": [_config(c) for c in deployment.configs if c.role == "server"],
        "tomcats": [_tomcat(tomcat, _cookie_paths(deployment)) for tomcat in deployment.tomcats],
        "captcha_files": [
            {"path": f.path, "loc": loc(Span(f.path, 1, 1)), "empty": f.empty}
            for tomcat in deployment.tomcats
            for f in tomcat.captcha_files
        ],
        "app_routes": routes,
        "breaks": [b for route in routes for b in route["breaks"]],
        "outside": [o for route in routes for o in route["outside"]],
        "lb_cookies": [c for route in routes for c in route["lb_cookies"]],
        "inert": [i for route in routes for i in route["inert"]],
        "incomplete": [],
    }
    for name in DEFERRABLE.intersection(skip):
        del facts[name]
    return facts


def fact_lengths(deployment: Deployment) -> dict[str, int]:
    """How many items each fact of ``DEFERRABLE`` holds, counted without building them."""
    return {"entries": sum(len(config.entries) for config in deployment.configs)}


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


def ha_mode(routes: list[dict[str, Any]]) -> str:
    """The HA mode of the pool that serves the app path; ``unknown`` when pools disagree."""
    modes = {route["ha_mode"] for route in routes}
    return modes.pop() if len(modes) == 1 else "unknown"


def _folded(keys: Iterable[str]) -> dict[str, str]:
    """Each key by its lower case (the first in sorted order where two fold alike)."""
    folded: dict[str, str] = {}
    for key in sorted(keys):
        folded.setdefault(key.lower(), key)
    return folded


def _all_entries(deployment: Deployment) -> list[dict[str, Any]]:
    return [entry for config in deployment.configs for entry in _entries(config)]


def _entries(config: KeyValueConfig) -> list[dict[str, Any]]:
    types = known_keys().get(config.role, {})
    seen: dict[str, str] = {}
    last_index = {entry.key.value: index for index, entry in enumerate(config.entries)}
    path, role = config.path, config.role
    result = []
    for index, entry in enumerate(config.entries):
        key = entry.key.value
        key_loc = str(entry.key.span)  # ``loc`` of a span that is never None, inline
        result.append(
            {
                "path": path,
                "role": role,
                "key": key,
                "value": entry.value.value,
                "loc": key_loc,
                "value_loc": str(entry.value.span),
                "type": types.get(key, ""),
                "previous_loc": seen.get(key, ""),
                "last": last_index[key] == index,
            }
        )
        seen[key] = key_loc
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


def _cookie_paths(deployment: Deployment) -> tuple[tuple[str, str], ...]:
    """The load balancers' rewrites of a server cookie's Path, when all of them agree."""
    found = {lb.cookie_paths for lb in deployment.load_balancers}
    return found.pop() if len(found) == 1 else ()


def _browser_path(path: str, rewrites: tuple[tuple[str, str], ...]) -> str:
    """The cookie's Path as the browser gets it, after the load balancer's rewrite."""
    for server, browser in rewrites:
        if path.startswith(server):
            return browser + path[len(server) :]
    return path


def _tomcat(tomcat: TomcatConf, rewrites: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    name, name_loc, name_inherited = _located(tomcat.session_cookie_name)
    cookie_path, cookie_path_loc, _ = _located(tomcat.session_cookie_path)
    if cookie_path:
        cookie_path = _browser_path(cookie_path, rewrites)
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
        # A default is changed in web.xml: point there, or nowhere when there is no web.xml.
        "session_timeout_loc": loc(tomcat.web_xml) if timeout_inherited else timeout_loc,
        "session_timeout_inherited": timeout_inherited,
        "has_config_dir": tomcat.has_config_dir,
    }
