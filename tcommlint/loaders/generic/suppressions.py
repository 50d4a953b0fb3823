"""Inline ``tcommlint: disable=ID,... -- reason`` directives in comments, for any format.

A directive in a comment alone on its line covers the next line; a directive in a
trailing comment (after code on the same line) covers its own line. The reason is
optional and follows ``--`` (or a single ``-``, since ``--`` is not allowed inside an XML
comment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tcommlint.model import Suppression
from tcommlint.patterns import LazyPattern
from tcommlint.source import Span

_DIRECTIVE = re.compile(
    r"tcommlint:\s*disable\s*=\s*(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
    r"(?:\s+--?(?:\s+(?P<reason>.*))?)?\s*$",
    re.DOTALL,
)
_BLANK = LazyPattern(r"\s*")
_BLANK_TO_LINE_END = LazyPattern(r"[^\S\n]*(?:\n|\Z)")


def parse_directive(comment: str) -> tuple[tuple[str, ...], str] | None:
    """The rule ids and reason of a comment body holding a directive, else ``None``.

    ``comment`` is the text after the comment marker (``#``, ``!``, inside ``<!-- -->``).
    """
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    ids = tuple(part.strip() for part in match.group("ids").split(","))
    reason = " ".join((match.group("reason") or "").split())
    return ids, reason


def suppression_from_comment(
    span: Span, comment: str, alone: bool, end_line: int | None = None
) -> Suppression | None:
    """Build the suppression for one comment, or ``None`` when it holds no directive.

    ``span`` is where the comment starts; ``alone`` says whether nothing but whitespace
    shares its line(s); ``end_line`` is the comment's last line when it spans several.
    """
    parsed = parse_directive(comment)
    if parsed is None:
        return None
    last = span.line if end_line is None else end_line
    applies_to = last + 1 if alone else span.line
    return Suppression(span, parsed[0], parsed[1], applies_to)


def find_suppressions(
    path: str, text: str, comment_prefixes: tuple[str, ...] = ("#",)
) -> tuple[Suppression, ...]:
    """Directives in line comments starting with one of ``comment_prefixes``.

    A prefix starts a comment at the start of a line (after whitespace) or after
    whitespace following code, as in YAML, HAProxy and tmsh. Quoting is not tracked: a
    directive is only recognised after a prefix, which keeps false positives rare.
    """
    found: list[Suppression] = []
    # Lines as the loaders count them: str.splitlines would also cut at a form feed.
    for number, line in enumerate(text.split("\n"), start=1):
        if "tcommlint" not in line:
            continue
        start = _comment_start(line, comment_prefixes)
        if start is None:
            continue
        prefix_len = next(len(p) for p in comment_prefixes if line.startswith(p, start))
        alone = not line[:start].strip()
        span = Span(path, number, start + 1)
        suppression = suppression_from_comment(span, line[start + prefix_len :], alone)
        if suppression is not None:
            found.append(suppression)
    return tuple(found)


def _comment_start(line: str, prefixes: tuple[str, ...]) -> int | None:
    """Index of the first comment prefix at line start or after whitespace."""
    for index in range(len(line)):
        if index > 0 and not line[index - 1].isspace():
            continue
        if any(line.startswith(prefix, index) for prefix in prefixes):
            return index
    return None


def find_xml_suppressions(path: str, text: str) -> tuple[Suppression, ...]:
    """Directives inside ``<!-- ... -->`` comments of an XML document."""
    found: list[Suppression] = []
    line, line_start, counted = 1, 0, 0
    for start, end in _xml_comments(text):
        body = text[start + 4 : end - 3]
        if "tcommlint" not in body:
            continue
        # Lines are counted on from the previous directive, not from the top each time.
        line += text.count("\n", counted, start)
        line_start = max(line_start, text.rfind("\n", counted, start) + 1)
        counted = start
        alone = (
            _BLANK.fullmatch(text, line_start, start) is not None
            and _BLANK_TO_LINE_END.match(text, end) is not None
        )
        span = Span(path, line, start - line_start + 1)
        suppression = suppression_from_comment(span, body, alone, line + body.count("\n"))
        if suppression is not None:
            found.append(suppression)
    return tuple(found)


def _xml_comments(text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of each ``<!-- ... -->``, in order.

    Once ``-->`` is missing after one ``<!--`` it is missing after every later one, so
    the scan stops there: a lazy regex searches to the end again from each unclosed
    ``<!--``, which is quadratic.
    """
    start = text.find("<!--")
    while start >= 0:
        close = text.find("-->", start + 4)
        if close < 0:
            return
        yield start, close + 3
        start = text.find("<!--", close + 3)
