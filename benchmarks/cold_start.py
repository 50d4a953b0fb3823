"""Cold start of ``tcommlint check`` next to ``python -c pass`` and yamllint on one small file.

Pre-commit runs tcommlint on every commit, so start-up is part of the product. Each command
runs in a fresh process, ``--runs`` times (default 15); the table shows the median wall time
and the ratio to yamllint. tcommlint starts as pre-commit starts it, by its console script (this
checkout first on ``PYTHONPATH``), as yamllint does by its own. The package's bytecode is
compiled first, as ``pip install`` does, and one warm-up run fills tcommlint's cache (the rule
set's entry, the manifest, what the Tomcat files say), as the first commit of a day does.

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


def seconds(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one fresh process."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def entry_point() -> list[str]:
    """How pre-commit starts tcommlint: the console script of this interpreter's environment
    (its hook's ``entry``), else ``python -m tcommlint`` when none is installed."""
    script = Path(sys.executable).with_name("tcommlint")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tcommlint"]


def medians(
    commands: dict[str, list[str]], runs: int, env: dict[str, str], scratch: Path
) -> dict[str, float]:
    """Median wall time of each command over ``runs`` interleaved rounds."""
    warm = {**env, "XDG_CACHE_HOME": str(scratch / "warm")}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(runs):
        for name, command in commands.items():
            if name.endswith("(empty cache)"):
                empty = {**env, "XDG_CACHE_HOME": str(scratch / f"empty-{round_number}")}
                times[name].append(seconds(command, empty))
            else:
                times[name].append(seconds(command, warm))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    yamllint = shutil.which("yamllint")
    if yamllint is None:
        print("yamllint is not installed (pip install yamllint); nothing to compare with")
        return 2
    compileall.compile_dir(str(ROOT / "tcommlint"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)  # this checkout, whichever tcommlint is installed
    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "small.yaml"
        sample.write_text("---\nkey: value\nlist:\n  - one\n  - two\n", encoding="utf-8")
        tcommlint = [*entry_point(), "check", "examples/chat-fixed"]
        subprocess.run(
            tcommlint,
            cwd=ROOT,
            env={**env, "XDG_CACHE_HOME": f"{scratch}/warm"},
            stdout=subprocess.DEVNULL,
            check=False,
        )
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "yamllint small.yaml": [yamllint, str(sample)],
            "tcommlint check (warm)": tcommlint,
            "tcommlint check (empty cache)": tcommlint,
        }
        rows = medians(commands, args.runs, env, Path(scratch))
    baseline = rows["yamllint small.yaml"]
    print(f"median of {args.runs} fresh processes, examples/chat-fixed\n")
    print(f"{'command':<32} {'ms':>8} {'x yamllint':>11}")
    for name, value in rows.items():
        print(f"{name:<32} {value * 1000:8.1f} {value / baseline:11.2f}")
    ratio = rows["tcommlint check (empty cache)"] / rows["tcommlint check (warm)"]
    print(f"\nempty cache / warm: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
