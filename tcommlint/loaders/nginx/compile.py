"""An nginx configuration compiled into the pipeline model, in nginx's processing order.

Every ``server`` block of ``http`` is a service: the chat's host name is not known, so each is
judged as the block nginx would pick for it (a block that only redirects or answers is left
out by the simulation when another serves the app path). In a server: the server-level
rewrite-phase directives (``return``, ``rewrite``, ``if``) in order, then the location nginx
selects (``locations.py``), its own rewrite phase, then its content handler: ``proxy_pass``
sends the request to a pool, anything else answers without the application.
``proxy_set_header``, ``proxy_hide_header``, ``add_header`` and the ``proxy_cookie_*``
directives are inherited from the enclosing level only when a level has none of its own
(ngx_http_proxy_merge_loc_conf, ngx_http_headers_merge_conf). Where a location edits the
request or response on its way to an upstream, the location gets its own copy of the pool
(``<upstream> for location …``) holding those edits, so that they apply to that location only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from tcommlint.loaders.nginx.cache import cache_steps
from tcommlint.loaders.nginx.families import OTHER_HANDLERS, OUTSIDE
from tcommlint.loaders.nginx.ifs import RoutingIf, all_of, if_steps, none_of, routing_ifs
from tcommlint.loaders.nginx.locations import (
    Location,
    all_locations,
    conditions,
    location_text,
)
from tcommlint.loaders.nginx.maps import VariableMap, maps_by_variable
from tcommlint.loaders.nginx.reader import Directive, Word
from tcommlint.loaders.nginx.refusals import refusals
from tcommlint.loaders.nginx.rewrites import breaks as _breaks
from tcommlint.loaders.nginx.rewrites import rewrite_step
from tcommlint.loaders.nginx.streams import StreamLevel
from tcommlint.loaders.nginx.tree import Node, Tree, effective
from tcommlint.loaders.nginx.unknown import unknown_variables
from tcommlint.loaders.nginx.upstreams import error_at, span_of, upstream_pool
from tcommlint.loaders.nginx.variables import template_of, variables_in
from tcommlint.model import ParseError
from tcommlint.pipeline.model import (
    ALWAYS,
    Answer,
    Balance,
    Condition,
    HeaderEdit,
    LoadBalancer,
    Opaque,
    Pool,
    Retry,
    Server,
    Service,
    SetPath,
    Step,
    Table,
    UsePool,
)
from tcommlint.source import Located, Span

_MAPPED = re.compile(r"https?://\$(?:\{(\w+)\}|(\w+))", re.IGNORECASE)
_URL = re.compile(
    r"^(?P<scheme>[A-Za-z]+)://(?P<host>\[[^\]]*\]|[^/:$]*|\$\{?\w+\}?)(?::(?P<port>\d+))?(?P<uri>.*)$"
)


class _Compiler:
    """One configuration's pools and services."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.errors: list[ParseError] = []
        self.tables: list[Table] = []
        self.pools: dict[str, Pool] = {}
        self.upstreams: dict[str, str] = {}  # lower-cased name → name
        self.http: list[Node] = []
        self.http_levels: dict[str, Node] = {}  # the http level, by the file of a server
        self.maps: dict[str, VariableMap] = {}  # by the variable each defines
        self.assigned: set[str] = set()  # the variables a ``set`` assigns

    def compile(self) -> LoadBalancer:
        self.http = _http_level(self.tree)
        for node in self.http:
            if node.name == "upstream" and node.args:
                self._upstream(node)
        self.maps = maps_by_variable(self.http)
        self.assigned = _assigned(self.tree.nodes)
        services = [
            self._service(node, index)
            for index, node in enumerate(self.http)
            if node.name == "server"
        ]
        if self.tree.context in ("server", "location"):
            services.append(self._service(_synthetic_server(self.tree), 0))
        stream = StreamLevel(set(self.pools), self.errors, self.tables)
        services.extend(stream.compile(_stream_level(self.tree)))
        return LoadBalancer(
            vendor="nginx",
            paths=tuple(self.tree.files),
            services=tuple(services),
            pools=(*self.pools.values(), *stream.pools.values()),
            tables=tuple(self.tables),
            notes=(*self.tree.notes, *stream.notes),
            cookie_mentions=_cookie_mentions(self.tree.nodes),
            persistence_at="pool",
        )

    # -- upstreams

    def _upstream(self, node: Node) -> None:
        name = node.args[0]
        if name.lower() in self.upstreams:
            self.errors.append(error_at(node, f'duplicate upstream "{name}"'))
            return
        self.upstreams[name.lower()] = name
        self.pools[name] = upstream_pool(node, self.errors, self.tables, self.tree.plus)

    def _implicit_pool(self, node: Node, host: str, port: int | None, https: bool) -> str | None:
        """``proxy_pass http://host:port`` naming no upstream: a pool of that one server."""
        name = host if port is None else f"{host}:{port}"
        if name in self.pools:
            return name
        if not _resolvable(host):
            self.errors.append(error_at(node, f'host not found in upstream "{name}"'))
            return None
        port = port if port is not None else (443 if https else 80)
        server = Server(name, host, port, span_of(node), node=f"{host}:{port}")
        balance = Balance(Located("roundrobin", span_of(node), True, "one server"))
        self.pools[name] = Pool(name, span_of(node), (server,), balance)
        return name

    # -- services

    def _service(self, server: Node, index: int) -> Service:
        listens = [n.args for n in server.all("listen") if n.args]
        binds = tuple(args[0] for args in listens) or ("*:80",)
        https = any("ssl" in args[1:] for args in listens)
        names = [name for n in server.all("server_name") for name in n.args]
        title = f"server {' '.join(names) or '_'} ({binds[0]}, {span_of(server)})"
        steps: list[Step] = list(_rewrite_phase(server, ALWAYS))
        routes: list[UsePool] = []
        located = all_locations(server)
        chosen = conditions(located)
        named = {loc.pattern: loc for loc in located if loc.modifier == "@"}
        for location, when in chosen:
            if location.modifier == "@":
                continue
            ifs = self._routing_ifs(location.node)
            steps.extend(_rewrite_phase(location.node, when, ifs))
            target = _fallback(location, named, when, steps)
            if target is None:
                continue
            if target is not location:
                ifs = self._routing_ifs(target.node)
                steps.extend(_rewrite_phase(target.node, when, ifs))
            routes.extend(self._location(server, target, when, steps, ifs))
        return Service(
            name=title,
            span=span_of(server),
            https=https,
            binds=binds,
            request_steps=tuple(steps),
            routes=tuple(routes),
            notes=(f"listens on {', '.join(binds)}",),
        )

    def _location(
        self,
        server: Node,
        location: Location,
        when: Condition,
        steps: list[Step],
        ifs: list[RoutingIf],
    ) -> list[UsePool]:
        """The routes of a location, its routing ``ifs`` first."""
        node = location.node
        levels = [*self._levels(server), *location.parents, node]
        text = location_text(location)
        passes = node.all("proxy_pass")
        handler = next((c for c in node.children if c.name in OTHER_HANDLERS), None)
        otherwise = none_of(when, tuple(routing.term for routing in ifs))
        if not passes:
            if not node.all("return"):
                what = f"'{handler.name}'" if handler else "its own files (no proxy_pass)"
                steps.append(
                    Answer(
                        "static",
                        404 if handler is None else 200,
                        span_of(node),
                        f"{text}: nginx answers with {what}",
                        otherwise,
                    )
                )
            routes = self._if_routes(ifs, location, levels, when)
            if routes:
                # nginx answers the other requests itself (the step above); this route, which
                # names no pool, only tells the simulation that the location serves the app
                routes.append(UsePool("", span_of(node), text, otherwise, "location", (text,)))
            return routes
        proxy = passes[-1]
        if "internal" in {c.name for c in node.children}:
            steps.append(Answer("internal", 404, span_of(node), f"{text} is internal", when))
            return []
        target = self._target(proxy, location)
        if target is None:
            return []
        pool_name, uri = target
        route_text = f"{text} {{ {proxy.directive.text} }}"
        routes = self._if_routes(ifs, location, levels, when)
        if pool_name == "":
            mapped = self._map_routes(proxy, location, levels, otherwise, steps)
            if mapped:
                steps.extend(cache_steps(levels, when))
                return [*routes, *mapped]
            if mapped is None:
                why = "the upstream is computed from variables"
                if self.tree.context != "main" and "$" not in proxy.args[0]:
                    why = "the upstream is defined outside this file"
                steps.append(_opaque(proxy, why, when))
            # the location still serves the app path: the route makes the session meet the step
            return [UsePool("", span_of(node), route_text, when, "location", (proxy.args[0],))]
        pool_name = self._handled(pool_name, location, levels, uri, proxy)
        steps.extend(cache_steps(levels, when))
        return [*routes, UsePool(pool_name, span_of(node), route_text, otherwise, "location")]

    def _handled(
        self, pool_name: str, location: Location, levels: list[Node], uri: str, proxy: Node
    ) -> str:
        """The pool a location's proxy_pass sends to, with the location's edits and retries."""
        node = location.node
        edits = [*_breaks(node), *_request_edits(levels, location, uri, proxy)]
        responses = _response_edits(levels)
        retry = _retry(levels)
        if edits or responses or retry:
            text = location_text(location)
            pool_name = self._variant(pool_name, text, node, edits, responses, retry)
        return pool_name

    # -- routes computed per request: ``if`` blocks and maps (the jvmRoute recipes)

    def _routing_ifs(self, node: Node) -> list[RoutingIf]:
        return routing_ifs(node, self._upstream_named)

    def _upstream_named(self, url: str) -> str | None:
        """The upstream a ``proxy_pass`` URL names with no port and no URI part, else None."""
        match = _URL.match(url)
        if match is None or match.group("scheme").lower() not in ("http", "https"):
            return None
        if match.group("port") is not None or match.group("uri"):
            return None
        return self.upstreams.get(match.group("host").lower())

    def _if_routes(
        self, ifs: list[RoutingIf], location: Location, levels: list[Node], when: Condition
    ) -> list[UsePool]:
        """The routes of a location's ifs: the last one whose condition holds serves."""
        routes: list[UsePool] = []
        for routing in reversed(ifs):
            inner = [*levels, routing.node]
            pool = self._handled(routing.upstream, location, inner, "", routing.proxy)
            text = f"{location_text(location)} {{ {routing.node.directive.text} {{ … }} }}"
            condition = all_of(when, (routing.term,))
            routes.append(UsePool(pool, span_of(routing.proxy), text, condition, "location"))
        return routes

    def _map_routes(
        self,
        proxy: Node,
        location: Location,
        levels: list[Node],
        when: Condition,
        steps: list[Step],
    ) -> list[UsePool] | None:
        """``proxy_pass http://$var`` where a map gives ``$var`` the name of an upstream: one
        route per entry, in the map's order of precedence (nginx: "the server name is searched
        among the described server groups"). Where the model cannot follow the map, an
        ``Opaque`` step at its line, and no route; None where no map gives ``$var``."""
        match = _MAPPED.fullmatch(proxy.args[0])
        found = self.maps.get((match.group(1) or match.group(2)).lower()) if match else None
        if found is None:
            return None
        problem, node = found.problem, found.at or found.node
        if found.variable in self.assigned:
            problem = f"'set ${found.variable}' changes the value the map gives"
        for entry in () if problem else found.entries:
            if entry.value.lower() not in self.upstreams:
                named = f"'{entry.value}' names" if entry.value else "an empty value names"
                problem = (
                    f"{named} no upstream: nginx resolves it as a host at run time (with a "
                    "'resolver'), outside the model"
                )
                node = entry.node
                break
        if problem:
            steps.append(_opaque(node, problem, when))
            return []
        routes: list[UsePool] = []
        for entry in found.entries:
            upstream = self.upstreams[entry.value.lower()]
            pool = self._handled(upstream, location, levels, "", proxy)
            where = f"{location_text(location)} {{ {proxy.directive.text} }}"
            text = f"{where} ({entry.node.directive.text})"
            routes.append(
                UsePool(pool, span_of(entry.node), text, all_of(when, entry.terms), "location")
            )
        return routes

    def _levels(self, server: Node) -> list[Node]:
        path = server.directive.path
        if path not in self.http_levels:  # made once: its directives are indexed once
            self.http_levels[path] = Node(_synthetic("http", path), "main", tuple(self.http))
        return [self.http_levels[path], server]

    def _target(self, proxy: Node, location: Location) -> tuple[str, str] | None:
        """The pool a ``proxy_pass`` names ("" when computed) and its URI part."""
        url = proxy.args[0]
        match = _URL.match(url)
        if match is None or match.group("scheme").lower() not in ("http", "https"):
            if url.startswith("$"):
                return "", ""
            self.errors.append(error_at(proxy, f'invalid URL prefix in "{url}"'))
            return None
        host, port, uri = match.group("host"), match.group("port"), match.group("uri")
        if "$" in host or variables_in(host):
            return "", ""
        computed = "$" in url  # nginx then finds the upstream at run time, or resolves the host
        if uri and not computed and location.modifier in ("~", "~*", "@"):
            self.errors.append(
                error_at(
                    proxy,
                    '"proxy_pass" cannot have URI part in location given by regular expression, '
                    'or inside named location, or inside "if" statement, or inside '
                    '"limit_except" block',
                )
            )
            return None
        upstream = self.upstreams.get(host.lower())
        if upstream is not None:
            if port is not None:
                self.errors.append(error_at(proxy, f'upstream "{host}" may not have port {port}'))
                return None
            return upstream, uri
        https = match.group("scheme").lower() == "https"
        if (computed or self.tree.context != "main") and not _resolvable(host.strip("[]")):
            return "", ""  # looked up at run time, or an upstream of the unknown main file
        name = self._implicit_pool(proxy, host.strip("[]"), int(port) if port else None, https)
        return (name, uri) if name is not None else None

    def _variant(
        self,
        base: str,
        text: str,
        node: Node,
        edits: list[Step],
        responses: list[Step],
        retry: Retry | None = None,
    ) -> str:
        pool = self.pools[base]
        name = f"{base} for {text} ({span_of(node)})"
        self.pools[name] = pool._replace(
            name=name,
            request_steps=(*edits, *pool.request_steps),
            response_steps=(*responses, *pool.response_steps),
            retry=retry,
        )
        return name


