"""What nginx checks of the entries of the blocks it hands to a module's own handler (``map``,
``geo``, ``charset_map``, ``types``): how many parameters each takes, with nginx's words.

From the handlers' sources (nginx 1.22): ``ngx_http_map``/``ngx_stream_map`` take
``hostnames`` or ``volatile`` alone, every other entry (``default``, ``include`` and the keys)
exactly two parameters ("invalid number of the map parameters"), and one ``default``
("duplicate default map parameter"); ``ngx_http_geo`` takes ``ranges`` or ``proxy_recursive``
alone (``ngx_stream_geo``: ``ranges``), else two ("invalid number of the geo parameters");
``ngx_http_charset_map`` two ("invalid parameters number"); ``ngx_http_core_type`` counts only
an ``include``. ``split_clients`` counts nothing (an entry of one word reads past its end):
not checked. A regex holding ``;`` or ``}`` must be quoted, or the entry ends there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.upstreams import error_at
from tcommlint.model import ParseError

_ALONE = {
    ("map", "http"): ("hostnames", "volatile"),
    ("map", "stream"): ("hostnames", "volatile"),
    ("geo", "http"): ("ranges", "proxy_recursive"),
    ("geo", "stream"): ("ranges",),
}
_COUNT = {
    "map": "invalid number of the map parameters",
    "geo": "invalid number of the geo parameters",
    "charset_map": "invalid parameters number",
}


def entry_refusals(nodes: Sequence[Node]) -> Iterable[ParseError]:
    """Every refused entry of such a block, anywhere in ``nodes``."""
    for node in nodes:
        if node.context == "raw":
            continue
        if node.name in _COUNT:
            yield from _counted(node)
        elif node.name == "types":
            yield from _types(node)
        yield from entry_refusals(node.children)


def _counted(block: Node) -> Iterable[ParseError]:
    alone = _ALONE.get((block.name, block.context), ())
    defaults = 0
    for entry in block.children:
        count = 1 + len(entry.args)
        if count == 1 and entry.name in alone:
            continue
        if count != 2:
            yield error_at(entry, _COUNT[block.name])
            return  # nginx stops at the first
        if block.name == "map" and entry.name == "default":
            defaults += 1
            if defaults > 1:
                yield error_at(entry, "duplicate default map parameter")
                return


def _types(block: Node) -> Iterable[ParseError]:
    for entry in block.children:
        if entry.name == "include" and len(entry.args) != 1:
            yield error_at(entry, 'invalid number of arguments in "include" directive')
            return
