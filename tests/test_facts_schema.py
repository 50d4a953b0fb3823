"""The fact view rules read is described by schemas/facts.schema.json, and docs/facts.md by it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tcommlint.discover import planned
from tcommlint.docs import FACTS_PATH, generate_facts
from tcommlint.facts import deployment_facts
from tcommlint.load import load_deployment
from tcommlint.resources import schema
from tcommlint.ruleset import load_rules

from conftest import write_tree

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _views(root: Path) -> list[dict[str, Any]]:
    views = []
    for plan, manifest in planned([str(root)], root.parent, None):
        config = manifest if manifest is not None else None
        views.append(deployment_facts(load_deployment(plan, config, root.parent)))
    return views


def _validate(view: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(view, schema("facts.schema.json"))


@pytest.mark.parametrize("name", ["chat-broken", "chat-fixed"])
def test_example_views_match_the_schema(name: str) -> None:
    for view in _views(EXAMPLES / name):
        _validate(view)


def _rule_example_trees() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for rule in load_rules():
        for kind in ("fail", "pass"):
            for index, example in enumerate(rule.examples.get(kind, [])):
                if "files" in example:  # a probe rule's example holds probe facts instead
                    cases.append((f"{rule.id}-{kind}-{index}", example["files"]))
    return cases


@pytest.mark.parametrize(("case", "files"), _rule_example_trees())
def test_rule_example_views_match_the_schema(
    case: str, files: dict[str, str], tmp_path: Path
) -> None:
    root = write_tree(tmp_path / "deployment", files)
    for view in _views(root):
        _validate(view)


def test_the_schema_rejects_a_view_with_an_unknown_field() -> None:
    import jsonschema

    (view,) = _views(EXAMPLES / "chat-fixed")
    view["app_routes"][0]["persistences"] = []  # a field of the old per-directive view
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(view, schema("facts.schema.json"))


def test_facts_md_is_up_to_date() -> None:
    assert FACTS_PATH.read_text(encoding="utf-8") == generate_facts(), (
        "docs/facts.md is out of date: run python -m tcommlint.docs"
    )


def _probe_example_facts() -> list[tuple[str, dict[str, Any]]]:
    from tcommlint.probe.report import blank_facts

    return [
        (f"{rule.id}-{kind}-{index}", {**blank_facts(sessions=5, requests=5), **example["facts"]})
        for rule in load_rules()
        for kind in ("fail", "pass")
        for index, example in enumerate(rule.examples.get(kind, []))
        if "facts" in example
    ]


@pytest.mark.parametrize(("case", "facts"), _probe_example_facts())
def test_probe_rule_example_facts_match_the_probe_schema(case: str, facts: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(facts, schema("probe-facts.schema.json"))
