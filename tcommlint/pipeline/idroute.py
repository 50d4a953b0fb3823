"""Route persistence: the server named by the route the application appends to its session id.

As mod_proxy_balancer's ``find_session_route`` does it (httpd 2.4): the URL parameter is
looked for first (``name=`` anywhere in the URL, the value up to ``?`` or ``&``), then the
cookie (the first Cookie header; the name at its start or after ``;``, ``,`` or a blank, then
``=``; the value up to ``;`` or ``,``), both by exact, case-sensitive name. The route is what
follows the first separator (``.``); a value without one has no route. The first usable member
(members that are not hot standby first) whose route is exactly that takes the request. A route
that no usable member has is balanced again, unless failover is off and a member has it (503).
NGINX Plus ``sticky route`` reads the same way. The causes name the member's ``route=`` and the
application's route (Tomcat ``jvmRoute``) when they disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcommlint.pipeline.causes import name_cause
from tcommlint.pipeline.model import IdRoute, Server
from tcommlint.pipeline.outcome import Cause
from tcommlint.pipeline.world import node_of
from tcommlint.source import Span

if TYPE_CHECKING:
    from tcommlint.pipeline.chooser import Chooser


def url_value(url: str, name: str) -> str | None:
    """``get_path_param``: the value of ``name=`` anywhere in the URL."""
    if not name:
        return None
    start = url.find(name)
    while start >= 0:
        after = start + len(name)
        if url[after : after + 1] == "=" and after + 1 < len(url):
            value = url[after + 1 :]
            for delimiter in "?&":
                value = value.split(delimiter, 1)[0]
            return value or None
        start = url.find(name, start + 1)
    return None


def cookie_value(header: str, name: str) -> str | None:
    """``get_cookie_param``: the value of the cookie ``name`` in one Cookie header."""
    start = header.find(name)
    while start >= 0:
        if start == 0 or header[start - 1] in ";, \t":
            rest = header[start + len(name) :].lstrip(" \t")
            if rest.startswith("=") and len(rest) > 1:
                value = rest[1:]
                for delimiter in ";,":
                    value = value.split(delimiter, 1)[0]
                return value
        start = header.find(name, start + 1)
    return None


def route_of(value: str, separator: str) -> str:
    """What follows the first separator ("" when there is none)."""
    if not separator:
        return value
    _, found, route = value.partition(separator)
    return route if found else ""


def read_id_route(chooser: Chooser, rule: IdRoute) -> None:
    """Place the request by the route of its session id, or say why it could not."""
    request = chooser.request
    value = url_value(request.url, rule.url_parameter)
    where = "url"
    if value is None:
        headers = request.values("cookie")
        value = cookie_value(headers[0], rule.cookie.value) if headers else None
        where = "cookie"
    if value is None:
        chooser.misses.append(_absent(chooser, rule))
        return
    route = route_of(value, rule.separator)
    if not route:
        chooser.misses.append(_no_route(chooser, rule, value))
        return
    pool = chooser.pool
    ordered = [s for s in pool.servers if not s.backup] + [s for s in pool.servers if s.backup]
    named = [s for s in ordered if s.route is not None and s.route.value == route]
    usable = [s for s in named if not s.disabled]
    if usable:
        server = usable[0]
        chooser.target, chooser.direct, chooser.decided_by = server, True, where
        chooser.how = f"route {route} of the session id"
        chooser.run.note(rule.span, f"route {route} → {server.name}")
        owner = chooser.session.owner
        if owner and node_of(server) != owner:  # kept requests name no cause: the trace agrees
            chooser.misses.insert(0, _misplaced(chooser, rule, route, named))
        return
    if named and not rule.failover:
        chooser.refused = True
        chooser.misses.append(
            Cause(
                "session-breaks",
                rule.span,
                f"no usable member has route {route} and failover is off: the load balancer "
                "answers 503",
            )
        )
        return
    chooser.misses.append(_unknown_route(chooser, rule, route))


def _absent(chooser: Chooser, rule: IdRoute) -> Cause:
    app = chooser.run.app
    if chooser.session.losses:
        return chooser.session.losses[-1]  # a header edit took the id away on its way
    what = f"'{rule.text}'"
    found = name_cause(rule.cookie.value, app, rule.cookie.span, what)
    if found is not None:
        return found
    if rule.cookie.value == app.session_cookie:
        return Cause(
            "session-breaks",
            rule.span,
            f"{what} reads the {rule.cookie.value} cookie, which this request does not carry",
        )
    return Cause(
        "ineffective",
        rule.cookie.span,
        f"{what} reads the cookie '{rule.cookie.value}' and the URL parameter "
        f"'{rule.url_parameter}', which neither the application nor the load balancer sets",
    )


def _no_route(chooser: Chooser, rule: IdRoute, value: str) -> Cause:
    related = _route_related(chooser, chooser.session.owner)
    return Cause(
        "ineffective",
        rule.span,
        f"'{rule.text}' needs a route after '{rule.separator}' in the session id, but "
        f"'{value[:40]}' has none: the application appends no route (Tomcat's "
        "<Engine jvmRoute> is not set)",
        related,
    )


def _unknown_route(chooser: Chooser, rule: IdRoute, route: str) -> Cause:
    """The session's route names no member: the member of the node whose Tomcat jvmRoute is
    that route (the owner's when no node's is), and where the jvmRoute is set."""
    node = _node_with_route(chooser, route) or chooser.session.owner
    member = _member_of(chooser, node)
    related = _route_related(chooser, node)
    if member is not None and member.route is None:
        return Cause(
            "ineffective",
            member.span,
            f"{member.name} has no route=, so the route '{route}' of its sessions (Tomcat "
            f"jvmRoute) names no member of {chooser.pool.name}",
            related,
        )
    if member is not None and member.route is not None:
        text = (
            f"{member.name} has route={member.route.value}, but the sessions its node creates "
            f"end in '.{route}' (Tomcat jvmRoute '{route}'): no member of {chooser.pool.name} "
            "has that route"
        )
        if member.route.value.lower() == route.lower():
            text += " (routes are compared case-sensitively)"
        twins = [s for s in _named(chooser, member.route.value) if s is not member]
        if twins:
            other = twins[0]
            other_span = other.route.span if other.route is not None else other.span
            text += (
                f"; route={member.route.value} is also that of {other.name} "
                f"({_where(other_span, member.route.span)})"
            )
            related = ((other_span, f"route={member.route.value} of {other.name}"), *related)
        return Cause("ineffective", member.route.span, text, related)
    return Cause(
        "ineffective",
        rule.span,
        f"the session id's route '{route}' names no member of {chooser.pool.name}",
        related,
    )


def _misplaced(chooser: Chooser, rule: IdRoute, route: str, named: list[Server]) -> Cause:
    """The route names a member, but not the one of the node that holds the session: two
    members share the route, or two Tomcats share the jvmRoute, or the route is another's."""
    if len(named) > 1:
        return _duplicate(route, named)
    owner = chooser.session.owner
    index = chooser.run.world.node_order.get(owner)
    app = chooser.run.app
    if index is not None and app.route_of(index) == route:
        nodes = _nodes_with_route(chooser, route)
        spans = [_route_span(chooser, node) for node in nodes]
        located = [span for span in spans if span is not None]
        if len(nodes) > 1 and len(located) > 1:
            first, second = located[0], located[1]
            return Cause(
                "ineffective",
                second,
                f"Tomcat jvmRoute '{route}' is set on two nodes ({first.path}:{first.line} and "
                f"{second.path}:{second.line}): the sessions of both end in '.{route}' and "
                f"all go to {named[0].name}, the member with route={route}",
                ((first, f"Tomcat jvmRoute '{route}' of the other node"),),
            )
    return Cause(
        "ineffective",
        named[0].route.span if named[0].route is not None else rule.span,
        f"the session id's route '{route}' names {named[0].name}, not the member of the node "
        "that holds the session",
        _route_related(chooser, owner),
    )


