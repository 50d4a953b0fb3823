"""Standard output whatever the terminal's encoding: what it cannot hold is escaped, never
an error (a lone surrogate from a file name that is not UTF-8, ``→`` on an ASCII terminal)."""

from __future__ import annotations

import re
import sys

JSON_FORMATS = frozenset({"json", "sarif", "gitlab"})
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def escape_unencodable() -> None:
    """Make stdout write what its encoding cannot hold as ``\\uXXXX``-style escapes."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def write(text: str, *, json_text: bool = False) -> None:
    """Write ``text`` to stdout. JSON that stdout cannot encode as it is gets JSON's own
    ``\\uXXXX`` escapes (a backslash escape such as ``\\xe4`` would not be JSON): non-ASCII
    characters only ever stand inside JSON strings, where the escape means the same."""
    if json_text and not _encodable(text):
        text = _NOT_ASCII.sub(_json_escape, text)
    sys.stdout.write(text)


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_escape(match: re.Match[str]) -> str:
    import json

    return json.dumps(match.group())[1:-1]
