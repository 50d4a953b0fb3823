"""Files a load-balancer configuration includes (nginx ``include``, Apache ``Include``).

The one way a loader reads a file that another file names: only inside the deployment (a
pattern that leads outside it is refused, never read), only regular files within the size
limit, text decoded as the loaders decode it, and at most ``MAX_INCLUDED`` files per
deployment so that an include cycle or a glob over a large tree stays bounded.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath

from tcommlint.inputs import read_content
from tcommlint.records import NamedTuple
from tcommlint.settings import display_path

MAX_INCLUDED = 2000


class Included(NamedTuple):
    """An included file: its display path and text, or why it was not read (``text`` None)."""

    display: str
    text: str | None
    problem: str = ""


class Includes:
    """Reads included files for the loaders of one deployment."""

    def __init__(self, root: Path, cwd: Path, limit: int | None = None) -> None:
        self.root = root.resolve()
        self.cwd = cwd
        self.limit = limit
        self.read_count = 0

    def path_of(self, display: str) -> Path:
        """The file a source's display path names (relative to the working directory)."""
        path = Path(display)
        return (path if path.is_absolute() else self.cwd / path).resolve()

    def inside(self, path: Path) -> bool:
        """Whether ``path`` (resolved, links followed) lies inside the deployment."""
        try:
            path.resolve().relative_to(self.root)
        except (OSError, ValueError):
            return False
        return True

    def glob(self, pattern: Path) -> list[Path] | None:
        """The files ``pattern`` (absolute, shell wildcards in any component) matches, sorted;
        None when the pattern reaches outside the deployment."""
        if not pattern.is_absolute():
            raise ValueError(f"not an absolute pattern: {pattern}")
        parts = PurePosixPath(os.path.normpath(pattern.as_posix())).parts
        fixed = Path(parts[0])
        index = 1
        while index < len(parts) and not _wild(parts[index]):
            fixed /= parts[index]
            index += 1
        if not self.inside(fixed):
            return None
        return sorted(_expand(fixed, parts[index:]))

    def read(self, path: Path) -> Included:
        """The text of an included file, or why it cannot be read."""
        display = display_path(path, self.cwd)
        if not self.inside(path):
            return Included(display, None, "outside the deployment")
        self.read_count += 1
        if self.read_count > MAX_INCLUDED:
            return Included(display, None, f"more than {MAX_INCLUDED} included files")
        content = read_content(path, self.limit)
        if content.data is None:
            return Included(display, None, content.problem)
        return Included(display, content.data.decode("utf-8", errors="replace"))


def _wild(part: str) -> bool:
    return any(mark in part for mark in "*?[")


def _expand(base: Path, rest: tuple[str, ...]) -> list[Path]:
    if not rest:
        return [base] if base.is_file() else []
    head, tail = rest[0], rest[1:]
    if not _wild(head):
        return _expand(base / head, tail)
    try:
        names = sorted(entry.name for entry in os.scandir(base))
    except OSError:
        return []
    found: list[Path] = []
    for name in fnmatch.filter(names, head):
        if not name.startswith(".") or head.startswith("."):
            found.extend(_expand(base / name, tail))
    return found
