"""``check --list-files``: every deployment with each file, what it was read as, and what was
skipped and why. The answer to "did tcommlint read my load-balancer file?"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcommlint.classify import role_label
from tcommlint.output import printable

if TYPE_CHECKING:
    from tcommlint.model import Deployment
    from tcommlint.run import RunResult

# A file that cannot be read as what it is meant to be: a state, not a role's name.
UNREADABLE = "not readable as what its name or content says it is (TC001)"


def render_files(result: RunResult) -> str:
    """The files of every deployment of a run, as text."""
    blocks = [_deployment_block(entry.deployment) for entry in result.deployments]
    read = sum(len(entry.deployment.files) for entry in result.deployments)
    skipped = sum(len(entry.deployment.skipped) for entry in result.deployments)
    count = len(result.deployments)
    summary = (
        f"{count} deployment{'' if count == 1 else 's'}, {read} file{'' if read == 1 else 's'} "
        f"read, {skipped} skipped"
    )
    return "\n\n".join([*blocks, summary]) + "\n"


def _deployment_block(deployment: Deployment) -> str:
    manifest = deployment.manifest.path
    origin = f"manifest {manifest}" if manifest else "no manifest"
    lines = [printable(f"{deployment.root}  ({deployment.name}, {origin})")]
    errors = {error.span.path for error in deployment.parse_errors}
    rows = [
        (file.path, role_label(file.role) + _error_note(file.path, errors))
        if file.role != "unparsed"
        else (file.path, UNREADABLE)
        for file in deployment.files
    ]
    rows += [(skipped.path, f"skipped: {skipped.reason}") for skipped in deployment.skipped]
    width = max((len(printable(path)) for path, _ in rows), default=0)
    lines += [f"  {printable(path).ljust(width)}  {printable(what)}" for path, what in sorted(rows)]
    if not rows:
        lines.append("  (no files)")
    return "\n".join(lines)


def _error_note(path: str, errors: set[str]) -> str:
    return " with parse errors (TC001)" if path in errors else ""
