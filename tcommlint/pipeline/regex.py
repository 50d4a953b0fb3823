"""Regular expressions written in configurations, run only when their time is bounded.

The simulation runs a configuration's regexes (``path_reg``, ``replace-header``, ``regsub``)
with Python's backtracking engine, which takes exponential time on a repeated group that can
match the same text in several ways: ``(a+)+``, ``(.*)*``, ``(a|aa)*``. Such a pattern is not
run: the loaders treat the directive as outside the model (or its test as unknown).
"""

from __future__ import annotations

import re

# A group repeated without bound whose body repeats or alternates: the shapes that backtrack
# exponentially. Conservative: it also catches some patterns that would run fast.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[*+|}](?:[^()\\]|\\.)*\)(?:[*+]|\{\d*,)")
MAX_LENGTH = 512


def bounded(pattern: str) -> bool:
    """Whether a configuration regex compiles and runs in bounded time on short values."""
    if len(pattern) > MAX_LENGTH or _NESTED.search(pattern):
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