# --- the http level -------------------------------------------------------------------------


def _synthetic(name: str, path: str, line: int = 1) -> Directive:
    return Directive(Word(name, line, 1), (), (), path, line)


def _http_level(tree: Tree) -> list[Node]:
    if tree.context == "main":
        return [child for node in tree.nodes if node.name == "http" for child in node.children]
    if tree.context == "http":
        return list(tree.nodes)
    return []


def _stream_level(tree: Tree) -> list[Node]:
    if tree.context == "main":
        return [child for node in tree.nodes if node.name == "stream" for child in node.children]
    return []


def _synthetic_server(tree: Tree) -> Node:
    """A fragment meant for a ``server`` (or a ``location``: then inside ``location /``)."""
    first = tree.nodes[0].directive if tree.nodes else None
    line = first.name.line if first else 1
    nodes = tree.nodes
    if tree.context == "location":
        location = Directive(Word("location", line, 1), (Word("/", line, 1),), (), tree.path, line)
        nodes = (Node(location, "server", nodes),)
    return Node(_synthetic("server", tree.path, line), "http", nodes)


def _resolvable(host: str) -> bool:
    """Whether nginx would resolve the host at start-up: an address, ``localhost``, a socket;
    a dotted name is taken to resolve, a single label naming no upstream is not."""
    if host.startswith("unix:") or host.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return True


