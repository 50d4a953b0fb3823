"""An httpd configuration compiled into the pipeline model, in httpd's processing order.

Each ``<VirtualHost>`` is a service (the main server is one when there is no virtual host);
it inherits the main server's directives. A request first meets mod_rewrite (its
translate_name hook runs first: redirects, forbidden, ``[P]`` proxying), then mod_proxy's
``proxy_trans``: the ``ProxyPass`` of the ``<Location>`` sections that match (the last one
merged wins, ``<LocationMatch>`` and regex locations merged after the others), then the
server's ``ProxyPass``/``ProxyPassMatch`` lines in configuration order, the main server's
before the virtual host's; ``ProxyPass … !`` stops proxying (httpd then serves the path
itself). A prefix matches whole path segments (``alias_match``). Responses pass
``ProxyPassReverseCookiePath`` and the ``Header`` edits of Set-Cookie; requests the
``RequestHeader`` edits of Cookie.

Directives that can change the path, the cookies or the server choice and that the model
does not read are ``Opaque`` (``OUTSIDE``, ``OUTSIDE_MODULES``, a ``no-proxy`` variable, the
routing directives of mod_jk and mod_cluster). Every other directive of httpd's modules cannot,
and is ignored on purpose: logging (mod_log_config, mod_logio), TLS (mod_ssl, mod_md), HTTP/2,
MIME types and charsets, compression and body filters (mod_deflate, mod_brotli, mod_substitute,
mod_sed, mod_proxy_html), expiry, directory listings, local files and CGI, authentication and
access control (mod_auth*, mod_authn*, mod_authz*; they answer a client without credentials,
not a session), timeouts and limits, client address (mod_remoteip), headers other than Cookie
and Set-Cookie, and mod_proxy's other settings (``ProxyPassReverse`` rewrites only Location
headers; timeouts, ``ProxyPreserveHost``, ``ProxyErrorOverride``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence

from tcommlint.cookie_syntax import set_cookie_attributes
from tcommlint.loaders.apache.balancers import (
    Balancers,
    balancer_name,
    collect,
    is_balancer,
    pool_of,
    value_of,
)
from tcommlint.loaders.apache.directives import spec, third_party
from tcommlint.loaders.apache.reader import Node, Word
from tcommlint.pipeline.model import (
    Answer,
    Balance,
    Condition,
    HeaderEdit,
    LbCookie,
    LoadBalancer,
    Opaque,
    Pool,
    Server,
    Service,
    SetPath,
    SetVar,
    Step,
    Term,
    Test,
    UsePool,
)
from tcommlint.pipeline.regex import bounded
from tcommlint.source import Located, Span

# Directives of standard modules that act on the request path, cookies or server choice in
# ways the model does not follow.
OUTSIDE = {
    "rewritemap": "RewriteMap computes rewrites from an external map",
    "proxypassinterpolateenv": "ProxyPass values computed from environment variables",
    "proxyremote": "requests forwarded to another proxy",
    "proxyremotematch": "requests forwarded to another proxy",
    "luahookfixups": "a Lua hook may change the request",
    "luahooktranslatename": "a Lua hook may change the request path",
    "luahookaccesschecker": "a Lua hook may answer the request",
    "luahookcheckuserid": "a Lua hook may answer the request",
    "luahookauthchecker": "a Lua hook may answer the request",
    "luahookinsertfilter": "a Lua hook may change the request",
    "luaoutputfilter": "a Lua filter may change the response",
    "luainputfilter": "a Lua filter may change the request",
    "luamaphandler": "a Lua handler may answer the request",
    "luaquickhandler": "a Lua handler may answer the request",
    "cacheenable": "mod_cache may answer the request itself, with a stored response",
    "proxyexpressenable": "mod_proxy_express maps hosts to backends from a DBM file",
    "rewriteoptions": "RewriteOptions changes which rewrite rules apply",
}
# Modules whose every directive may act on the request in ways the model does not follow.
OUTSIDE_MODULES = {"lua": "a Lua script may change the request or answer it"}
# Setting this variable stops mod_proxy for the request (proxy_trans: httpd serves it itself).
_NO_PROXY = re.compile(r"(?i)(?:^|[\s,])!?no-proxy\b")
_SETS_ENV = frozenset(
    {"setenv", "setenvif", "setenvifnocase", "setenvifexpr", "browsermatch", "browsermatchnocase"}
)
MODELLED = frozenset(
    {
        "proxypass",
        "proxypassmatch",
        "proxypassreversecookiepath",
        "header",
        "requestheader",
        "rewriteengine",
        "rewriterule",
        "rewritecond",
        "redirect",
        "redirectmatch",
        "redirectpermanent",
        "redirecttemp",
    }
)
LOCATION_SECTIONS = frozenset({"location", "locationmatch"})
RUNTIME_SECTIONS = frozenset({"if", "elseif", "else"})


class _Scope:
    """The directives of one service, main server's first, with the location they sit in."""

    def __init__(self) -> None:
        self.items: list[tuple[Node, Test | None]] = []
        self.locations: list[tuple[Node, Test, bool]] = []  # (section, test, regex)
        self.opaque: list[Opaque] = []  # runtime sections that touch what the model reads


