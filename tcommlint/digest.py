"""SHA-256 digests (file identities, cache keys, fingerprints), hex-encoded.

CPython's built-in ``_sha256`` gives the same digest as ``hashlib`` without initialising
OpenSSL, a few milliseconds of every run's start-up; other interpreters use ``hashlib``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - not CPython
    from hashlib import sha256 as _sha256

sha256: Callable[[bytes], Any] = _sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits."""
    return str(sha256(data).hexdigest())
