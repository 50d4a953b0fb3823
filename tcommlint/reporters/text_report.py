"""``path:line:col: ID [severity] message``, related lines indented, a summary line last."""

from __future__ import annotations

from tcommlint.findings import SEVERITIES, Finding
from tcommlint.output import printable
from tcommlint.run import RunResult

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
RESET = "\033[0m"


def render(
    result: RunResult,
    *,
    colour: bool = False,
    quiet: bool = False,
    statistics: bool = False,
    unsafe_fixes: bool = False,
) -> str:
    """The human report; ``[*]`` marks the findings ``--fix`` can fix (as ruff marks them)."""
    lines = []
    if statistics:  # counts per rule instead of the findings, as ruff --statistics does
        lines.extend(_statistics(result.findings))
    else:
        for finding in result.findings:
            lines.append(_line(finding, colour, finding.fixable(unsafe_fixes)))
            lines.extend(printable(f"    {r.span}: {r.message}") for r in finding.related)
            lines.extend(printable(f"    evidence: {line}") for line in finding.evidence)
    if not quiet:
        lines.append(summary(result))
        lines.extend(_fixable(result.findings, unsafe_fixes))
    return "\n".join(lines) + ("\n" if lines else "")


def _line(finding: Finding, colour: bool, fixable: bool) -> str:
    severity = f"[{finding.severity}]"
    if colour:
        severity = f"{COLOURS[finding.severity]}{severity}{RESET}"
    marker = " [*]" if fixable else ""
    where, message = printable(f"{finding.span}: {finding.rule}"), printable(finding.message)
    return f"{where} {severity}{marker} {message}"


def _fixable(findings: list[Finding], unsafe_fixes: bool) -> list[str]:
    """``N fixable with `--fix```, and how many more ``--unsafe-fixes`` would add."""
    fixable = sum(1 for finding in findings if finding.fixable(unsafe_fixes))
    more = sum(1 for finding in findings if finding.fixable(True)) - fixable
    if fixable and more:
        return [f"{fixable} fixable with `--fix` ({more} more with `--unsafe-fixes`)"]
    if fixable:
        return [f"{fixable} fixable with `--fix`"]
    if more:
        return [f"{more} fixable with `--fix --unsafe-fixes`"]
    return []


def _statistics(findings: list[Finding]) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        counts[(finding.rule, finding.name)] = counts.get((finding.rule, finding.name), 0) + 1
    rows = sorted(counts.items())
    return [printable(f"{count:5d}  {rule}  {name}") for (rule, name), count in rows]


def summary(result: RunResult) -> str:
    """``N errors, N warnings, N infos in N deployments (N files)``."""
    count = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITIES}
    files = sum(len(d.deployment.files) for d in result.deployments)
    deployments = len(result.deployments)
    text = (
        f"{_plural(count['error'], 'error')}, {_plural(count['warning'], 'warning')}, "
        f"{_plural(count['info'], 'info')} in {_plural(deployments, 'deployment')} "
        f"({_plural(files, 'file')})"
    )
    if result.suppressed:
        text += f"; {result.suppressed} suppressed"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
