"""Reporters: ``render(result, cwd) -> str`` per output format; they never decide exit codes.

Every reporter is called through :func:`renderer`, which masks the deployments' secrets in the
findings first (:func:`tcommlint.redact.redact_result`): no format prints a credential, whoever
wrote the rule. Each reporter escapes control characters its own way (``printable`` for text,
GitHub, JUnit and HTML; JSON escapes for JSON, SARIF and GitLab).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from tcommlint.records import NamedTuple


class Format(NamedTuple):
    """A report format of ``check``: its name (the module ``<name>_report``) and whether its
    text is JSON (escaped as JSON rather than made printable when written)."""

    name: str
    json: bool = False


# The one list of ``check``'s report formats: ``--format``, the manifest's ``format`` (its
# schema enum is tested against it) and the writer all read it.
REGISTRY = (
    Format("text"),
    Format("json", json=True),
    Format("sarif", json=True),
    Format("junit"),
    Format("github"),
    Format("gitlab", json=True),
    Format("html"),
)
FORMATS = tuple(entry.name for entry in REGISTRY)
JSON_FORMATS = frozenset(entry.name for entry in REGISTRY if entry.json)


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of a format, imported on demand, behind the redaction."""
    module: Any = import_module(f"tcommlint.reporters.{name}_report")
    render: Callable[..., str] = module.render

    def redacted(result: Any, **options: Any) -> str:
        from tcommlint.redact import redact_result

        return render(redact_result(result), **options)

    return redacted
