"""JSON key/value files: flattening, scalar rendering, duplicates, positions."""

from __future__ import annotations

import pytest

try:
    from tcommlint.loaders.generic.jsonconf import parse_keyvalue_json
    from tcommlint.loaders.generic.jsonpos import parse_json  # noqa: F401  (the parser jsonconf needs)
except ImportError as exc:  # pragma: no cover - only while jsonpos.py is being written
    pytest.skip(
        f"tcommlint.loaders.generic.jsonpos not importable yet: {exc}", allow_module_level=True
    )

PROXY_JSON = """\
{
  "AutoCallQueue": true,
  "proxy": {
    "url": "https://chat.example.com/api ",
    "port": 8443,
    "ratio": 1.50,
    "big": 1e3
  },
  "enable": {"callagentMessage": "false", "nothing": null},
  "hosts": ["n1", "n2"],
  "AutoCallQueue": false
}
"""


def _rows(text: str) -> list[tuple[str, str, int, int, int, int]]:
    document = parse_keyvalue_json("proxy.json", text)
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


def test_flattened_entries_in_file_order_with_positions() -> None:
    assert _rows(PROXY_JSON) == [
        ("AutoCallQueue", "true", 2, 3, 2, 20),
        ("proxy.url", "https://chat.example.com/api ", 4, 5, 4, 12),
        ("proxy.port", "8443", 5, 5, 5, 13),
        ("proxy.ratio", "1.50", 6, 5, 6, 14),
        ("proxy.big", "1e3", 7, 5, 7, 12),
        ("enable.callagentMessage", "false", 9, 14, 9, 34),
        ("enable.nothing", "null", 9, 43, 9, 54),
        ("hosts[0]", "n1", 10, 13, 10, 13),
        ("hosts[1]", "n2", 10, 19, 10, 19),
        ("AutoCallQueue", "false", 11, 3, 11, 20),
    ]


def test_duplicate_object_values_are_kept() -> None:
    text = '{"enable": {"a": 1}, "enable": {"a": 2, "b": "x"}}'
    assert [(r[0], r[1]) for r in _rows(text)] == [
        ("enable.a", "1"),
        ("enable.a", "2"),
        ("enable.b", "x"),
    ]


def test_duplicate_scalar_values_keep_positions() -> None:
    text = '{\n  "k": "first",\n  "k": 2.0\n}'
    assert _rows(text) == [("k", "first", 2, 3, 2, 8), ("k", "2.0", 3, 3, 3, 8)]


def test_bom_positions() -> None:
    assert _rows('\ufeff{"k": 10}') == [("k", "10", 1, 2, 1, 7)]


@pytest.mark.parametrize(
    "text", ["[1, 2]", '"just a string"', "42", "null"], ids=["array", "string", "number", "null"]
)
def test_non_object_top_level_is_empty(text: str) -> None:
    document = parse_keyvalue_json("c.json", text)
    assert document.entries == ()
    assert document.error is None


@pytest.mark.parametrize(
    ("text", "at"),
    [('{"a": 1,\n "b": }', (2, 7)), ('{"a": 1', (1, 8)), ("", (1, 1))],
    ids=["missing-value", "unclosed", "empty"],
)
def test_syntax_errors(text: str, at: tuple[int, int]) -> None:
    document = parse_keyvalue_json("c.json", text)
    assert document.error is not None
    assert (document.error.span.line, document.error.span.column) == at
    assert document.error.reason
    assert document.entries == ()
