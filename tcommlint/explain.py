"""``tcommlint rules`` and ``tcommlint explain ID``: the catalogue, from the rule files."""

from __future__ import annotations

import json

from tcommlint.errors import UsageError
from tcommlint.ruleset import Rule, load_rules


def catalogue(rule_dirs: list[str], output_format: str) -> str:
    """One line per rule (text) or the rules' metadata (json)."""
    rules = load_rules(rule_dirs)
    if output_format == "json":
        data = [
            {"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary}
            for r in rules
        ]
        return json.dumps(data, indent=2) + "\n"
    return "".join(f"{r.id}  {r.name:<32} {r.severity:<8} {r.summary}\n" for r in rules)


def explain(rule_dirs: list[str], rule_id: str) -> str:
    """The full documentation of one rule."""
    for rule in load_rules(rule_dirs):
        if rule.id == rule_id or rule.name == rule_id.lower():
            return render_rule(rule)
    raise UsageError(f"unknown rule {rule_id!r} (see 'tcommlint rules')")


def render_rule(rule: Rule) -> str:
    """A rule's documentation in Markdown, with ruff's fixed headings."""
    docs = rule.docs
    parts = [
        f"# {rule.id} {rule.name}\n",
        f"Default severity: {rule.severity}. {rule.summary}\n",
        f"## What it does\n\n{docs['what'].strip()}\n",
        f"## Why it matters\n\n{docs['why'].strip()}\n",
    ]
    if docs.get("example"):
        parts.append(f"## Example\n\n```\n{docs['example'].rstrip()}\n```\n")
    parts.append(f"## How to fix\n\n{docs['fix'].strip()}\n")
    if rule.log_signatures:
        names = ", ".join(f"`{name}`" for name in rule.log_signatures)
        parts.append(
            f"## In the logs\n\nConfirmed by the log signature"
            f"{'s' if len(rule.log_signatures) > 1 else ''} {names} "
            "(`rules/logs/signatures.yaml`): `tcommlint logs` names this rule under it, and "
            "`check --logs` attaches its first line to the finding.\n"
        )
    if docs.get("references"):
        parts.append("## References\n\n" + "".join(f"- {ref}\n" for ref in docs["references"]))
    return "\n".join(parts)
