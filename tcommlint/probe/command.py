"""``tcommlint probe URL``: play the sessions, observe, judge through the rule catalogue and
report like ``check`` (same formats, same exit codes)."""

from __future__ import annotations

import argparse
from typing import Any

from tcommlint import output
from tcommlint.errors import UsageError
from tcommlint.findings import SEVERITY_RANK
from tcommlint.probe import observe
from tcommlint.probe.driver import SessionRun
from tcommlint.probe.options import Options, from_args

EXIT_OK, EXIT_FINDINGS = 0, 1


def run(args: argparse.Namespace) -> int:
    """Probe, report, and exit 1 when a finding is at or above ``--fail-on``."""
    from tcommlint.engine import Selection
    from tcommlint.probe.report import result
    from tcommlint.reporters import JSON_FORMATS, renderer
    from tcommlint.ruleset import load_rules

    options = from_args(args)
    rules = load_rules(args.rules)
    _check_rule_ids(args, {rule.id for rule in rules if rule.facts == "probe"})
    facts, secrets = _observe(options)
    report = result(facts, rules, Selection(args.select, args.ignore, ()), secrets)
    render = renderer(args.format)
    text = render(report, colour=False, quiet=False, statistics=False, unsafe_fixes=False)
    output.write_report(text, args.output, args.format in JSON_FORMATS)
    worst = max((SEVERITY_RANK[f.severity] for f in report.findings), default=0)
    return EXIT_FINDINGS if worst >= SEVERITY_RANK[args.fail_on] else EXIT_OK


def _observe(options: Options) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``check`` on ``--deployment`` first (a bad path stops before any traffic), then the
    sessions and the captcha page: the probe's facts, and the values no output may show."""
    from tcommlint.probe import compare, driver, progress
    from tcommlint.probe.client import Client

    paused = bool(options.pause)
    checked = compare.check_deployment(options.deployment, paused) if options.deployment else None
    client = Client(options)
    runs = driver.play(options, client, progress.reporter())
    _refuse_unreachable(runs, options)
    loc = observe.where(options, 1, 1)
    captcha = None
    if options.captcha:
        from tcommlint.probe.captcha import check_captcha

        captcha = check_captcha(client, loc, checked.captcha if checked else "")
    sticky = all(observe.judge(run, options).kept for run in runs)
    comparison = compare.comparison(checked, sticky, loc) if checked else None
    facts = observe.facts(runs, options, checked.ha_mode if checked else "", captcha, comparison)
    # Every cookie value seen, and the --header values (credentials, often), are masked.
    secrets = (*observe.secrets(runs), *(value for _, value in options.headers))
    return facts, secrets


def _check_rule_ids(args: argparse.Namespace, known: set[str]) -> None:
    """``--select`` and ``--ignore`` name probe rules (else exit 2, as for ``check``)."""
    from tcommlint.engine import unknown_rule

    for flag, patterns in (("--select", args.select), ("--ignore", args.ignore)):
        for pattern in sorted(patterns):
            reason = unknown_rule(pattern, known, prefix=True)
            if reason:
                raise UsageError(f"{flag}: {reason}")


def _refuse_unreachable(runs: tuple[SessionRun, ...], options: Options) -> None:
    """No HTTP answer at all (connection refused, TLS refused, proxy down) is not a verdict
    on stickiness: a one-line usage error (exit 2) with the first reason."""
    exchanges = [exchange for run in runs for exchange in run.exchanges]
    if exchanges and all(e.status == 0 for e in exchanges):
        raise UsageError(f"no answer from {options.origin}: {exchanges[0].error}")
