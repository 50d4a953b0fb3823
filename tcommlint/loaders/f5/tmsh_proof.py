"""Proofs that a guessed end of a tmsh or Tcl block is where the exact readers end it.

The readers of :mod:`tcommlint.loaders.f5.tmsh` guess where a body ends (the next ``}`` at
column 0) and keep the guess only when it is proved here. A proof turns the body into its
bare braces with string operations that run in C, one pass each over the whole text:
backslash pairs are blanked (``\\x`` to ``aa``), comment lines are replaced by a marker,
the text is cut at ``"`` (every second piece is a string, which is checked: each string
must open where a word may begin and no comment marker may fall inside one), and the
braces left are reduced by removing ``{}`` pairs.

Only the rules that tmsh and Tcl share are proved, so one proof serves tmsh bodies and
iRules alike, and a Tcl block inside a tmsh body (a ``definition { … }``) ends where
:func:`tcommlint.loaders.f5.tmsh.tcl_block_end` would end it. Anything a proof cannot decide
exactly — a ``#`` that is not alone at the start of a line followed by a brace or a string
on its line, an escaped brace or newline in tmsh, an escaped last newline in Tcl, a quote
right after a brace where a Tcl block may be, very deep nesting — counts as unproved, and
the exact reader decides. ``tests/test_tmsh_proof.py`` checks every proof it makes against
the exact readers on random text.

Many bodies are proved at once by :func:`all_balanced`, and an iRule's many comment lines
are left in place when that cannot change the answer (see :func:`_code_braces`): the
passes are what a proof costs, so each is made once over as much text as possible.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

# What may precede a '"' that opens a string, for tmsh and Tcl alike / for Tcl only.
TMSH_QUOTE_AFTER = frozenset(" \t\r\n")
TCL_QUOTE_AFTER = frozenset(" \t\r\n;[")

# The proofs run on the UTF-8 bytes of the text: every character that matters is ASCII, no
# other character's bytes are, and bytes need no encoding before the final translate.
# Joins the bodies of one bulk proof; survives every step, so each body is checked alone.
_SEPARATOR_CHAR = "\x02"
_SEPARATOR = _SEPARATOR_CHAR.encode()
_STRING_MARK = b"\x00"  # where a string was cut out
_COMMENT_MARK = b"\x01"  # where a comment line was

_ESCAPED = re.compile(rb"\\.", re.S)
_KEPT = b"{}#\n\x00" + _SEPARATOR
_NOT_KEPT = bytes(byte for byte in range(256) if byte not in _KEPT)
_COMMENT_START = re.compile(rb"[ \t]*#")
_LAST_BYTE = itemgetter(-1)
_NEWLINE = ord("\n")
_MAX_PASSES = 128
_FEW_ESCAPES = 256
_FEW_HASHES = 24
_BODY_ENDS = (b"", _SEPARATOR)  # what follows the last newline of a body


class _HashCheck(NamedTuple):
    """When a ``#`` may be read differently by tmsh or Tcl: over the kept characters without
    ``passed_over``, when the next one after it that is not ``#`` makes one of ``pairs``."""

    pairs: tuple[bytes, ...]
    passed_over: bytes


# A '#' with a brace after it on its line (comments left in place), or a cut-out string too.
_HASH_BEFORE_BRACE = _HashCheck((b"#{", b"#}"), _SEPARATOR + _STRING_MARK)
_RISKY_HASH = _HashCheck((b"#{", b"#}", b"#" + _STRING_MARK), _SEPARATOR)

# The words whose block is a Tcl script inside a tmsh body (tmsh.SCRIPT_KEYS).
SCRIPT_KEYS = frozenset(
    {"definition", "implementation", "presentation", "html-help", "macro", "api-anonymous"}
)
_SCRIPT_KEYS = tuple(sorted(key.encode() for key in SCRIPT_KEYS))


def _opener_after(quote_after: frozenset[str]) -> bytes:
    """The bytes that may precede a '"' that opens a string."""
    return "".join(sorted(quote_after)).encode()


