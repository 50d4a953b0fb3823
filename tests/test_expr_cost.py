"""The size of what rule expressions compute is bounded, not only their iterations: a rule that
asks for too much is not evaluable, says why, and the run goes on."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tcommlint import expr_cost
from tcommlint.expr import BudgetExceeded, Compiled, closest_within
from tcommlint.expr_cost import CostExceeded, distance_within

from conftest import run_json, write_tree

USER_RULE = """\
id: XX{number}
name: greedy-{number}
severity: warning
summary: Asks a helper for a lot.
for_each: deployment.entries.filter(e, {condition})
as: entry
when: "true"
at: entry.loc
message: "{{entry.key}}"
docs: {{what: Greedy., why: To test the budget., fix: None.}}
examples:
  fail: [{{files: {{proxy/proxy.properties: "AutoCallQueue=true\\n"}}}}]
  pass: [{{files: {{proxy/proxy.properties: "AutoCallQueue=true\\n"}}}}]
"""
GREEDY = {
    "001": 'e.key.replace("A", "AAAAAAAAAA").replace("A", "AAAAAAAAAA")'
    '.replace("A", "AAAAAAAAAA").replace("A", "AAAAAAAAAA").replace("A", "AAAAAAAAAA")'
    '.replace("A", "AAAAAAAAAA").replace("A", "AAAAAAAAAA").size() > 0',
    "002": 'edit_distance(e.value, e.value + "x") > 0',
    "003": 'e.value.split("").size() > 0',
    "004": 'closest(e.value, [e.value + "x", "y"]) != ""',
}


def test_greedy_rules_are_not_evaluable_and_the_rest_of_the_run_goes_on(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        in_tmp / "d",
        {"proxy.properties": "AutoCallQueue=yes\nWelcomeText=" + "A" * 200_000 + "\n"},
    )
    rules = {
        f"XX{number}-greedy.yaml": USER_RULE.format(number=number, condition=condition)
        for number, condition in GREEDY.items()
    }
    write_tree(in_tmp / "rules", rules)
    code, report = run_json(["check", "d", "--rules", "rules"], capsys)
    assert code == 1
    statuses = {rule["id"]: rule for rule in report["deployments"][0]["rules"]}
    for number in GREEDY:
        status = statuses[f"XX{number}"]
        assert status["status"] == "not-evaluable"
        assert status["reason"].startswith("the deployment is too large for this rule: ")
        assert "\n" not in status["reason"]
    assert "would return" in statuses["XX001"]["reason"]
    assert "cells" in statuses["XX002"]["reason"]
    assert statuses["TC005"]["status"] == "fail"


def test_replace_chain_stops_before_it_allocates() -> None:
    """Seven tenfold replaces of a short text would be 10^7 times its size."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chain = Compiled("item" + '.replace("a", "aaaaaaaaaa")' * 9, ["item"])
    with pytest.raises(BudgetExceeded, match="replace would return"):
        chain.evaluate({"item": "a" * 100})
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 64 * 1024


def test_a_huge_key_near_a_known_key_is_checked_in_linear_time() -> None:
    """TC002's closest_within on a multi-megabyte key: only a band of the table is computed,
    so the run finishes instead of computing 10^8 cells per known key."""
    script = (
        "import sys; from tcommlint.cli import main; "
        "sys.exit(main(['check', sys.argv[1], '--select', 'TC002', '--format', 'json']))"
    )
    root = Path(__file__).parent / "fixtures"  # any readable cwd
    key = "AutoCallQueue" + "x" * 3_000_000
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp) / "d", {"proxy.properties": f"{key}=true\nAutoCallQueue=true\n"})
        result = subprocess.run(
            [sys.executable, "-c", script, str(Path(tmp) / "d")],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("left", "right", "most", "distance"),
    [
        ("JSESSIONID", "JSESSIONID", 2, 0),
        ("JSESISONID", "JSESSIONID", 2, 1),
        ("JESSIONID", "JSESSIONID", 2, 1),
        ("SERVERID", "JSESSIONID", 2, 3),
        ("SERVERID", "JSESSIONID", 10, 6),
        ("", "abc", 2, 3),
        ("", "abc", 3, 3),
        ("ab", "ba", 1, 1),
        ("abcdef", "abcdefghij", 3, 4),
    ],
)
def test_banded_distance_agrees_with_the_full_table_up_to_its_bound(
    left: str, right: str, most: int, distance: int
) -> None:
    assert distance_within(left, right, most) == distance
    full = expr_cost.edit_distance(left, right)
    assert distance_within(left, right, most) == min(full, most + 1)


