"""Probe facts → findings through the rule catalogue (the rules with ``facts: probe``) →
the ``RunResult`` every ``check`` reporter renders."""

from __future__ import annotations

from typing import Any

from tcommlint.engine import Selection, evaluate_facts
from tcommlint.model import Deployment, Manifest
from tcommlint.outputs import Scope
from tcommlint.ruleset import Rule
from tcommlint.run import DeploymentResult, RunResult

KIND = "probe"


def blank_facts(target: str = "probe", sessions: int = 1, requests: int = 2) -> dict[str, Any]:
    """The facts of a probe that saw nothing wrong (the base of the rules' examples)."""
    loc = f"{target}:1:1"
    return {
        "target": target,
        "loc": loc,
        "scheme": "http",
        "app_path": "/api",
        "session_cookie": "JSESSIONID",
        "requests_per_session": requests,
        "pause_seconds": 0.0,
        "total": sessions,
        "played": sessions,
        "kept": sessions,
        "broken": 0,
        "broken_at_text": "",
        "cut_short": 0,
        "sessions": [],
        "lifetime_text": "",
        "comparison_text": "",
        "spread": {
            "sessions": 0,
            "distinct": 0,
            "nodes": [],
            "text": "unknown",
            "expected_ha_mode": "",
            "min_sessions": 4,
        },
        "attributes": [],
        "redirects": [],
        "captcha": {"checked": False, "loc": loc},
        "comparison": {"checked": False, "loc": loc},
    }


def scope(facts: dict[str, Any]) -> Scope:
    """Where probe findings may point: the target, one line per session, one column per
    request."""
    lines = max(int(facts["total"]), 1)
    return Scope(
        facts["target"],
        {facts["target"]: (lines, int(facts["requests_per_session"]) + 1)},
        frozenset(),
    )


def result(
    facts: dict[str, Any],
    rules: list[Rule],
    selection: Selection,
    secrets: tuple[str, ...] = (),
) -> RunResult:
    """The run result of a probe; ``secrets`` (every cookie value seen) are masked by every
    reporter."""
    findings, statuses = evaluate_facts(facts, KIND, rules, selection, scope(facts))
    name = facts["target"]
    deployment = Deployment(
        name=name,
        root="",
        manifest=Manifest(
            name=name, app_path=facts["app_path"], session_cookie=facts["session_cookie"]
        ),
        files=(),
        parse_errors=(),
        configs=(),
        tomcats=(),
        load_balancers=(),
        secrets=secrets,
    )
    from tcommlint.findings import sorted_findings

    probe_rules = [rule for rule in rules if rule.facts == KIND]
    return RunResult(
        [DeploymentResult(deployment, facts["spread"]["expected_ha_mode"] or "unknown", statuses)],
        sorted_findings(findings),
        probe_rules,
        0,
    )
