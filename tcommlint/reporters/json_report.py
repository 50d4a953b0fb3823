"""The JSON report of SPEC §5, described by ``schemas/report.schema.json``."""

from __future__ import annotations

from typing import Any

from tcommlint import __version__
from tcommlint.findings import Finding
from tcommlint.output import json_text
from tcommlint.run import RunResult


def report(result: RunResult) -> dict[str, Any]:
    """The report as plain data."""
    findings = result.findings
    return {
        "tool": {"name": "tcommlint", "version": __version__},
        "deployments": [
            {
                "name": d.deployment.name,
                "root": d.deployment.root,
                "ha_mode": d.ha_mode,
                "rules": [
                    {"id": s.rule, "status": s.status, "reason": s.reason} for s in d.statuses
                ],
            }
            for d in result.deployments
        ],
        "findings": [_finding(f) for f in findings],
        "summary": {
            "deployments": len(result.deployments),
            "files": sum(len(d.deployment.files) for d in result.deployments),
            "errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "infos": sum(1 for f in findings if f.severity == "info"),
            "suppressed": result.suppressed,
        },
    }


def _finding(finding: Finding) -> dict[str, Any]:
    span = finding.span
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "deployment": finding.deployment,
        "message": finding.message,
        "location": {"path": span.path, "line": span.line, "column": span.column},
        "related": [
            {
                "path": r.span.path,
                "line": r.span.line,
                "column": r.span.column,
                "message": r.message,
            }
            for r in finding.related
        ],
        "fingerprint": finding.fingerprint(),
    }
    if finding.evidence:
        data["evidence"] = list(finding.evidence)
    return data


def render(result: RunResult, **_: Any) -> str:
    """The report as indented JSON with a final newline."""
    return json_text(report(result))