def _duplicate(route: str, named: list[Server]) -> Cause:
    first, second = named[0], named[1]
    span = second.route.span if second.route is not None else second.span
    first_span = first.route.span if first.route is not None else first.span
    return Cause(
        "ineffective",
        span,
        f"{second.name} has the same route={route} as {first.name} "
        f"({_where(first_span, span)}): a route used by two members sends every session "
        f"with that route to {first.name}",
        ((first_span, f"route={route} of {first.name}"),),
    )


def _where(span: Span, beside: Span) -> str:
    """``line N`` in the same file as ``beside``, else ``path:line``."""
    if span.path == beside.path:
        return f"line {span.line}"
    return f"{span.path}:{span.line}"


def _named(chooser: Chooser, route: str) -> list[Server]:
    return [s for s in chooser.pool.servers if s.route is not None and s.route.value == route]


def _nodes_with_route(chooser: Chooser, route: str) -> list[str]:
    """The nodes whose Tomcat jvmRoute is ``route``, in member order."""
    app = chooser.run.app
    if not route or not app.jvm_routes:
        return []
    order = chooser.run.world.node_order
    return [node for node, index in order.items() if app.route_of(index) == route]


def _node_with_route(chooser: Chooser, route: str) -> str:
    nodes = _nodes_with_route(chooser, route)
    return nodes[0] if nodes else ""


def _route_span(chooser: Chooser, node: str) -> Span | None:
    app = chooser.run.app
    index = chooser.run.world.node_order.get(node)
    if index is None or not app.route_spans:
        return None
    return app.route_spans[index % len(app.route_spans)]


def _member_of(chooser: Chooser, owner: str) -> Server | None:
    for server in chooser.pool.servers:
        if node_of(server) == owner:
            return server
    return None


def _route_related(chooser: Chooser, owner: str) -> tuple[tuple[Span, str], ...]:
    span = _route_span(chooser, owner)
    index = chooser.run.world.node_order.get(owner)
    if span is None or index is None:
        return ()
    route = chooser.run.app.route_of(index)
    return ((span, f"Tomcat jvmRoute {route!r} of the node that created the session"),)
