"""Run the HAProxy ground-truth matrix and print what a real haproxy did with each config.

Usage: ``python benchmarks/haproxy_ground_truth.py [--only ID ...] [--no-tcommlint]``

Columns: id | description | observed (sessions kept/total) | tcommlint verdict | agree. "agree"
compares the observation with tcommlint's verdict when tcommlint can run (an entry outside the
model must be "not evaluable", TC008), otherwise with the matrix's recorded expectation (marked
``rec``). Entries whose harness client is not a chat client (``client_differs``) are listed
apart, with the reason. An entry with several environment variants is
observed sticky only if every variant is; each variant's result follows on its own row. Exit 0
when everything agrees, 1 otherwise, 2 when haproxy is not installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.groundtruth.harness import Observation, Outcome
    from tests.groundtruth.matrix import Entry

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these matrix ids")
    parser.add_argument("--no-tcommlint", action="store_true", help="skip the tcommlint verdict")
    return parser.parse_args(argv)


def _observed(outcome: Outcome) -> str:
    if not outcome.accepted:
        return "no (refused by haproxy -c)"
    word = "yes" if outcome.sticky else "no"
    return f"{word} ({outcome.sessions_ok}/{len(outcome.sessions)})"


def _observed_all(observation: Observation) -> str:
    if len(observation.variants) == 1:
        return _observed(observation.variants[0][1])
    return "yes (every variant)" if observation.sticky else "no (see variants)"


def _variant_rows(observation: Observation, widths: list[int]) -> list[str]:
    """One row per environment variant when there are several."""
    from tests.groundtruth.harness import env_label

    if len(observation.variants) == 1:
        return []
    return [
        _row(["", f"  env {env_label(env)}"[: widths[1]], _observed(outcome), "", ""], widths)
        for env, outcome in observation.variants
    ]


def _tcommlint(entry: Entry, observation: Observation, errors: list[str]) -> str:
    """tcommlint's verdict as ``yes``/``no`` (with the blocking rules), or ``error`` (the reason
    is appended to ``errors``)."""
    from tests.groundtruth.harness import (
        HarnessError,
        blocking_findings,
        outside_model,
        run_tcommlint,
        verdict_rules,
    )

    try:
        report = run_tcommlint(observation.config, entry.scenario, entry.app_cookie)
    except (HarnessError, ValueError) as exc:
        errors.append(f"{entry.id}: {str(exc).strip()[:300]}")
        return "error"
    if outside_model(report):
        return "not evaluable (TC008)"
    blocking = blocking_findings(report, verdict_rules(entry.scenario))
    if not blocking:
        return "yes"
    return "no (" + ",".join(sorted({line.split()[0] for line in blocking})) + ")"


def _row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def main(argv: list[str] | None = None) -> int:
    """Run the matrix, print the table, return the exit code."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.groundtruth.harness import (
        chat_backends,
        haproxy_binary,
        observe_variants,
        tcommlint_available,
    )
    from tests.groundtruth.matrix import MATRIX

    args = _parse(argv)
    if haproxy_binary() is None:
        print("haproxy is not installed (apt-get install haproxy)", file=sys.stderr)
        return 2
    use_tcommlint = not args.no_tcommlint and tcommlint_available()
    entries = [e for e in MATRIX if not args.only or e.id in args.only]
    differing = [e for e in entries if e.client_differs]
    entries = [e for e in entries if not e.client_differs]
    widths = [max(len(e.id) for e in MATRIX), 58, 26, 22, 5]
    print(_row(["id", "description", "observed sticky", "tcommlint sticky", "agree"], widths))
    print("-+-".join("-" * width for width in widths))
    disagreements, started = 0, time.monotonic()
    errors: list[str] = []
    with chat_backends(3) as upper, chat_backends(3, "jsessionid") as lower:
        nodes = {"JSESSIONID": upper, "jsessionid": lower}
        for entry in entries:
            backends = nodes[entry.app_cookie][: entry.servers]
            observation = observe_variants(
                entry.render, backends, entry.scenario, entry.environments
            )
            if use_tcommlint:
                verdict = _tcommlint(entry, observation, errors)
                expected = (
                    "not evaluable"
                    if entry.outside_model
                    else ("yes" if observation.sticky else "no")
                )
                agree = verdict.startswith(expected)
            else:
                verdict = "n/a"
                agree = observation.sticky is entry.expected_sticky
            disagreements += not agree
            mark = ("yes" if agree else "NO") + ("" if use_tcommlint else " rec")
            cells = [entry.id, entry.description[:58], _observed_all(observation), verdict, mark]
            print("\n".join([_row(cells, widths), *_variant_rows(observation, widths)]), flush=True)
    elapsed = time.monotonic() - started
    if errors:
        print("\ntcommlint errors:\n  " + "\n  ".join(errors))
    print(f"\n{len(entries)} configurations, {disagreements} disagreement(s), {elapsed:.1f}s")
    for entry in differing:
        print(f"not compared: {entry.id}: {entry.client_differs}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
