"""A strict JSON parser (RFC 8259) that remembers where every key and value starts.

``json.loads`` forgets positions, and findings must point at a line and column, so AS3
declarations and JSON configs are read with :func:`parse_json` instead. Objects come back as
:class:`JsonObject` (a ``dict``), arrays as :class:`JsonArray` (a ``list``), scalars as the
plain Python values ``json.loads`` would give. Positions are 1-based ``(line, column)``
pairs; columns count characters, a tab is one column. JSON has no lines, and ``\\r`` is
whitespace to it: a line ends at ``\\n``, ``\\r\\n`` or ``\\r`` alone, as an editor shows it.

The parser is iterative (no recursion), refuses nesting deeper than
:data:`tcommlint.nesting.MAX_DEPTH`, and scans strings, numbers and whitespace with regular
expressions rather than one character at a time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP

Position = tuple[int, int]


LINE_END = re.compile(r"\r\n?|\n")
_WS = re.compile(r"[ \t\n\r]*")
# A complete string body without escapes or control characters: the common fast case.
_PLAIN_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_STRING = re.compile(r'"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|\\u([0-9a-fA-F]{4})|\\(.)",
    re.S,
)
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_VALID_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


class JsonSyntaxError(Exception):
    """The text is not valid JSON; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line} column {column}")
        self.message = message
        self.line = line
        self.column = column


class JsonObject(dict[str, Any]):
    """A JSON object with the position of each key and value.

    ``duplicates`` lists the earlier occurrences of keys that appear more than once (the
    last occurrence wins, as in ``json.loads``), each with the position of its key.
    """

    __slots__ = ("duplicates", "span_of_key", "span_of_value", "start")

    def __init__(self, start: Position = (1, 1)) -> None:
        super().__init__()
        self.start: Position = start
        self.span_of_key: dict[str, Position] = {}
        self.span_of_value: dict[str, Position] = {}
        self.duplicates: list[tuple[str, Position]] = []


class JsonArray(list[Any]):
    """A JSON array with the position of each item in ``spans``."""

    __slots__ = ("spans", "start")

    def __init__(self, start: Position = (1, 1)) -> None:
        super().__init__()
        self.start: Position = start
        self.spans: list[Position] = []


def parse_json(text: str) -> Any:
    """Parse ``text`` as one JSON value; raise :class:`JsonSyntaxError` if it is not JSON.

    A leading byte-order mark is ignored (RFC 8259 §8.1 allows that).
    """
    return _Parser(text).parse()


