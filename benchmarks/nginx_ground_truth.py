"""Run the nginx ground-truth matrix and print what a real nginx did with each configuration.

Usage: ``python benchmarks/nginx_ground_truth.py [--only ID ...] [--no-tcommlint]``

Columns: id | description | observed (sessions kept/total, or refused by ``nginx -t``) |
tcommlint verdict | agree. "agree" compares the observation with tcommlint's verdict when
tcommlint can read nginx (an entry outside the model must be "not evaluable", TC008; a refused
configuration TC001), otherwise with the matrix's recorded expectation (marked ``rec``). Entries
whose harness client is not a chat client (``client_differs``) are listed apart, with the reason.
The last lines give the agreement figure. Exit 0 when everything agrees, 1 otherwise, 2 when
nginx is not installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.groundtruth.harness import Observation
    from tests.groundtruth.matrix import Entry

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDTHS = [36, 58, 24, 24, 7]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these matrix ids")
    parser.add_argument("--no-tcommlint", action="store_true", help="skip the tcommlint verdict")
    return parser.parse_args(argv)


def _observed(observation: Observation) -> str:
    outcome = observation.variants[0][1]
    if not outcome.accepted:
        return "no (refused by nginx -t)"
    word = "yes" if outcome.sticky else "no"
    return f"{word} ({outcome.sessions_ok}/{len(outcome.sessions)})"


def _loader_ready() -> bool:
    """Whether tcommlint can run and has a loader for nginx."""
    from tests.groundtruth.harness import loader_missing

    return not loader_missing("nginx", "nginx")


def _tcommlint(entry: Entry, observation: Observation, errors: list[str]) -> str:
    """tcommlint's verdict: ``yes``, ``no (<rules>)``, ``not evaluable (TC008)`` or ``error``."""
    from tests.groundtruth.harness import (
        NGINX,
        HarnessError,
        blocking_findings,
        entry_report,
        outside_model,
        verdict_rules,
    )

    try:
        report = entry_report(entry, observation, NGINX)
    except (HarnessError, ValueError) as exc:
        errors.append(f"{entry.id}: {str(exc).strip()[:300]}")
        return "error"
    if outside_model(report):
        return "not evaluable (TC008)"
    rules = verdict_rules(entry.scenario) | {"TC001"}
    blocking = blocking_findings(report, rules)
    if not blocking:
        return "yes"
    return "no (" + ",".join(sorted({line.split()[0] for line in blocking})) + ")"


def _expected(entry: Entry, observation: Observation) -> str:
    """The verdict tcommlint must give for this observation."""
    if entry.outside_model:
        return "not evaluable"
    if not observation.variants[0][1].accepted:
        return "no (TC001"
    return "yes" if observation.sticky else "no"


def _row(cells: list[str]) -> str:
    return " | ".join(cell[:width].ljust(width) for cell, width in zip(cells, WIDTHS, strict=True))


def main(argv: list[str] | None = None) -> int:
    """Run the matrix, print the table and the agreement figure, return the exit code."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.groundtruth.harness import NGINX, binary_of, entry_observer
    from tests.groundtruth.matrix_nginx import ENTRIES

    args = _parse(argv)
    if binary_of(NGINX) is None:
        print("nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 2
    use_tcommlint = not args.no_tcommlint and _loader_ready()
    entries = [e for e in ENTRIES if not args.only or e.id in args.only]
    differing = [e for e in entries if e.client_differs]
    entries = [e for e in entries if not e.client_differs]
    print(_row(["id", "description", "observed sticky", "tcommlint sticky", "agree"]))
    print("-+-".join("-" * width for width in WIDTHS))
    agreements, started = 0, time.monotonic()
    errors: list[str] = []
    with entry_observer(NGINX) as observe:
        for entry in entries:
            observation = observe(entry)
            if use_tcommlint:
                verdict = _tcommlint(entry, observation, errors)
                agree = verdict.startswith(_expected(entry, observation))
            else:
                verdict = "n/a"
                agree = observation.sticky is entry.expected_sticky
            agreements += agree
            mark = ("yes" if agree else "NO") + ("" if use_tcommlint else " rec")
            print(_row([entry.id, entry.description, _observed(observation), verdict, mark]))
    elapsed = time.monotonic() - started
    if errors:
        print("\ntcommlint errors:\n  " + "\n  ".join(errors))
    against = "tcommlint" if use_tcommlint else "the recorded expectations (no nginx loader yet)"
    share = 100.0 * agreements / len(entries) if entries else 100.0
    print(
        f"\n{len(entries)} configurations, agreement with {against}: {agreements}/{len(entries)}"
        f" ({share:.1f}%), {elapsed:.1f}s"
    )
    for entry in differing:
        print(f"not compared: {entry.id}: {entry.client_differs}")
    return 0 if agreements == len(entries) else 1


if __name__ == "__main__":
    sys.exit(main())
