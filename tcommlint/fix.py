"""``check --fix`` and ``--diff``: apply the rules' text edits, atomically.

A fix the rule marks ``safety: unsafe``, or one that edits another file than its finding's (the
server's file for a finding in the proxy's: another team's), is applied only with
``--unsafe-fixes``.

An edit replaces ``old`` by ``new`` where ``old`` stands at its span (see
:mod:`tcommlint.edits`); an edit whose ``old`` text is not there is skipped, so a fix never
guesses, and an XML file that the edits would leave unreadable is not changed. Files are
read and written as bytes decoded with ``surrogateescape``: encoding, line endings, comments
and every byte outside the edits stay as they were. Only files the deployments read as
configuration are ever changed, whatever a rule file asks.

The files of a run are changed all or none: every target is checked (writable, still holding
what the fix was planned against) and its new content written to a temporary file beside it,
flushed to disk and given the original's mode, before any is renamed over its original; a
failure on the way restores the files already renamed. A run killed mid-write leaves each
original intact, and at most a temporary file of ours (:mod:`tcommlint.temporaries`) that
discovery never reads and the next ``--fix`` of that file removes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcommlint.edits import apply_edits
from tcommlint.errors import UsageError
from tcommlint.findings import Edit, Finding
from tcommlint.output import printable
from tcommlint.records import NamedTuple
from tcommlint.temporaries import temporary_name, temporary_of

if TYPE_CHECKING:
    from tcommlint.redact import Redactor

MAX_PASSES = 5


class FilePatch(NamedTuple):
    """The new content of one file, and the findings whose fixes it applies."""

    path: str
    before: str
    after: str
    fixed: tuple[Finding, ...]


def plan_patches(
    findings: list[Finding], cwd: Path, files: Collection[str], unsafe: bool = False
) -> list[FilePatch]:
    """The patches the findings' safe fixes make (and the unsafe ones with ``unsafe``), one per
    file, in path order; an edit of any other file than ``files`` (those the deployments read
    as configuration) is refused."""
    by_path: dict[str, list[tuple[Edit, Finding]]] = {}
    for finding in findings:
        if not finding.fixable(unsafe):
            continue
        for edit in finding.edits:
            if edit.span.path not in files:
                reason = f"rule {finding.rule} edits a file that is not a configuration file"
                raise UsageError(f"refusing to fix: {reason} of the deployment", edit.span.path)
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
    import difflib

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


def fix_until_stable(
    result: Any, rerun: Callable[[], Any], cwd: Path, unsafe: bool = False
) -> tuple[Any, int]:
    """Apply the fixes of ``result`` (a ``RunResult``), check again and repeat until nothing
    changes, as one fix can reveal the next (a key's case, then its value). Returns the last
    result and the number of findings fixed. A failure in any pass restores every file of the
    earlier passes too, then re-raises."""
    originals: dict[str, bytes] = {}
    fixed = 0
    try:
        for _ in range(MAX_PASSES):
            patches = plan_patches(result.findings, cwd, result.files(manifests=False), unsafe)
            if not patches:
                break
            for patch in patches:
                originals.setdefault(patch.path, _encoded(patch.before))
            write_patches(patches, cwd)
            fixed += sum(len(patch.fixed) for patch in patches)
            result = rerun()
    except UsageError as error:
        _restore(originals, cwd)
        raise UsageError(f"{error.message}; no file was changed", error.path) from None
    except BaseException:
        _restore(originals, cwd)
        raise
    return result, fixed


def write_patches(patches: list[FilePatch], cwd: Path) -> None:
    """Write every patched file, all or none: each target is checked and its new content
    staged beside it before any is replaced; a failure restores those already replaced."""
    staged: list[tuple[Path, Path]] = []
    try:
        for patch in patches:
            staged.append((_stage(cwd / patch.path, patch), cwd / patch.path))
        _replace_all(staged, patches, cwd)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def _stage(target: Path, patch: FilePatch) -> Path:
    """The patched content in a temporary file beside ``target``, after checking that the
    target is a writable file that still holds what the fix was planned against."""
    _remove_stale(target)
    try:
        if target.is_symlink() or not target.is_file():
            raise UsageError("cannot write for --fix: not a regular file", patch.path)
        if not os.access(target, os.W_OK):
            raise UsageError("cannot write for --fix: the file is read-only", patch.path)
        if target.read_bytes() != _encoded(patch.before):
            raise UsageError("changed while tcommlint ran; run --fix again", patch.path)
        return _write_temporary(target, _encoded(patch.after))
    except OSError as error:
        raise UsageError(f"cannot write for --fix: {error.strerror}", patch.path) from None


def _replace_all(staged: list[tuple[Path, Path]], patches: list[FilePatch], cwd: Path) -> None:
    """Rename each staged file over its target; on a failure, put back the originals of the
    targets already replaced."""
    done: dict[str, bytes] = {}
    for (temporary, target), patch in zip(staged, patches, strict=True):
        try:
            os.replace(temporary, target)
        except OSError as error:
            _restore(done, cwd)
            raise UsageError(f"cannot write for --fix: {error.strerror}", patch.path) from None
        done[patch.path] = _encoded(patch.before)


def _restore(originals: dict[str, bytes], cwd: Path) -> None:
    """Put back the original bytes of the files a failed ``--fix`` changed."""
    for path, data in originals.items():
        target = cwd / path
        try:
            if target.read_bytes() != data:
                write_atomically(target, data)
        except OSError as error:
            message = f"cannot restore after a failed --fix: {error.strerror}"
            raise UsageError(message, path) from None


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _remove_stale(target: Path) -> None:
    """Remove the temporary files of ``--fix`` runs killed while writing ``target``."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        temporary = temporary_of(entry.name)
        if temporary is None or temporary[0] != target.name:
            continue
        if entry.is_file(follow_symlinks=False) and not _running(temporary[1]):
            Path(entry.path).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    """Whether the process that named a temporary file may still be writing it."""
    if pid == os.getpid():
        return False  # this run removes its own before it stages: an earlier run's, same pid
    if os.name != "posix":
        return True  # os.kill would end the process there
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's process
    return True


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` by ``data`` so that readers see the old or the new file, never half."""
    temporary = _write_temporary(target, data)
    try:
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _write_temporary(target: Path, data: bytes) -> Path:
    """``data`` in a new file beside ``target``, flushed to disk, with the target's mode (and
    owner, when that may be given)."""
    status = target.stat()
    temporary = target.with_name(temporary_name(target.name, os.getpid()))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if hasattr(os, "chown") and os.geteuid() == 0:
            os.chown(temporary, status.st_uid, status.st_gid)  # first: it clears set-id bits
        os.chmod(temporary, status.st_mode & 0o7777)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
