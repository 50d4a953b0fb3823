"""YAML key/value configurations, flattened to dotted keys with positions.

The document is composed to nodes (never constructed), so duplicate keys are all kept and
every value stays the scalar's text as written (``yes`` stays ``"yes"``). Aliases are
followed, including ``<<`` merge keys; ``yamlread.excess`` refuses documents whose aliases
would blow up (alias bombs) or loop, and documents nested too deeply, before composing.
"""

from __future__ import annotations

from typing import Any

from tcommlint.loaders.generic.properties import KeyValueDocument
from tcommlint.loaders.generic.suppressions import find_suppressions
from tcommlint.model import Entry, ParseError
from tcommlint.source import Located, Span
from tcommlint.yamlread import excess, yaml_error

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Flattener:
    """Walks a composed node graph, emitting one entry per scalar under a mapping."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: list[Entry] = []

    def mapping(self, node: Any, prefix: str) -> None:
        """Flatten a mapping node; merged mappings come first so explicit keys win."""
        from ruamel.yaml.nodes import MappingNode, ScalarNode

        pairs = list(node.value)
        for key, value in pairs:
            if isinstance(key, ScalarNode) and key.tag == _MERGE_TAG:
                for merged in _merge_sources(value):
                    if isinstance(merged, MappingNode):
                        self.mapping(merged, prefix)
        for key, value in pairs:
            if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                self.value(prefix + str(key.value), self.span(key), value, _after(self.path, key))

    def value(self, key: str, key_span: Span, node: Any, empty_at: Span) -> None:
        """Emit a scalar entry, or descend into a nested mapping or sequence.

        ``empty_at`` is the span of an empty plain value (right after the ``:``).
        """
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        if isinstance(node, ScalarNode):
            empty = node.value == "" and not node.style
            located = Located(str(node.value), empty_at if empty else self.span(node))
            self.entries.append(Entry(Located(key, key_span), located))
        elif isinstance(node, MappingNode):
            self.mapping(node, key + ".")
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                span = self.span(item)
                self.value(f"{key}[{index}]", span, item, span)

    def span(self, node: Any) -> Span:
        """The 1-based start of a node."""
        mark = node.start_mark
        return Span(self.path, mark.line + 1, mark.column + 1)


def _after(path: str, key: Any) -> Span:
    """The position after a key and the ``:`` that usually follows it at once."""
    mark = key.end_mark
    return Span(path, mark.line + 1, mark.column + 2)


def _merge_sources(node: Any) -> list[Any]:
    """The mappings named by a ``<<`` value: one mapping or a sequence of them."""
    from ruamel.yaml.nodes import SequenceNode

    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _compose(text: str) -> Any:
    """The single document's root node, or None when empty.

    ``typ="safe"`` without ``pure`` composes through ruamel.yaml.clib's C parser when it is
    installed (the C-backed composer keeps every node's start mark) and falls back to the
    pure-Python one otherwise.
    """
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=False).compose(text)


def parse_keyvalue_yaml(path: str, text: str) -> KeyValueDocument:
    """Read a YAML configuration; nested mappings become dotted keys."""
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode

    suppressions = find_suppressions(path, text, ("#",))
    bound = excess(text)
    if bound is not None:
        error = ParseError(Span(path, bound.line, bound.column), bound.reason)
        return KeyValueDocument((), suppressions, error)
    try:
        root = _compose(text)
    except RecursionError:
        error = ParseError(Span(path, 1, 1), "collections nested too deeply to read")
        return KeyValueDocument((), suppressions, error)
    except YAMLError as exc:
        where = yaml_error(exc, text)
        span = Span(path, max(where.line, 1), max(where.column, 1))
        return KeyValueDocument((), suppressions, ParseError(span, where.reason))
    if not isinstance(root, MappingNode):
        return KeyValueDocument((), suppressions, None)
    flattener = _Flattener(path)
    try:
        flattener.mapping(root, "")
    except RecursionError:
        error = ParseError(flattener.span(root), "collections nested too deeply to read")
        return KeyValueDocument((), suppressions, error)
    return KeyValueDocument(tuple(flattener.entries), suppressions, None)
