"""Load rule files, validate them against ``schemas/rule.schema.json`` and compile their CEL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tcommlint import cache
from tcommlint.errors import UsageError
from tcommlint.expr import Compiled, ExpressionError, Template
from tcommlint.resources import rules_dir, schema
from tcommlint.yamlread import read_yaml, validate

EXPRESSION_FIELDS = ("for_each", "when", "at", "severity_when", "related")
TEMPLATE_FIELDS = ("message", "key")


class Rule:
    """A rule file, compiled: the data of the YAML plus ready-to-run expressions."""

    __slots__ = (
        "at",
        "data",
        "for_each",
        "id",
        "key",
        "message",
        "name",
        "path",
        "related",
        "requires",
        "severity",
        "severity_when",
        "summary",
        "variable",
        "when",
    )

    def __init__(self, path: str, data: dict[str, Any], lines: dict[str, int]) -> None:
        self.path = path
        self.data = data
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.severity: str = data["severity"]
        self.summary: str = data["summary"]
        self.requires: tuple[str, ...] = tuple(data.get("requires", ()))
        self.variable: str = data.get("as", "item")
        variables = ("deployment", self.variable)
        compiled = {
            field: _compile(path, lines, field, data[field], variables, Compiled)
            for field in EXPRESSION_FIELDS
            if field in data
        }
        templates = {
            field: _compile(path, lines, field, data[field], variables, Template)
            for field in TEMPLATE_FIELDS
            if field in data
        }
        self.for_each: Compiled | None = compiled.get("for_each")
        self.when: Compiled = compiled["when"]
        self.at: Compiled = compiled["at"]
        self.severity_when: Compiled | None = compiled.get("severity_when")
        self.related: Compiled | None = compiled.get("related")
        self.message: Template = templates["message"]
        self.key: Template | None = templates.get("key")

    @property
    def docs(self) -> dict[str, Any]:
        """What it does, why it matters, the fix and references."""
        docs: dict[str, Any] = self.data["docs"]
        return docs

    @property
    def examples(self) -> dict[str, list[dict[str, Any]]]:
        """Fail and pass example deployments, run by the test suite."""
        examples: dict[str, list[dict[str, Any]]] = self.data["examples"]
        return examples


def _compile(
    path: str,
    lines: dict[str, int],
    field: str,
    source: str,
    variables: tuple[str, ...],
    kind: type[Compiled] | type[Template],
) -> Any:
    try:
        return kind(source, variables)
    except ExpressionError as error:
        line = lines.get(field, 0)
        where = f" (expression line {error.line}, column {error.column})" if error.line else ""
        raise UsageError(f"field '{field}': {error.message}{where}", path, line) from None


def _read_rule_file(path: Path, display: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read rule file: {error.strerror}", display) from None
    cached = cache.get("rule", content)
    if cached is not None:
        return cached["data"], cached["lines"]
    document = read_yaml(display, content.decode("utf-8", errors="replace"))
    validate(display, document, schema("rule.schema.json"))
    cache.put("rule", content, {"data": document.data, "lines": document.lines})
    return document.data, document.lines


def load_rules(extra_dirs: list[str] | None = None) -> list[Rule]:
    """The bundled rules plus those of ``extra_dirs``, sorted by ID; duplicate IDs are an error."""
    directories = [(rules_dir(), True)] + [(Path(d), False) for d in extra_dirs or []]
    rules: dict[str, Rule] = {}
    for directory, bundled in directories:
        if not directory.is_dir():
            raise UsageError("rule directory not found", str(directory))
        for file in sorted(directory.glob("*.yaml")):
            display = f"rules/{file.name}" if bundled else file.as_posix()
            data, lines = _read_rule_file(file, display)
            rule = Rule(display, data, lines)
            if rule.id in rules:
                raise UsageError(f"rule {rule.id} is also defined in {rules[rule.id].path}", display)
            rules[rule.id] = rule
    return [rules[rule_id] for rule_id in sorted(rules)]
