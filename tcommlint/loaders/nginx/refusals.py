"""What ``nginx -t`` refuses beyond the directive table: nesting of locations and where a
``proxy_pass`` may carry a URI (ngx_http_core_location, ngx_http_proxy_pass)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tcommlint.loaders.nginx.locations import location_of
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.upstreams import error_at
from tcommlint.model import ParseError

URI_PLACES = (
    '"proxy_pass" cannot have URI part in location given by regular expression, or inside '
    'named location, or inside "if" statement, or inside "limit_except" block'
)


def refusals(nodes: Sequence[Node]) -> list[ParseError]:
    """Every such refusal in a configuration."""
    return list(_walk(nodes, None))


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
