"""HAProxy ``server`` and ``server-template`` lines (with ``default-server``) as pool servers.

The parameters that decide where a request may go: ``backup``, ``disabled`` (maintenance),
``weight`` (0: no balanced traffic, persistence still honoured), ``cookie``, ``maxconn``,
``id`` (what stick tables store; by default the server's position in its backend).
``default-server`` lines apply to the servers that follow them, inherited ones first.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.loaders.haproxy.proxies import Proxy
from tcommlint.loaders.haproxy.reader import Statement, Word
from tcommlint.patterns import LazyPattern
from tcommlint.pipeline.model import Server
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

MAX_TEMPLATE_SERVERS = 1024
_IP_LITERAL = LazyPattern(r"(?:\d{1,3}\.){3}\d{1,3}|\*|")  # IPv4, any address, none
_ADDRESS_FAMILIES = ("ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@")
_FLAGS = frozenset(
    {
        "backup",
        "no-backup",
        "disabled",
        "enabled",
        "check",
        "no-check",
        "ssl",
        "no-ssl",
        "send-proxy",
        "send-proxy-v2",
        "no-send-proxy",
        "non-stick",
        "stick",
        "tfo",
        "no-tfo",
        "agent-check",
        "no-agent-check",
        "check-ssl",
        "no-check-ssl",
        "check-send-proxy",
        "allow-0rtt",
        "force-sslv3",
        "force-tlsv10",
        "force-tlsv11",
        "force-tlsv12",
        "force-tlsv13",
        "no-sslv3",
        "no-tlsv10",
        "no-tlsv11",
        "no-tlsv12",
        "no-tlsv13",
        "no-tls-tickets",
        "tls-tickets",
        "no-verifyhost",
        "send-proxy-v2-ssl",
        "send-proxy-v2-ssl-cn",
        "check-via-socks4",
        "resolve-prefer",
    }
)


class _Params(NamedTuple):
    backup: bool = False
    disabled: bool = False
    weight: int = 1
    cookie: Word | None = None
    maxconn: int | None = None
    number: int = 0
    init_addr: str = "last,libc"


def split_address(text: str) -> tuple[str, int | None]:
    """``10.0.0.1:8080`` → (``10.0.0.1``, 8080); IPv6 in brackets; sockets have no port."""
    if text.startswith(_ADDRESS_FAMILIES):
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


_NO_PARAMS = _Params()


def _params(words: Sequence[Word]) -> _Params:
    params = _NO_PARAMS
    index = 0
    while index < len(words):
        text = words[index].text
        value = words[index + 1] if index + 1 < len(words) else None
        if text in ("backup", "no-backup"):
            params = params._replace(backup=text == "backup")
        elif text in ("disabled", "enabled"):
            params = params._replace(disabled=text == "disabled")
        elif text in _FLAGS or value is None:
            pass
        else:
            params = _valued(params, text, value)
            index += 1
        index += 1
    return params


def _valued(params: _Params, key: str, value: Word) -> _Params:
    number = int(value.text) if value.text.isdigit() else None
    if key == "cookie":
        return params._replace(cookie=value)
    if key == "weight" and number is not None:
        return params._replace(weight=number)
    if key == "maxconn" and number is not None:
        return params._replace(maxconn=number)
    if key == "id" and number is not None:
        return params._replace(number=number)
    if key == "init-addr":
        return params._replace(init_addr=value.text)
    return params


def servers_of(path: str, proxy: Proxy) -> list[Server]:
    """The servers of a backend or listen section, in order."""
    defaults: list[Word] = [
        word
        for origin in proxy.origins("default-server")
        if origin.defaults is not None
        for word in origin.statement.words[1:]
    ]
    servers: list[Server] = []
    for statement in proxy.statements:
        words = statement.words
        if statement.keyword == "default-server":
            defaults.extend(words[1:])
        elif statement.keyword == "server" and len(words) >= 3:
            servers.append(_server(path, statement, words[1].text, words[2], defaults, words[3:]))
        elif statement.keyword == "server-template" and len(words) >= 4:
            for name in _template_names(words[1].text, words[2].text):
                servers.append(_server(path, statement, name, words[3], defaults, words[4:]))
    return _numbered(servers)


def _numbered(servers: list[Server]) -> list[Server]:
    """Servers without an ``id`` get the lowest unused ones, in order (manual §5.2 ``id``)."""
    taken = {server.number for server in servers if server.number}
    numbered, candidate = [], 1
    for server in servers:
        if not server.number:
            while candidate in taken:
                candidate += 1
            server = _with_number(server, candidate)
            taken.add(candidate)
        numbered.append(server)
    return numbered


_NUMBER = Server._fields.index("number")


def _with_number(server: Server, number: int) -> Server:
    """``server._replace(number=number)`` without its keyword machinery (one call per
    server of the file)."""
    return Server._make((*server[:_NUMBER], number, *server[_NUMBER + 1 :]))


def _starts_unresolved(host: str, init_addr: str) -> bool:
    """A host name that ``init-addr`` does not resolve at start: the server starts in
    maintenance (``none`` before ``libc``; manual §5.2 ``init-addr``)."""
    for method in init_addr.split(","):
        if method in ("libc", "last"):
            return False
        if method == "none":
            return not (_IP_LITERAL.fullmatch(host) or ":" in host)
    return False


def _template_names(prefix: str, count: str) -> list[str]:
    low, _, high = count.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return []
    first, last = (int(low), int(high)) if high else (1, int(low))
    return [f"{prefix}{n}" for n in range(first, min(last, first + MAX_TEMPLATE_SERVERS - 1) + 1)]


def _server(
    path: str,
    statement: Statement,
    name: str,
    address: Word,
    defaults: list[Word],
    own: tuple[Word, ...],
) -> Server:
    host, port = split_address(address.text)
    params = _params([*defaults, *own])
    cookie = None
    if params.cookie is not None:
        word = params.cookie
        inherited = word.line != statement.line
        note = f"from default-server at line {word.line}" if inherited else ""
        cookie = Located(word.text, Span(path, word.line, word.column), inherited, note)
    node = f"{host}:{port}" if port is not None else (host or name)
    unresolved = _starts_unresolved(host, params.init_addr)
    return Server(
        name=name,
        address=host,
        port=port,
        span=statement.span(path),
        weight=params.weight,
        backup=params.backup,
        disabled=params.disabled or unresolved,
        cookie=cookie,
        maxconn=params.maxconn,
        number=params.number,
        node=node,
    )
