"""Rule outputs, checked where they enter the engine.

A rule file is data from a repository that a pull request can change: what its expressions
give is never trusted. A location (``at``, each ``related`` and each edit's ``at``) must name a
file of the deployment, at a line and column that file can have; an edit may only change a file
the deployment read as configuration; a severity must be one of the three. Anything else stops
the run with a one-line reason that names the rule (``OutputError``), so that no report ever
quotes, and no ``--fix`` ever writes, a file outside the deployment.
"""

from __future__ import annotations

import re
from typing import Any

from tcommlint.expr import cel_safe
from tcommlint.facts import deployment_span
from tcommlint.findings import SEVERITIES, Edit
from tcommlint.inputs import MAX_FILE_BYTES
from tcommlint.model import Deployment
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.source import Span

_LOCATION = LazyPattern(r"(.*):([0-9]{1,12}):([0-9]{1,12})", re.DOTALL)
_RELATED_KEYS = frozenset({"at", "message"})
_EDIT_KEYS = frozenset({"at", "old", "new", "exact"})
_SHOWN = 60


class OutputError(Exception):
    """A rule gave a value the engine does not accept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Scope(NamedTuple):
    """Where the outputs of rules may point in one deployment.

    ``extents`` maps each path a location may name to the last line and column it can have;
    ``writable`` holds the files an edit may change.
    """

    name: str
    extents: dict[str, tuple[int, int]]
    writable: frozenset[str]

    @classmethod
    def of(cls, deployment: Deployment) -> Scope:
        """The files of ``deployment``, its manifest and the place its own findings point at,
        named as rules see them (``cel_safe``: a name that is not UTF-8 holds U+FFFD)."""
        extents = {cel_safe(file.path): (file.lines, file.size + 1) for file in deployment.files}
        manifest = deployment.manifest
        if manifest.path is not None:
            # The model keeps no text of the manifest; rules learn its lines from these spans.
            spans = [manifest.span, *(span for _, span in manifest.field_spans)]
            last = max((span.line for span in spans if span is not None), default=1)
            extents.setdefault(cel_safe(manifest.path), (last, MAX_FILE_BYTES + 1))
        # Where a deployment without files, and a Tomcat conf tree without one, point at.
        for path in (
            deployment_span(deployment).path,
            *(t.header.path for t in deployment.tomcats),
        ):
            extents.setdefault(cel_safe(path), (1, 1))
        writable = frozenset(cel_safe(file.path) for file in deployment.files)
        return cls(deployment.name, extents, writable)


def location(value: Any, field: str, scope: Scope) -> Span:
    """``value`` as a ``path:line:col`` inside a file of the deployment."""
    match = _LOCATION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise OutputError(f"'{field}' must give a location 'path:line:col', not {_shown(value)}")
    span = Span(match.group(1), int(match.group(2)), int(match.group(3)))
    extent = scope.extents.get(span.path)
    if extent is None:
        raise OutputError(
            f"'{field}' gives {_shown(value)}: {_shown(span.path)} is not a file of "
            f"deployment {scope.name!r}"
        )
    last_line, last_column = extent
    if not (1 <= span.line <= last_line and 1 <= span.column <= last_column):
        raise OutputError(f"'{field}' gives {_shown(value)}: no such line and column in that file")
    return span


def severity(value: Any) -> str:
    """``value`` as one of error, warning and info."""
    if value not in SEVERITIES or not isinstance(value, str):
        raise OutputError(
            f"'severity_when' must give one of {', '.join(SEVERITIES)}, not {_shown(value)}"
        )
    return str(value)


def related(value: Any, scope: Scope) -> list[tuple[Span, str]]:
    """``value`` as related locations with their messages; an empty ``at`` (a fact that has no
    line, such as an absent earlier definition) is left out."""
    found = []
    for item in _maps(value, "related", _RELATED_KEYS):
        message = item.get("message", "")
        if not isinstance(message, str):
            raise OutputError(f"'related' gives a message that is not a string: {_shown(message)}")
        if item.get("at") != "":
            found.append((location(item.get("at"), "related/at", scope), message))
    return found


def edits(value: Any, scope: Scope) -> tuple[Edit, ...]:
    """``value`` as text edits of files the deployment read as configuration; an edit with an
    empty ``at`` or that changes nothing is left out."""
    found = []
    for item in _maps(value, "fix/edits", _EDIT_KEYS):
        old, new, exact = item.get("old"), item.get("new"), item.get("exact", False)
        if not (isinstance(old, str) and isinstance(new, str) and isinstance(exact, bool)):
            raise OutputError(
                "'fix/edits' must give maps with 'at', 'old' and 'new' strings (and 'exact' "
                f"true or false), not {_shown(item)}"
            )
        if item.get("at") == "" or old == new:
            continue
        span = location(item.get("at"), "fix/edits/at", scope)
        if span.path not in scope.writable:
            raise OutputError(
                f"'fix/edits/at' gives {_shown(str(span))}: a fix may only edit the configuration "
                f"files of deployment {scope.name!r}"
            )
        found.append(Edit(span, old, new, exact))
    return tuple(found)


def _maps(value: Any, field: str, keys: frozenset[str]) -> list[dict[str, Any]]:
    """``value`` as a list of maps with only ``keys``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise OutputError(f"'{field}' must give a list of maps, not {_shown(value)}")
    for item in value:
        unknown = sorted(str(key) for key in item if key not in keys)
        if unknown:
            raise OutputError(f"'{field}' gives a map with an unknown key {_shown(unknown[0])}")
    return value


def _shown(value: Any) -> str:
    """``value`` on one line, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
