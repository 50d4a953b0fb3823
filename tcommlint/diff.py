"""``tcommlint diff OLD NEW``: what a planned change does to a deployment.

Both snapshots are checked with the same rules. Findings are matched by rule, path within
the deployment and the model object they are about (never by line), giving the findings the
change introduces and those it fixes. Transitions that are risky even when both sides are
clean are listed too: sessions in flight lose their affinity when the persistence method,
cookie or lifetime changes; toggling a queueing flag changes routing; members and HA mode
decide where sessions go.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, NamedTuple

from tcommlint import output
from tcommlint.discover import DeploymentPlan, files_below
from tcommlint.engine import Selection, evaluate
from tcommlint.errors import UsageError
from tcommlint.facts import deployment_facts
from tcommlint.findings import Finding, sorted_findings
from tcommlint.load import load_deployment
from tcommlint.model import Deployment
from tcommlint.redact import Redactor
from tcommlint.ruleset import Rule, load_rules
from tcommlint.settings import read_config

QUEUE_FLAGS = (("proxies", "AutoCallQueue"), ("servers", "enable.callagentMessage"))


class Snapshot(NamedTuple):
    """One side of the comparison."""

    deployment: Deployment
    findings: list[Finding]
    facts: dict[str, Any]


class Comparison(NamedTuple):
    """The result of ``diff``."""

    introduced: list[Finding]
    fixed: list[Finding]
    transitions: list[str]


def run(args: argparse.Namespace) -> int:
    """Compare two snapshots; exit 1 when the change introduces an error."""
    cwd = Path.cwd()
    rules = load_rules()
    old = snapshot(args.old, cwd, rules)
    new = snapshot(args.new, cwd, rules)
    comparison = compare(old, new)
    render = render_json if args.format == "json" else render_text
    redactor = Redactor([*old.deployment.secrets, *new.deployment.secrets])
    text = render(comparison, args.old, args.new, redactor)
    output.write(text, json_text=args.format == "json")
    introduced_error = any(f.severity == "error" for f in comparison.introduced)
    return 1 if introduced_error else 0


def snapshot(path: str, cwd: Path, rules: list[Rule]) -> Snapshot:
    """Load and check one snapshot directory as a single deployment."""
    root = (cwd / path).resolve()
    if not root.is_dir():
        raise UsageError("not a directory", path)
    manifest_path = root / "tcommlint.yaml"
    manifest = read_config(manifest_path, cwd) if manifest_path.is_file() else None
    files = tuple(files_below(root, set()))
    plan = DeploymentPlan(root, manifest_path if manifest else None, files)
    deployment = load_deployment(plan, manifest, cwd)
    if not deployment.files:
        raise UsageError(f"no configuration found in {path}")
    outcome = evaluate(deployment, rules, Selection())
    return Snapshot(deployment, sorted_findings(outcome.findings), deployment_facts(deployment))


def _identity(finding: Finding, root: str) -> tuple[str, str, str]:
    """Rule, path within the deployment, and the object involved: no line, no root."""
    prefix = root.rstrip("/") + "/"
    path = finding.span.path.removeprefix(prefix)
    return (finding.rule, path, (finding.key or finding.message).replace(prefix, ""))


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Introduced and fixed findings, and risky transitions."""
    old_ids = {_identity(f, old.deployment.root) for f in old.findings}
    new_ids = {_identity(f, new.deployment.root) for f in new.findings}
    introduced = [f for f in new.findings if _identity(f, new.deployment.root) not in old_ids]
    fixed = [f for f in old.findings if _identity(f, old.deployment.root) not in new_ids]
    transitions = (
        _persistence_transitions(old.facts, new.facts)
        + _flag_transitions(old, new)
        + _member_transitions(old.facts, new.facts)
    )
    if old.facts["ha_mode"] != new.facts["ha_mode"]:
        transitions.append(f"HA mode changes from {old.facts['ha_mode']} to {new.facts['ha_mode']}")
    return Comparison(introduced, fixed, transitions)


def _persistence_summary(facts: dict[str, Any]) -> dict[str, list[str]]:
    return {
        f"{route['service']} -> {route['pool']}": [*route["persistence"], route["verdict"]]
        for route in facts["app_routes"]
    }


def _describe(summary: list[str]) -> str:
    *persistence, verdict = summary or ["unknown"]
    return f"{', '.join(persistence) or 'none'} ({verdict})"


def _persistence_transitions(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = _persistence_summary(old), _persistence_summary(new)
    transitions = []
    for route in sorted(set(before) | set(after)):
        if before.get(route) != after.get(route):
            transitions.append(
                f"persistence of {route} changes from {_describe(before.get(route, []))} to "
                f"{_describe(after.get(route, []))}: sessions in flight lose their proxy"
            )
    return transitions


def _flag_values(snap: Snapshot, side: str, key: str) -> dict[str, str]:
    """Config path → the flag's effective value as Java reads it (or ``unset``)."""
    root = snap.deployment.root.rstrip("/") + "/"
    values = {}
    for config in snap.facts[side]:
        setting = config["settings"].get(key)
        effective = ("true" if setting["bool"] else "false") if setting else "unset"
        values[config["path"].removeprefix(root)] = effective
    return values


def _flag_transitions(old: Snapshot, new: Snapshot) -> list[str]:
    transitions = []
    for side, key in QUEUE_FLAGS:
        before, after = _flag_values(old, side, key), _flag_values(new, side, key)
        for path in sorted(set(before) & set(after)):
            if before[path] != after[path]:
                transitions.append(
                    f"{key} in {path} changes from {before[path]} to {after[path]} "
                    "(as Java reads it): chat routing and queueing change"
                )
    return transitions


def _member_transitions(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = {r["pool"]: set(r["members"]) for r in old["app_routes"]}
    after = {r["pool"]: set(r["members"]) for r in new["app_routes"]}
    transitions = []
    for pool in sorted(set(before) & set(after)):
        added, removed = after[pool] - before[pool], before[pool] - after[pool]
        if added:
            transitions.append(f"{pool}: members added: {', '.join(sorted(added))}")
        if removed:
            transitions.append(
                f"{pool}: members removed: {', '.join(sorted(removed))} "
                "(their sessions end or move)"
            )
    return transitions


def render_text(
    comparison: Comparison, old: str, new: str, redactor: Redactor | None = None
) -> str:
    """Introduced, fixed, transitions, then a summary line; ``redactor`` masks credentials."""
    lines = [f"comparing {old} -> {new}"]
    for title, findings in (("introduced", comparison.introduced), ("fixed", comparison.fixed)):
        lines.append(f"{title}: {len(findings)}")
        lines.extend(f"  {f.span}: {f.rule} [{f.severity}] {f.message}" for f in findings)
    lines.append(f"risky transitions: {len(comparison.transitions)}")
    lines.extend(f"  {t}" for t in comparison.transitions)
    return output.text_block(lines, redactor)


def render_json(
    comparison: Comparison, old: str, new: str, redactor: Redactor | None = None
) -> str:
    """The comparison as JSON; ``redactor`` masks credentials."""

    def finding(f: Finding) -> dict[str, Any]:
        return {
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
            "location": {"path": f.span.path, "line": f.span.line, "column": f.span.column},
        }

    data = {
        "old": old,
        "new": new,
        "introduced": [finding(f) for f in comparison.introduced],
        "fixed": [finding(f) for f in comparison.fixed],
        "transitions": comparison.transitions,
    }
    return json.dumps(redactor.data(data) if redactor else data, indent=2) + "\n"
