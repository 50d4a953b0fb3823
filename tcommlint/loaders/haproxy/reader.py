"""Read ``haproxy.cfg`` text into sections of positioned statements.

Implements the file grammar of the HAProxy configuration manual (§2.1-2.4): one statement
per line, unprotected ``#`` comments, words split on unprotected blanks, ``"weak"`` and
``'strong'`` quoting (concatenable inside one word), backslash escapes and NO line
continuation. Environment variables inside double quotes are kept verbatim (the linter
does not know the environment) and the word is flagged. ``.if``/``.elif``/``.else``/
``.endif`` branches are decided statically where possible (``haproxy_conditions``): a
branch never taken is dropped with a note, an always-taken one is read as plain text, and a
statement in an undecidable branch records that block and the condition it needs, so the
builder can analyse every branch and say so.
"""

from __future__ import annotations

import re

from tcommlint.loaders.haproxy.conditions import ALWAYS, NEVER, UNKNOWN, evaluate
from tcommlint.model import ParseError
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.source import Span

PROXY_SECTIONS = frozenset({"defaults", "frontend", "backend", "listen"})
SECTION_KEYWORDS = PROXY_SECTIONS | frozenset(
    {
        "global",
        "userlist",
        "peers",
        "resolvers",
        "mailers",
        "cache",
        "http-errors",
        "ring",
        "log-forward",
        "log-profile",
        "crt-store",
        "fcgi-app",
        "traces",
        "acme",
        "healthcheck",
        "namespace_list",
        "program",
        "spoe-agent",
        "spoe-group",
        "spoe-message",
    }
)
# haproxy -c 2.6 refuses the 100th nested ".if": "too many nested '.if', max is 100".
MAX_IF_NESTING = 100
_TOO_MANY_IFS = f"too many nested '.if', max is {MAX_IF_NESTING}"
_ENV_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")
# A line without quotes, escapes or a comment splits at blanks alone: nearly every line.
_PLAIN_LINE = re.compile(r"[^\\\"'#]*")
_PLAIN_WORD = re.compile(r"[^ \t]+")
_HEX = "0123456789abcdefABCDEF"
_SIMPLE_ESCAPES = {" ": " ", "\\": "\\", "'": "'", '"': '"', "#": "#"}
_SIMPLE_ESCAPES |= {"r": "\r", "n": "\n", "t": "\t"}


class Word(NamedTuple):
    """One word of a statement after quote and escape processing."""

    text: str
    line: int
    column: int  # 1-based column of the word's first character in the raw line
    quoted: bool = False  # some part of it was quoted or escaped
    env: tuple[str, ...] = ()  # unresolved ``$VAR`` / ``${VAR}`` references, as written


def _word(text: str, line: int, column: int) -> Word:
    """A plain word: ``Word(text, line, column)`` without the call of its ``__new__`` (a
    large file has hundreds of thousands)."""
    return tuple.__new__(Word, (text, line, column, False, ()))


class Block(NamedTuple):
    """One undecidable branch of a conditional block enclosing a statement."""

    line: int  # the line of the ``.if`` that opened the block
    branch: int  # 0 for the ``.if`` branch, then one more per ``.elif``/``.else``
    condition: str = ""  # e.g. "`.if defined(X)` at line 12 is true"


class Statement(NamedTuple):
    """One configuration line: its words and the conditional branches around it.

    ``keyword`` (the first word) and ``args`` (the words after it, as text) are read a few
    times by every compiling step: they are taken once, when the line is read
    (``statement_of``)."""

    words: tuple[Word, ...]
    blocks: tuple[Block, ...] = ()
    keyword: str = ""
    args: tuple[str, ...] = ()

    @property
    def line(self) -> int:
        """The line of the statement."""
        return self.words[0].line

    def span(self, path: str) -> Span:
        """The position of the statement's keyword."""
        return Span(path, self.words[0].line, self.words[0].column)


def statement_of(words: tuple[Word, ...], blocks: tuple[Block, ...] = ()) -> Statement:
    """The statement of a line's words (at least one)."""
    args = tuple([word.text for word in words[1:]])
    return tuple.__new__(Statement, (words, blocks, words[0].text, args))  # one per line


