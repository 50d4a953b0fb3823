"""tmsh → pipeline model: services, routes, pools, persistence, defaults-from chains resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.f5.bigip import F5Result, load_f5_tmsh
from tcommlint.pipeline import model as pipeline
from tcommlint.pipeline.balance import candidates
from tcommlint.pipeline.model import (
    Answer,
    HeaderEdit,
    LbCookie,
    LoadBalancer,
    Opaque,
    Persistence,
    Service,
    SetPath,
    StickRule,
    Table,
)
from tcommlint.source import Span

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus" / "f5-tmsh"
ARCHIVE = "f5devcentral__f5-corkscrew__tests__archive_generator__archive1__config__"


def _load(text: str, path: str = "lb/bigip.conf") -> F5Result:
    return load_f5_tmsh([(path, text)])


def _lb(result: F5Result) -> LoadBalancer:
    assert result.load_balancer is not None
    return result.load_balancer


def _service(result: F5Result, name: str = "/Common/vs") -> Service:
    return next(s for s in _lb(result).services if s.name == name)


def _persistence(text: str) -> Persistence:
    return _service(_load(text)).persistence


def _cookie(text: str) -> LbCookie:
    cookie = _persistence(text).cookie
    assert cookie is not None
    return cookie


def _table(result: F5Result, rule: StickRule) -> Table:
    table = _lb(result).table(rule.table)
    assert table is not None
    return table


def _tests(rule_when: object) -> list[pipeline.Test]:
    branches = getattr(rule_when, "branches", ())
    return [test for branch in branches for term in branch for test in term.tests]


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
    lb = _lb(result)
    assert lb.vendor == "f5-tmsh"
    assert result.counts["virtuals"] == len(lb.services) > 5
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
    assert (api.pool, api.via, api.span.line) == ("/Common/pool_api", "ltm-policy", 22)
    ((term,),) = api.when.branches
    (test,) = term.tests
    assert (test.subject, test.op, test.values, test.case_sensitive) == (
        "path",
        "prefix",
        ("/api",),
        False,
    )
    lookup, learn = vs.persistence.stick_rules
    assert (lookup.action, lookup.key.fetch, lookup.key.arg) == ("on", "req.cook", "JSESSIONID")
    assert lookup.when.always  # the `HTTP::cookie exists` guard is the key's own presence
    assert (lookup.span.line, lookup.key_span) == (76, Span(lookup.span.path, 76, 21))
    assert (learn.action, learn.key.fetch, learn.key.arg) == (
        "store-response",
        "res.cook",
        "JSESSIONID",
    )
    assert learn.span.line == 81
    table = _table(result, lookup)
    assert learn.table == lookup.table
    assert table.span.line == 9  # the profile header
    assert table.expire is not None and (table.expire.value, table.expire.span.line) == (3600, 16)
    assert (table.key_type, table.server_key) == ("string", "addr")
    assert vs.persistence.cookie is None
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
SSL = "/Common/http { }\n        /Common/clientssl { context clientside }"


def _vs(profile: str, extra: str = "", port: int = 443, profiles: str = "/Common/http { }") -> str:
    return extra + VS.format(profile=profile, port=port, profiles=profiles)


def test_builtin_cookie_insert_defaults() -> None:
    cookie = _cookie(_vs("/Common/cookie", profiles=SSL))
    assert (cookie.mode.value, cookie.mode.inherited) == ("insert", True)
    assert cookie.encoded
    assert (cookie.name.value, cookie.name.inherited) == ("BIGipServerpool_api", True)
    assert cookie.max_age is None  # expiration 0: a session cookie
    assert cookie.path is not None and cookie.path.value == "/"
    assert cookie.secure is not None and cookie.secure.value and cookie.secure.inherited
    assert cookie.httponly is not None and cookie.httponly.value
    assert cookie.span.line == 10  # the persist reference: no profile of the user's


def test_members_are_named_by_the_cookie() -> None:
    (pool,) = _lb(_load(_vs("/Common/cookie"))).pools
    assert [(s.name, s.node, s.number) for s in pool.servers] == [
        ("/Common/10.0.0.1:8080", "10.0.0.1:8080", 1),
        ("/Common/10.0.0.2:8080", "10.0.0.2:8080", 2),
    ]
    for server in pool.servers:
        assert server.cookie is not None
        assert (server.cookie.value, server.cookie.span, server.cookie.inherited) == (
            server.node,
            server.span,
            True,
        )
    assert pool.balance.algorithm.value == "round-robin" and pool.balance.key is None
    assert pool.balance.algorithm.inherited and pool.http


def test_secure_only_on_a_client_ssl_virtual() -> None:
    cookie = _cookie(_vs("/Common/cookie"))  # port 443 but no client SSL profile
    assert cookie.secure is not None and not cookie.secure.value
    assert "client SSL profile" in cookie.secure.note
    assert not _service(_load(_vs("/Common/cookie"))).https


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
    cookie = _cookie(_vs("/Common/cookie_child", COOKIE_CHAIN, profiles=SSL))
    assert cookie.mode.value == "insert"
    assert cookie.span.line == 6  # the child profile's header
    name = cookie.name
    assert (name.value, name.span.line, name.inherited) == ("JSESSIONID", 2, True)
    assert "cookie_base" in name.note
    assert cookie.max_age is not None and (cookie.max_age.value, cookie.max_age.span.line) == (
        3600,
        4,
    )
    secure = cookie.secure
    assert secure is not None and (secure.value, secure.span.line) == (False, 8)
    http_only = cookie.httponly
    assert http_only is not None and http_only.inherited and http_only.value
    assert http_only.span.line == 3  # the last defaults-from line before the built-in
    assert "/Common/cookie" in http_only.note


HASH_JS = (
    "ltm persistence cookie /Common/hash_js {\n"
    "    cookie-name JSESSIONID\n"
    "    defaults-from /Common/cookie\n"
    "    method hash\n"
    "}\n"
)


def test_cookie_hash_on_jsessionid() -> None:
    result = _load(_vs("/Common/hash_js", HASH_JS))
    persistence = _service(result).persistence
    assert persistence.cookie is None
    match, store = persistence.stick_rules
    assert (match.action, match.key.fetch, match.key.arg) == ("match", "req.cook", "JSESSIONID")
    assert (store.action, store.key.fetch, store.key.arg) == (
        "store-response",
        "res.cook",
        "JSESSIONID",
    )
    assert match.key_span.line == 2  # the cookie-name line
    table = _table(result, match)
    assert table.expire is not None
    assert (table.expire.value, table.expire.inherited, table.expire.span.line) == (180, True, 3)


def test_cookie_hash_offset_and_length() -> None:
    profile = HASH_JS.replace(
        "method hash\n", "method hash\n    hash-offset 2\n    hash-length 8\n"
    )
    match, _ = _persistence(_vs("/Common/hash_js", profile)).stick_rules
    assert match.key.converters == (("bytes", ("2", "8")),)


def test_passive_and_rewrite_cookie_modes() -> None:
    for method in ("passive", "rewrite"):
        profile = (
            "ltm persistence cookie /Common/p {\n"
            f"    defaults-from /Common/cookie\n    method {method}\n}}\n"
        )
        cookie = _cookie(_vs("/Common/p", profile))
        assert (cookie.mode.value, cookie.mode.span.line) == (method, 3)
        assert cookie.secure is None and cookie.httponly is None  # insert only


def test_cookie_without_http_profile_makes_its_pool_tcp() -> None:
    result = _load(_vs("/Common/cookie", profiles="/Common/tcp { }"))
    service = _service(result)
    assert not service.http
    assert service.persistence.cookie is not None
    assert any("without an HTTP profile" in note for note in service.notes)
    (pool,) = _lb(result).pools
    assert not pool.http


def test_pool_used_by_http_and_tcp_virtuals_stays_http() -> None:
    text = _vs("/Common/cookie") + (
        "ltm virtual /Common/vs_tcp {\n    pool /Common/pool_api\n"
        "    profiles { /Common/tcp { } }\n}\n"
    )
    (pool,) = _lb(_load(text)).pools
    assert pool.http
    assert any("with and without an HTTP profile" in note for note in pool.notes)


def test_http_profile_found_through_its_defaults_from_chain() -> None:
    extra = "ltm profile http /Common/http_xff {\n    defaults-from /Common/http\n}\n"
    service = _service(_load(_vs("/Common/cookie", extra, 80, "/Common/http_xff { }")))
    assert service.http and not service.https


def test_universal_without_rule_persists_nothing() -> None:
    profile = "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n}\n"
    service = _service(_load(_vs("/Common/u", profile)))
    assert service.persistence.empty
    (inert,) = service.persistence.inert
    assert "has no rule" in inert.reason and inert.span.line == 1


def test_universal_rule_only_on_requests_does_not_learn() -> None:
    profile = (
        "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n"
        "    rule r\n}\n"
        'ltm rule /Common/r {\nwhen HTTP_REQUEST { persist uie [HTTP::cookie "JSESSIONID"] }\n}\n'
    )
    result = _load(_vs("/Common/u", profile))
    (rule,) = _service(result).persistence.stick_rules
    assert (rule.action, rule.key.fetch, rule.key.arg) == ("on", "req.cook", "JSESSIONID")
    table = _table(result, rule)
    assert table.expire is not None
    assert (table.expire.value, table.expire.inherited, table.expire.span.line) == (180, True, 2)


def test_source_addr() -> None:
    result = _load(_vs("/Common/source_addr"))
    (rule,) = _service(result).persistence.stick_rules
    assert (rule.action, rule.key.fetch) == ("on", "src")
    table = _table(result, rule)
    assert table.key_type == "ip"
    assert table.expire is not None and (table.expire.value, table.expire.inherited) == (180, True)
    assert rule.span.line == 10  # the persist reference of the built-in profile


def test_dest_addr_is_one_key_for_every_client() -> None:
    (rule,) = _persistence(_vs("/Common/dest_addr")).stick_rules
    assert (rule.action, rule.key.fetch, rule.key.arg) == ("on", "const", "/Common/10.0.0.10:443")


@pytest.mark.parametrize("profile", ["/Common/ssl", "/Common/msrdp", "/Common/nowhere"])
def test_persistence_outside_the_model_is_opaque(profile: str) -> None:
    service = _service(_load(_vs(profile)))
    (step,) = service.request_steps
    assert isinstance(step, Opaque) and step.span.line == 10
    assert service.persistence.empty


@pytest.mark.parametrize(
    ("members", "min_active", "active", "note"),
    [
        ((10, 5), 1, ["10.0.0.1:80"], "standby"),
        ((10, 5), 0, ["10.0.0.1:80", "10.0.0.2:80"], "ignored"),
        ((10, 10), 1, ["10.0.0.1:80", "10.0.0.2:80"], ""),
    ],
    ids=["active-passive", "min-active-zero-trap", "same-group"],
)
def test_priority_groups(
    members: tuple[int, int], min_active: int, active: list[str], note: str
) -> None:
    text = (
        "ltm pool /Common/p {\n    members {\n"
        f"        /Common/10.0.0.1:80 {{ address 10.0.0.1 priority-group {members[0]} }}\n"
        f"        /Common/10.0.0.2:80 {{ address 10.0.0.2 priority-group {members[1]} }}\n"
        f"    }}\n    min-active-members {min_active}\n}}\n"
    )
    (pool,) = _lb(_load(text)).pools
    assert tuple(s.priority_group for s in pool.servers) == members
    assert not any(s.backup for s in pool.servers)
    assert pool.min_active_members == min_active
    assert [s.node for s in candidates(pool)] == active
    assert (note in " ".join(pool.notes)) if note else not pool.notes


def test_members_ipv6_disabled_and_ratio() -> None:
    text = (
        "ltm pool /Common/p {\n    members {\n"
        "        /Common/2001:db8::1.8080 { address 2001:db8::1 session user-disabled }\n"
        "        /Common/10.0.0.2:80 { address 10.0.0.2 ratio 3 }\n"
        "    }\n}\n"
    )
    (pool,) = _lb(_load(text)).pools
    first, second = pool.servers
    assert (first.address, first.port, first.disabled, first.node) == (
        "2001:db8::1",
        8080,
        True,
        "2001:db8::1:8080",
    )
    assert (second.disabled, second.weight) == (False, 3)
    assert pool.persist_to_down  # user-disabled members still take persistent requests


def test_forced_offline_member_takes_nothing() -> None:
    text = (
        "ltm pool /Common/p {\n    members {\n"
        "        /Common/10.0.0.1:80 { address 10.0.0.1 session user-disabled state user-down }\n"
        "    }\n}\n"
    )
    (pool,) = _lb(_load(text)).pools
    assert pool.servers[0].disabled and not pool.persist_to_down


def test_relative_names_resolve_in_folder_then_common() -> None:
    text = (
        "ltm pool /Tenant/app/pool_api { }\n"
        "ltm pool /Common/shared_pool { }\n"
        "ltm virtual /Tenant/app/vs {\n    pool pool_api\n    rules { r }\n"
        "    profiles { /Common/http { } }\n}\n"
        "ltm rule /Common/r {\nwhen HTTP_REQUEST {\n"
        '  if { [HTTP::path] starts_with "/x" } { pool shared_pool }\n}\n}\n'
    )
    service = _service(_load(text), "/Tenant/app/vs")
    assert service.default_pool is not None
    assert service.default_pool.value == "/Tenant/app/pool_api"
    (route,) = service.routes
    (test,) = _tests(route.when)
    assert (route.pool, route.via, test.values, test.op) == (
        "/Common/shared_pool",
        "irule",
        ("/x",),
        "prefix",
    )
    assert (route.span.line, route.span.column) == (10, 42)


def test_draft_policy_is_not_applied() -> None:
    text = (
        "ltm policy /Common/Drafts/pol {\n    rules {\n        api {\n"
        "            actions { 0 { forward select pool /Common/p } }\n        }\n    }\n}\n"
        "ltm virtual /Common/vs {\n    policies { /Common/Drafts/pol { } }\n"
        "    profiles { /Common/http { } }\n}\n"
    )
    service = _service(_load(text))
    assert service.routes == ()
    (inert,) = service.inert
    assert str(inert.span) == "lb/bigip.conf:9:16"
    assert inert.reason.startswith("LTM policy /Common/Drafts/pol is a draft")


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
    mode = _cookie(_vs(profile, extra)).mode
    assert (mode.span.line, mode.inherited) == (line, inherited)


def test_fallback_persistence_comes_after_the_primary() -> None:
    text = _vs("/Common/cookie").replace(
        "    pool /Common/pool_api\n",
        "    pool /Common/pool_api\n    fallback-persistence /Common/source_addr\n",
    )
    service = _service(_load(text))
    assert service.persistence.cookie is not None
    (fallback,) = service.persistence.stick_rules
    assert (fallback.action, fallback.key.fetch) == ("on", "src")
    assert fallback.span == Span("lb/bigip.conf", 15, 26)  # the fallback-persistence value
    assert any("fallback-persistence" in note for note in service.notes)


def test_policy_rules_follow_ordinal_and_flags() -> None:
    text = (
        "ltm policy /Common/pol {\n    rules {\n"
        "        second { actions { 0 { forward select pool /Common/b } } ordinal 2 }\n"
        "        first {\n"
        "            conditions {\n"
        "                0 { http-uri path equals case-sensitive values { /api /API } }\n"
        "            }\n"
        "            actions { 0 { forward select pool /Common/a } }\n"
        "            ordinal 1\n        }\n    }\n    strategy first-match\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n    profiles { /Common/http { } }\n}\n"
    )
    first, second = _service(_load(text)).routes
    (test,) = _tests(first.when)
    assert (first.pool, test.op, test.values, test.case_sensitive) == (
        "/Common/a",
        "exact",
        ("/api", "/API"),
        True,
    )
    assert "http-uri path equals case-sensitive values { /api /API }" in test.text
    # first-match: the second rule applies only when the first did not match
    ((term,),) = second.when.branches
    assert second.pool == "/Common/b" and term.negate and term.tests == (test,)


def test_first_match_rule_without_forward_shadows_later_rules() -> None:
    text = (
        "ltm policy /Common/pol {\n    rules {\n"
        "        log_api { conditions { 0 { http-uri path starts-with values { /api } } }\n"
        "            actions { 0 { log write message api } } ordinal 1 }\n"
        "        api { conditions { 0 { http-uri path starts-with values { /api } } }\n"
        "            actions { 0 { forward select pool /Common/a } } ordinal 2 }\n"
        "    }\n    strategy /Common/first-match\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n    profiles { /Common/http { } }\n}\n"
    )
    (route,) = _service(_load(text)).routes
    ((held, failed),) = route.when.branches
    assert not held.negate and failed.negate  # /api and not /api: never


def test_all_match_last_forward_wins() -> None:
    text = (
        "ltm policy /Common/pol {\n    rules {\n"
        "        a { actions { 0 { forward select pool /Common/a } } ordinal 1 }\n"
        "        b { actions { 0 { forward select pool /Common/b } } ordinal 2 }\n"
        "    }\n    strategy /Common/all-match\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n    profiles { /Common/http { } }\n}\n"
    )
    assert [r.pool for r in _service(_load(text)).routes] == ["/Common/b", "/Common/a"]


def test_policy_actions_on_cookies_and_paths() -> None:
    text = (
        "ltm policy /Common/pol {\n    rules {\n        r {\n            actions {\n"
        "                0 { http-header remove name Cookie }\n"
        "                1 { http-uri replace path /app }\n"
        "                2 { http-reply redirect location http://x/ }\n"
        "                3 { persist source-address }\n"
        "            }\n        }\n    }\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n    profiles { /Common/http { } }\n}\n"
    )
    edit, path, answer, opaque = _service(_load(text)).request_steps
    assert isinstance(edit, HeaderEdit) and (edit.action, edit.header) == ("del", "cookie")
    assert isinstance(path, SetPath) and path.value == "/app"
    assert isinstance(answer, Answer) and answer.status == 302
    assert isinstance(opaque, Opaque) and "persistence set by a policy" in opaque.reason


def test_policy_on_a_virtual_without_http_is_not_applied() -> None:
    text = (
        "ltm policy /Common/pol {\n"
        "    rules { r { actions { 0 { forward select pool /Common/a } } } }\n}\n"
        "ltm virtual /Common/vs {\n    policies { pol { } }\n    profiles { /Common/tcp { } }\n}\n"
    )
    service = _service(_load(text))
    assert service.routes == ()
    assert any("needs an HTTP profile" in note for note in service.notes)


IRULE_VS = """ltm pool /Common/pool_api {{ }}
ltm pool /Common/pool_web {{ }}
ltm rule /Common/r {{
{body}
}}
ltm virtual /Common/vs {{
    pool /Common/pool_web
    profiles {{ /Common/http {{ }} }}
    rules {{ /Common/r }}
}}
"""


def _irule_service(body: str) -> Service:
    return _service(_load(IRULE_VS.format(body=body)))


def test_irule_routes_last_executed_first() -> None:
    service = _irule_service(
        "when HTTP_REQUEST {\n  pool pool_web\n"
        '  if { [HTTP::uri] starts_with "/api" } { pool pool_api }\n}'
    )
    api, web = service.routes
    assert (api.pool, web.pool) == ("/Common/pool_api", "/Common/pool_web")
    (test,) = _tests(api.when)
    assert (test.subject, test.op, test.values) == ("url", "prefix", ("/api",))
    assert web.when.always


def test_irule_else_and_switch_branches() -> None:
    service = _irule_service(
        "when HTTP_REQUEST {\n"
        '  if { [HTTP::path] equals "/a" } { pool pool_api } else { pool pool_web }\n'
        "  switch -glob [string tolower [HTTP::path]] {\n"
        '    "/b*" - "/c" { pool pool_api }\n'
        "    default { pool pool_web }\n  }\n}"
    )
    default, switch_arm, else_branch, if_branch = service.routes
    (arm,) = switch_arm.when.branches[0]
    assert [(t.op, t.values, t.case_sensitive) for t in arm.tests] == [
        ("prefix", ("/b",), False),
        ("exact", ("/c",), False),
    ]
    (rest,) = default.when.branches[0]
    assert rest.negate and len(rest.tests) == 2
    ((negated,),) = else_branch.when.branches
    assert negated.negate and negated.tests[0].values == ("/a",)
    assert not if_branch.when.branches[0][0].negate


def test_irule_edits_answers_and_opaque_commands() -> None:
    service = _irule_service(
        "when HTTP_REQUEST {\n"
        "  HTTP::cookie remove JSESSIONID\n"
        "  HTTP::header remove Cookie\n"
        "  HTTP::header remove X-Forwarded-For\n"
        '  if { [HTTP::path] equals "/" } { HTTP::redirect "/api/" }\n'
        '  HTTP::uri "/app[HTTP::uri]"\n'
        "  node 10.0.0.1 80\n"
        "}\n"
        "when HTTP_RESPONSE {\n  HTTP::header remove Set-Cookie\n}"
    )
    remove, delete, redirect, path, node = service.request_steps
    assert isinstance(remove, HeaderEdit) and remove.action == "replace-header"
    assert remove.header == "cookie" and (remove.span.line, remove.span.column) == (5, 3)
    assert isinstance(delete, HeaderEdit) and (delete.action, delete.header) == ("del", "cookie")
    assert isinstance(redirect, Answer) and not redirect.when.always
    assert isinstance(path, SetPath) and path.dynamic
    assert isinstance(node, Opaque) and node.text == "node 10.0.0.1 80"
    (response,) = service.response_steps
    assert isinstance(response, HeaderEdit) and response.header == "set-cookie"


def test_irule_persist_none_and_unreadable_conditions() -> None:
    service = _irule_service(
        "when HTTP_REQUEST {\n"
        '  if { [HTTP::path] starts_with "/static" } { persist none }\n'
        '  if { [HTTP::host] eq "a" } { persist uie [HTTP::cookie JSESSIONID] }\n'
        "  persist uie [findstr [HTTP::uri] jsessionid= 11 ;]\n"
        "}"
    )
    (ignore,) = service.persistence.persist_rules
    assert ignore.kind == "ignore" and not ignore.when.always
    first, second = service.request_steps
    assert isinstance(first, Opaque) and "cannot decide" in first.reason
    assert isinstance(second, Opaque) and "outside the model" in second.reason
    assert service.persistence.stick_rules == ()


def test_irule_persist_commands() -> None:
    service = _irule_service(
        "when HTTP_REQUEST {\n"
        "  persist cookie hash JSESSIONID 0 16 1200\n"
        "  persist source_addr 255.255.255.255 600\n"
        "  persist cookie insert SRV 3600\n"
        "}"
    )
    match, _, source = service.persistence.stick_rules
    assert match.key.converters == (("bytes", ("0", "16")),)
    assert source.key.fetch == "src"
    cookie = service.persistence.cookie
    assert cookie is not None and (cookie.name.value, cookie.mode.value) == ("SRV", "insert")
    assert cookie.max_age is not None and cookie.max_age.value == 3600


def test_irule_missing_and_sys_https_redirect() -> None:
    text = (
        "ltm virtual /Common/vs {\n    profiles { /Common/http { } }\n"
        "    rules { /Common/_sys_https_redirect /Common/gone }\n}\n"
    )
    redirect, missing = _service(_load(text)).request_steps
    assert isinstance(redirect, Answer) and redirect.status == 302
    assert isinstance(missing, Opaque) and "not among the files" in missing.reason


def test_irule_http_events_on_a_tcp_virtual() -> None:
    text = IRULE_VS.format(body="when HTTP_REQUEST { pool pool_api }")
    text = text.replace("/Common/http { }", "/Common/tcp { }")
    service = _service(_load(text))
    assert service.routes == ()
    assert any("never runs" in note for note in service.notes)


def test_profile_base_parents_win_over_builtin_table() -> None:
    base = "ltm persistence universal universal {\n    rule none\n    timeout 300\n}\n"
    profile = (
        "ltm persistence universal /Common/u {\n    defaults-from /Common/universal\n"
        "    rule /Common/r\n}\n"
        "ltm rule /Common/r {\nwhen HTTP_REQUEST { persist uie [HTTP::cookie JSESSIONID] }\n}\n"
    )
    result = load_f5_tmsh(
        [("lb/profile_base.conf", base), ("lb/bigip.conf", _vs("/Common/u", profile))]
    )
    (rule,) = _service(result).persistence.stick_rules
    expire = _table(result, rule).expire
    assert expire is not None and (expire.value, expire.inherited) == (300, True)
    assert "profile_base.conf" in expire.note
    assert result.counts["persistence_profiles"] == 1


def test_parse_error_is_reported_not_raised() -> None:
    result = _load("ltm pool /Common/p {\n")
    assert result.load_balancer is None
    (error,) = result.errors
    assert (error.span.line, error.span.column) == (1, 20)


def test_cookie_mentions_for_fixes() -> None:
    profile = (
        "ltm persistence cookie /Common/hash_js {\n    cookie-name jsessionid\n"
        "    defaults-from /Common/cookie\n    method hash\n}\n"
        "ltm rule /Common/r {\nwhen HTTP_REQUEST {\n"
        '  if { [HTTP::cookie exists "jsessionid"] } { log local0. [HTTP::cookie jsessionid] }\n'
        "}\n}\n"
    )
    text = _vs("/Common/hash_js", profile).replace(
        "    pool /Common/pool_api\n", "    pool /Common/pool_api\n    rules { /Common/r }\n"
    )
    mentions = _lb(_load(text)).cookie_mentions
    assert [(name, span.line, span.column) for name, span in mentions] == [
        ("jsessionid", 2, 17),
        ("jsessionid", 8, 30),
        ("jsessionid", 8, 73),
    ]


def test_cookie_named_after_the_routed_pool_without_default_pool() -> None:
    text = (
        "ltm pool /Common/pool_api { }\n"
        "ltm rule /Common/r {\nwhen HTTP_REQUEST { pool pool_api }\n}\n"
        "ltm virtual /Common/vs {\n    persist { /Common/cookie { default yes } }\n"
        "    profiles { /Common/http { } }\n    rules { /Common/r }\n}\n"
    )
    cookie = _service(_load(text)).persistence.cookie
    assert cookie is not None and cookie.name.value == "BIGipServerpool_api"
    assert cookie.name.inherited


def test_persist_none_under_an_unreadable_condition_is_opaque() -> None:
    service = _irule_service(
        'when HTTP_REQUEST {\n  if { [HTTP::host] eq "a" } { persist none }\n}'
    )
    (step,) = service.request_steps
    assert isinstance(step, Opaque) and service.persistence.persist_rules == ()


@pytest.mark.parametrize(("expiration", "seconds"), [("3600", 3600), ("1:00:00", 3600)])
def test_irule_cookie_expiration_in_f5_time(expiration: str, seconds: int) -> None:
    """An iRule reads BIG-IP's time syntax like tmsh: seconds or ``[[[d:]h:]m:]s``."""
    service = _irule_service(f"when HTTP_REQUEST {{\n  persist cookie insert SRV {expiration}\n}}")
    cookie = service.persistence.cookie
    assert cookie is not None and cookie.max_age is not None
    assert cookie.max_age.value == seconds
