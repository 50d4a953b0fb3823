"""HAProxy sections compiled into the pipeline model, in HAProxy's processing order.

A frontend is a service, a backend a pool, a listen section both (its own rules run once, as
the service). Request steps follow the stream analysers of HAProxy 2.6 (``src/stream.c``):
``tcp-request`` rules, then ``http-request`` rules (a named ``defaults`` section's before the
proxy's own), then ``redirect`` rules; ``use_backend`` in order, then ``default_backend``;
in the backend its ``http-request`` rules, then ``use-server``, the persistence cookie, the
stick rules, the balance algorithm. On the response: ``stick store-response``, the backend's
then the frontend's ``http-response`` rules, then the persistence cookie.

Effective values come from ``defaults`` inheritance (``proxies.py``) with HAProxy's built-in
defaults (mode tcp, balance roundrobin, hash-type map-based); each value keeps the span of
the line that set it, or of the proxy header when inherited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from tcommlint.loaders.haproxy.acl import Acls, compile_condition, named_acls
from tcommlint.loaders.haproxy.actions import (
    CACHE_HEADERS,
    condition_start,
    dynamic_choice,
    filter_step,
    http_rule,
    redirect_rule,
    tcp_rule,
    uri_answer,
)
from tcommlint.loaders.haproxy.persistence import (
    balance_of,
    lb_cookie,
    persist_rules,
    server_rules,
    stick_rules,
    tables_of,
)
from tcommlint.loaders.haproxy.proxies import Proxy, Resolved, located, resolve_proxies
from tcommlint.loaders.haproxy.reader import Section, Statement
from tcommlint.loaders.haproxy.samples import log_format
from tcommlint.loaders.haproxy.servers import servers_of
from tcommlint.model import ParseError
from tcommlint.pipeline.model import (
    LoadBalancer,
    Persistence,
    Pool,
    Server,
    Service,
    Step,
    UsePool,
)
from tcommlint.source import Located, Span

_RULE_KEYWORDS = frozenset({"http-request", "http-response", "http-after-response", "acl"})
# The keywords ``_request_steps`` and ``_response_steps`` read: a proxy with none has no steps.
_REQUEST_KEYWORDS = frozenset(
    {"monitor-uri", "stats", "filter", "tcp-request", "http-request", "redirect", "use_backend"}
)
_RESPONSE_KEYWORDS = frozenset({"http-response", "http-after-response", "tcp-response"})


class _Proxy:
    """One proxy with what compiling it needs: its ACLs and its rules, defaults' first."""

    def __init__(
        self,
        path: str,
        proxy: Proxy,
        servers: list[Server],
        servers_up: Mapping[str, int],
        cacheable: bool,
    ) -> None:
        self.path = path
        self.proxy = proxy
        self.servers = servers
        self.cacheable = cacheable
        self.http = proxy.mode() == "http"
        inherited = _defaults_rules(proxy)
        self.statements = (*inherited, *proxy.statements)
        # Each compiling step asks for its keywords: the statements are sorted out once.
        self.by_keyword: dict[str, list[Statement]] = {}
        for statement in self.statements:
            self.by_keyword.setdefault(statement.keyword, []).append(statement)
        acl_lines = [s.args for s in self.of("acl")]
        self.acls: Acls = named_acls(acl_lines, servers_up)

    def of(self, *keywords: str) -> list[Statement]:
        """The statements of these keywords, in order."""
        if len(keywords) == 1:
            return list(self.by_keyword.get(keywords[0], ()))
        found = [self.by_keyword[k] for k in keywords if k in self.by_keyword]
        if len(found) <= 1:
            return list(found[0]) if found else []
        return [s for s in self.statements if s.keyword in keywords]


def _made_cacheable(sections: Sequence[Section]) -> bool:
    """Whether a response rule adds an expiry or a validator, which HAProxy's cache needs."""
    return any(
        statement.keyword in ("http-response", "http-after-response")
        and len(statement.args) >= 2
        and statement.args[0] in ("set-header", "add-header")
        and statement.args[1].lower() in CACHE_HEADERS
        for section in sections
        for statement in section.statements
    )


def _usable(servers: Sequence[Server]) -> int:
    """HAProxy's count of usable servers: the active ones, else the backups."""
    up = [server for server in servers if not server.disabled]
    active = [server for server in up if not server.backup]
    return len(active) or len(up)


