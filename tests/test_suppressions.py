"""Inline ``tcommlint: disable`` directives, shared by every loader with comments."""

from __future__ import annotations

import pytest

from tcommlint.loaders.suppressions import find_suppressions, parse_directive
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
        (" just a comment", None),
        (" tcommlint: enable=TC208", None),
    ],
    ids=["one-id", "ids-and-reason", "spacing-single-hyphen", "empty-reason", "none", "enable"],
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
