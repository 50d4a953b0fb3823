"""Reader for F5 BIG-IP tmsh configuration files (``bigip.conf`` and friends).

The grammar is small: top-level objects ``<words…> <name> { <body> }``; a body is a list of
items, each a run of words on one line optionally ending in a nested ``{ … }`` block (list
braces and nested objects look the same). Double-quoted strings may span lines and use
backslash escapes; ``#`` starts a comment when it is the first thing on a line.

Script bodies — iRules (``ltm rule``), ``cli script`` and the Tcl/HTML parts of
``sys application template`` and friends — are Tcl, not tmsh. They are captured as raw
text by :func:`tcl_block_end`, a brace counter that knows the Tcl rules that matter for
balance, and are never evaluated.

The file is read once, front to back: each object's header, then its body token by token
(one ``finditer`` over the lexemes) with an explicit stack for nesting. Every token keeps
its 1-based line and column. Nothing here knows what an object means;
:mod:`tcommlint.loaders.f5.bigip` builds the model from the objects.
"""

from __future__ import annotations

import re

from tcommlint.model import ParseError, ReadError
from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP
from tcommlint.records import NamedTuple
from tcommlint.source import Span

# Objects whose whole body is a script, and item keys whose block is one.
SCRIPT_OBJECTS = frozenset({"ltm rule", "gtm rule", "pem irule", "cli script"})
SCRIPT_KEYS = frozenset(
    {"definition", "implementation", "presentation", "html-help", "macro", "api-anonymous"}
)

# One lexeme: a newline, a quoted string, a brace, a lone quote, or a word. The blanks
# between lexemes (every white space but the newline) are what finditer skips.
_LEXEME = re.compile(r'\n|"(?:[^"\\]|\\.)*"|[{}"]|[^\s{}"][^\s{}]*', re.S)
# Between objects: blanks and comments.
_GAP = re.compile(r"(?:\s+|#[^\n]*)*")
_UNESCAPE = re.compile(r"\\(.)", re.S)
_QUOTE_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_TCL_SPECIAL = re.compile(r'[\\{}"#\n;\[]')

_LONE_CR_REASON = (
    "a carriage return not followed by a line feed: tmsh files end their lines with LF "
    "(or CRLF), and how tmsh reads a carriage return alone is not known"
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


class TmshObject:
    """A top-level object: header words, then a body block or a raw script body.

    ``kind`` is the header without the name (``ltm persistence cookie``), ``name`` its last
    word (``/Common/cookie_jsess``). For a script object ``body`` is an empty block and
    ``raw`` holds the script, else ``raw`` is None.
    """

    __slots__ = ("body", "header", "kind", "name", "raw", "span")

    def __init__(self, header: tuple[Token, ...], span: Span, body: Block, raw: RawText | None):
        self.header = header
        self.span = span
        self.kind = " ".join(word.text for word in header[:-1])
        self.name = header[-1].text
        self.body = body
        self.raw = raw

    @property
    def path(self) -> str:
        """The file the object is in."""
        return self.span.path


def read_tmsh(path: str, text: str) -> tuple[list[TmshObject], list[ParseError]]:
    """Read every top-level object of one tmsh file.

    A syntax error stops the reading of the rest of the file (braces no longer pair up):
    the objects before it are returned with one ParseError.
    """
    stray = _lone_carriage_return(text)
    if stray is not None:
        return [], [ParseError(Span(path, *stray), _LONE_CR_REASON)]
    objects: list[TmshObject] = []
    try:
        _read_objects(path, text, objects)
    except ReadError as error:
        return objects, [error.parse_error(path)]
    return objects, []


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


def _read_objects(path: str, text: str, objects: list[TmshObject]) -> None:
    """Append every object of ``text`` to ``objects``; raises ReadError."""
    gap = _GAP.match
    length = len(text)
    pos = line = 0
    counted = 0  # ``line`` is the number of newlines before ``counted``
    while True:
        pos = gap(text, pos).end()  # type: ignore[union-attr]  # it matches "" too
        if pos >= length:
            return
        line += text.count("\n", counted, pos)
        counted = pos
        column = pos - text.rfind("\n", 0, pos)
        header, brace = _read_header(text, pos, line + 1, column)
        obj, pos = _read_object(text, header, (pos, brace), Span(path, line + 1, column))
        objects.append(obj)
        pos += 1


def _read_header(text: str, start: int, line: int, column: int) -> tuple[tuple[Token, ...], int]:
    """The words of the header at ``start`` (one line) and the offset of its ``{``."""
    words: list[Token] = []
    for found in _LEXEME.finditer(text, start):
        lexeme = found.group()
        at = found.start()
        first = lexeme[0]
        if first == "\n":
            break
        if first == "{":
            if not words:
                raise ReadError(line, column, "'{' without an object header before it")
            return tuple(words), at
        if first == "}":
            raise ReadError(line, column + at - start, "'}' without a matching '{'")
        if first == '"':
            if len(lexeme) == 1:
                raise ReadError(line, column + at - start, "unterminated double-quoted string")
            words.append(Token(_unquote(lexeme), line, column + at - start, True))
        else:
            words.append(Token(lexeme, line, column + at - start))
    raise ReadError(line, column, "object header without a '{ … }' body")


def _read_object(
    text: str, header: tuple[Token, ...], offsets: tuple[int, int], span: Span
) -> tuple[TmshObject, int]:
    """The object whose header (at ``span``) starts and ends at ``offsets`` (its ``{``), and
    the offset of its closing ``}``."""
    start, brace = offsets
    line = span.line + text.count("\n", start, brace)  # a quoted header word may span lines
    column = brace - text.rfind("\n", 0, brace)
    kind = " ".join(word.text for word in header[:-1])
    if kind in SCRIPT_OBJECTS:
        end = tcl_block_end(text, brace + 1)
        if end < 0:
            raise ReadError(line, column, _tcl_unclosed(f"{kind} {header[-1].text}"))
        raw = RawText(text[brace + 1 : end], line, column + 1)
        return TmshObject(header, span, Block((), line, column), raw), end
    block, end = _BlockReader(text, brace, line, column, header[-1].text).read()
    return TmshObject(header, span, block, None), end


def _tcl_unclosed(owner: str) -> str:
    return (
        f"'{{' of {owner} is never closed (Tcl body: braces inside \"…\" words, "
        "after a backslash are not counted)"
    )


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


class _BlockReader:
    """One body, token by token, with an explicit stack of frames for nesting.

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

    def read(self) -> tuple[Block, int]:
        """The block and the offset of its closing ``}``. Raises ReadError for an
        unclosed brace, an unterminated string or too deep nesting."""
        while self.pos >= 0:
            self.run()
        return self.result, self.end

    def run(self) -> None:
        """Read on from ``pos`` until a jump or the end of the block."""
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
                    raise ReadError(line, column, f"blocks {NESTED_TOO_DEEP}")
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
                    raise ReadError(line, column, "unterminated double-quoted string")
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
        raise ReadError(frame.line, frame.column, f"'{{' of {self.owner} is never closed")

    def script(self, frame: _Frame, start: int, column: int) -> None:
        """Capture the Tcl block of a script key (``definition {``) whose body starts at
        ``start``; reading goes on after its ``}``."""
        text = self.text
        key = frame.words[0]
        end = tcl_block_end(text, start)
        if end < 0:
            raise ReadError(self.line, column, _tcl_unclosed(f"{key.text} of {self.owner}"))
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
