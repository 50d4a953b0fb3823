"""What an iRule says about persistence and pool selection, read without running Tcl.

The scanner blanks out comments and quoted-string contents it does not need, pairs the
braces the way :func:`tcommlint.loaders.f5.tmsh.tcl_block_end` does, and then recognises a few
idioms with regular expressions:

- events: ``when HTTP_REQUEST {`` (optionally ``priority N``);
- persistence: ``persist uie|add uie <key>``, ``persist cookie insert|rewrite|passive|hash
  …``, ``persist source_addr`` …; the cookie is read from ``[HTTP::cookie "X"]``,
  ``[HTTP::cookie value X]`` or the name after ``persist cookie hash``;
- pool selection: ``pool X`` alone in an event (always), or inside
  ``if { [HTTP::path] starts_with "/api" } { … }`` (also ``HTTP::uri``, ``equals``, ``eq``,
  ``==``, ``[string tolower …]``), its ``else`` branch (negated), and ``switch -glob``/exact
  arms on the path.

Anything else is left alone: the facts are what can be read with confidence.

:func:`scan_commands` is what the loaders compile (:mod:`tcommlint.loaders.f5.compile`):
every command of interest at a command position inside an event, with its Tcl words, their
positions and the blocks around it (``if``/``elseif``/``else`` chains, ``switch`` arms with
fall-through, other blocks), found in one pass over the braces (parents recorded, so finding
the blocks around a command costs its depth). :func:`all_cookie_mentions` lists every
cookie name written, for fixes.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from tcommlint.loaders.f5.tmsh import tcl_block_end
from tcommlint.records import NamedTuple


class IRuleEvent(NamedTuple):
    """A ``when EVENT {`` block."""

    name: str
    line: int
    column: int


class PersistCall(NamedTuple):
    """A ``persist`` command; ``cookie`` is the cookie that keys it, if any."""

    method: str  # "uie", "add uie", "cookie insert", "cookie hash", "source_addr", ...
    event: str  # the enclosing ``when`` event, "" outside any
    cookie: str | None
    line: int
    column: int
    timeout: int | None = None


class PoolSelection(NamedTuple):
    """A ``pool X`` command and the path condition it sits under."""

    pool: str
    event: str
    match: str  # "prefix", "exact", "always"
    values: tuple[str, ...]
    line: int
    column: int
    case_sensitive: bool = True
    negate: bool = False


class IRuleFacts(NamedTuple):
    """Everything :func:`scan_irule` recognised in one iRule."""

    events: tuple[IRuleEvent, ...]
    persists: tuple[PersistCall, ...]
    pools: tuple[PoolSelection, ...]

    def events_with(self, method: str, cookie: str | None = None) -> set[str]:
        """The events holding a ``persist <method>`` call (on ``cookie``, when given)."""
        return {
            call.event
            for call in self.persists
            if call.method == method and (cookie is None or call.cookie == cookie)
        }


_WHEN = re.compile(r"(?m)^[ \t]*when[ \t]+([A-Z][A-Z0-9_]*)(?:[ \t]+priority[ \t]+\d+)?[ \t]*\{")
_PERSIST = re.compile(
    r"(?<![\w:])persist[ \t]+(add[ \t]+uie|lookup[ \t]+uie|delete[ \t]+uie|uie|"
    r"cookie[ \t]+(?:insert|rewrite|passive|hash)|cookie|source_addr|dest_addr|hash|carp|"
    r"sticky|ssl|msrdp|sip|none)\b([^\n;]*)"
)
_COOKIE_KEY = re.compile(r'\[\s*HTTP::cookie\s+(?:value\s+)?"?([^\s"\]\[]+)"?\s*\]')
_COOKIE_HASH_NAME = re.compile(r'^\s*"?([^\s"\]\[{}]+)"?')
_TRAILING_INT = re.compile(r"(?:^|\s)(\d+)\s*$")
_POOL = re.compile(r"(?:^|(?<=[\s;{\[]))pool[ \t]+\"?([^\s;{}\[\]\"]+)\"?")
_PATH_CONDITION = re.compile(
    r"""^\s*(!\s*)?\(?\s*\[\s*(string\s+tolower\s+)?\[?\s*HTTP::(?:path|uri)\s*\]?\s*\]\s*
        (starts_with|equals|eq|==|ends_with|contains)\s+"?([^"\s{}]+)"?\s*\)?\s*$""",
    re.X,
)
_SWITCH = re.compile(
    r"switch\s+((?:-\w+\s+)*)(?:--\s+)?\[\s*(string\s+tolower\s+)?\[?\s*HTTP::(?:path|uri)"
    r"\s*\]?\s*\]\s*$"
)
_HASH = re.compile("#")
_NEWLINE = re.compile("\n")
_BRACE_SPECIAL = re.compile(r'[\\"{}]')
_OPERATORS = {"starts_with": "prefix", "equals": "exact", "eq": "exact", "==": "exact"}


