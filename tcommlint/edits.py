"""Where a fix's text edit goes in a file, and applying the edits of one file.

An edit names a span (line and column, as the loader of its file counted them) and the
``old`` text to replace, as a whole token: the first occurrence at or after the span on its
line (a cookie name inside ``req.cook(jsessionid)`` on a ``stick on`` line), or, for an
``exact`` edit, only where ``old`` stands at the span after nothing but blanks and quotes (a
quoted YAML value starts at its quote), so that a key written with escapes is never
"renamed" in its value.

Lines are counted both ways the loaders count them: Java properties, XML, YAML and JSON
end a line at ``\\r`` alone too, HAProxy and tmsh only at ``\\n``. The two agree unless the
file holds a ``\\r`` alone; then an edit is applied only where exactly one of them finds its
``old`` text. Renaming an XML element renames its end tag with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from tcommlint.findings import Edit

T = TypeVar("T")

_ANY_LINE_END = re.compile(r"\r\n|\r|\n")
_NEWLINE = re.compile(r"\n")
_START_TAG_REST = re.compile(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")


def apply_edits(text: str, edits: Sequence[tuple[Edit, T]]) -> tuple[str, tuple[T, ...]]:
    """``text`` with every edit that can be placed applied, and the owners (findings) of
    the edits applied, in the order given. Edits that overlap one applied already are
    skipped, unless they make the very same change."""
    placed: list[tuple[int, int, str, int]] = []
    line_starts = _line_starts(text)
    for number, (edit, _) in enumerate(edits):
        for start, end in _place(text, edit, line_starts):
            placed.append((start, end, edit.new, number))
    applied: set[int] = set()
    done: dict[tuple[int, int], str] = {}
    result = text
    lowest = len(text) + 1
    for start, end, new, number in sorted(placed, key=lambda p: (-p[0], -p[1], p[3])):
        if done.get((start, end)) == new:
            applied.add(number)
        elif end <= lowest:
            result = result[:start] + new + result[end:]
            done[(start, end)] = new
            lowest = start
            applied.add(number)
    owners = [owner for number, (_, owner) in enumerate(edits) if number in applied]
    return result, tuple(dict.fromkeys(owners))


def _line_starts(text: str) -> list[tuple[re.Pattern[str], list[int]]]:
    """Each way of counting lines with the offsets where lines start: at any line end and,
    where the file has a ``\\r`` alone, also at ``\\n`` only."""
    counts = [_ANY_LINE_END] if "\r" not in text.replace("\r\n", "") else [_ANY_LINE_END, _NEWLINE]
    return [(ends, [0, *(end.end() for end in ends.finditer(text))]) for ends in counts]


def _place(
    text: str, edit: Edit, line_starts: list[tuple[re.Pattern[str], list[int]]]
) -> list[tuple[int, int]]:
    """Where ``edit`` replaces text: its ``old`` text at its span (and the end tag of an XML
    element it renames), or nothing when no single place fits."""
    if not edit.old:
        return []
    token = _token(edit.old, edit.exact)
    found = set()
    for ends, starts in line_starts:
        if 0 < edit.span.line <= len(starts):
            line_start = starts[edit.span.line - 1]
            line_end = ends.search(text, line_start)
            end = line_end.start() if line_end else len(text)
            find = token.match if edit.exact else token.search
            match = find(text, line_start + edit.span.column - 1, end)
            if match is not None:
                found.add(match.span(1))
    if len(found) != 1:
        return []
    start, end = found.pop()
    if text[start - 1 : start] != "<":
        return [(start, end)]
    end_tag = _end_tag(text, start, edit.old)
    return [(start, end)] if end_tag is None else [(start, end), end_tag]


def _token(old: str, exact: bool) -> re.Pattern[str]:
    """``old`` as a whole token (``jsessionid`` in ``req.cook(jsessionid)`` and
    ``"jsessionid"``, never in ``uie_jsessionid`` nor in a path such as ``/Common/jsessionid``);
    ``exact``: right at the start, after blanks and quotes only."""
    before = r"(?<![\w./-])" if re.match(r"\w", old) else ""
    after = r"(?![\w.-])" if re.search(r"\w$", old) else ""
    lead = r"[ \t\"']*" if exact else ""
    return re.compile(lead + "(" + before + re.escape(old) + after + ")")


def _end_tag(text: str, name_start: int, name: str) -> tuple[int, int] | None:
    """Where the name of the end tag of the element whose start tag names ``name`` at
    ``name_start`` stands; None for an empty-element tag or when none is found."""
    rest = _START_TAG_REST.match(text, name_start + len(name))
    if rest is None or text[rest.end() - 2] == "/":
        return None
    tags = re.compile(r"<(/?)" + re.escape(name) + r"(?=[\s/>])")
    depth = 1
    for tag in tags.finditer(text, rest.end()):
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.start() + 2, tag.end()
            continue
        inner = _START_TAG_REST.match(text, tag.end())
        if inner is not None and text[inner.end() - 2] != "/":
            depth += 1
    return None
