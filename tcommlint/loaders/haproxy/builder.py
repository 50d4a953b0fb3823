"""Build the vendor-neutral ``LoadBalancer`` from the sections of an HAProxy file.

A frontend is a ``Service``, a backend a ``Pool``, a listen section both (its own servers
serve what no rule routes elsewhere). Values are the effective ones after ``defaults``
inheritance, with HAProxy's built-in defaults (mode tcp; balance roundrobin before 3.3,
random since) marked as inherited.
"""

from __future__ import annotations

from typing import NamedTuple

from tcommlint.loaders.haproxy.persistence import (
    Table,
    appsession_persistences,
    balance_persistences,
    collect_tables,
    cookie_persistences,
    stick_persistences,
    stick_rules,
)
from tcommlint.loaders.haproxy.proxies import (
    INHERITED_OPTIONS,
    Proxy,
    block_notes,
    env_notes,
    inherited_note,
    located,
    resolve_proxies,
)
from tcommlint.loaders.haproxy.reader import Section, Statement, Word
from tcommlint.loaders.haproxy.routes import service_routes
from tcommlint.model import LoadBalancer, Member, ParseError, Pool, Service
from tcommlint.source import Located, Span

DEFAULT_BALANCE_NOTE = (
    "no balance: HAProxy's default algorithm, roundrobin before 3.3, random since 3.3"
)
_OPTION_MEANINGS = {
    "allbackups": "all backup servers share the load when every active server is down",
    "persist": "a request whose cookie names a down server is still sent to it",
    "redispatch": "a request whose persistence names a down server may go to another one",
}
_SERVER_PARAMS_WITH_VALUE = frozenset(
    [
        "addr",
        "agent-addr",
        "agent-inter",
        "agent-port",
        "agent-send",
        "alpn",
        "ca-file",
        "check-alpn",
        "check-proto",
        "check-sni",
        "ciphers",
        "ciphersuites",
        "cookie",
        "crl-file",
        "crt",
        "curves",
        "downinter",
        "error-limit",
        "fall",
        "fastinter",
        "guid",
        "hash-key",
        "id",
        "init-addr",
        "init-state",
        "inter",
        "log-proto",
        "max-reuse",
        "maxconn",
        "maxqueue",
        "minconn",
        "namespace",
        "npn",
        "observe",
        "on-error",
        "on-marked-down",
        "on-marked-up",
        "pool-low-conn",
        "pool-max-conn",
        "pool-purge-delay",
        "port",
        "proto",
        "proxy-v2-options",
        "redir",
        "resolve-net",
        "resolve-opts",
        "resolve-prefer",
        "resolvers",
        "rise",
        "shard",
        "sigalgs",
        "client-sigalgs",
        "sni",
        "slowstart",
        "source",
        "ssl-max-ver",
        "ssl-min-ver",
        "tcp-ut",
        "track",
        "usesrc",
        "verify",
        "verifyhost",
        "weight",
        "ws",
    ]
)
_ADDRESS_FAMILIES = ("ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@")
_MAX_TEMPLATE_SERVERS = 1024


class _Context(NamedTuple):
    path: str
    tables: dict[str, Table]
    looked_up: set[str]  # tables some ``stick on|match`` reads


def build_load_balancer(
    path: str, sections: tuple[Section, ...]
) -> tuple[LoadBalancer, list[ParseError]]:
    """The load balancer a file describes, and the errors HAProxy would refuse it for."""
    proxies, errors = resolve_proxies(path, sections)
    errors.extend(_duplicate_names(path, proxies))
    looked_up = {
        rule.table
        for proxy in proxies
        for rule in stick_rules(proxy)
        if rule.action in ("on", "match")
    }
    ctx = _Context(path, collect_tables(sections), looked_up)
    pools = tuple(_pool(ctx, p) for p in proxies if p.section.kind in ("backend", "listen"))
    services = tuple(_service(ctx, p) for p in proxies if p.section.kind in ("frontend", "listen"))
    return LoadBalancer("haproxy", (path,), services, pools, _env_summary(sections)), errors