def compile_apache(
    paths: Sequence[str],
    nodes: Sequence[Node],
    notes: Sequence[str],
    full: bool = False,
    modules: frozenset[str] = frozenset(),
) -> LoadBalancer:
    """The load balancer one configuration (with its includes) describes."""
    balancers = Balancers()
    collect(nodes, balancers)
    main = [node for node in nodes if node.key != "virtualhost"]
    hosts = [node for node in nodes if node.key == "virtualhost" and node.children is not None]
    services: list[Service] = []
    pools: dict[str, Pool] = {}
    for decl in balancers.by_name.values():
        pools[decl.name] = pool_of(decl)
    # A whole configuration without mod_proxy_balancer: nothing handles balancer:// (the
    # request fails; apache2 -t says Syntax OK).
    compiler = _Compiler(pools, balancers, not full or "proxy_balancer" in modules)
    if not hosts:
        span = nodes[0].span if nodes else Span(paths[0], 1, 1)
        services.append(compiler.service("main server", span, (), main))
    for host in hosts:
        name = " ".join(host.values()) or "_default_"
        server_name = next((n for n in host.children or () if n.key == "servername"), None)
        if server_name is not None and server_name.args:
            name = f"{server_name.args[0].text} ({name})"
        children = [*main, *(host.children or ())]
        services.append(compiler.service(name, host.span, host.values(), children))
    cookies = compiler.lb_cookies
    final_pools = tuple(
        _with_cookie(pool, cookies.get(pool.name)) for pool in compiler.pools.values()
    )
    mentions = tuple(
        (pool.persistence.id_route.cookie.value, pool.persistence.id_route.cookie.span)
        for pool in final_pools
        if pool.persistence.id_route is not None
    )
    return LoadBalancer(
        vendor="apache",
        paths=tuple(paths),
        services=tuple(services),
        pools=final_pools,
        notes=tuple(notes) + tuple(compiler.notes),
        cookie_mentions=mentions,
        cookie_paths=_reverse_cookie_paths(nodes),
    )


