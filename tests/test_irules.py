"""The iRule scanner: events, persist calls and pool selections with positions."""

from __future__ import annotations

import pytest

from tcommlint.loaders.f5 import irules
from tcommlint.loaders.f5.irules import cookie_mentions, scan_irule

JSESSIONID_RULE = """
when HTTP_REQUEST {
    # a comment with "persist uie [HTTP::cookie nope]" is ignored
    if { [HTTP::cookie exists "JSESSIONID"] } {
        persist uie [HTTP::cookie "JSESSIONID"] 1800
    }
}
when HTTP_RESPONSE priority 500 {
    if { [HTTP::cookie exists "JSESSIONID"] } {
        persist add uie [HTTP::cookie value JSESSIONID]
    }
}
"""


def test_events_and_persist_calls_with_positions() -> None:
    facts = scan_irule(JSESSIONID_RULE, first_line=10, first_col=5)
    assert [(e.name, e.line, e.column) for e in facts.events] == [
        ("HTTP_REQUEST", 11, 1),
        ("HTTP_RESPONSE", 17, 1),
    ]
    assert [(p.method, p.event, p.cookie, p.line, p.column) for p in facts.persists] == [
        ("uie", "HTTP_REQUEST", "JSESSIONID", 14, 9),
        ("add uie", "HTTP_RESPONSE", "JSESSIONID", 19, 9),
    ]
    assert facts.persists[0].timeout == 1800
    assert facts.events_with("add uie", "JSESSIONID") == {"HTTP_RESPONSE"}


def test_first_line_column_offset() -> None:
    facts = scan_irule("persist cookie hash JSESSIONID", first_line=3, first_col=7)
    (call,) = facts.persists
    assert (call.method, call.cookie, call.line, call.column) == ("cookie hash", "JSESSIONID", 3, 7)


@pytest.mark.parametrize(
    ("body", "method", "cookie"),
    [
        ('persist uie [HTTP::cookie "jsessionid"]', "uie", "jsessionid"),
        ("persist uie [HTTP::cookie value JSESSIONID]", "uie", "JSESSIONID"),
        ("persist cookie insert BIGipServerX 0", "cookie insert", None),
        ('persist cookie hash "JSESSIONID" 0 32 3600', "cookie hash", "JSESSIONID"),
        ('persist uie [findstr [HTTP::uri] "jsessionid=" 11 ";"]', "uie", None),
        ("persist source_addr 255.255.255.255 1800", "source_addr", None),
        ("persist none", "none", None),
    ],
    ids=["case", "value-form", "insert", "hash", "url-key", "source", "none"],
)
def test_persist_methods(body: str, method: str, cookie: str | None) -> None:
    (call,) = scan_irule(f"when HTTP_REQUEST {{\n  {body}\n}}\n").persists
    assert (call.method, call.cookie) == (method, cookie)


ROUTING = """when HTTP_REQUEST {
  if { [string tolower [HTTP::path]] starts_with "/api" } {
     pool /Common/pool_api
  } else {
     pool pool_web
  }
  if { [HTTP::uri] equals "/health" } { pool health }
  switch -glob [HTTP::path] {
    "/chat*" { pool chat }
    "/exact" { pool exact }
    default { pool fallback }
  }
}
when CLIENT_ACCEPTED { pool first }
when HTTP_RESPONSE { pool not_a_route }
"""


def test_pool_selections() -> None:
    pools = scan_irule(ROUTING).pools
    summary = [(p.pool, p.match, p.values, p.case_sensitive, p.negate, p.line) for p in pools]
    assert summary == [
        ("/Common/pool_api", "prefix", ("/api",), False, False, 3),
        ("pool_web", "prefix", ("/api",), False, True, 5),
        ("health", "exact", ("/health",), True, False, 7),
        ("chat", "prefix", ("/chat",), True, False, 9),
        ("exact", "exact", ("/exact",), True, False, 10),
        ("fallback", "always", (), True, False, 11),
        ("first", "always", (), True, False, 14),
    ]


def test_unreadable_conditions_are_left_out() -> None:
    body = 'when HTTP_REQUEST {\n  if { [HTTP::host] eq "a" } { pool by_host }\n}\n'
    assert scan_irule(body).pools == ()


def test_braces_in_strings_do_not_confuse_events() -> None:
    body = (
        'when HTTP_REQUEST {\n  log "{ not a block"\n}\n'
        "when HTTP_RESPONSE {\n  persist add uie x\n}\n"
    )
    facts = scan_irule(body)
    assert [p.event for p in facts.persists] == ["HTTP_RESPONSE"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a # x\n#c\n", "a # x\n  \n"),
        ("set a 1; # note\n", "set a 1;       \n"),
        ("if {1} {# c }\n", "if {1} {     \n"),
        ("# c \\\n# d\n", "     \n   \n"),
        ("x \\\n# d\n", "x \\\n# d\n"),
        ("\\# not\n", "\\# not\n"),
        ("\\\\# not\n", "\\\\# not\n"),
        ("x \\; # not\n", "x \\; # not\n"),
    ],
    ids=[
        "mid-line",
        "after-semicolon",
        "after-brace",
        "newline-after-comment",
        "escaped-newline",
        "escaped-hash",
        "escaped-backslash",
        "escaped-semicolon",
    ],
)
def test_blank_comments(body: str, expected: str) -> None:
    assert irules._blank_comments(body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a "{" {b}', {6: 8}),
        ("\\{ {}", {3: 4}),
        ('x{"}" }', {1: 3}),
        ("{ { }", {2: 4}),
    ],
    ids=["brace-in-string", "escaped-brace", "quote-after-brace", "unclosed-outer"],
)
def test_brace_pairs(text: str, expected: dict[int, int]) -> None:
    assert irules._brace_pairs(text) == expected


def test_cookie_mentions_are_http_cookie_arguments_only() -> None:
    text = (
        'set jsessionid [HTTP::cookie "jsessionid"]\n'
        "if {[HTTP::cookie exists JSessionID]} { persist uie $jsessionid }\n"
        'log local0. "jsessionid=[HTTP::cookie value jsessionid]"\n'
        "HTTP::cookie insert name jsessionid value x\n"
        "if {[HTTP::cookie exists {jsessionid}]} {}\n"
    )
    assert cookie_mentions(text, "JSESSIONID", first_line=10, first_col=5) == (
        (10, 35),
        (11, 26),
        (12, 45),
        (13, 26),
        (14, 27),
    )
