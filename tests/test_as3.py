"""AS3 → model: defaults applied and marked inherited, pointers resolved, positions kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tcommlint.loaders.f5.as3 import load_as3, looks_like_as3
from tcommlint.loaders.f5.bigip import F5Result
from tcommlint.model import Service

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus" / "f5-as3"
HASH_EXAMPLE = (
    "F5Networks__f5-appsvcs-extension__examples__declarations__example-http-custom-persistence.json"
)


def _corpus() -> list[Path]:
    return sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_corpus_loads_without_exception(path: Path) -> None:
    result = load_as3(path.name, path.read_text(encoding="utf-8"))
    assert result.errors == ()  # every corpus file is valid JSON


def test_corpus_hash_example() -> None:
    path = CORPUS / HASH_EXAMPLE
    if not path.is_file():
        pytest.skip("../shared/corpus not present: no AS3 hash example")
    result = load_as3(path.name, path.read_text(encoding="utf-8"))
    assert result.load_balancer is not None
    kinds = {
        (p.kind, p.cookie_name.value if p.cookie_name else None)
        for s in result.load_balancer.services
        for p in s.persistences
    }
    assert ("cookie-hash", "JSESSIONID") in kinds


def _declare(app: dict[str, Any]) -> F5Result:
    adc = {
        "class": "ADC",
        "schemaVersion": "3.0.0",
        "T": {"class": "Tenant", "A": {"class": "Application", **app}},
    }
    return load_as3("as3.json", json.dumps(adc, indent=2))


def _service(result: F5Result) -> Service:
    assert result.load_balancer is not None
    (service,) = result.load_balancer.services
    return service


POOL = {
    "class": "Pool",
    "members": [{"servicePort": 8080, "serverAddresses": ["10.0.0.1", "10.0.0.2"]}],
}


def test_chat_fixture() -> None:
    path = HERE / "fixtures" / "f5" / "chat_as3.json"
    result = load_as3("tests/fixtures/f5/chat_as3.json", path.read_text(encoding="utf-8"))
    service = _service(result)
    assert service.https
    (route,) = service.routes
    assert (route.pool, route.match, route.values, route.via) == (
        "/Chat/Proxy/pool_api",
        "prefix",
        ("/api",),
        "endpoint-policy",
    )
    (uie,) = service.persistences
    assert (uie.kind, uie.keyed_on, uie.learns_from_response) == ("universal", "cookie", True)
    assert uie.cookie_name is not None and uie.cookie_name.value == "JSESSIONID"
    assert uie.lifetime_seconds is not None and uie.lifetime_seconds.value == 3600
    assert uie.span.line == 21  # the "uie_jsessionid" key


def test_default_persistence_is_cookie_insert() -> None:
    service = _service(_declare({"vs": {"class": "Service_HTTP", "pool": "p"}, "p": POOL}))
    (persistence,) = service.persistences
    assert persistence.kind == "cookie-insert"
    assert persistence.writes_cookie
    assert persistence.cookie_name is not None
    assert persistence.cookie_name.value == "BIGipServer~T~A~p"
    assert persistence.cookie_name.inherited
    assert persistence.span.line == 8  # the "vs" key
    assert not service.https


def test_empty_persistence_methods_disable_persistence() -> None:
    service = _service(_declare({"vs": {"class": "Service_HTTP", "persistenceMethods": []}}))
    assert service.persistences == ()


def test_persist_cookie_insert_named_jsessionid() -> None:
    app = {
        "vs": {"class": "Service_HTTPS", "persistenceMethods": [{"use": "ck"}]},
        "ck": {
            "class": "Persist",
            "persistenceMethod": "cookie",
            "cookieName": "JSESSIONID",
            "ttl": 600,
        },
    }
    (persistence,) = _service(_declare(app)).persistences
    assert persistence.kind == "cookie-insert"  # cookieMethod defaults to insert
    assert persistence.cookie_name is not None
    assert (persistence.cookie_name.value, persistence.cookie_name.inherited) == (
        "JSESSIONID",
        False,
    )
    assert persistence.lifetime_seconds is not None and persistence.lifetime_seconds.value == 600
    assert persistence.cookie_secure is not None and persistence.cookie_secure.inherited


def test_universal_defaults_and_missing_rule() -> None:
    app = {
        "vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "u"}]},
        "u": {"class": "Persist", "persistenceMethod": "universal"},
    }
    (persistence,) = _service(_declare(app)).persistences
    assert persistence.ineffective
    assert persistence.lifetime_seconds is not None
    assert (persistence.lifetime_seconds.value, persistence.lifetime_seconds.inherited) == (
        180,
        True,
    )


def test_base64_irule_routes() -> None:
    import base64

    rule = 'when HTTP_REQUEST {\n if { [HTTP::path] starts_with "/api" } { pool api }\n}\n'
    app = {
        "vs": {"class": "Service_HTTP", "iRules": ["r"], "persistenceMethods": []},
        "r": {"class": "iRule", "iRule": {"base64": base64.b64encode(rule.encode()).decode()}},
        "api": POOL,
    }
    (route,) = _service(_declare(app)).routes
    assert (route.pool, route.match, route.values, route.via) == (
        "/T/A/api",
        "prefix",
        ("/api",),
        "irule",
    )


@pytest.mark.parametrize(
    ("pool", "backups"),
    [
        (
            {
                "class": "Pool",
                "members": [
                    {"servicePort": 80, "serverAddresses": ["10.0.0.1"], "priorityGroup": 10},
                    {"servicePort": 80, "serverAddresses": ["10.0.0.2"], "priorityGroup": 0},
                ],
            },
            [False, True],
        ),
        (
            {
                "class": "Pool",
                "minimumMembersActive": 0,
                "members": [
                    {"servicePort": 80, "serverAddresses": ["10.0.0.1"], "priorityGroup": 10},
                    {"servicePort": 80, "serverAddresses": ["10.0.0.2"], "priorityGroup": 0},
                ],
            },
            [False, False],
        ),
    ],
    ids=["default-min-active-1", "min-active-0"],
)
def test_pool_priority_groups(pool: dict[str, Any], backups: list[bool]) -> None:
    result = _declare({"p": pool})
    assert result.load_balancer is not None
    (built,) = result.load_balancer.pools
    assert [m.backup for m in built.members] == backups


def test_invalid_json_is_a_parse_error() -> None:
    result = load_as3("bad.json", '{"class": "ADC",\n  "T": }')
    (error,) = result.errors
    assert (error.span.line, error.span.column) == (2, 8)
    assert result.load_balancer is None


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"class": "AS3", "declaration": {"class": "ADC"}}, True),
        ({"class": "ADC"}, True),
        ({"class": "AS3"}, False),
        ({"AutoCallQueue": "true"}, False),
        ([1, 2], False),
    ],
    ids=["request", "adc", "request-without-declaration", "other-json", "array"],
)
def test_looks_like_as3(obj: Any, expected: bool) -> None:
    assert looks_like_as3(obj) is expected


def _line_of(app: dict[str, Any], needle: str) -> int:
    """The line of ``needle`` in the declaration ``_declare`` writes."""
    adc = {
        "class": "ADC",
        "schemaVersion": "3.0.0",
        "T": {"class": "Tenant", "A": {"class": "Application", **app}},
    }
    lines = json.dumps(adc, indent=2).splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_default_cookie_mode_is_inherited_at_the_service_key() -> None:
    service = _service(_declare({"vs": {"class": "Service_HTTP", "pool": "p"}, "p": POOL}))
    (persistence,) = service.persistences
    assert persistence.mode is not None
    assert (persistence.mode.value, persistence.mode.inherited) == ("insert", True)
    assert persistence.mode.span == persistence.span


@pytest.mark.parametrize(
    ("extra", "mode", "needle", "inherited"),
    [
        ({}, "insert", '"ck": {', True),
        ({"cookieMethod": "rewrite"}, "rewrite", '"cookieMethod"', False),
    ],
    ids=["defaulted-at-persist-key", "cookieMethod-key"],
)
def test_persist_cookie_mode(
    extra: dict[str, str], mode: str, needle: str, inherited: bool
) -> None:
    persist = {"class": "Persist", "persistenceMethod": "cookie", "cookieName": "X", **extra}
    app = {"vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "ck"}]}, "ck": persist}
    (persistence,) = _service(_declare(app)).persistences
    assert persistence.mode is not None
    assert (persistence.mode.value, persistence.mode.inherited) == (mode, inherited)
    assert persistence.mode.span.line == _line_of(app, needle)


def test_fallback_persistence_method_is_marked() -> None:
    app = {
        "vs": {
            "class": "Service_HTTP",
            "pool": "p",
            "fallbackPersistenceMethod": "source-address",
        },
        "p": POOL,
    }
    primary, fallback = _service(_declare(app)).persistences
    assert (primary.kind, primary.fallback) == ("cookie-insert", False)
    assert (fallback.kind, fallback.keyed_on, fallback.fallback) == (
        "source",
        "client-address",
        True,
    )
    assert fallback.span.line == _line_of(app, '"fallbackPersistenceMethod"')
