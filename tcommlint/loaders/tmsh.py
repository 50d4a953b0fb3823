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
:mod:`tcommlint.loaders.f5` builds the model from the objects.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from tcommlint.model import ParseError
from tcommlint.source import Span

# Objects whose whole body is a script, and item keys whose block is one.
SCRIPT_OBJECTS = frozenset({"ltm rule", "gtm rule", "pem irule", "cli script"})
SCRIPT_KEYS = frozenset(
    {"definition", "implementation", "presentation", "html-help", "macro", "api-anonymous"}
)
MAX_DEPTH = 256

_LOOKS_LIKE = re.compile(
    r"^(?:#TMSH-VERSION|(?:ltm|sys|net|gtm|apm|asm|auth|cm|security|pem|cli|wom|analytics|"
    r"ilx|ifile|gtm|afm|vcmp)\s[^\n{]*\{)",
    re.M,
)
_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\f\v]+)
      | (?P<newline>\n)
      | (?P<quote>")
      | (?P<open>\{)
      | (?P<close>\})
      | (?P<word>[^\s{}"][^\s{}]*)""",
    re.X,
)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_QUOTE_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_TCL_SPECIAL = re.compile(r'[\\{}"#\n;\[]')


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


class TmshObject(NamedTuple):
    """A top-level object: header words, then a body block or a raw script body."""

    path: str
    header: tuple[Token, ...]
    body: Block
    raw: RawText | None = None

    @property
    def kind(self) -> str:
        """The header without the name, e.g. ``ltm persistence cookie``."""
        return " ".join(token.text for token in self.header[:-1])

    @property
    def name(self) -> str:
        """The last header word, e.g. ``/Common/cookie_jsess``."""
        return self.header[-1].text

    @property
    def span(self) -> Span:
        """Where the header starts."""
        first = self.header[0]
        return Span(self.path, first.line, first.column)


class TmshSyntaxError(Exception):
    """Internal: carries a ParseError out of the reader."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.column = column
        self.reason = reason


def looks_like_tmsh(text: str) -> bool:
    """True for text that has a ``#TMSH-VERSION`` line or a line like ``ltm pool /C/p {``."""
    return _LOOKS_LIKE.search(text) is not None


def read_tmsh(path: str, text: str) -> tuple[list[TmshObject], list[ParseError]]:
    """Read every top-level object of one tmsh file.

    A syntax error stops the reading of the rest of the file (braces no longer pair up):
    the objects before it are returned with one ParseError.
    """
    reader = _Reader(path, text)
    try:
        reader.read()
    except TmshSyntaxError as error:
        return reader.objects, [ParseError(Span(path, error.line, error.column), error.reason)]
    return reader.objects, []


class _Lines:
    """Offset → (line, column) by bisection over the newline offsets."""

    __slots__ = ("newlines",)

    def __init__(self, text: str) -> None:
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.newlines, offset - 1)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


class _Frame:
    """An open block while reading: finished items, the words of the current line."""

    __slots__ = ("column", "items", "line", "script_body", "words")

    def __init__(self, line: int, column: int) -> None:
        self.items: list[Item] = []
        self.words: list[Token] = []
        self.line = line
        self.column = column

    def flush(self) -> None:
        if self.words:
            self.items.append(Item(tuple(self.words)))
            self.words = []


class _Reader:
    """Reads one file; an explicit stack of frames replaces recursion."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = _Lines(text)
        self.pos = 0
        self.objects: list[TmshObject] = []

    def read(self) -> None:
        header: list[Token] = []
        while True:
            kind, token = self.next_token(at_line_start=not header)
            if kind == "end":
                if header:
                    raise self.error(header[0], "object header without a '{ … }' body")
                return
            if kind == "newline":
                if header:
                    raise self.error(header[0], "object header without a '{ … }' body")
                continue
            if kind == "close":
                raise self.error(token, "'}' without a matching '{'")
            if kind == "open":
                if not header:
                    raise self.error(token, "'{' without an object header before it")
                self.objects.append(self.read_object(tuple(header), token))
                header = []
                continue
            header.append(token)

    def read_object(self, header: tuple[Token, ...], brace: Token) -> TmshObject:
        kind = " ".join(word.text for word in header[:-1])
        if kind in SCRIPT_OBJECTS:
            raw = self.read_raw(brace, f"{kind} {header[-1].text}")
            return TmshObject(self.path, header, Block((), brace.line, brace.column), raw)
        return TmshObject(self.path, header, self.read_block(brace, header[-1].text))

    def read_block(self, brace: Token, owner: str) -> Block:
        """Read the body after ``brace`` up to its matching ``}``."""
        stack = [(_Frame(brace.line, brace.column), brace)]
        at_line_start = False
        while True:
            frame, opener = stack[-1]
            kind, token = self.next_token(at_line_start)
            at_line_start = kind == "newline"
            if kind == "end":
                raise self.error(opener, f"'{{' of {owner} is never closed")
            if kind == "newline":
                frame.flush()
            elif kind == "word":
                frame.words.append(token)
            elif kind == "open":
                if len(frame.words) == 1 and frame.words[0].text in SCRIPT_KEYS:
                    raw = self.read_raw(token, f"{frame.words[0].text} of {owner}")
                    frame.items.append(Item(tuple(frame.words), None, raw))
                    frame.words = []
                    continue
                if len(stack) >= MAX_DEPTH:
                    raise self.error(token, f"blocks nested deeper than {MAX_DEPTH} levels")
                stack.append((_Frame(token.line, token.column), token))
            else:  # close
                frame.flush()
                block = Block(tuple(frame.items), frame.line, frame.column)
                stack.pop()
                if not stack:
                    return block
                parent = stack[-1][0]
                parent.items.append(Item(tuple(parent.words), block))
                parent.words = []

    def read_raw(self, brace: Token, owner: str) -> RawText:
        """Capture a Tcl body verbatim, up to the brace that closes ``brace``."""
        start = self.pos
        end = tcl_block_end(self.text, start)
        if end < 0:
            raise self.error(
                brace,
                f"'{{' of {owner} is never closed (Tcl body: braces inside \"…\" words, "
                "after a backslash are not counted)",
            )
        self.pos = end + 1
        line, column = self.lines.at(start)
        return RawText(self.text[start:end], line, column)

    def next_token(self, at_line_start: bool) -> tuple[str, Token]:
        """The next token kind and token; comments and blanks are skipped."""
        text = self.text
        while True:
            match = _TOKEN.match(text, self.pos)
            if match is None:
                line, column = self.lines.at(self.pos)
                return "end", Token("", line, column)
            kind = match.lastgroup or ""
            start = match.start()
            if kind == "space":
                self.pos = match.end()
                continue
            if kind == "word" and at_line_start and text[start] == "#":
                newline = text.find("\n", start)
                self.pos = len(text) if newline < 0 else newline
                continue
            line, column = self.lines.at(start)
            if kind == "quote":
                return "word", self.quoted(start, line, column)
            self.pos = match.end()
            return kind, Token(match.group(), line, column)

    def quoted(self, start: int, line: int, column: int) -> Token:
        match = _QUOTED.match(self.text, start)
        if match is None:
            raise TmshSyntaxError(line, column, "unterminated double-quoted string")
        self.pos = match.end()
        return Token(_UNESCAPE.sub(r"\1", match.group(1)), line, column, quoted=True)

    def error(self, token: Token, reason: str) -> TmshSyntaxError:
        return TmshSyntaxError(token.line, token.column, reason)


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