class _Compiler:
    def __init__(self, pools: dict[str, Pool], balancers: Balancers, balancer_module: bool) -> None:
        self.pools = pools
        self.balancer_module = balancer_module
        self.mappings = 0  # ProxyPass path mappings made so far (their variables' names)
        self.balancers = balancers
        self.notes: list[str] = []
        self.lb_cookies: dict[str, LbCookie] = {}

    def service(
        self, name: str, span: Span, binds: Iterable[str], nodes: Sequence[Node]
    ) -> Service:
        scope = _Scope()
        _flatten(nodes, None, scope)
        https = any(
            node.key == "sslengine" and node.values()[:1] == ["on"]
            for node, _ in scope.items
            if node.values()
        ) or any(bind.endswith(":443") for bind in binds)
        request: list[Step] = []
        response: list[Step] = []
        scoped: dict[int, Test] = {}
        markers: list[Step] = []

        def on_response(where: Test | None) -> Test | None:
            """A response step of a <Location>: the location is decided on the request (a
            response rule cannot read the request's path), remembered in a variable."""
            if where is None:
                return None
            if id(where) not in scoped:
                name = f"apache.location.{len(scoped) + 1}"
                scoped[id(where)] = Test("var", "found", name=name, text=f"path {where.text}")
                markers.append(
                    SetVar(name, ("1",), span, f"<Location {where.text}>", True, _when(where))
                )
            return scoped[id(where)]

        entries: list[tuple[Test, str, Node]] = []  # (path test, pool or "!", directive)
        location_entries: list[tuple[Test, str, Node, bool]] = []
        rewritten: list[tuple[Test, str, Node]] = []  # RewriteRule [P]: before mod_proxy
        rewrite_on = False
        conds: list[Node] = []
        for node, where in scope.items:
            key = node.key
            if key == "rewriteengine":
                rewrite_on = bool(node.args) and node.args[0].text.lower() == "on"
            elif key == "rewritecond":
                conds.append(node)
            elif key == "rewriterule":
                if rewrite_on:
                    self._rewrite(node, where, conds, request, rewritten)
                conds = []
            elif key in ("proxypass", "proxypassmatch"):
                entry = self._proxy_pass(node, where)
                if entry is None:
                    continue
                if where is not None:
                    location_entries.append((*entry, False))
                else:
                    entries.append(entry)
            elif key in ("redirect", "redirectmatch", "redirectpermanent", "redirecttemp"):
                step = _redirect(node, where)
                if step is not None:
                    request.append(step)
            elif key == "header":
                response.extend(self._header(node, on_response(where)))
            elif key == "requestheader":
                request.extend(_request_header(node, where))
            elif key == "proxypassreversecookiepath":
                edit = _cookie_path(node, on_response(where))
                if edit is not None:
                    response.append(edit)
            elif key in OUTSIDE:
                request.append(Opaque(OUTSIDE[key], node.span, _text(node), _when(where)))
            elif key in _SETS_ENV and _NO_PROXY.search(node.raw):
                reason = "the no-proxy variable stops proxying where it is set"
                request.append(Opaque(reason, node.span, _text(node), _when(where)))
            elif _module_of(node) in OUTSIDE_MODULES:
                reason = OUTSIDE_MODULES[_module_of(node)]
                request.append(Opaque(reason, node.span, _text(node), _when(where)))
            else:
                found = third_party(node.name)
                if found is not None and found[1]:
                    request.append(
                        Opaque(
                            f"{node.name} ({found[0]}) can send the request elsewhere",
                            node.span,
                            _text(node),
                            _jk_when(node, where),
                            serves=not node.key.startswith("jkunmount"),
                        )
                    )
        # mod_rewrite's translate_name runs before mod_proxy's (proxy_trans names it first).
        ordered = rewritten + _location_order(location_entries, scope) + entries
        routes, answers = _routes(ordered)
        chosen = self._backend_paths(ordered)
        return Service(
            name=name,
            span=span,
            https=https,
            binds=tuple(binds),
            request_steps=(*markers, *chosen, *scope.opaque, *request, *answers),
            routes=tuple(routes),
            response_steps=tuple(response),
        )

    def _backend_paths(self, entries: list[tuple[Test, str, Node]]) -> list[Step]:
        """``ProxyPass /chat balancer://chat/api`` sends /chat/x to the member as /api/x: a
        path rewrite in the pool, after routing, for the requests this entry takes (marked on
        the request by a variable, first match as httpd looks). Tomcat answers and sets its
        cookie's Path as it sees the path (its Context path)."""
        markers: list[Step] = []
        earlier: list[Test] = []
        for test, pool, node in entries:
            front_back = _front_back(node, test)
            target = self.pools.get(pool)
            if front_back is not None and target is not None:
                front, back = front_back
                self.mappings += 1
                name = f"apache.proxypass.{self.mappings}"
                when = _first_match(test, earlier)
                markers.append(SetVar(name, ("1",), node.span, _text(node), True, when))
                chosen = Test("var", "found", name=name, text=f"{front} is proxied to {back}")
                rewrite = SetPath(
                    back.replace("\\", "\\\\") + "\\g<1>",
                    node.span,
                    _text(node),
                    pattern="^" + re.escape(front) + "(.*)$",
                    when=Condition(((Term((chosen,)),),), text=chosen.text),
                )
                self.pools[pool] = target._replace(request_steps=(*target.request_steps, rewrite))
            earlier.append(test)
        return markers

    def _proxy_pass(self, node: Node, where: Test | None) -> tuple[Test, str, Node] | None:
        words = list(node.args)
        regex = node.key == "proxypassmatch"
        if words and words[0].text == "~":
            regex, words = True, words[1:]
        if where is not None:
            test = where
            target = words[0].text if words else ""
        else:
            if len(words) < 2:
                return None
            path, target = words[0].text, words[1].text
            test = _regex_test(path) if regex else _prefix_test(path)
        if target == "!":
            return test, "!", node
        if any(w.text.lower() == "interpolate" for w in words):
            return test, "?interpolate", node
        if is_balancer(target):
            if not self.balancer_module:
                return test, "?nomodule:" + balancer_name(target), node
            return test, balancer_name(target), node
        return test, self._direct_pool(target, node), node

    def _direct_pool(self, url: str, node: Node) -> str:
        """A ProxyPass to one server: a pool of one, without persistence."""
        match = re.match(r"^[a-z0-9+.-]+://([^/]+)", url, re.IGNORECASE)
        host = match.group(1) if match else url
        name = f"{url.split('://', 1)[0]}://{host}" if match else url
        if name not in self.pools:
            address, _, port = host.rpartition(":") if ":" in host else (host, "", "")
            server = Server(
                name=name,
                address=address or host,
                port=int(port) if port.isdigit() else None,
                span=node.span,
                node=host,
            )
            self.pools[name] = Pool(name, node.span, (server,), Balance(Located("none", node.span)))
        return name

    def _rewrite(
        self,
        node: Node,
        where: Test | None,
        conds: list[Node],
        request: list[Step],
        entries: list[tuple[Test, str, Node]],
    ) -> None:
        words = node.values()
        if len(words) < 2:
            return
        pattern, target = words[0], words[1]
        flags = {
            f.strip().upper().split("=")[0]
            for f in (words[2].strip("[]").split(",") if len(words) > 2 else [])
        }
        negate = pattern.startswith("!")
        if conds or where is not None or negate or not bounded(pattern):
            request.append(
                Opaque(
                    "a RewriteRule with conditions the model does not follow",
                    node.span,
                    _text(node),
                )
            )
            return
        test = Test("path", "regex", values=(pattern,), text=pattern)
        when = Condition((((Term((test,)),)),), text=f"path matches {pattern}")
        if "F" in flags or "G" in flags:
            status = 403 if "F" in flags else 410
            request.append(Answer("rewrite", status, node.span, _text(node), when))
        elif "R" in flags:
            request.append(Answer("redirect", 302, node.span, _text(node), when))
        elif "P" in flags and "://" in target:
            host = target.split("/", 3)[2] if target.count("/") >= 2 else target
            if any(mark in host for mark in "$%"):  # a RewriteMap or a back-reference
                entries.append((test, "?computed", node))
            elif is_balancer(target):
                entries.append((test, balancer_name(target), node))
            else:
                entries.append((test, self._direct_pool(target, node), node))
        elif target != "-":
            request.append(
                Opaque("RewriteRule changes the request path", node.span, _text(node), when)
            )

    def _header(self, node: Node, where: Test | None) -> list[Step]:
        """``Header [onsuccess|always] action Set-Cookie …``. A proxied response's own headers
        are in the ``onsuccess`` table: ``always`` adds to the other table (``set`` there does
        not replace the backend's cookie) and its ``unset``/``edit`` never see them
        (mod_headers; observed with apache2)."""
        words = node.values()
        always = bool(words) and words[0].lower() == "always"
        if words and words[0].lower() in ("always", "onsuccess"):
            words = words[1:]
        if len(words) < 2:
            return []
        action, header = words[0].lower(), words[1].lower()
        if header != "set-cookie":
            return []
        values, condition, when = _header_arguments(words[2:], where)
        text = _text(node)
        value = values[0] if values else ""
        if always and action in ("unset", "edit", "edit*"):
            self.notes.append(
                f"{node.span}: '{text}' acts on the 'always' table, which does not hold the "
                "backend's Set-Cookie: it changes nothing the application sends"
            )
            return []
        if always and action == "set":
            action = "add"
        if action == "unset":
            return [HeaderEdit("del", "set-cookie", node.span, text, when=when)]
        if "%{balancer_worker_route}e" in value.lower() and self._route_cookie(
            node, value, condition
        ):
            return []
        if action in ("edit", "edit*") and len(values) >= 2 and "%{" not in values[1]:
            if not bounded(values[0]):
                reason = "an edit pattern that may not run in bounded time"
                return [Opaque(reason, node.span, text, when)]
            replacement = re.sub(r"\$(\d)", r"\\g<\1>", values[1].replace("\\", "\\\\"))
            kind = "substitute" if action == "edit" else "substitute-all"
            return [
                HeaderEdit(
                    kind,
                    "set-cookie",
                    node.span,
                    text,
                    value=replacement,
                    pattern=values[0],
                    when=when,
                )
            ]
        if "%{" in value or action in ("append", "merge", "echo", "edit", "edit*"):
            reason = f"Header {action} Set-Cookie with a value the model does not compute"
            return [Opaque(reason, node.span, text, when)]
        if action in ("set", "add"):
            return [HeaderEdit(action, "set-cookie", node.span, text, value=value, when=when)]
        return []

    def _route_cookie(self, node: Node, value: str, condition: list[str]) -> bool:
        """``Header add Set-Cookie "ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/"
        env=BALANCER_ROUTE_CHANGED`` with ``stickysession=ROUTEID``: the documented cookie of
        the balancer, whose value carries the route. Compiled as the load balancer's cookie
        of every balancer whose stickysession names it; a member is named by the cookie only
        when the value read back has its route after the separator (a template without the
        "." never routes)."""
        name, _, rest = value.partition("=")
        name = name.strip()
        template = rest.partition(";")[0]
        word = next((w for w in node.args if w.text == value), None)
        at = word.span if word is not None else node.span
        found = False
        for pool_name, pool in self.pools.items():
            if pool_name in self.lb_cookies and self.lb_cookies[pool_name].name.value == name:
                found = True  # the same cookie, met again in another virtual host
                continue
            route = pool.persistence.id_route
            if route is None or route.cookie.value != name:
                continue
            found = True
            servers = []
            for server in pool.servers:
                cookie_value = re.sub(
                    r"(?i)%\{BALANCER_WORKER_ROUTE\}e",
                    server.route.value if server.route else "",
                    template,
                )
                parsed = _after(cookie_value, route.separator)
                names_it = server.route is not None and parsed == server.route.value
                servers.append(
                    server._replace(cookie=Located(cookie_value, at) if names_it else None)
                )
            self.pools[pool_name] = pool._replace(
                servers=tuple(servers), persistence=pool.persistence._replace(id_route=None)
            )
            self.lb_cookies[pool_name] = _cookie_attributes(
                LbCookie(name=Located(name, at), mode=Located("insert", node.span), span=node.span),
                value,
                at,
            )
        if found and not any("balancer_route_changed" in c.lower() for c in condition):
            self.notes.append(
                f"{node.span}: the route cookie is set on every response (no "
                "env=BALANCER_ROUTE_CHANGED)"
            )
        return found


