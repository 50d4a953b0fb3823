"""``sessions done / total`` on stderr while a probe runs, only when stderr is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO


def reporter(stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A progress callback: a self-overwriting line on a terminal, nothing otherwise."""
    out = stream or sys.stderr
    if not out.isatty():
        return lambda done, total: None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        out.write(f"\rprobe: {done}/{total} sessions{end}")
        out.flush()

    return show
