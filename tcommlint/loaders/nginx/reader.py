"""nginx.conf text → directives with positions, tokenized as ``ngx_conf_read_token`` does.

A directive is a name and arguments ended by ``;`` or followed by a ``{ … }`` block. Words are
separated by blanks; ``"…"`` and ``'…'`` quote (``\\"``, ``\\'``, ``\\\\``, ``\\t``, ``\\r``,
``\\n`` are unescaped in every word); ``#`` starts a comment only where a word could start;
``${name}`` keeps its braces inside a word; ``}`` inside a word is part of it. After a closing
quote nginx wants a blank, ``;``, ``{`` or ``)``. The errors are nginx's own sentences.
Lua blocks (``content_by_lua_block { … }`` and the other ``*_by_lua_block``) hold Lua, not
directives: their text is skipped up to the matching brace, as the lua module's reader does.
"""

from __future__ import annotations

from tcommlint.model import ReadError
from tcommlint.records import NamedTuple
from tcommlint.source import Span

MAX_DEPTH = 64  # nested blocks; nginx has no limit, a deeper file is refused as malformed


class Word(NamedTuple):
    """One token: its unescaped text, where it starts, whether it was quoted."""

    text: str
    line: int
    column: int
    quoted: bool = False


class Directive(NamedTuple):
    """``name args… ;`` or ``name args… { block }`` in the file ``path``."""

    name: Word
    args: tuple[Word, ...]
    block: tuple[Directive, ...] | None
    path: str
    end_line: int  # the line of its ``;`` or ``{`` (where nginx reports most errors)

    @property
    def span(self) -> Span:
        """Where the directive's name is."""
        return Span(self.path, self.name.line, self.name.column)

    @property
    def values(self) -> tuple[str, ...]:
        """The arguments' texts."""
        return tuple(word.text for word in self.args)

    @property
    def text(self) -> str:
        """The directive as written (quoted words re-quoted), without its block."""
        words = [self.name, *self.args]
        return " ".join(f'"{w.text}"' if w.quoted or not w.text else w.text for w in words)


_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "t": "\t", "r": "\r", "n": "\n"}
_BLANKS = " \t\r\n"


class _Tokens:
    """The token stream of one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.column = 1

    def _advance(self) -> str:
        char = self.text[self.pos]
        self.pos += 1
        if char == "\n":
            self.line += 1
            self.column = 1
        else:
            self.column += 1
        return char

    def statement(self) -> tuple[list[Word], str, int]:
        """The words up to the next ``;``, ``{`` or ``}`` and which one ended them ("" at the
        end of the text), with the line it was on."""
        words: list[Word] = []
        while True:
            self._blanks_and_comments()
            if self.pos >= len(self.text):
                if words:
                    raise ReadError(
                        self.line, self.column, 'unexpected end of file, expecting ";" or "}"'
                    )
                return words, "", self.line
            char = self.text[self.pos]
            if char in ";{":
                if not words:
                    raise ReadError(self.line, self.column, f'unexpected "{char}"')
                line = self.line
                self._advance()
                return words, char, line
            if char == "}":
                if words:
                    raise ReadError(self.line, self.column, 'unexpected "}"')
                line = self.line
                self._advance()
                return words, "}", line
            words.append(self._word())

    def _blanks_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in _BLANKS:
                self._advance()
            elif char == "#":
                while self.pos < len(text) and text[self.pos] != "\n":
                    self._advance()
            else:
                return

    def _word(self) -> Word:
        line, column = self.line, self.column
        quote = self.text[self.pos] if self.text[self.pos] in "\"'" else ""
        if quote:
            self._advance()
        chars: list[str] = []
        variable = False
        text = self.text
        while True:
            if self.pos >= len(text):
                if quote:
                    raise ReadError(
                        self.line, self.column, 'unexpected end of file, expecting ";" or "}"'
                    )
                break
            char = text[self.pos]
            if char == "{" and variable:
                variable = False
                chars.append(self._advance())
                continue
            variable = False
            if char == "\\" and self.pos + 1 < len(text):
                self._advance()
                following = self._advance()
                chars.append(_ESCAPES.get(following, "\\" + following))
                continue
            if char == "$":
                variable = True
                chars.append(self._advance())
                continue
            if quote and char == quote:
                self._advance()
                self._after_quote()
                break
            if not quote and (char in _BLANKS or char in ";{"):
                break
            chars.append(self._advance())
        return Word("".join(chars), line, column, bool(quote))

    def _after_quote(self) -> None:
        if self.pos >= len(self.text):
            return
        char = self.text[self.pos]
        if char in _BLANKS or char in ";{":
            return
        if char == ")":
            self._advance()
            return
        raise ReadError(self.line, self.column, f'unexpected "{char}"')

    def skip_lua(self) -> None:
        """The Lua text of a ``*_by_lua_block`` up to its closing brace (strings, comments and
        nested braces followed)."""
        depth = 1
        text = self.text
        while self.pos < len(text):
            char = self._advance()
            if char in "\"'":
                while self.pos < len(text) and text[self.pos] != char:
                    if self._advance() == "\\" and self.pos < len(text):
                        self._advance()
                if self.pos < len(text):
                    self._advance()
            elif char == "-" and text.startswith("-", self.pos):
                while self.pos < len(text) and text[self.pos] != "\n":
                    self._advance()
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return
        raise ReadError(self.line, self.column, 'unexpected end of file, expecting "}"')


def read_nginx(path: str, text: str) -> tuple[Directive, ...]:
    """The directives of one file (includes not followed); raises ReadError."""
    tokens = _Tokens(text)
    directives = _block(tokens, path, 0)
    return directives


def _block(tokens: _Tokens, path: str, depth: int) -> tuple[Directive, ...]:
    found: list[Directive] = []
    while True:
        words, end, line = tokens.statement()
        if end == "":
            if depth:
                raise ReadError(tokens.line, tokens.column, 'unexpected end of file, expecting "}"')
            return tuple(found)
        if end == "}":
            if not depth:
                raise ReadError(line, tokens.column - 1, 'unexpected "}"')
            return tuple(found)
        name, args = words[0], tuple(words[1:])
        block: tuple[Directive, ...] | None = None
        if end == "{":
            if depth >= MAX_DEPTH:
                raise ReadError(line, name.column, f"more than {MAX_DEPTH} nested blocks")
            if name.text.endswith("_by_lua_block"):
                tokens.skip_lua()
                block = ()
            else:
                block = _block(tokens, path, depth + 1)
        found.append(Directive(name, args, block, path, line))
