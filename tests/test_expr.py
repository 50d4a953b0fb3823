"""The CEL adapter: helpers, compile errors with positions, strict evaluation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tcommlint.expr import (
    ITERATION_BUDGET,
    BudgetExceeded,
    Compiled,
    ExpressionError,
    Template,
    cel_safe,
    closest,
    closest_within,
    edit_distance,
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


def test_closest_within_gives_nothing_when_too_far() -> None:
    known = ["AutoCallQueue", "ProxyName"]
    assert closest_within("autocalqueue", known, 2) == "AutoCallQueue"
    assert closest_within("AutoCallQueueX", known, 0) == ""
    assert closest_within("banner", known, 2) == ""
    assert closest_within("x", [], 2) == ""


def test_cel_safe_repairs_what_cel_cannot_hold() -> None:
    data = {"k\udc80": ["tru\ud800", "\ud83d\ude00", 10**30, -(10**30), True, None, "ok"]}
    assert cel_safe(data) == {
        "k\ufffd": ["tru\ufffd", "\U0001f600", 2**63 - 1, -(2**63), True, None, "ok"]
    }


def test_text_cel_cannot_hold_is_repaired_before_evaluation() -> None:
    data = cel_safe({"item": {"value": "tru\ud800", "count": 10**20}})
    result = Compiled('item.value + ":" + string(item.count)', ["item"]).evaluate(data)
    assert result == f"tru\ufffd:{2**63 - 1}"


def test_iteration_budget_is_its_own_error() -> None:
    over = Compiled("item.all(x, x >= 0)", ["item"])
    assert over.evaluate({"item": list(range(ITERATION_BUDGET - 1))}) is True
    with pytest.raises(BudgetExceeded, match="budget"):
        over.evaluate({"item": list(range(ITERATION_BUDGET))})


def test_many_null_reads_do_not_free_none() -> None:
    """cel-expr-python 0.1.3 drops a reference to None per null read; Python 3.11 aborts
    once None's count reaches zero (after a few thousand reads) unless expr guards it."""
    script = (
        "from tcommlint.expr import Compiled\n"
        "read = Compiled('item', ['item'])\n"
        "for _ in range(20_000):\n"
        "    assert read.evaluate({'item': None}) is None\n"
        "print('survived')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "survived"), done.stderr[-300:]
