"""The CEL adapter: helpers, compile errors with positions, strict evaluation."""

from __future__ import annotations

import pytest

from tcommlint.expr import (
    Compiled,
    ExpressionError,
    Template,
    closest,
    edit_distance,
    human_duration,
    parse_duration,
    path_covers,
)


@pytest.mark.parametrize(
    ("left", "right", "distance"),
    [
        ("JSESSIONID", "JSESSIONID", 0),
        ("JSESIONID", "JSESSIONID", 1),
        ("JSESISONID", "JSESSIONID", 1),  # one swap
        ("JESSIONID", "JSESSIONID", 1),
        ("SERVERID", "JSESSIONID", 6),
        ("", "abc", 3),
    ],
)
def test_edit_distance(left: str, right: str, distance: int) -> None:
    assert edit_distance(left, right) == distance


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("45m", 2700),
        ("2h", 7200),
        ("1d", 86400),
        ("300", 300),
        ("1:00:00", 3600),
        ("1:02:03:04", 93784),
        ("10:00", 600),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "1:2:3:4:5", "-5m", "m"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_human_duration() -> None:
    assert [human_duration(s) for s in (45, 1800, 5400, 90061)] == [
        "45s",
        "30m",
        "1h30m",
        "1d1h1m1s",
    ]


@pytest.mark.parametrize(
    ("cookie_path", "request_path", "covers"),
    [
        ("/", "/api", True),
        ("/api", "/api/session", True),
        ("/api", "/apiv2", False),
        ("/api/", "/api", False),
        ("/chat", "/api", False),
        ("", "/api", True),
    ],
)
def test_path_covers(cookie_path: str, request_path: str, covers: bool) -> None:
    assert path_covers(cookie_path, request_path) is covers


def test_closest_ignores_case() -> None:
    assert closest("autocalqueue", ["EnableCaptcha", "AutoCallQueue"]) == "AutoCallQueue"


def test_compile_error_has_position() -> None:
    with pytest.raises(ExpressionError) as error:
        Compiled("item.x ==", ["item"])
    assert (error.value.line, error.value.column) == (1, 10)


def test_missing_field_is_an_error_not_false() -> None:
    with pytest.raises(ExpressionError, match="Key not found"):
        Compiled("item.missing == 1", ["item"]).evaluate({"item": {}})


def test_template_renders_placeholders_and_literal_braces() -> None:
    template = Template("{item.name} has {{braces}} and {item.flags}", ["item"])
    assert template.render({"item": {"name": "be_api", "flags": [True, False]}}) == (
        "be_api has {braces} and true, false"
    )


def test_lazy_expression_compiles_on_first_use() -> None:
    lazy = Compiled("item.a + 1", ["item"], lazy=True)
    assert lazy.evaluate({"item": {"a": 1}}) == 2
    again = Compiled("item.a + 1", ["item"], serialized=lazy.serialized())
    assert again.evaluate({"item": {"a": 41}}) == 42
