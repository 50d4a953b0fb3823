"""Java ``.properties`` files, read exactly as ``java.util.Properties.load`` (JDK 9+) reads them.

Logical lines join natural lines ending in an odd number of backslashes (the continuation
line's leading whitespace is dropped); ``#``/``!`` start a comment only as the first
non-blank character of a logical line; the key ends at the first unescaped ``=``, ``:`` or
whitespace; whitespace around the separator is skipped; escapes are unescaped; trailing
whitespace of the value is kept. Every key and value keeps the line and column where it
starts.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_right
from functools import partial
from itertools import compress, repeat

from tcommlint.loaders.generic.suppressions import suppression_from_comment
from tcommlint.model import Entry, ParseError, Suppression
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

_WHITESPACE = " \t\f"
_SEPARATORS = "=:"
_NATURAL_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
_SURROGATE_PAIR = LazyPattern("[\ud800-\udbff][\udc00-\udfff]")
_SIMPLE_ESCAPES = {"t": "\t", "r": "\r", "n": "\n", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")
# A natural line (with its line end) that is read the same way without the careful reader: no
# backslash (no escape, no continuation), a key of no whitespace or separator. Nearly every
# real line. Possessive: a line that is not simple fails at once, never by trying every other
# split of a long key (which took time quadratic in the line's length).
_BLANKS = r"[ \t\f]*+"
_KEY = r"[^ \t\f=:#!\\\r\n][^ \t\f=:\\\r\n]*+"
_VALUE = r"[^\\\r\n]*+"
_LINE_END = r"(?:\r\n|\r|\n|\Z)"
# Groups: everything before the value, the indent, key, blanks, separator, blanks, the value.
_SIMPLE_LINE = re.compile(
    rf"(({_BLANKS})({_KEY})({_BLANKS})([=:]?+)({_BLANKS}))({_VALUE}){_LINE_END}"
)
# Up to RUN simple lines in a row: read together, their records built by C loops (``map``)
# rather than a Python loop per line; a bounded run keeps the groups in memory small.
RUN = 4096
_SIMPLE_RUN = re.compile(
    rf"(?:{_BLANKS}{_KEY}{_BLANKS}[=:]?+{_BLANKS}{_VALUE}{_LINE_END}){{1,{RUN}}}+"
)
_span = partial(tuple.__new__, Span)
_located = partial(tuple.__new__, Located)
_entry_of = partial(tuple.__new__, Entry)
_plus_one = (1).__add__


class KeyValueDocument(NamedTuple):
    """What a key/value loader read from one file.

    ``entries`` are in file order with duplicates kept; ``error`` is set when the file
    could not be read to the end (the entries read before it are kept).
    """

    entries: tuple[Entry, ...]
    suppressions: tuple[Suppression, ...]
    error: ParseError | None


class _LogicalLine(NamedTuple):
    """The characters of one logical line and where they came from: ``starts`` holds the index
    in ``chars`` where each natural line's part begins, ``places`` its (line, column)."""

    chars: str
    starts: tuple[int, ...]
    places: tuple[tuple[int, int], ...]
    anchor: tuple[int, int]  # where the logical line starts, even if it ends up empty


class _MalformedEscape(Exception):
    """A ``\\u`` escape not followed by four hex digits (Java throws here)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class _Joined:
    """A logical line being joined from natural lines ending in a continuation."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.places: list[tuple[int, int]] = []
        self.size = 0  # characters joined so far
        self.anchor = (1, 1)

    def add(self, number: int, column: int, part: str) -> None:
        if part:
            self.parts.append(part)
            self.starts.append(self.size)
            self.places.append((number, column))
            self.size += len(part)

    def take(self) -> _LogicalLine:
        """The logical line joined so far; the next one starts empty."""
        line = _LogicalLine(
            "".join(self.parts), tuple(self.starts), tuple(self.places), self.anchor
        )
        self.parts, self.starts, self.places, self.size = [], [], [], 0
        return line


def parse_properties(path: str, text: str) -> KeyValueDocument:
    """Read ``text`` as ``java.util.Properties.load`` does; ``path`` is used in spans.

    One pass over the text: a simple line is read at once into its entry, any other natural
    line by the careful reader, which joins continued lines into a logical line."""
    entries: list[Entry] = []
    comments: list[Suppression] = []
    simple = _SIMPLE_RUN.match
    joined = _Joined()
    position, number, end = 0, 1, len(text)
    while position < end:
        if not joined.size:
            run = simple(text, position)
            if run is not None:
                lines = _SIMPLE_LINE.findall(text, position, run.end())
                entries += _simple_entries(path, number, lines)
                position = run.end()
                number += len(lines)
                continue
        natural = _NATURAL_LINE.match(text, position)
        assert natural is not None  # it matches anywhere, if only the empty line end
        position = natural.end()
        item = _careful(path, number, natural, joined, position < end)
        number += 1
        if item is None:
            continue
        if isinstance(item, Suppression):
            comments.append(item)
            continue
        try:
            entries.append(_entry(path, item))
        except _MalformedEscape as exc:
            line, column = _place(item, exc.index)
            error = ParseError(Span(path, line, column), "Malformed \\uxxxx encoding")
            return KeyValueDocument(tuple(entries), tuple(comments), error)
    return KeyValueDocument(tuple(entries), tuple(comments), None)