class _Parser:
    """One parse of one text; a stack of open containers replaces recursion."""

    __slots__ = ("_bom", "_newlines", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._bom = 1 if text.startswith("\ufeff") else 0
        self.pos = self._bom
        self._newlines: list[int] | None = None

    # --- positions -------------------------------------------------------------------

    def where(self, offset: int) -> Position:
        """The 1-based (line, column) of a character offset."""
        if self._newlines is None:
            self._newlines = [m.end() for m in LINE_END.finditer(self.text)]
        line = bisect_right(self._newlines, offset)
        line_start = self._newlines[line - 1] if line else self._bom
        return line + 1, offset - line_start + 1

    def fail(self, message: str, offset: int) -> JsonSyntaxError:
        """An error at ``offset``, ready to raise."""
        line, column = self.where(offset)
        return JsonSyntaxError(message, line, column)

    def skip_ws(self) -> str:
        """Move past whitespace and return the next character ('' at the end)."""
        match = _WS.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos
        return self.text[self.pos : self.pos + 1]

    # --- the driver ------------------------------------------------------------------

    def parse(self) -> Any:
        """Parse the whole text."""
        stack: list[JsonObject | JsonArray] = []
        keys: list[str] = []  # the pending key of each open object, parallel to stack
        while True:
            value, span = self.value_or_open(stack, keys)
            if value is _OPENED:
                continue
            while True:
                if not stack:
                    if self.skip_ws():
                        raise self.fail("extra data after the JSON value", self.pos)
                    return value
                if not self.attach(stack, keys, value, span):
                    break  # a comma: parse the next value
                closed = stack.pop()
                if isinstance(closed, JsonObject):
                    keys.pop()
                value, span = closed, closed.start

    def value_or_open(
        self, stack: list[JsonObject | JsonArray], keys: list[str]
    ) -> tuple[Any, Position]:
        """Read a scalar or an empty container, or open a container and push it."""
        char = self.skip_ws()
        start = self.pos
        span = self.where(start)
        if char == "{" or char == "[":
            if len(stack) >= MAX_DEPTH:
                raise self.fail(NESTED_TOO_DEEP, start)
            self.pos += 1
            container: JsonObject | JsonArray
            if char == "{":
                container = JsonObject(span)
                if self.skip_ws() == "}":
                    self.pos += 1
                    return container, span
                keys.append(self.key(container))
            else:
                container = JsonArray(span)
                if self.skip_ws() == "]":
                    self.pos += 1
                    return container, span
            stack.append(container)
            return _OPENED, span
        return self.scalar(char), span

    def attach(
        self, stack: list[JsonObject | JsonArray], keys: list[str], value: Any, span: Position
    ) -> bool:
        """Store a finished value in the open container; True when that container closes."""
        top = stack[-1]
        char = self.skip_ws()
        if isinstance(top, JsonObject):
            key = keys[-1]
            top[key] = value
            top.span_of_value[key] = span
            if char == ",":
                self.pos += 1
                self.skip_ws()
                keys[-1] = self.key(top)
                return False
            if char == "}":
                self.pos += 1
                return True
            raise self.fail("expected ',' or '}' after an object member", self.pos)
        top.append(value)
        top.spans.append(span)
        if char == ",":
            self.pos += 1
            return False
        if char == "]":
            self.pos += 1
            return True
        raise self.fail("expected ',' or ']' after an array item", self.pos)

    def key(self, obj: JsonObject) -> str:
        """Read ``"key" :`` at the current position and record the key's position."""
        if self.text[self.pos : self.pos + 1] != '"':
            raise self.fail("expected a string key in double quotes", self.pos)
        start = self.pos
        key = self.string()
        position = self.where(start)
        if key in obj.span_of_key:
            obj.duplicates.append((key, obj.span_of_key[key]))
        obj.span_of_key[key] = position
        if self.skip_ws() != ":":
            raise self.fail("expected ':' after an object key", self.pos)
        self.pos += 1
        return key

    # --- scalars ---------------------------------------------------------------------

    def scalar(self, char: str) -> Any:
        """A string, number, or literal at the current position."""
        if char == '"':
            return self.string()
        if char == "-" or char.isdigit():
            return self.number()
        for word, value in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        if not char:
            raise self.fail("unexpected end of input, expected a value", self.pos)
        raise self.fail(f"unexpected character {char!r}, expected a value", self.pos)

    def string(self) -> str:
        """A string starting at the current ``"``."""
        match = _PLAIN_STRING.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return match.group(1)
        match = _STRING.match(self.text, self.pos)
        if not match:
            raise self.string_error()
        self.pos = match.end()
        return _ESCAPE.sub(_unescape, match.group(1))

    def string_error(self) -> JsonSyntaxError:
        """Explain why the string at the current position is invalid."""
        offset = self.pos + 1
        text = self.text
        while offset < len(text):
            char = text[offset]
            if char == '"':
                break
            if char < " ":
                return self.fail("control character in a string (must be escaped)", offset)
            if char == "\\":
                if not _VALID_ESCAPE.match(text, offset):
                    return self.fail("invalid escape sequence in a string", offset)
                offset += 2
                continue
            offset += 1
        return self.fail("unterminated string", self.pos)

    def number(self) -> int | float:
        """A number at the current position, as ``json.loads`` would type it."""
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            raise self.fail("invalid number", self.pos)
        self.pos = match.end()
        literal = match.group(0)
        if match.group(1) is None and match.group(2) is None:
            try:
                return int(literal)
            except ValueError:  # beyond Python's int-from-string digit limit
                raise self.fail("number has too many digits", match.start()) from None
        return float(literal)


_OPENED = object()


def _unescape(match: re.Match[str]) -> str:
    """The character one escape sequence (or one escaped surrogate pair) stands for."""
    high, low, code, simple = match.groups()
    if high is not None:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
    if code is not None:
        # A lone surrogate is kept, as json.loads keeps it; RFC 8259 leaves it undefined.
        return chr(int(code, 16))
    return _SIMPLE_ESCAPES[simple]
