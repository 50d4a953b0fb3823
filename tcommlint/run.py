"""One ``check`` run: plan deployments, load them, evaluate the rules, collect the results."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tcommlint.discover import plan
from tcommlint.engine import Selection, evaluate
from tcommlint.errors import UsageError
from tcommlint.findings import Finding, RuleStatus, sorted_findings
from tcommlint.load import load_deployment
from tcommlint.model import Deployment
from tcommlint.ruleset import Rule
from tcommlint.settings import ConfigFile, read_config


class DeploymentResult(NamedTuple):
    """A deployment with its rule statuses."""

    deployment: Deployment
    ha_mode: str
    statuses: list[RuleStatus]


class RunResult(NamedTuple):
    """Everything a reporter needs."""

    deployments: list[DeploymentResult]
    findings: list[Finding]
    rules: list[Rule]
    suppressed: int
    mandatory: frozenset[str] = frozenset()  # rules that neither baselines nor comments suppress


def check(
    paths: list[str], cwd: Path, rules: list[Rule], selection: Selection, config: ConfigFile | None
) -> RunResult:
    """Check the deployments named by ``paths``; no recognised file at all is a usage error."""
    results = []
    findings: list[Finding] = []
    suppressed = 0
    mandatory = selection.mandatory
    for deployment_plan in plan(paths, cwd):
        manifest = (
            read_config(deployment_plan.manifest, cwd) if deployment_plan.manifest else config
        )
        deployment = load_deployment(deployment_plan, manifest, cwd)
        merged = _merge(selection, config, manifest if manifest is not config else None)
        mandatory |= merged.mandatory
        outcome = evaluate(deployment, rules, merged)
        from tcommlint.facts import deployment_facts

        ha_mode = deployment_facts(deployment)["ha_mode"]
        results.append(DeploymentResult(deployment, ha_mode, outcome.statuses))
        findings.extend(outcome.findings)
        suppressed += outcome.suppressed
    if not any(result.deployment.files for result in results):
        shown = " ".join(paths) or "."
        raise UsageError(f"no configuration found in {shown}")
    return RunResult(results, sorted_findings(findings), rules, suppressed, mandatory)


def _merge(selection: Selection, *configs: ConfigFile | None) -> Selection:
    """Rule settings of the configuration files (lowest priority first) under the command line's.

    Ignores and mandatory rules add up; for ``select`` and severities the closer file wins,
    and the command line wins over both.
    """
    select: frozenset[str] = frozenset()
    severity: dict[str, str] = {}
    ignore, mandatory = selection.ignore, selection.mandatory
    for config in configs:
        if config is None:
            continue
        rules = config.rules()
        select = frozenset(rules.get("select", [])) or select
        severity.update(rules.get("severity", {}))
        ignore |= frozenset(rules.get("ignore", []))
        mandatory |= frozenset(rules.get("mandatory", []))
    severity.update(dict(selection.severity))
    return Selection(
        select=selection.select or select,
        ignore=ignore,
        severity=tuple(sorted(severity.items())),
        mandatory=mandatory,
    )