def _cookie_attributes(cookie: LbCookie, value: str, at: Span) -> LbCookie:
    """Path, Max-Age, Secure and HttpOnly of a Set-Cookie value written in the configuration,
    each with its column."""
    for name, argument, offset in set_cookie_attributes(value):
        span = Span(at.path, at.line, at.column + offset)
        if name == "path":
            cookie = cookie._replace(path=Located(argument, span))
        elif name == "max-age" and argument.lstrip("-").isdigit():
            cookie = cookie._replace(max_age=Located(max(int(argument), 0), span))
        elif name == "secure":
            cookie = cookie._replace(secure=Located(True, span))
        elif name == "httponly":
            cookie = cookie._replace(httponly=Located(True, span))
    return cookie


def _reverse_cookie_paths(nodes: Iterable[Node]) -> tuple[tuple[str, str], ...]:
    """Every ``ProxyPassReverseCookiePath internal external`` of the configuration, in order."""
    found: list[tuple[str, str]] = []
    for node in nodes:
        if node.children is not None and node.key != "macro":
            found.extend(_reverse_cookie_paths(node.children))
        elif node.key == "proxypassreversecookiepath" and len(node.args) >= 2:
            found.append((node.args[0].text, node.args[1].text))
    return tuple(found)


def _module_of(node: Node) -> str:
    found = spec(node.name)
    return found.module if found is not None else ""


