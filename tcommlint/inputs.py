"""The input boundary: every file tcommlint reads is opened here, and bounded before parsing.

A pull request can change any file of a configuration repository, so no input is trusted to
be small, regular or text. A file is opened without blocking (a FIFO or a device given by
mistake or on purpose must not hang the run) and refused unless it is a regular file within
the size limit; only then is it read, and never more than the limit. YAML is bounded in depth
and alias expansion by ``yamlread``; logs are read up to ``MAX_LOG_BYTES`` and
``MAX_LOG_LINES`` (``tcommlint.logs``).

A refusal is never silent: a configuration file becomes TC001 at that file (``read_content``),
any other input a one-line usage error, exit 2 (``read_input``).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

from tcommlint.errors import UsageError
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple

MAX_FILE_BYTES = 8 * 2**20
# HAR captures hold response bodies: tens of MiB are ordinary.
MAX_CAPTURE_BYTES = 256 * 2**20
# Decompressed bytes and lines read from one log file; the rest of a longer log is not searched.
MAX_LOG_BYTES = 256 * 2**20
MAX_LOG_LINES = 4_000_000
# The extensions of configuration files (the pre-commit hook passes these): such a file that
# cannot be read as text is TC001 even when neither its name nor its content says more.
CONFIG_EXTENSIONS = (".properties", ".xml", ".yaml", ".yml", ".json", ".cfg", ".conf")
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
SIZE_KEY = "max_file_size"
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20}
_UNITS["gib"] = 2**30
_SIZE = LazyPattern(r"([0-9]{1,12})\s*([kmg]i?b|b)?", re.IGNORECASE)
MAX_SETTABLE_BYTES = 2**30

_limit = MAX_FILE_BYTES


class Content(NamedTuple):
    """A file's bytes, or why they cannot be read (``problem``)."""

    data: bytes | None
    problem: str = ""


def max_file_size() -> int:
    """The size limit of this run (``max_file_size`` of the run's configuration, else 8 MiB)."""
    return _limit


def set_max_file_size(limit: int) -> None:
    """Set the size limit of this run (from the run's ``tcommlint.yaml``)."""
    global _limit
    _limit = limit


def limit_of(settings: dict[str, Any] | None) -> int:
    """The ``max_file_size`` of a validated manifest, else the run's limit."""
    value = (settings or {}).get(SIZE_KEY)
    return _limit if value is None else parse_size(value)


def parse_size(value: int | str) -> int:
    """Bytes of ``8MiB``, ``20MB``, ``20 mb``, ``1048576``; ValueError for anything else."""
    if isinstance(value, int):
        return value
    found = _SIZE.fullmatch(value.strip())
    if found is None:
        raise ValueError(f"{value!r} is not a size: write 8MiB, 20MB or a number of bytes")
    return int(found.group(1)) * _UNITS[(found.group(2) or "").lower()]


def describe_size(size: int) -> str:
    """``8 MiB``, ``20000000 bytes``: a size as it is best read."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def too_large(limit: int, settable: bool = True) -> str:
    """The reason given for a file over ``limit``, with how to raise it when it can be."""
    reason = f"larger than the {describe_size(limit)} limit"
    return f"{reason} (set {SIZE_KEY} in tcommlint.yaml)" if settable else reason


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, refused unless it is a regular file (OSError otherwise).

    It is opened without blocking and checked on the open descriptor: checking the path first
    would let a FIFO swapped in between block the open.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            reason = "is a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise OSError(0, reason)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_bytes(path: Path, limit: int | None = None, *, settable: bool = True) -> Content:
    """The bytes of a regular file of at most ``limit`` bytes (the run's limit when None);
    ``settable``: the limit is ``max_file_size``, and the reason says so."""
    limit = _limit if limit is None else limit
    try:
        with open_regular(path) as handle:
            if os.fstat(handle.fileno()).st_size > limit:
                return Content(None, too_large(limit, settable))
            data = handle.read(limit + 1)
    except OSError as error:
        return Content(None, _reason(error))
    if len(data) > limit:  # it grew while being read
        return Content(None, too_large(limit, settable))
    return Content(data)


def _reason(error: OSError) -> str:
    if error.errno == 0:
        return str(error.strerror)
    return f"cannot be read: {error.strerror or error}"


def read_content(path: Path, limit: int | None = None) -> Content:
    """The bytes of a configuration file that can be read as text; else the reason."""
    content = read_bytes(path, limit)
    if content.data is None:
        return content
    nul = content.data.find(b"\0", 0, 8192)
    if nul >= 0 and not content.data.startswith(UTF16_MARKS):
        return Content(None, f"not a text file: a NUL byte at offset {nul}")
    return content


def read_input(path: Path, display: str, what: str, limit: int | None = None) -> bytes:
    """The bytes of one of tcommlint's own inputs (a manifest, a rule file, a baseline, a HAR
    capture); anything else is a one-line usage error naming ``what`` was being read.
    ``limit``: a fixed limit, else the run's ``max_file_size``."""
    content = read_bytes(path, limit, settable=limit is None)
    if content.data is None:
        problem = content.problem.removeprefix("cannot be read: ")
        raise UsageError(f"cannot read {what}: {problem}", display)
    return content.data


def has_config_extension(path: Path) -> bool:
    """Whether the name ends like a configuration file's (``CONFIG_EXTENSIONS``)."""
    return path.suffix.lower() in CONFIG_EXTENSIONS
