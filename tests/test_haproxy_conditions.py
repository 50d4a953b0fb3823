"""Static evaluation of HAProxy ``.if`` conditions (three-valued)."""

from __future__ import annotations

import pytest

from tcommlint.loaders.haproxy.conditions import (
    ALWAYS,
    NEVER,
    UNKNOWN,
    both,
    either,
    evaluate,
    negate,
)

CASES = [
    ("version_atleast(2.4)", ALWAYS, "atleast-2.4"),
    ("version_atleast(2.0)", ALWAYS, "atleast-2.0"),
    ("version_atleast(1.8.30)", ALWAYS, "atleast-1.8.30"),
    ("version_atleast(2.4.0)", ALWAYS, "atleast-2.4.0"),
    ("version_atleast(2.4.1)", UNKNOWN, "atleast-2.4.1"),
    ("version_atleast(2.10)", UNKNOWN, "atleast-2.10-numeric-not-text"),
    ("version_atleast(3.0)", UNKNOWN, "atleast-3.0"),
    ("version_atleast(2.4-dev)", UNKNOWN, "atleast-dev-suffix"),
    ('version_atleast("2.2")', ALWAYS, "atleast-quoted"),
    ("version_before(2.4)", NEVER, "before-2.4"),
    ("version_before(2.3.9)", NEVER, "before-2.3.9"),
    ("version_before(2.5)", UNKNOWN, "before-2.5"),
    ("defined(CHAT_STICKY)", UNKNOWN, "defined"),
    ("feature(OPENSSL)", UNKNOWN, "feature"),
    ("streq(a,b)", UNKNOWN, "streq"),
    ("strneq(a,b)", UNKNOWN, "strneq"),
    ("strstr(abc,b)", UNKNOWN, "strstr"),
    ("enabled(POLL)", UNKNOWN, "enabled"),
    ("openssl_version_atleast(1.1.1)", UNKNOWN, "openssl"),
    ("ssllib_name_startswith(OpenSSL)", UNKNOWN, "ssllib"),
    ("awslc_api_atleast(1)", UNKNOWN, "awslc"),
    ("fips_mode()", UNKNOWN, "fips"),
    ("1", ALWAYS, "one"),
    ("2", ALWAYS, "two"),
    ("-1", ALWAYS, "minus-one"),
    ("0", NEVER, "zero"),
    ("", NEVER, "empty"),
    ("!version_before(2.0)", ALWAYS, "not-never"),
    ("!!0", NEVER, "double-not"),
    ("!defined(X)", UNKNOWN, "not-unknown"),
    ("defined(X) && version_before(2.0)", NEVER, "and-never"),
    ("defined(X) && version_atleast(2.0)", UNKNOWN, "and-unknown"),
    ("version_atleast(2.0) && 1", ALWAYS, "and-always"),
    ("defined(X) || version_atleast(2.0)", ALWAYS, "or-always"),
    ("defined(X) || 0", UNKNOWN, "or-unknown"),
    ("0 || version_before(2.4)", NEVER, "or-never"),
    ("1 && 0 || 1", ALWAYS, "and-binds-tighter"),
    ("0 && (defined(X) || 1)", NEVER, "parentheses"),
    ("!(defined(X) && 0)", ALWAYS, "not-parenthesised"),
    ("( version_atleast(2.2) )", ALWAYS, "spaces"),
    ("defined(X) && (1", UNKNOWN, "unbalanced"),
    ("abc", UNKNOWN, "bare-word"),
    ("1 &&", UNKNOWN, "dangling-operator"),
]


@pytest.mark.parametrize(
    ("condition", "expected"), [(c, e) for c, e, _ in CASES], ids=[i for _, _, i in CASES]
)
def test_evaluate(condition: str, expected: str) -> None:
    assert evaluate(condition) == expected


@pytest.mark.parametrize(
    ("left", "right", "conjunction", "disjunction"),
    [
        (ALWAYS, ALWAYS, ALWAYS, ALWAYS),
        (ALWAYS, NEVER, NEVER, ALWAYS),
        (ALWAYS, UNKNOWN, UNKNOWN, ALWAYS),
        (NEVER, NEVER, NEVER, NEVER),
        (NEVER, UNKNOWN, NEVER, UNKNOWN),
        (UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN),
    ],
    ids=["t-t", "t-f", "t-u", "f-f", "f-u", "u-u"],
)
def test_three_valued_operators(left: str, right: str, conjunction: str, disjunction: str) -> None:
    assert both(left, right) == both(right, left) == conjunction
    assert either(left, right) == either(right, left) == disjunction


def test_negation() -> None:
    assert [negate(v) for v in (ALWAYS, NEVER, UNKNOWN)] == [NEVER, ALWAYS, UNKNOWN]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("defined(HAPROXY_LOCALPEER)", ALWAYS),
        ("!defined(HAPROXY_CFGFILES)", NEVER),
        ("defined(HAPROXY_MWORKER)", UNKNOWN),  # master-worker, and only from a reload
    ],
)
def test_variables_haproxy_defines_itself(condition: str, expected: str) -> None:
    assert evaluate(condition) == expected
