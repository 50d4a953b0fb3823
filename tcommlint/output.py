"""What tcommlint prints: standard output whatever the terminal's encoding (what it cannot
hold is escaped, never an error: a lone surrogate from a file name that is not UTF-8, ``→`` on
an ASCII terminal), and :func:`printable`, the one escaping of control characters that every
text-like output goes through, so that no file name or value can move the cursor, colour a
line, forge a finding on a line of its own or make an XML report ill-formed."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tcommlint.patterns import LazyPattern

if TYPE_CHECKING:
    from tcommlint.redact import Redactor

_NOT_ASCII = LazyPattern(r"[^\x00-\x7f]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
_SURROGATE_ESCAPES = range(0xDC80, 0xDD00)  # the bytes of a file name that is not UTF-8
_JSON_UNSAFE = LazyPattern(r"[^\x00-\x7e]")


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped, Python-style: C0 and C1
    control characters (ESC is ``\\x1b``, a newline ``\\n``), DEL, line and paragraph
    separators, bidirectional and other format characters, unassigned code points, and the
    undecodable bytes of a name that is not UTF-8 (``\\xff``). Tabs and spaces stay; a
    backslash already in the text is not doubled, so escapes are for reading, not for undoing.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" else _escape(c) for c in text)


def one_line(message: str) -> str:
    """A message on one printable line: scripts read stderr line by line. The sources already
    give one line; this is the last resort for a library's text that spans lines."""
    joined = " ".join(part.strip() for part in message.strip().splitlines() if part.strip())
    return printable(joined)


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code in _SURROGATE_ESCAPES:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def text_block(lines: Iterable[str], redactor: Redactor | None = None) -> str:
    """Lines of a text output, each one line whatever it holds (a newline inside one is
    shown as ``\\n``), each ended by a newline; with ``redactor``, secrets masked."""
    if redactor is not None:
        lines = (redactor.text(line) for line in lines)
    return "".join(printable(line) + "\n" for line in lines)


def json_text(data: Any, redactor: Redactor | None = None, *, sort_keys: bool = False) -> str:
    """``data`` as indented JSON with a final newline; with ``redactor``, secrets masked in
    every string. Characters that are not printable are ``\\uXXXX`` escapes (JSON escapes only
    C0 by itself), so that printing the report cannot drive a terminal either."""
    import json

    if redactor is not None:
        data = redactor.data(data)
    text = json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False)
    return _JSON_UNSAFE.sub(_json_unsafe, text) + "\n"


def _json_unsafe(match: re.Match[str]) -> str:
    char = match.group()
    return char if char.isprintable() else _json_escape(match)


def escape_unencodable() -> None:
    """Make stdout write what its encoding cannot hold as ``\\uXXXX``-style escapes."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def write_report(text: str, path: str | None, json_text: bool) -> None:
    """Write a report to ``path`` (UTF-8, what it cannot hold escaped), or to stdout when None;
    a file that cannot be written is a usage error."""
    if path is None:
        write(text, json_text=json_text)
        return
    from pathlib import Path

    from tcommlint.errors import UsageError

    try:
        Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError as error:
        raise UsageError(f"cannot write: {error.strerror}", path) from None


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
