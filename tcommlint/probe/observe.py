"""What the exchanges show, as the facts the TC4xx rules read (``deployment`` in their CEL).

A session is kept when every request after the first is answered 2xx by the node that created
it, with the session cookie sent and its value unchanged (at the ``--login`` request the
application may issue a new id, which is the session from then on). The node of a session is
the header ``--node-header`` names, else the jvmRoute suffix of the session id it gets, else the
value of the load balancer's own cookie (``SERVERID``, ``SRV``, ``BIGipServer…``); only the
header is compared request by request (the others appear only in a ``Set-Cookie``).
Locations are ``<target>:<session>:<request>``: a finding points at the session and request.
No cookie value appears in any fact: values are compared, never copied.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tcommlint.cookie_syntax import set_cookie_parts
from tcommlint.har import covers, default_cookie_path, route_of
from tcommlint.probe.client import Exchange
from tcommlint.probe.driver import SessionRun
from tcommlint.probe.options import Options
from tcommlint.records import NamedTuple

LB_COOKIE_NAMES = ("SERVERID", "SRV")
LB_COOKIE_PREFIXES = ("BIGipServer",)
MIN_SPREAD_SESSIONS = 4  # fewer new sessions on one node may be chance


class Judged(NamedTuple):
    """One session, judged."""

    number: int
    kept: bool
    broken_at: int
    reason: str
    node: str
    completed: bool
    sent: int


def target(options: Options) -> str:
    """What locations name: the origin and the app path."""
    return options.origin + options.app_path


def where(options: Options, session: int, request: int = 1) -> str:
    """The location of a request of a session."""
    return f"{target(options)}:{max(session, 1)}:{max(request, 1)}"


def _is_lb_cookie(name: str) -> bool:
    return name in LB_COOKIE_NAMES or name.startswith(LB_COOKIE_PREFIXES)


def _cookies(exchange: Exchange) -> list[tuple[str, str]]:
    parsed = (set_cookie_parts(header) for header in exchange.set_cookies)
    return [(parts.name, parts.value.strip('"')) for parts in parsed if parts.has_equals]


def session_value(exchange: Exchange, name: str) -> str:
    """The value the response sets for the session cookie ("" when it sets none)."""
    return next((value for key, value in _cookies(exchange) if key == name and value), "")


def node_of(exchange: Exchange, options: Options) -> str:
    """The node that answered, as far as the response tells ("" when it does not)."""
    if options.node_header:
        return exchange.header(options.node_header)
    route = route_of(session_value(exchange, options.session_cookie))
    if route:
        return route
    lb = next((value for key, value in _cookies(exchange) if _is_lb_cookie(key)), "")
    return lb.split("|", 1)[0]  # HAProxy ``maxidle``/``maxlife``: ``<server>|<times>``


def judge(run: SessionRun, options: Options) -> Judged:
    """Whether the session kept its node and its id, and where and why it broke."""
    exchanges, cookie = run.exchanges, options.session_cookie
    sent = len(exchanges)
    if not exchanges:
        return Judged(run.number, False, 1, "no request could be sent in time", "", False, 0)
    first = exchanges[0]
    session, node = session_value(first, cookie), node_of(first, options)
    if not 200 <= first.status < 300 or not session:
        reason = f"the first request got {_answer(first)} and no {cookie} cookie"
        return Judged(run.number, False, 1, reason, node, run.completed, sent)
    for number, exchange in enumerate(exchanges[1:], start=2):
        reason = _broken(exchange, options, session, node, number)
        if reason:
            return Judged(run.number, False, number, reason, node, run.completed, sent)
        renewed = session_value(exchange, cookie)
        if renewed and number == 2 and options.login:
            session = renewed
    return Judged(run.number, True, 0, "", node, run.completed, sent)


def _answer(exchange: Exchange) -> str:
    if exchange.status == 0:
        return f"no answer ({exchange.error})"
    if exchange.foreign_redirect:
        return f"{exchange.status}, a redirect to {exchange.foreign_redirect} (not followed)"
    if exchange.no_session:
        return f'{exchange.status} "No Session Found"'
    return str(exchange.status)


def _broken(exchange: Exchange, options: Options, session: str, node: str, number: int) -> str:
    """Why this request shows the session broken ("" when it does not)."""
    cookie = options.session_cookie
    if cookie not in exchange.sent:
        return f"the client no longer sends {cookie} (the cookie's attributes keep it away)"
    if not 200 <= exchange.status < 300:
        return f"request {number} got {_answer(exchange)}"
    # Only a node header names the node of every response; a jvmRoute or LB cookie appears
    # only when set (a new id is caught below; an LB cookie may change without a move, as
    # HAProxy's ``maxidle`` timestamps do).
    served = exchange.header(options.node_header) if options.node_header else ""
    if node and served and served != node:
        return f"request {number} was served by node {served}, the session was created on {node}"
    renewed = session_value(exchange, cookie)
    login = options.login and number == 2
    if renewed and renewed != session and not login:
        hint = _route_change(session, renewed)
        return f"request {number} got a new {cookie}{hint}: the session was lost"
    return ""


def _route_change(old: str, new: str) -> str:
    before, after = route_of(old), route_of(new)
    return f" (jvmRoute .{before} → .{after})" if before and after and before != after else ""


def attributes(runs: tuple[SessionRun, ...], options: Options) -> list[dict[str, Any]]:
    """Problems with the session cookie as the responses set it: a Path that misses the app
    path, no Secure over https, a name that differs from the expected one only by case."""
    found: dict[str, dict[str, Any]] = {}
    cookie = options.session_cookie
    for run in runs:
        for request, exchange in enumerate(run.exchanges, start=1):
            for header in exchange.set_cookies:
                parts = set_cookie_parts(header)
                loc = where(options, run.number, request)
                for kind, message in _attribute_problems(parts, exchange.path, options, cookie):
                    found.setdefault(kind, {"kind": kind, "loc": loc, "message": message})
    return [found[kind] for kind in sorted(found)]


def _attribute_problems(
    parts: Any, request_path: str, options: Options, cookie: str
) -> list[tuple[str, str]]:
    name = parts.name
    if name != cookie and name.lower() == cookie.lower():
        return [
            (
                "name-case",
                f"the response sets a cookie named {name}, not {cookie}: cookie names are "
                f"case-sensitive, so persistence on {cookie} never sees it",
            )
        ]
    if name != cookie:
        return []
    problems = []
    keys = dict(parts.attributes)
    path = keys.get("path") or default_cookie_path(request_path.split("?", 1)[0])
    if not path.startswith("/"):
        path = default_cookie_path(request_path)
    if not covers(path, options.app_path):
        problems.append(
            (
                "path",
                f"{cookie} is set with Path={path}, which does not cover {options.app_path}: "
                f"the browser does not send it to the chat API",
            )
        )
    if options.secure and "secure" not in keys:
        problems.append(
            ("secure", f"{cookie} is set over https without Secure: it may travel in clear text")
        )
    return problems


def spread(judged: list[Judged], ha_mode: str) -> dict[str, Any]:
    """How new sessions spread over the nodes."""
    counts = Counter(j.node for j in judged if j.node)
    return {
        "sessions": sum(counts.values()),
        "distinct": len(counts),
        "nodes": [{"node": node, "sessions": n} for node, n in sorted(counts.items())],
        "text": ", ".join(f"{node}: {n}" for node, n in sorted(counts.items())) or "unknown",
        "expected_ha_mode": ha_mode,
        "min_sessions": MIN_SPREAD_SESSIONS,
    }


def redirects(runs: tuple[SessionRun, ...], options: Options) -> list[dict[str, Any]]:
    """Each other origin a response redirected to (not followed), where first seen."""
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        for request, exchange in enumerate(run.exchanges, start=1):
            if exchange.foreign_redirect:
                loc = where(options, run.number, request)
                found.setdefault(
                    exchange.foreign_redirect, {"origin": exchange.foreign_redirect, "loc": loc}
                )
    return [found[origin] for origin in sorted(found)]


def secrets(runs: tuple[SessionRun, ...]) -> tuple[str, ...]:
    """Every cookie value seen: masked in every output whatever a message says."""
    return tuple(
        sorted(
            {
                value
                for run in runs
                for exchange in run.exchanges
                for _, value in _cookies(exchange)
                if value
            }
        )
    )


def facts(
    runs: tuple[SessionRun, ...],
    options: Options,
    ha_mode: str = "",
    captcha: dict[str, Any] | None = None,
    comparison: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The facts of one probe (schema: ``schemas/probe-facts.schema.json``)."""
    judged = [judge(run, options) for run in runs]
    broken = [j for j in judged if not j.kept]
    return {
        "target": target(options),
        "loc": where(options, 1, 1),
        "scheme": options.scheme,
        "app_path": options.app_path,
        "session_cookie": options.session_cookie,
        "requests_per_session": options.requests,
        "pause_seconds": options.pause,
        "total": options.sessions,
        "played": len(runs),
        "kept": len(judged) - len(broken),
        "broken": len(broken),
        "broken_at_text": f" (at requests {', '.join(str(j.broken_at) for j in broken)})"
        if broken
        else "",
        "cut_short": sum(1 for j in judged if not j.completed) + options.sessions - len(runs),
        "sessions": [
            {
                "number": j.number,
                "loc": where(options, j.number, j.broken_at or 1),
                "kept": j.kept,
                "broken_at": j.broken_at,
                "reason": j.reason,
                "node": j.node,
                "completed": j.completed,
                "after_pause": bool(options.pause) and j.broken_at == options.requests,
            }
            for j in judged
        ],
        "lifetime_text": _lifetime(judged, options),
        "comparison_text": _compared(comparison),
        "spread": spread(judged, ha_mode),
        "attributes": attributes(runs, options),
        "redirects": redirects(runs, options),
        "captcha": captcha or {"checked": False, "loc": where(options, 1, 1)},
        "comparison": comparison or {"checked": False, "loc": where(options, 1, 1)},
    }


def _lifetime(judged: list[Judged], options: Options) -> str:
    """``; after a 5s pause 8 of 10 sessions kept their node`` (only with ``--pause``)."""
    if not options.pause:
        return ""
    before = [j for j in judged if j.kept or j.broken_at == options.requests]
    after = sum(1 for j in before if j.kept)
    return (
        f"; after a {options.pause:g}s pause, {after} of {len(before)} sessions intact until "
        f"then kept their node (persistence lasts {'at least' if after else 'less than'} "
        f"{options.pause:g}s)"
    )


def _compared(comparison: dict[str, Any] | None) -> str:
    if not comparison:
        return ""
    agree = "disagrees" if comparison["disagree"] else "agrees"
    return (
        f"; check on {comparison['deployment']}: {comparison['check_verdict']} "
        f"({agree if comparison['evaluable'] else 'no comparison'})"
    )
