"""Findings: the immutable result of a rule firing, and the per-rule status of a run."""

from __future__ import annotations

import re

from tcommlint.digest import sha256_hex
from tcommlint.records import NamedTuple
from tcommlint.source import Span

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3, "never": 4}


class Related(NamedTuple):
    """A location related to a finding, in the same or another file."""

    span: Span
    message: str


class Edit(NamedTuple):
    """Replace ``old`` by ``new`` at the first occurrence at or after ``span`` on its line,
    or with ``exact`` only where ``old`` stands at ``span`` (after blanks and quotes)."""

    span: Span
    old: str
    new: str
    exact: bool = False


def within(text: str, root: str) -> str:
    """``text`` (a path, a key such as ``d/conf/proxy.properties/AutoCallQueue``, a message)
    with each path that starts at the deployment ``root`` made relative to it; a mere
    ``d/`` inside a word (``db.password/x``) is left alone."""
    if root in ("", "."):
        return text
    start = re.compile(r"(?<![\w./\\-])" + re.escape(root.rstrip("/") + "/"))
    return start.sub("", text)


class Identity(NamedTuple):
    """What makes two findings "the same finding", whatever the lines, the working directory
    or where the deployment lies: the rule, the path within the deployment, and the rule's
    ``key`` (or, without one, the message), with the deployment root removed.

    ``diff`` compares identities; baselines and fingerprints qualify them with the deployment
    name, as a run holds several deployments.
    """

    rule: str
    path: str
    subject: str


class Finding(NamedTuple):
    """One problem: which rule, how severe, where to edit, and the other lines involved.

    ``key`` names the model object and key involved (e.g. ``backend be_api/cookie``); it keeps
    a baseline entry valid when unrelated lines move. ``root`` is the deployment's directory
    as the paths name it.
    """

    rule: str
    name: str
    severity: str
    deployment: str
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    key: str = ""
    evidence: tuple[str, ...] = ()  # log lines that confirm the finding (``check --logs``)
    edits: tuple[Edit, ...] = ()  # the safe fix, when the rule has one
    fix: str = ""  # what the fix does
    unsafe_fix: bool = False  # applied only with --unsafe-fixes: it changes another team's file
    root: str = ""

    def fixable(self, unsafe: bool = False) -> bool:
        """Whether ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) has edits for it."""
        return bool(self.edits) and (unsafe or not self.unsafe_fix)

    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        """Findings sort by path, line, column, rule ID, message, then what tells apart the
        findings of one line (the deployment and the model key), so that any input has one
        order, whatever the hash seed."""
        span = self.span
        return (
            span.path,
            span.line,
            span.column,
            self.rule,
            self.message,
            self.deployment,
            self.key,
        )

    def identity(self) -> Identity:
        """The one notion of "the same finding" (see :class:`Identity`)."""
        subject = within(self.key or self.message, self.root)
        return Identity(self.rule, within(self.span.path, self.root), subject)

    def fingerprint(self) -> str:
        """The deployment name and :meth:`identity`, hashed: stable across moved lines and a
        moved deployment root."""
        rule, path, subject = self.identity()
        return sha256_hex("\0".join((rule, self.deployment, path, subject)).encode())[:32]


class RuleStatus(NamedTuple):
    """The outcome of one rule on one deployment: ``pass``, ``fail`` or ``not-evaluable``."""

    rule: str
    status: str
    reason: str = ""


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in report order; identical input gives identical order."""
    return sorted(set(findings), key=lambda finding: (finding.sort_key(), repr(finding)))
