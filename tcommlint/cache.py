"""A content-addressed cache of parsed and validated YAML (rules, manifests).

Reading YAML and validating it against a JSON Schema costs more than the rest of a small
run; the result depends only on the file's bytes and the tool version, so it is kept as
JSON under ``$XDG_CACHE_HOME/tcommlint`` and reused while both are unchanged. An entry is
found by the bytes its caller gives: a file's content, or for the bundled rule set, the
names, sizes and modification times of its files (``ruleset._bundled``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tcommlint import __version__
from tcommlint.digest import sha256_hex

# Bump when the shape of cached entries changes, or what a loader puts in them for the same
# bytes (a reader's results or reasons: 6, XML read by expat, not libxml2).
FORMAT = 6

_enabled = True


def disable() -> None:
    """Turn the cache off for this process (``--no-cache``)."""
    global _enabled
    _enabled = False


@contextmanager
def disabled() -> Iterator[None]:
    """The cache off for a block of code (a fuzzing run), then as it was."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before


def _directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tcommlint"


def _entry(kind: str, content: bytes) -> Path:
    digest = sha256_hex(f"{__version__}\0{FORMAT}\0{kind}\0".encode() + content)
    return _directory() / f"{kind}-{digest[:40]}.json"


def get(kind: str, content: bytes) -> Any | None:
    """The cached value for these bytes, or None."""
    if not _enabled:
        return None
    try:
        return json.loads(_entry(kind, content).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def put(kind: str, content: bytes, value: Any) -> None:
    """Store a JSON-serialisable value; a cache that cannot be written is silently skipped."""
    if not _enabled:
        return
    target = _entry(kind, content)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A name of this process alone (no tempfile: its import costs more than the write).
        temporary = target.with_name(f"{target.name}.{os.getpid()}.{id(value):x}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # ``dumps``, not ``dump``: only the one-shot encoder is the C one, three times faster.
            handle.write(json.dumps(value))
        os.replace(temporary, target)
    except OSError:
        pass
