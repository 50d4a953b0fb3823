"""Durations: every syntax tcommlint reads a time in, and the one way it writes one.

The syntaxes differ because the products differ; the units and the colon arithmetic do not:

* :func:`manifest_seconds` — ``tcommlint.yaml`` and rule expressions (``seconds()``):
  ``90s``, ``45m``, ``2h``, ``1d``, ``500ms``, ``d:hh:mm:ss`` forms, or plain seconds.
* :func:`haproxy_seconds` — HAProxy's time format: digits, then ``us ms s m h d`` or nothing
  (the keyword's default unit), rounded up to whole seconds.
* :func:`f5_seconds` — BIG-IP (tmsh and iRules): seconds, or ``[[[d:]h:]m:]s``.
* :func:`nginx_time` — nginx's ``ngx_parse_time``: numbers with ``y M w d h m s ms`` or none
  (seconds), in that order (``1h 30m``), in seconds or milliseconds as the directive reads it;
  :func:`nginx_seconds` for the directives that read seconds.

:func:`human_duration` writes seconds back (``5400`` → ``1h30m``); :func:`duration_hint`
suggests the manifest's spelling of a duration written in words.
"""

from __future__ import annotations

import re

from tcommlint.patterns import LazyPattern

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SECOND_US = 1_000_000  # units are counted in whole microseconds, the smallest of them: exact
UNIT_MICROSECONDS: dict[str, int] = {
    "us": 1,
    "ms": 1000,
    "s": SECOND_US,
    "m": MINUTE * SECOND_US,
    "h": HOUR * SECOND_US,
    "d": DAY * SECOND_US,
    "w": 7 * DAY * SECOND_US,
    "M": 30 * DAY * SECOND_US,  # nginx: a month is 30 days, a year 365
    "y": 365 * DAY * SECOND_US,
}
_WHOLE_UNITS = ("d", "h", "m", "s")  # largest first: how durations are written back
_COLON_FACTORS = (1, MINUTE, HOUR, DAY)  # s, m:s, h:m:s, d:h:m:s
_INT64_MAX = (1 << 63) - 1

_COLON = LazyPattern(r"[0-9]+(?::[0-9]+){1,3}")
_HAPROXY = re.compile(r"([0-9]+)(us|ms|s|m|h|d)?")
_MANIFEST = re.compile(r"\s*([0-9]+)\s*(ms|s|m|h|d)?\s*")
_F5 = LazyPattern(r"[0-9]+(?::[0-9]+){0,3}")


def colon_seconds(text: str) -> int | None:
    """Seconds of ``m:s``, ``h:m:s`` or ``d:h:m:s`` (each part digits); None otherwise."""
    if not _COLON.fullmatch(text):
        return None
    parts = reversed(text.split(":"))
    return sum(int(part) * factor for part, factor in zip(parts, _COLON_FACTORS, strict=False))


def in_microseconds(count: int, unit: str) -> int:
    """``count`` of ``unit`` (a key of :data:`UNIT_MICROSECONDS`), in microseconds."""
    return count * UNIT_MICROSECONDS[unit]


