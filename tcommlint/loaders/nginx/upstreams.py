"""``upstream`` blocks → pools: servers, the balancing method and NGINX Plus ``sticky``.

Read from the manuals (ngx_http_upstream_module, ngx_http_upstream_hash/ip_hash/random/
least_conn) and ``ngx_http_upstream_server``: a server takes ``weight=`` (not 0),
``max_conns=``, ``max_fails=``, ``fail_timeout=``, ``backup``, ``down``; NGINX Plus adds
``route=``, ``slow_start=``, ``resolve``, ``service=``, ``drain``. A balancing method other
than round robin and ``least_conn`` clears the ``backup`` flag, so a ``backup`` server after
``hash``/``ip_hash``/``random`` is refused ("balancing method does not support parameter").
Round robin is weighted; ``ip_hash`` keys on the first three octets of an IPv4 client address;
``hash`` with an empty key value falls back to round robin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tcommlint.durations import nginx_seconds
from tcommlint.loaders.nginx.tree import Node, plus_only
from tcommlint.loaders.nginx.variables import single_sample, variables_in
from tcommlint.model import ParseError
from tcommlint.pipeline.model import (
    Balance,
    LbCookie,
    Opaque,
    Persistence,
    Pool,
    Sample,
    Server,
    StickRule,
    Table,
)
from tcommlint.source import Located, Span

_BALANCERS = ("ip_hash", "hash", "random", "least_conn", "least_time")
_NO_BACKUP = frozenset({"ip_hash", "hash", "random"})
_PLUS_PARAMETERS = ("route=", "slow_start=", "service=", "resolve", "drain")
# NGINX Plus ``sticky learn zone=name:size``: how many sessions a zone holds is not a setting.
# Decision: 4000 per megabyte, the figure nginx.org gives for its 64-bit platforms' shared
# zones of sessions, in proportion to the size (the real count depends on the id's length).
SESSIONS_PER_MEGABYTE = 4000
_SIZE = re.compile(r"^(\d+)([kKmM]?)$")


def span_of(node: Node) -> Span:
    """Where a directive's name is."""
    return node.directive.span


def error_at(node: Node, reason: str) -> ParseError:
    """A refusal at the line nginx reports (the directive's ``;`` or ``{``)."""
    directive = node.directive
    line = directive.end_line
    column = directive.name.column if line == directive.name.line else 1
    return ParseError(Span(directive.path, line, column), reason)


def upstream_pool(
    node: Node, errors: list[ParseError], tables: list[Table], plus: bool = False
) -> Pool:
    """One ``upstream`` block as a pool (``plus``: NGINX Plus's server parameters exist)."""
    name = node.args[0] if node.args else ""
    steps: list[Opaque] = []
    servers = list(_servers(node, errors, plus))
    balance = _balance(node, steps, errors)
    persistence = Persistence()
    for sticky in node.all("sticky"):
        if sticky.foreign:  # a third-party module's (nginx-sticky-module-ng): opaque below
            continue
        persistence = _sticky(sticky, name, servers, tables, steps)
    for other in node.children:
        if other.foreign:
            steps.append(_opaque(other, "a third-party directive in the upstream"))
    notes = tuple(f"{span_of(n)}: NGINX Plus '{n.name}'" for n in node.children if n.plus)
    return Pool(
        name=name,
        span=span_of(node),
        servers=tuple(servers),
        balance=balance,
        request_steps=tuple(steps),
        persistence=persistence,
        notes=notes,
    )


def _opaque(node: Node, why: str) -> Opaque:
    return Opaque(f"'{node.directive.text}': {why}", span_of(node), node.directive.text)


def _servers(node: Node, errors: list[ParseError], plus: bool) -> Iterable[Server]:
    method = ""
    seen: dict[str, int] = {}
    for child in node.children:
        if child.name in _BALANCERS:
            method = child.name
        if child.name != "server" or not child.args:
            continue
        server = _server(child, method, errors, plus)
        if server is not None:
            count = seen.get(server.name, 0)
            seen[server.name] = count + 1
            yield server._replace(name=f"{server.name}#{count + 1}") if count else server


def _server(node: Node, method: str, errors: list[ParseError], plus: bool) -> Server | None:
    address = node.args[0]
    host, port = _host_port(address)
    weight, backup, down = 1, False, False
    maxconn: int | None = None
    route: Located[str] | None = None
    for word in node.directive.args[1:]:
        value = word.text
        key, _, number = value.partition("=")
        if key == "weight" and number.isdigit() and int(number) > 0:
            weight = int(number)
        elif key in ("max_fails", "max_conns") and number.isdigit():
            maxconn = int(number) if key == "max_conns" and int(number) else maxconn
        elif key == "fail_timeout" and nginx_seconds(number) is not None:
            pass
        elif value == "backup":
            if method in _NO_BACKUP:
                reason = f'balancing method does not support parameter "{value}"'
                errors.append(error_at(node, reason))
                return None
            backup = True
        elif value == "down":
            down = True
        elif value.startswith(_PLUS_PARAMETERS) and not plus:
            errors.append(error_at(node, plus_only(f'invalid parameter "{value}"')))
            return None
        elif key == "route" and number:
            route = Located(number, Span(node.directive.path, word.line, word.column))
        elif value.startswith(_PLUS_PARAMETERS):
            continue
        else:
            errors.append(error_at(node, f'invalid parameter "{value}"'))
            return None
    return Server(
        name=address,
        address=host,
        port=port,
        span=span_of(node),
        weight=weight,
        backup=backup,
        disabled=down,
        maxconn=maxconn,
        node=address if port is None else f"{host}:{port}",
        route=route,
    )


