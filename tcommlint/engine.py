"""Rules x deployment -> findings, with pass / fail / not-evaluable for every rule."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tcommlint.errors import UsageError
from tcommlint.expr import (
    ITERATION_BUDGET,
    BudgetExceeded,
    ExpressionError,
    bind,
    cel_safe,
    closest_within,
)
from tcommlint.facts import DEFERRABLE, PARTS, deployment_facts, fact_lengths
from tcommlint.findings import Finding, Related, RuleStatus
from tcommlint.model import Deployment, Suppression
from tcommlint.outputs import OutputError, Scope, edits, location, related, severity
from tcommlint.records import NamedTuple
from tcommlint.ruleset import Findings, Rule
from tcommlint.source import Span, loc

PART_NAMES = {
    "proxy": "proxy config",
    "server": "server rconfig",
    "tomcat": "proxy Tomcat conf tree",
    "lb": "load-balancer config",
}

# Rules that judge the outcome of the others run last, with the facts the first pass adds.


class Selection(NamedTuple):
    """Which rules run, at which severity, and which ones nothing may suppress."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    severity: tuple[tuple[str, str], ...] = ()
    mandatory: frozenset[str] = frozenset()

    def enabled(self, rule_id: str) -> bool:
        """Whether the rule runs (``--select`` narrows, ``--ignore`` removes; prefixes match)."""
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(prefix) for prefix in self.ignore)

    def severity_of(self, rule_id: str, default: str) -> str:
        """The configured severity of a rule, else its default."""
        return dict(self.severity).get(rule_id, default)


def unknown_rule(pattern: str, known: Collection[str], *, prefix: bool) -> str:
    """Why ``pattern`` names no rule of ``known`` (with a did-you-mean), or "" when it names one.

    With ``prefix``, a pattern that starts some rule IDs (``TC2``) names those rules, as in
    ``--select``; without it only a whole rule ID does (severities, mandatory rules).
    """
    if pattern in known:
        return ""
    starts = any(rule_id.startswith(pattern) for rule_id in known)
    if prefix and starts:
        return ""
    if starts:
        return f"{pattern!r} is a prefix; name whole rule IDs here"
    guess = closest_within(pattern, sorted(known), 2 if len(pattern) > 4 else 1)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    return f"unknown rule {'ID or prefix' if prefix else 'ID'} {pattern!r}{hint}"


class Outcome(NamedTuple):
    """Findings (after suppression) and rule statuses of one deployment."""

    findings: list[Finding]
    statuses: list[RuleStatus]
    suppressed: int
    ha_mode: str = "unknown"


def evaluate(deployment: Deployment, rules: list[Rule], selection: Selection) -> Outcome:
    """Run every enabled rule on one deployment."""
    active = [r for r in rules if selection.enabled(r.id) and r.facts == "deployment"]
    first = [rule for rule in active if not _is_second_pass(rule)]
    second = [rule for rule in active if _is_second_pass(rule)]
    # A fact that only rules over CEL's budget would read is not even built.
    deferred = fact_lengths(deployment)
    readers = [rule for rule in active if rule.id not in _too_long(active, deferred)]
    named = _named(readers, with_selector=True)
    skip = () if named is None else DEFERRABLE - named
    facts = cel_safe(deployment_facts(deployment, skip=skip))

    raw: dict[str, list[Finding]] = {}
    statuses: dict[str, RuleStatus] = {}
    too_long = _too_long(first, {**_lengths(facts), **deferred})
    running = [rule for rule in first if rule.id not in too_long]
    # Bind only what the rules that run read: converting a fact costs as much as it is long.
    bindings = bind({"deployment": _view(running, facts, with_selector=True)})
    scope = Scope.of(deployment)
    for rule in first:
        _run(rule, scope, facts, selection, raw, statuses, bindings, too_long)
    facts["incomplete"] = _incomplete(first, facts["parts"], deployment.manifest.require)

    kept, suppressed, unused = _apply_suppressions(raw, deployment.suppressions, selection)
    judged = {rule_id for rule_id, status in statuses.items() if status.status == "pass"}
    facts["unused_suppressions"] = cel_safe(
        [
            {"loc": loc(s.span), "path": s.span.path, "rules": ", ".join(s.rule_ids)}
            for s in unused
            if set(s.rule_ids) <= judged  # a rule that did not run cannot have needed it
        ]
    )
    # The first pass added facts. Bind only what the second pass reads: converting the whole
    # deployment again would cost as much as the first pass's conversion.
    too_long = _too_long(second, {**_lengths(facts), **deferred})
    running = [rule for rule in second if rule.id not in too_long]
    bindings = bind({"deployment": _view(running, facts, with_selector=True)})
    for rule in second:
        _run(rule, scope, facts, selection, raw, statuses, bindings, too_long)
        kept.extend(raw.get(rule.id, []))
    for rule_id, status in statuses.items():
        if status.status != "not-evaluable":
            failed = any(f.rule == rule_id for f in kept)
            statuses[rule_id] = RuleStatus(rule_id, "fail" if failed else "pass")
    statuses_in_order = [statuses[rule.id] for rule in active]
    rooted = [finding._replace(root=deployment.root) for finding in kept]
    return Outcome(rooted, statuses_in_order, suppressed, facts["ha_mode"])


