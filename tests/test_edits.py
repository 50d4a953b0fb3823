"""Where a fix's edit lands: at its span, on the line the loader counted, never elsewhere."""

from __future__ import annotations

import pytest

from tcommlint.edits import apply_edits
from tcommlint.findings import Edit
from tcommlint.source import Span


def _edit(line: int, column: int, old: str, new: str, exact: bool = False) -> Edit:
    return Edit(Span("f", line, column), old, new, exact)


@pytest.mark.parametrize(
    ("text", "edit", "after"),
    [
        ("a=yes\nb=yes\n", _edit(2, 3, "yes", "true", True), "a=yes\nb=true\n"),
        ('k: "yes"\n', _edit(1, 4, "yes", "true", True), 'k: "true"\n'),
        ("enable\\ssl=enablessl\n", _edit(1, 1, "enablessl", "EnableSSL", True), None),
        (
            "    stick on req.cook(jsessionid)\n",
            _edit(1, 5, "jsessionid", "JSESSIONID"),
            "    stick on req.cook(JSESSIONID)\n",
        ),
        ("x /Common/uie_jsessionid\n", _edit(1, 1, "jsessionid", "JSESSIONID"), None),
        ("persist { /Common/jsessionid {\n", _edit(1, 1, "jsessionid", "JSESSIONID"), None),
        ("a=1\nb=yes\n", _edit(1, 1, "yes", "true"), None),
        ("a=1\r\nb=yes\r\n", _edit(2, 3, "yes", "true", True), "a=1\r\nb=true\r\n"),
        ("#\rb=yes\nc=1\n", _edit(2, 3, "yes", "true", True), "#\rb=true\nc=1\n"),
        ("#\rb=1\nc=yes\n", _edit(2, 3, "yes", "true", True), "#\rb=1\nc=true\n"),
        ("#\rb=yes\nc=yes\n", _edit(2, 3, "yes", "true", True), None),
        ("a=1\fb=yes\nc=no\n", _edit(2, 3, "no", "false", True), "a=1\fb=yes\nc=false\n"),
        (
            '{\n "a": 1,\r "b": no\n}\n',
            _edit(2, 14, "no", "false"),
            '{\n "a": 1,\r "b": false\n}\n',
        ),
    ],
    ids=[
        "exact-at-span",
        "exact-after-a-quote",
        "exact-refuses-an-escaped-key",
        "search-on-the-line",
        "search-whole-tokens-only",
        "search-not-in-a-path",
        "search-stays-on-its-line",
        "crlf",
        "lone-cr-counted-as-a-line-end",
        "lone-cr-not-counted",
        "lone-cr-either-way-refused",
        "form-feed-is-not-a-line-end",
        "after-a-lone-cr-on-a-newline-counted-line",
    ],
)
def test_edit_lands_at_its_span_or_nowhere(text: str, edit: Edit, after: str | None) -> None:
    result, fixed = apply_edits(text, [(edit, "finding")])
    assert (result, fixed) == ((text, ()) if after is None else (after, ("finding",)))


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("<c>\n<autocallqueue>true</autocallqueue>\n</c>\n", "<AutoCallQueue>true</AutoCallQueue>"),
        ("<c>\n<autocallqueue/>\n</c>\n", "<AutoCallQueue/>"),
        (
            '<c>\n<autocallqueue a="x>y"><autocallqueue>1</autocallqueue></autocallqueue>\n</c>\n',
            '<AutoCallQueue a="x>y"><autocallqueue>1</autocallqueue></AutoCallQueue>',
        ),
    ],
    ids=["element", "empty-element", "nested-namesake"],
)
def test_renaming_an_xml_element_renames_its_end_tag(text: str, after: str) -> None:
    result, _ = apply_edits(text, [(_edit(2, 2, "autocallqueue", "AutoCallQueue", True), 1)])
    assert result.splitlines()[1] == after


def test_overlapping_edits_apply_once_and_identical_ones_fix_both() -> None:
    same = _edit(1, 3, "yes", "true", True)
    other = _edit(1, 3, "yes", "false", True)
    result, fixed = apply_edits("a=yes\n", [(same, "first"), (same, "second"), (other, "third")])
    assert (result, fixed) == ("a=true\n", ("first", "second"))