def _defaults_rules(proxy: Proxy) -> tuple[Statement, ...]:
    """Rules of a named ``defaults`` section run before the proxy's own (manual §4.2)."""
    section = proxy.defaults
    if section is None or not section.name:
        return ()
    return tuple(s for s in section.statements if s.keyword in _RULE_KEYWORDS)


def compile_load_balancer(
    path: str,
    sections: tuple[Section, ...],
    assumption: str = "",
    resolved: Resolved | None = None,
) -> tuple[LoadBalancer, list[ParseError]]:
    """The pipeline a file describes, and the errors HAProxy would refuse it for;
    ``resolved``: the proxies of these very sections when already resolved."""
    proxies, errors = resolved if resolved is not None else resolve_proxies(path, sections)
    servers = [
        servers_of(path, p) if p.section.kind in ("backend", "listen") else [] for p in proxies
    ]
    servers_up = {
        p.name: _usable(members)
        for p, members in zip(proxies, servers, strict=True)
        if p.section.kind in ("backend", "listen")
    }
    cacheable = _made_cacheable(sections)
    compiled = [
        _Proxy(path, proxy, members, servers_up, cacheable)
        for proxy, members in zip(proxies, servers, strict=True)
    ]
    pools = tuple(_pool(p) for p in compiled if p.proxy.section.kind in ("backend", "listen"))
    services = tuple(
        _service(p) for p in compiled if p.proxy.section.kind in ("frontend", "listen")
    )
    tables = tables_of(path, sections)
    mentions = cookie_mentions(path, sections)
    lb = LoadBalancer("haproxy", (path,), services, pools, tables, (), assumption, mentions)
    return lb, errors


_COOKIE_ARGUMENT = re.compile(
    r"(?<![\w.])(?:req\.cook|res\.cook|cook|scook|cookie|req\.cook_val|res\.cook_val|cook_val"
    r"|scook_val|req\.cook_cnt|cook_cnt|cook_beg|cook_end|cook_sub|cook_reg|cook_dir|cook_dom"
    r"|cook_len|req\.cook_beg)\(\s*([^,)\s]+)"
)


def cookie_mentions(path: str, sections: Sequence[Section]) -> tuple[tuple[str, Span], ...]:
    """Every cookie name written in the file (fetch arguments, ``cookie`` lines), at its word."""
    found: list[tuple[str, Span]] = []
    for section in sections:
        for statement in section.statements:
            words = statement.words
            if statement.keyword == "cookie" and len(words) > 1:
                found.append((words[1].text, Span(path, words[1].line, words[1].column)))
            for word in words[1:]:
                if "cook" not in word.text:  # in every name the pattern matches
                    continue
                for match in _COOKIE_ARGUMENT.finditer(word.text):
                    found.append((match.group(1), Span(path, word.line, word.column)))
    return tuple(found)


# --- services -------------------------------------------------------------------------------


def _service(proxy: _Proxy) -> Service:
    path = proxy.path
    binds, https = _binds(proxy.proxy)
    return Service(
        name=proxy.proxy.name,
        span=proxy.proxy.header(path),
        http=proxy.http,
        https=https,
        binds=binds,
        request_steps=tuple(_request_steps(proxy, service=True)),
        routes=tuple(_routes(proxy)),
        default_pool=_default_pool(proxy.proxy, path),
        response_steps=tuple(_response_steps(proxy)),
        notes=_mode_notes(proxy.proxy),
    )


def _binds(proxy: Proxy) -> tuple[tuple[str, ...], bool]:
    binds: list[str] = []
    https = False
    for statement in proxy.statements:
        if statement.keyword == "bind" and statement.args:
            binds.extend(a for a in statement.args[0].split(",") if a)
            https = https or "ssl" in statement.args[1:]
    return tuple(binds), https


def _request_steps(proxy: _Proxy, service: bool) -> Iterable[Step]:
    if _REQUEST_KEYWORDS.isdisjoint(proxy.by_keyword):
        return  # most backends of a large file: none of the loops below would run
    path = proxy.path
    for statement in proxy.of("monitor-uri", "stats"):
        if statement.keyword == "monitor-uri" or statement.args[:1] == ("uri",):
            step = uri_answer(path, statement, prefix=statement.keyword == "stats")
            if step is not None:
                yield step
    for statement in proxy.of("filter"):
        step = filter_step(path, statement, proxy.cacheable)
        if step is not None:
            yield step
    for statement in proxy.of("tcp-request"):
        if statement.args[:1] != ("inspect-delay",):
            step = tcp_rule(path, statement, proxy.acls)
            if step is not None:
                yield step
    for statement in proxy.of("http-request"):
        step = http_rule(path, statement, proxy.acls, response=False, cacheable=proxy.cacheable)
        if step is not None:
            yield step
    for statement in proxy.of("redirect"):
        yield redirect_rule(path, statement, proxy.acls)
    if service:
        for statement in proxy.of("use_backend"):
            name = statement.args[0] if statement.args else ""
            if "%" in name and log_format(name) is None:
                yield dynamic_choice(path, statement, "backend")


