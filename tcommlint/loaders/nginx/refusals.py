"""What ``nginx -t`` refuses beyond the directive table: nesting of locations, where a
``proxy_pass`` may carry a URI (ngx_http_core_location, ngx_http_proxy_pass), a main file
without ``events``, a ``listen … ssl`` without a certificate (ngx_http_ssl_init), two default
servers for one address (ngx_http_add_addresses), a ``${name`` without its ``}``
(ngx_http_script_compile: ``${cookie_srv-id}`` is refused, the name stops at the dash), the
entries of ``map``/``geo``/``charset_map``/``types`` (``entries``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tcommlint.loaders.nginx.entries import entry_refusals
from tcommlint.loaders.nginx.locations import location_of
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.upstreams import error_at
from tcommlint.model import ParseError
from tcommlint.source import Span

URI_PLACES = (
    '"proxy_pass" cannot have URI part in location given by regular expression, or inside '
    'named location, or inside "if" statement, or inside "limit_except" block'
)


def refusals(path: str, context: str, nodes: Sequence[Node]) -> list[ParseError]:
    """Every such refusal in a configuration (``context``: what its main file is meant for)."""
    found = list(_walk(nodes, None))
    names = {node.name for node in nodes}
    # A file of only ``stream {}`` is taken to be included by a main file elsewhere.
    if context == "main" and "events" not in names and "http" in names:
        found.append(ParseError(Span(path, 1, 1), 'no "events" section in configuration'))
    https = [node for node in nodes if node.name == "http"]
    if context == "http" and nodes:
        https.append(Node(nodes[0].directive, "main", tuple(nodes)))
    for http in https:
        found.extend(_certificates(http))
        found.extend(_default_servers(http))
    found.extend(_brackets(nodes))
    found.extend(entry_refusals(nodes))
    return sorted(found, key=lambda e: (e.span.path, e.span.line, e.span.column))


def _listen_address(value: str) -> str:
    if value.isdigit():
        return f"0.0.0.0:{value}"
    return value.replace("*:", "0.0.0.0:", 1)


def _default_servers(http: Node) -> Iterable[ParseError]:
    seen: set[str] = set()
    for server in http.all("server"):
        for listen in server.all("listen"):
            if not listen.args or not {"default_server", "default"} & set(listen.args[1:]):
                continue
            address = _listen_address(listen.args[0])
            if address in seen:
                yield error_at(listen, f"a duplicate default server for {address}")
            seen.add(address)


_OPEN = re.compile(r"\$\{([A-Za-z0-9_]*)(.?)")


def _brackets(nodes: Sequence[Node]) -> Iterable[ParseError]:
    """``${name`` must close right after the name (location and rewrite patterns are regexes,
    not values, and are not compiled as such)."""
    for node in nodes:
        if node.context == "raw":
            continue
        if node.name not in ("location", "if"):
            args = node.args[1:] if node.name == "rewrite" else node.args
            for value in args:
                for match in _OPEN.finditer(value):
                    if match.group(2) != "}":
                        name = match.group(1)
                        yield error_at(node, f'the closing bracket in "{name}" variable is missing')
        yield from _brackets(node.children)


def _certificates(http: Node) -> Iterable[ParseError]:
    """A server listening with ``ssl`` needs a certificate, its own or the http level's."""
    inherited = bool(http.all("ssl_certificate"))
    for server in http.all("server"):
        if inherited or server.all("ssl_certificate"):
            continue
        for listen in server.all("listen"):
            if "ssl" in listen.args[1:]:
                reason = 'no "ssl_certificate" is defined for the "listen ... ssl" directive'
                yield error_at(listen, reason)


def _walk(nodes: Sequence[Node], parent: Node | None) -> Iterable[ParseError]:
    for node in nodes:
        if node.name == "location" and parent is not None and parent.name == "location":
            found = _nested(parent, node)
            if found is not None:
                yield found
        if (
            node.name == "proxy_pass"
            and node.context in ("if-location", "limit_except")
            and node.args
            and "$" not in node.args[0]
            and _has_uri(node.args[0])
        ):
            yield error_at(node, URI_PLACES)
        yield from _walk(node.children, node if node.children else parent)


def _nested(parent: Node, child: Node) -> ParseError | None:
    outer = location_of(parent, (), "")
    inner = location_of(child, (), "")
    if outer.modifier == "=":
        return error_at(
            child,
            f'location "{inner.pattern}" cannot be inside the exact location "{outer.pattern}"',
        )
    if outer.modifier == "@":
        return error_at(
            child,
            f'location "{inner.pattern}" cannot be inside the named location "{outer.pattern}"',
        )
    if inner.modifier == "@":
        return error_at(child, f'named location "{inner.pattern}" can be on the server level only')
    regex = "~" in (outer.modifier[:1], inner.modifier[:1])
    if not regex and not inner.pattern.startswith(outer.pattern):
        return error_at(child, f'location "{inner.pattern}" is outside location "{outer.pattern}"')
    return None


def _has_uri(url: str) -> bool:
    rest = url.split("://", 1)[1] if "://" in url else url
    return "/" in rest