def _assigned(nodes: Sequence[Node]) -> set[str]:
    """The variables (lower case, without ``$``) some ``set`` assigns, anywhere."""
    found: set[str] = set()
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if node.name == "set" and node.args:
            found.add(node.args[0].removeprefix("$").strip("{}").lower())
        pending.extend(node.children)
    return found


def _opaque(node: Node, why: str, when: Condition) -> Opaque:
    return Opaque(f"'{node.directive.text}': {why}", span_of(node), node.directive.text, when)


def _rewrite_phase(level: Node, when: Condition, routing: Sequence[RoutingIf] = ()) -> list[Step]:
    """A server's or location's rewrite-phase directives and third-party directives;
    ``routing``: the location's ifs that are routes."""
    routes = {id(item.node) for item in routing}
    steps: list[Step] = []
    for node in level.children:
        if node.name == "return":
            steps.append(_return(node, when))
        elif node.name == "rewrite":
            step = rewrite_step(node, when)
            if step is not None:
                steps.append(step)
        elif node.name == "if":
            steps.extend(if_steps(node, when, id(node) in routes))
        elif node.name in OUTSIDE:
            steps.append(_opaque(node, OUTSIDE[node.name], when))
        elif node.foreign:
            steps.append(_opaque(node, "a directive of a third-party module", when))
    return steps


