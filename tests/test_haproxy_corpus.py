"""The HAProxy loader against the real-world corpus in ``../shared/corpus/haproxy``.

Every file loads without an exception. The ``.vtc__*.cfg`` files hold unexpanded VTC macros
such as ``${s1_addr}``, which HAProxy reads as literal text outside double quotes and which the
loader keeps verbatim (and notes) inside them. Seven files are ones ``haproxy -c`` refuses
(``tests/test_haproxy_refusals.py`` checks that it does): HAProxy's own negative tests and
two snippets of the Data Plane API tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy, looks_like_haproxy
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "haproxy"
FILES = sorted(CORPUS.glob("*.cfg")) if CORPUS.is_dir() else []

# Corpus file -> the start of the reason HAProxy refuses it for.
EXPECTED_ERRORS: dict[str, str] = {
    "haproxy__haproxy__tests__conf__ports.cfg": "backend 'b5': another server named 's1'",
    "haproxy__haproxy__tests__conf__test-acl-args.cfg": "an anonymous ACL: missing fetch",
    "haproxy__haproxy__tests__conf__test-address-syntax.cfg": "please use the 'bind' keyword",
    "haproxy__haproxy__tests__conf__test-sample-fetch-args.cfg": "'http-request add-header'",
    "haproxy__haproxy__tests__conf__test-valid-names.cfg": "character '/' is not permitted",
    "haproxytech__dataplaneapi__e2e__tests__raw__data__haproxy_no_newline.cfg": "missing LF",
    "haproxytech__dataplaneapi__e2e__tests__storage_maps__data__haproxy.cfg": (
        "frontend 'test_storage_maps': unable to find the default_backend"
    ),
}
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
    assert (not result.load_balancers) == bool(result.errors)
    assert looks_like_haproxy(path.read_text(encoding="utf-8")) is (path.name not in NOT_SNIFFED)


def test_exactly_the_expected_corpus_files_have_parse_errors() -> None:
    _require_corpus()
    refused = {}
    for path in FILES:
        result = load_haproxy(path.name, path.read_text(encoding="utf-8", errors="replace"))
        if result.errors:
            refused[path.name] = "; ".join(e.reason for e in result.errors)
    assert set(refused) == set(EXPECTED_ERRORS), refused
    for name, reason in EXPECTED_ERRORS.items():
        assert refused[name].startswith(reason), refused[name]


def test_corpus_stickiness_examples_are_modelled() -> None:
    _require_corpus()
    expected = {
        "haproxy__haproxy__tests__conf__test-cookie-passive.cfg": ("test", "passive"),
        "haproxy__haproxy__tests__conf__test-cookie-insert.cfg": ("test", "insert"),
        "haproxy__haproxy__tests__conf__test-cookie-prefix.cfg": ("test", "prefix"),
        "haproxy__haproxy__tests__conf__test-cookie-rewrite.cfg": ("test", "rewrite"),
    }
    for name, (pool_name, mode) in expected.items():
        result = load_haproxy(name, (CORPUS / name).read_text(encoding="utf-8"))
        pools = {pool.name: pool for lb in result.load_balancers for pool in lb.pools}
        cookie = pools[pool_name].persistence.cookie
        assert cookie is not None and cookie.mode.value == mode, name
    name = "haproxy__haproxy__reg-tests__stickiness__lb-services.vtc__h1.cfg"
    result = load_haproxy(name, (CORPUS / name).read_text(encoding="utf-8"))
    pools = {pool.name: pool for lb in result.load_balancers for pool in lb.pools}
    assert pools["be1"].persistence.stick_rules, name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_simulates(path: Path) -> None:
    """The chat session runs through every service of every corpus file to a verdict."""
    result = load_haproxy(path.name, path.read_text(encoding="utf-8", errors="replace"))
    for lb in result.load_balancers:
        for outcome in simulate(lb, AppModel()):
            assert outcome.verdict in ("sticky", "breaks", "not-evaluable"), path.name
            assert outcome.verdict != "not-evaluable" or outcome.outside, path.name