def test_closest_within_on_long_words_is_bounded() -> None:
    assert closest_within("x" * 1_000_000, ["AutoCallQueue"], 2) == ""
    assert closest_within("AutoCallQueu", ["AutoCallQueue", "x" * 1_000_000], 2) == (
        "AutoCallQueue"
    )


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ('"a,b,,c".split(",")', ["a", "b", "", "c"]),
        ('"a,b,c".split(",", 2)', ["a", "b,c"]),
        ('"a,b,c".split(",", 0)', []),
        ('"abc".split("")', ["a", "b", "c"]),
        ('"abc".split("", 2)', ["a", "bc"]),
        ('["a", "b"].join()', "ab"),
        ('["a", "b"].join(", ")', "a, b"),
        ('"aXbXc".replace("X", "-")', "a-b-c"),
        ('"aXbXc".replace("X", "-", 1)', "a-bXc"),
        ('"hello".substring(1, 3)', "el"),
        ('"hello".substring(2)', "llo"),
        ('"hello".charAt(1)', "e"),
        ('"hello".charAt(5)', ""),
        ('"hello".indexOf("l")', 2),
        ('"hello".lastIndexOf("l")', 3),
        ('"  x ".trim()', "x"),
        ('"ÄbC".lowerAscii()', "Äbc"),
        ('"äbC".upperAscii()', "äBC"),
    ],
)
def test_string_methods_mean_what_cel_strings_extension_means(
    expression: str, value: object
) -> None:
    assert Compiled(expression).evaluate({}) == value


@pytest.mark.parametrize("expression", ['"hello".substring(4, 2)', '"hello".charAt(6)'])
def test_out_of_range_indexes_are_errors(expression: str) -> None:
    from tcommlint.expr import ExpressionError

    with pytest.raises(ExpressionError):
        Compiled(expression).evaluate({})


def test_cost_errors_say_what_was_too_large() -> None:
    with pytest.raises(CostExceeded, match="split would return"):
        expr_cost.split("," * 20_000, ",")
    with pytest.raises(CostExceeded, match="join would return"):
        expr_cost.join(["x" * 600_000, "y" * 600_000])
    with pytest.raises(CostExceeded, match="cells"):
        expr_cost.edit_distance("x" * 3000, "y" * 3000)


def test_a_lone_surrogate_in_an_expression_is_a_compile_error() -> None:
    """Found by benchmarks/fuzz.py: a rule file's ``\\uD800`` escape crashed the compiler."""
    from tcommlint.expr import ExpressionError

    with pytest.raises(ExpressionError, match="lone surrogate") as caught:
        Compiled('item.key == "a\ud800"', ["item"])
    assert (caught.value.line, caught.value.column) == (1, 15)


def test_the_refusal_travels_as_data_not_as_text() -> None:
    """The reason of a helper's refusal is the refusal's own (``BudgetExceeded.reason``), not
    read back from the error text CEL makes of it."""
    chain = Compiled("item" + '.replace("a", "aaaaaaaaaa")' * 4, ["item"])
    with pytest.raises(BudgetExceeded) as caught:
        chain.evaluate({"item": "a" * 1000})
    assert caught.value.reason == "replace would return 10,000,000 characters (> 1,000,000)"


def test_a_text_that_reads_like_a_refusal_is_not_one() -> None:
    """A missing key whose name is the refusal's wording is an error of the rule."""
    from tcommlint.expr import ExpressionError

    lookup = Compiled('{"a": 1}["cost budget exceeded: x"] == 1', ["item"])
    with pytest.raises(ExpressionError) as caught:
        lookup.evaluate({"item": 1})
    assert not isinstance(caught.value, BudgetExceeded)


def test_a_refusal_that_or_absorbed_does_not_end_the_evaluation() -> None:
    """``||`` absorbs the refused helper's error; the error after it is the rule's own."""
    from tcommlint.expr import ExpressionError

    source = '(item.replace("a", "aaaaaaaaaa").size() > 0 || true) && item.x == 1'
    with pytest.raises(ExpressionError) as caught:
        Compiled(source, ["item"]).evaluate({"item": "a" * 200_000})
    assert not isinstance(caught.value, BudgetExceeded)
    assert Compiled(source.partition(" &&")[0], ["item"]).evaluate({"item": "a" * 200_000})


def test_cels_iteration_limit_has_no_helper_reason() -> None:
    over = Compiled("item.all(x, x >= 0)", ["item"])
    with pytest.raises(BudgetExceeded) as caught:
        over.evaluate({"item": list(range(20_000))})
    assert caught.value.reason == ""
