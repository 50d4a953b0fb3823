"""``check --fix`` and ``--diff``: apply the rules' text edits, atomically.

A fix the rule marks ``safety: unsafe``, or one that edits another file than its finding's (the
server's file for a finding in the proxy's: another team's), is applied only with
``--unsafe-fixes``.

An edit replaces ``old`` by ``new`` where ``old`` stands at its span (see
:mod:`tcommlint.edits`); an edit whose ``old`` text is not there is skipped, so a fix never
guesses, and an XML file that the edits would leave unreadable is not changed. Files are
read and written as bytes decoded with ``surrogateescape``: encoding, line endings, comments
and every byte outside the edits stay as they were. Each file is written to a temporary
file beside it, flushed to disk, given the original's mode, and renamed over it: a run
killed mid-write leaves the original intact.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from tcommlint.edits import apply_edits
from tcommlint.errors import UsageError
from tcommlint.findings import Edit, Finding
from tcommlint.output import printable

if TYPE_CHECKING:
    from tcommlint.redact import Redactor

MAX_PASSES = 5


class FilePatch(NamedTuple):
    """The new content of one file, and the findings whose fixes it applies."""

    path: str
    before: str
    after: str
    fixed: tuple[Finding, ...]


def plan_patches(findings: list[Finding], cwd: Path, unsafe: bool = False) -> list[FilePatch]:
    """The patches the findings' safe fixes make (and the unsafe ones with ``unsafe``), one per
    file, in path order."""
    by_path: dict[str, list[tuple[Edit, Finding]]] = {}
    for finding in findings:
        if not finding.fixable(unsafe):
            continue
        for edit in finding.edits:
            by_path.setdefault(edit.span.path, []).append((edit, finding))
    patches = []
    for path in sorted(by_path):
        before = _read(cwd / path, path)
        after, fixed = apply_edits(before, by_path[path])
        if after != before and not _breaks_xml(path, before, after):
            patches.append(FilePatch(path, before, after, fixed))
    return patches


def _breaks_xml(path: str, before: str, after: str) -> bool:
    """True when ``before`` is well-formed XML and ``after`` is not."""
    if not before.lstrip("\ufeff \t\r\n").startswith("<"):
        return False
    from tcommlint.loaders.generic.xmlconf import parse_xml

    def broken(text: str) -> bool:
        return parse_xml(path, text.encode("utf-8", "surrogateescape"))[1] is not None

    return not broken(before) and broken(after)


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


def unified_diff(patches: list[FilePatch], redactor: Redactor | None = None) -> str:
    """The patches as one unified diff (``a/`` and ``b/`` prefixes, like git), to be read:
    every credential masked (the values ``redactor`` knows, those of the patched files, and
    whatever follows a credential key) and control characters escaped, except the tabs and a
    carriage return before a line's end, which stay as in the file."""
    from tcommlint.redact import Redactor, secret_values

    chunks: list[str] = []
    for patch in patches:
        known = secret_values(patch.before) | secret_values(patch.after)
        masks = Redactor([*known, *(redactor.secrets if redactor else ())])
        for line in difflib.unified_diff(
            _lines(patch.before),
            _lines(patch.after),
            fromfile=f"a/{patch.path}",
            tofile=f"b/{patch.path}",
        ):
            chunks.append(_shown(line, masks))
            if not line.endswith("\n"):  # the last line of a file without a final newline
                chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)


def _shown(line: str, redactor: Redactor) -> str:
    """One line of the diff as it may be printed; its line end kept."""
    body = line.rstrip("\r\n")
    end = line[len(body) :]
    return printable(redactor.text(body)) + end


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
