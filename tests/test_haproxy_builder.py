"""The HAProxy builder: defaults inheritance, members, persistence, routes and services."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy, looks_like_haproxy
from tcommlint.loaders.haproxy.persistence import parse_seconds, sample_key
from tcommlint.model import LoadBalancer, Persistence, Pool, Service
from tcommlint.source import Located, Span

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "haproxy"
PATH = "lb/haproxy.cfg"
HTTP_DEFAULTS = "defaults\n    mode http\n"
TWO_SERVERS = "    server p1 10.0.1.11:8443 cookie p1\n    server p2 10.0.1.12:8443 cookie p2\n"


def load(text: str) -> LoadBalancer:
    result = load_haproxy(PATH, text)
    assert result.errors == ()
    assert result.load_balancer is not None
    return result.load_balancer


def pool(text: str, name: str = "be_api") -> Pool:
    found = load(text).pool(name)
    assert found is not None
    return found


def only_persistence(text: str, name: str = "be_api") -> Persistence:
    persistences = pool(text, name).persistences
    assert len(persistences) == 1, persistences
    return persistences[0]


def service(text: str, name: str = "fe") -> Service:
    return next(s for s in load(text).services if s.name == name)


def span(line: int, column: int = 1) -> Span:
    return Span(PATH, line, column)


# --- units and samples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [
        ("30", "s", 30),
        ("30m", "s", 1800),
        ("8h", "s", 28800),
        ("1d", "s", 86400),
        ("1800000", "ms", 1800),
        ("500ms", "s", 0),
        ("90s", "ms", 90),
        ("2000000us", "s", 2),
        ("1.5h", "s", None),
        ("${T}", "ms", None),
    ],
    ids=["bare-seconds", "m", "h", "d", "bare-ms", "ms", "s-in-ms", "us", "decimal", "env"],
)
def test_parse_seconds(text: str, unit: str, seconds: int | None) -> None:
    assert parse_seconds(text, unit) == seconds


@pytest.mark.parametrize(
    ("sample", "keyed_on", "cookie", "response"),
    [
        ("req.cook(JSESSIONID)", "cookie", "JSESSIONID", False),
        ("cook(JSESSIONID),lower", "cookie", "JSESSIONID", False),
        ("req.cookie(JSESSIONID)", "cookie", "JSESSIONID", False),
        ("res.cook(JSESSIONID)", "cookie", "JSESSIONID", True),
        ("scook(JSESSIONID)", "cookie", "JSESSIONID", True),
        ("hdr(Cookie)", "cookie", "Cookie", False),
        ("req.hdr(X-Forwarded-For)", "header", None, False),
        ("src", "client-address", None, False),
        ("src,ipmask(24)", "client-address", None, False),
        ("urlp(client)", "url", None, False),
        ("rand", "other", None, False),
    ],
    ids=lambda v: str(v),
)
def test_sample_key(sample: str, keyed_on: str, cookie: str | None, response: bool) -> None:
    key = sample_key(sample)
    assert (key.keyed_on, key.cookie_name, key.response) == (keyed_on, cookie, response)


# --- inheritance ----------------------------------------------------------------------------


def test_cookie_inherited_from_last_defaults() -> None:
    text = (
        "defaults\n"  # 1
        "    mode http\n"  # 2
        "    cookie SRV insert indirect nocache\n"  # 3
        "backend be_api\n" + TWO_SERVERS  # 4
    )
    persistence = only_persistence(text)
    assert persistence.kind == "cookie-insert"
    assert persistence.span == span(4)
    assert persistence.related == (span(3, 5),)
    assert persistence.cookie_name is not None
    assert persistence.cookie_name.inherited
    assert persistence.cookie_name.span == span(4)
    assert "defaults at line 1" in persistence.cookie_name.note
    assert "inherited from defaults at line 1 ('cookie' at line 3)" in persistence.notes


def test_later_defaults_resets_everything() -> None:
    text = (
        "defaults\n    mode http\n    cookie SRV insert\n    balance source\n"
        "defaults\n    mode http\n"
        "backend be_api\n" + TWO_SERVERS
    )
    found = pool(text)
    assert found.persistences == ()
    assert found.balance is not None
    assert (found.balance.value, found.balance.inherited) == ("roundrobin", True)
    assert "random since 3.3" in found.balance.note


def test_from_picks_a_named_defaults_and_defaults_chain() -> None:
    text = (
        "defaults base\n"  # 1
        "    mode http\n"  # 2
        "    balance source\n"  # 3
        "defaults sticky from base\n"  # 4
        "    cookie SRV insert\n"  # 5
        "defaults\n"  # 6
        "    mode tcp\n"  # 7
        "backend be_api from sticky\n" + TWO_SERVERS  # 8
    )
    found = pool(text)
    kinds = sorted(p.kind for p in found.persistences)
    assert kinds == ["cookie-insert", "source"]
    assert all(p.ineffective == "" for p in found.persistences)  # mode http via base
    assert found.balance is not None
    assert found.balance.note.startswith("inherited from defaults 'base' at line 1")


def test_no_option_cancels_an_inherited_option() -> None:
    text = (
        "defaults\n    mode http\n    option redispatch\n    option allbackups\n"
        "backend be_api\n    no option redispatch\n" + TWO_SERVERS
    )
    notes = pool(text).notes
    assert any(n.startswith("option allbackups (inherited from defaults") for n in notes)
    assert "no option redispatch (line 6): disabled" in notes


def test_from_naming_an_unknown_defaults_is_an_error() -> None:
    result = load_haproxy(PATH, "backend be_api from nowhere\n" + TWO_SERVERS)
    assert result.load_balancer is None
    assert [(e.span.line, e.span.column) for e in result.errors] == [(1, 21)]
    assert "nowhere" in result.errors[0].reason


def test_duplicate_backend_names_are_an_error() -> None:
    result = load_haproxy(PATH, "backend a\nbackend a\nfrontend a\n")
    assert [e.span.line for e in result.errors] == [2]


# --- members --------------------------------------------------------------------------------


def test_members_backup_disabled_default_server_and_addresses() -> None:
    text = (
        "backend be_api\n"  # 1
        "    default-server inter 2s cookie shared\n"  # 2
        "    server a 10.0.0.1:8080 check cookie a\n"  # 3
        "    server b [2001:db8::1]:443 disabled\n"  # 4
        "    server c ipv4@10.0.0.3 backup\n"  # 5
        "    server d /run/app.sock no-backup\n"  # 6
    )
    members = pool(text).members
    assert [(m.name, m.address, m.port) for m in members] == [
        ("a", "10.0.0.1", 8080),
        ("b", "2001:db8::1", 443),
        ("c", "10.0.0.3", None),
        ("d", "/run/app.sock", None),
    ]
    assert [(m.backup, m.disabled) for m in members] == [
        (False, False),
        (False, True),
        (True, False),
        (False, False),
    ]
    assert members[0].span == span(3, 5)
    assert members[0].cookie_value is not None
    assert (members[0].cookie_value.value, members[0].cookie_value.span) == ("a", span(3, 41))
    inherited = members[1].cookie_value
    assert inherited is not None
    assert (inherited.value, inherited.inherited) == ("shared", True)
    assert inherited.note == "from default-server at line 2"


def test_server_template_expands() -> None:
    members = pool("backend be_api\n    server-template px 3 chat.example.com:8443\n").members
    assert [m.name for m in members] == ["px1", "px2", "px3"]
    assert {(m.address, m.port) for m in members} == {("chat.example.com", 8443)}


# --- cookie persistence -----------------------------------------------------------------------


def test_cookie_insert() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    cookie SRV insert indirect nocache httponly\n" + TWO_SERVERS  # 4
    )
    p = only_persistence(text)
    assert (p.kind, p.keyed_on, p.span) == ("cookie-insert", "cookie", span(4, 5))
    assert (p.writes_cookie, p.own_cookie, p.learns_from_response) == (True, True, True)
    assert p.cookie_name is not None and p.cookie_name.value == "SRV"
    assert p.cookie_name.span == span(4, 12)
    assert p.cookie_path is not None and p.cookie_path.value == "/"
    assert p.cookie_http_only is not None and p.cookie_http_only.value is True
    assert p.cookie_http_only.span == span(4, 40)
    assert p.cookie_secure is not None and p.cookie_secure.value is False
    assert p.lifetime_seconds is not None and p.lifetime_seconds.value is None
    assert p.lifetime_kind == "cookie-expiry"
    assert "session cookie" in p.lifetime_seconds.note
    assert p.ineffective == ""


@pytest.mark.parametrize(
    ("options", "seconds", "kind"),
    [
        ("maxidle 30m", 1800, "idle"),
        ("maxidle 30", 30, "idle"),
        ("maxlife 8h", 28800, "absolute"),
        ("maxidle 30m maxlife 20m", 1200, "absolute"),
        ('attr "Max-Age=3600"', 3600, "cookie-expiry"),
    ],
    ids=["maxidle-30m", "maxidle-default-seconds", "maxlife", "shorter-wins", "max-age-attr"],
)
def test_cookie_insert_lifetime(options: str, seconds: int, kind: str) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    cookie SRV insert {options}\n" + TWO_SERVERS
    p = only_persistence(text)
    assert p.lifetime_seconds is not None
    assert (p.lifetime_seconds.value, p.lifetime_kind) == (seconds, kind)


def test_cookie_rewrite_and_prefix() -> None:
    rewrite = only_persistence(
        HTTP_DEFAULTS + "backend be_api\n    cookie SERVERID rewrite\n" + TWO_SERVERS
    )
    assert (rewrite.kind, rewrite.writes_cookie, rewrite.own_cookie) == (
        "cookie-rewrite",
        True,
        True,
    )
    prefix = only_persistence(
        HTTP_DEFAULTS + "backend be_api\n    cookie JSESSIONID prefix nocache\n" + TWO_SERVERS
    )
    assert (prefix.kind, prefix.writes_cookie, prefix.own_cookie) == ("cookie-prefix", False, False)
    assert prefix.learns_from_response is True
    assert prefix.cookie_path is None and prefix.cookie_secure is None
    assert prefix.ineffective == ""


@pytest.mark.parametrize(
    ("defaults", "cookie", "servers", "reason"),
    [
        (HTTP_DEFAULTS, "cookie JSESSIONID", TWO_SERVERS, "has no insert/rewrite/prefix"),
        (
            HTTP_DEFAULTS,
            "cookie SRV insert",
            "    server p1 10.0.1.11:8443\n    server p2 10.0.1.12:8443\n",
            "no server has a cookie value",
        ),
        (
            HTTP_DEFAULTS,
            "cookie SRV insert",
            "    server p1 10.0.1.11:8443\n    server dr 10.9.1.11:8443 backup cookie dr\n",
            "no server has a cookie value",
        ),
        ("", "cookie SRV insert", TWO_SERVERS, "tcp mode"),
        ("defaults\n    mode tcp\n", "cookie SRV insert", TWO_SERVERS, "tcp mode"),
        (HTTP_DEFAULTS, "cookie SRV insert prefix", TWO_SERVERS, "mutually exclusive"),
    ],
    ids=[
        "passive",
        "no-server-cookie",
        "only-backup-has-cookie",
        "default-mode-tcp",
        "mode-tcp",
        "two-modes",
    ],
)
def test_cookie_ineffective(defaults: str, cookie: str, servers: str, reason: str) -> None:
    p = only_persistence(defaults + f"backend be_api\n    {cookie}\n" + servers)
    assert reason in p.ineffective


def test_active_server_without_cookie_value_makes_cookie_ineffective() -> None:
    servers = (
        "    server p1 10.0.1.11:8443 cookie p1\n    server p2 10.0.1.12:8443\n"
        "    server dr 10.9.1.11:8443 backup\n    server off 10.0.1.13:8443 disabled\n"
    )
    p = only_persistence(HTTP_DEFAULTS + "backend be_api\n    cookie SRV insert\n" + servers)
    assert p.ineffective == (
        "cookie SRV insert: server p2 has no cookie value, so sessions it serves are not kept"
    )


def test_dynamic_cookies_need_no_server_values() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n    cookie SRV insert dynamic\n"
        "    dynamic-cookie-key s3cr3t\n    server p1 10.0.1.11:8443\n"
    )
    assert only_persistence(text).ineffective == ""


def test_cookie_in_both_branches_of_an_if_gives_two_persistences() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(USE_PREFIX)\n"  # 4
        "    cookie JSESSIONID prefix\n"  # 5
        ".else\n"  # 6
        "    cookie SRV insert\n"  # 7
        ".endif\n" + TWO_SERVERS
    )
    found = pool(text).persistences
    assert [(p.kind, p.span.line) for p in found] == [("cookie-prefix", 5), ("cookie-insert", 7)]
    assert found[0].notes == ("line 5 is inside .if at line 4; every branch analysed",)


@pytest.mark.parametrize(
    ("cookie", "mode", "column"),
    [
        ("cookie SRV insert indirect nocache", "insert", 16),
        ("cookie JSESSIONID prefix nocache", "prefix", 23),
        ("cookie JSESSIONID rewrite", "rewrite", 23),
    ],
    ids=["insert", "prefix", "rewrite"],
)
def test_cookie_mode_word_is_located(cookie: str, mode: str, column: int) -> None:
    p = only_persistence(HTTP_DEFAULTS + f"backend be_api\n    {cookie}\n" + TWO_SERVERS)
    assert p.mode == Located(mode, span(4, column))


def test_passive_cookie_has_no_mode_and_inherited_mode_points_at_the_proxy() -> None:
    passive = only_persistence(
        HTTP_DEFAULTS + "backend be_api\n    cookie JSESSIONID\n" + TWO_SERVERS
    )
    assert passive.mode is None
    text = "defaults\n    mode http\n    cookie SRV insert\nbackend be_api\n" + TWO_SERVERS
    inherited = only_persistence(text)
    assert inherited.mode is not None
    assert (inherited.mode.value, inherited.mode.span, inherited.mode.inherited) == (
        "insert",
        span(4),
        True,
    )
    assert inherited.mode.note == "inherited from defaults at line 1 ('cookie' at line 3)"


def test_conditional_persistences_carry_their_condition() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(CHAT_STICKY)\n"  # 4
        "    cookie SRV insert\n"  # 5
        ".elif version_atleast(2.2)\n"  # 6
        "    balance source\n"  # 7
        ".else\n"  # 8
        "    balance uri\n"  # 9
        ".endif\n" + TWO_SERVERS
    )
    result = load(text)
    found = result.pool("be_api")
    assert found is not None
    assert [(p.kind, p.span.line, p.condition) for p in found.persistences] == [
        ("cookie-insert", 5, "`.if defined(CHAT_STICKY)` at line 4 is true"),
        ("source", 7, "`.if defined(CHAT_STICKY)` at line 4 is false"),
    ]
    assert any(
        "`.else` at line 8 is never taken" in n and "line 9 ignored" in n for n in result.notes
    )


def test_stick_condition_includes_the_table_and_nested_blocks() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(A)\n"  # 4
        "    stick-table type string len 52 size 10k expire 30m\n"  # 5
        ".endif\n"  # 6
        ".if !defined(B)\n"  # 7
        ".else\n"  # 8
        ".if version_atleast(2.0)\n"  # 9
        "    stick on req.cook(JSESSIONID)\n"  # 10
        ".endif\n.endif\n" + TWO_SERVERS
    )
    p = only_persistence(text)
    assert p.condition == (
        "`.if !defined(B)` at line 7 is false and `.if defined(A)` at line 4 is true"
    )


def test_never_taken_persistence_is_dropped() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n.if version_before(2.0)\n    cookie SRV insert\n"
        ".endif\n" + TWO_SERVERS
    )
    result = load(text)
    found = result.pool("be_api")
    assert found is not None and found.persistences == ()
    assert "`.if version_before(2.0)` at line 4 is never true: line 5 ignored" in result.notes


def test_always_taken_persistence_is_unconditional() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n.if version_atleast(2.0)\n    cookie SRV insert\n"
        ".endif\n" + TWO_SERVERS
    )
    p = only_persistence(text)
    assert (p.condition, p.notes) == ("", ())


def test_unconditional_cookie_overrides_a_conditional_one() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n.if defined(X)\n    cookie A insert\n.endif\n"
        "    cookie SRV insert\n" + TWO_SERVERS
    )
    assert [p.cookie_name.value for p in pool(text).persistences if p.cookie_name] == ["SRV"]


def test_env_in_cookie_name_is_noted() -> None:
    text = HTTP_DEFAULTS + 'backend be_api\n    cookie "${LB_COOKIE}" insert\n' + TWO_SERVERS
    result = load(text)
    p = only_persistence(text)
    assert any("${LB_COOKIE}" in note and "not resolved" in note for note in p.notes)
    assert any("${LB_COOKIE}" in note for note in result.notes)


# --- stick tables -------------------------------------------------------------------------------


def test_stick_on_cookie_learned_from_response() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    stick-table type string len 52 size 200k expire 30m\n"  # 4
        "    stick on req.cook(JSESSIONID)\n"  # 5
        "    stick store-response res.cook(JSESSIONID)\n" + TWO_SERVERS  # 6
    )
    p = only_persistence(text)
    assert (p.kind, p.keyed_on, p.span) == ("stick-table", "cookie", span(5, 5))
    assert p.cookie_name is not None
    assert (p.cookie_name.value, p.cookie_name.span) == ("JSESSIONID", span(5, 14))
    assert p.learns_from_response is True
    assert p.lifetime_seconds is not None
    assert (p.lifetime_seconds.value, p.lifetime_seconds.span) == (1800, span(4, 53))
    assert p.lifetime_kind == "idle"
    assert p.related == (span(4, 5), span(6, 5))
    assert (p.writes_cookie, p.ineffective) == (False, "")


def test_stick_on_cookie_without_store_response_is_not_learned() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n    stick-table type string size 1m expire 1800000\n"
        "    stick on req.cook(JSESSIONID)\n"
        "    stick store-response res.cook(SRVID)\n" + TWO_SERVERS
    )
    p = only_persistence(text)
    assert p.learns_from_response is False
    assert p.lifetime_seconds is not None and p.lifetime_seconds.value == 1800


def test_stick_on_src_and_table_without_expire() -> None:
    text = (
        HTTP_DEFAULTS
        + "backend be_api\n    stick-table type ip size 1m\n    stick on src\n"
        + TWO_SERVERS
    )
    p = only_persistence(text)
    assert (p.keyed_on, p.cookie_name, p.ineffective) == ("client-address", None, "")
    assert p.lifetime_seconds is not None and p.lifetime_seconds.value is None
    assert "never expire" in p.lifetime_seconds.note


@pytest.mark.parametrize(
    ("table", "rule", "reason"),
    [
        ("    stick-table type ip size 1m\n", "stick on req.cook(JSESSIONID)", "type ip cannot"),
        ("    stick-table type integer size 1m\n", "stick match cook(JSESSIONID)", "type integer"),
        ("", "stick on req.cook(JSESSIONID)", "has no stick-table"),
        ("", "stick on req.cook(JSESSIONID) table missing", "table missing, which is not defined"),
        (
            "    stick-table type string size 1m\n",
            "stick store-response res.cook(JSESSIONID)",
            "no 'stick on' or 'stick match' reads it",
        ),
    ],
    ids=["ip-table", "integer-table", "no-table", "unknown-table", "store-without-lookup"],
)
def test_stick_ineffective(table: str, rule: str, reason: str) -> None:
    p = only_persistence(HTTP_DEFAULTS + f"backend be_api\n{table}    {rule}\n" + TWO_SERVERS)
    assert reason in p.ineffective


def test_stick_table_in_another_proxy_or_peers_section() -> None:
    text = (
        "peers lbs\n    peer lb1 10.0.0.1:1024\n    table sessions type string size 1m expire 2h\n"
        + HTTP_DEFAULTS
        + "backend tables\n    stick-table type string size 1m expire 45m\n"
        "backend be_api\n    stick on req.cook(JSESSIONID) table tables\n"
        "    stick store-response res.cook(JSESSIONID) table tables\n"
        + TWO_SERVERS
        + "backend be_peers\n"
        + "    stick on req.cook(JSESSIONID) table lbs/sessions if { path_beg /api }\n"
        + TWO_SERVERS
    )
    shared = only_persistence(text)
    assert shared.lifetime_seconds is not None and shared.lifetime_seconds.value == 2700
    assert (shared.learns_from_response, shared.ineffective) == (True, "")
    peers = only_persistence(text, "be_peers")
    assert peers.lifetime_seconds is not None and peers.lifetime_seconds.value == 7200
    assert peers.ineffective == ""
    assert "applies only if { path_beg /api }" in peers.notes


# --- balance and appsession ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "kind", "keyed_on", "cookie"),
    [
        ("source", "source", "client-address", None),
        ("hash req.cook(JSESSIONID)", "hash", "cookie", "JSESSIONID"),
        ("hdr(Cookie)", "hash", "cookie", "Cookie"),
        ("url_param jsessionid", "hash", "url", "jsessionid"),
        ("uri whole", "hash", "url", None),
        ("rdp-cookie(mstshash)", "hash", "other", None),
    ],
    ids=["source", "hash-cookie", "hdr-cookie", "url-param", "uri", "rdp-cookie"],
)
def test_balance_affinity(balance: str, kind: str, keyed_on: str, cookie: str | None) -> None:
    p = only_persistence(HTTP_DEFAULTS + f"backend be_api\n    balance {balance}\n" + TWO_SERVERS)
    assert (p.kind, p.keyed_on, p.learns_from_response) == (kind, keyed_on, False)
    assert (p.cookie_name.value if p.cookie_name else None) == cookie
    assert p.lifetime_seconds is None
    assert p.span == span(4, 5)


def test_balance_url_param_names_the_parameter() -> None:
    text = HTTP_DEFAULTS + "backend be_api\n    balance url_param jsessionid check_post\n"
    p = only_persistence(text + TWO_SERVERS)
    assert (p.kind, p.keyed_on) == ("hash", "url")
    assert p.cookie_name == Located("jsessionid", span(4, 23))


def test_inherited_url_param_points_at_the_backend() -> None:
    text = "defaults\n    mode http\n    balance url_param sid\nbackend be_api\n" + TWO_SERVERS
    p = only_persistence(text)
    assert p.cookie_name is not None
    assert (p.cookie_name.value, p.cookie_name.span, p.cookie_name.inherited) == (
        "sid",
        span(4),
        True,
    )


@pytest.mark.parametrize("algorithm", ["roundrobin", "leastconn", "random", "first", "static-rr"])
def test_balance_without_affinity_is_not_persistence(algorithm: str) -> None:
    found = pool(HTTP_DEFAULTS + f"backend be_api\n    balance {algorithm}\n" + TWO_SERVERS)
    assert found.persistences == ()
    assert found.balance is not None
    assert (found.balance.value, found.balance.inherited) == (algorithm, False)


def test_appsession_is_ineffective() -> None:
    p = only_persistence(
        HTTP_DEFAULTS
        + "backend be_api\n    appsession JSESSIONID len 52 timeout 3h\n"
        + TWO_SERVERS
    )
    assert (p.kind, p.keyed_on) == ("appsession", "cookie")
    assert p.cookie_name is not None and p.cookie_name.value == "JSESSIONID"
    assert "removed in HAProxy 1.6" in p.ineffective


# --- routes and services -------------------------------------------------------------------------


def routes(frontend: str) -> list[tuple[str, str, tuple[str, ...], bool, bool]]:
    text = HTTP_DEFAULTS + "frontend fe\n    bind :80\n" + frontend
    return [(r.pool, r.match, r.values, r.case_sensitive, r.negate) for r in service(text).routes]


@pytest.mark.parametrize(
    ("frontend", "expected"),
    [
        (
            "    acl is_api path_beg /api/ /chat\n    use_backend be_api if is_api\n",
            [("be_api", "prefix", ("/api/", "/chat"), True, False)],
        ),
        (
            "    use_backend be_api if { path /api }\n",
            [("be_api", "exact", ("/api",), True, False)],
        ),
        (
            "    use_backend be_api if { path_dir -i /API }\n",
            [("be_api", "dir", ("/API",), False, False)],
        ),
        (
            "    use_backend be_api if { path_reg ^/api(/|$) }\n",
            [("be_api", "regex", ("^/api(/|$)",), True, False)],
        ),
        (
            "    use_backend be_api if { path -m beg /api }\n",
            [("be_api", "prefix", ("/api",), True, False)],
        ),
        (
            "    acl static path_beg /static\n    use_backend be_api unless static\n",
            [("be_api", "prefix", ("/static",), True, True)],
        ),
        (
            "    acl static path_beg /static\n    use_backend be_api if !static\n",
            [("be_api", "prefix", ("/static",), True, True)],
        ),
        (
            "    use_backend be_api if { hdr(host) -i api.example.com }\n",
            [("be_api", "other", ("{ hdr(host) -i api.example.com }",), True, False)],
        ),
        (
            "    acl api path_beg /api\n    acl chat path_beg /chat\n"
            "    use_backend be_api if api || chat\n",
            [
                ("be_api", "prefix", ("/api",), True, False),
                ("be_api", "prefix", ("/chat",), True, False),
            ],
        ),
        ("    use_backend be_api\n", [("be_api", "always", (), True, False)]),
        (
            "    acl api path_beg /api\n    acl api hdr(host) api.example.com\n"
            "    use_backend be_api if api\n",
            [
                ("be_api", "prefix", ("/api",), True, False),
                ("be_api", "other", ("hdr(host) api.example.com",), True, False),
            ],
        ),
    ],
    ids=[
        "named-path-beg",
        "inline-path",
        "path-dir-ci",
        "path-reg",
        "path-m-beg",
        "unless",
        "not-acl",
        "non-path",
        "or",
        "unconditional",
        "acl-defined-twice",
    ],
)
def test_routes(
    frontend: str, expected: list[tuple[str, str, tuple[str, ...], bool, bool]]
) -> None:
    assert routes(frontend) == expected


def test_and_keeps_the_path_term_and_notes_the_rest() -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    acl is_post method POST\n    acl api path_beg /api\n"
        "    use_backend be_api if is_post api\n"
    )
    found = service(text)
    assert [(r.match, r.values, r.span) for r in found.routes] == [
        ("prefix", ("/api",), span(6, 5))
    ]
    assert "line 6: use_backend be_api also requires is_post; only api is modelled" in found.notes


def test_services_binds_https_modes_and_default_pool() -> None:
    text = (
        "defaults\n    default_backend be_web\n"  # 1-2
        "frontend fe\n    bind :80\n    bind :443,:8443 ssl crt /etc/x.pem\n"  # 3-5
        "defaults\n"  # 6: resets default_backend
        "listen chat\n    mode http\n    bind :9000\n    server p1 10.0.0.1:80\n"  # 7-10
    )
    lb = load(text)
    fe, chat = lb.services
    assert (fe.binds, fe.https, fe.http) == ((":80", ":443", ":8443"), True, False)
    assert "no mode: HAProxy's default mode tcp applies (no HTTP processing)" in fe.notes
    assert fe.default_pool is not None
    assert (fe.default_pool.value, fe.default_pool.inherited, fe.default_pool.span) == (
        "be_web",
        True,
        span(3),
    )
    assert (chat.https, chat.http) == (False, True)
    assert chat.default_pool is not None and chat.default_pool.value == "chat"
    assert [p.name for p in lb.pools] == ["chat"]


# --- sniffing, suppressions and fixtures --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("global\n    maxconn 100\n", True),
        ("# lb\nbackend be_api\n    server p1 10.0.0.1:80\n", True),
        ("listen chat from web\n\n    # x\n    bind :80\n", True),
        ("backend = tomcat\ntimeout = 30\n", False),
        ("upstream api {\n    server 10.0.0.1;\n}\n", False),
        ("ltm pool /Common/p {\n    members { }\n}\n", False),
        ("AutoCallQueue=true\n", False),
        ("global\n", False),
    ],
    ids=["global", "backend", "listen-from", "properties", "nginx", "tmsh", "proxy", "lonely"],
)
def test_looks_like_haproxy(text: str, expected: bool) -> None:
    assert looks_like_haproxy(text) is expected


def test_fixture_active_active_chat() -> None:
    path = FIXTURES / "active-active-chat" / "haproxy.cfg"
    result = load_haproxy("lb/haproxy.cfg", path.read_text(encoding="utf-8"))
    lb = result.load_balancer
    assert result.errors == () and lb is not None
    (fe,) = lb.services
    assert (fe.name, fe.https, fe.http) == ("fe_chat", True, True)
    assert [(r.pool, r.match, r.values) for r in fe.routes] == [("be_api", "prefix", ("/api",))]
    assert fe.default_pool is not None and fe.default_pool.value == "be_web"
    api = lb.pool("be_api")
    assert api is not None
    assert [m.backup for m in api.members] == [False, False]
    (p,) = api.persistences
    assert (p.kind, p.ineffective, p.span) == ("cookie-insert", "", span(30, 5))
    assert p.cookie_secure is not None and p.cookie_secure.value is True
    assert any(n.startswith("option redispatch (inherited") for n in api.notes)


def test_fixture_active_passive_stick_and_suppression() -> None:
    path = FIXTURES / "active-passive-stick" / "haproxy.cfg"
    result = load_haproxy("lb/haproxy.cfg", path.read_text(encoding="utf-8"))
    lb = result.load_balancer
    assert result.errors == () and lb is not None
    chat = lb.pool("chat")
    assert chat is not None
    assert [(m.name, m.backup) for m in chat.members] == [("primary", False), ("dr", True)]
    (p,) = chat.persistences
    assert (p.kind, p.keyed_on, p.learns_from_response) == ("stick-table", "cookie", True)
    assert p.lifetime_seconds is not None and p.lifetime_seconds.value == 2700
    assert lb.services[0].http is True  # mode http from `defaults web`
    (suppression,) = result.suppressions
    assert (suppression.rule_ids, suppression.applies_to) == (("TC211",), 18)


def test_broken_file_gives_errors_and_no_load_balancer() -> None:
    result = load_haproxy(PATH, 'backend be_api\n    cookie "SRV insert\n')
    assert result.load_balancer is None
    assert [(e.span.line, e.span.column) for e in result.errors] == [(2, 12)]


TRUNCATED = [
    "server",
    "server s",
    "server s [::1",
    "server-template p 1-",
    "server-template p x y",
    "stick on",
    "stick on req.cook(",
    "stick on src table",
    "stick-table type",
    "cookie",
    "cookie X insert maxidle",
    "cookie X insert maxidle abc",
    "use_backend",
    "use_backend be if",
    "use_backend be if {",
    "use_backend be if ! !",
    "acl a path -m",
    "balance",
    "balance hash",
    "balance hdr(",
    "mode",
    "default_backend",
    "no option",
    "bind ,,",
    "appsession",
    "hash-type",
]


@pytest.mark.parametrize("statement", TRUNCATED)
def test_truncated_statements_never_raise(statement: str) -> None:
    text = f"defaults\n    {statement}\nbackend b\n    {statement}\nlisten l\n    {statement}\n"
    result = load_haproxy(PATH, text)
    assert result.load_balancer is not None
