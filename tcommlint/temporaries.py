"""The temporary files ``--fix`` writes beside a file before renaming them over it.

Named ``.<name>.tcommlint-<pid>.tmp``: discovery never reads one (a run killed mid-write may
leave it), and the next ``--fix`` of ``<name>`` removes those whose process is gone. Apart
from ``tcommlint.fix`` so that discovery knows the name without importing the fixer.
"""

from __future__ import annotations

import re

_TEMPORARY = re.compile(r"\.(.+)\.tcommlint-([0-9]+)\.tmp")


def temporary_name(name: str, pid: int) -> str:
    """The name of the temporary file process ``pid`` writes for the file ``name``."""
    return f".{name}.tcommlint-{pid}.tmp"


def temporary_of(name: str) -> tuple[str, int] | None:
    """The file name and process of a temporary file's ``name``, or None for another file."""
    match = _TEMPORARY.fullmatch(name)
    return None if match is None else (match.group(1), int(match.group(2)))


def is_temporary(name: str) -> bool:
    """Whether a file name is that of a temporary file of ``--fix``."""
    return _TEMPORARY.fullmatch(name) is not None