def _not_opener(quote_after: frozenset[str]) -> re.Pattern[bytes]:
    """A byte that may not precede a '"' that opens a string."""
    return re.compile(b"[^" + re.escape(_opener_after(quote_after)) + b"]")


_OPENER_AFTER = {after: _opener_after(after) for after in (TMSH_QUOTE_AFTER, TCL_QUOTE_AFTER)}
_NOT_OPENER = {after: _not_opener(after) for after in (TMSH_QUOTE_AFTER, TCL_QUOTE_AFTER)}

UNDECIDED = -1
STILL_OPEN = 1


def plain_depth(body: str, quote_after: frozenset[str]) -> int:
    """0 when the braces of ``body`` are balanced, so the ``}`` after it closes the block;
    1 when ``body`` leaves blocks open (that ``}`` closes an inner block, or a string runs
    past it); -1 when it cannot be told this way."""
    if _SEPARATOR_CHAR in body:
        return UNDECIDED
    braces = _code_braces(body.encode("utf-8", "replace"), quote_after)
    if isinstance(braces, int):
        return braces
    return _brace_depth(braces)


def all_balanced(bodies: list[str], quote_after: frozenset[str], ending: str = "") -> bool:
    """True when :func:`plain_depth` would be 0 for every one of ``bodies``, proved for all of
    them at once: they are joined by a separator that no step removes, and the reduced
    braces must be the separators alone (a string that runs from one body into the next
    swallows a separator, a ``}`` too many or too few leaves a brace beside one). Each body
    is taken with ``ending`` after it (a caller may hold bodies without their last newline).
    """
    if not bodies:
        return True
    separators = len(bodies) - 1
    if ending:  # a separator after the last body too: no copy of the text to add the ending
        bodies = [*bodies, ""]
        separators += 1
    text = (ending + _SEPARATOR_CHAR).join(bodies)
    braces = _code_braces(text.encode("utf-8", "replace"), quote_after)
    if isinstance(braces, int):
        return False
    reduced = _reduce(braces)
    return reduced is not None and reduced == _SEPARATOR * separators


def _code_braces(text: bytes, quote_after: frozenset[str]) -> bytes | int:
    """The braces (and separators) of ``text`` outside strings, comments and escapes, or
    :data:`STILL_OPEN` when a string runs past its end, or :data:`UNDECIDED`.

    Comment lines are replaced by a marker where there are few ``#``. Where there are many
    (an iRule), they are first left in place: when every string closes on the line it
    opens on, the quotes of a comment pair up within it, and only a brace after a ``#`` on
    its line could be read differently; only when that fails are they replaced.
    """
    if _STRING_MARK in text or _COMMENT_MARK in text:
        return UNDECIDED
    if b"\\" in text:
        if quote_after is not TCL_QUOTE_AFTER and _any_followed_by(text, b"\\", b"{}\n"):
            return UNDECIDED
        blanked = _blank_escapes(text)
        if blanked is None:
            return UNDECIDED
        text = blanked
    if b"#" in text:
        if not _occurs_at_most(text, b"#", _FEW_HASHES):
            braces = _braces_leaving_comments(text, quote_after)
            if braces is not None:
                return braces
        text = _mark_comment_lines(text)
    code = _without_strings(text, quote_after)
    if isinstance(code, int):
        return code
    braces = _braces(code, _RISKY_HASH)
    return UNDECIDED if braces is None else braces


def _without_strings(
    text: bytes, quote_after: frozenset[str], one_line: bool = False
) -> bytes | int:
    """``text`` with every ``"…"`` string cut out (a marker left in its place), or
    :data:`STILL_OPEN` / :data:`UNDECIDED`; with ``one_line``, UNDECIDED also when a
    string spans lines or the quotes do not pair up."""
    if b'"' not in text:
        return text
    pieces = text.split(b'"')
    if len(pieces) % 2 == 0:
        return UNDECIDED if one_line else STILL_OPEN
    if one_line or _COMMENT_MARK in text:
        strings = b"".join(pieces[1::2])
        if (one_line and b"\n" in strings) or _COMMENT_MARK in strings:
            return UNDECIDED
    try:
        before_openers = bytes(map(_LAST_BYTE, pieces[:-1:2]))
    except IndexError:  # a '"' right after '{' or right after another string
        return UNDECIDED
    allowed = _OPENER_AFTER.get(quote_after) or _opener_after(quote_after)
    if before_openers.translate(None, allowed) and not _odd_openers_explained(
        text, pieces, before_openers, quote_after, one_line
    ):
        return UNDECIDED
    return _STRING_MARK.join(pieces[::2])


