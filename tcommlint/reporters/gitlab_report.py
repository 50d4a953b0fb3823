"""GitLab Code Quality (a subset of the Code Climate issue format)."""

from __future__ import annotations

from typing import Any

from tcommlint.digest import sha256_hex
from tcommlint.findings import Finding
from tcommlint.output import json_text
from tcommlint.run import RunResult

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def report(result: RunResult) -> list[dict[str, Any]]:
    """The issues as plain data; fingerprints are unique within the report."""
    issues = []
    seen: dict[str, int] = {}
    for finding in result.findings:
        base = finding.fingerprint()
        repeat = seen.get(base, 0)
        seen[base] = repeat + 1
        issues.append(_issue(finding, _unique(base, repeat)))
    return issues


def _unique(fingerprint: str, repeat: int) -> str:
    # Two findings with one identity (same rule, file and key) still need distinct fingerprints.
    if repeat == 0:
        return fingerprint
    return sha256_hex(f"{fingerprint}\0{repeat}".encode())[:32]


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": f"{finding.rule} {finding.name}",
        "description": f"{finding.rule}: {finding.message}",
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": finding.span.path, "lines": {"begin": finding.span.line}},
    }


def render(result: RunResult, **_: Any) -> str:
    """The issues as indented JSON with sorted keys and a final newline."""
    return json_text(report(result), sort_keys=True)