def _with_cookie(pool: Pool, cookie: LbCookie | None) -> Pool:
    if cookie is None:
        return pool
    return pool._replace(persistence=pool.persistence._replace(cookie=cookie))


def _after(value: str, separator: str) -> str | None:
    if not separator:
        return value
    _head, sep, tail = value.partition(separator)
    return tail if sep else None


def _flatten(nodes: Iterable[Node], where: Test | None, scope: _Scope) -> None:
    """The directives that apply to a request of the service, with their location test."""
    for node in nodes:
        key = node.key
        if node.children is None:
            scope.items.append((node, where))
            continue
        if key in LOCATION_SECTIONS:
            test, regex = _location_test(node)
            scope.locations.append((node, test, regex))
            _flatten(node.children, test, scope)
        elif key in RUNTIME_SECTIONS and _touches(node.children):
            condition = " ".join(node.values()) or "(else)"
            reason = f"<{node.name} {condition}> is decided per request by httpd's expressions"
            scope.opaque.append(
                Opaque(reason, node.span, f"<{node.name} {node.raw}>", _when(where))
            )
        elif key in ("directory", "directorymatch", "files", "filesmatch", "proxy", "proxymatch"):
            continue  # file-system and backend sections: no request routing here
        elif key in ("virtualhost", "macro"):
            continue
        else:
            _flatten(node.children, where, scope)


