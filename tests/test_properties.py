"""java.util.Properties.load semantics, checked against javaproperties as an oracle."""

from __future__ import annotations

import javaproperties
import pytest

from tcommlint.loaders.generic.properties import parse_properties
from tcommlint.source import Span

# (id, text) pairs where javaproperties and the JDK agree.
ORACLE_CASES = [
    ("equals", "AutoCallQueue=true\n"),
    ("colon", "AutoCallQueue:true\n"),
    ("whitespace-separator", "AutoCallQueue true\n"),
    ("spaces-around-equals", "AutoCallQueue  =   true\n"),
    ("tab-and-formfeed-around-colon", "key\t:\f value\n"),
    ("whitespace-then-equals", "key   = = value\n"),
    ("second-separator-kept", "key==value\n"),
    ("colon-after-whitespace-separator", "key : value : more\n"),
    ("trailing-whitespace-kept", "proxy.url = https://host/api   \n"),
    ("empty-value", "enable.callagentMessage=\n"),
    ("empty-value-spaces", "enable.callagentMessage =   \n"),
    ("key-only", "loneKey\n"),
    ("key-only-trailing-space", "loneKey   \n"),
    ("leading-whitespace", "   \t indented = yes\n"),
    ("hash-comment", "# a comment = not a key\nk=v\n"),
    ("bang-comment", "  ! also a comment\nk=v\n"),
    ("hash-inside-value", "k=v # not a comment\n"),
    ("comment-backslash-not-continued", "# comment \\\nk=v\n"),
    ("continuation", "k = first, \\\n    second\n"),
    ("continuation-keeps-nothing-of-indent", "k = a\\\n\t \fb\\\n  c\n"),
    ("even-backslashes-not-continued", "k = a\\\\\nnext=1\n"),
    ("odd-backslashes-continued", "k = a\\\\\\\n  b\n"),
    ("continuation-line-starting-with-hash", "k = a\\\n  #b\n"),
    ("continuation-into-blank-line", "k = a\\\n\nnext=1\n"),
    ("continuation-in-key", "Auto\\\n  CallQueue=true\n"),
    ("escaped-separators-in-key", "a\\=b\\:c\\ d = v\n"),
    ("escaped-space-in-value", "k = \\  leading\n"),
    ("escapes", "k = tab\\tnl\\ncr\\rff\\f\n"),
    ("unknown-escape-dropped", "k = \\q\\z\\\\\\#\n"),
    ("unicode-escape", "k = caf\\u00e9 \\u0041\n"),
    ("unicode-escape-in-key", "\\u0041utoCallQueue=true\n"),
    ("surrogate-pair", "k = \\uD83D\\uDE00\n"),
    ("non-ascii-literal", "k = café\n"),
    ("crlf", "a=1\r\nb=2\r\n"),
    ("cr-only", "a=1\rb=2\r"),
    ("crlf-continuation", "a=1\\\r\n  2\r\nb=3"),
    ("no-final-newline", "a=1\nb=2"),
    ("duplicates-last-wins", "a=1\na=2\n"),
    ("blank-lines", "\n\n   \n\t\na=1\n\n"),
    ("empty-key", "=value\n"),
    ("backslash-eof-in-value", "a=b\\"),
]


@pytest.mark.parametrize(
    "text", [case[1] for case in ORACLE_CASES], ids=[c[0] for c in ORACLE_CASES]
)
def test_matches_java_properties(text: str) -> None:
    document = parse_properties("p.properties", text)
    assert document.error is None
    got = {entry.key.value: entry.value.value for entry in document.entries}
    assert got == javaproperties.loads(text)