def evaluate_facts(
    facts: dict[str, Any], kind: str, rules: list[Rule], selection: Selection, scope: Scope
) -> tuple[list[Finding], list[RuleStatus]]:
    """Run the enabled rules of ``kind`` (their ``facts:`` field, e.g. ``probe``) over facts
    that are not a deployment's; ``scope`` says where their locations may point."""
    facts = cel_safe({"parts": {}, **facts})
    bindings = bind({"deployment": facts})
    raw: dict[str, list[Finding]] = {}
    statuses: dict[str, RuleStatus] = {}
    active = [r for r in rules if selection.enabled(r.id) and r.facts == kind]
    for rule in active:
        _run(rule, scope, facts, selection, raw, statuses, bindings)
    findings = [finding for rule in active for finding in raw.get(rule.id, [])]
    for rule_id, status in statuses.items():
        if status.status != "not-evaluable":
            failed = any(finding.rule == rule_id for finding in findings)
            statuses[rule_id] = RuleStatus(rule_id, "fail" if failed else "pass")
    return findings, [statuses[rule.id] for rule in active]


_TOO_LARGE = (
    f"the deployment is too large for this rule: CEL stops an evaluation after "
    f"{ITERATION_BUDGET:,} iterations"
)


def _over_budget(error: BudgetExceeded) -> str:
    """Why a rule stopped: CEL's iteration limit, or a helper's cost limit (``expr_cost``)."""
    if error.reason:
        return f"the deployment is too large for this rule: {error.reason}"
    return _TOO_LARGE


def _is_second_pass(rule: Rule) -> bool:
    return bool(rule.data.get("second_pass", False))


def _run(
    rule: Rule,
    scope: Scope,
    facts: dict[str, Any],
    selection: Selection,
    raw: dict[str, list[Finding]],
    statuses: dict[str, RuleStatus],
    bindings: Any,
    too_long: Collection[str] = (),
) -> None:
    missing = [part for part in rule.requires if not facts["parts"][part]]
    if missing:
        reason = "no " + " and no ".join(PART_NAMES[part] for part in missing) + " found"
        statuses[rule.id] = RuleStatus(rule.id, "not-evaluable", reason)
        return
    if rule.id in too_long:  # decided before converting the facts: CEL would stop it
        statuses[rule.id] = RuleStatus(rule.id, "not-evaluable", _TOO_LARGE)
        return
    try:
        raw[rule.id] = _findings(rule, scope, facts, selection, bindings)
    except BudgetExceeded as error:
        statuses[rule.id] = RuleStatus(rule.id, "not-evaluable", _over_budget(error))
        return
    except (ExpressionError, OutputError) as error:
        raise UsageError(f"rule {rule.id} failed: {error.message}", rule.path) from None
    # "pass" until the suppressions are applied; then "fail" where findings remain.
    statuses[rule.id] = RuleStatus(rule.id, "pass")


def _findings(
    rule: Rule, scope: Scope, facts: dict[str, Any], selection: Selection, bindings: Any
) -> list[Finding]:
    items = rule.selector.evaluate(bindings=bindings)
    if not isinstance(items, list):
        raise ExpressionError(f"for_each must give a list, not {type(items).__name__}")
    if not items:
        return []
    view = _deployment_view(rule, facts)
    parts = rule.findings()
    found = []
    for item in items:
        data = {"deployment": view, rule.variable: item}
        default = severity(parts.severity_when.evaluate(data)) if parts.severity_when else None
        span = location(parts.at.evaluate(data), "at", scope)
        changes = edits(parts.fix_edits.evaluate(data), scope) if parts.fix_edits else ()
        found.append(
            Finding(
                rule=rule.id,
                name=rule.name,
                severity=selection.severity_of(rule.id, default or rule.severity),
                deployment=scope.name,
                message=parts.message.render(data),
                span=span,
                related=_related(parts, data, span, scope),
                key=parts.key.render(data) if parts.key else "",
                edits=changes,
                fix=parts.fix_description.render(data) if parts.fix_description else "",
                # A fix that edits another file than the finding's changes what another team owns.
                unsafe_fix=rule.fix_unsafe or any(e.span.path != span.path for e in changes),
            )
        )
    return found