def _touches(nodes: Iterable[Node]) -> bool:
    for node in nodes:
        if node.key in MODELLED or node.key in OUTSIDE:
            return True
        if node.children is not None and _touches(node.children):
            return True
    return False


def _location_test(node: Node) -> tuple[Test, bool]:
    words = node.values()
    if node.key == "locationmatch":
        return _regex_test(words[0] if words else ""), True
    if words and words[0] == "~":
        return _regex_test(words[1] if len(words) > 1 else ""), True
    path = words[0] if words else "/"
    if any(mark in path for mark in "*?["):
        pattern = fnmatch.translate(path).replace(".*", "[^/]*")
        return Test(
            "path", "regex", values=("^" + pattern.removesuffix("\\Z") + "(?:/|$)",), text=path
        ), False
    return _prefix_test(path), False


def _prefix_test(path: str) -> Test:
    """httpd's ``alias_match``: a prefix of whole segments (repeated slashes are one)."""
    parts = [re.escape(part) for part in path.split("/")]
    body = "/+".join(parts) if path != "/" else "/"
    tail = "" if path.endswith("/") else "(?:/|;|$)"
    return Test("path", "regex", values=("^" + body + tail,), text=path)


def _regex_test(pattern: str) -> Test:
    if not bounded(pattern):
        return Test("env", "found", text=f"the path matches {pattern}")
    return Test("path", "regex", values=(pattern,), text=pattern)


