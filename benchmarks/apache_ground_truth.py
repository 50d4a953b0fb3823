"""Run the Apache httpd ground-truth matrix and print what a real apache2 did with each config.

Usage: ``python benchmarks/apache_ground_truth.py [--only ID ...] [--no-tcommlint]``

One row per entry: id, observed (sessions kept/total, or refused by ``apache2 -t``), tcommlint's
verdict (``yes``, ``no (rules)``, ``not evaluable (TC008)``, ``n/a`` without an Apache loader)
and whether the two agree. Without tcommlint the observation is compared with the matrix's
recorded expectation instead (marked ``rec``). Ends with the agreement figure and the time.
Exit 0 when everything agrees, 1 otherwise, 2 when apache2 is not installed.
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
WIDTHS = (34, 26, 26, 6)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these entry ids")
    parser.add_argument("--no-tcommlint", action="store_true", help="skip tcommlint's verdict")
    return parser.parse_args(argv)


def _can_lint() -> bool:
    """Whether tcommlint runs and has an Apache loader."""
    from tests.groundtruth.harness import loader_missing

    return not loader_missing("apache", "Apache")


def _verdict(entry: Entry, observation: Observation) -> str:
    """tcommlint's verdict on the entry's configuration, in the table's words."""
    from tests.groundtruth.harness import (
        APACHE,
        blocking_findings,
        entry_report,
        outside_model,
        verdict_rules,
    )

    report = entry_report(entry, observation, APACHE)
    if outside_model(report):
        return "not evaluable (TC008)"
    rules = verdict_rules(entry.scenario)
    if not all(outcome.accepted for _, outcome in observation.variants):
        rules = rules | {"TC001"}
    blocking = sorted({line.split()[0] for line in blocking_findings(report, rules)})
    return "no (" + ",".join(blocking) + ")" if blocking else "yes"


def _agrees(entry: Entry, observation: Observation, verdict: str) -> bool:
    if verdict == "n/a":
        return observation.sticky is entry.expected_sticky
    if entry.outside_model:
        return verdict.startswith("not evaluable")
    return verdict.startswith("yes" if observation.sticky else "no")


def _row(cells: tuple[str, ...]) -> str:
    return " | ".join(cell.ljust(width) for cell, width in zip(cells, WIDTHS, strict=True))


def main(argv: list[str] | None = None) -> int:
    """Observe the matrix, print the table and the agreement figure; return the exit code."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.groundtruth.harness import APACHE, binary_of, entry_observer
    from tests.groundtruth.matrix_apache import ENTRIES

    args = _arguments(argv)
    if binary_of(APACHE) is None:
        print("apache2 is not installed (apt-get install apache2)", file=sys.stderr)
        return 2
    lint = not args.no_tcommlint and _can_lint()
    entries = [e for e in ENTRIES if not args.only or e.id in args.only]
    print(_row(("entry", "observed sticky", "tcommlint sticky", "agree")))
    print("-+-".join("-" * width for width in WIDTHS))
    agreed, started = 0, time.monotonic()
    with entry_observer(APACHE) as observe:
        for entry in entries:
            observation = observe(entry)
            verdict = _verdict(entry, observation) if lint else "n/a"
            agree = _agrees(entry, observation, verdict)
            agreed += agree
            mark = ("yes" if agree else "NO") + ("" if lint else " rec")
            print(_row((entry.id, observation.summary(), verdict, mark)), flush=True)
    elapsed = time.monotonic() - started
    share = 100.0 * agreed / len(entries) if entries else 100.0
    print(f"\n{agreed}/{len(entries)} agree ({share:.0f}%), {elapsed:.1f}s")
    return 0 if agreed == len(entries) else 1


if __name__ == "__main__":
    sys.exit(main())
