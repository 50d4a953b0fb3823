"""The HAProxy loader against the real-world corpus in ``../shared/corpus/haproxy``.

Every file loads without an exception. None of them is refused: the ``.vtc__*.cfg`` files
hold unexpanded VTC macros such as ``${s1_addr}``, which HAProxy reads as literal text
outside double quotes and which the loader keeps verbatim (and notes) inside them, and the
``.if`` blocks of the reg-tests are all balanced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy, looks_like_haproxy

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "haproxy"
FILES = sorted(CORPUS.glob("*.cfg")) if CORPUS.is_dir() else []

# Corpus file -> why HAProxy refuses it. Empty: every file is one HAProxy would read.
EXPECTED_ERRORS: dict[str, str] = {}
# Files without a proxy section header followed by a statement: a ``traces`` section only,
# and a one-line file whose ``global`` header carries the statements on the same line.
NOT_SNIFFED = {
    "haproxy__haproxy__examples__traces.cfg",
    "haproxytech__dataplaneapi__e2e__tests__raw__data__haproxy_no_newline.cfg",
}


def _require_corpus() -> None:
    if not FILES:
        pytest.skip(f"../shared/corpus not present: {CORPUS}")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_loads(path: Path) -> None:
    result = load_haproxy(path.name, path.read_text(encoding="utf-8", errors="replace"))
    assert (result.load_balancer is None) == bool(result.errors)
    assert looks_like_haproxy(path.read_text(encoding="utf-8")) is (path.name not in NOT_SNIFFED)


def test_exactly_the_expected_corpus_files_have_parse_errors() -> None:
    _require_corpus()
    refused = {}
    for path in FILES:
        result = load_haproxy(path.name, path.read_text(encoding="utf-8", errors="replace"))
        if result.errors:
            refused[path.name] = "; ".join(e.reason for e in result.errors)
    assert set(refused) == set(EXPECTED_ERRORS), refused


def test_corpus_stickiness_examples_are_modelled() -> None:
    _require_corpus()
    expected = {
        "haproxy__haproxy__tests__conf__test-cookie-passive.cfg": ("test", "cookie-passive"),
        "haproxy__haproxy__tests__conf__test-cookie-insert.cfg": ("test", "cookie-insert"),
        "haproxy__haproxy__tests__conf__test-cookie-prefix.cfg": ("test", "cookie-prefix"),
        "haproxy__haproxy__tests__conf__test-cookie-rewrite.cfg": ("test", "cookie-rewrite"),
        "haproxy__haproxy__reg-tests__stickiness__lb-services.vtc__h1.cfg": ("be1", "stick-table"),
    }
    for name, (pool_name, kind) in expected.items():
        result = load_haproxy(name, (CORPUS / name).read_text(encoding="utf-8"))
        assert result.load_balancer is not None, name
        pool = result.load_balancer.pool(pool_name)
        assert pool is not None, name
        assert kind in [p.kind for p in pool.persistences], name