def _odd_openers_explained(
    text: bytes,
    pieces: list[bytes],
    before_openers: bytes,
    quote_after: frozenset[str],
    one_line: bool,
) -> bool:
    """True when every '"' that does not open a string where a word may begin either sits
    on a comment line (with ``one_line``: every string on one line, so the quotes of a
    comment pair up within it and cutting them out changes nothing: ``("EULA")``), or, in
    tmsh, right after a brace in a body with no script key: a brace is a token of its own
    in tmsh, so ``{"en"}`` holds a string (in a Tcl block the quote would be literal).
    ``before_openers`` holds the byte before each opening quote."""
    odd = _NOT_OPENER.get(quote_after) or _not_opener(quote_after)
    quotes = _QuoteContext(text, pieces)
    for found in odd.finditer(before_openers):
        at = quotes.offset(2 * found.start() + 1) - 1  # the opening quote
        if one_line and quotes.on_comment_line(at):
            continue
        after_brace = quote_after is TMSH_QUOTE_AFTER and found.group() in b"{}"
        if after_brace and not quotes.in_body_with_script_key(at):
            continue
        return False
    return True


class _QuoteContext:
    """Where the quotes of a text split at '"' are, and what surrounds them; each answer is
    found once (by offset, line or body), so asking about every quote stays linear."""

    def __init__(self, text: bytes, pieces: list[bytes]) -> None:
        self.text = text
        self.pieces = pieces
        self._offsets: list[int] = []
        self._line = (-1, -1, False)  # the start and end of the last line asked about
        self._bodies: list[int] = []
        self._script_keys: dict[int, bool] = {}

    def offset(self, index: int) -> int:
        """Where ``pieces[index]`` starts in the text."""
        if not self._offsets:
            self._offsets = [0, *accumulate(len(piece) + 1 for piece in self.pieces)]
        return self._offsets[index]

    def on_comment_line(self, at: int) -> bool:
        """True when the line holding offset ``at`` starts with ``#`` after blanks (and
        starts after a newline: the first line of a body follows its ``{``)."""
        start, end, answer = self._line
        if not start <= at < end:
            newline = self.text.rfind(b"\n", 0, at)
            start = newline + 1
            end = self.text.find(b"\n", at)
            answer = newline >= 0 and _COMMENT_START.match(self.text, start) is not None
            self._line = (start, len(self.text) if end < 0 else end, answer)
        return answer

    def in_body_with_script_key(self, at: int) -> bool:
        """True when the body around offset ``at`` (between separators) names a script key."""
        if not self._bodies:
            self._bodies = [0, *_separator_ends(self.text)]
        body = bisect_right(self._bodies, at) - 1
        if body not in self._script_keys:
            start = self._bodies[body]
            end = self._bodies[body + 1] - 1 if body + 1 < len(self._bodies) else len(self.text)
            text = self.text[start:end]
            self._script_keys[body] = any(key in text for key in _SCRIPT_KEYS)
        return self._script_keys[body]


def _separator_ends(text: bytes) -> list[int]:
    """The offset right after each separator in ``text``."""
    ends = []
    at = text.find(_SEPARATOR)
    while at >= 0:
        ends.append(at + 1)
        at = text.find(_SEPARATOR, at + 1)
    return ends


