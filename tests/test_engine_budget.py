"""A rule whose selector walks a fact at least as long as CEL's iteration budget is decided
before the facts are converted, and that fact is not even built when no running rule reads it.

The decision rests on what cel-expr-python does (pinned here: a ``filter`` or ``map`` over
``ITERATION_BUDGET`` items is stopped, over one item fewer it is not); the outcome must be the
one CEL itself gives, which is checked by running the same deployments with the decision
turned off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tcommlint import engine, facts
from tcommlint.discover import planned
from tcommlint.engine import Outcome, Selection, evaluate
from tcommlint.expr import ITERATION_BUDGET, BudgetExceeded, Compiled, ExpressionError, bind
from tcommlint.load import load_deployment
from tcommlint.model import Deployment
from tcommlint.ruleset import load_rules

from conftest import write_tree

WALKERS = ("TC002", "TC003", "TC004", "TC005")  # the rules over deployment.entries


@pytest.mark.parametrize(
    "selector",
    [
        # Few items kept: cel-expr-python copies the result list at every item kept (keeping
        # all 10,000 takes seconds), and the walk is what is measured.
        "deployment.entries.filter(e, e < 0)",
        "deployment.entries.map(e, e + 1)",
        "deployment.entries.map(e, e < 0, e)",
        "deployment.entries.filter(e, e.missing)",  # an error per item does not stop the walk
        "(deployment.entries).filter(e, false)",
    ],
)
def test_a_walk_over_the_budget_is_stopped_and_one_below_is_not(selector: str) -> None:
    program = Compiled(selector)
    below = bind({"deployment": {"entries": list(range(ITERATION_BUDGET - 1))}})
    try:
        program.evaluate(bindings=below)
    except BudgetExceeded:  # pragma: no cover - the failure this test is for
        pytest.fail("stopped below the budget")
    except ExpressionError as error:  # ``e.missing`` fails, but not for the budget
        assert "budget" not in error.message
    with pytest.raises(BudgetExceeded):
        program.evaluate(bindings=bind({"deployment": {"entries": list(range(ITERATION_BUDGET))}}))


def _deployment(root: Path, n: int) -> Deployment:
    """A proxy config of ``n`` entries: a typo, a case slip, a duplicate and a boolean."""
    lines = ["ProxyName=chat-proxy-1", "AutoCalQueue=true", "autocallqueue=true"]
    lines += ["EnableSSL=yes", "ProxyName=again"]
    lines += [f"custom.key{i}=value{i}" for i in range(n - len(lines))]
    folder = write_tree(root / f"props-{n}", {"proxy.properties": "\n".join(lines) + "\n"})
    ((plan, config),) = planned([str(folder)], root, None)
    deployment = load_deployment(plan, config, root)
    assert facts.fact_lengths(deployment)["entries"] == n
    return deployment


def _without_the_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_too_long", lambda rules, lengths: frozenset())
    monkeypatch.setattr(engine, "DEFERRABLE", frozenset())


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (ITERATION_BUDGET - 100, "fail"),
        # CEL's own stop: the loader's ``.filter(entry, when)`` over the findings adds to the
        # walk over the entries. The decision only takes walks of a whole budget.
        (ITERATION_BUDGET - 1, "not-evaluable"),
        (ITERATION_BUDGET, "not-evaluable"),
    ],
)
def test_the_outcome_is_the_one_cel_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, expected: str
) -> None:
    deployment, rules = _deployment(tmp_path, n), load_rules()
    decided = evaluate(deployment, rules, Selection())
    with monkeypatch.context() as patch:
        _without_the_decision(patch)
        converted = evaluate(deployment, rules, Selection())
    assert decided == converted
    statuses = {status.rule: status for status in decided.statuses}
    walked = [statuses[rule] for rule in WALKERS]
    assert {status.status for status in walked} == {expected}
    if expected == "not-evaluable":
        assert all("too large for this rule" in status.reason for status in walked)


def test_entries_no_running_rule_reads_are_not_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment, rules = _deployment(tmp_path, ITERATION_BUDGET), load_rules()
    built: list[Any] = []
    bound: list[set[str]] = []
    entries, binder = facts._entries, engine.bind

    def counted_entries(config: Any) -> list[dict[str, Any]]:
        built.append(config.path)
        return entries(config)

    def recorded_bind(data: Any, *args: Any) -> Any:
        bound.append(set(data["deployment"]))
        return binder(data, *args)

    monkeypatch.setattr(facts, "_entries", counted_entries)
    monkeypatch.setattr(engine, "bind", recorded_bind)
    outcome: Outcome = evaluate(deployment, rules, Selection())
    assert not built
    assert bound and all("entries" not in names for names in bound)
    assert any(status.rule == "TC002" for status in outcome.statuses)
    # A rule that runs and reads the entries gets them, however many there are.
    evaluate(deployment, rules, Selection(select=frozenset({"TC006"})))
    assert not built
    monkeypatch.setattr(engine, "_too_long", lambda rules, lengths: frozenset())
    evaluate(deployment, rules, Selection(select=frozenset({"TC004"})))
    assert built == [deployment.configs[0].path]


def test_a_view_without_deferred_facts_keeps_the_others_in_order(tmp_path: Path) -> None:
    deployment = _deployment(tmp_path, 10)
    full = facts.deployment_facts(deployment)
    lean = facts.deployment_facts(deployment, skip=facts.DEFERRABLE)
    assert list(lean) == [name for name in full if name not in facts.DEFERRABLE]
    assert len(full["entries"]) == facts.fact_lengths(deployment)["entries"]
