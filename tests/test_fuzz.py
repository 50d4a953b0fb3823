"""A bounded fuzzing run over every reader in CI (``benchmarks/fuzz.py`` runs it for longer):
mutated corpus files, manifests, rule files, HAR captures and baselines never crash a reader,
never hang it, and never give a multi-line message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fuzzing import CORPUS, TARGETS, Failure, Target, judge, mutate, run

SECONDS = float(os.environ.get("TCOMMLINT_FUZZ_SECONDS", "45"))


def _describe(failures: list[Failure]) -> str:
    shown = [f"{f.target} {f.kind}: {f.detail[:160]!r} on {f.data[:160]!r}" for f in failures[:8]]
    return f"{len(failures)} failures:\n" + "\n".join(shown)


def test_every_reader_survives_mutated_inputs() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the fuzzing seeds come from the shared corpus")
    tally = run(SECONDS, seed=int(os.environ.get("TCOMMLINT_FUZZ_SEED", "0")))
    assert tally.inputs > 10 * len(TARGETS)
    assert not tally.failures, _describe(tally.failures)


def test_the_harness_finds_a_crash(tmp_path: Path) -> None:
    """The judge is not blind: a reader that raises is a crash, a newline a multi-line one."""

    def broken(path: Path) -> list[str]:
        raise KeyError("boom")

    def chatty(path: Path) -> list[str]:
        return ["first line\nsecond line"]

    crash = judge(Target("broken", ".txt", lambda: [b"x"], broken), b"x", tmp_path)
    multi = judge(Target("chatty", ".txt", lambda: [b"x"], chatty), b"x", tmp_path)
    assert crash is not None and crash.kind == "crash" and "KeyError" in crash.detail
    assert multi is not None and multi.kind == "multi-line"


def test_mutations_are_deterministic_per_seed() -> None:
    import random

    first = [mutate(b"AutoCallQueue=true\n", b"a=b\n", random.Random(7)) for _ in range(3)]
    second = [mutate(b"AutoCallQueue=true\n", b"a=b\n", random.Random(7)) for _ in range(3)]
    assert first == second
