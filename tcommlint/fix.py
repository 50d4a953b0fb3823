"""``check --fix`` and ``--diff``: apply the rules' safe text edits, atomically.

An edit replaces ``old`` by ``new`` at its first occurrence as a whole token at or after its
span on that line; an edit whose ``old`` text is no longer there is skipped, so a fix never
guesses. Files are read and written as bytes decoded with ``surrogateescape``: encoding, line
endings, comments and every byte outside the edits stay as they were. Each file is written to
a temporary file beside it, flushed to disk, given the original's mode, and renamed over it: a
run killed mid-write leaves the original intact.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

from tcommlint.errors import UsageError
from tcommlint.findings import Edit, Finding

MAX_PASSES = 5


class FilePatch(NamedTuple):
    """The new content of one file, and the findings whose fixes it applies."""

    path: str
    before: str
    after: str
    fixed: tuple[Finding, ...]


def plan_patches(findings: list[Finding], cwd: Path) -> list[FilePatch]:
    """The patches the findings' safe fixes make, one per file, in path order."""
    by_path: dict[str, list[tuple[Edit, Finding]]] = {}
    for finding in findings:
        for edit in finding.edits:
            by_path.setdefault(edit.span.path, []).append((edit, finding))
    patches = []
    for path in sorted(by_path):
        before = _read(cwd / path, path)
        after, fixed = _apply(before, by_path[path])
        if after != before:
            patches.append(FilePatch(path, before, after, fixed))
    return patches


def _read(file: Path, display: str) -> str:
    try:
        return file.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as error:
        raise UsageError(f"cannot read for --fix: {error.strerror}", display) from None


def _lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n``, ends kept: lines as the loaders count them (a ``\\r``
    before the ``\\n`` stays in its line). Not ``str.splitlines``, which also cuts at form
    feeds and other separators that sit inside a line of a configuration file."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _apply(text: str, edits: list[tuple[Edit, Finding]]) -> tuple[str, tuple[Finding, ...]]:
    lines = _lines(text)
    fixed: list[Finding] = []
    # Right to left within a line, so earlier columns stay valid.
    ordered = sorted(edits, key=lambda pair: (pair[0].span.line, -pair[0].span.column))
    for edit, finding in ordered:
        index = edit.span.line - 1
        if not 0 <= index < len(lines):
            continue
        line = lines[index]
        match = _whole(edit.old).search(line, edit.span.column - 1) if edit.old else None
        if match is None:
            continue
        lines[index] = line[: match.start()] + edit.new + line[match.end() :]
        if finding not in fixed:
            fixed.append(finding)
    return "".join(lines), tuple(fixed)


def _whole(text: str) -> re.Pattern[str]:
    """``text`` as a whole token: ``jsessionid`` matches in ``req.cook(jsessionid)`` and
    ``"jsessionid"``, never inside ``/Common/uie_jsessionid``."""
    before = r"(?<![\w.-])" if re.match(r"\w", text) else ""
    after = r"(?![\w.-])" if re.search(r"\w$", text) else ""
    return re.compile(before + re.escape(text) + after)


def unified_diff(patches: list[FilePatch]) -> str:
    """The patches as one unified diff (``a/`` and ``b/`` prefixes, like git)."""
    chunks: list[str] = []
    for patch in patches:
        chunks.extend(
            difflib.unified_diff(
                _lines(patch.before),
                _lines(patch.after),
                fromfile=f"a/{patch.path}",
                tofile=f"b/{patch.path}",
            )
        )
    return "".join(chunks).encode("utf-8", errors="surrogateescape").decode("utf-8", "replace")


def write_patches(patches: list[FilePatch], cwd: Path) -> None:
    """Write every patched file atomically (temporary file, fsync, rename)."""
    for patch in patches:
        write_atomically(cwd / patch.path, patch.after.encode("utf-8", errors="surrogateescape"))


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` by ``data`` so that readers see the old or the new file, never half."""
    mode = target.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