def _fallback(
    location: Location, named: dict[str, Location], when: Condition, steps: list[Step]
) -> Location | None:
    """The location whose content handler serves the request: the location itself, or the
    named location its ``try_files`` ends with. ``try_files`` tries files first; the chat's
    API paths are taken not to be files on the load balancer (an assumption), so the request
    goes to the last parameter: ``@name``, or ``=code``; a URI there searches the locations
    again, outside the model."""
    node = location.node
    tries = node.all("try_files")
    if not tries or node.all("proxy_pass"):
        return location
    last = tries[-1]
    fallback = last.args[-1] if last.args else ""
    if fallback.startswith("@") and fallback in named:
        return named[fallback]
    if fallback.startswith("=") and fallback[1:].isdigit():
        steps.append(Answer("return", int(fallback[1:]), span_of(last), last.directive.text, when))
        return None
    steps.append(_opaque(last, "jumps to another location (an internal redirect)", when))
    return None


def _return(node: Node, when: Condition) -> Answer:
    first = node.args[0] if node.args else ""
    status = int(first) if first.isdigit() else 302
    kind = "redirect" if status in (301, 302, 303, 307, 308) else "return"
    return Answer(kind, status, span_of(node), node.directive.text, when)


def _retry(levels: Sequence[Node]) -> Retry | None:
    """``proxy_next_upstream … http_404`` (the innermost level's): a node that answers 404 —
    the chat's "No Session Found" — makes nginx try the next one, so the session's node may
    answer after all; a POST only with ``non_idempotent``; at most
    ``proxy_next_upstream_tries`` servers (0: all). ``proxy_next_upstream_timeout`` is not
    modelled: a retry on 404 is as quick as the first try."""
    found = effective(levels, "proxy_next_upstream")
    if not found or "http_404" not in found[-1].args:
        return None
    node = found[-1]
    tries_nodes = effective(levels, "proxy_next_upstream_tries")
    tries_text = tries_nodes[-1].args[0] if tries_nodes and tries_nodes[-1].args else "0"
    tries = int(tries_text) if tries_text.isdigit() else 0
    non_idempotent = "non_idempotent" in node.args
    return Retry(span_of(node), node.directive.text, non_idempotent, tries)


