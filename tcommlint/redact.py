"""Keep secrets out of every output: values of password-like settings are masked.

Configuration files hold credentials next to the settings tcommlint reports on (a TComm
Server password beside ``AutoCallQueue``, an F5 cookie-encryption passphrase, HAProxy
``stats auth``). Messages, code excerpts and log evidence pass through here.
"""

from __future__ import annotations

import re

MASK = "********"

_SENSITIVE = r"(?:pass(?:word|wd|phrase)?|secret|token|credentials?|api[_.-]?key|private[_.-]?key)"
_SENSITIVE_KEY = re.compile(rf"^[\w.\-]*{_SENSITIVE}[\w.\-]*$", re.IGNORECASE)

# key=value / key: value / key value (properties, YAML, tmsh, HAProxy), "key": "value" (JSON),
# key="value" (XML attributes), <key>value</key> (XML elements).
_PATTERNS = (
    re.compile(rf'("[\w.\-]*{_SENSITIVE}[\w.\-]*"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE),
    re.compile(rf'(\b[\w.\-]*{_SENSITIVE}[\w.\-]*\s*=\s*)"[^"]*"', re.IGNORECASE),
    re.compile(rf"(<([\w.\-]*{_SENSITIVE}[\w.\-]*)>)[^<]*(?=</\2>)", re.IGNORECASE),
    re.compile(rf"(^\s*[\w.\-]*{_SENSITIVE}[\w.\-]*\s*[=:\s]\s*)\S.*$", re.IGNORECASE),
    re.compile(r"(\b(?:stats\s+auth|insecure-password|password)\s+)\S+(?:\s+\S+)?", re.IGNORECASE),
)

# Anywhere on a log line: key=value, key: value, "key": value (a message names several pairs).
_LOG_PAIR = re.compile(
    rf"(\b[\w.\-]*{_SENSITIVE}[\w.\-]*[\"']?\s*[=:]\s*)(?![\"']?\*{{8}})[\"']?[^\s\"',;&]+[\"']?",
    re.IGNORECASE,
)


def is_sensitive(key: str) -> bool:
    """Whether a key names a credential."""
    return bool(_SENSITIVE_KEY.match(key))


def redact_value(key: str, value: str) -> str:
    """The value, or a mask when the key names a credential."""
    return MASK if is_sensitive(key) and value else value


def redact_line(line: str) -> str:
    """A source or log line with credential values masked."""
    for pattern in _PATTERNS:
        line = pattern.sub(lambda m: m.group(1) + ('"' + MASK + '"' if _quoted(m) else MASK), line)
    return line


def redact_log_line(line: str) -> str:
    """A log line with credential values masked, also where a message names them mid-line."""
    return _LOG_PAIR.sub(lambda m: m.group(1) + MASK, redact_line(line))


def _quoted(match: re.Match[str]) -> bool:
    return match.group(0)[len(match.group(1)) :].startswith('"')
