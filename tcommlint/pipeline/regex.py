"""Regular expressions written in configurations, run only when their time is bounded.

The simulation runs a configuration's regexes (``path_reg``, ``replace-header``, ``regsub``)
with Python's backtracking engine, which takes exponential time on a repeated group that can
match the same text in several ways: ``(a+)+``, ``(.*)*``, ``(a|aa)*``. Such a pattern is not
run: the loaders treat the directive as outside the model (or its test as unknown).
"""

from __future__ import annotations

import re
import warnings

from tcommlint.patterns import LazyPattern

# A group repeated without bound whose body repeats or alternates: the shapes that backtrack
# exponentially. Conservative: it also catches some patterns that would run fast.
_NESTED = LazyPattern(r"\((?:[^()\\]|\\.)*[*+|}](?:[^()\\]|\\.)*\)(?:[*+]|\{\d*,)")
MAX_LENGTH = 512


def bounded(pattern: str) -> bool:
    """Whether a configuration regex compiles and runs in bounded time on short values."""
    if len(pattern) > MAX_LENGTH or _NESTED.search(pattern):
        return False
    return compiled(pattern) is not None


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str] | None:
    """A configuration's regex compiled (None when Python cannot read it), silently: Python
    warns of syntax it may read differently one day ("possible nested set"), a remark about
    Python rather than the configuration, which must never reach the output."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(pattern, flags)
    except re.error:
        return None
