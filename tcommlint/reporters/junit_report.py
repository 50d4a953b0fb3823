"""JUnit XML for CI test tabs: one testcase per rule and deployment.

Every name and message goes through ``printable``: XML 1.0 forbids most control characters
even as character references, so escaping them is what keeps the document well-formed.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from tcommlint.findings import SEVERITY_RANK, Finding
from tcommlint.output import printable
from tcommlint.run import DeploymentResult, RunResult


def render(result: RunResult, **_: Any) -> str:
    """The report as an indented JUnit XML document."""
    root = ET.Element("testsuites", name="tcommlint")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    names = {rule.id: rule.name for rule in result.rules}
    for deployment in result.deployments:
        suite = _suite(deployment, result.findings, names)
        root.append(suite)
        for name in totals:
            totals[name] += int(suite.get(name, "0"))
    for name, value in totals.items():
        root.set(name, str(value))
    root.set("errors", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _suite(
    deployment: DeploymentResult, findings: list[Finding], names: dict[str, str]
) -> ET.Element:
    name = deployment.deployment.name
    own = [f for f in findings if f.deployment == name]
    shown = printable(name)
    suite = ET.Element("testsuite", name=shown)
    failures = skipped = 0
    for status in deployment.statuses:
        title = printable(f"{status.rule} {names.get(status.rule, '')}".rstrip())
        case = ET.SubElement(suite, "testcase", classname=shown, name=title)
        failed = [f for f in own if f.rule == status.rule]
        if failed:
            failures += 1
            case.append(_failure(failed))
        elif status.status == "not-evaluable":
            skipped += 1
            ET.SubElement(case, "skipped", message=printable(status.reason or "not evaluable"))
    suite.set("tests", str(len(deployment.statuses)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite


def _failure(findings: list[Finding]) -> ET.Element:
    worst = max(findings, key=lambda f: SEVERITY_RANK[f.severity])
    count = len(findings)
    failure = ET.Element(
        "failure",
        message=printable(f"{count} finding{'' if count == 1 else 's'}: {findings[0].message}"),
        type=worst.severity,
    )
    lines = []
    for finding in findings:
        lines.append(f"{finding.span}: {finding.rule} [{finding.severity}] {finding.message}")
        lines.extend(f"    {r.span}: {r.message}" for r in finding.related)
    lines = [printable(line) for line in lines]
    failure.text = "\n".join(lines)
    return failure