def _when(where: Test | None, extra: Sequence[Test] = ()) -> Condition:
    terms = tuple(Term((test,)) for test in ((where,) if where else ()) + tuple(extra))
    if not terms:
        return Condition()
    return Condition((terms,), text=" and ".join(t.tests[0].text for t in terms))


def _header_arguments(
    rest: Sequence[str], where: Test | None
) -> tuple[list[str], list[str], Condition]:
    """A ``Header``/``RequestHeader`` directive's words after the header name: its values, its
    condition words (``env=``, ``expr=``, ``early``), and when it acts within ``where``."""
    condition = [w for w in rest if w.startswith(("env=", "expr=")) or w == "early"]
    values = [w for w in rest if w not in condition]
    return values, condition, _when(where, _env_tests(condition))


def _env_tests(words: Sequence[str]) -> list[Test]:
    tests = []
    for word in words:
        if word == "early":
            continue
        tests.append(Test("env", "found", text=word))
    return tests


def _text(node: Node) -> str:
    return f"{node.name} {node.raw}".strip()


def _location_order(
    entries: list[tuple[Test, str, Node, bool]], scope: _Scope
) -> list[tuple[Test, str, Node]]:
    """Location ProxyPass entries in the order httpd consults them: the last merged first;
    regex locations are merged after the others."""
    regex_tests = {id(test) for _, test, regex in scope.locations if regex}
    regexes = [e for e in entries if id(e[0]) in regex_tests]
    plain = [e for e in entries if id(e[0]) not in regex_tests]
    return [(t, p, n) for t, p, n, _ in reversed(regexes)] + [
        (t, p, n) for t, p, n, _ in reversed(plain)
    ]


def _routes(
    entries: list[tuple[Test, str, Node]],
) -> tuple[list[UsePool], list[Step]]:
    """First match wins: pools as routes; ``!`` (httpd serves the path itself) and computed
    targets as steps that hold only where no earlier entry matched."""
    routes: list[UsePool] = []
    steps: list[Step] = []
    earlier: list[Test] = []
    for test, pool, node in entries:
        if pool.startswith("?nomodule:"):
            # The route stays (the app path is served, by an error): httpd answers 500.
            # no module handles balancer:// (mod_proxy_balancer is not loaded)
            steps.append(Answer("error", 500, node.span, _text(node), _first_match(test, earlier)))
            pool = pool.removeprefix("?nomodule:")
        if pool == "?computed":
            # The server is computed per request: the route is taken (the app path is
            # served), and the request meets a step outside the model first.
            reason = "the proxied-to server is computed per request (RewriteMap, back-reference)"
            when = _first_match(test, earlier)
            steps.append(Opaque(reason, node.span, _text(node), when))
            routes.append(UsePool("", node.span, _text(node), when, template=("(computed)",)))
            earlier.append(test)
            continue
        if pool in ("!", "?interpolate"):
            when = _first_match(test, earlier)
            if pool == "!":
                steps.append(Answer("local", 404, node.span, _text(node), when))
            else:
                steps.append(
                    Opaque(
                        "ProxyPass interpolate: the target is computed",
                        node.span,
                        _text(node),
                        when,
                    )
                )
        else:
            routes.append(
                UsePool(
                    pool,
                    node.span,
                    _text(node),
                    Condition(((Term((test,)),),), text=f"path matches {test.text}"),
                )
            )
        earlier.append(test)
    return routes, steps


