"""Cold start of ``tcommlint check`` next to ``python -c pass`` and yamllint on one small file.

Pre-commit runs tcommlint on every commit, so start-up is part of the product. Each command
runs in a fresh process, ``--runs`` times (default 15); the table shows the median wall time
and the ratio to yamllint. The package's bytecode is compiled first, as ``pip install`` does,
and one warm-up run fills tcommlint's content-hash cache of validated rule files, as the first
commit of a day does.

    python benchmarks/cold_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall time of ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    yamllint = shutil.which("yamllint")
    if yamllint is None:
        print("yamllint is not installed (pip install yamllint); nothing to compare with")
        return 2
    compileall.compile_dir(str(ROOT / "tcommlint"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "small.yaml"
        sample.write_text("---\nkey: value\nlist:\n  - one\n  - two\n", encoding="utf-8")
        tcommlint = [sys.executable, "-m", "tcommlint", "check", "examples/chat-fixed"]
        subprocess.run(tcommlint, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        rows = [
            ("python -c pass", median_seconds([sys.executable, "-c", "pass"], args.runs, env)),
            ("yamllint small.yaml", median_seconds([yamllint, str(sample)], args.runs, env)),
            ("tcommlint check examples/chat-fixed", median_seconds(tcommlint, args.runs, env)),
        ]
    baseline = rows[1][1]
    print(f"median of {args.runs} fresh processes\n")
    print(f"{'command':<38} {'ms':>8} {'x yamllint':>11}")
    for name, seconds in rows:
        print(f"{name:<38} {seconds * 1000:8.1f} {seconds / baseline:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