def scan_irule(body: str, first_line: int = 1, first_col: int = 1) -> IRuleFacts:
    """Scan one iRule body whose first character sits at ``first_line``/``first_col``."""
    text = _blank_comments(body)
    pairs = _brace_pairs(text)
    locate = _Locator(body, first_line, first_col)
    events = _events(text, locate)
    event_ranges = _event_ranges(text, pairs)
    persists = tuple(
        _persist_call(match, text, event_ranges, locate) for match in _PERSIST.finditer(text)
    )
    pools = tuple(
        selection
        for match in _POOL.finditer(text)
        if (selection := _pool_selection(match, text, pairs, event_ranges, locate))
    )
    return IRuleFacts(events, persists, pools)


class _Locator:
    """Offsets in the body → positions in the file (newlines found once, then bisected)."""

    def __init__(self, body: str, first_line: int, first_col: int) -> None:
        self.body = body
        self.first_line = first_line
        self.first_col = first_col
        self._newlines: list[int] | None = None

    def at(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [match.start() for match in _NEWLINE.finditer(self.body)]
        line = bisect_left(self._newlines, offset)
        if line == 0:
            return self.first_line, self.first_col + offset
        return self.first_line + line, offset - self._newlines[line - 1]


def _blank_comments(body: str) -> str:
    """The body with Tcl comments replaced by spaces, so offsets stay valid.

    A ``#`` starts a comment where a command may start: first on its line after blanks, or
    after ``;``, ``{`` or ``[`` (none of them escaped by a backslash). Only the ``#`` are
    visited, not every character.
    """
    if "#" not in body:
        return body
    pieces = []
    done = 0
    for match in _HASH.finditer(body):
        index = match.start()
        if index < done or not _command_start(body, index, done):
            continue
        end = body.find("\n", index)
        end = len(body) if end < 0 else end
        pieces.append(body[done:index])
        pieces.append(" " * (end - index))
        done = end
    pieces.append(body[done:])
    return "".join(pieces)


def _command_start(body: str, index: int, comment_end: int) -> bool:
    """True when the ``#`` at ``index`` is not escaped and begins a command (a comment
    that ends at ``comment_end`` escapes nothing)."""
    if _escaped(body, index):
        return False
    line_start = body.rfind("\n", 0, index) + 1
    before = body[line_start:index].rstrip()
    if not before:
        newline = line_start - 1
        return newline < 0 or newline == comment_end or not _escaped(body, newline)
    return before[-1] in ";{[" and not _escaped(body, line_start + len(before) - 1)


def _escaped(body: str, index: int) -> bool:
    """True when an odd run of backslashes ends right before ``index``."""
    run = index - len(body[:index].rstrip("\\")) if body[index - 1 : index] == "\\" else 0
    return run % 2 == 1


class _Braces(NamedTuple):
    """Where a Tcl body's braces pair up, outside quoted strings and escapes."""

    pairs: dict[int, int]  # open-brace offset → close-brace offset
    closes: dict[int, int]  # close-brace offset → open-brace offset
    parents: dict[int, int]  # open-brace offset → the enclosing block's open brace
    quoted: list[tuple[int, int]]  # (start, end) of each quoted string


def _scan_braces(text: str) -> _Braces:
    braces = _Braces({}, {}, {}, [])
    stack: list[int] = []
    quote_start = -1
    skip = 0
    for match in _BRACE_SPECIAL.finditer(text):
        index = match.start()
        if index < skip:
            continue
        char = match.group()
        if char == "\\":
            skip = index + 2
        elif char == '"':
            if quote_start >= 0:
                braces.quoted.append((quote_start, index))
                quote_start = -1
            elif index == 0 or text[index - 1] in " \t\r\n;[":
                quote_start = index
        elif quote_start >= 0:
            continue
        elif char == "{":
            if stack:
                braces.parents[index] = stack[-1]
            stack.append(index)
        elif stack:
            opener = stack.pop()
            braces.pairs[opener] = index
            braces.closes[index] = opener
    return braces


def _brace_pairs(text: str) -> dict[int, int]:
    """Open-brace offset → close-brace offset for every block that closes."""
    return _scan_braces(text).pairs


def _events(text: str, locate: _Locator) -> tuple[IRuleEvent, ...]:
    events = []
    for match in _WHEN.finditer(text):
        indent = len(match.group(0)) - len(match.group(0).lstrip())
        line, column = locate.at(match.start() + indent)
        events.append(IRuleEvent(match.group(1), line, column))
    return tuple(events)


def _event_ranges(text: str, pairs: dict[int, int]) -> list[tuple[int, int, str]]:
    ranges = []
    for match in _WHEN.finditer(text):
        opener = match.end() - 1
        close = pairs.get(opener)
        if close is None:
            end = tcl_block_end(text, opener + 1)
            close = len(text) if end < 0 else end
        ranges.append((opener, close, match.group(1)))
    return ranges


def _event_at(ranges: list[tuple[int, int, str]], offset: int) -> str:
    for start, end, name in ranges:
        if start < offset < end:
            return name
    return ""


def _persist_call(
    match: re.Match[str],
    text: str,
    ranges: list[tuple[int, int, str]],
    locate: _Locator,
) -> PersistCall:
    method = " ".join(match.group(1).split())
    rest = match.group(2).rstrip().rstrip("}").rstrip()
    cookie: str | None = None
    key = _COOKIE_KEY.search(rest)
    if key:
        cookie = key.group(1)
    elif method == "cookie hash":
        name = _COOKIE_HASH_NAME.match(rest)
        cookie = name.group(1) if name else None
    timeout_match = _TRAILING_INT.search(rest.replace("]", " ] "))
    timeout = (
        int(timeout_match.group(1))
        if timeout_match and method in ("uie", "add uie", "cookie hash", "source_addr")
        else None
    )
    line, column = locate.at(match.start())
    return PersistCall(method, _event_at(ranges, match.start()), cookie, line, column, timeout)


def _pool_selection(
    match: re.Match[str],
    text: str,
    pairs: dict[int, int],
    ranges: list[tuple[int, int, str]],
    locate: _Locator,
) -> PoolSelection | None:
    """The pool command with the condition of the block around it, if that is readable."""
    event = _event_at(ranges, match.start())
    if not event.startswith("HTTP_REQUEST") and event not in ("CLIENT_ACCEPTED", ""):
        return None
    line, column = locate.at(match.start())
    pool = match.group(1)
    opener = _innermost(pairs, match.start())
    event_opener = next((start for start, _, name in ranges if name == event), -1)
    if opener is None or opener == event_opener:
        return PoolSelection(pool, event, "always", (), line, column)
    condition = _block_condition(text, pairs, opener)
    if condition is None:
        return None
    kind, values, case_sensitive, negate = condition
    return PoolSelection(pool, event, kind, values, line, column, case_sensitive, negate)


def _innermost(pairs: dict[int, int], offset: int) -> int | None:
    best = None
    for start, end in pairs.items():
        if start < offset < end and (best is None or start > best):
            best = start
    return best


def _block_condition(
    text: str, pairs: dict[int, int], opener: int
) -> tuple[str, tuple[str, ...], bool, bool] | None:
    """Read the ``if {cond}``, ``else`` or ``switch`` arm that opens the block at ``opener``."""
    before = text[:opener].rstrip()
    negate = False
    if before.endswith("else") and not before.endswith("elseif"):
        body_close = len(before[:-4].rstrip()) - 1
        body_open = _opener_of(pairs, body_close)
        if body_open is None:
            return None
        before = text[:body_open].rstrip()
        negate = True
    if before.endswith("}"):
        cond_open = _opener_of(pairs, len(before) - 1)
        if cond_open is None:
            return None
        keyword = text[:cond_open].rstrip()
        if not (keyword.endswith("if") or keyword.endswith("elseif")):
            return None
        parsed = _path_condition(text[cond_open + 1 : len(before) - 1])
        if parsed is None:
            return None
        kind, value, case_sensitive, negated = parsed
        return kind, (value,), case_sensitive, negate != negated
    return None if negate else _switch_arm(text, pairs, opener, before)


def _opener_of(pairs: dict[int, int], close: int) -> int | None:
    for start, end in pairs.items():
        if end == close:
            return start
    return None


def _path_condition(condition: str) -> tuple[str, str, bool, bool] | None:
    match = _PATH_CONDITION.match(condition)
    if not match or match.group(3) not in _OPERATORS:
        return None
    case_sensitive = match.group(2) is None
    value = match.group(4)
    return _OPERATORS[match.group(3)], value, case_sensitive, match.group(1) is not None


def _switch_arm(
    text: str, pairs: dict[int, int], opener: int, before: str
) -> tuple[str, tuple[str, ...], bool, bool] | None:
    """A ``switch [-glob] [HTTP::path] { "/api*" { pool X } }`` arm."""
    pattern = re.search(r'"?([^\s"{}]+)"?$', before)
    outer = _innermost(pairs, opener)
    if pattern is None or outer is None:
        return None
    switch = _SWITCH.search(text[:outer].rstrip())
    if switch is None:
        return None
    value = pattern.group(1)
    case_sensitive = switch.group(2) is None
    glob = "-glob" in switch.group(1)
    if value == "default":
        return "always", (), case_sensitive, False
    if glob and value.endswith("*") and not any(c in value[:-1] for c in "*?["):
        return "prefix", (value[:-1],), case_sensitive, False
    if not glob or not any(c in value for c in "*?["):
        return "exact", (value,), case_sensitive, False
    return None


def cookie_mentions(
    text: str, cookie: str, first_line: int = 1, first_col: int = 1
) -> tuple[tuple[int, int], ...]:
    """(line, column) of every ``HTTP::cookie`` argument that names ``cookie`` ignoring case
    (``HTTP::cookie jsessionid``, ``HTTP::cookie exists "jsessionid"``, ``HTTP::cookie insert
    name jsessionid``), never a variable or log text that happens to match.

    A fix that corrects the cookie's case must change every mention (``HTTP::cookie exists
    "jsessionid"`` guards the ``persist`` calls), not only the one the facts point at.
    """
    argument = re.compile(
        rf'HTTP::cookie\s+(?:[a-z]+\s+){{0,2}}?["{{]?({re.escape(cookie)})(?![\w.-])', re.IGNORECASE
    )
    found = []
    for index, line in enumerate(text.split("\n")):
        offset = first_col - 1 if index == 0 else 0
        for match in argument.finditer(line):
            found.append((first_line + index, offset + match.start(1) + 1))
    return tuple(found)


# --- commands and the blocks they sit in (what compiling an iRule needs) ------------------


class Guard(NamedTuple):
    """One block around a command: the condition under which control enters it.

    ``kind`` is ``if`` (the Tcl condition ``text`` holds), ``not`` (``text`` fails: an earlier
    ``if``/``elseif`` of the same chain, for an ``elseif``/``else`` branch), ``switch`` (the
    subject ``text`` matches one of ``patterns`` under ``options``; ``negate``: none of them,
    for a later arm or ``default``), ``other`` (a block the scanner does not read: a loop, a
    ``catch``; ``text`` is its header).
    """

    kind: str
    text: str
    patterns: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    negate: bool = False


class Command(NamedTuple):
    """One Tcl command of an iRule, at a command position inside a ``when`` event.

    ``words`` are the Tcl words as written (quotes, braces and brackets kept), the command
    name first, each with its (line, column) in ``positions``; ``guards`` are the blocks
    around it from the outermost in. ``priority`` is the event's (500 when not given).
    """

    name: str
    words: tuple[str, ...]
    positions: tuple[tuple[int, int], ...]
    event: str
    priority: int
    guards: tuple[Guard, ...]
    text: str

    @property
    def line(self) -> int:
        """The line of the command name."""
        return self.positions[0][0]

    @property
    def column(self) -> int:
        """The column of the command name."""
        return self.positions[0][1]


DEFAULT_PRIORITY = 500
_WHEN_PRIORITY = re.compile(
    r"(?m)^[ \t]*when[ \t]+([A-Z][A-Z0-9_]*)((?:[ \t]+(?:priority|timing)[ \t]+\w+)*)[ \t]*\{"
)
_COMMAND_START = re.compile(r"(?m)(?:^|[;{])[ \t]*([A-Za-z_][\w:]*)")
_PRIORITY = re.compile(r"priority[ \t]+(\d+)")
_SWITCH_HEAD = re.compile(r"switch\s+((?:-\w+\s+)*)(?:--\s+)?(.+?)\s*$", re.S)
_BLANKS = " \t\r"


class _Structure:
    """Braces, quoted strings and events of one (comment-blanked) iRule body."""

    def __init__(self, text: str) -> None:
        self.text = text
        braces = _scan_braces(text)
        self.pairs, self.closes, self.parents = braces.pairs, braces.closes, braces.parents
        quoted = braces.quoted
        self.quote_starts = [start for start, _ in quoted]
        self.quote_ends = [end for _, end in quoted]
        self.openers = sorted(self.pairs)
        self.events: list[tuple[int, int, str, int]] = []
        for match in _WHEN_PRIORITY.finditer(text):
            opener = match.end() - 1
            close = self.pairs.get(opener)
            if close is None:
                end = tcl_block_end(text, opener + 1)
                close = len(text) if end < 0 else end
            found = _PRIORITY.search(match.group(2))
            priority = int(found.group(1)) if found else DEFAULT_PRIORITY
            self.events.append((opener, close, match.group(1), priority))
        self._arms: dict[int, list[tuple[tuple[str, ...], int]]] = {}

    def quoted(self, offset: int) -> bool:
        """Whether ``offset`` is inside a quoted string."""
        index = bisect_right(self.quote_starts, offset) - 1
        return index >= 0 and self.quote_starts[index] < offset < self.quote_ends[index]

    def event_at(self, offset: int) -> tuple[int, str, int] | None:
        """(opener, name, priority) of the event holding ``offset``."""
        for opener, close, name, priority in self.events:
            if opener < offset < close:
                return opener, name, priority
        return None

    def enclosing(self, offset: int, outer: int) -> list[int]:
        """Openers of the blocks around ``offset`` inside the block ``outer``, outermost first
        (from the last block opened before ``offset`` up its parents: depth, not length)."""
        index = bisect_left(self.openers, offset) - 1
        opener: int | None = self.openers[index] if index >= 0 else None
        end = len(self.text)
        while opener is not None and opener > outer and self.pairs.get(opener, end) < offset:
            opener = self.parents.get(opener)
        found: list[int] = []
        while opener is not None and opener > outer:
            if opener in self.pairs:
                found.append(opener)
            opener = self.parents.get(opener)
        found.reverse()
        return found

    def previous(self, index: int) -> int:
        """The index of the last character before ``index`` that is not a blank or newline."""
        index -= 1
        while index >= 0 and self.text[index] in " \t\r\n":
            index -= 1
        return index

    def word_before(self, index: int) -> tuple[str, int]:
        """The bare word that ends at ``index`` (inclusive), and where it starts."""
        start = index
        while start >= 0 and (self.text[start].isalnum() or self.text[start] in "_:"):
            start -= 1
        return self.text[start + 1 : index + 1], start + 1

    def guards(self, opener: int, parent: int) -> list[Guard]:
        """How control enters the block opened at ``opener`` (directly inside ``parent``)."""
        text = self.text
        end = self.previous(opener)
        if end < 0:
            return [Guard("other", "")]
        word, start = self.word_before(end)
        if word == "else":
            return [Guard("not", condition) for condition in self._chain(start)]
        if text[end] == "}" and end in self.closes:
            condition_open = self.closes[end]
            keyword, keyword_start = self.word_before(self.previous(condition_open))
            condition = text[condition_open + 1 : end].strip()
            if keyword == "if":
                return [Guard("if", condition)]
            if keyword == "elseif":
                earlier = [Guard("not", c) for c in self._chain(keyword_start)]
                return [*earlier, Guard("if", condition)]
        arm = self._switch_arm(opener, parent)
        if arm is not None:
            return arm
        line_start = text.rfind("\n", 0, opener) + 1
        header = text[line_start:opener].strip()
        first = header.split(None, 1)[0] if header else ""
        if first in ("switch", "catch", "eval", "when"):
            return []  # a switch body's arms are read one by one; the others always run
        if first == "if" and text[end] != "}":
            return [Guard("if", header[2:].strip())]  # an unbraced condition
        return [Guard("other", header)]

    def _chain(self, keyword_start: int) -> list[str]:
        """The conditions of the ``if``/``elseif`` branches before the keyword at
        ``keyword_start`` (an ``else`` or ``elseif``), nearest last."""
        conditions: list[str] = []
        body_close = self.previous(keyword_start)
        while body_close >= 0 and body_close in self.closes:
            condition_close = self.previous(self.closes[body_close])
            if condition_close < 0 or condition_close not in self.closes:
                break
            condition_open = self.closes[condition_close]
            conditions.append(self.text[condition_open + 1 : condition_close].strip())
            keyword, start = self.word_before(self.previous(condition_open))
            if keyword != "elseif":
                break
            body_close = self.previous(start)
        conditions.reverse()
        return conditions

    def _switch_arm(self, opener: int, parent: int) -> list[Guard] | None:
        """The guards of a ``switch`` arm body, when the block is one."""
        head_end = self.previous(parent)
        line_start = self.text.rfind("\n", 0, parent) + 1
        head = self.text[line_start : head_end + 1].strip()
        found = _SWITCH_HEAD.search(head)
        if found is None or not head.startswith("switch"):
            return None
        arms = self._arms.get(parent)
        if arms is None:
            arms = self._arms[parent] = self._parse_arms(parent)
        options = tuple(found.group(1).split())
        subject = found.group(2)
        earlier: list[str] = []
        for patterns, body in arms:
            if body == opener:
                if patterns == ("default",):
                    return [Guard("switch", subject, tuple(earlier), options, negate=True)]
                guards = [Guard("switch", subject, patterns, options)]
                if earlier:
                    guards.insert(0, Guard("switch", subject, tuple(earlier), options, True))
                return guards
            earlier.extend(p for p in patterns if p != "default")
        return None

    def _parse_arms(self, parent: int) -> list[tuple[tuple[str, ...], int]]:
        words = tcl_words(self, parent + 1, self.pairs[parent], list_mode=True)
        arms: list[tuple[tuple[str, ...], int]] = []
        pending: list[str] = []
        for index in range(0, len(words) - 1, 2):
            pattern, _ = words[index]
            body, offset = words[index + 1]
            pending.append(literal(pattern) or pattern)
            if body != "-":
                arms.append((tuple(pending), offset if body.startswith("{") else -1))
                pending = []
        return arms


def tcl_words(
    structure: _Structure, start: int, end: int, list_mode: bool = False
) -> list[tuple[str, int]]:
    """The Tcl words from ``start`` to the end of the command (a newline or ``;``, or a
    ``}`` that closes an enclosing block), or to ``end`` in ``list_mode``; each with its
    offset. Braced and bracketed words are taken whole."""
    text = structure.text
    words: list[tuple[str, int]] = []
    index = start
    stops = "" if list_mode else "\n;"
    while index < end:
        char = text[index]
        if char in _BLANKS or (list_mode and char == "\n"):
            index += 1
            continue
        if char == "\\" and text[index + 1 : index + 2] == "\n":
            index += 2
            continue
        if char in stops or char == "}":
            break
        word_start = index
        if char == "{":
            close = structure.pairs.get(index)
            index = end if close is None else close + 1
        elif char == '"':
            index = _quoted_end(text, index, end)
        else:
            index = _bare_end(text, index, end)
        words.append((text[word_start:index], word_start))
    return words


def _quoted_end(text: str, index: int, end: int) -> int:
    """The offset after the quoted word starting at ``index``."""
    depth = 0
    index += 1
    while index < end:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char == '"' and depth == 0:
            return index + 1
        index += 1
    return end


def _bare_end(text: str, index: int, end: int) -> int:
    """The offset after the bare word (maybe with ``[…]`` substitutions) at ``index``."""
    depth = 0
    while index < end:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif depth == 0 and (char in " \t\r\n;}"):
            return index
        elif depth and char == '"':
            index = _quoted_end(text, index, end)
            continue
        index += 1
    return end


def literal(word: str) -> str | None:
    """The value of a Tcl word known without running anything (no ``$`` or ``[…]``)."""
    if len(word) >= 2 and word[0] == "{" and word[-1] == "}":
        return word[1:-1]
    inner = word[1:-1] if len(word) >= 2 and word[0] == '"' and word[-1] == '"' else word
    if "$" in inner or "[" in inner:
        return None
    return re.sub(r"\\(.)", r"\1", inner)


def scan_commands(
    body: str, names: frozenset[str], first_line: int = 1, first_col: int = 1
) -> tuple[Command, ...]:
    """Every command named in ``names`` inside a ``when`` event of an iRule, in text order,
    with its words, positions, event and guards. Commands inside quoted strings and
    outside every event (they never run) are left out."""
    text = _blank_comments(body)
    structure = _Structure(text)
    locate = _Locator(body, first_line, first_col)
    commands: list[Command] = []
    for match in _COMMAND_START.finditer(text):
        name = match.group(1)
        start = match.start(1)
        if name not in names or structure.quoted(start):
            continue
        event = structure.event_at(start)
        if event is None:
            continue
        opener, event_name, priority = event
        words = [(name, start), *tcl_words(structure, match.end(1), len(text))]
        guards: list[Guard] = []
        parent = opener
        for block in structure.enclosing(start, opener):
            guards.extend(structure.guards(block, parent))
            parent = block
        last = words[-1]
        command_text = " ".join(body[start : last[1] + len(last[0])].split())
        commands.append(
            Command(
                name,
                tuple(word for word, _ in words),
                tuple(locate.at(offset) for _, offset in words),
                event_name,
                priority,
                tuple(guards),
                command_text,
            )
        )
    return tuple(commands)


_COOKIE_SUBCOMMANDS = (
    "exists|value|remove|insert|name|replace|path|domain|expires|maxage|secure|httponly"
    "|version|comment|commenturl|port|attribute|encrypt|decrypt|samesite"
)
_ANY_COOKIE_MENTION = re.compile(
    rf"(?:HTTP::cookie(?:\s+(?:{_COOKIE_SUBCOMMANDS}))*"
    r"|persist\s+cookie\s+(?:insert|rewrite|passive|hash))"
    r"\s+(?:\\?[\"{])?([A-Za-z0-9_.~#%^&*-]+)"
)


def all_cookie_mentions(
    text: str, first_line: int = 1, first_col: int = 1
) -> tuple[tuple[str, int, int], ...]:
    """(name, line, column) of every cookie name an iRule writes as an ``HTTP::cookie``
    argument or after ``persist cookie <method>`` (the text may be a JSON string: ``\\"``
    before a name is allowed), for a fix that renames a misspelt cookie everywhere."""
    locate = _Locator(text, first_line, first_col)
    found = []
    for match in _ANY_COOKIE_MENTION.finditer(text):
        line, column = locate.at(match.start(1))
        found.append((match.group(1), line, column))
    return tuple(found)