def _first_match(test: Test, earlier: Sequence[Test]) -> Condition:
    """``test`` holds and no earlier entry's does: this entry is the one httpd takes."""
    terms = (Term((test,)), *(Term((e,), negate=True) for e in earlier))
    return Condition((terms,), text=f"path matches {test.text}")


def _front_back(node: Node, test: Test) -> tuple[str, str] | None:
    """The public prefix and the backend's of a prefix ``ProxyPass``, as written, when they
    differ: httpd replaces the one with the other, slashes included (``ProxyPass /api/
    balancer://c/api`` sends /api/chat as /apichat)."""
    if node.key != "proxypass" or test.subject != "path" or not test.text.startswith("/"):
        return None
    words = node.values()
    target = next((w for w in words if "://" in w), None)
    if target is None or any(w == "~" for w in words) or any(c in test.text for c in "*?["):
        return None
    after_scheme = target.split("://", 1)[1]
    back = "/" + after_scheme.split("/", 1)[1] if "/" in after_scheme else ""
    front = test.text
    if front == back or (not back and front == "/"):
        return None
    return front, back


def _redirect(node: Node, where: Test | None) -> Answer | None:
    words = node.values()
    if node.key == "redirectmatch":
        if (words and words[0].lower() in ("permanent", "temp", "seeother", "gone")) or (
            words and words[0].isdigit()
        ):
            words = words[1:]
        if not words:
            return None
        test = _regex_test(words[0])
    else:
        if words and (
            words[0].lower() in ("permanent", "temp", "seeother", "gone") or words[0].isdigit()
        ):
            words = words[1:]
        if not words:
            return None
        test = (
            where if where is not None and not words[0].startswith("/") else _prefix_test(words[0])
        )
    return Answer(
        "redirect", 302, node.span, _text(node), Condition(((Term((test,)),),), text=test.text)
    )


def _request_header(node: Node, where: Test | None) -> list[Step]:
    words = node.values()
    if len(words) < 2 or words[1].lower() != "cookie":
        return []
    action = words[0].lower()
    values, _, when = _header_arguments(words[2:], where)
    text = _text(node)
    value = values[0] if values else ""
    if action == "unset":
        return [HeaderEdit("del", "cookie", node.span, text, when=when)]
    if "%{" in value or action not in ("set", "add"):
        return [Opaque(f"RequestHeader {action} Cookie: outside the model", node.span, text, when)]
    return [HeaderEdit(action, "cookie", node.span, text, value=value, when=when)]


def _cookie_path(node: Node, where: Test | None) -> HeaderEdit | None:
    words = node.values()
    if len(words) < 2:
        return None
    internal, external = words[0], words[1]
    pattern = r"(?is)^(.*;\s*path=)" + re.escape(internal) + r"(.*)$"
    value = "\\g<1>" + external.replace("\\", "\\\\") + "\\g<2>"
    return HeaderEdit(
        "replace-header",
        "set-cookie",
        node.span,
        _text(node),
        value=value,
        pattern=pattern,
        when=_when(where),
    )


def _jk_when(node: Node, where: Test | None) -> Condition:
    words = node.values()
    if node.key.startswith("jkmount") and words and words[0].startswith("/"):
        pattern = "^" + fnmatch.translate(words[0]).removesuffix("\\Z")
        test = Test("path", "regex", values=(pattern.replace("(?s:", "(?:"),), text=words[0])
        return _when(where, (test,))
    return _when(where)


def value_words(words: Iterable[Word]) -> list[str]:
    return [value_of(word) for word in words]