# JDK 9+ LineReader behaviours where javaproperties differs: expected values from the JDK.
JDK_CASES = [
    # A logical line that is only "\" has length 0, so the next line starts afresh:
    # a "#" there starts a comment.
    ("lone-backslash-then-comment", "\\\n#c=1\nk=v\n", {"k": "v"}),
    # A line that is only "\" at end of input is returned as an empty line: key "".
    ("lone-backslash-at-eof", "k=v\n\\", {"k": "v", "": ""}),
    ("lone-backslash-lf-at-eof", "k=v\n\\\n", {"k": "v", "": ""}),
    ("lone-backslash-crlf-at-eof", "k=v\n\\\r\n", {"k": "v"}),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in JDK_CASES], ids=[c[0] for c in JDK_CASES]
)
def test_matches_jdk_line_reader(text: str, expected: dict[str, str]) -> None:
    document = parse_properties("p.properties", text)
    assert {e.key.value: e.value.value for e in document.entries} == expected


def test_duplicates_kept_in_order() -> None:
    document = parse_properties("p.properties", "a=1\nb=2\na=3\n")
    assert [(e.key.value, e.value.value) for e in document.entries] == [
        ("a", "1"),
        ("b", "2"),
        ("a", "3"),
    ]


POSITION_CASES = [
    ("simple", "AutoCallQueue=true\n", (1, 1), (1, 15)),
    ("indented", "\n  AutoCallQueue = true\n", (2, 3), (2, 19)),
    ("whitespace-separator", "key\t  value\n", (1, 1), (1, 7)),
    ("empty-value-after-equals", "key =   \n", (1, 1), (1, 6)),
    ("empty-value-no-separator", "  key\n", (1, 3), (1, 6)),
    ("value-on-continuation-line", "key = \\\n    value\n", (1, 1), (2, 5)),
    ("key-after-lone-backslash", "\\\n  key=v\n", (2, 3), (2, 7)),
    ("crlf-second-line", "a=1\r\n b=2\r\n", (2, 2), (2, 4)),
    ("cr-second-line", "a=1\r b=2\r", (2, 2), (2, 4)),
]


@pytest.mark.parametrize(
    ("text", "key_at", "value_at"),
    [c[1:] for c in POSITION_CASES],
    ids=[c[0] for c in POSITION_CASES],
)
def test_positions(text: str, key_at: tuple[int, int], value_at: tuple[int, int]) -> None:
    entry = parse_properties("conf/proxy.properties", text).entries[-1]
    assert entry.key.span == Span("conf/proxy.properties", *key_at)
    assert entry.value.span == Span("conf/proxy.properties", *value_at)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("a=1\nk=\\u00\n", (2, 3)),
        ("a=1\nk=x\\u00zz1\n", (2, 4)),
        ("a=1\n  \\uGGGG=v\n", (2, 3)),
        ("a=1\nk=ab\\\n   c\\u12\n", (3, 5)),
    ],
    ids=["short", "bad-digits", "in-key", "on-continuation"],
)
def test_malformed_unicode_escape(text: str, at: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        javaproperties.loads(text)
    document = parse_properties("p.properties", text)
    assert document.error is not None
    assert document.error.span == Span("p.properties", *at)
    assert document.error.reason == "Malformed \\uxxxx encoding"
    assert [e.key.value for e in document.entries] == ["a"]


def test_suppressions_in_comment_lines() -> None:
    text = (
        "# tcommlint: disable=TC208,TC212 -- queue handled upstream\n"
        "AutoCallQueue=true\n"
        "  ! tcommlint: disable=TC004\n"
        "a=1\n"
        "b=x # tcommlint: disable=TC999\n"
    )
    document = parse_properties("p.properties", text)
    assert [
        (s.span.line, s.span.column, s.rule_ids, s.reason, s.applies_to)
        for s in document.suppressions
    ] == [
        (1, 1, ("TC208", "TC212"), "queue handled upstream", 2),
        (3, 3, ("TC004",), "", 4),
    ]
    # The "#" after a value is value text in .properties, never a comment.
    assert document.entries[-1].value.value == "x # tcommlint: disable=TC999"
