"""Reader for F5 BIG-IP tmsh configuration files (``bigip.conf`` and friends).

The grammar is small: top-level objects ``<words…> <name> { <body> }``; a body is a list of
items, each a run of words on one line optionally ending in a nested ``{ … }`` block (list
braces and nested objects look the same). Double-quoted strings may span lines and use
backslash escapes; ``#`` starts a comment when it is the first thing on a line.

Script bodies — iRules (``ltm rule``), ``cli script`` and the Tcl/HTML parts of
``sys application template`` and friends — are Tcl, not tmsh. They are captured as raw
text by :func:`tcl_block_end`, a brace counter that knows the Tcl rules that matter for
balance, and are never evaluated.

Every token keeps its 1-based line and column. Nothing here knows what an object means;
:mod:`tcommlint.loaders.f5.bigip` builds the model from the objects.

Speed: :func:`read_tmsh` only splits the file into objects. Where an object ends is
guessed (the next ``}`` at column 0) and the guess is kept only when proved with
whole-text string operations that run in C (:mod:`tcommlint.loaders.f5.tmsh_proof`): for a
file laid out the way tmsh saves it, all at once (:func:`_split_in_bulk`), else object by
object (:func:`_read_objects_one_by_one`); when a proof fails, the exact token-by-token
reader (or :func:`tcl_block_end`) decides, so the result is always the exact reader's. The
words of a body are read when :attr:`TmshObject.body` is first used (by
:func:`_quick_block` unless the body holds a comment line or a script), and lines and
columns are counted only for the positions asked for.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from itertools import accumulate, count
from operator import add
from typing import NamedTuple

from tcommlint.loaders.f5.sniff import MODULE
from tcommlint.loaders.f5.tmsh_proof import (
    SCRIPT_KEYS,
    TCL_QUOTE_AFTER,
    TMSH_QUOTE_AFTER,
    all_balanced,
    plain_depth,
)
from tcommlint.model import ParseError
from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP
from tcommlint.source import Span

# Objects whose whole body is a script, and item keys whose block is one.
SCRIPT_OBJECTS = frozenset({"ltm rule", "gtm rule", "pem irule", "cli script"})

_MODULE = MODULE
# One token after optional blanks; the group that matched (``lastindex``) is its kind.
_TOKEN = re.compile(
    r"""[^\S\n]*(?:
        (\n)
      | ("(?:[^"\\]|\\.)*")
      | (")
      | (\{)
      | (\})
      | ([^\s{}"][^\s{}]*))""",
    re.X | re.S,
)
_NEWLINE, _QUOTED, _UNTERMINATED, _OPEN, _CLOSE, _WORD = range(1, 7)
# The same lexemes for finditer, which skips the blanks between them.
_LEXEME = re.compile(r'\n|"(?:[^"\\]|\\.)*"|[{}"]|[^\s{}"][^\s{}]*', re.S)
# (blanks, lexeme) pairs for findall: every character of a body is in one of them.
_PAIRS = re.compile(r'([^\S\n]*)(\n|"(?:[^"\\]|\\.)*"|[{}"]|[^\s{}"][^\s{}]*)', re.S)
_SPECIAL = frozenset('\n{}"')
_COMMENT_AT_LINE_START = re.compile(r"\n[^\S\n]*#")
_UNESCAPE = re.compile(r"\\(.)", re.S)
_QUOTE_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_TCL_SPECIAL = re.compile(r'[\\{}"#\n;\[]')

# Top level: blanks and comment lines between objects, and a header of plain words.
_GAP = re.compile(r"(?:\s+|#[^\n]*)*")
_HEADER = re.compile(r'([^\s{}"#][^\s{}]*(?:[^\S\n]+[^\s{}"][^\s{}]*)*)[^\S\n]*\{')

# Where an object ends, guessed and then proved (see tmsh_proof).
# A body closed on its header line, with nothing tmsh and Tcl might read differently.
_ONE_LINE_BODY = r'[^{}"#\\\n]*+\}'
_ONE_LINE = re.compile(_ONE_LINE_BODY)
_MAX_GUESSES = 6
_SETTLE_PARTS = 8  # a bulk proof that fails is retried on this many parts
# The gap before an object and its header as tmsh writes it: printable ASCII words without
# quotes or braces, " {", then a body closed on that line with nothing tmsh and Tcl might
# read differently (group 2, up to its "}"), or the end of the line (group 3).
_SAVED_HEADER = re.compile(
    r"(?:\s++|#[^\n]*+)*+([!$-z|~][!#-z|~]*+(?: [!#-z|~]++)*+) \{"
    rf"(?:({_ONE_LINE_BODY})|[ \t\r]*+(\n))?"
)
_COLUMN_0_CLOSE = re.compile(r"\n\}")  # a regex finds it faster than str.find here
# A "}" at column 0, blank and comment lines, the next header: re.split keeps the lines
# and the header, and the characters it drops are always the same, so offsets are
# running sums. (Possessive, and a single newline tried first: what tmsh writes, fastest.)
_TRANSITION = re.compile(
    rf"\n\}}(\n|[ \t\r]*+\n(?:[ \t\r]*+(?:#[^\n]*+)?\n)*+)"
    rf"({_MODULE} [!#-z|~]++(?: [!#-z|~]++)*+) \{{"
)
# The "}" at column 0 that ends a script object: the rest of its line, blank and comment
# lines, then the next object's module word, or only blanks to the end.
_SCRIPT_CLOSE = re.compile(
    rf"\n(\}})[ \t\r]*(?:\n(?:[ \t\r]*(?:#[^\n]*)?\n)*[ \t]*{_MODULE}[ \t]|\s*\Z)"
)


class Token(NamedTuple):
    """One word of tmsh text; ``text`` is unquoted and unescaped."""

    text: str
    line: int
    column: int
    quoted: bool = False


class RawText(NamedTuple):
    """A script body captured verbatim; ``line``/``column`` locate its first character."""

    text: str
    line: int
    column: int


class Item(NamedTuple):
    """One line of a body: its words and the block or script that may end it."""

    words: tuple[Token, ...]
    block: Block | None = None
    raw: RawText | None = None

    @property
    def key(self) -> str:
        """The first word, or "" for an item that is only a block."""
        return self.words[0].text if self.words else ""


class Block(NamedTuple):
    """The items between a pair of braces; ``line``/``column`` locate the ``{``."""

    items: tuple[Item, ...]
    line: int
    column: int

    def get(self, key: str) -> Item | None:
        """The first item whose first word is ``key``."""
        for item in self.items:
            if item.key == key:
                return item
        return None

    def value(self, key: str) -> Token | None:
        """The word after ``key``, whether ``key`` starts a line or sits in a one-line list
        of pairs such as ``{ address 10.0.0.1 priority-group 10 }``."""
        for item in self.items:
            words = item.words
            for index in range(0, len(words) - 1, 2):
                if words[index].text == key:
                    return words[index + 1]
        return None

    def words(self) -> list[Token]:
        """Every word of every item, for list braces such as ``rules { /Common/a /Common/b }``."""
        return [word for item in self.items for word in item.words]


# Build tokens and items from a tuple of all their fields, without a Python-level __new__.
_new_token: Callable[[tuple[str, int, int, bool]], Token] = partial(tuple.__new__, Token)
_new_item: Callable[[tuple[tuple[Token, ...], Block | None, RawText | None]], Item] = partial(
    tuple.__new__, Item
)


class _Source:
    """One file's text; turns offsets into (line, column), counting newlines only up to the
    offsets asked for (from the nearest offset already known)."""

    __slots__ = ("_lines", "_offsets", "misses", "path", "text")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.misses = 0  # object ends the fast path could not prove (see _fast_end)
        self._offsets = [0]
        self._lines = [1]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        index = bisect_right(self._offsets, offset) - 1
        known = self._offsets[index]
        line = self._lines[index] + self.text.count("\n", known, offset)
        if offset != known:
            self._offsets.insert(index + 1, offset)
            self._lines.insert(index + 1, line)
        return line, offset - self.text.rfind("\n", 0, offset)


class TmshObject:
    """A top-level object: header words, then a body block or a raw script body.

    ``kind`` is the header without the name (``ltm persistence cookie``), ``name`` its last
    word (``/Common/cookie_jsess``). ``body`` is read on first use; for a script object it
    is an empty block and ``raw`` holds the script, else ``raw`` is None.
    """

    __slots__ = ("_block", "_brace", "_end", "_raw", "_source", "_start", "kind", "name")

    def __init__(
        self, source: _Source, start: int, brace: int, kind: str, name: str, end: int
    ) -> None:
        self._source = source
        self._start = start
        self._brace = brace
        self.kind = kind
        self.name = name
        self._end = end
        self._block: Block | None = None
        self._raw: RawText | None = None

    @property
    def path(self) -> str:
        """The file the object is in."""
        return self._source.path

    @property
    def span(self) -> Span:
        """Where the header starts."""
        return Span(self.path, *self._source.position(self._start))

    @property
    def header(self) -> tuple[Token, ...]:
        """The header words with their positions."""
        line, column = self._source.position(self._start)
        return _header_tokens(self._source.text, self._start, self._brace, line, column)

    @property
    def body(self) -> Block:
        """The items of the body (empty for a script object), read on first use."""
        if self._block is None:
            self._block = self._read_body()
        return self._block

    @property
    def raw(self) -> RawText | None:
        """The script body of an ``ltm rule`` and the like, else None."""
        if self._raw is None and self.kind in SCRIPT_OBJECTS:
            line, column = self._source.position(self._brace + 1)
            self._raw = RawText(self._source.text[self._brace + 1 : self._end], line, column)
        return self._raw

    def _read_body(self) -> Block:
        line, column = self._source.position(self._brace)
        if self.kind in SCRIPT_OBJECTS:
            return Block((), line, column)
        quick = _quick_block(self._source.text, self._brace, self._end, line, column)
        if quick is not None:
            return quick
        try:
            block, _ = _read_block(self._source.text, self._brace, line, column, self.name)
        except TmshSyntaxError:  # not reached: read_tmsh proved the body reads
            return Block((), line, column)
        return block


class TmshSyntaxError(Exception):
    """Internal: carries a ParseError out of the reader."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.column = column
        self.reason = reason


def read_tmsh(path: str, text: str) -> tuple[list[TmshObject], list[ParseError]]:
    """Read every top-level object of one tmsh file.

    A syntax error stops the reading of the rest of the file (braces no longer pair up):
    the objects before it are returned with one ParseError.
    """
    stray = _lone_carriage_return(text)
    if stray is not None:
        return [], [ParseError(Span(path, *stray), _LONE_CR_REASON)]
    source = _Source(path, text)
    objects: list[TmshObject] = []
    try:
        _read_objects(source, objects)
    except TmshSyntaxError as error:
        return objects, [ParseError(Span(path, error.line, error.column), error.reason)]
    return objects, []


_LONE_CR_REASON = (
    "a carriage return not followed by a line feed: tmsh files end their lines with LF "
    "(or CRLF), and how tmsh reads a carriage return alone is not known"
)


def _lone_carriage_return(text: str) -> tuple[int, int] | None:
    """The line and column of the first ``\\r`` followed by more than blanks on its line.

    A ``\\r`` before the ``\\n`` is a blank to the reader (CRLF reads like LF); one that
    ends a line on its own would move every line and item after it, so it is refused.
    """
    if "\r" not in text:
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        cut = line.find("\r")
        if cut >= 0 and line[cut:].strip(" \t\r"):
            return number, cut + 1
    return None


# --- top level ----------------------------------------------------------------------------


def _read_objects(source: _Source, objects: list[TmshObject]) -> None:
    """Append every object of ``source`` to ``objects``; raises TmshSyntaxError."""
    in_bulk = _split_in_bulk(source)
    if in_bulk is not None:
        objects.extend(in_bulk)
        return
    _read_objects_one_by_one(source, objects)


def _split_in_bulk(source: _Source) -> list[TmshObject] | None:
    """Every object of a file laid out the way tmsh saves it, or None to leave the file to
    :func:`_read_objects_one_by_one`.

    One ``re.split`` at the transitions between objects (:data:`_TRANSITION`: a ``}`` at
    column 0, blank and comment lines, the next header and its ``{``) yields most headers
    and bodies at once, with offsets as running sums of the lengths; an object whose body
    starts on the next line is guessed to end at the next transition. The text before the
    first transition, after the last, and around objects closed on their header line is
    walked object by object (:meth:`_BulkSplit.walk`). All guesses are proved together at
    the end (:meth:`_BulkSplit.proved`). Anything unusual returns None; the reader that
    takes over then decides, and reports any error.
    """
    parts = _TRANSITION.split(source.text)  # text, then gap, header, text per transition
    # Where transition j (from 1) starts its gap: the lengths of the parts before it plus
    # what re.split dropped, "\n}" before each gap and " {" after each header: 4j - 2.
    lengths = list(accumulate(map(len, parts), initial=0))
    transitions = len(parts) // 3
    split = _BulkSplit(source)
    if not split.walk(0, lengths[1] + 1 if transitions else None):
        return None
    keep = split.objects.append
    tmsh_object, tmsh_body = split.tmsh.objects.append, split.tmsh.bodies.append
    tcl_object, tcl_body = split.tcl.objects.append, split.tcl.bodies.append
    # every transition but the last: its header, where it starts (the lengths before it
    # and 4j - 2), the text after it, and where that text's closing "}" is (the lengths
    # before the next gap, and the 4j - 2 dropped before this one, and 3 more)
    starts = map(add, lengths[2::3], count(2, 4))
    closes = map(add, lengths[4:-1:3], count(5, 4))
    for head, start, body, close in zip(parts[2::3], starts, parts[3::3], closes, strict=False):
        if body and body[0] != "\n":  # closed on its header line, or more on that line
            if not split.walk(start, close):
                return None
            continue
        # what split.add and split.walk do, written out: this runs once per object
        kind, _, name = head.rpartition(" ")
        obj = TmshObject(source, start, start + len(head) + 1, kind, name, close)
        keep(obj)
        if kind in SCRIPT_OBJECTS:
            tcl_object(obj)
            tcl_body(body)
        else:
            tmsh_object(obj)
            tmsh_body(body)
    if transitions and not split.walk(lengths[-3] + 4 * transitions - 2, None):
        return None
    return split.objects if split.proved() else None


class _Guesses:
    """Objects whose guessed end is still to be proved, with their bodies (each without the
    newline before its closing ``}``), all read by one set of quoting rules."""

    def __init__(self, quote_after: frozenset[str]) -> None:
        self.quote_after = quote_after
        self.objects: list[TmshObject] = []
        self.bodies: list[str] = []

    def add(self, obj: TmshObject, body: str) -> None:
        self.objects.append(obj)
        self.bodies.append(body)

    def proved(self) -> bool:
        """True when every guessed end holds (see :func:`_settle`)."""
        return _settle(self.objects, self.bodies, self.quote_after)


class _BulkSplit:
    """The objects of one file as guessed so far, and those whose body is still to be
    proved (tmsh bodies and scripts apart)."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.objects: list[TmshObject] = []
        self.tmsh = _Guesses(TMSH_QUOTE_AFTER)
        self.tcl = _Guesses(TCL_QUOTE_AFTER)

    def add(self, obj: TmshObject, body: str) -> None:
        """Keep ``obj``, and ``body`` (its body without the newline before the closing ``}``)
        to be proved."""
        self.objects.append(obj)
        (self.tcl if obj.kind in SCRIPT_OBJECTS else self.tmsh).add(obj, body)

    def walk(self, pos: int, close: int | None) -> bool:
        """Read objects one by one from ``pos`` until one ends at ``close`` (the ``}`` of a
        transition), or with ``close`` None until only blanks and comments are left; False
        when the text does not read that way."""
        text = self.source.text
        while True:
            found = _SAVED_HEADER.match(text, pos)
            if found is None:
                return close is None and _GAP.match(text, pos).end() == len(text)  # type: ignore[union-attr]
            obj = self._object(found)
            if obj is None:
                return False
            if close is not None and obj._end >= close:
                return obj._end == close
            pos = obj._end + 1

    def _object(self, found: re.Match[str]) -> TmshObject | None:
        """The object whose header ``found`` matched, its end guessed and kept; None if no
        end fits."""
        head, one_line, newline = found.group(1, 2, 3)
        kind, _, name = head.rpartition(" ")
        brace = found.end(1) + 1
        if one_line is not None:
            obj = TmshObject(self.source, found.start(1), brace, kind, name, found.end(2) - 1)
            self.objects.append(obj)
            return obj
        if newline is None:
            return None
        text = self.source.text
        if kind in SCRIPT_OBJECTS:
            close = _SCRIPT_CLOSE.search(text, brace)
            end = close.start(1) if close is not None else 0
        else:
            close = _COLUMN_0_CLOSE.search(text, brace)
            end = close.end() - 1 if close is not None else 0
        if not end:
            return None
        obj = TmshObject(self.source, found.start(1), brace, kind, name, end)
        self.add(obj, text[brace + 1 : end - 1])
        return obj

    def proved(self) -> bool:
        """True when every guessed end holds."""
        return self.tmsh.proved() and self.tcl.proved()


def _settle(objects: list[TmshObject], bodies: list[str], quote_after: frozenset[str]) -> bool:
    """True when every guessed end holds: all proved at once, else each of a few parts
    proved apart, down to single bodies; one that resists proof is read exactly. Each of
    ``bodies`` lacks the newline before its object's closing ``}``."""
    if len(bodies) == 1:
        return plain_depth(bodies[0] + "\n", quote_after) == 0 or _read_exactly(objects[0])
    if all_balanced(bodies, quote_after, ending="\n"):
        return True
    size = -(-len(bodies) // _SETTLE_PARTS)
    return all(
        _settle(objects[start : start + size], bodies[start : start + size], quote_after)
        for start in range(0, len(bodies), size)
    )


def _read_exactly(obj: TmshObject) -> bool:
    """True when the exact reader ends ``obj`` where it was guessed to end. Positions do
    not matter here (the body is read again on first use), so none are counted."""
    text, brace = obj._source.text, obj._brace
    if obj.kind in SCRIPT_OBJECTS:
        return tcl_block_end(text, brace + 1) == obj._end
    try:
        _, end = _read_block(text, brace, 1, brace + 1, obj.name)
    except TmshSyntaxError:
        return False
    return end == obj._end


def _read_objects_one_by_one(source: _Source, objects: list[TmshObject]) -> None:
    """Every object read in turn, its end proved alone or read by the careful reader."""
    text = source.text
    length = len(text)
    gap, plain_header = _GAP.match, _HEADER.match
    pos = 0
    while True:
        pos = gap(text, pos).end()  # type: ignore[union-attr]  # it matches "" too
        if pos >= length:
            return
        found = plain_header(text, pos)
        if found is None:
            header = _careful_header(source, pos)
        else:
            words = found.group(1).split()
            header = (pos, found.end() - 1, " ".join(words[:-1]), words[-1])
        obj = _read_object(source, header)
        objects.append(obj)
        pos = obj._end + 1


def _careful_header(source: _Source, start: int) -> tuple[int, int, str, str]:
    """The header at ``start`` read token by token: quoted words, or the error to report."""
    text = source.text
    words: list[str] = []
    pos = start
    while True:
        match = _TOKEN.match(text, pos)
        kind = match.lastindex if match else None
        if match is None or kind is None or kind == _NEWLINE:
            raise _error(source, start, "object header without a '{ … }' body")
        at = match.start(kind)
        if kind == _CLOSE:
            raise _error(source, at, "'}' without a matching '{'")
        if kind == _UNTERMINATED:
            raise _error(source, at, "unterminated double-quoted string")
        if kind == _OPEN:
            if not words:
                raise _error(source, at, "'{' without an object header before it")
            return start, at, " ".join(words[:-1]), words[-1]
        words.append(_unquote(match.group(kind)) if kind == _QUOTED else match.group(kind))
        pos = match.end()


def _header_tokens(text: str, start: int, brace: int, line: int, column: int) -> tuple[Token, ...]:
    """The tokens of a header (one line, already read once) that starts at ``start``."""
    tokens = []
    for match in _TOKEN.finditer(text, start, brace):
        kind = match.lastindex
        at = match.start(kind or 0)
        if kind == _QUOTED:
            tokens.append(Token(_unquote(match.group(kind)), line, column + at - start, True))
        elif kind == _WORD:
            tokens.append(Token(match.group(kind), line, column + at - start))
    return tuple(tokens)


def _read_object(source: _Source, header: tuple[int, int, str, str]) -> TmshObject:
    """The object whose header is ``header``: its end found (fast path or careful reader)."""
    _, brace, kind, name = header
    text = source.text
    if kind in SCRIPT_OBJECTS:
        end = _fast_end(source, brace + 1, TCL_QUOTE_AFTER)
        if end < 0:
            end = tcl_block_end(text, brace + 1)
        if end < 0:
            raise _error(source, brace, _tcl_unclosed(f"{kind} {name}"))
        return TmshObject(source, *header, end)
    end = _fast_end(source, brace + 1, TMSH_QUOTE_AFTER)
    if end >= 0:
        return TmshObject(source, *header, end)
    line, column = source.position(brace)
    block, end = _read_block(text, brace, line, column, name)
    obj = TmshObject(source, *header, end)
    obj._block = block
    return obj


def _error(source: _Source, offset: int, reason: str) -> TmshSyntaxError:
    return TmshSyntaxError(*source.position(offset), reason)


def _tcl_unclosed(owner: str) -> str:
    return (
        f"'{{' of {owner} is never closed (Tcl body: braces inside \"…\" words, "
        "after a backslash are not counted)"
    )


# --- the fast path: where an object ends, proved with whole-body string operations ------


def _fast_end(source: _Source, start: int, quote_after: frozenset[str]) -> int:
    """The offset of the ``}`` that closes the body starting at ``start`` when it is a ``}``
    at column 0 and :func:`plain_depth` proves it, or the ``}`` of a body closed on its
    header line with no brace, quote, ``#`` or backslash before it; -1 when the careful
    reader must decide.

    After a few unproved guesses in one file (a file whose braces are not laid out the way
    tmsh writes them), the file is left to the careful reader, so guessing never costs more
    than a few passes over the text.
    """
    text = source.text
    line_end = text.find("\n", start)
    if "}" in text[start:line_end]:
        one_line = _ONE_LINE.match(text, start)  # ``{ }``, ``{ address 10.0.0.1 }``
        return one_line.end() - 1 if one_line is not None else -1
    if source.misses > _MAX_GUESSES:
        return -1
    guess = text.find("\n}", start)
    for _ in range(_MAX_GUESSES):
        if guess < 0:
            break
        depth = plain_depth(text[start : guess + 1], quote_after)
        if depth == 0:
            return guess + 1
        if depth < 0:
            break
        guess = text.find("\n}", guess + 2)
    source.misses += 1
    return -1


# --- the quick reader: a body already proved, with no comment or script in it -------------


def _quick_block(text: str, brace: int, end: int, line: int, column: int) -> Block | None:
    """The block from the ``{`` at ``brace`` to the ``}`` at ``end`` (its end already known),
    read as the careful reader reads it; None when it holds what only the careful reader
    handles (a comment line, a script key, a lone ``"``, very deep nesting).

    One ``findall`` yields (blanks, lexeme) pairs that cover the text without gaps, so
    offsets are running sums, and tokens are built without a Python-level constructor.
    """
    if _COMMENT_AT_LINE_START.search(text, brace, end) is not None:
        return None
    pos = brace + 1
    first_line, line_start = line, brace - column + 1
    stack: list[tuple[list[Item], list[Token], int, int]] = []
    items: list[Item] = []
    words: list[Token] = []
    for blanks, lexeme in _PAIRS.findall(text, pos, end + 1):
        pos += len(blanks)
        first = lexeme[0]
        if first not in _SPECIAL:
            words.append(_new_token((lexeme, line, pos - line_start + 1, False)))
        elif first == "\n":
            if words:
                items.append(_new_item((tuple(words), None, None)))
                words = []
            line += 1
            line_start = pos + 1
        elif first == "{":
            if len(stack) >= MAX_DEPTH - 1 or (len(words) == 1 and words[0][0] in SCRIPT_KEYS):
                return None
            stack.append((items, words, line, pos - line_start + 1))
            items, words = [], []
        elif first == "}":
            if words:
                items.append(_new_item((tuple(words), None, None)))
            if not stack:
                return Block(tuple(items), first_line, column) if pos == end else None
            outer_items, outer_words, block_line, block_column = stack.pop()
            block = Block(tuple(items), block_line, block_column)
            outer_items.append(_new_item((tuple(outer_words), block, None)))
            items, words = outer_items, []
        elif len(lexeme) == 1:
            return None
        else:
            words.append(_new_token((_unquote(lexeme), line, pos - line_start + 1, True)))
            if "\n" in lexeme:
                line += lexeme.count("\n")
                line_start = text.rfind("\n", pos, pos + len(lexeme)) + 1
        pos += len(lexeme)
    return None


# --- the careful reader: one body, token by token ------------------------------------------


class _Frame:
    """An open block while reading: finished items, the words of the current line."""

    __slots__ = ("column", "items", "line", "words")

    def __init__(self, line: int, column: int) -> None:
        self.items: list[Item] = []
        self.words: list[Token] = []
        self.line = line
        self.column = column

    def flush(self) -> None:
        if self.words:
            self.items.append(Item(tuple(self.words)))
            self.words = []


def _read_block(text: str, brace: int, line: int, column: int, owner: str) -> tuple[Block, int]:
    """The block whose ``{`` is at offset ``brace`` (``line``, ``column``) and the offset of
    its closing ``}``. Raises TmshSyntaxError for an unclosed brace, an unterminated string
    or too deep nesting."""
    reader = _BlockReader(text, brace, line, column, owner)
    while reader.pos >= 0:
        reader.run()
    return reader.result, reader.end


class _BlockReader:
    """The careful reader: tokens in order, an explicit stack of frames for nesting.

    :meth:`run` walks the lexemes from ``pos`` with one ``finditer`` and returns when it
    must jump (over a comment or a Tcl block) or when the block is closed (``pos`` -1).
    """

    def __init__(self, text: str, brace: int, line: int, column: int, owner: str) -> None:
        self.text = text
        self.owner = owner
        self.line = line
        self.line_start = brace - column + 1
        self.stack = [_Frame(line, column)]
        self.pos = brace + 1
        self.at_line_start = False
        self.result = Block((), line, column)
        self.end = -1

    def run(self) -> None:
        text, stack = self.text, self.stack
        frame = stack[-1]
        line, line_start, at_line_start = self.line, self.line_start, self.at_line_start
        for found in _LEXEME.finditer(text, self.pos):
            token = found.group()
            first = token[0]
            start = found.start()
            if first == "\n":
                frame.flush()
                line += 1
                line_start = start + 1
                at_line_start = True
                continue
            if first == "{":
                column = start - line_start + 1
                words = frame.words
                if len(words) == 1 and words[0].text in SCRIPT_KEYS:
                    self.line, self.line_start = line, line_start
                    self.script(frame, start + 1, column)
                    self.at_line_start = False
                    return
                if len(stack) >= MAX_DEPTH:
                    raise TmshSyntaxError(line, column, f"blocks {NESTED_TOO_DEEP}")
                frame = _Frame(line, column)
                stack.append(frame)
            elif first == "}":
                frame.flush()
                block = Block(tuple(frame.items), frame.line, frame.column)
                stack.pop()
                if not stack:
                    self.result, self.end, self.pos = block, start, -1
                    return
                frame = stack[-1]
                frame.items.append(Item(tuple(frame.words), block))
                frame.words = []
            elif first == '"':
                column = start - line_start + 1
                if len(token) == 1:
                    raise TmshSyntaxError(line, column, "unterminated double-quoted string")
                frame.words.append(Token(_unquote(token), line, column, True))
                if "\n" in token:
                    line += token.count("\n")
                    line_start = text.rfind("\n", start, found.end()) + 1
            elif at_line_start and first == "#":
                newline = text.find("\n", start)
                self.pos = len(text) if newline < 0 else newline
                self.line, self.line_start = line, line_start
                return
            else:
                frame.words.append(Token(token, line, start - line_start + 1))
            at_line_start = False
        raise TmshSyntaxError(frame.line, frame.column, f"'{{' of {self.owner} is never closed")

    def script(self, frame: _Frame, start: int, column: int) -> None:
        """Capture the Tcl block of a script key (``definition {``) whose body starts at
        ``start``; reading goes on after its ``}``."""
        text = self.text
        key = frame.words[0]
        end = tcl_block_end(text, start)
        if end < 0:
            raise TmshSyntaxError(self.line, column, _tcl_unclosed(f"{key.text} of {self.owner}"))
        frame.items.append(Item((key,), None, RawText(text[start:end], self.line, column + 1)))
        frame.words = []
        newlines = text.count("\n", start, end)
        if newlines:
            self.line += newlines
            self.line_start = text.rfind("\n", start, end) + 1
        self.pos = end + 1


def _unquote(quoted: str) -> str:
    """The text of a ``"…"`` token without its quotes and backslash escapes."""
    inner = quoted[1:-1]
    return _UNESCAPE.sub(r"\1", inner) if "\\" in inner else inner


def tcl_block_end(text: str, start: int) -> int:
    """The offset of the ``}`` that closes a Tcl block whose body begins at ``start``; -1 if
    it never closes.

    Rules: a backslash escapes the next character; a ``"`` that begins a word opens a
    quoted string in which braces do not count (one right after ``{`` is literal, as in
    ``regsub {"} …``); ``#`` at the start of a command runs to the end of the line and its
    braces and quotes do not count. Strict Tcl would count the braces of a comment inside
    a braced body, but F5's own converter fixtures (``# bad comment { here``) expect them
    ignored, and a lone brace in a comment is the common case in real iRules.
    """
    depth = 1
    pos = start
    length = len(text)
    command_start = True
    while pos < length:
        match = _TCL_SPECIAL.search(text, pos)
        if match is None:
            return -1
        index = match.start()
        char = text[index]
        if command_start and text[pos:index].strip():
            command_start = False
        pos = index + 1
        if char == "\\":
            pos += 1
            command_start = False
        elif char == "{":
            depth += 1
            command_start = True
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
            command_start = False
        elif char in "\n;" or char == "[":
            command_start = True
        elif char == "#" and command_start:
            pos = _comment_end(text, pos)
        elif char == '"' and _word_start(text, index):
            pos = _quote_end(text, pos)
            if pos < 0:
                return -1
            command_start = False
        else:
            command_start = False
    return -1


def _word_start(text: str, index: int) -> bool:
    """True when the character at ``index`` begins a Tcl word."""
    return index == 0 or text[index - 1] in " \t\r\n;["


def _comment_end(text: str, pos: int) -> int:
    """The offset of the newline that ends a comment (a backslash-newline continues it)."""
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return len(text)
        backslashes = len(text[pos:newline]) - len(text[pos:newline].rstrip("\\"))
        if backslashes % 2 == 0:
            return newline
        pos = newline + 1


def _quote_end(text: str, pos: int) -> int:
    """The offset after the ``"`` that closes a quoted word; -1 if none."""
    match = _QUOTE_REST.match(text, pos)
    return match.end() if match else -1