def _host_port(address: str) -> tuple[str, int | None]:
    if address.startswith("unix:"):
        return address, None
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        return host, int(rest[1:]) if rest[1:].isdigit() else 80
    host, _, port = address.rpartition(":")
    if host and port.isdigit():
        return host, int(port)
    return address, 80


def _balance(node: Node, steps: list[Opaque], errors: list[ParseError]) -> Balance:
    chosen: Node | None = None
    for child in node.children:
        if child.name in _BALANCERS:
            chosen = child
    if chosen is None:
        return Balance(Located("roundrobin", span_of(node), True, "nginx's default round robin"))
    span = span_of(chosen)
    if chosen.name == "least_conn":
        return Balance(Located("leastconn", span))
    if chosen.name in ("random", "least_time"):
        return Balance(Located(chosen.name, span))
    if chosen.name == "ip_hash":
        # One simulated client has one address: its /24 network is what nginx hashes.
        narrowing = (
            "ip_hash hashes only the first three octets of an IPv4 address, so a whole /24 "
            "network goes to one server"
        )
        key = Sample("src", text=narrowing)
        return Balance(Located("source", span), key, "map-based", "ip_hash", narrowing)
    text = chosen.directive.text
    consistent = chosen.args[1:2] == ("consistent",)
    if len(chosen.args) > 1 and not consistent:
        errors.append(error_at(chosen, f'invalid parameter "{chosen.args[1]}"'))
    hashed = single_sample(chosen.args[0])
    if hashed is None:
        steps.append(_opaque(chosen, "the hash key is computed outside the model"))
        return Balance(Located("hash", span))
    key_type = "consistent" if consistent else "map-based"
    return Balance(Located("hash", span), hashed._replace(text=text), key_type, text)


def _sticky(
    node: Node, pool: str, servers: list[Server], tables: list[Table], steps: list[Opaque]
) -> Persistence:
    kind = node.args[0] if node.args else ""
    if kind == "cookie" and len(node.args) > 1:
        return Persistence(cookie=_sticky_cookie(node, servers))
    if kind == "learn":
        rules = _sticky_learn(node, pool, tables)
        if rules:
            return Persistence(stick_rules=rules)
    steps.append(_opaque(node, "this form of sticky is outside the model"))
    return Persistence()


def _word_span(node: Node, index: int) -> Span:
    word = node.directive.args[index]
    return Span(node.directive.path, word.line, word.column)


def _sticky_cookie(node: Node, servers: list[Server]) -> LbCookie:
    """``sticky cookie name [expires=time] [domain=] [httponly] [secure] [path=]``: nginx adds
    the cookie (its value a hash of the server) to the first response of an unplaced client."""
    span = span_of(node)
    path: Located[str] | None = None
    max_age: Located[int] | None = None
    domain = ""
    secure: Located[bool] | None = None
    httponly: Located[bool] | None = None
    for index, word in enumerate(node.directive.args[2:], start=2):
        key, _, value = word.text.partition("=")
        where = _word_span(node, index)
        if key == "expires":
            seconds = 315360000 if value == "max" else nginx_seconds(value)
            max_age = Located(seconds, where) if seconds is not None else None
        elif key == "path":
            path = Located(value, where)
        elif key == "domain":
            domain = value
        elif key == "secure":
            secure = Located(True, where)
        elif key == "httponly":
            httponly = Located(True, where)
    for index, server in enumerate(servers):
        # the value names the server: its route= when it has one, else an MD5 of its address
        named = server.route or Located(f"md5({server.node})", server.span, True)
        servers[index] = server._replace(cookie=named)
    return LbCookie(
        name=Located(node.args[1], _word_span(node, 1)),
        mode=Located("insert", _word_span(node, 0)),
        span=span,
        path=path,
        domain=domain,
        encoded=True,
        secure=secure,
        httponly=httponly,
        max_age=max_age,
    )


def _zone_entries(size: str) -> int | None:
    match = _SIZE.match(size)
    if match is None:
        return None
    number, unit = int(match.group(1)), match.group(2).lower()
    size_bytes = number * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    return max(1, size_bytes * SESSIONS_PER_MEGABYTE // (1024 * 1024))


def _sticky_learn(node: Node, pool: str, tables: list[Table]) -> tuple[StickRule, ...]:
    """``sticky learn create=$upstream_cookie_X lookup=$cookie_X zone=name:size
    [timeout=10m]``: a session is learned from the response's cookie and looked up in the
    request's; an entry lives ``timeout`` (10 minutes by default) after it was last used."""
    creates: list[tuple[Sample, Span]] = []
    lookups: list[tuple[Sample, Span]] = []
    zone, size, timeout = "", "", Located[int | None](600, span_of(node), True, "default 10m")
    for index, word in enumerate(node.directive.args[1:], start=1):
        key, _, value = word.text.partition("=")
        where = _word_span(node, index)
        if key in ("create", "lookup"):
            sample = single_sample(value)
            if sample is None or sample.fetch not in ("req.cook", "res.cook"):
                return ()
            (creates if key == "create" else lookups).append((sample, where))
        elif key == "zone":
            zone, _, size = value.partition(":")
        elif key == "timeout":
            seconds = nginx_seconds(value)
            timeout = Located[int | None](seconds, where)
    if not creates or not lookups or not zone or variables_in(zone):
        return ()
    name = f"zone {zone}"
    if all(t.name != name for t in tables):
        tables.append(Table(name, span_of(node), size=_zone_entries(size), expire=timeout))
    text = node.directive.text
    rules = [
        StickRule("store-response", sample, name, span_of(node), text, where)
        for sample, where in creates
    ]
    rules += [
        StickRule("match", sample, name, span_of(node), text, where) for sample, where in lookups
    ]
    return tuple(rules)
