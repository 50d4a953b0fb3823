"""The quick validity check never says yes where jsonschema finds an error."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tcommlint.resources import schema
from tcommlint.schemacheck import surely_valid
from tcommlint.yamlread import _validator_class, read_yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = sorted(ROOT.glob("examples/**/tcommlint.yaml")) + sorted(
    ROOT.glob("tests/fixtures/**/tcommlint.yaml")
)
ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, "", "x", "45m", "/api", "a b:1", "\n", [], ["lb"],
    ["lb", "lb"], [1], {}, {"x": 1}, {"proxy": ["a"]}, "error", "TC101", {"TC101": "error"},
]  # fmt: skip


def _valid_by_jsonschema(name: str, data: Any) -> bool:
    return not list(_validator_class()(schema(name)).iter_errors(data))


def _mutations(data: Any, rng: random.Random) -> list[Any]:
    """Copies of ``data`` with one value somewhere replaced by an odd one."""
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        if isinstance(node, dict | list):
            for key, child in node.items() if isinstance(node, dict) else enumerate(node):
                walk(child, [*path, key])

    walk(data, [])
    out = []
    for path in paths:
        for value in rng.sample(ODD_VALUES, 6):
            out.append(_replaced(data, path, value))
    return out


def _replaced(data: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copy


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.parent.name)
def test_manifests_agree_with_jsonschema(path: Path) -> None:
    data = read_yaml(str(path), path.read_text(encoding="utf-8")).data or {}
    if _valid_by_jsonschema("manifest.schema.json", data):
        assert surely_valid(schema("manifest.schema.json"), data)  # the quick path is taken
    for mutated in _mutations(data, random.Random(path.name)):
        if surely_valid(schema("manifest.schema.json"), mutated):
            assert _valid_by_jsonschema("manifest.schema.json", mutated), mutated


def test_rule_files_agree_with_jsonschema() -> None:
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        data = read_yaml(str(path), path.read_text(encoding="utf-8")).data
        for mutated in [data, *_mutations(data, random.Random(path.name))[:300]]:
            if surely_valid(schema("rule.schema.json"), mutated):
                assert _valid_by_jsonschema("rule.schema.json", mutated), (path.name, mutated)


def test_unknown_keywords_are_left_to_jsonschema() -> None:
    assert not surely_valid({"type": "object", "patternProperties": {}}, {})
    assert not surely_valid({"type": "integer"}, 1.0)
    assert not surely_valid({"enum": [1]}, True)
    assert surely_valid({"type": "integer", "minimum": 1}, 3)