class Section(NamedTuple):
    """A section: its header statement and the statements that follow it."""

    kind: str  # "global", "defaults", "frontend", "backend", "listen", "peers", ...
    name: str | None
    from_name: Word | None  # ``from <defaults>`` on a proxy or defaults header
    header: Statement
    statements: tuple[Statement, ...]


class ReadResult(NamedTuple):
    """The sections of a file, the problems HAProxy itself would refuse, and notes on the
    conditional branches decided statically."""

    sections: tuple[Section, ...]
    errors: tuple[ParseError, ...]
    notes: tuple[str, ...] = ()


class LineError(Exception):
    """A line HAProxy cannot tokenize; carries the 1-based column of the problem."""

    def __init__(self, column: int, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


class _WordBuilder:
    """Accumulates the characters of the word being read."""

    __slots__ = ("chars", "column", "env", "quoted")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.column = 0  # 0 = no word started
        self.quoted = False
        self.env: list[str] = []

    def start(self, index: int) -> None:
        if not self.column:
            self.column = index + 1

    def take(self, line: int) -> Word | None:
        if not self.column:
            return None
        word = Word("".join(self.chars), line, self.column, self.quoted, tuple(self.env))
        self.chars, self.column, self.quoted, self.env = [], 0, False, []
        return word


def split_words(raw: str, line: int) -> tuple[Word, ...]:
    """Split one raw line into words the way HAProxy does; raise LineError if it cannot."""
    if _PLAIN_LINE.fullmatch(raw):
        # _word inlined: a large file has hundreds of thousands of words.
        new = tuple.__new__
        return tuple(
            [new(Word, (m[0], line, m.start() + 1, False, ())) for m in _PLAIN_WORD.finditer(raw)]
        )
    words: list[Word] = []
    cur = _WordBuilder()
    i, quote, quote_col = 0, "", 0
    while i < len(raw):
        char = raw[i]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                cur.chars.append(char)
            i += 1
            continue
        if char == "\\":
            cur.start(i)
            i = _escape(raw, i, cur, in_double=quote == '"')
            continue
        if char == '"':
            cur.start(i)
            cur.quoted = True
            quote, quote_col = ("", 0) if quote else ('"', i + 1)
            i += 1
            continue
        if quote == '"':
            i = _in_double_quotes(raw, i, cur) if char == "$" else _append(char, i, cur)
            continue
        if char == "'":
            cur.start(i)
            cur.quoted = True
            quote, quote_col = "'", i + 1
        elif char in " \t":
            word = cur.take(line)
            if word is not None:
                words.append(word)
        elif char == "#":
            break
        else:
            cur.start(i)
            cur.chars.append(char)
        i += 1
    if quote:
        kind = "double" if quote == '"' else "single"
        raise LineError(quote_col, f"unterminated {kind} quote")
    word = cur.take(line)
    if word is not None:
        words.append(word)
    return tuple(words)


def _append(char: str, index: int, cur: _WordBuilder) -> int:
    cur.chars.append(char)
    return index + 1


def _escape(raw: str, i: int, cur: _WordBuilder, in_double: bool) -> int:
    """Handle a backslash at ``raw[i]``; return the index after the escape."""
    nxt = raw[i + 1] if i + 1 < len(raw) else ""
    if nxt in _SIMPLE_ESCAPES or (in_double and nxt == "$"):
        cur.chars.append(_SIMPLE_ESCAPES.get(nxt, nxt))
        cur.quoted = True
        return i + 2
    if nxt == "x":
        digits = raw[i + 2 : i + 4]
        if len(digits) != 2 or any(d not in _HEX for d in digits):
            raise LineError(i + 1, "truncated or invalid hexadecimal escape after '\\x'")
        cur.chars.append(chr(int(digits, 16)))
        cur.quoted = True
        return i + 4
    # Not an escape sequence (e.g. the "\." of a regex): the backslash is kept.
    cur.chars.append("\\")
    return i + 1


def _in_double_quotes(raw: str, i: int, cur: _WordBuilder) -> int:
    """Handle ``$`` inside double quotes: keep the reference verbatim and flag it."""
    if raw.startswith("${", i):
        end = raw.find("}", i + 2)
        if end < 0:
            raise LineError(i + 1, "unmatched brace in environment variable name")
        ref = raw[i : end + 1]
    else:
        match = _ENV_NAME.match(raw, i + 1)
        if match is None:
            cur.chars.append("$")
            return i + 1
        ref = raw[i : match.end()]
    cur.chars.append(ref)
    cur.env.append(ref)
    return i + len(ref)


class _OpenBlock:
    """An ``.if`` block being read: the branch in progress and what earlier branches decided."""

    __slots__ = (
        "branch",
        "condition",
        "inert",
        "opener",
        "reason",
        "seen_else",
        "skipped",
        "state",
        "taken",
        "unknown_priors",
    )

    def __init__(self, opener: Word, inert: bool) -> None:
        self.opener = opener
        self.inert = inert  # inside a branch never taken: every branch is never taken
        self.branch = -1
        self.seen_else = False
        self.taken = ""  # an earlier branch taken whenever it is reached
        self.unknown_priors: list[str] = []  # earlier branches that may be taken
        self.state = NEVER
        self.condition = ""  # what must hold for the branch in progress (UNKNOWN state)
        self.reason = ""  # why the branch in progress is decided
        self.skipped: list[int] = []

    def start(self, word: Word, words: tuple[Word, ...]) -> None:
        """Enter the next branch: ``word`` is ``.if``/``.elif``/``.else``, ``words`` follow it."""
        self.branch += 1
        self.seen_else = self.seen_else or word.text == ".else"
        self.condition, self.reason, self.skipped = "", "", []
        if word.text == ".else":
            desc, own = f"`.else` at line {word.line}", ALWAYS
        else:
            text = " ".join(w.text for w in words)
            desc = f"`{word.text} {text}` at line {word.line}"
            own = UNKNOWN if any(w.env for w in words) else evaluate(text)
        if self.inert:
            self.state = NEVER
        elif self.taken:
            self.state, self.reason = NEVER, f"{desc} is never taken: {self.taken} is always true"
        elif own == NEVER:
            self.state, self.reason = NEVER, f"{desc} is never true"
        elif own == ALWAYS and not self.unknown_priors:
            self.state = ALWAYS
            self.reason = f"{desc} is always true" if word.text != ".else" else ""
        else:
            self.state = UNKNOWN
            parts = [f"{prior} is false" for prior in self.unknown_priors]
            if own == UNKNOWN:
                parts.append(f"{desc} is true")
            self.condition = " and ".join(parts)
        if own == ALWAYS and self.state != NEVER:
            self.taken = desc
        elif own == UNKNOWN and self.state != NEVER:
            self.unknown_priors.append(desc)

    def finish(self) -> str | None:
        """A note on the branch in progress when it was decided, or None."""
        if self.state == NEVER and self.reason and self.skipped:
            plural = "s" if len(self.skipped) > 1 else ""
            lines = ", ".join(str(line) for line in self.skipped)
            return f"{self.reason}: line{plural} {lines} ignored"
        if self.state == ALWAYS and self.reason:
            why = (
                " (conditional blocks need HAProxy 2.4 or later)"
                if "version" in self.reason
                else ""
            )
            return f"{self.reason}{why}: read unconditionally"
        return None


class _Reader:
    """Groups tokenized lines into sections and tracks conditional blocks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sections: list[Section] = []
        self.statements: list[Statement] = []
        self.errors: list[ParseError] = []
        self.notes: list[str] = []
        self.open_blocks: list[_OpenBlock] = []
        self.current: Section | None = None
        self.stopped = False  # a refusal that HAProxy stops reading at

    def error(self, line: int, column: int, reason: str) -> None:
        self.errors.append(ParseError(Span(self.path, line, column), reason))

    def feed(self, words: tuple[Word, ...]) -> None:
        first = words[0]
        if first.text.startswith(".") and not first.quoted:
            self.directive(first, words[1:])
            return
        blocks: tuple[Block, ...] = ()
        if self.open_blocks:
            never = [block for block in self.open_blocks if block.state == NEVER]
            if never:
                never[0].skipped.append(first.line)
                return
            blocks = tuple(
                Block(b.opener.line, b.branch, b.condition)
                for b in self.open_blocks
                if b.state == UNKNOWN
            )
        statement = statement_of(words, blocks)
        if first.text in SECTION_KEYWORDS and not first.quoted:
            self.close_section()
            self.current = _section(statement)
        elif self.current is None:
            self.error(first.line, first.column, f"'{first.text}' appears before any section")
        else:
            self.statements.append(statement)

    def directive(self, word: Word, rest: tuple[Word, ...]) -> None:
        name = word.text
        if name == ".if":
            if len(self.open_blocks) >= MAX_IF_NESTING - 1:
                self.error(
                    word.line, word.column, f"too many nested '.if', max is {MAX_IF_NESTING}"
                )
                self.stopped = True
                return
            block = _OpenBlock(word, any(b.state == NEVER for b in self.open_blocks))
            block.start(word, rest)
            self.open_blocks.append(block)
        elif name in (".elif", ".else", ".endif") and not self.open_blocks:
            self.error(word.line, word.column, f"'{name}' without a matching '.if'")
        elif name in (".elif", ".else"):
            block = self.open_blocks[-1]
            if block.seen_else:
                self.error(
                    word.line,
                    word.column,
                    f"'{name}' after '.else' (block at line {block.opener.line})",
                )
            self.close_branch(block)
            block.start(word, rest)
        elif name == ".endif":
            self.close_branch(self.open_blocks.pop())
        # .diag/.notice/.warning/.alert and unknown directives do not change the model.

    def close_branch(self, block: _OpenBlock) -> None:
        note = block.finish()
        if note is not None:
            self.notes.append(note)

    def close_section(self) -> None:
        if self.current is not None:
            self.sections.append(self.current._replace(statements=tuple(self.statements)))
        self.current, self.statements = None, []

    def finish(self) -> ReadResult:
        self.close_section()
        for block in () if self.stopped else self.open_blocks:
            word = block.opener
            self.error(word.line, word.column, "'.if' is never closed by '.endif'")
        return ReadResult(tuple(self.sections), tuple(self.errors), tuple(self.notes))


def _section(header: Statement) -> Section:
    """Make an empty section from its header statement."""
    kind, rest = header.keyword, header.words[1:]
    name: str | None = None
    from_name: Word | None = None
    if kind in PROXY_SECTIONS:
        if rest and rest[0].text != "from":
            name, rest = rest[0].text, rest[1:]
        if len(rest) >= 2 and rest[0].text == "from":
            from_name = rest[1]
    elif rest:
        name = rest[0].text
    return Section(kind, name, from_name, header, ())


def read_haproxy(path: str, text: str) -> ReadResult:
    """Read the text of an HAProxy configuration file; ``path`` is the display path.

    Lines end at ``\\n`` only. A ``\\r`` anywhere ends the statement, as it does for HAProxy
    (even inside quotes), so a CRLF file reads like its LF twin; text after a ``\\r`` that is
    not a line end is what HAProxy silently drops, and is refused here (TC001).
    """
    reader = _Reader(path)
    for number, raw in enumerate(text.split("\n"), start=1):
        line, _, rest = raw.partition("\r")
        try:
            words = split_words(line, number)
        except LineError as exc:
            reader.error(number, exc.column, exc.reason)
            continue
        if rest and _dropped_after_cr(rest):
            reader.error(number, len(line) + 1, LONE_CR_REASON)
        if words:
            reader.feed(words)
        if reader.stopped:
            break
    return reader.finish()


LONE_CR_REASON = (
    "a carriage return not followed by a line feed: HAProxy ends the line here and "
    "ignores the rest of it (line ends must be LF or CRLF)"
)


def _dropped_after_cr(rest: str) -> bool:
    """Whether text after a line's first ``\\r`` holds more than blanks and comments."""
    parts = (part.strip(" \t") for part in rest.split("\r"))
    return any(part and not part.startswith("#") for part in parts)
