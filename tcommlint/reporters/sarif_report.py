"""SARIF 2.1.0 for code-scanning services: one run, every rule, line-independent fingerprints."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from tcommlint import __version__
from tcommlint.findings import Finding
from tcommlint.output import json_text
from tcommlint.ruleset import Rule
from tcommlint.run import RunResult
from tcommlint.source import Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/tcommlint/tcommlint"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_NAME = "tcommlint/v1"


def report(result: RunResult) -> dict[str, Any]:
    """The SARIF log as plain data."""
    index = {rule.id: position for position, rule in enumerate(result.rules)}
    run = {
        "tool": {
            "driver": {
                "name": "tcommlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in result.rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index) for finding in result.findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(rule: Rule) -> dict[str, Any]:
    from tcommlint.explain import render_rule

    markdown = render_rule(rule)
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.docs["what"].split())},
        "help": {"text": markdown, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [{"physicalLocation": _physical(finding.span)}],
        "partialFingerprints": {FINGERPRINT_NAME: finding.fingerprint()},
        "properties": {"deployment": finding.deployment},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _physical(r.span), "message": {"text": r.message}}
            for number, r in enumerate(finding.related, start=1)
        ]
    return result


def _message(finding: Finding) -> str:
    if not finding.evidence:
        return finding.message
    return "\n".join([finding.message, "Log evidence:", *finding.evidence])


def _physical(span: Span) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": artifact_uri(span.path)},
        "region": {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)},
    }


def artifact_uri(path: str) -> str:
    """A relative path as a URI reference; an absolute path as a ``file:`` URI."""
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        return "file://" + quote(posix.as_posix())
    return quote(posix.as_posix())


def render(result: RunResult, **_: Any) -> str:
    """The SARIF log as indented JSON with sorted keys and a final newline."""
    return json_text(report(result), sort_keys=True)
