"""``rewrite regex replacement [flag]`` (ngx_http_rewrite_module) as path rewrites.

Without a flag or with ``last`` the URI is replaced and nginx searches the locations again with
it: a path rewrite before the routing, whose routes are decided on the new path. With
``break`` the request stays in its location with the new URI: a path rewrite on the way to
that location's upstream. ``redirect``/``permanent``, or a replacement that starts with
``http://``, ``https://`` or ``$scheme``, answers the client with a redirect. The regex
replaces the whole URI, ``$1``… are its captures; a replacement with a query (``?``) or with
variables the model cannot read is outside the model.
"""

from __future__ import annotations

import re

from tcommlint.loaders.nginx.locations import python_regex
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.variables import template_of
from tcommlint.pipeline.model import ALWAYS, Answer, Condition, Opaque, SetPath, Step, Term, Test

_CAPTURE = re.compile(r"\$(\d)")


def _parts(node: Node) -> tuple[str, str, str] | None:
    args = node.args
    if len(args) not in (2, 3):
        return None
    return args[0], args[1], args[2] if len(args) == 3 else ""


def rewrite_step(node: Node, when: Condition) -> Step | None:
    """A rewrite in the rewrite phase of a server or location (``break`` ones are the pool's)."""
    parts = _parts(node)
    if parts is None:
        return None
    regex, replacement, flag = parts
    span, text = node.directive.span, node.directive.text
    if flag == "break":
        return None  # applied on the way to the location's upstream (``breaks``)
    if flag in ("redirect", "permanent") or replacement.startswith(
        ("http://", "https://", "$scheme")
    ):
        status = 301 if flag == "permanent" else 302
        matched = Term((Test("path", "regex", values=(python_regex(regex),), text=text),))
        branches = tuple((*branch, matched) for branch in (when.branches or ((),)))
        return Answer("redirect", status, span, text, Condition(branches, when.negate, when.text))
    return _set_path(node, regex, replacement, when)


def breaks(location: Node) -> list[Step]:
    """A location's ``rewrite … break`` lines: the new URI its upstream receives."""
    found: list[Step] = []
    for node in location.all("rewrite"):
        parts = _parts(node)
        if parts is not None and parts[2] == "break":
            found.append(_set_path(node, parts[0], parts[1], ALWAYS))
    return found


def _set_path(node: Node, regex: str, replacement: str, when: Condition) -> Step:
    span, text = node.directive.span, node.directive.text
    if "?" in replacement:
        return Opaque(f"'{text}': a rewrite that sets the query", span, text, when)
    value = _CAPTURE.sub(r"\\\1", replacement)
    template = template_of(value)
    if template is None:
        return Opaque(f"'{text}': the new URI is computed outside the model", span, text, when)
    pattern = python_regex(regex)
    if all(isinstance(part, str) for part in template):
        return SetPath(value, span, text, pattern=pattern, when=when)
    return SetPath("", span, text, pattern=pattern, dynamic=True, when=when, template=template)
