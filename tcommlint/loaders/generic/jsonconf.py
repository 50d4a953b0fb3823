"""JSON key/value configurations, flattened to dotted keys with positions.

Scalars are rendered as the Java program reads them: strings as-is, ``true``/``false``/
``null`` as those words, numbers as written in the file. Every occurrence of a duplicated
key becomes an entry, in file order.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from tcommlint.loaders.generic.properties import KeyValueDocument
from tcommlint.model import Entry, ParseError
from tcommlint.source import Located, Span

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEY_THEN_COLON = re.compile(r'"(?:[^"\\]|\\.)*"\s*:\s*', re.DOTALL)


class _Text:
    """The source text, to turn 1-based (line, column) pairs back into offsets."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        from tcommlint.loaders.generic.jsonpos import LINE_END

        self._starts = [0] + [match.end() for match in LINE_END.finditer(text)]

    def offset(self, position: tuple[int, int]) -> int:
        """The character offset of a (line, column) pair."""
        line, column = position
        bom = 1 if line == 1 and self.text.startswith("\ufeff") else 0
        return self._starts[line - 1] + bom + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of a character offset."""
        line = bisect.bisect_right(self._starts, offset)
        bom = 1 if line == 1 and self.text.startswith("\ufeff") else 0
        return line, offset - self._starts[line - 1] - bom + 1


class _Flattener:
    """Turns positioned JSON values into entries."""

    def __init__(self, path: str, text: _Text) -> None:
        self.path = path
        self.text = text
        self.entries: list[Entry] = []

    def span(self, position: tuple[int, int]) -> Span:
        """A Span from a (line, column) pair."""
        return Span(self.path, *position)

    def value(self, key: str, key_at: tuple[int, int], value: Any, value_at: Any) -> None:
        """Emit one scalar, or descend into an object or array.

        ``value_at`` is the value's position, or ``None`` when only the key's is known
        (values of earlier duplicates, read without positions).
        """
        from tcommlint.loaders.generic.jsonpos import JsonArray, JsonObject

        if isinstance(value, JsonObject):
            self.obj(value, key + ".")
        elif isinstance(value, JsonArray):
            for index, (item, at) in enumerate(zip(value, value.spans, strict=True)):
                self.value(f"{key}[{index}]", at, item, at)
        elif isinstance(value, dict):
            for name, item in value.items():
                self.value(f"{key}.{name}", key_at, item, None)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.value(f"{key}[{index}]", key_at, item, None)
        else:
            at = key_at if value_at is None else value_at
            rendered = self.render(value, value_at)
            located = Located(rendered, self.span(at))
            self.entries.append(Entry(Located(key, self.span(key_at)), located))

    def obj(self, obj: Any, prefix: str) -> None:
        """Every member of an object, earlier duplicates included."""
        for name, value in obj.items():
            self.value(prefix + name, obj.span_of_key[name], value, obj.span_of_value[name])
        for name, key_at in obj.duplicates:
            value, value_at = self.read_duplicate(key_at)
            self.value(prefix + name, key_at, value, value_at)

    def read_duplicate(self, key_at: tuple[int, int]) -> tuple[Any, tuple[int, int] | None]:
        """The value of an overridden member, read again from its key's position."""
        start = self.text.offset(key_at)
        match = _KEY_THEN_COLON.match(self.text.text, start)
        if match is None:
            return None, None
        try:
            value, _ = json.JSONDecoder().raw_decode(self.text.text, match.end())
        except ValueError:
            return None, None
        at = self.text.position(match.end())
        return value, at if not isinstance(value, (dict, list)) else None

    def render(self, value: Any, value_at: tuple[int, int] | None) -> str:
        """A scalar as the Java program reads it; numbers as written."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)) and value_at is not None:
            match = _NUMBER.match(self.text.text, self.text.offset(value_at))
            if match:
                return match.group(0)
        return str(value)


def parse_keyvalue_json(path: str, text: str) -> KeyValueDocument:
    """Read a JSON configuration; nested objects become dotted keys."""
    from tcommlint.loaders.generic.jsonpos import JsonObject, JsonSyntaxError, parse_json

    try:
        root = parse_json(text)
    except JsonSyntaxError as exc:
        error = ParseError(Span(path, max(exc.line, 1), max(exc.column, 1)), exc.message)
        return KeyValueDocument((), (), error)
    if not isinstance(root, JsonObject):
        return KeyValueDocument((), (), None)
    flattener = _Flattener(path, _Text(text))
    flattener.obj(root, "")
    entries = sorted(flattener.entries, key=lambda e: (e.key.span.line, e.key.span.column))
    return KeyValueDocument(tuple(entries), (), None)
