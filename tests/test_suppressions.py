"""Inline ``tcommlint: disable`` directives, shared by every loader with comments."""

from __future__ import annotations

import pytest

from tcommlint.loaders.generic.suppressions import (
    find_suppressions,
    find_xml_suppressions,
    parse_directive,
)
from tcommlint.source import Span


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (" tcommlint: disable=TC208", (("TC208",), "")),
        (
            " tcommlint: disable=TC208,TC212 -- queue handled upstream",
            (("TC208", "TC212"), "queue handled upstream"),
        ),
        (
            "tcommlint:disable = TC208 , TC212 - single hyphen  ",
            (("TC208", "TC212"), "single hyphen"),
        ),
        (" tcommlint: disable=TC208 --", (("TC208",), "")),
        (
            " tcommlint: disable=TC208 - spans\n     two lines \n",
            (("TC208",), "spans two lines"),
        ),
        (
            " tcommlint: disable=TC208 -- kept" + " " * 50_000 + "for now ",
            (("TC208",), "kept for now"),
        ),
        (" just a comment", None),
        (" tcommlint: enable=TC208", None),
    ],
    ids=[
        "one-id",
        "ids-and-reason",
        "spacing-single-hyphen",
        "empty-reason",
        "multi-line-reason",
        "long-blank-run-in-reason",
        "none",
        "enable",
    ],
)
def test_parse_directive(comment: str, expected: tuple[tuple[str, ...], str] | None) -> None:
    assert parse_directive(comment) == expected


def test_find_suppressions_alone_and_trailing() -> None:
    text = (
        "backend api\n"
        "    # tcommlint: disable=TC213 -- legacy passive cookie\n"
        "    cookie JSESSIONID\n"
        "    balance roundrobin # tcommlint: disable=TC205\n"
        "    http-request set-header X-Id a#tcommlint: disable=TC999\n"
    )
    found = find_suppressions("lb/haproxy.cfg", text, ("#",))
    assert [(s.span, s.rule_ids, s.reason, s.applies_to) for s in found] == [
        (Span("lb/haproxy.cfg", 2, 5), ("TC213",), "legacy passive cookie", 3),
        (Span("lb/haproxy.cfg", 4, 24), ("TC205",), "", 4),
    ]


def test_find_xml_suppressions_alone_trailing_and_multi_line() -> None:
    text = (
        "<config>\n"
        "  <!-- plain comment --> <!-- tcommlint: disable=TC208 -->\n"
        "  <AutoCallQueue>true</AutoCallQueue><!-- tcommlint: disable=TC212 - trailing -->\n"
        "  <!-- tcommlint: disable=TC101,TC102 -\n"
        "       queue handled upstream -->\n"
        "  <a/>\n"
        "  <!-- tcommlint: disable=TC205 --><b/>\n"
        "<![CDATA[ <!-- tcommlint: disable=TC001 --> ]]></config>"
    )
    found = find_xml_suppressions("cfg.xml", text)
    assert [(s.span, s.rule_ids, s.reason, s.applies_to) for s in found] == [
        (Span("cfg.xml", 2, 26), ("TC208",), "", 2),
        (Span("cfg.xml", 3, 38), ("TC212",), "trailing", 3),
        (Span("cfg.xml", 4, 3), ("TC101", "TC102"), "queue handled upstream", 6),
        (Span("cfg.xml", 7, 3), ("TC205",), "", 7),
        (Span("cfg.xml", 8, 11), ("TC001",), "", 8),
    ]


def test_find_xml_suppressions_after_many_unclosed_comments() -> None:
    text = "<!-- tcommlint: disable=TC201 - kept -->\n<config>" + "<!--" * 20_000
    found = find_xml_suppressions("cfg.xml", text)
    assert [(s.span, s.rule_ids, s.applies_to) for s in found] == [
        (Span("cfg.xml", 1, 1), ("TC201",), 2)
    ]


def test_find_xml_suppressions_many_on_one_line() -> None:
    comment = "<!--tcommlint: disable=TC201-->"
    found = find_xml_suppressions("cfg.xml", "<a/>" + comment * 10_000 + "\n<b/>" + comment)
    assert len(found) == 10_001
    assert [(s.span, s.applies_to) for s in found[-2:]] == [
        (Span("cfg.xml", 1, 5 + len(comment) * 9_999), 1),
        (Span("cfg.xml", 2, 5), 2),
    ]
