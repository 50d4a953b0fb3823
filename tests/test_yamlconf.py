"""YAML key/value files: flattening, scalar text, duplicates, positions, alias bombs."""

from __future__ import annotations

import time

import pytest

from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml
from tcommlint.source import Span

PROXY_YAML = """\
# TComm proxy, node 1
AutoCallQueue: yes
proxy:
  url: "https://chat.example.com/api "
  port: 8443
enable:
  callagentMessage: 'false'
  empty:
AutoCallQueue: true   # tcommlint: disable=TC004 -- migration in progress
"""


def _rows(text: str) -> list[tuple[str, str, int, int, int, int]]:
    document = parse_keyvalue_yaml("proxy.yaml", text)
    assert document.error is None
    return [
        (
            e.key.value,
            e.value.value,
            e.key.span.line,
            e.key.span.column,
            e.value.span.line,
            e.value.span.column,
        )
        for e in document.entries
    ]


def test_flattened_entries_with_positions_and_duplicates() -> None:
    assert _rows(PROXY_YAML) == [
        ("AutoCallQueue", "yes", 2, 1, 2, 16),
        ("proxy.url", "https://chat.example.com/api ", 4, 3, 4, 8),
        ("proxy.port", "8443", 5, 3, 5, 9),
        ("enable.callagentMessage", "false", 7, 3, 7, 21),
        ("enable.empty", "", 8, 3, 8, 9),
        ("AutoCallQueue", "true", 9, 1, 9, 16),
    ]


def test_trailing_comment_suppression() -> None:
    document = parse_keyvalue_yaml("proxy.yaml", PROXY_YAML)
    assert [(s.span, s.rule_ids, s.reason, s.applies_to) for s in document.suppressions] == [
        (Span("proxy.yaml", 9, 23), ("TC004",), "migration in progress", 9)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("k: yes\n", "yes"),
        ("k: On\n", "On"),
        ("k: 010\n", "010"),
        ("k: 1e3\n", "1e3"),
        ("k: ~\n", "~"),
        ("k: 'it''s'\n", "it's"),
        ('k: "tab\\there"\n', "tab\there"),
        ("k: |\n  two\n  lines\n", "two\nlines\n"),
        ("k: >-\n  folded\n  text\n", "folded text"),
        ("k: a # comment\n", "a"),
    ],
    ids=[
        "yes",
        "on",
        "octal-looking",
        "float",
        "tilde",
        "single-quoted",
        "escape",
        "literal",
        "folded",
        "comment-stripped",
    ],
)
def test_scalar_text_as_written(text: str, expected: str) -> None:
    assert [e.value.value for e in parse_keyvalue_yaml("c.yaml", text).entries] == [expected]


def test_merge_keys_and_aliases() -> None:
    text = "base: &b\n  timeout: 30\n  queue: true\nnode:\n  <<: *b\n  queue: false\n"
    got = {e.key.value: e.value.value for e in parse_keyvalue_yaml("c.yaml", text).entries}
    assert got == {
        "base.timeout": "30",
        "base.queue": "true",
        "node.timeout": "30",
        "node.queue": "false",
    }


def test_sequences_use_indexes() -> None:
    text = "hosts:\n  - a\n  - b\n"
    rows = _rows(text)
    assert [(r[0], r[1], r[4]) for r in rows] == [("hosts[0]", "a", 2), ("hosts[1]", "b", 3)]


@pytest.mark.parametrize(
    "text",
    ["- a\n- b\n", "just a string\n", "", "# only a comment\n"],
    ids=["sequence", "scalar", "empty", "comment"],
)
def test_non_mapping_top_level_is_empty(text: str) -> None:
    document = parse_keyvalue_yaml("c.yaml", text)
    assert document.entries == ()
    assert document.error is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: [1, 2\n", 3),
        ("a: 1\n  b: 2\n", 2),
        ("a: *nope\n", 1),
        ("a: 1\n---\nb: 2\n", 2),
    ],
    ids=["unclosed-flow", "bad-indent", "undefined-alias", "two-documents"],
)
def test_syntax_errors(text: str, line: int) -> None:
    document = parse_keyvalue_yaml("c.yaml", text)
    assert document.error is not None
    assert document.error.span.line == line
    assert document.error.reason


ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_is_refused_quickly() -> None:
    parse_keyvalue_yaml("warm.yaml", "a: 1\n")  # import ruamel outside the timed call
    started = time.perf_counter()
    document = parse_keyvalue_yaml("bomb.yaml", ALIAS_BOMB)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05
    assert document.error is not None
    assert "alias" in document.error.reason


def test_recursive_alias_is_refused() -> None:
    document = parse_keyvalue_yaml("loop.yaml", "a: &x\n  b: *x\n")
    assert document.error is not None
    assert "recursive" in document.error.reason
