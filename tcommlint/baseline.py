"""Baselines: accept the findings of today so that only new ones fail the run.

An entry names a finding by its deployment and its identity (``Finding.identity``: rule,
path within the deployment, and the rule's ``key`` or the message, without the deployment
root), never by line number, so moving unrelated lines or the deployment keeps it valid.
Entries may carry a ``reason`` and an ``expires`` date (YYYY-MM-DD); an expired entry stops
suppressing. Rules marked mandatory are never suppressed.

Entries written before ``path`` existed (tcommlint 0.x baselines) are still read: their
``key`` is the finding's key, or for a finding without one its path.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

from tcommlint.errors import UsageError
from tcommlint.findings import Finding
from tcommlint.inputs import read_input
from tcommlint.records import NamedTuple
from tcommlint.run import RunResult

FORMAT_VERSION = 1
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ENTRY_FIELDS = {"rule", "deployment", "path", "key", "message", "reason", "expires"}


class Entry(NamedTuple):
    """One accepted finding; ``path`` is empty in entries of older baselines."""

    rule: str
    deployment: str
    key: str
    message: str = ""
    reason: str = ""
    expires: datetime.date | None = None
    path: str = ""

    def identity(self) -> tuple[str, ...]:
        """What a finding must share with the entry to be suppressed by it."""
        if self.path:
            return (self.rule, self.deployment, self.path, self.key)
        return (self.rule, self.deployment, self.key)

    def describe(self) -> str:
        """``TC101 prod-eu proxy-1/conf/config/proxy.properties/AutoCallQueue``."""
        return f"{self.rule} {self.deployment} {self.key}"


def identities(finding: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The entry identities that accept ``finding``: its own, and the one of older baselines
    (the key, or the path for a finding without key), both from :meth:`Finding.identity`."""
    rule, path, subject = finding.identity()
    legacy = subject if finding.key else path
    return (rule, finding.deployment, path, subject), (rule, finding.deployment, legacy)


def entry_of(finding: Finding) -> Entry:
    """The entry that accepts ``finding``."""
    rule, path, subject = finding.identity()
    return Entry(rule, finding.deployment, subject, finding.message, path=path)


def write_baseline(path: str, result: RunResult) -> int:
    """Write every current finding (except mandatory rules) to ``path``; returns the number of
    entries written.

    ``reason`` and ``expires`` of entries already in an existing, valid baseline are kept.
    """
    previous = _previous_entries(path)
    entries: dict[tuple[str, ...], dict[str, Any]] = {}
    for finding in result.findings:
        if finding.rule in result.mandatory:
            continue
        entry = entry_of(finding)
        data: dict[str, Any] = {
            "rule": entry.rule,
            "deployment": entry.deployment,
            "path": entry.path,
            "key": entry.key,
            "message": entry.message,
        }
        old = _first(previous, identities(finding))
        if old is not None and old.reason:
            data["reason"] = old.reason
        if old is not None and old.expires:
            data["expires"] = old.expires.isoformat()
        entries.setdefault(entry.identity(), data)
    document = {
        "tcommlint_baseline": FORMAT_VERSION,
        "entries": [entries[k] for k in sorted(entries)],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as error:
        raise UsageError(f"cannot write baseline: {error.strerror}", path) from None
    return len(entries)


def _first(
    entries: dict[tuple[str, ...], Entry], keys: tuple[tuple[str, ...], ...]
) -> Entry | None:
    return next((entries[key] for key in keys if key in entries), None)


def _previous_entries(path: str) -> dict[tuple[str, ...], Entry]:
    if not Path(path).is_file():
        return {}
    try:
        return {entry.identity(): entry for entry in read_baseline(path)}
    except UsageError:
        return {}  # an unreadable old baseline is simply replaced


def apply_baseline(
    path: str, result: RunResult, selection: Any = None, today: datetime.date | None = None
) -> RunResult:
    """Remove the findings the baseline accepts; expired entries are reported on stderr."""
    today = today or datetime.date.today()
    mandatory = result.mandatory | frozenset(getattr(selection, "mandatory", frozenset()))
    active: set[tuple[str, ...]] = set()
    for entry in read_baseline(path):
        if entry.expires is not None and entry.expires < today:
            _warn(f"{path}: baseline entry {entry.describe()} expired on {entry.expires}")
        elif entry.rule in mandatory:
            _warn(f"{path}: baseline entry {entry.describe()} ignored: {entry.rule} is mandatory")
        else:
            active.add(entry.identity())
    kept = [f for f in result.findings if active.isdisjoint(identities(f))]
    suppressed = len(result.findings) - len(kept)
    return result._replace(findings=kept, suppressed=result.suppressed + suppressed)


def _warn(message: str) -> None:
    print(f"tcommlint: {message}", file=sys.stderr)


def read_baseline(path: str) -> list[Entry]:
    """The entries of a baseline file; anything invalid is a UsageError naming the file."""
    if not Path(path).exists():
        raise UsageError("baseline file not found", path)
    try:
        text = read_input(Path(path), path, "baseline").decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"cannot read baseline: {error}", path) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"invalid JSON: {error.msg}", path, error.lineno) from None
    except RecursionError:
        raise UsageError("invalid JSON: nested too deeply", path) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise UsageError("invalid JSON: an integer too long to read", path) from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise UsageError("not a tcommlint baseline: expected an object with 'entries'", path)
    return [_entry(path, number, data) for number, data in enumerate(document["entries"])]


def _entry(path: str, number: int, data: Any) -> Entry:
    where = f"entries[{number}]"
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected an object", path)
    unknown = sorted(set(data) - ENTRY_FIELDS)
    if unknown:
        raise UsageError(f"{where}: unknown field '{unknown[0]}'", path)
    for field in ENTRY_FIELDS:
        if field in data and not isinstance(data[field], str):
            raise UsageError(f"{where}.{field}: expected a string", path)
    for field in ("rule", "deployment", "key"):
        if not data.get(field):
            raise UsageError(f"{where}: '{field}' is required", path)
    return Entry(
        data["rule"],
        data["deployment"],
        data["key"],
        data.get("message", ""),
        data.get("reason", ""),
        _date(path, where, data.get("expires")),
        data.get("path", ""),
    )


def _date(path: str, where: str, text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{where}.expires: expected YYYY-MM-DD, got {text!r}", path) from None