def _request_edits(levels: Sequence[Node], location: Location, uri: str, proxy: Node) -> list[Step]:
    edits: list[Step] = []
    if uri and not variables_in(uri):
        edits.append(_set_path(location, uri, proxy))
    elif uri and uri not in ("$request_uri", "$uri$is_args$args"):
        edits.append(_opaque(proxy, "the URI sent is computed", ALWAYS))
    passing = effective(levels, "proxy_pass_request_headers")
    if passing and passing[-1].args[:1] == ("off",):
        node = passing[-1]
        edits.append(HeaderEdit("del", "cookie", span_of(node), node.directive.text))
    for node in effective(levels, "proxy_set_header"):
        if len(node.args) == 2 and node.args[0].lower() == "cookie":
            edits.extend(_header_value(node, "cookie", "set", node.args[1]))
    return edits


def _set_path(location: Location, uri: str, proxy: Node) -> SetPath:
    """``proxy_pass`` with a URI: the part of the path that matched the location is replaced."""
    text = proxy.directive.text
    if location.modifier == "=":
        return SetPath(uri, span_of(proxy), text)
    pattern = "^" + re.escape(location.pattern) + "(.*)$"
    return SetPath(uri.replace("\\", "\\\\") + "\\1", span_of(proxy), text, pattern=pattern)


def _header_value(node: Node, header: str, action: str, value: str) -> list[Step]:
    span, text = span_of(node), node.directive.text
    if value == "":
        return [HeaderEdit("del", header, span, text)] if action == "set" else []
    if value.lower() == "$http_cookie" and header == "cookie":
        return []
    if not variables_in(value):
        return [HeaderEdit(action, header, span, text, value=value)]
    template = template_of(value)
    return [HeaderEdit(action, header, span, text, dynamic=True, template=template or ())]


def _response_edits(levels: Sequence[Node]) -> list[Step]:
    edits: list[Step] = []
    for node in effective(levels, "proxy_hide_header"):
        if node.args and node.args[0].lower() == "set-cookie":
            edits.append(HeaderEdit("del", "set-cookie", span_of(node), node.directive.text))
    for node in effective(levels, "proxy_cookie_path"):
        edits.extend(_cookie_attribute(node, "path"))
    for node in effective(levels, "proxy_cookie_flags"):
        edits.extend(_cookie_flags(node))
    for node in effective(levels, "proxy_cookie_domain"):
        edits.extend(_cookie_attribute(node, "domain"))
    for node in effective(levels, "add_header"):
        if len(node.args) >= 2 and node.args[0].lower() == "set-cookie":
            edits.extend(_header_value(node, "set-cookie", "add", node.args[1]))
    return edits


