"""``tcommlint diff OLD NEW``: what a planned change does to a deployment.

Both snapshots are checked exactly as ``check`` would check them (``tcommlint.run.check``):
the same configuration file (``--config`` or found upward), each snapshot's own manifests,
the same rules (``--rules`` and the file's ``rule_dirs``). Findings are matched by their
identity (``Finding.identity``: rule, path within the deployment and the model object they
are about, never a line) and the deployment's place in its snapshot, giving the findings the
change introduces and those it fixes. Transitions that are risky even when both sides are
clean are listed too: sessions in flight lose their affinity when the persistence method,
cookie or lifetime changes; toggling a queueing flag changes routing; members and HA mode
decide where sessions go.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from tcommlint import output
from tcommlint.engine import Selection
from tcommlint.errors import UsageError
from tcommlint.facts import deployment_facts
from tcommlint.findings import Finding, within
from tcommlint.model import Deployment
from tcommlint.records import NamedTuple
from tcommlint.redact import Redactor, redact_result
from tcommlint.run import Settings, check, configure

QUEUE_FLAGS = (("proxies", "AutoCallQueue"), ("servers", "enable.callagentMessage"))


class Snapshot(NamedTuple):
    """One side of the comparison: its deployments (by their place in the snapshot), their
    findings (credentials masked) and facts."""

    path: str
    deployments: dict[str, Deployment]
    findings: list[Finding]
    facts: dict[str, dict[str, Any]]

    def place(self, root: str) -> str:
        """Where a deployment root lies in the snapshot (``.`` for the snapshot itself)."""
        return os.path.relpath(os.path.normpath(root), os.path.normpath(self.path))

    def identity(self, finding: Finding) -> tuple[str, ...]:
        """The finding's identity, with its deployment's place in the snapshot."""
        return (self.place(finding.root), *finding.identity())


class Comparison(NamedTuple):
    """The result of ``diff``."""

    introduced: list[Finding]
    fixed: list[Finding]
    transitions: list[str]


def run(args: argparse.Namespace) -> int:
    """Compare two snapshots; exit 1 when the change introduces an error."""
    cwd = Path.cwd()
    settings = configure(args.config, args.rules, cwd)
    old = snapshot(args.old, cwd, settings)
    new = snapshot(args.new, cwd, settings)
    comparison = compare(old, new)
    render = render_json if args.format == "json" else render_text
    secrets = [s for snap in (old, new) for d in snap.deployments.values() for s in d.secrets]
    text = render(comparison, args.old, args.new, Redactor(secrets))
    output.write(text, json_text=args.format == "json")
    introduced_error = any(f.severity == "error" for f in comparison.introduced)
    return 1 if introduced_error else 0


def snapshot(path: str, cwd: Path, settings: Settings) -> Snapshot:
    """Check one snapshot directory as ``check`` would."""
    if not (cwd / path).is_dir():
        raise UsageError("not a directory", path)
    config, rule_dirs, rules = settings
    result = redact_result(check([path], cwd, rules, Selection(), config, rule_dirs=rule_dirs))
    snap = Snapshot(path, {}, result.findings, {})
    for item in result.deployments:
        place = snap.place(item.deployment.root)
        snap.deployments[place] = item.deployment
        snap.facts[place] = deployment_facts(item.deployment)
    return snap


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Introduced and fixed findings, and risky transitions."""
    old_ids = {old.identity(f) for f in old.findings}
    new_ids = {new.identity(f) for f in new.findings}
    introduced = [f for f in new.findings if new.identity(f) not in old_ids]
    fixed = [f for f in old.findings if old.identity(f) not in new_ids]
    transitions = []
    for place in sorted(set(old.facts) & set(new.facts)):
        found = _transitions(old.facts[place], new.facts[place], old, new, place)
        transitions.extend(found if place == "." else [f"{place}: {t}" for t in found])
    return Comparison(introduced, fixed, transitions)


def _transitions(
    before: dict[str, Any], after: dict[str, Any], old: Snapshot, new: Snapshot, place: str
) -> list[str]:
    transitions = (
        _persistence_transitions(before, after)
        + _flag_transitions(old.deployments[place], new.deployments[place], before, after)
        + _member_transitions(before, after)
    )
    if before["ha_mode"] != after["ha_mode"]:
        transitions.append(f"HA mode changes from {before['ha_mode']} to {after['ha_mode']}")
    return transitions


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


def _flag_values(
    deployment: Deployment, facts: dict[str, Any], side: str, key: str
) -> dict[str, str]:
    """Config path → the flag's effective value as Java reads it (or ``unset``)."""
    values = {}
    for config in facts[side]:
        setting = config["settings"].get(key)
        effective = ("true" if setting["bool"] else "false") if setting else "unset"
        values[within(config["path"], deployment.root)] = effective
    return values


def _flag_transitions(
    old: Deployment, new: Deployment, old_facts: dict[str, Any], new_facts: dict[str, Any]
) -> list[str]:
    transitions = []
    for side, key in QUEUE_FLAGS:
        before = _flag_values(old, old_facts, side, key)
        after = _flag_values(new, new_facts, side, key)
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
