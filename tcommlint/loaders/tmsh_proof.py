"""Proofs that a guessed end of a tmsh or Tcl block is where the exact readers end it.

The readers of :mod:`tcommlint.loaders.tmsh` guess where a body ends (the next ``}`` at
column 0) and keep the guess only when it is proved here. A proof turns the body into its
bare braces with string operations that run in C, one pass each over the whole text:
backslash pairs are blanked (``\\x`` to ``aa``), comment lines are replaced by a marker,
the text is cut at ``"`` (every second piece is a string, which is checked: each string
must open where a word may begin and no comment marker may fall inside one), and the
braces left are reduced by removing ``{}`` pairs.

Only the rules that tmsh and Tcl share are proved, so one proof serves tmsh bodies and
iRules alike, and a Tcl block inside a tmsh body (a ``definition { … }``) ends where
:func:`tcommlint.loaders.tmsh.tcl_block_end` would end it. Anything a proof cannot decide
exactly — a ``#`` that is not alone at the start of a line followed by a brace or a string
on its line, an escaped brace or newline in tmsh, a quote right after a brace, very deep
nesting — counts as unproved, and the exact reader decides.
"""

from __future__ import annotations

import re
from operator import itemgetter

# What may precede a '"' that opens a string, for tmsh and Tcl alike / for Tcl only.
TMSH_QUOTE_AFTER = frozenset(" \t\r\n")
TCL_QUOTE_AFTER = frozenset(" \t\r\n;[")

# Joins the bodies of one bulk proof; survives every step, so each body is checked alone.
_SEPARATOR = "\x02"
_STRING_MARK = "\x00"  # where a string was cut out
_COMMENT_MARK = "\x01"  # where a comment line was

_ESCAPED = re.compile(r"\\.", re.S)
_SEPARATOR_BYTE = _SEPARATOR.encode()
_KEPT = b"{}" + _SEPARATOR_BYTE
_NOT_KEPT = bytes(byte for byte in range(256) if byte not in _KEPT)
_LAST_CHAR = itemgetter(-1)
_MAX_PASSES = 128

UNDECIDED = -1
STILL_OPEN = 1


def plain_depth(body: str, quote_after: frozenset[str]) -> int:
    """0 when the braces of ``body`` are balanced, so the ``}`` after it closes the block;
    1 when ``body`` leaves blocks open (that ``}`` closes an inner block, or a string runs
    past it); -1 when it cannot be told this way."""
    if _SEPARATOR in body:
        return UNDECIDED
    braces = _code_braces(body, quote_after)
    if isinstance(braces, int):
        return braces
    return _brace_depth(braces)


def all_balanced(bodies: list[str], quote_after: frozenset[str]) -> bool:
    """True when :func:`plain_depth` would be 0 for every one of ``bodies``, proved for all of
    them at once: they are joined by a separator that no step removes, and the reduced
    braces must be the separators alone (a string that runs from one body into the next
    swallows a separator, a ``}`` too many or too few leaves a brace beside one)."""
    if not bodies:
        return True
    braces = _code_braces(_SEPARATOR.join(bodies), quote_after)
    if isinstance(braces, int):
        return False
    reduced = _reduce(braces)
    return reduced is not None and reduced == _SEPARATOR_BYTE * (len(bodies) - 1)


def _code_braces(text: str, quote_after: frozenset[str]) -> bytes | int:
    """The braces (and separators) of ``text`` outside strings, comments and escapes, or
    :data:`STILL_OPEN` when a string runs past its end, or :data:`UNDECIDED`."""
    if _STRING_MARK in text or _COMMENT_MARK in text:
        return UNDECIDED
    if "\\" in text:
        tcl = quote_after is TCL_QUOTE_AFTER
        if not tcl and _any_followed_by(text, "\\", "{}\n"):
            return UNDECIDED
        text = _ESCAPED.sub("aa", text)
    if "#" in text:
        text = _mark_comment_lines(text)
    code = text
    if '"' in text:
        pieces = text.split('"')
        if len(pieces) % 2 == 0:
            return STILL_OPEN
        try:
            if not set(map(_LAST_CHAR, pieces[:-1:2])) <= quote_after:
                return UNDECIDED
        except IndexError:  # a '"' right after '{' or right after another string
            return UNDECIDED
        if _COMMENT_MARK in text and _COMMENT_MARK in "".join(pieces[1::2]):
            return UNDECIDED
        code = _STRING_MARK.join(pieces[::2])
    if "#" in code and _any_on_line_after(code, "#", "{}" + _STRING_MARK):
        return UNDECIDED
    return code.encode("utf-8", "replace").translate(None, _NOT_KEPT)


def _mark_comment_lines(text: str) -> str:
    """``text`` with every line whose first non-blank is ``#`` (the first line excepted: it
    follows the ``{``) replaced by the comment marker."""
    pieces: list[str] = []
    done = 0
    find, rfind = text.find, text.rfind
    hash_at = find("#")
    while hash_at >= 0:
        line_start = rfind("\n", 0, hash_at) + 1
        line_end = find("\n", hash_at)
        if line_end < 0:
            line_end = len(text)
        if line_start and not text[line_start:hash_at].strip(" \t"):
            pieces += (text[done:line_start], _COMMENT_MARK)
            done = line_end
        hash_at = find("#", line_end)
    pieces.append(text[done:])
    return "".join(pieces)


def _any_followed_by(text: str, char: str, followers: str) -> bool:
    """True when some ``char`` in ``text`` is followed right away by one of ``followers``
    (``char`` must not be one of them)."""
    at = text.find(char)
    while at >= 0:
        if text[at + 1 : at + 2] in followers and at + 1 < len(text):
            return True
        at = text.find(char, at + 2)
    return False


def _any_on_line_after(text: str, char: str, wanted: str) -> bool:
    """True when some ``char`` in ``text`` has one of ``wanted`` after it on its line."""
    at = text.find(char)
    while at >= 0:
        line_end = text.find("\n", at)
        rest = text[at + 1 : line_end] if line_end >= 0 else text[at + 1 :]
        if any(one in rest for one in wanted):
            return True
        if line_end < 0:
            return False
        at = text.find(char, line_end)
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
