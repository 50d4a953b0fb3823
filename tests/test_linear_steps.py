"""The properties fact view, the rules over it and every report format are linear in the size
of their input (SPEC: no stage worse than linear), counted in operations rather than timed.

A deployment of one ``proxy.properties`` of N lines (a duplicate, a key in the wrong case, a
misspelt key and a non-canonical boolean in every ten) is checked in-process at N = 100 and
N = 400, and its result rendered in every format, while a profiler hook counts the Python
function calls and the C calls made, the CEL evaluations and the facts handed to CEL. Linear
work grows 4 times from 100 to 400; quadratic work 16 times; the test fails at 5.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tcommlint import engine, expr
from tcommlint.engine import Selection
from tcommlint.expr import Compiled
from tcommlint.reporters import FORMATS, renderer
from tcommlint.ruleset import load_rules
from tcommlint.run import RunResult, check

SMALL, LARGE = 100, 400
MOST = 5.0  # linear: 4


def _properties(n: int) -> str:
    """N lines in blocks of ten: six plain keys, a duplicate, a case slip, a typo, a boolean."""
    lines = ["ProxyName=chat-proxy-1"]
    for block in range(n // 10):
        lines += [f"custom.key{block}.{i}=value{i}" for i in range(6)]
        lines += [
            f"custom.key{block}.0=again",
            "autocallqueue=true",
            "AutoCalQueue=true",
            "EnableSSL=yes",
        ]
    return "\n".join(lines) + "\n"


def _facts_size(data: Any) -> int:
    """What CEL converts for one evaluation: the entries of the deployment's facts."""
    if not isinstance(data, dict) or not isinstance(data.get("deployment"), dict):
        return 0
    facts = data["deployment"]
    return sum(len(v) if isinstance(v, (list, dict)) else 1 for v in facts.values())


@contextmanager
def _calls(counter: Counter[str], label: str) -> Iterator[None]:
    """Count every Python and C function call made inside the block."""

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            counter[label] += 1

    sys.setprofile(hook)
    try:
        yield
    finally:
        sys.setprofile(None)


def _checked(root: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> tuple[RunResult, Counter[str]]:
    folder = root / f"props-{n}"
    folder.mkdir()
    (folder / "proxy.properties").write_text(_properties(n), encoding="utf-8")
    counter: Counter[str] = Counter()
    evaluate_expression, bind = Compiled.evaluate, expr.bind

    def sized_evaluate(self: Compiled, data: Any = None, **kwargs: Any) -> Any:
        counter["CEL evaluations"] += 1
        counter["facts handed to CEL"] += _facts_size(data)
        return evaluate_expression(self, data, **kwargs)

    def sized_bind(data: Any, *args: Any) -> Any:
        counter["facts handed to CEL"] += _facts_size(data)
        return bind(data, *args)

    rules = load_rules()
    with monkeypatch.context() as patch:
        patch.setattr(Compiled, "evaluate", sized_evaluate)
        patch.setattr(engine, "bind", sized_bind)
        with _calls(counter, "calls: load, facts, rules"):
            result = check([folder.name], root, rules, Selection(), None)
    return result, counter


def _growth(small: Counter[str], large: Counter[str]) -> dict[str, float]:
    assert set(small) == set(large), "work that only one size does"
    return {label: large[label] / small[label] for label in large if small[label]}


def _rendered(result: RunResult, name: str) -> Counter[str]:
    counter: Counter[str] = Counter()
    render: Callable[..., str] = renderer(name)
    render(result)  # imports and first-call caches are not the report's work
    with _calls(counter, f"calls: render {name}"):
        render(result)
    return counter


def test_properties_facts_rules_and_reports_are_linear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    results, counts = {}, {}
    for n in (SMALL, LARGE):
        results[n], counts[n] = _checked(tmp_path, n, monkeypatch)
    small, large = results[SMALL], results[LARGE]
    rules = {finding.rule for finding in small.findings}
    assert {"TC002", "TC003", "TC004", "TC005"} <= rules
    assert len(large.findings) >= 3.5 * len(small.findings)
    growth = _growth(counts[SMALL], counts[LARGE])
    for name in FORMATS:
        growth.update(_growth(_rendered(small, name), _rendered(large, name)))
    worse = {label: round(ratio, 2) for label, ratio in growth.items() if ratio >= MOST}
    assert not worse, f"work growing faster than the input ({LARGE // SMALL}x): {worse}"
    assert all(ratio > 1 for label, ratio in growth.items() if label.startswith("calls"))