def _cookie_flags(node: Node) -> list[Step]:
    """``proxy_cookie_flags NAME flag…`` (1.19.3): ``secure`` adds Secure to the cookie NAME (in
    any case), ``nosecure`` removes it; the others (``httponly``, ``samesite=…``) do not change
    when a browser sends the cookie back. A regex name (``~``) is outside the model."""
    args = node.args
    if args[:1] == ("off",) or len(args) < 2:
        return []
    name, flags = args[0], args[1:]
    span, text = span_of(node), node.directive.text
    if name.startswith("~") or variables_in(name):
        return [_opaque(node, "changes the flags of cookies chosen by a pattern", ALWAYS)]
    edits: list[Step] = []
    head = f"(?i)^({re.escape(name)}=[^;]*)"
    if "secure" in flags:
        edits.append(
            HeaderEdit(
                "replace-header",
                "set-cookie",
                span,
                text,
                value="\\1\\2; Secure",
                pattern=head + "(.*)$",
            )
        )
    if "nosecure" in flags:
        edits.append(
            HeaderEdit(
                "replace-header",
                "set-cookie",
                span,
                text,
                value="\\1\\2\\3",
                pattern=head + "(.*?)(?:;\\s*secure)(.*)$",
            )
        )
    return edits


def _cookie_attribute(node: Node, attribute: str) -> list[Step]:
    """``proxy_cookie_path /from/ /to/``: a Path attribute (its name in any case) whose value
    starts with ``from`` IN THE SAME CASE has that part replaced (``ngx_rstrncmp`` in
    ``ngx_http_proxy_rewrite_complex_handler``; only the regex form ``~*`` ignores case: blind
    trial 34, ``/API`` left ``Path=/api`` alone). ``proxy_cookie_domain from to``: a Domain
    attribute equal to ``from`` in any case, after one leading dot, becomes ``to``
    (``ngx_http_proxy_rewrite_domain_handler``). ``off`` does nothing; regexes and variables
    are outside the model."""
    args = node.args
    if args[:1] == ("off",) or len(args) != 2:
        return []
    source, target = args
    if source.startswith("~") or variables_in(source) or variables_in(target):
        return [_opaque(node, f"rewrites the {attribute} of Set-Cookie by a pattern", ALWAYS)]
    if attribute == "domain":
        pattern = f"^(.*;\\s*(?i:domain)=\\.?)(?i:{re.escape(source)})(\\s*(?:;.*)?)$"
    else:
        pattern = f"^(.*;\\s*(?i:{attribute})=){re.escape(source)}(.*)$"
    value = "\\1" + target.replace("\\", "\\\\") + "\\2"
    return [
        HeaderEdit(
            "replace-header",
            "set-cookie",
            span_of(node),
            node.directive.text,
            value=value,
            pattern=pattern,
        )
    ]


_COOKIE_VARIABLE = re.compile(r"\$\{?(?:upstream_)?cookie_([A-Za-z0-9_]+)", re.IGNORECASE)


def _cookie_mentions(nodes: Sequence[Node]) -> tuple[tuple[str, Span], ...]:
    """Every cookie name written: ``$cookie_X`` variables and ``sticky cookie`` names."""
    found: list[tuple[str, Span]] = []
    pending = list(reversed(nodes))
    while pending:
        node = pending.pop()
        pending.extend(reversed(node.children))
        words = node.directive.args
        if node.name == "sticky" and len(words) > 1 and words[0].text == "cookie":
            found.append((words[1].text, Span(node.directive.path, words[1].line, words[1].column)))
        for word in words:
            for match in _COOKIE_VARIABLE.finditer(word.text):
                found.append((match.group(1), Span(node.directive.path, word.line, word.column)))
    return tuple(found)


def compile_tree(tree: Tree) -> tuple[LoadBalancer, list[ParseError]]:
    """The pipeline one configuration describes, and what nginx would refuse it for."""
    compiler = _Compiler(tree)
    lb = compiler.compile()
    refused = refusals(tree.path, tree.context, tree.nodes)
    return lb, [*refused, *compiler.errors, *unknown_variables(tree)]
