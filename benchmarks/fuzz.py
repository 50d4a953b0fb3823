"""A long fuzzing run over every reader (the harness of ``tests/fuzzing.py``).

Runs ``--processes`` workers, each with its own seed, until ``--inputs`` inputs were judged in
total (or ``--seconds`` passed), then prints inputs per second per reader kind and every
failure: crashes, hangs over 10 s and multi-line messages. Failing inputs are written to
``--save DIR`` for replay.

    python benchmarks/fuzz.py [--inputs 1000000] [--seconds 0] [--processes 2] [--save DIR]

One million inputs take about 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

from fuzzing import TARGETS, Failure, Tally, run  # noqa: E402

BATCH_SECONDS = 30.0


def _batch(seed: int) -> Tally:
    return run(BATCH_SECONDS, seed=seed)


def main() -> int:
    """Fuzz until the goal; exit 1 when anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=0.0, help="stop after this long too")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--save", type=Path, default=None, help="write failing inputs here")
    args = parser.parse_args()

    started = time.monotonic()
    inputs, failures, seed = 0, [], 0
    with ProcessPoolExecutor(args.processes) as pool:
        while inputs < args.inputs:
            if args.seconds and time.monotonic() - started > args.seconds:
                break
            seeds = range(seed, seed + args.processes)
            seed += args.processes
            for tally in pool.map(_batch, seeds):
                inputs += tally.inputs
                for failure in tally.failures:
                    _save(failure, len(failures), args.save)
                    failures.append(failure)
            elapsed = time.monotonic() - started
            print(
                f"{inputs:>10,} inputs  {elapsed:7.0f} s  {inputs / elapsed:7.0f}/s  "
                f"{len(failures)} failures",
                flush=True,
            )
    _report(inputs, time.monotonic() - started, failures)
    return 1 if failures else 0


def _report(inputs: int, seconds: float, failures: list[Failure]) -> None:
    kinds = collections.Counter(failure.kind for failure in failures)
    print(
        f"\n{inputs:,} inputs in {seconds:.0f} s ({inputs / seconds:,.0f} per second) over "
        f"{len(TARGETS)} readers: {', '.join(t.name for t in TARGETS)}"
    )
    print(
        f"crashes: {kinds['crash']}  hangs over 10 s: {kinds['hang']}  "
        f"multi-line messages: {kinds['multi-line']}"
    )
    for failure in failures:
        print(f"  {failure.target} {failure.kind}: {failure.detail[:200]!r}")


def _save(failure: Failure, number: int, save: Path | None) -> None:
    """Print a failure as it is found, and keep its input for replay."""
    print(f"  found: {failure.target} {failure.kind}: {failure.detail[:200]!r}", flush=True)
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        (save / f"{number:04d}-{failure.target}-{failure.kind}.bin").write_bytes(failure.data)


if __name__ == "__main__":
    sys.exit(main())