def _duplicate_names(path: str, proxies: list[Proxy]) -> list[ParseError]:
    """Two backends (or two frontends) of one name: HAProxy refuses the file."""
    seen: dict[tuple[str, str], Proxy] = {}
    errors = []
    for proxy in proxies:
        kinds = ("backend", "frontend") if proxy.section.kind == "listen" else (proxy.section.kind,)
        for kind in kinds:
            first = seen.get((kind, proxy.name))
            if first is not None:
                errors.append(
                    ParseError(
                        proxy.header(path),
                        f"{proxy.section.kind} '{proxy.name}' has the same name as the "
                        f"{first.section.kind} at line {first.section.header.line}",
                    )
                )
                break
            seen[(kind, proxy.name)] = proxy
    return errors


def _env_summary(sections: tuple[Section, ...]) -> tuple[str, ...]:
    refs = sorted(
        {
            ref
            for section in sections
            for statement in (section.header, *section.statements)
            for word in statement.words
            for ref in word.env
        }
    )
    if not refs:
        return ()
    return (f"environment variables not resolved (kept as written): {', '.join(refs)}",)


# --- pools --------------------------------------------------------------------------------


def _pool(ctx: _Context, proxy: Proxy) -> Pool:
    members, member_notes = _members(ctx.path, proxy)
    persistences = (
        *cookie_persistences(ctx.path, proxy, members),
        *stick_persistences(ctx.path, proxy, ctx.tables, ctx.looked_up),
        *balance_persistences(ctx.path, proxy),
        *appsession_persistences(ctx.path, proxy),
    )
    notes = (*_option_notes(proxy), *_persist_keyword_notes(proxy), *member_notes)
    return Pool(
        name=proxy.name,
        span=proxy.header(ctx.path),
        members=members,
        persistences=persistences,
        balance=_balance(ctx.path, proxy),
        notes=notes,
    )


def _balance(path: str, proxy: Proxy) -> Located[str]:
    origins = proxy.origins("balance")
    if not origins or not origins[-1].statement.args:
        return Located("roundrobin", proxy.header(path), True, DEFAULT_BALANCE_NOTE)
    origin = origins[-1]
    value = " ".join(origin.statement.args)
    return located(path, proxy, origin, value, origin.statement.words[1])


def _option_notes(proxy: Proxy) -> list[str]:
    notes = []
    for option in sorted(INHERITED_OPTIONS):
        for origin in proxy.origins(f"option {option}"):
            enabled = origin.statement.keyword != "no"
            where = inherited_note(origin) or f"line {origin.statement.line}"
            text = f"option {option}" if enabled else f"no option {option}"
            meaning = _OPTION_MEANINGS[option] if enabled else "disabled"
            notes.append(f"{text} ({where}): {meaning}")
    return notes


def _persist_keyword_notes(proxy: Proxy) -> list[str]:
    return [
        f"line {s.line}: {s.keyword} {' '.join(s.args)}"
        for s in proxy.statements
        if s.keyword in ("force-persist", "ignore-persist", "dynamic-cookie-key")
    ]


# --- members ------------------------------------------------------------------------------


class _ServerParams(NamedTuple):
    backup: bool
    disabled: bool
    cookie: Word | None


def _server_params(words: list[Word]) -> _ServerParams:
    backup, disabled, cookie = False, False, None
    i = 0
    while i < len(words):
        text = words[i].text
        if text in ("backup", "no-backup"):
            backup = text == "backup"
        elif text in ("disabled", "enabled"):
            disabled = text == "disabled"
        elif text == "cookie" and i + 1 < len(words):
            cookie = words[i + 1]
        if text in _SERVER_PARAMS_WITH_VALUE:
            i += 1
        i += 1
    return _ServerParams(backup, disabled, cookie)


def split_address(text: str) -> tuple[str, int | None]:
    """``10.0.0.1:8080`` -> (``10.0.0.1``, 8080); IPv6 in brackets; sockets have no port."""
    for family in _ADDRESS_FAMILIES:
        if text.startswith(family):
            text = text[len(family) :]
            break
    if text.startswith(("/", "unix@", "abns@", "fd@", "sockpair@")):
        return text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif ":" in text:
        host, _, port = text.rpartition(":")
    else:
        host, port = text, ""
    return host, int(port) if port.isdigit() else None


