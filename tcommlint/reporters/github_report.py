"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import Any

from tcommlint.findings import Finding
from tcommlint.output import printable
from tcommlint.reporters.text_report import summary
from tcommlint.run import RunResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message as the Actions runner expects (``%``, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """``::error file=…,line=…,col=…,title=ID name::message`` for one finding; control
    characters in names and messages are shown escaped, then the runner's escapes apply."""
    properties = {
        "file": printable(finding.span.path),
        "line": str(finding.span.line),
        "col": str(finding.span.column),
        "title": printable(f"{finding.rule} {finding.name}"),
    }
    joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    lines = [printable(finding.message)]
    lines.extend(printable(f"related: {r.span}: {r.message}") for r in finding.related)
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(chr(10).join(lines))}"


def render(result: RunResult, *, quiet: bool = False, **_: Any) -> str:
    """One workflow command per finding, then the summary line unless quiet."""
    lines = [annotation(finding) for finding in result.findings]
    if not quiet:
        lines.append(summary(result))
    return "\n".join(lines) + ("\n" if lines else "")