def _response_steps(proxy: _Proxy) -> Iterable[Step]:
    if _RESPONSE_KEYWORDS.isdisjoint(proxy.by_keyword):
        return
    for statement in proxy.of("http-response", "http-after-response"):
        step = http_rule(proxy.path, statement, proxy.acls, response=True)
        if step is not None:
            yield step
    for statement in proxy.of("tcp-response"):
        step = tcp_rule(proxy.path, statement, proxy.acls)
        if step is not None:
            yield step


def _routes(proxy: _Proxy) -> Iterable[UsePool]:
    for statement in proxy.of("use_backend"):
        args = statement.args
        if not args:
            continue
        template = log_format(args[0]) if "%" in args[0] else ()
        if template is None:
            continue  # outside the model: an Opaque step stands before the routing
        end = condition_start(args, 1)
        when = compile_condition(args[end:], proxy.acls)
        text = " ".join([word.text for word in statement.words])
        pool = "" if template else args[0]
        yield UsePool(pool, statement.span(proxy.path), text, when, "acl", template)


def _default_pool(proxy: Proxy, path: str) -> Located[str] | None:
    origins = proxy.origins("default_backend")
    if origins and origins[-1].statement.args:
        origin = origins[-1]
        return located(path, proxy, origin, origin.statement.args[0], origin.statement.words[1])
    if proxy.section.kind == "listen":
        note = "a listen section serves its own servers when no rule picks a backend"
        return Located(proxy.name, proxy.header(path), note=note)
    return None


def _mode_notes(proxy: Proxy) -> tuple[str, ...]:
    if not proxy.origins("mode"):
        return ("no mode: HAProxy's default mode tcp applies (no HTTP processing)",)
    return ()


# --- pools ----------------------------------------------------------------------------------


def _pool(proxy: _Proxy) -> Pool:
    path = proxy.path
    servers = proxy.servers
    steps = list(_request_steps(proxy, service=False))
    rules, opaque = stick_rules(path, proxy.proxy, proxy.acls)
    chosen, dynamic = server_rules(path, proxy.proxy, proxy.acls)
    steps.extend(opaque)
    steps.extend(dynamic_choice(path, s, "server") for s in dynamic)
    balance, balance_opaque = balance_of(path, proxy.proxy)
    steps.extend(balance_opaque)
    persistence = Persistence(
        server_rules=chosen,
        persist_rules=persist_rules(path, proxy.proxy, proxy.acls),
        cookie=lb_cookie(path, proxy.proxy),
        stick_rules=rules,
    )
    return Pool(
        name=proxy.proxy.name,
        span=proxy.proxy.header(path),
        servers=_dynamic_cookies(
            servers, persistence, bool(proxy.proxy.origins("dynamic-cookie-key"))
        ),
        balance=balance,
        http=proxy.http,
        request_steps=tuple(steps),
        response_steps=tuple(_response_steps(proxy)),
        persistence=persistence,
        persist_to_down=_option(proxy.proxy, "persist"),
        redispatch=_option(proxy.proxy, "redispatch"),
        all_backups=_option(proxy.proxy, "allbackups"),
        notes=_mode_notes(proxy.proxy),
    )


def _dynamic_cookies(
    servers: Sequence[Server], persistence: Persistence, keyed: bool
) -> tuple[Server, ...]:
    """``cookie … dynamic`` with a ``dynamic-cookie-key``: a server without a cookie value gets
    one derived from its address (without the key HAProxy derives none)."""
    cookie = persistence.cookie
    result = []
    for server in servers:
        if cookie is not None and cookie.dynamic and keyed and server.cookie is None:
            value = Located(f"dynamic-{server.node or server.name}", server.span, True)
            server = server._replace(cookie=value)
        result.append(server)
    return tuple(result)


def _option(proxy: Proxy, name: str) -> bool:
    origins = proxy.origins(f"option {name}")
    return bool(origins) and origins[-1].statement.keyword != "no"