def _braces(code: bytes, risky_hash: _HashCheck) -> bytes | None:
    """The braces and separators of ``code``; None when ``risky_hash`` finds a ``#`` that
    has a brace (or a cut-out string) after it on its line. Both are read from ``code`` cut
    down to the characters that matter, where the ``#`` that ends a run of them on a line
    stands right before what ends the run: one search for a pair finds it, however many
    ``#`` share the line."""
    kept = code.translate(None, _NOT_KEPT)
    if b"#" in kept:
        probe = kept.translate(None, risky_hash.passed_over)
        if any(pair in probe for pair in risky_hash.pairs):
            return None
        return kept.translate(None, b"#\n\x00")
    return kept.translate(None, b"\n\x00")


def _blank_escapes(text: bytes) -> bytes | None:
    """``text`` with every backslash and the byte after it replaced by ``aa``; None when an
    escaped newline ends the text or a body in it (a comment continued there would hide the
    closing ``}``). A loop over the backslashes (``bytes.find`` is memchr) beats a regex
    pass, and a search for the three bytes of an escaped last newline, while they are few.
    """
    pieces: list[bytes] = []
    keep = pieces.append
    find = text.find
    last = len(text) - 1
    done = 0
    at = find(b"\\")
    for _ in range(_FEW_ESCAPES):
        if at < 0 or at == last:
            break
        if text[at + 1] == _NEWLINE and text[at + 2 : at + 3] in _BODY_ENDS:
            return None
        keep(text[done:at])
        done = at + 2
        at = find(b"\\", done)
    else:
        rest = text[done:]
        if rest.endswith(b"\\\n") or b"\\\n" + _SEPARATOR in rest:
            return None
        keep(_ESCAPED.sub(b"aa", rest))
        return b"aa".join(pieces)
    keep(text[done:])
    return b"aa".join(pieces)


def _braces_leaving_comments(text: bytes, quote_after: frozenset[str]) -> bytes | None:
    """The braces of ``text`` with comment lines left in place, or None when that cannot
    be told apart from reading them as comments (see :func:`_code_braces`)."""
    code = _without_strings(text, quote_after, one_line=True)
    return _braces(code, _HASH_BEFORE_BRACE) if isinstance(code, bytes) else None


def _occurs_at_most(text: bytes, char: bytes, most: int) -> bool:
    """True when ``char`` occurs in ``text`` at most ``most`` times (found by memchr)."""
    at = -1
    for _ in range(most + 1):
        at = text.find(char, at + 1)
        if at < 0:
            return True
    return False


def _mark_comment_lines(text: bytes) -> bytes:
    """``text`` with every line whose first non-blank is ``#`` (the first line excepted: it
    follows the ``{``) replaced by the comment marker."""
    pieces: list[bytes] = []
    done = 0
    find, rfind = text.find, text.rfind
    hash_at = find(b"#")
    while hash_at >= 0:
        line_start = rfind(b"\n", 0, hash_at) + 1
        line_end = find(b"\n", hash_at)
        if line_end < 0:
            line_end = len(text)
        if line_start and not text[line_start:hash_at].strip(b" \t"):
            pieces += (text[done:line_start], _COMMENT_MARK)
            done = line_end
        hash_at = find(b"#", line_end)
    pieces.append(text[done:])
    return b"".join(pieces)


def _any_followed_by(text: bytes, char: bytes, followers: bytes) -> bool:
    """True when some ``char`` in ``text`` is followed right away by one of ``followers``
    (``char`` must not be one of them)."""
    at = text.find(char)
    while at >= 0:
        if text[at + 1 : at + 2] in followers and at + 1 < len(text):
            return True
        at = text.find(char, at + 2)
    return False


def _reduce(braces: bytes) -> bytes | None:
    """``braces`` with every ``{}`` pair removed, innermost first; None when nesting is too
    deep to reduce here."""
    for _ in range(_MAX_PASSES):
        if b"{}" not in braces:
            return braces
        braces = braces.replace(b"{}", b"")
    return None


def _brace_depth(braces: bytes) -> int:
    """0 for a balanced, well-nested run of braces; 1 when only ``{`` are left over; -1
    when a ``}`` is (the block closed earlier) or nesting is too deep to check here."""
    reduced = _reduce(braces)
    if reduced is None:
        return UNDECIDED
    if not reduced:
        return 0
    return UNDECIDED if b"}" in reduced else STILL_OPEN