def _members(path: str, proxy: Proxy) -> tuple[tuple[Member, ...], list[str]]:
    defaults: list[Word] = [
        word
        for origin in proxy.origins("default-server")
        if origin.defaults is not None
        for word in origin.statement.words[1:]
    ]
    members: list[Member] = []
    notes: list[str] = []
    for statement in proxy.statements:
        words = statement.words
        if statement.keyword == "default-server":
            defaults.extend(words[1:])
        elif statement.keyword == "server" and len(words) >= 3:
            members.append(_member(path, statement, words[1].text, words[2], defaults, words[3:]))
        elif statement.keyword == "server-template" and len(words) >= 4:
            names = _template_names(words[1].text, words[2].text)
            members.extend(
                _member(path, statement, n, words[3], defaults, words[4:]) for n in names
            )
        else:
            continue
        notes.extend(block_notes(statement))
        notes.extend(env_notes(words))
    return tuple(members), notes


def _template_names(prefix: str, count: str) -> list[str]:
    low, _, high = count.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return []
    first, last = (int(low), int(high)) if high else (1, int(low))
    return [f"{prefix}{n}" for n in range(first, min(last, first + _MAX_TEMPLATE_SERVERS - 1) + 1)]


def _member(
    path: str,
    statement: Statement,
    name: str,
    address: Word,
    defaults: list[Word],
    params: tuple[Word, ...],
) -> Member:
    host, port = split_address(address.text)
    server = _server_params([*defaults, *params])
    cookie = None
    if server.cookie is not None:
        word = server.cookie
        from_default = word.line != statement.line
        note = f"from default-server at line {word.line}" if from_default else ""
        cookie = Located(word.text, Span(path, word.line, word.column), from_default, note)
    return Member(
        name=name,
        address=host,
        port=port,
        span=statement.span(path),
        backup=server.backup,
        disabled=server.disabled,
        cookie_value=cookie,
    )


# --- services -----------------------------------------------------------------------------


def _service(ctx: _Context, proxy: Proxy) -> Service:
    binds, https, bind_notes = _binds(proxy)
    routes, route_notes = service_routes(ctx.path, proxy)
    return Service(
        name=proxy.name,
        span=proxy.header(ctx.path),
        https=https,
        http=proxy.mode() == "http",
        routes=tuple(routes),
        default_pool=_default_pool(ctx.path, proxy),
        binds=binds,
        notes=(*_mode_notes(proxy), *bind_notes, *route_notes),
    )


def _binds(proxy: Proxy) -> tuple[tuple[str, ...], bool, list[str]]:
    binds: list[str] = []
    https = False
    notes: list[str] = []
    for statement in proxy.statements:
        if statement.keyword != "bind" or not statement.args:
            continue
        binds.extend(a for a in statement.args[0].split(",") if a)
        https = https or "ssl" in statement.args[1:]
        notes.extend(block_notes(statement))
        notes.extend(env_notes(statement.words[1:2]))
    return tuple(binds), https, notes


def _default_pool(path: str, proxy: Proxy) -> Located[str] | None:
    origins = proxy.origins("default_backend")
    if origins and origins[-1].statement.args:
        origin = origins[-1]
        return located(path, proxy, origin, origin.statement.args[0], origin.statement.words[1])
    if proxy.section.kind == "listen":
        note = "a listen section serves its own servers when no rule picks a backend"
        return Located(proxy.name, proxy.header(path), note=note)
    return None


def _mode_notes(proxy: Proxy) -> list[str]:
    origins = proxy.origins("mode")
    if not origins:
        return ["no mode: HAProxy's default mode tcp applies (no HTTP processing)"]
    notes = [
        f"mode {' '.join(o.statement.args)} {inherited_note(o)}"
        for o in origins
        if o.defaults is not None
    ]
    if len(origins) > 1:
        lines = ", ".join(str(o.statement.line) for o in origins)
        notes.append(f"mode is set in several .if branches (lines {lines}); the last one is used")
    return notes
