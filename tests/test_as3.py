"""AS3 → pipeline model: defaults applied and marked inherited, pointers resolved, spans kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tcommlint.loaders.f5.as3 import load_as3, looks_like_as3
from tcommlint.loaders.f5.bigip import F5Result
from tcommlint.pipeline.balance import candidates
from tcommlint.pipeline.model import LbCookie, LoadBalancer, Opaque, Service, StickRule, Table

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
    keys = {
        (rule.action, rule.key.fetch, rule.key.arg)
        for service in _lb(result).services
        for rule in service.persistence.stick_rules
    }
    assert ("match", "req.cook", "JSESSIONID") in keys
    assert ("store-response", "res.cook", "JSESSIONID") in keys


def _lb(result: F5Result) -> LoadBalancer:
    assert result.load_balancer is not None
    return result.load_balancer


def _declare(app: dict[str, Any]) -> F5Result:
    return load_as3("as3.json", json.dumps(_adc(app), indent=2))


def _adc(app: dict[str, Any]) -> dict[str, Any]:
    return {
        "class": "ADC",
        "schemaVersion": "3.0.0",
        "T": {"class": "Tenant", "A": {"class": "Application", **app}},
    }


def _service(result: F5Result) -> Service:
    (service,) = _lb(result).services
    return service


def _cookie(result: F5Result) -> LbCookie:
    cookie = _service(result).persistence.cookie
    assert cookie is not None
    return cookie


def _table(result: F5Result, rule: StickRule) -> Table:
    table = _lb(result).table(rule.table)
    assert table is not None
    return table


def _line_of(app: dict[str, Any], needle: str) -> int:
    """The line of ``needle`` in the declaration ``_declare`` writes."""
    lines = json.dumps(_adc(app), indent=2).splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


POOL = {
    "class": "Pool",
    "members": [{"servicePort": 8080, "serverAddresses": ["10.0.0.1", "10.0.0.2"]}],
}


def test_chat_fixture() -> None:
    path = HERE / "fixtures" / "f5" / "chat_as3.json"
    result = load_as3("tests/fixtures/f5/chat_as3.json", path.read_text(encoding="utf-8"))
    lb = _lb(result)
    assert lb.vendor == "f5-as3"
    service = _service(result)
    assert service.https and service.http
    (route,) = service.routes
    ((term,),) = route.when.branches
    (test,) = term.tests
    assert (route.pool, route.via, test.op, test.values, test.case_sensitive) == (
        "/Chat/Proxy/pool_api",
        "endpoint-policy",
        "prefix",
        ("/api",),
        False,
    )
    lookup, learn = service.persistence.stick_rules
    assert (lookup.action, lookup.key.fetch, lookup.key.arg) == ("on", "req.cook", "JSESSIONID")
    assert (learn.action, learn.key.fetch) == ("store-response", "res.cook")
    assert lookup.span.line == learn.span.line == 29  # the iRule value
    table = _table(result, lookup)
    assert table.span.line == 21  # the "uie_jsessionid" key
    assert table.expire is not None and (table.expire.value, table.expire.span.line) == (3600, 25)
    api = lb.pool("/Chat/Proxy/pool_api")
    assert api is not None and api.min_active_members == 1
    assert [(s.node, s.span.line) for s in api.servers] == [
        ("10.20.0.11:8443", 53),
        ("10.20.0.12:8443", 53),
    ]


def test_default_persistence_is_cookie_insert() -> None:
    result = _declare({"vs": {"class": "Service_HTTP", "pool": "p"}, "p": POOL})
    cookie = _cookie(result)
    assert (cookie.mode.value, cookie.encoded) == ("insert", True)
    assert (cookie.name.value, cookie.name.inherited) == ("BIGipServer~T~A~p", True)
    assert cookie.span.line == 8  # the "vs" key
    assert "AS3 default persistenceMethods" in cookie.mode.note
    assert not _service(result).https
    (pool,) = _lb(result).pools
    assert [s.cookie.value for s in pool.servers if s.cookie] == ["10.0.0.1:8080", "10.0.0.2:8080"]


def test_empty_persistence_methods_disable_persistence() -> None:
    service = _service(_declare({"vs": {"class": "Service_HTTP", "persistenceMethods": []}}))
    assert service.persistence.empty


def test_tcp_service_defaults_to_source_address() -> None:
    result = _declare({"vs": {"class": "Service_TCP", "virtualPort": 8080, "pool": "p"}, "p": POOL})
    service = _service(result)
    assert not service.http
    (rule,) = service.persistence.stick_rules
    assert rule.key.fetch == "src"
    expire = _table(result, rule).expire
    assert expire is not None and (expire.value, expire.inherited) == (180, True)
    (pool,) = _lb(result).pools
    assert not pool.http


def test_persist_cookie_insert_named_jsessionid() -> None:
    app = {
        "vs": {"class": "Service_HTTPS", "persistenceMethods": [{"use": "ck"}], "serverTLS": "t"},
        "ck": {
            "class": "Persist",
            "persistenceMethod": "cookie",
            "cookieName": "JSESSIONID",
            "ttl": 600,
        },
    }
    cookie = _cookie(_declare(app))
    assert (cookie.mode.value, cookie.mode.inherited) == ("insert", True)
    assert (cookie.name.value, cookie.name.inherited) == ("JSESSIONID", False)
    assert cookie.max_age is not None and cookie.max_age.value == 600
    assert cookie.max_age.span.line == _line_of(app, '"ttl"')
    assert cookie.secure is not None and cookie.secure.value and cookie.secure.inherited


def test_persist_cookie_hash_duration() -> None:
    app = {
        "vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "h"}]},
        "h": {
            "class": "Persist",
            "persistenceMethod": "cookie",
            "cookieMethod": "hash",
            "cookieName": "JSESSIONID",
        },
    }
    result = _declare(app)
    match, _ = _service(result).persistence.stick_rules
    expire = _table(result, match).expire
    assert expire is not None and (expire.value, expire.inherited) == (None, True)  # indefinite


def test_universal_without_irule_persists_nothing() -> None:
    app = {
        "vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "u"}]},
        "u": {"class": "Persist", "persistenceMethod": "universal"},
    }
    service = _service(_declare(app))
    assert service.persistence.empty
    assert any("has no iRule" in note for note in service.notes)


def test_universal_duration_defaults_to_180() -> None:
    rule = "when HTTP_REQUEST { persist uie [HTTP::cookie JSESSIONID] }"
    app = {
        "vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "u"}]},
        "u": {"class": "Persist", "persistenceMethod": "universal", "iRule": {"use": "r"}},
        "r": {"class": "iRule", "iRule": rule},
    }
    result = _declare(app)
    (lookup,) = _service(result).persistence.stick_rules
    expire = _table(result, lookup).expire
    assert expire is not None
    assert (expire.value, expire.inherited, expire.span.line) == (
        180,
        True,
        _line_of(app, '"u": {'),
    )


def test_base64_irule_routes() -> None:
    rule = 'when HTTP_REQUEST {\n if { [HTTP::path] starts_with "/api" } { pool api }\n}\n'
    app = {
        "vs": {"class": "Service_HTTP", "iRules": ["r"], "persistenceMethods": []},
        "r": {"class": "iRule", "iRule": {"base64": base64.b64encode(rule.encode()).decode()}},
        "api": POOL,
    }
    (route,) = _service(_declare(app)).routes
    ((term,),) = route.when.branches
    assert (route.pool, route.via, term.tests[0].values) == ("/T/A/api", "irule", ("/api",))
    assert route.span.line == _line_of(app, '"iRule": {')


def test_irule_backquote_expansion() -> None:
    rule = "when HTTP_REQUEST { pool `*api` }"
    app = {
        "vs": {"class": "Service_HTTP", "iRules": [{"use": "r"}], "persistenceMethods": []},
        "r": {"class": "iRule", "iRule": rule},
        "api": POOL,
    }
    (route,) = _service(_declare(app)).routes
    assert route.pool == "/T/A/api"


def test_irule_outside_the_declaration_is_opaque() -> None:
    app = {"vs": {"class": "Service_HTTP", "iRules": [{"bigip": "/Common/mine"}]}}
    (step,) = _service(_declare(app)).request_steps
    assert isinstance(step, Opaque) and "/Common/mine" in step.reason


@pytest.mark.parametrize(
    ("pool", "active"),
    [
        (
            {
                "class": "Pool",
                "members": [
                    {"servicePort": 80, "serverAddresses": ["10.0.0.1"], "priorityGroup": 10},
                    {"servicePort": 80, "serverAddresses": ["10.0.0.2"], "priorityGroup": 0},
                ],
            },
            ["10.0.0.1:80"],
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
            ["10.0.0.1:80", "10.0.0.2:80"],
        ),
    ],
    ids=["default-min-active-1", "min-active-0"],
)
def test_pool_priority_groups(pool: dict[str, Any], active: list[str]) -> None:
    (built,) = _lb(_declare({"p": pool})).pools
    assert [s.priority_group for s in built.servers] == [10, 0]
    assert [s.node for s in candidates(built)] == active


def test_member_admin_states() -> None:
    pool = {
        "class": "Pool",
        "members": [
            {"servicePort": 80, "serverAddresses": ["10.0.0.1"], "adminState": "disable"},
            {"servicePort": 80, "serverAddresses": ["10.0.0.2"], "ratio": 4},
        ],
    }
    (built,) = _lb(_declare({"p": pool})).pools
    first, second = built.servers
    assert first.disabled and not second.disabled and second.weight == 4
    assert built.persist_to_down


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


def test_default_cookie_mode_is_inherited_at_the_service_key() -> None:
    cookie = _cookie(_declare({"vs": {"class": "Service_HTTP", "pool": "p"}, "p": POOL}))
    assert (cookie.mode.value, cookie.mode.inherited) == ("insert", True)
    assert cookie.mode.span == cookie.span


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
    cookie = _cookie(_declare(app))
    assert (cookie.mode.value, cookie.mode.inherited) == (mode, inherited)
    assert cookie.mode.span.line == _line_of(app, needle)


def test_fallback_persistence_method_comes_after_the_primary() -> None:
    app = {
        "vs": {
            "class": "Service_HTTP",
            "pool": "p",
            "fallbackPersistenceMethod": "source-address",
        },
        "p": POOL,
    }
    service = _service(_declare(app))
    assert service.persistence.cookie is not None
    (fallback,) = service.persistence.stick_rules
    assert fallback.key.fetch == "src"
    assert fallback.span.line == _line_of(app, '"fallbackPersistenceMethod"')


def test_endpoint_policy_best_match_and_actions() -> None:
    app = {
        "vs": {"class": "Service_HTTP", "pool": "web", "policyEndpoint": "pol"},
        "pol": {
            "class": "Endpoint_Policy",
            "rules": [
                {"name": "default", "actions": [{"type": "forward", "select": {"pool": "web"}}]},
                {
                    "name": "api",
                    "conditions": [
                        {
                            "type": "httpUri",
                            "path": {"operand": "does-not-start-with", "values": ["/static"]},
                        }
                    ],
                    "actions": [
                        {"type": "forward", "select": {"pool": {"use": "api"}}},
                        {"type": "httpHeader", "remove": {"name": "Cookie"}},
                    ],
                },
            ],
        },
        "web": POOL,
        "api": POOL,
    }
    service = _service(_declare(app))
    api, web = service.routes  # best-match: the rule with conditions first
    ((term,),) = api.when.branches
    assert (api.pool, term.negate, term.tests[0].op) == ("/T/A/api", True, "prefix")
    assert web.pool == "/T/A/web"
    (edit,) = service.request_steps
    assert edit.when == api.when
    assert any("best-match" in note for note in service.notes)


def test_cookie_mentions_for_fixes() -> None:
    rule = 'when HTTP_REQUEST { persist uie [HTTP::cookie "jsessionid"] }'
    app = {
        "vs": {"class": "Service_HTTP", "persistenceMethods": [{"use": "u"}, {"use": "c"}]},
        "u": {"class": "Persist", "persistenceMethod": "universal", "iRule": "r"},
        "c": {"class": "Persist", "persistenceMethod": "cookie", "cookieName": "jsessionid"},
        "r": {"class": "iRule", "iRule": rule},
    }
    text = json.dumps(_adc(app), indent=2)
    lines = text.splitlines()
    mentions = _lb(load_as3("as3.json", text)).cookie_mentions
    assert [name for name, _ in mentions] == ["jsessionid", "jsessionid"]
    for _, span in mentions:  # at the name, inside the JSON string
        assert lines[span.line - 1][span.column - 1 :].startswith(("jsessionid", '"jsessionid'))