def _deployment_view(rule: Rule, facts: dict[str, Any]) -> dict[str, Any]:
    """The facts a rule's per-finding expressions read, when they name each one
    (``deployment.app_path``): CEL converts the whole ``deployment`` on every evaluation, so
    the other facts would make each finding cost as much as the deployment is large."""
    return _view([rule], facts, with_selector=False)


def _view(rules: list[Rule], facts: dict[str, Any], *, with_selector: bool) -> dict[str, Any]:
    """The facts that ``rules`` name (with their selectors too when told), or all of them
    when one names the deployment as a whole."""
    names = _named(rules, with_selector=with_selector)
    if names is None:
        return facts
    return {name: value for name, value in facts.items() if name in names}


def _named(rules: list[Rule], *, with_selector: bool) -> set[str] | None:
    """The facts that ``rules`` name, or None when one names the deployment as a whole."""
    names: set[str] = set()
    for rule in rules:
        read = rule.facts_read(with_selector=with_selector)
        if read is None:
            return None
        names |= read
    return names


def _too_long(rules: list[Rule], lengths: dict[str, int]) -> frozenset[str]:
    """The rules whose selector CEL would stop for its iteration limit, known before the facts
    are converted: the selector walks a fact of ``lengths`` (items per fact) at least
    ``ITERATION_BUDGET`` long (``Rule.walked_fact``). CEL counts at least one iteration per
    item, and already stops a ``filter`` over exactly ``ITERATION_BUDGET`` items
    (tests/test_engine_budget.py), so the same rules would end in the same not-evaluable
    status after the conversion."""
    return frozenset(
        rule.id
        for rule in rules
        if rule.walked_fact and lengths.get(rule.walked_fact, 0) >= ITERATION_BUDGET
    )


def _lengths(facts: dict[str, Any]) -> dict[str, int]:
    """How many items each list or map fact holds."""
    return {name: len(value) for name, value in facts.items() if isinstance(value, (list, dict))}


def _related(
    parts: Findings, data: dict[str, Any], primary: Span, scope: Scope
) -> tuple[Related, ...]:
    """The related lines, without the primary line itself and without repeats."""
    if parts.related is None:
        return ()
    found: dict[tuple[str, int], Related] = {}
    for span, message in related(parts.related.evaluate(data), scope):
        if (span.path, span.line) != (primary.path, primary.line):
            found.setdefault((span.path, span.line), Related(span, message))
    return tuple(sorted(found.values()))


def _incomplete(
    rules: list[Rule], parts: dict[str, bool], required: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The missing parts that matter: required ones (an error), and those rules needed."""
    result = []
    for part in PARTS:
        if parts[part]:
            continue
        skipped = ", ".join(rule.id for rule in rules if part in rule.requires)
        reasons = [f"a required part (require: {part})"] if part in required else []
        reasons += [f"{skipped} not evaluated"] if skipped else []
        if reasons:
            severity = "error" if part in required else "info"
            detail = "; ".join(reasons)
            result.append(
                {"part": PART_NAMES[part], "rules": skipped, "detail": detail, "severity": severity}
            )
    return result


def _apply_suppressions(
    raw: dict[str, list[Finding]],
    suppressions: tuple[Suppression, ...],
    selection: Selection,
) -> tuple[list[Finding], int, list[Suppression]]:
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault((suppression.span.path, suppression.applies_to), []).append(suppression)
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed = 0
    for findings in raw.values():
        for finding in findings:
            match = _suppressing(finding, by_line, selection)
            if match is None:
                kept.append(finding)
            else:
                used.add(match)
                suppressed += 1
    unused = [s for s in suppressions if s not in used]
    return kept, suppressed, unused


def _suppressing(
    finding: Finding,
    by_line: dict[tuple[str, int], list[Suppression]],
    selection: Selection,
) -> Suppression | None:
    if finding.rule in selection.mandatory:
        return None
    for suppression in by_line.get((finding.span.path, finding.span.line), []):
        if finding.rule in suppression.rule_ids:
            return suppression
    return None
