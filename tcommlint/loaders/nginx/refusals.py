"""What ``nginx -t`` refuses beyond the directive table: nesting of locations, where a
``proxy_pass`` may carry a URI (ngx_http_core_location, ngx_http_proxy_pass), a main file
without ``events``, a ``listen … ssl`` without a certificate (ngx_http_ssl_init)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
    for http in (node for node in nodes if node.name == "http"):
        found.extend(_certificates(http))
    if context == "http":
        found.extend(_certificates(Node(nodes[0].directive, "main", tuple(nodes))))
    return found


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
