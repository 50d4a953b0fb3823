"""The positional JSON parser: same values as json.loads, correct positions, strict errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcommlint.loaders.generic.jsonpos import (
    MAX_DEPTH,
    JsonArray,
    JsonObject,
    JsonSyntaxError,
    parse_json,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _as3_files() -> list[Path]:
    folder = CORPUS / "f5-as3"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("path", _as3_files(), ids=lambda p: p.name)
def test_corpus_values_equal_json_loads(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_json(text) == json.loads(text)


def test_corpus_present() -> None:
    if not _as3_files():
        pytest.skip("../shared/corpus not present: no f5-as3 files to compare")
    assert len(_as3_files()) > 100


@pytest.mark.parametrize(
    "text",
    [
        '"plain"',
        r'"esc \" \\ \/ \b \f \n \r \t"',
        r'"\u00e9\u4e2d"',
        r'"\ud83d\ude00 pair"',
        r'"\\ud83d not an escape"',
        r'"lone \udc00"',
        "0",
        "-0",
        "-12.5e+3",
        "1E2",
        "123456789012345678901234567890",
        "1e400",
        "[]",
        "{}",
        '[1, [2, [3, {}]], {"a": [null, true, false]}]',
        ' \t\r\n{"k" : "v"}\n',
    ],
    ids=[
        "plain",
        "simple-escapes",
        "unicode",
        "surrogate-pair",
        "escaped-backslash-before-u",
        "lone-surrogate",
        "zero",
        "negative-zero",
        "exponent",
        "capital-e",
        "big-int",
        "float-overflow",
        "empty-array",
        "empty-object",
        "nested",
        "whitespace",
    ],
)
def test_values_match_json_loads(text: str) -> None:
    expected = json.loads(text)
    value = parse_json(text)
    assert value == expected
    assert isinstance(value, type(expected))


def test_types_of_containers_and_numbers() -> None:
    value = parse_json('{"a": [1, 2.0], "b": {}}')
    assert isinstance(value, JsonObject)
    assert isinstance(value["a"], JsonArray)
    assert isinstance(value["b"], JsonObject)
    assert type(value["a"][0]) is int
    assert type(value["a"][1]) is float


def test_positions_of_keys_values_and_items() -> None:
    text = '{\n  "class": "AS3",\n  "list": [\n    1,\n\t{"x": true}\n  ]\n}'
    value = parse_json(text)
    assert value.start == (1, 1)
    assert value.span_of_key == {"class": (2, 3), "list": (3, 3)}
    assert value.span_of_value["class"] == (2, 12)
    assert value.span_of_value["list"] == (3, 11)
    items = value["list"]
    assert items.start == (3, 11)
    assert items.spans == [(4, 5), (5, 2)]
    assert items[1].start == (5, 2)
    assert items[1].span_of_key["x"] == (5, 3)
    assert items[1].span_of_value["x"] == (5, 8)


def test_columns_count_characters_not_bytes() -> None:
    value = parse_json('{"é€": "ü", "k": 1}')
    assert value.span_of_key["k"] == (1, 13)


def test_byte_order_mark_is_ignored_for_columns() -> None:
    value = parse_json('\ufeff{"a": 1}')
    assert value == {"a": 1}
    assert value.start == (1, 1)
    assert value.span_of_key["a"] == (1, 2)


def test_duplicate_keys_last_wins_and_earlier_are_listed() -> None:
    value = parse_json('{"a": 1,\n "b": 2,\n "a": 3,\n "a": 4}')
    assert value == {"a": 4, "b": 2}
    assert value.duplicates == [("a", (1, 2)), ("a", (3, 2))]
    assert value.span_of_key["a"] == (4, 2)
    assert value.span_of_value["a"] == (4, 7)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "unexpected end of input", 1, 1),
        ('{"a": 1,}', "expected a string key", 1, 9),
        ("[1, 2,]", "unexpected character ']'", 1, 7),
        ("{'a': 1}", "expected a string key", 1, 2),
        ('{"a" 1}', "expected ':'", 1, 6),
        ('{"a": 1 "b": 2}', "expected ',' or '}'", 1, 9),
        ("[1 2]", "expected ',' or ']'", 1, 4),
        ('"abc', "unterminated string", 1, 1),
        ('"a\tb"', "control character", 1, 3),
        ('"a\\x"', "invalid escape", 1, 3),
        ('"\\u12G4"', "invalid escape", 1, 2),
        ("01", "extra data", 1, 2),
        ("1.", "extra data", 1, 2),
        ("-", "invalid number", 1, 1),
        ("+1", "unexpected character '+'", 1, 1),
        ("NaN", "unexpected character 'N'", 1, 1),
        ("tru", "unexpected character 't'", 1, 1),
        ("{}\n{}", "extra data", 2, 1),
        ('{\n  "a": [\n', "unexpected end of input", 3, 1),
        ("[1] // comment", "extra data", 1, 5),
    ],
    ids=[
        "empty",
        "trailing-comma-object",
        "trailing-comma-array",
        "single-quotes",
        "missing-colon",
        "missing-comma-object",
        "missing-comma-array",
        "unterminated-string",
        "raw-tab-in-string",
        "bad-escape",
        "bad-unicode-escape",
        "leading-zero",
        "bare-fraction-dot",
        "lone-minus",
        "plus-sign",
        "nan",
        "truncated-literal",
        "two-documents",
        "truncated-document",
        "comment",
    ],
)
def test_syntax_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        parse_json(text)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)
    if text != "NaN":  # json.loads accepts NaN as an extension; RFC 8259 does not
        with pytest.raises(ValueError):
            json.loads(text)


def test_nesting_limit_refuses_hostile_input() -> None:
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(JsonSyntaxError, match="nested deeper"):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(JsonSyntaxError, match="nested deeper"):
        parse_json('{"a":' * 100_000)


def test_error_str_names_the_position() -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        parse_json('{\n "a": }')
    assert str(caught.value) == "unexpected character '}', expected a value at line 2 column 7"