def _careful(
    path: str, number: int, natural: re.Match[str], joined: _Joined, more: bool
) -> _LogicalLine | Suppression | None:
    """One natural line read character by character: the logical line it ends, the suppression
    its comment holds, or None (a blank line, a comment, a line continued on the next one).
    ``more`` says whether another natural line follows."""
    content, terminator = natural.group(1), natural.group(2)
    start = len(content) - len(content.lstrip(_WHITESPACE))
    if start == len(content):
        return joined.take() if joined.size else None
    if not joined.size and content[start] in "#!":
        return _comment(path, number, start, content)
    segment = content[start:]
    if not joined.size:
        joined.anchor = (number, start + 1)
    backslashes = len(segment) - len(segment.rstrip("\\"))
    continued = backslashes % 2 == 1
    joined.add(number, start + 1, segment[:-1] if continued else segment)
    if continued:
        if more:
            return None
        # At end of input Java still returns the (possibly empty) line, except after
        # "\r\n", where it consumes the "\n" first and then finds nothing to return.
        if terminator == "\r\n" and not joined.size:
            return None
    return joined.take()


def _simple_entries(path: str, first: int, lines: list[tuple[str, ...]]) -> list[Entry]:
    """The entries of lines without backslashes (``_SIMPLE_LINE``'s groups), the first one on
    line ``first``, placed as ``_entry`` places them."""
    before, indents, keys, blanks, separators, _, values = zip(*lines, strict=True)
    numbers = list(range(first, first + len(lines)))  # one int per line for both spans
    key_columns = map(_plus_one, map(len, indents))
    value_columns = list(map(_plus_one, map(len, before)))
    # An empty value is placed right after its separator, or right after the key.
    for index in compress(range(len(values)), map(operator.not_, values)):
        column = len(indents[index]) + 1 + len(keys[index])
        if separators[index]:
            column += len(blanks[index]) + 1
        value_columns[index] = column
    # tuple.__new__ builds the records without their Python-level __new__, and map without a
    # Python frame per line: most of the time of an 800,000-line file was spent there.
    key_spans = map(_span, zip(repeat(path), numbers, key_columns))
    value_spans = map(_span, zip(repeat(path), numbers, value_columns))
    located_keys = map(_located, zip(keys, key_spans, repeat(False), repeat("")))
    located_values = map(_located, zip(values, value_spans, repeat(False), repeat("")))
    return list(map(_entry_of, zip(located_keys, located_values, strict=True)))


def _comment(path: str, number: int, start: int, content: str) -> Suppression | None:
    """The suppression held by a comment line, if any."""
    span = Span(path, number, start + 1)
    return suppression_from_comment(span, content[start + 1 :], alone=True)


def _entry(path: str, line: _LogicalLine) -> Entry:
    """Split a logical line into key and value as ``Properties.load0`` does."""
    chars = line.chars
    key_end, value_start, separator = _split(chars)
    key = _unescape(chars, 0, key_end)
    value = _unescape(chars, value_start, len(chars))
    key_span = _span_at(path, line, 0)
    if value_start < len(chars):
        value_span = _span_at(path, line, value_start)
    elif separator is not None:
        value_span = _span_after(path, line, separator)
    else:
        value_span = _span_after(path, line, key_end - 1)
    return Entry(Located(key, key_span), Located(value, value_span))


def _split(chars: str) -> tuple[int, int, int | None]:
    """``(key end, value start, separator index or None)`` of a logical line."""
    key_end = 0
    value_start = len(chars)
    separator: int | None = None
    escaped = False
    while key_end < len(chars):
        char = chars[key_end]
        if not escaped and char in _SEPARATORS:
            separator = key_end
            value_start = key_end + 1
            break
        if not escaped and char in _WHITESPACE:
            value_start = key_end + 1
            break
        escaped = char == "\\" and not escaped
        key_end += 1
    while value_start < len(chars):
        char = chars[value_start]
        if char not in _WHITESPACE:
            if separator is not None or char not in _SEPARATORS:
                break
            separator = value_start
        value_start += 1
    return key_end, value_start, separator


def _unescape(chars: str, start: int, end: int) -> str:
    """Java ``loadConvert``: ``\\t \\n \\r \\f \\uXXXX`` and ``\\x`` -> ``x``."""
    if "\\" not in chars[start:end]:
        return chars[start:end]
    out: list[str] = []
    index = start
    while index < end:
        char = chars[index]
        index += 1
        if char != "\\" or index >= end:
            out.append(char)
            continue
        char = chars[index]
        index += 1
        if char == "u":
            digits = chars[index : index + 4]
            if index + 4 > end or not all(digit in _HEX for digit in digits):
                raise _MalformedEscape(index - 2)
            out.append(chr(int(digits, 16)))
            index += 4
        else:
            out.append(_SIMPLE_ESCAPES.get(char, char))
    return _SURROGATE_PAIR.sub(_join_pair, "".join(out))


def _join_pair(match: re.Match[str]) -> str:
    """One code point from a UTF-16 surrogate pair (Java strings are UTF-16)."""
    high, low = (ord(char) for char in match.group(0))
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _place(line: _LogicalLine, index: int) -> tuple[int, int]:
    """The (line, column) of character ``index`` of the logical line (which has characters)."""
    part = bisect_right(line.starts, index) - 1
    number, column = line.places[part]
    return number, column + index - line.starts[part]


def _span_at(path: str, line: _LogicalLine, index: int) -> Span:
    """Where character ``index`` of the logical line is in the file."""
    if not line.chars:
        return Span(path, *line.anchor)
    return Span(path, *_place(line, min(index, len(line.chars) - 1)))


def _span_after(path: str, line: _LogicalLine, index: int) -> Span:
    """The position right after character ``index`` of the logical line."""
    if index < 0 or not line.chars:
        return _span_at(path, line, 0)
    number, column = _place(line, index)
    return Span(path, number, column + 1)