def _seconds_up(microseconds: int) -> int:
    return -(-microseconds // SECOND_US)


def manifest_seconds(text: str) -> int:
    """Seconds in ``90s``, ``45m``, ``2h``, ``1d``, ``500ms`` (rounded down), ``d:hh:mm:ss``
    forms, or plain seconds; ValueError for anything else or beyond a 64-bit integer."""
    text = text.strip()
    if ":" in text:
        seconds = colon_seconds(text)
        if seconds is None:
            raise ValueError(f"{text!r} is not a duration")
        return _in_range(seconds, text)
    match = _MANIFEST.fullmatch(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a duration (write 90s, 45m, 2h, 1d, d:hh:mm:ss or seconds)"
        )
    microseconds = in_microseconds(int(match.group(1)), match.group(2) or "s")
    return _in_range(microseconds // SECOND_US, text)


def _in_range(seconds: int, text: str) -> int:
    if seconds > _INT64_MAX:
        raise ValueError(f"duration out of range: {text[:40]!r}")
    return seconds


def is_haproxy_time(text: str) -> bool:
    """Whether ``text`` is written as an HAProxy time (digits, then an optional unit)."""
    return _HAPROXY.fullmatch(text) is not None


def haproxy_seconds(text: str, default_unit: str) -> int | None:
    """An HAProxy time (``30m``, ``500ms``, ``30``) in whole seconds, rounded up (a table's
    ``expire 500ms`` keeps an entry for a moment, not for none); ``default_unit`` is the
    keyword's (``ms`` for timeouts and ``expire``); None if not a time."""
    match = _HAPROXY.fullmatch(text)
    if match is None:
        return None
    return _seconds_up(in_microseconds(int(match.group(1)), match.group(2) or default_unit))


def f5_seconds(text: str) -> int | None:
    """Seconds for BIG-IP's ``0``, ``300``, ``m:s``, ``h:m:s``, ``d:h:m:s``; None for
    ``indefinite`` and unreadable values."""
    if not _F5.fullmatch(text):
        return None
    seconds = int(text) if text.isdigit() else colon_seconds(text)
    return None if seconds is None or seconds > _INT64_MAX else seconds


def nginx_seconds(text: str) -> int | None:
    """An nginx time where the directive reads seconds (``fail_timeout=``, ``expires=``), in
    seconds; None where nginx refuses it."""
    return nginx_time(text, seconds=True)


# ngx_parse_time's units, in the order they may follow one another (steps 1 to 7, then ms).
_NGINX_ORDER = {unit: step for step, unit in enumerate(("y", "M", "w", "d", "h", "m", "s"), 1)}
_NGINX_MS, _NGINX_BLANK = 8, 9


def nginx_time(text: str, *, seconds: bool) -> int | None:
    """nginx's ``ngx_parse_time`` (``src/core/ngx_parse.c``): in seconds when the directive
    reads seconds (no ``ms`` then), else in milliseconds (no years or months then); a bare
    number is seconds; a blank may end a number only before the next (``"1m 30"``); None where
    nginx says "invalid value"."""
    step = 0 if seconds else _NGINX_ORDER["M"]
    scale_of = SECOND_US if seconds else 1000
    valid, value, total, at = False, 0, 0, 0
    while at < len(text):
        char = text[at]
        at += 1
        if "0" <= char <= "9":
            value, valid = value * 10 + int(char), True
            if value > _INT64_MAX:
                return None
            continue
        if char == "m" and text[at : at + 1] == "s":
            if seconds or step >= _NGINX_MS:
                return None
            at, step, unit = at + 1, _NGINX_MS, "ms"
        elif char in _NGINX_ORDER:
            if step >= _NGINX_ORDER[char]:
                return None
            step, unit = _NGINX_ORDER[char], char
        elif char == " ":
            if step >= _NGINX_ORDER["s"]:
                return None
            step, unit = _NGINX_BLANK, "s"
        else:
            return None
        scale = UNIT_MICROSECONDS[unit] // scale_of
        if value > _INT64_MAX // scale or total > _INT64_MAX - value * scale:
            return None
        total, value = total + value * scale, 0
        while text[at : at + 1] == " ":
            at += 1
    if not valid:
        return None
    value *= SECOND_US // scale_of
    return total + value if value <= _INT64_MAX - total else None


def human_duration(seconds: int) -> str:
    """``1800`` → ``30m``; ``5400`` → ``1h30m``; ``45`` → ``45s``."""
    if seconds <= 0:
        return f"{seconds}s"
    parts = []
    for unit in _WHOLE_UNITS:
        count, seconds = divmod(seconds, UNIT_MICROSECONDS[unit] // SECOND_US)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_WRITTEN = LazyPattern(r"[0-9]+[smhd]?|([0-9]+:){1,3}[0-9]+")  # the manifest's spelling
_SPOKEN = LazyPattern(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)")
_UNIT_WORDS = {
    word: UNIT_MICROSECONDS[unit] // SECOND_US
    for unit, words in (
        ("s", ("s", "sec", "secs", "second", "seconds")),
        ("m", ("m", "min", "mins", "minute", "minutes")),
        ("h", ("h", "hr", "hrs", "hour", "hours")),
        ("d", ("d", "day", "days")),
    )
    for word in words
}


def duration_hint(text: str) -> str:
    """How to write ``text`` as a duration when a person would read it as one and it is not
    written so: ``45 minutes`` → ``45m``, ``1h 30m`` → ``90m``; else ""."""
    if _WRITTEN.fullmatch(text):
        return ""
    spoken = text.strip().lower()
    parts = _SPOKEN.findall(spoken)
    if not parts or _SPOKEN.sub("", spoken).replace("and", "").strip(" ,"):
        return ""
    if any(unit not in _UNIT_WORDS for _, unit in parts):
        return ""
    places = max(len(number.partition(".")[2]) for number, _ in parts)
    scaled = sum(_scaled(number, places) * _UNIT_WORDS[unit] for number, unit in parts)
    seconds, remainder = divmod(scaled, 10**places)  # exact: decimals as integers
    if seconds < 1 or remainder:
        return ""
    for unit in _WHOLE_UNITS:
        size = UNIT_MICROSECONDS[unit] // SECOND_US
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return ""


def _scaled(number: str, places: int) -> int:
    """``number`` (digits, maybe with decimals) times ``10 ** places``, exactly."""
    whole, _, decimals = number.partition(".")
    return int(whole + decimals.ljust(places, "0"))
