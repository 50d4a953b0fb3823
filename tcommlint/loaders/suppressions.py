"""Inline ``tcommlint: disable=ID,... -- reason`` directives in comments, for any format.

A directive in a comment alone on its line covers the next line; a directive in a
trailing comment (after code on the same line) covers its own line. The reason is
optional and follows ``--`` (or a single ``-``, since ``--`` is not allowed inside an XML
comment).
"""

from __future__ import annotations

import re

from tcommlint.model import Suppression
from tcommlint.source import Span

_DIRECTIVE = re.compile(
    r"tcommlint:\s*disable\s*=\s*(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
    r"(?:\s+--?(?:\s+(?P<reason>.*?))?)?\s*$",
    re.DOTALL,
)
_XML_COMMENT = re.compile(r"<!--(?P<body>.*?)-->", re.DOTALL)


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
    for number, line in enumerate(text.splitlines(), start=1):
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
    for match in _XML_COMMENT.finditer(text):
        body = match.group("body")
        if "tcommlint" not in body:
            continue
        start_line = text.count("\n", 0, match.start()) + 1
        end_line = start_line + body.count("\n")
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        after = text[match.end() : len(text) if line_end < 0 else line_end]
        alone = not text[line_start : match.start()].strip() and not after.strip()
        span = Span(path, start_line, match.start() - line_start + 1)
        suppression = suppression_from_comment(span, body, alone, end_line)
        if suppression is not None:
            found.append(suppression)
    return tuple(found)
