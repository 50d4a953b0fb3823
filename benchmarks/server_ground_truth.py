"""The table of one server's ground-truth matrix: what the real server did with each
configuration, and tcommlint's verdict beside it (shared by the nginx and Apache benchmarks).

Columns: id | observed (sessions kept/total, or refused by the server's check) | tcommlint's
verdict (``yes``, ``no (rules)``, ``not evaluable (TC008)``; ``n/a`` without a loader for the
server) | agree. "agree" is the ground-truth test's own judgement (``tcommlint_disagreement``: a
refused configuration must be TC001, an entry outside the model TC008, any other the observed
verdict); without tcommlint the observation is compared with the matrix's recorded expectation
(marked ``rec``). Entries whose harness client is not a chat client (``client_differs``) are
listed apart, with the reason. Exit 0 when everything agrees, 1 otherwise, 2 when the server is
not installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.groundtruth.harness import Observation, Program
    from tests.groundtruth.matrix import Entry

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (36, 26, 26, 7)


def _arguments(argv: list[str] | None, description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these entry ids")
    parser.add_argument("--no-tcommlint", action="store_true", help="skip tcommlint's verdict")
    return parser.parse_args(argv)


def _verdict(entry: Entry, observation: Observation, program: Program) -> str:
    """tcommlint's verdict on the entry's configuration, in the table's words."""
    from tests.groundtruth.harness import (
        blocking_findings,
        entry_report,
        outside_model,
        verdict_rules,
    )

    report = entry_report(entry, observation, program)
    if outside_model(report):
        return "not evaluable (TC008)"
    rules = verdict_rules(entry.scenario) | {"TC001"}
    blocking = sorted({line.split()[0] for line in blocking_findings(report, rules)})
    return "no (" + ",".join(blocking) + ")" if blocking else "yes"


def _row(cells: Sequence[str]) -> str:
    return " | ".join(cell[:width].ljust(width) for cell, width in zip(cells, WIDTHS, strict=True))


def run(
    program: Program, entries: Sequence[Entry], role: str, vendor: str, argv: list[str] | None
) -> int:
    """Observe ``entries`` through ``program``, print the table and the agreement figure; the
    exit code. ``role`` and ``vendor`` name tcommlint's loader for the server."""
    from tests.groundtruth.harness import (
        binary_of,
        entry_observer,
        loader_missing,
        tcommlint_disagreement,
    )

    args = _arguments(argv, f"The {vendor} ground truth, observed on a real {program.binary}.")
    if binary_of(program) is None:
        print(f"{program.binary} is not installed", file=sys.stderr)
        return 2
    lint = not args.no_tcommlint and not loader_missing(role, vendor)
    chosen = [e for e in entries if not args.only or e.id in args.only]
    compared = [e for e in chosen if not e.client_differs]
    print(_row(("entry", "observed sticky", "tcommlint sticky", "agree")))
    print("-+-".join("-" * width for width in WIDTHS))
    agreed, started = 0, time.monotonic()
    with entry_observer(program) as observe:
        for entry in compared:
            observation = observe(entry)
            if lint:
                verdict = _verdict(entry, observation, program)
                agree = not tcommlint_disagreement(entry, observation, program)
            else:
                verdict, agree = "n/a", observation.sticky is entry.expected_sticky
            agreed += agree
            mark = ("yes" if agree else "NO") + ("" if lint else " rec")
            print(_row((entry.id, observation.summary(), verdict, mark)), flush=True)
    elapsed = time.monotonic() - started
    share = 100.0 * agreed / len(compared) if compared else 100.0
    print(f"\n{agreed}/{len(compared)} agree ({share:.0f}%), {elapsed:.1f}s")
    for entry in chosen:
        if entry.client_differs:
            print(f"not compared: {entry.id}: {entry.client_differs}")
    return 0 if agreed == len(compared) else 1


def main_for(matrix: str, server: str, role: str, vendor: str, argv: list[str] | None) -> int:
    """Run the matrix module ``tests.groundtruth.<matrix>`` through the harness's ``server``."""
    sys.path.insert(0, str(PROJECT_ROOT))
    import importlib

    from tests.groundtruth import harness

    entries = importlib.import_module(f"tests.groundtruth.{matrix}").ENTRIES
    return run(getattr(harness, server), entries, role, vendor, argv)
