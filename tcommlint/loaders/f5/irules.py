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
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tcommlint.loaders.f5.tmsh import tcl_block_end


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
    """Offsets in the body → positions in the file."""

    def __init__(self, body: str, first_line: int, first_col: int) -> None:
        self.body = body
        self.first_line = first_line
        self.first_col = first_col

    def at(self, offset: int) -> tuple[int, int]:
        line = self.body.count("\n", 0, offset)
        if line == 0:
            return self.first_line, self.first_col + offset
        return self.first_line + line, offset - self.body.rfind("\n", 0, offset)


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


def _brace_pairs(text: str) -> dict[int, int]:
    """Open-brace offset → close-brace offset for every block that closes."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    quoted = False
    skip = 0
    for match in _BRACE_SPECIAL.finditer(text):
        index = match.start()
        if index < skip:
            continue
        char = match.group()
        if char == "\\":
            skip = index + 2
        elif char == '"':
            if quoted or index == 0 or text[index - 1] in " \t\r\n;[":
                quoted = not quoted
        elif quoted:
            continue
        elif char == "{":
            stack.append(index)
        elif stack:
            pairs[stack.pop()] = index
    return pairs


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
