"""Durations: each syntax tcommlint reads, in one module (tcommlint/durations.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tcommlint.durations import (
    colon_seconds,
    duration_hint,
    f5_seconds,
    haproxy_seconds,
    human_duration,
    is_haproxy_time,
    manifest_seconds,
)

PACKAGE = Path(__file__).resolve().parents[1] / "tcommlint"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("45m", 2700),
        ("2h", 7200),
        ("1d", 86400),
        ("300", 300),
        ("1500ms", 1),  # rounded down
        (" 10 m ", 600),
        ("1:00:00", 3600),
        ("1:02:03:04", 93784),
        ("10:00", 600),
    ],
)
def test_manifest_syntax(text: str, seconds: int) -> None:
    assert manifest_seconds(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "10x", "1:2:3:4:5", "-5m", "m", "5us", "1::2", "9" * 30 + "d"]
)
def test_manifest_syntax_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        manifest_seconds(text)


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [
        ("30", "s", 30),
        ("30m", "s", 1800),
        ("8h", "s", 28800),
        ("1d", "s", 86400),
        ("1800000", "ms", 1800),
        ("500ms", "s", 1),  # rounded up: a moment, not none
        ("90s", "ms", 90),
        ("2000000us", "s", 2),
        ("1.5h", "s", None),
        ("${T}", "ms", None),
        ("1:00", "s", None),  # no colon form in HAProxy
    ],
    ids=[
        "bare-seconds",
        "m",
        "h",
        "d",
        "bare-ms",
        "ms",
        "s-in-ms",
        "us",
        "decimal",
        "env",
        "colon",
    ],
)
def test_haproxy_syntax(text: str, unit: str, seconds: int | None) -> None:
    assert haproxy_seconds(text, unit) == seconds
    assert is_haproxy_time(text) == (seconds is not None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("300", 300),
        ("5:00", 300),
        ("1:0:0", 3600),
        ("1:0:0:0", 86400),
        ("indefinite", None),
        ("5m", None),  # no unit letters on BIG-IP
        ("1:2:3:4:5", None),
    ],
)
def test_f5_syntax(text: str, seconds: int | None) -> None:
    assert f5_seconds(text) == seconds


def test_colon_form_is_shared() -> None:
    assert [colon_seconds(t) for t in ("1:30", "1:00:00", "2:0:0:1", "30", "1:2:3:4:5")] == [
        90,
        3600,
        172801,
        None,
        None,
    ]


def test_human_duration_and_hint() -> None:
    assert [human_duration(s) for s in (45, 1800, 5400, 90061, 0)] == [
        "45s",
        "30m",
        "1h30m",
        "1d1h1m1s",
        "0s",
    ]
    assert [duration_hint(t) for t in ("45 minutes", "1h 30m", "1.5 hours", "45m", "blue")] == [
        "45m",
        "90m",
        "90m",
        "",
        "",
    ]


def test_no_second_unit_table_or_colon_arithmetic() -> None:
    """One meaning in one place: only durations.py spells the units out."""
    spelled = re.compile(r"\b(86400|3600)\b|\* 60\b|\"(us|ms)\": ")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "durations.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert offenders == []


def test_nginx_times() -> None:
    """ngx_parse_time: units in the order y M w d h m s ms, each once; where a directive reads
    seconds, no ms (real nginx 1.22 refuses ``fail_timeout=500ms`` and ``fail_timeout=30m1h``);
    where it reads milliseconds, no years or months."""
    from tcommlint.durations import nginx_seconds, nginx_time

    assert [nginx_seconds(t) for t in ("10m", "1h30m", "1h 30m", "30", "1w", "1M", "1y")] == [
        600,
        5400,
        5400,
        30,
        604800,
        2592000,
        31536000,
    ]
    assert nginx_seconds("1m 30s") == 90  # one word: nginx -t accepts "1m 30s" quoted
    assert [nginx_seconds(t) for t in ("500ms", "30m1h", "max", "", "1 h")] == [None] * 5
    assert [nginx_time(t, seconds=False) for t in ("500ms", "1s 500ms", "1m 30", "30")] == [
        500,
        1500,
        90000,
        30000,
    ]
    assert [nginx_time(t, seconds=False) for t in ("1y", "1M", "30 s", "ms")] == [None] * 4
