"""``unknown "name" variable``: a variable no module and no directive of the configuration
defines, refused by ``nginx -t`` (``ngx_http_variables_init_vars``, after the whole file is read).

nginx compiles the variables of a value (a ``hash`` key, ``proxy_pass``, ``set``…) when it reads
the configuration and looks every name up at the end, ignoring case: a module's variable
(``directives.json``, generated from the 1.22.1 sources; a dynamic module's only once loaded), a
prefix (``http_``, ``cookie_``, ``arg_``, ``upstream_cookie_``…, even with nothing after it), a
regex capture (``$1``; a named capture ``(?<name>…)`` anywhere in the file) or a variable the
configuration makes (``set``, ``map``, ``geo``, ``split_clients``, ``auth_request_set``,
``perl_set``). nginx names no line; the refusal is put at the first value that uses the name.

Not checked, on purpose: where a module nginx does not build may be loaded (a fragment, an unread
``modules-enabled`` include, a third-party ``load_module``), or under NGINX Plus: either may
define more variables. Only the values of the directives listed below are read (what they compile
is a value, not a regex), and only at ``http`` level (``stream`` has its own variables).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from tcommlint.loaders.nginx.table import data
from tcommlint.loaders.nginx.tree import Node, Tree
from tcommlint.loaders.nginx.upstreams import error_at
from tcommlint.loaders.nginx.variables import variables_in
from tcommlint.model import ParseError

# Directive → the positions of its arguments that nginx compiles as values ("*": every one,
# -1: the last). Regex arguments (``rewrite``'s first, ``if``'s after ``~``) are not values.
_VALUES: dict[str, tuple[int | str, ...]] = {
    "hash": (0,),
    "proxy_pass": (0,),
    "fastcgi_pass": (0,),
    "uwsgi_pass": (0,),
    "scgi_pass": (0,),
    "grpc_pass": (0,),
    "set": (1,),
    "proxy_set_header": (1,),
    "grpc_set_header": (1,),
    "fastcgi_param": (1,),
    "uwsgi_param": (1,),
    "scgi_param": (1,),
    "add_header": (1,),
    "add_trailer": (1,),
    "return": (-1,),
    "rewrite": (1,),
    "map": (0,),
    "split_clients": (0,),
    "proxy_cache_key": (0,),
    "limit_req_zone": (0,),
    "limit_conn_zone": (0,),
    "root": (0,),
    "alias": (0,),
    "proxy_redirect": (1,),
    "proxy_cookie_domain": (1,),
    "proxy_cookie_path": (1,),
    "proxy_cache_bypass": ("*",),
    "proxy_no_cache": ("*",),
    "try_files": ("*",),
    "error_page": (-1,),
    "auth_request_set": (1,),
}
# Directive → the argument that names the variable it makes (-1: the last).
_MAKES = {
    "set": 0,
    "map": 1,
    "geo": -1,
    "split_clients": 1,
    "auth_request_set": 0,
    "perl_set": 0,
}
_CAPTURE = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>|\(\?'([A-Za-z_][A-Za-z0-9_]*)'")


@cache
def _known() -> tuple[dict[str, str], tuple[str, ...]]:
    table = data()["variables"]
    return table["http"], tuple(table["http_prefixes"])


def unknown_variables(tree: Tree) -> list[ParseError]:
    """Each variable of an ``http`` value nothing defines, at its first use; none when the
    modules nginx may load are not all known."""
    modules = tree.modules
    if tree.plus or modules is None or not modules <= _debian_modules():
        return []
    nodes = list(_walk(tree.nodes))
    defined = _defined(nodes, modules)
    found: list[ParseError] = []
    seen: set[str] = set()
    for node in nodes:
        for name in _used(node):
            lowered = name.lower()
            if lowered in seen or lowered in defined or _is_known(lowered):
                continue
            seen.add(lowered)
            found.append(error_at(node, f'unknown "{lowered}" variable'))
    return found


@cache
def _debian_modules() -> frozenset[str]:
    from tcommlint.loaders.nginx.table import definitions

    names = {d.load_module for entries in definitions().values() for d in entries}
    return frozenset(names - {""})


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for node in nodes:
        if node.name in ("stream", "mail"):
            continue
        yield node
        yield from _walk(node.children)


def _defined(nodes: list[Node], modules: frozenset[str]) -> set[str]:
    variables, _ = _known()
    defined = {name for name, shared in variables.items() if not shared or shared in modules}
    for node in nodes:
        position = _MAKES.get(node.name)
        args = node.args
        if position is not None and len(args) > max(position, -position - 1):
            defined.add(args[position].lstrip("$").lower())
        for text in (node.name, *args):
            defined.update((a or b).lower() for a, b in _CAPTURE.findall(text))
    return defined


def _is_known(name: str) -> bool:
    _, prefixes = _known()
    return name.isdigit() or name.startswith(prefixes)


def _used(node: Node) -> list[str]:
    if node.context == "raw":
        return []
    args = node.args
    if node.name == "if":
        return _if_operands(args)
    found: list[str] = []
    for position in _VALUES.get(node.name, ()):
        if position == "*":
            picked = [a for a in args if not a.startswith("=")]
        elif isinstance(position, int) and -len(args) <= position < len(args):
            picked = [args[position]]
        else:
            picked = []
        for text in picked:
            found.extend(variables_in(text))
    return found


def _if_operands(args: tuple[str, ...]) -> list[str]:
    """``if ($a = "x$b")``: the variables of the operands, not of a regex after ``~``."""
    found: list[str] = []
    regex = False
    for text in args:
        if text in ("~", "~*", "!~", "!~*"):
            regex = True
            continue
        if not regex and text not in ("=", "!="):
            found.extend(variables_in(text.strip("()")))
    return found
