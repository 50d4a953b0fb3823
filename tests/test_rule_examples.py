"""Every rule fires on its fail examples and stays silent on its pass examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tcommlint.ruleset import load_rules

from conftest import run_json, write_tree

RULES = load_rules()
CASES = [
    pytest.param(rule.id, kind, example, id=f"{rule.id}-{kind}-{index}")
    for rule in RULES
    for kind in ("fail", "pass")
    for index, example in enumerate(rule.examples[kind])
]


@pytest.mark.parametrize(("rule_id", "kind", "example"), CASES)
def test_rule_example(
    rule_id: str,
    kind: str,
    example: dict[str, Any],
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if "facts" in example:
        fired = _probe_fired(rule_id, example["facts"])
    else:
        write_tree(in_tmp / "deployment", example["files"])
        _, report = run_json(["check", "deployment", "--fail-on", "never"], capsys)
        fired = sorted(
            f"{f['location']['path'].removeprefix('deployment/')}:{f['location']['line']}"
            for f in report["findings"]
            if f["rule"] == rule_id
        )
    if kind == "fail":
        assert fired, f"{rule_id} did not fire"
        for expected in example.get("findings", []):
            assert expected in fired
    else:
        assert fired == [], f"{rule_id} fired on a pass example"


def test_every_rule_has_fail_and_pass_examples() -> None:
    for rule in RULES:
        assert rule.examples["fail"] and rule.examples["pass"], rule.id


def _probe_fired(rule_id: str, example_facts: dict[str, Any]) -> list[str]:
    """A ``facts: probe`` rule's example: its facts over those of a probe that saw nothing
    wrong (target ``probe``), judged by the engine as ``probe`` judges them."""
    from tcommlint.engine import Selection
    from tcommlint.probe.report import blank_facts, result

    facts = {**blank_facts(sessions=5, requests=5), **example_facts}
    findings = result(facts, RULES, Selection(select=frozenset({rule_id}))).findings
    return sorted(f"{f.span.path}:{f.span.line}" for f in findings)
