"""tmsh → model: services, routes, pools, persistence with defaults-from chains resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.f5.bigip import F5Result, load_f5_tmsh, parse_duration
from tcommlint.model import Persistence, Service
from tcommlint.source import Span

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus" / "f5-tmsh"
ARCHIVE = "f5devcentral__f5-corkscrew__tests__archive_generator__archive1__config__"


def _load(text: str, path: str = "lb/bigip.conf") -> F5Result:
    return load_f5_tmsh([(path, text)])


def _service(result: F5Result, name: str = "/Common/vs") -> Service:
    assert result.load_balancer is not None
    return next(s for s in result.load_balancer.services if s.name == name)


def _persistence(text: str) -> Persistence:
    (persistence,) = _service(_load(text)).persistences
    return persistence


def _corpus() -> list[Path]:
    return sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_corpus_loads_without_exception(path: Path) -> None:
    result = _load(path.read_text(encoding="utf-8", errors="replace"), path.name)
    assert isinstance(result.counts, dict)


def test_corpus_archive_as_one_device() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus not present: no f5-tmsh archive")
    names = ["bigip.conf", "bigip_base.conf", "profile_base.conf", "partitions__foo__bigip.conf"]
    files = [(n, (CORPUS / (ARCHIVE + n)).read_text(encoding="utf-8")) for n in names]
    result = load_f5_tmsh(files)
    assert result.errors == ()
    assert result.load_balancer is not None
    assert result.counts["virtuals"] == len(result.load_balancer.services) > 5
    # profile_base.conf supplies the parents; its built-ins are not counted as the user's
    assert result.counts["persistence_profiles"] < 10
    persist_test = _service(result, "/Common/persistTest_80_vs")
    assert any("fallback-persistence" in note for note in persist_test.notes)


def test_chat_fixture() -> None:
    path = HERE / "fixtures" / "f5" / "chat_bigip.conf"
    result = _load(path.read_text(encoding="utf-8"), "tests/fixtures/f5/chat_bigip.conf")
    assert result.errors == ()
    vs = _service(result, "/Common/vs_chat")
    assert vs.https and vs.http
    assert vs.default_pool is not None and vs.default_pool.value == "/Common/pool_web"
    api = vs.routes[0]
    assert (api.pool, api.match, api.values, api.via) == (
        "/Common/pool_api",
        "prefix",
        ("/api",),
        "ltm-policy",
    )
    assert not api.case_sensitive
    (uie,) = vs.persistences
    assert (uie.kind, uie.keyed_on, uie.learns_from_response) == ("universal", "cookie", True)
    assert uie.cookie_name is not None and uie.cookie_name.value == "JSESSIONID"
    assert uie.lifetime_seconds is not None and uie.lifetime_seconds.value == 3600
    assert uie.lifetime_seconds.span.line == 16  # the "timeout 3600" line
    assert uie.span.line == 9  # the profile header
    assert result.counts == {
        "virtuals": 1,
        "pools": 2,
        "profiles": 1,
        "persistence_profiles": 1,
        "policies": 1,
        "irules": 1,
        "monitors": 0,
        "nodes": 2,
    }


VS = """ltm pool /Common/pool_api {{
    members {{
        /Common/10.0.0.1:8080 {{ address 10.0.0.1 }}
        /Common/10.0.0.2:8080 {{ address 10.0.0.2 }}
    }}
}}
ltm virtual /Common/vs {{
    destination /Common/10.0.0.10:{port}
    persist {{
        {profile} {{
            default yes
        }}
    }}
    pool /Common/pool_api
    profiles {{
        {profiles}
    }}
}}
"""


def _vs(profile: str, extra: str = "", port: int = 443, profiles: str = "/Common/http { }") -> str:
    return extra + VS.format(profile=profile, port=port, profiles=profiles)


def test_builtin_cookie_insert_defaults() -> None:
    persistence = _persistence(_vs("/Common/cookie"))
    assert (persistence.kind, persistence.keyed_on) == ("cookie-insert", "cookie")
    assert persistence.writes_cookie and persistence.own_cookie
    assert persistence.cookie_name is not None
    assert persistence.cookie_name.value == "BIGipServerpool_api"
    assert persistence.cookie_name.inherited
    assert persistence.lifetime_seconds is not None
    assert persistence.lifetime_seconds.value is None  # expiration 0: session cookie
    assert persistence.lifetime_kind == "cookie-expiry"
    assert persistence.cookie_secure is not None and persistence.cookie_secure.value
    assert persistence.cookie_http_only is not None and persistence.cookie_http_only.value
    assert persistence.span.line == 10  # the persist reference: no profile of the user's


COOKIE_CHAIN = """ltm persistence cookie /Common/cookie_base {
    cookie-name JSESSIONID
    defaults-from /Common/cookie
    expiration 1:0:0
}
ltm persistence cookie /Common/cookie_child {
    defaults-from cookie_base
    secure disabled
}
"""


def test_defaults_from_chain_is_resolved() -> None:
    persistence = _persistence(_vs("/Common/cookie_child", COOKIE_CHAIN))
    assert persistence.kind == "cookie-insert"
    assert persistence.span.line == 6  # the child profile's header
    name = persistence.cookie_name
    assert name is not None
    assert (name.value, name.span.line, name.inherited) == ("JSESSIONID", 2, True)
    assert "cookie_base" in name.note
    assert persistence.lifetime_seconds is not None
    assert persistence.lifetime_seconds.value == 3600
    secure = persistence.cookie_secure
    assert secure is not None and (secure.value, secure.span.line) == (False, 8)
    http_only = persistence.cookie_http_only
    assert http_only is not None and http_only.inherited and http_only.value
    assert http_only.span.line == 3  # the last defaults-from line before the built-in
    assert "/Common/cookie" in http_only.note


def test_cookie_hash_on_jsessionid() -> None:
    profile = (
        "ltm persistence cookie /Common/hash_js {\n"
        "    cookie-name JSESSIONID\n"
        "    defaults-from /Common/cookie\n"
        "    method hash\n"
        "}\n"
    )
    persistence = _persistence(_vs("/Common/hash_js", profile))
    assert persistence.kind == "cookie-hash"
    assert not persistence.writes_cookie and not persistence.own_cookie
    assert persistence.cookie_name is not None and persistence.cookie_name.value == "JSESSIONID"
    assert persistence.lifetime_seconds is not None
    assert persistence.lifetime_seconds.value == 180
    assert persistence.lifetime_seconds.inherited


def test_passive_cookie_is_ineffective() -> None:
    profile = (
        "ltm persistence cookie /Common/p {\n"
        "    defaults-from /Common/cookie\n    method passive\n}\n"
    )
    assert "never does" in _persistence(_vs("/Common/p", profile)).ineffective


def test_cookie_without_http_profile_is_ineffective() -> None:
    persistence = _persistence(_vs("/Common/cookie", profiles="/Common/tcp { }"))
    assert persistence.ineffective == "cookie persistence on a virtual without an HTTP profile"


def test_http_profile_found_through_its_defaults_from_chain() -> None:
    extra = "ltm profile http /Common/http_xff {\n    defaults-from /Common/http\n}\n"
    service = _service(_load(_vs("/Common/cookie", extra, 80, "/Common/http_xff { }")))
    assert service.http and not service.https


def test_universal_without_rule_is_ineffective() -> None:
    profile = "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n}\n"
    persistence = _persistence(_vs("/Common/u", profile))
    assert persistence.ineffective == "universal persistence without a rule does nothing"
    assert persistence.lifetime_seconds is not None
    assert persistence.lifetime_seconds.value == 180


def test_universal_rule_only_on_requests_does_not_learn() -> None:
    profile = (
        "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n"
        "    rule r\n}\n"
        'ltm rule /Common/r {\nwhen HTTP_REQUEST { persist uie [HTTP::cookie "JSESSIONID"] }\n}\n'
    )
    persistence = _persistence(_vs("/Common/u", profile))
    assert persistence.keyed_on == "cookie"
    assert not persistence.learns_from_response


def test_source_addr() -> None:
    persistence = _persistence(_vs("/Common/source_addr"))
    assert (persistence.kind, persistence.keyed_on) == ("source", "client-address")


@pytest.mark.parametrize(
    ("members", "min_active", "backups", "note"),
    [
        ((10, 5), 1, (False, True), "standby"),
        ((10, 5), 0, (False, False), "ignored"),
        ((10, 10), 1, (False, False), ""),
    ],
    ids=["active-passive", "min-active-zero-trap", "same-group"],
)
def test_priority_groups(
    members: tuple[int, int], min_active: int, backups: tuple[bool, bool], note: str
) -> None:
    text = (
        "ltm pool /Common/p {\n    members {\n"
        f"        /Common/10.0.0.1:80 {{ address 10.0.0.1 priority-group {members[0]} }}\n"
        f"        /Common/10.0.0.2:80 {{ address 10.0.0.2 priority-group {members[1]} }}\n"
        f"    }}\n    min-active-members {min_active}\n}}\n"
    )
    result = _load(text)
    assert result.load_balancer is not None
    (pool,) = result.load_balancer.pools
    assert tuple(m.backup for m in pool.members) == backups
    assert pool.min_active_members == min_active
    assert (note in " ".join(pool.notes)) if note else not pool.notes


def test_members_ipv6_and_disabled() -> None:
    text = (
        "ltm pool /Common/p {\n    members {\n"
        "        /Common/2001:db8::1.8080 { address 2001:db8::1 session user-disabled }\n"
        "    }\n}\n"
    )
    result = _load(text)
    assert result.load_balancer is not None
    (member,) = result.load_balancer.pools[0].members
    assert (member.address, member.port, member.disabled) == ("2001:db8::1", 8080, True)


def test_relative_names_resolve_in_folder_then_common() -> None:
    text = (
        "ltm pool /Tenant/app/pool_api { }\n"
        "ltm pool /Common/shared_pool { }\n"
        "ltm virtual /Tenant/app/vs {\n    pool pool_api\n    rules { r }\n}\n"
        "ltm rule /Common/r {\nwhen HTTP_REQUEST {\n"
        '  if { [HTTP::path] starts_with "/x" } { pool shared_pool }\n}\n}\n'
    )
    service = _service(_load(text), "/Tenant/app/vs")
    assert service.default_pool is not None
    assert service.default_pool.value == "/Tenant/app/pool_api"
    (route,) = service.routes
    assert (route.pool, route.via, route.values) == ("/Common/shared_pool", "irule", ("/x",))


def test_draft_policy_is_not_applied() -> None:
    text = (
        "ltm policy /Common/Drafts/pol {\n    rules {\n        api {\n"
        "            actions { 0 { forward select pool /Common/p } }\n        }\n    }\n}\n"
        "ltm virtual /Common/vs {\n    policies { /Common/Drafts/pol { } }\n}\n"
    )
    service = _service(_load(text))
    assert service.routes == ()
    (problem,) = service.problems
    assert "/Common/Drafts/pol is a draft" in problem.value
    assert problem.span == Span("lb/bigip.conf", 9, 16)  # the reference in `policies { }`
    assert not any("draft" in note for note in service.notes)


@pytest.mark.parametrize(
    ("profile", "extra", "line", "inherited"),
    [
        ("/Common/cookie", "", 10, True),  # built-in default: the persist reference
        ("/Common/cookie_child", COOKIE_CHAIN, 3, True),  # the last defaults-from line
        (
            "/Common/rewriting",
            "ltm persistence cookie /Common/rewriting {\n"
            "    defaults-from /Common/cookie\n    method rewrite\n}\n",
            3,
            False,
        ),
    ],
    ids=["builtin", "chain", "own-method-line"],
)
def test_cookie_mode_points_at_the_method(
    profile: str, extra: str, line: int, inherited: bool
) -> None:
    persistence = _persistence(_vs(profile, extra))
    mode = persistence.mode
    assert mode is not None
    assert persistence.kind == f"cookie-{mode.value}"
    assert (mode.span.line, mode.inherited) == (line, inherited)


def test_fallback_persistence_is_marked() -> None:
    text = _vs("/Common/cookie").replace(
        "    pool /Common/pool_api\n",
        "    pool /Common/pool_api\n    fallback-persistence /Common/source_addr\n",
    )
    primary, fallback = _service(_load(text)).persistences
    assert (primary.kind, primary.fallback) == ("cookie-insert", False)
    assert (fallback.kind, fallback.keyed_on, fallback.fallback) == (
        "source",
        "client-address",
        True,
    )
    assert fallback.span == Span("lb/bigip.conf", 15, 26)  # the fallback-persistence value


def test_policy_rules_follow_ordinal_and_flags() -> None:
    text = (
        "ltm policy /Common/pol {\n    rules {\n"
        "        second { actions { 0 { forward select pool /Common/b } } ordinal 2 }\n"
        "        first {\n"
        "            conditions {\n"
        "                0 { http-uri path equals case-sensitive values { /api /API } }\n"
        "            }\n"
        "            actions { 0 { forward select pool /Common/a } }\n"
        "            ordinal 1\n        }\n    }\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n}\n"
    )
    first, second = _service(_load(text)).routes
    assert (first.pool, first.match, first.values, first.case_sensitive) == (
        "/Common/a",
        "exact",
        ("/api", "/API"),
        True,
    )
    assert (second.pool, second.match) == ("/Common/b", "always")


def test_profile_base_parents_win_over_builtin_table() -> None:
    base = "ltm persistence universal universal {\n    rule none\n    timeout 300\n}\n"
    profile = "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n}\n"
    result = load_f5_tmsh(
        [("lb/profile_base.conf", base), ("lb/bigip.conf", _vs("/Common/u", profile))]
    )
    (persistence,) = _service(result).persistences
    assert persistence.lifetime_seconds is not None
    assert persistence.lifetime_seconds.value == 300
    assert persistence.lifetime_seconds.inherited
    assert "profile_base.conf" in persistence.lifetime_seconds.note
    assert result.counts["persistence_profiles"] == 1


def test_parse_error_is_reported_not_raised() -> None:
    result = _load("ltm pool /Common/p {\n")
    assert result.load_balancer is None
    (error,) = result.errors
    assert (error.span.line, error.span.column) == (1, 20)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("300", 300),
        ("5:00", 300),
        ("1:0:0", 3600),
        ("1:0:0:0", 86400),
        ("indefinite", None),
    ],
)
def test_parse_duration(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds
