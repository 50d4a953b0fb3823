"""The HAProxy compiler and the verdicts it leads to, without running haproxy.

The first half checks the pipeline records ``tcommlint/loaders/haproxy`` compiles a file into
(spans, inheritance, persistence, conditions, steps, variants); the second plays the chat
session through them (``pipeline.simulate``), keyword family by keyword family, and checks the
verdict and the code and line of every cause.

Every configuration here is one ``haproxy -c`` 2.6 accepts, unless the test is about a refusal
(TC001: errors and no load balancer). Files under ``/etc/haproxy/`` (a certificate, a Lua
script, an SPOE configuration, a map) were present when that was checked.

Expectations come from the HAProxy 2.6 configuration manual and the documented behaviour of
``tcommlint/pipeline``. Where the simulator or the compiler disagrees, the case is a strict
xfail whose reason names the manual section: those are findings, not expectations to adjust.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy, looks_like_haproxy
from tcommlint.loaders.haproxy.persistence import parse_size
from tcommlint.loaders.haproxy.samples import log_format, parse_sample
from tcommlint.pipeline.model import (
    ALWAYS,
    Answer,
    Balance,
    Condition,
    HeaderEdit,
    LbCookie,
    LoadBalancer,
    Opaque,
    PersistRule,
    Pool,
    Sample,
    Service,
    SetPath,
    SetVar,
    StickRule,
    Table,
    Term,
    UsePool,
    UseServer,
)
from tcommlint.pipeline.model import Test as AclTest
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate
from tcommlint.source import Located, Span

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "haproxy"
PATH = "lb/haproxy.cfg"
HTTP_DEFAULTS = "defaults\n    mode http\n"
TWO_SERVERS = "    server p1 10.0.1.11:8443 cookie p1\n    server p2 10.0.1.12:8443 cookie p2\n"
# Appended where a file would otherwise have no listener (haproxy -c: "will not start").
FRONTEND = "frontend fe\n    bind :8080\n    default_backend be_api\n"


def load_all(text: str) -> tuple[LoadBalancer, ...]:
    """Every compilation of a file haproxy accepts (one per undecidable ``.if`` branch)."""
    result = load_haproxy(PATH, text)
    assert result.errors == ()
    return result.load_balancers


def load(text: str) -> LoadBalancer:
    (lb,) = load_all(text)
    return lb


def pool(text: str, name: str = "be_api") -> Pool:
    found = load(text).pool(name)
    assert found is not None
    return found


def cookie_of(lb: LoadBalancer, name: str = "be_api") -> LbCookie | None:
    """The load balancer's cookie of a pool."""
    found = lb.pool(name)
    assert found is not None
    return found.persistence.cookie


def service(text: str, name: str = "fe") -> Service:
    return next(s for s in load(text).services if s.name == name)


def span(line: int, column: int = 1) -> Span:
    return Span(PATH, line, column)


def refused(text: str) -> list[tuple[int, int]]:
    """Where tcommlint reports TC001 for a file haproxy refuses; nothing is compiled."""
    result = load_haproxy(PATH, text)
    assert result.load_balancers == ()
    return [(error.span.line, error.span.column) for error in result.errors]


def acl(
    subject: str, op: str, *values: str, name: str = "", ci: bool = False, text: str = ""
) -> AclTest:
    """An expected ACL test (case-sensitive unless ``ci``)."""
    return AclTest(subject, op, name, values, not ci, text)


def when(*branches: tuple[Term, ...], negate: bool = False, text: str = "") -> Condition:
    return Condition(tuple(branches), negate, text)


# --- units, samples, log-format templates -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [("500", 500), ("10k", 10240), ("200k", 204800), ("1m", 1048576), ("2G", 2 * 1024**3)],
)
def test_parse_size_suffixes_are_powers_of_1024(text: str, size: int) -> None:
    assert parse_size(text) == size
    assert parse_size(text + "x") is None


@pytest.mark.parametrize(
    ("text", "response", "fetch", "arg", "converters"),
    [
        ("req.cook(JSESSIONID)", False, "req.cook", "JSESSIONID", ()),
        ("cook(JSESSIONID),lower", False, "req.cook", "JSESSIONID", (("lower", ()),)),
        ("req.cook_val(JSESSIONID)", False, "req.cook", "JSESSIONID", ()),
        ("cookie(JSESSIONID)", False, "req.cook", "JSESSIONID", ()),
        ("cookie(JSESSIONID)", True, "res.cook", "JSESSIONID", ()),
        ("res.cook(JSESSIONID)", True, "res.cook", "JSESSIONID", ()),
        ("scook(JSESSIONID)", True, "res.cook", "JSESSIONID", ()),
        ("hdr(Cookie)", False, "req.cookies", "", ()),
        ("hdr(X-Node)", True, "res.hdr", "X-Node", ()),
        ("req.hdr(X-Forwarded-For)", False, "req.hdr", "X-Forwarded-For", ()),
        ("src", False, "src", "", ()),
        ("urlp(client)", False, "query", "client", ()),
        ("path,field(2,/)", False, "path", "", (("field", ("2", "/")),)),
        ("str(p1)", False, "const", "p1", ()),
        ("var(txn.node)", False, "var", "txn.node", ()),
    ],
    ids=lambda value: str(value),
)
def test_parse_sample(
    text: str,
    response: bool,
    fetch: str,
    arg: str,
    converters: tuple[tuple[str, tuple[str, ...]], ...],
) -> None:
    assert parse_sample(text, response).sample == Sample(fetch, arg, converters, text)


def test_url_param_delimiter_and_cookie_property() -> None:
    parsed = parse_sample("url_param(jsessionid,;)").sample
    assert parsed is not None
    assert (parsed.fetch, parsed.arg, parsed.delimiter, parsed.cookie) == (
        "query",
        "jsessionid",
        ";",
        None,
    )
    cookie = parse_sample("res.cook(JSESSIONID)", response=True).sample
    assert cookie is not None and cookie.cookie == "JSESSIONID"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("src,ipmask(24)", "the converter ipmask is outside the model"),
        ("rand", "the sample fetch rand is outside the model"),
        ("lua.node", "the sample fetch lua.node is outside the model"),
        ("req.cook(JSESSIONID),json", "the converter json is outside the model"),
    ],
)
def test_samples_outside_the_model_say_why(text: str, reason: str) -> None:
    assert parse_sample(text) == (None, reason)


@pytest.mark.parametrize(
    ("text", "template"),
    [
        (
            "be_%[req.cook(X),field(2,.)]",
            ("be_", Sample("req.cook", "X", (("field", ("2", ".")),), "req.cook(X),field(2,.)")),
        ),
        ("a%[path]b", ("a", Sample("path", "", (), "path"), "b")),
        ("100%%", ("100%",)),
        ("plain", ("plain",)),
        ("%ci", None),
        ("%{+Q}r", None),
        ("%[lua.node]", None),
        ("%[path", None),
    ],
    ids=[
        "sample-with-converter",
        "surrounded",
        "escaped-percent",
        "literal",
        "log-var",
        "log-flags",
        "unknown-fetch",
        "unclosed",
    ],
)
def test_log_format_templates(text: str, template: tuple[str | Sample, ...] | None) -> None:
    assert log_format(text) == template


# --- defaults inheritance ----------------------------------------------------------------------


def test_cookie_inherited_from_last_defaults_points_at_the_backend() -> None:
    text = (
        "defaults\n"  # 1
        "    mode http\n"  # 2
        "    cookie SRV insert indirect nocache\n"  # 3
        "backend be_api\n" + TWO_SERVERS + FRONTEND  # 4
    )
    cookie = pool(text).persistence.cookie
    assert cookie is not None
    note = "inherited from defaults at line 1 ('cookie' at line 3)"
    assert cookie.name == Located("SRV", span(4), True, note)
    assert cookie.mode == Located("insert", span(4), True, note)
    assert cookie.span == span(4)
    assert cookie.path == Located("/", span(4), True, note)
    assert (cookie.indirect, cookie.postonly, cookie.preserve) == (True, False, False)


def test_later_defaults_resets_everything() -> None:
    text = (
        "defaults\n    mode http\n    cookie SRV insert\n    balance source\n"
        "defaults\n    mode http\n"
        "backend be_api\n" + TWO_SERVERS + FRONTEND  # 7
    )
    found = pool(text)
    assert found.persistence.cookie is None
    algorithm = found.balance.algorithm
    assert (algorithm.value, algorithm.span, algorithm.inherited) == ("roundrobin", span(7), True)
    assert "random since" in algorithm.note
    assert found.balance.key is None


def test_from_picks_a_named_defaults_and_defaults_chain() -> None:
    text = (
        "defaults base\n"  # 1
        "    mode http\n"  # 2
        "    balance source\n"  # 3
        "defaults sticky from base\n"  # 4
        "    cookie SRV insert\n"  # 5
        "defaults\n"  # 6
        "    mode tcp\n"  # 7
        "backend be_api from sticky\n"  # 8
        + TWO_SERVERS
        + "frontend fe from sticky\n    bind :8080\n    default_backend be_api\n"
    )
    lb = load(text)
    found = lb.pool("be_api")
    assert found is not None and found.http is True  # mode http from base, through sticky
    assert lb.services[0].http is True
    assert found.balance.algorithm == Located(
        "source", span(8), True, "inherited from defaults 'base' at line 1 ('balance' at line 3)"
    )
    assert found.balance.key == Sample("src", "", (), "source")
    cookie = found.persistence.cookie
    assert cookie is not None
    assert cookie.name.note == "inherited from defaults 'sticky' at line 4 ('cookie' at line 5)"


def test_rules_of_a_named_defaults_run_before_the_proxy_own() -> None:
    text = (
        "defaults web\n"  # 1
        "    mode http\n"  # 2
        "    http-request del-header X-Debug\n"  # 3
        "frontend fe from web\n"  # 4
        "    bind :8080\n"  # 5
        "    http-request set-header X-Chat 1\n"  # 6
        "    default_backend be_api\n"  # 7
        "defaults\n    mode http\n"  # 8-9: haproxy refuses a frontend and a backend sharing
        "backend be_api\n" + TWO_SERVERS  # 10: a defaults section that has rules
    )
    steps = service(text).request_steps
    assert [(type(s).__name__, s.span) for s in steps] == [
        ("HeaderEdit", span(3, 5)),
        ("HeaderEdit", span(6, 5)),
    ]
    assert steps[0] == HeaderEdit("del", "x-debug", span(3, 5), "http-request del-header X-Debug")


def test_no_option_cancels_an_inherited_option() -> None:
    text = (
        "defaults\n    mode http\n    option redispatch\n    option allbackups\n"
        "    option persist\n"
        "backend be_api\n    no option redispatch\n" + TWO_SERVERS + FRONTEND
    )
    found = pool(text)
    assert (found.redispatch, found.all_backups, found.persist_to_down) == (False, True, True)


def test_default_backend_inherited_and_mode_notes() -> None:
    text = (
        "defaults\n    default_backend be_web\n"  # 1-2
        "frontend fe\n    bind :80\n"  # 3-4
        "    bind :443,:8443 ssl crt /etc/haproxy/certs/chat.pem\n"  # 5
        "defaults\n"  # 6: resets default_backend
        "listen chat\n    mode http\n    bind :9000\n    server p1 10.0.0.1:80\n"  # 7-10
        "backend be_web\n    server w1 10.0.0.2:80\n"  # 11-12
    )
    lb = load(text)
    fe, chat = lb.services
    assert (fe.binds, fe.https, fe.http) == ((":80", ":443", ":8443"), True, False)
    assert fe.notes == ("no mode: HAProxy's default mode tcp applies (no HTTP processing)",)
    assert fe.default_pool is not None
    assert (fe.default_pool.value, fe.default_pool.inherited, fe.default_pool.span) == (
        "be_web",
        True,
        span(3),
    )
    assert (chat.https, chat.http, chat.notes) == (False, True, ())
    assert chat.default_pool is not None
    assert (chat.default_pool.value, chat.default_pool.span) == ("chat", span(7))
    assert "listen section serves its own servers" in chat.default_pool.note
    assert [p.name for p in lb.pools] == ["chat", "be_web"]


# --- servers ---------------------------------------------------------------------------------


def test_servers_backup_disabled_default_server_and_addresses() -> None:
    text = (
        "backend be_api\n"  # 1
        "    default-server inter 2s cookie shared\n"  # 2
        "    server a 10.0.0.1:8080 check cookie a\n"  # 3
        "    server b [2001:db8::1]:443 disabled\n"  # 4
        "    server c ipv4@10.0.0.3 backup\n"  # 5
        "    server d /run/app.sock no-backup\n" + FRONTEND  # 6
    )
    servers = pool(text).servers
    assert [(s.name, s.address, s.port, s.node) for s in servers] == [
        ("a", "10.0.0.1", 8080, "10.0.0.1:8080"),
        ("b", "2001:db8::1", 443, "2001:db8::1:443"),
        ("c", "10.0.0.3", None, "10.0.0.3"),
        ("d", "/run/app.sock", None, "/run/app.sock"),
    ]
    assert [(s.backup, s.disabled, s.weight, s.number) for s in servers] == [
        (False, False, 1, 1),
        (False, True, 1, 2),
        (True, False, 1, 3),
        (False, False, 1, 4),
    ]
    assert servers[0].span == span(3, 5)
    assert servers[0].cookie == Located("a", span(3, 41))
    assert servers[1].cookie == Located(
        "shared", span(2, 36), True, "from default-server at line 2"
    )


def test_server_weight_id_maxconn_and_enabled() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    default-server disabled\n"  # 4
        "    server a 10.0.0.1:8080 weight 0 maxconn 50 enabled\n"  # 5
        "    server b 10.0.0.2:8080 id 7 weight 256\n"  # 6
        "    server c 10.0.0.3:8080\n" + FRONTEND  # 7
    )
    servers = pool(text).servers
    assert [(s.name, s.weight, s.number, s.maxconn, s.disabled) for s in servers] == [
        ("a", 0, 1, 50, False),
        ("b", 256, 7, None, True),
        ("c", 1, 2, None, True),  # the lowest unused id (src/cfgparse.c get_next_id)
    ]


def test_automatic_server_ids_skip_ids_in_use() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n    server a 10.0.0.1:8080 id 2\n"
        "    server b 10.0.0.2:8080\n" + FRONTEND
    )
    # HAProxy numbers a server without an id with the lowest unused id, from 1 (manual 5.2
    # "id"; src/cfgparse.c assigns them in configuration order with get_next_id).
    assert [(s.name, s.number) for s in pool(text).servers] == [("a", 2), ("b", 1)]


def test_server_template_expands() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    server-template px 3 10.0.0.1:8443 check\n"  # 4
        "    server-template dr 7-8 10.0.0.9:8443 backup\n" + FRONTEND  # 5
    )
    servers = pool(text).servers
    assert [(s.name, s.number, s.backup, s.span) for s in servers] == [
        ("px1", 1, False, span(4, 5)),
        ("px2", 2, False, span(4, 5)),
        ("px3", 3, False, span(4, 5)),
        ("dr7", 4, True, span(5, 5)),
        ("dr8", 5, True, span(5, 5)),
    ]
    assert {s.node for s in servers} == {"10.0.0.1:8443", "10.0.0.9:8443"}


def test_unresolved_host_with_init_addr_none_starts_in_maintenance() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n    server a chat1.invalid:8080 init-addr none\n"
        "    server b 10.0.0.2:8080 init-addr none\n" + FRONTEND
    )
    assert [(s.name, s.disabled) for s in pool(text).servers] == [("a", True), ("b", False)]


# --- the load balancer's cookie --------------------------------------------------------------


def test_cookie_insert_record() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    cookie SRV insert indirect nocache httponly\n" + TWO_SERVERS + FRONTEND  # 4
    )
    cookie = pool(text).persistence.cookie
    assert cookie is not None
    assert (cookie.span, cookie.name, cookie.mode) == (
        span(4, 5),
        Located("SRV", span(4, 12)),
        Located("insert", span(4, 16)),
    )
    assert cookie.path == Located("/", span(4, 5))
    assert cookie.httponly == Located(True, span(4, 40))
    assert cookie.secure == Located(False, span(4, 5))
    assert (cookie.indirect, cookie.dynamic, cookie.domain) == (True, False, "")
    assert (cookie.max_idle, cookie.max_life, cookie.max_age) == (None, None, None)


@pytest.mark.parametrize(
    ("options", "field", "located"),
    [
        ("maxidle 30m", "max_idle", Located(1800, span(4, 31))),
        ("maxidle 30", "max_idle", Located(30, span(4, 31))),
        ("maxlife 8h", "max_life", Located(28800, span(4, 31))),
        ('attr "Max-Age=3600"', "max_age", Located(3600, span(4, 28))),
        ('attr "SameSite=None" attr "Max-Age=60"', "max_age", Located(60, span(4, 49))),
    ],
    ids=["maxidle-30m", "maxidle-default-seconds", "maxlife", "max-age-attr", "second-attr"],
)
def test_cookie_lifetimes(options: str, field: str, located: Located[int]) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    cookie SRV insert {options}\n" + TWO_SERVERS
    cookie = pool(text + FRONTEND).persistence.cookie
    assert cookie is not None
    assert getattr(cookie, field) == located


@pytest.mark.parametrize(
    ("cookie", "mode"),
    [
        ("cookie SRV insert indirect nocache", Located("insert", span(4, 16))),
        ("cookie JSESSIONID prefix nocache", Located("prefix", span(4, 23))),
        ("cookie JSESSIONID rewrite", Located("rewrite", span(4, 23))),
        ("cookie JSESSIONID", Located("passive", span(4, 12))),
        ("cookie SRV indirect insert", Located("insert", span(4, 25))),
    ],
    ids=["insert", "prefix", "rewrite", "passive-at-name", "mode-after-option"],
)
def test_cookie_mode_is_located(cookie: str, mode: Located[str]) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    {cookie}\n" + TWO_SERVERS + FRONTEND
    found = pool(text).persistence.cookie
    assert found is not None and found.mode == mode


def test_cookie_flags_and_domain() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"
        "    cookie SRV insert postonly preserve secure domain .example.com dynamic\n"
        "    dynamic-cookie-key s3cr3t\n" + TWO_SERVERS + FRONTEND
    )
    cookie = pool(text).persistence.cookie
    assert cookie is not None
    assert (cookie.postonly, cookie.preserve, cookie.dynamic, cookie.indirect) == (
        True,
        True,
        True,
        False,
    )
    assert (cookie.domain, cookie.secure) == (".example.com", Located(True, span(4, 41)))


def test_dynamic_cookies_need_the_key() -> None:
    servers = "    server p1 10.0.1.11:8443\n    server p2 10.0.1.12:8443 cookie mine\n"
    keyed = pool(
        HTTP_DEFAULTS + "backend be_api\n    cookie SRV insert dynamic\n"  # 3-4
        "    dynamic-cookie-key s3cr3t\n" + servers + FRONTEND  # 5-7
    ).servers
    assert keyed[0].cookie == Located("dynamic-10.0.1.11:8443", span(6, 5), True)
    assert keyed[1].cookie == Located("mine", span(7, 37))
    keyless = pool(
        HTTP_DEFAULTS + "backend be_api\n    cookie SRV insert dynamic\n" + servers + FRONTEND
    )
    assert keyless.servers[0].cookie is None


def test_inherited_mode_and_env_cookie_name() -> None:
    text = "defaults\n    mode http\n    cookie SRV insert\nbackend be_api\n" + TWO_SERVERS
    cookie = pool(text + FRONTEND).persistence.cookie
    assert cookie is not None
    assert cookie.mode == Located(
        "insert", span(4), True, "inherited from defaults at line 1 ('cookie' at line 3)"
    )
    # haproxy expands ${LB_COOKIE} at start (and refuses the file when it is unset): the name
    # is kept as written, and no refusal is made on a word holding a variable.
    text = HTTP_DEFAULTS + 'backend be_api\n    cookie "${LB_COOKIE}" insert\n' + TWO_SERVERS
    cookie = pool(text + FRONTEND).persistence.cookie
    assert cookie is not None and cookie.name == Located("${LB_COOKIE}", span(4, 12))


def test_cookie_mentions_for_the_rename_fix() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    cookie JSESSIONDI prefix\n"  # 4
        "    stick-table type string len 52 size 1k\n"  # 5
        "    stick on req.cook(JSESSIONDI),lower\n"  # 6
        "    stick store-response res.cook(JSESSIONDI)\n" + TWO_SERVERS + FRONTEND  # 7
    )
    assert load(text).cookie_mentions == (
        ("JSESSIONDI", span(4, 12)),
        ("JSESSIONDI", span(6, 14)),
        ("JSESSIONDI", span(7, 26)),
    )


# --- conditional blocks: one compilation per undecidable branch --------------------------------


def test_cookie_in_both_branches_of_an_if_gives_two_load_balancers() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(USE_PREFIX)\n"  # 4
        "    cookie JSESSIONID prefix\n"  # 5
        ".else\n"  # 6
        "    cookie SRV insert\n"  # 7
        ".endif\n" + TWO_SERVERS + FRONTEND
    )
    found = []
    for lb in load_all(text):
        cookie = cookie_of(lb)
        assert cookie is not None
        found.append((lb.assumption, cookie.mode.value, cookie.span.line))
    assert found == [
        ("`.if defined(USE_PREFIX)` at line 4 is true", "prefix", 5),
        ("`.if defined(USE_PREFIX)` at line 4 is false", "insert", 7),
    ]


def test_elif_always_true_drops_the_else() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(CHAT_STICKY)\n"  # 4
        "    cookie SRV insert\n"  # 5
        ".elif version_atleast(2.2)\n"  # 6
        "    balance source\n"  # 7
        ".else\n"  # 8
        "    balance uri\n"  # 9
        ".endif\n" + TWO_SERVERS + FRONTEND
    )
    found = []
    for lb in load_all(text):
        assert lb.notes == (
            "`.else` at line 8 is never taken: `.elif version_atleast(2.2)` at line 6 is always "
            "true: line 9 ignored",
        )
        be = lb.pool("be_api")
        assert be is not None
        cookie = be.persistence.cookie
        found.append((lb.assumption, cookie and cookie.span.line, be.balance.algorithm))
    assert found == [
        (
            "`.if defined(CHAT_STICKY)` at line 4 is true",
            5,
            Located(
                "roundrobin",
                span(3),
                True,
                "no balance: HAProxy's default algorithm (roundrobin before 3.3, random since)",
            ),
        ),
        ("`.if defined(CHAT_STICKY)` at line 4 is false", None, Located("source", span(7, 13))),
    ]


def test_nested_blocks_describe_every_branch_taken() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        ".if defined(A)\n"  # 4
        "    stick-table type string len 52 size 10k expire 30m\n"  # 5
        ".endif\n"  # 6
        ".if !defined(B)\n"  # 7
        ".else\n"  # 8
        ".if version_atleast(2.0)\n"  # 9
        "    stick on req.cook(JSESSIONID)\n"  # 10
        ".endif\n.endif\n" + TWO_SERVERS + FRONTEND
    )
    assert [(lb.assumption, [t.name for t in lb.tables]) for lb in load_all(text)] == [
        ("`.if defined(A)` at line 4 is true; `.if !defined(B)` at line 7 is false", ["be_api"]),
        ("no branch of the .if at line 4 is taken; `.if !defined(B)` at line 7 is false", []),
    ]


def test_never_and_always_taken_branches_are_decided() -> None:
    never = (
        HTTP_DEFAULTS + "backend be_api\n.if version_before(2.0)\n    cookie SRV insert\n"
        ".endif\n" + TWO_SERVERS + FRONTEND
    )
    lb = load(never)
    assert lb.assumption == ""
    assert lb.notes == ("`.if version_before(2.0)` at line 4 is never true: line 5 ignored",)
    assert pool(never).persistence.cookie is None
    always = never.replace("version_before", "version_atleast")
    lb = load(always)
    assert lb.assumption == ""
    assert lb.notes == (
        "`.if version_atleast(2.0)` at line 4 is always true (conditional blocks need HAProxy "
        "2.4 or later): read unconditionally",
    )
    cookie = pool(always).persistence.cookie
    assert cookie is not None and cookie.span == span(5, 5)


def test_unconditional_cookie_overrides_a_conditional_one() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n.if defined(X)\n    cookie A insert\n.endif\n"
        "    cookie SRV insert\n" + TWO_SERVERS + FRONTEND
    )
    found = []
    for lb in load_all(text):
        cookie = cookie_of(lb)
        assert cookie is not None
        found.append((lb.assumption, cookie.name.value))
    assert found == [
        ("`.if defined(X)` at line 4 is true", "SRV"),
        ("no branch of the .if at line 4 is taken", "SRV"),
    ]


def test_each_variant_is_simulated_apart() -> None:
    text = (
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n"
        "    timeout server 30s\n" + FRONTEND + "backend be_api\n"
        ".if defined(CHAT_STICKY)\n    cookie SRV insert indirect nocache\n.endif\n" + TWO_SERVERS
    )
    verdicts = [
        (lb.assumption, [o.verdict for o in simulate(lb, AppModel())]) for lb in load_all(text)
    ]
    assert verdicts == [
        ("`.if defined(CHAT_STICKY)` at line 10 is true", ["sticky"]),
        ("no branch of the .if at line 10 is taken", ["breaks"]),
    ]


# --- stick tables and rules ------------------------------------------------------------------


def test_stick_table_and_rules_records() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    stick-table type string len 52 size 200k expire 30m\n"  # 4
        "    stick on req.cook(JSESSIONID)\n"  # 5
        "    stick store-response res.cook(JSESSIONID)\n" + TWO_SERVERS + FRONTEND  # 6
    )
    lb = load(text)
    assert lb.tables == (
        Table("be_api", span(4, 5), "string", 52, 204800, Located(1800, span(4, 53))),
    )
    be = lb.pool("be_api")
    assert be is not None
    assert be.persistence.stick_rules == (
        StickRule(
            "on",
            Sample("req.cook", "JSESSIONID", (), "req.cook(JSESSIONID)"),
            "be_api",
            span(5, 5),
            "stick on req.cook(JSESSIONID)",
            span(5, 14),
        ),
        StickRule(
            "store-response",
            Sample("res.cook", "JSESSIONID", (), "res.cook(JSESSIONID)"),
            "be_api",
            span(6, 5),
            "stick store-response res.cook(JSESSIONID)",
            span(6, 26),
        ),
    )
    assert be.persistence.cookie is None and be.request_steps == ()


@pytest.mark.parametrize(
    ("table", "fields"),
    [
        ("type ip size 1m", {"key_type": "ip", "size": 1048576, "key_len": None}),
        ("type integer size 10k", {"key_type": "integer", "size": 10240}),
        ("type ipv6 size 10", {"key_type": "ipv6", "size": 10}),
        ("type binary len 16 size 10", {"key_type": "binary", "key_len": 16}),
        ("type string size 1k nopurge expire 1h", {"nopurge": True, "key_len": None}),
        ("type string size 1k srvkey addr", {"server_key": "addr"}),
        ("type string size 1k srvkey name", {"server_key": "name"}),
    ],
    ids=["ip", "integer", "ipv6", "binary-len", "nopurge", "srvkey-addr", "srvkey-name"],
)
def test_stick_table_fields(table: str, fields: dict[str, object]) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    stick-table {table}\n" + TWO_SERVERS + FRONTEND
    (found,) = load(text).tables
    assert {key: getattr(found, key) for key in fields} == fields


@pytest.mark.parametrize(
    ("expire", "seconds"),
    [("expire 1800000", 1800), ("expire 500", 1), ("expire 45m", 2700), ("expire 2d", 172800)],
    ids=["bare-milliseconds", "rounded-up", "minutes", "days"],
)
def test_stick_table_expire_in_milliseconds_by_default(expire: str, seconds: int) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    stick-table type ip size 1k {expire}\n"
    (table,) = load(text + TWO_SERVERS + FRONTEND).tables
    assert table.expire == Located(seconds, span(4, 40))


def test_stick_table_without_expire_never_expires() -> None:
    text = HTTP_DEFAULTS + "backend be_api\n    stick-table type ip size 1m\n    stick on src\n"
    (table,) = load(text + TWO_SERVERS + FRONTEND).tables
    assert table.expire == Located(None, span(4, 5), note="no expire: entries never expire")


def test_tables_in_another_proxy_or_a_peers_section() -> None:
    text = (
        "global\n    localpeer lb1\n"  # 1-2
        "peers lbs\n    peer lb1 127.0.0.1:10000\n"  # 3-4
        "    table sessions type string len 52 size 1m expire 2h\n"  # 5
        + HTTP_DEFAULTS  # 6-7
        + "backend tables\n    stick-table type string size 1m expire 45m\n"  # 8-9
        "backend be_api\n    stick on req.cook(JSESSIONID) table tables\n"  # 10-11
        "    stick store-response res.cook(JSESSIONID) table tables\n"  # 12
        + TWO_SERVERS  # 13-14
        + "backend be_peers\n"  # 15
        + "    stick on req.cook(JSESSIONID) table lbs/sessions if { path_beg /api }\n"  # 16
        + TWO_SERVERS
        + FRONTEND
    )
    lb = load(text)
    assert [(t.name, t.span, t.expire) for t in lb.tables] == [
        ("lbs/sessions", span(5, 5), Located(7200, span(5, 54))),
        ("tables", span(9, 5), Located(2700, span(9, 44))),
    ]
    shared = lb.pool("be_api")
    peers = lb.pool("be_peers")
    assert shared is not None and peers is not None
    assert [r.table for r in shared.persistence.stick_rules] == ["tables", "tables"]
    (rule,) = peers.persistence.stick_rules
    assert (rule.table, rule.key_span) == ("lbs/sessions", span(16, 14))
    prefix = acl("path", "prefix", "/api", text="path_beg /api")
    assert rule.when == when((Term((prefix,)),), text="if { path_beg /api }")


def test_stick_rule_outside_the_model_becomes_an_opaque_step() -> None:
    text = (
        "global\n    lua-load /etc/haproxy/chat.lua\n" + HTTP_DEFAULTS + "backend be_api\n"  # 5
        "    stick-table type string size 1k\n    stick on lua.node\n" + TWO_SERVERS + FRONTEND
    )
    be = pool(text)
    assert be.persistence.stick_rules == ()
    assert be.request_steps == (
        Opaque("the sample fetch lua.node is outside the model", span(7, 5), "stick on lua.node"),
    )


def test_use_server_and_persist_rules() -> None:
    text = (
        HTTP_DEFAULTS + "backend be_api\n"  # 3
        "    force-persist if { req.cook(ADMIN) -m found }\n"  # 4
        "    ignore-persist unless { path_beg /api }\n"  # 5
        "    use-server p1 if { path_beg /api/admin }\n"  # 6
        "    use-server %[req.cook(NODE)] if TRUE\n" + TWO_SERVERS + FRONTEND  # 7
    )
    persistence = pool(text).persistence
    admin = acl("cookie", "found", name="ADMIN", text="req.cook(ADMIN) -m found")
    api = acl("path", "prefix", "/api", text="path_beg /api")
    assert persistence.persist_rules == (
        PersistRule(
            "force",
            span(4, 5),
            "force-persist if { req.cook(ADMIN) -m found }",
            when((Term((admin,)),), text="if { req.cook(ADMIN) -m found }"),
        ),
        PersistRule(
            "ignore",
            span(5, 5),
            "ignore-persist unless { path_beg /api }",
            when((Term((api,)),), negate=True, text="unless { path_beg /api }"),
        ),
    )
    first, computed = persistence.server_rules
    assert (first.server, first.span, first.template) == ("p1", span(6, 5), ())
    true = AclTest("path", "always", text="TRUE")
    assert computed == UseServer(
        "",
        span(7, 5),
        "use-server %[req.cook(NODE)] if TRUE",
        when((Term((true,)),), text="if TRUE"),
        (Sample("req.cook", "NODE", (), "req.cook(NODE)"),),
    )


# --- balance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "key"),
    [
        ("source", Sample("src", "", (), "source")),
        ("hash req.cook(JSESSIONID)", Sample("req.cook", "JSESSIONID", (), "req.cook(JSESSIONID)")),
        ("hdr(Cookie)", Sample("req.cookies", "", (), "hdr(Cookie)")),
        ("hdr(User-Agent)", Sample("req.hdr", "User-Agent", (), "hdr(User-Agent)")),
        ("url_param jsessionid", Sample("query", "jsessionid", (), "url_param jsessionid")),
        ("url_param sid check_post", Sample("query", "sid", (), "url_param sid check_post")),
        ("uri", Sample("path", "", (), "uri")),
        ("uri whole", Sample("url", "", (), "uri whole")),
        ("uri len 4", Sample("path", "", (("bytes", ("0", "4")),), "uri len 4")),
        ("uri depth 2", Sample("path", "", (("uri_depth", ("2",)),), "uri depth 2")),
        ("rdp-cookie(mstshash)", Sample("none", "", (), "rdp-cookie(mstshash)")),
        ("roundrobin", None),
        ("static-rr", None),
        ("leastconn", None),
        ("first", None),
        ("random(2)", None),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else "",
)
def test_balance_algorithm_and_key(balance: str, key: Sample | None) -> None:
    text = HTTP_DEFAULTS + f"backend be_api\n    balance {balance}\n" + TWO_SERVERS + FRONTEND
    found = pool(text).balance
    assert found.algorithm == Located(balance.split()[0].partition("(")[0], span(4, 13))
    assert (found.key, found.hash_type) == (key, "map-based")


def test_balance_inherited_with_hash_type() -> None:
    text = (
        "defaults\n    mode http\n    balance url_param sid\n    hash-type consistent\n"
        "backend be_api\n" + TWO_SERVERS + FRONTEND  # 5
    )
    found = pool(text).balance
    assert found == Balance(
        Located(
            "url_param", span(5), True, "inherited from defaults at line 1 ('balance' at line 3)"
        ),
        Sample("query", "sid", (), "url_param sid"),
        "consistent",
    )


def test_balance_hash_outside_the_model_is_an_opaque_step() -> None:
    text = (
        "global\n    lua-load /etc/haproxy/chat.lua\n" + HTTP_DEFAULTS + "backend be_api\n"  # 5
        "    balance hash lua.node\n" + TWO_SERVERS + FRONTEND  # 6
    )
    found = pool(text)
    assert found.balance.key is None
    assert found.request_steps == (
        Opaque(
            "the sample fetch lua.node is outside the model", span(6, 5), "balance hash lua.node"
        ),
    )


# --- conditions: ACLs, inline ACLs, predefined ACLs --------------------------------------------

API_PREFIX = acl("path", "prefix", "/api", text="path_beg /api")


@pytest.mark.parametrize(
    ("frontend", "condition"),
    [
        (
            "    acl is_api path_beg /api/ /chat\n    use_backend be_api if is_api\n",
            when(
                (Term((acl("path", "prefix", "/api/", "/chat", text="path_beg /api/ /chat"),)),),
                text="if is_api",
            ),
        ),
        (
            "    use_backend be_api if { path /api }\n",
            when(
                (Term((acl("path", "exact", "/api", text="path /api"),)),), text="if { path /api }"
            ),
        ),
        (
            "    use_backend be_api if { path_dir -i /API }\n",
            when(
                (Term((acl("path", "dir", "/API", ci=True, text="path_dir -i /API"),)),),
                text="if { path_dir -i /API }",
            ),
        ),
        (
            "    use_backend be_api if { path_reg ^/api(/|$) }\n",
            when(
                (Term((acl("path", "regex", "^/api(/|$)", text="path_reg ^/api(/|$)"),)),),
                text="if { path_reg ^/api(/|$) }",
            ),
        ),
        (
            "    use_backend be_api if { path -m beg /api }\n",
            when(
                (Term((acl("path", "prefix", "/api", text="path -m beg /api"),)),),
                text="if { path -m beg /api }",
            ),
        ),
        (
            "    use_backend be_api if { url_end .js .css }\n",
            when(
                (Term((acl("url", "suffix", ".js", ".css", text="url_end .js .css"),)),),
                text="if { url_end .js .css }",
            ),
        ),
        (
            "    acl static path_beg /static\n    use_backend be_api unless static\n",
            when(
                (Term((acl("path", "prefix", "/static", text="path_beg /static"),)),),
                negate=True,
                text="unless static",
            ),
        ),
        (
            "    acl static path_beg /static\n    use_backend be_api if !static\n",
            when(
                (Term((acl("path", "prefix", "/static", text="path_beg /static"),), True),),
                text="if !static",
            ),
        ),
        (
            "    acl api path_beg /api\n    acl chat path_beg /chat\n"
            "    use_backend be_api if api || chat or { path /x }\n",
            when(
                (Term((API_PREFIX,)),),
                (Term((acl("path", "prefix", "/chat", text="path_beg /chat"),)),),
                (Term((acl("path", "exact", "/x", text="path /x"),)),),
                text="if api || chat or { path /x }",
            ),
        ),
        (
            "    acl is_post method POST\n    acl api path_beg /api\n"
            "    use_backend be_api if is_post api\n",
            when(
                (Term((acl("method", "exact", "POST", text="method POST"),)), Term((API_PREFIX,))),
                text="if is_post api",
            ),
        ),
        (
            "    acl api path_beg /api\n    acl api hdr(host) api.example.com\n"
            "    use_backend be_api if api\n",
            when(
                (Term((API_PREFIX, AclTest("host", "found", text="hdr(host) api.example.com"))),),
                text="if api",
            ),
        ),
        (
            "    use_backend be_api if { req.hdr(host),field(1,:) -m str chat.example.com }\n",
            when(
                (
                    Term(
                        (
                            AclTest(
                                "host",
                                "found",
                                text="req.hdr(host),field(1,:) -m str chat.example.com",
                            ),
                        )
                    ),
                ),
                text="if { req.hdr(host),field(1,:) -m str chat.example.com }",
            ),
        ),
        ("    use_backend be_api\n", ALWAYS),
    ],
    ids=[
        "named-path-beg",
        "inline-path",
        "path-dir-ci",
        "path-reg",
        "path-m-beg",
        "url-end",
        "unless",
        "not-acl",
        "or",
        "and",
        "acl-defined-twice",
        "host-with-converter",
        "unconditional",
    ],
)
def test_route_conditions(frontend: str, condition: Condition) -> None:
    text = HTTP_DEFAULTS + "frontend fe\n    bind :80\n" + frontend + "backend be_api\n"
    (route,) = service(text + TWO_SERVERS).routes
    assert (route.pool, route.via, route.span.column) == ("be_api", "acl", 5)
    assert route.when == condition


@pytest.mark.parametrize(
    ("criterion", "test"),
    [
        ("METH_GET", AclTest("method", "exact", values=("GET", "HEAD"), text="METH_GET")),
        ("METH_POST", AclTest("method", "exact", values=("POST",), text="METH_POST")),
        ("TRUE", AclTest("path", "always", text="TRUE")),
        ("HTTP", AclTest("path", "always", text="HTTP")),
        ("FALSE", AclTest("path", "never", text="FALSE")),
        ("HTTP_URL_ABS", AclTest("path", "never", text="HTTP_URL_ABS")),
        ("{ ssl_fc }", AclTest("tls", "found", text="ssl_fc")),
        (
            "{ hdr(host) -i chat.example.com }",
            AclTest("host", "found", text="hdr(host) -i chat.example.com"),
        ),
        (
            "{ req.cook(JSESSIONID) -m found }",
            acl("cookie", "found", name="JSESSIONID", text="req.cook(JSESSIONID) -m found"),
        ),
        (
            "{ cook_sub(SRV) p1 }",
            acl("cookie", "substring", "p1", name="SRV", text="cook_sub(SRV) p1"),
        ),
        (
            "{ hdr_sub(Cookie) -i jsessionid }",
            acl(
                "header",
                "substring",
                "jsessionid",
                name="cookie",
                ci=True,
                text="hdr_sub(Cookie) -i jsessionid",
            ),
        ),
        (
            "{ url_param(sid) -m found }",
            acl("query", "found", name="sid", text="url_param(sid) -m found"),
        ),
        (
            "{ var(txn.app) -m str api }",
            acl("var", "exact", "api", name="txn.app", text="var(txn.app) -m str api"),
        ),
        (
            "{ path,field(2,/) -m str api }",
            AclTest(
                "sample",
                "exact",
                "",
                ("api",),
                True,
                "path,field(2,/) -m str api",
                Sample("path", "", (("field", ("2", "/")),), "path,field(2,/)"),
            ),
        ),
        ("{ src 10.0.0.0/8 }", AclTest("env", "found", text="src 10.0.0.0/8")),
        (
            "{ hdr(x-forwarded-for) -m found }",
            AclTest("env", "found", text="hdr(x-forwarded-for) -m found"),
        ),
        (
            "{ path -f /etc/haproxy/hosts.map }",
            AclTest("env", "found", text="path -f /etc/haproxy/hosts.map"),
        ),
        (
            "{ path,lower,map(/etc/haproxy/hosts.map) -m found }",
            AclTest("env", "found", text="path,lower,map(/etc/haproxy/hosts.map) -m found"),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_acl_criteria(criterion: str, test: AclTest) -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n"
        f"    use_backend be_api if {criterion}\n    default_backend be_api\n"
        "backend be_api\n" + TWO_SERVERS
    )
    (route,) = service(text).routes
    assert route.when.branches == ((Term((test,)),),)


def test_response_conditions_read_the_response() -> None:
    text = (
        HTTP_DEFAULTS + FRONTEND + "backend be_api\n"  # 6
        "    http-response del-header Set-Cookie if { status 500 } { res.cook(SRV) -m found }\n"
        + TWO_SERVERS
    )
    (step,) = pool(text).response_steps
    assert isinstance(step, HeaderEdit) and step.header == "set-cookie"
    assert step.when.branches == (
        (
            Term((acl("status", "exact", "500", text="status 500"),)),
            Term((acl("res-cookie", "found", name="SRV", text="res.cook(SRV) -m found"),)),
        ),
    )


# --- request and response steps ----------------------------------------------------------------


def test_header_edits_and_templates() -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n"  # 3-4
        "    http-request del-header Cookie if { path_beg /static }\n"  # 5
        '    http-request set-header X-Session "id=%[req.cook(JSESSIONID),lower]"\n'  # 6
        r"    http-request replace-value Cookie JSESSIONID=(.*) SESSION=\1" + "\n"  # 7
        "    http-request add-header X-Forwarded-Proto https\n"  # 8
        "    http-response replace-header Set-Cookie (.*) \\1;\\ Secure\n"  # 9
        "    http-after-response set-header X-Served-By lb1\n"  # 10
        "    http-after-response del-header Set-Cookie\n"  # 11
        "    default_backend be_api\nbackend be_api\n" + TWO_SERVERS
    )
    fe = service(text)
    static = acl("path", "prefix", "/static", text="path_beg /static")
    lower = Sample("req.cook", "JSESSIONID", (("lower", ()),), "req.cook(JSESSIONID),lower")
    assert fe.request_steps == (
        HeaderEdit(
            "del",
            "cookie",
            span(5, 5),
            "http-request del-header Cookie if { path_beg /static }",
            when=when((Term((static,)),), text="if { path_beg /static }"),
        ),
        HeaderEdit(
            "set",
            "x-session",
            span(6, 5),
            "http-request set-header X-Session id=%[req.cook(JSESSIONID),lower]",
            "id=%[req.cook(JSESSIONID),lower]",
            dynamic=True,
            template=("id=", lower),
        ),
        HeaderEdit(
            "replace-value",
            "cookie",
            span(7, 5),
            r"http-request replace-value Cookie JSESSIONID=(.*) SESSION=\1",
            r"SESSION=\1",
            "JSESSIONID=(.*)",
        ),
        HeaderEdit(
            "add",
            "x-forwarded-proto",
            span(8, 5),
            "http-request add-header X-Forwarded-Proto https",
            "https",
        ),
    )
    assert fe.response_steps == (
        HeaderEdit(
            "replace-header",
            "set-cookie",
            span(9, 5),
            r"http-response replace-header Set-Cookie (.*) \1; Secure",
            r"\1; Secure",
            "(.*)",
        ),
        HeaderEdit(
            "set",
            "x-served-by",
            span(10, 5),
            "http-after-response set-header X-Served-By lb1",
            "lb1",
        ),
        Opaque(
            "http-after-response edits of cookies are outside the model",
            span(11, 5),
            "http-after-response del-header Set-Cookie",
        ),
    )


@pytest.mark.parametrize(
    ("rule", "step"),
    [
        ("http-request deny", Answer("deny", 403, span(5, 5), "http-request deny")),
        (
            "http-request deny deny_status 429",
            Answer("deny", 429, span(5, 5), "http-request deny deny_status 429"),
        ),
        (
            "http-request return status 204",
            Answer("return", 204, span(5, 5), "http-request return status 204"),
        ),
        (
            "http-request redirect scheme https",
            Answer("redirect", 302, span(5, 5), "http-request redirect scheme https"),
        ),
        (
            "redirect prefix https://chat.example.com code 301",
            Answer(
                "redirect", 301, span(5, 5), "redirect prefix https://chat.example.com code 301"
            ),
        ),
        ("http-request tarpit", Answer("tarpit", 500, span(5, 5), "http-request tarpit")),
        (
            "tcp-request content reject",
            Answer("reject", 0, span(5, 5), "tcp-request content reject"),
        ),
        (
            "http-request set-path /api/chat",
            SetPath("/api/chat", span(5, 5), "http-request set-path /api/chat"),
        ),
        (
            r"http-request replace-path /v1/(.*) /api/\1",
            SetPath(
                r"/api/\1", span(5, 5), r"http-request replace-path /v1/(.*) /api/\1", "/v1/(.*)"
            ),
        ),
        (
            "http-request set-var(txn.sid) req.cook(JSESSIONID)",
            SetVar(
                "txn.sid",
                (Sample("req.cook", "JSESSIONID", (), "req.cook(JSESSIONID)"),),
                span(5, 5),
                "http-request set-var(txn.sid) req.cook(JSESSIONID)",
            ),
        ),
        (
            'http-request set-var-fmt(txn.n) "n-%[path]"',
            SetVar(
                "txn.n",
                ("n-", Sample("path", "", (), "path")),
                span(5, 5),
                "http-request set-var-fmt(txn.n) n-%[path]",
            ),
        ),
        (
            "http-request set-var(txn.sid) req.cook(JSESSIONID),json",
            SetVar(
                "txn.sid",
                (),
                span(5, 5),
                "http-request set-var(txn.sid) req.cook(JSESSIONID),json",
                known=False,
            ),
        ),
        (
            "http-request unset-var(txn.sid)",
            SetVar("txn.sid", None, span(5, 5), "http-request unset-var(txn.sid)"),
        ),
        (
            "http-request set-src hdr(x-forwarded-for)",
            Opaque(
                "the action 'set-src' is outside the model",
                span(5, 5),
                "http-request set-src hdr(x-forwarded-for)",
            ),
        ),
        (
            "http-request use-service prometheus-exporter",
            Opaque(
                "the action 'use-service' is outside the model",
                span(5, 5),
                "http-request use-service prometheus-exporter",
            ),
        ),
        (
            "filter spoe engine agent config /etc/haproxy/spoe.conf",
            Opaque(
                "the filter 'spoe' can answer or change requests outside the model",
                span(5, 5),
                "filter spoe engine agent config /etc/haproxy/spoe.conf",
            ),
        ),
        (
            "monitor-uri /health",
            Answer(
                "monitor-uri",
                200,
                span(5, 5),
                "monitor-uri /health",
                when(
                    (Term((acl("path", "exact", "/health", text="path /health"),)),),
                    text="if path is /health",
                ),
            ),
        ),
    ],
    ids=[
        "deny",
        "deny-status",
        "return",
        "redirect",
        "legacy-redirect",
        "tarpit",
        "tcp-reject",
        "set-path",
        "replace-path",
        "set-var",
        "set-var-fmt",
        "set-var-unknown",
        "unset-var",
        "set-src",
        "use-service",
        "filter-spoe",
        "monitor-uri",
    ],
)
def test_frontend_rule_steps(rule: str, step: object) -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n" + f"    {rule}\n"  # 5
        "    default_backend be_api\nbackend be_api\n"
        + TWO_SERVERS
        + "backend be_agents\n    mode tcp\n    server a1 127.0.0.1:12345\n"
    )
    assert service(text).request_steps == (step,)


@pytest.mark.parametrize(
    "rule",
    [
        "http-request set-log-level silent",
        "http-request capture req.hdr(host) len 32",
        "http-request set-nice 10",
        "http-request track-sc0 src table be_api",
        "filter compression",
        "filter trace",
        "tcp-request inspect-delay 5s",
        "http-request allow if { path_beg /api }",
    ],
)
def test_rules_that_cannot_change_persistence_leave_no_step(rule: str) -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n" + f"    {rule}\n"
        "    default_backend be_api\nbackend be_api\n    stick-table type ip size 1k\n"
        + TWO_SERVERS
    )
    assert service(text).request_steps == ()


def test_steps_follow_haproxy_order_not_the_file_order() -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n"  # 3-4
        "    redirect scheme https if { path_beg /login }\n"  # 5
        "    http-request deny if { path_beg /admin }\n"  # 6
        "    tcp-request content reject if { path_beg /x }\n"  # 7
        "    monitor-uri /health\n"  # 8
        "    default_backend be_api\nbackend be_api\n" + TWO_SERVERS
    )
    assert [s.span.line for s in service(text).request_steps] == [8, 7, 6, 5]


def test_routing_by_template_and_by_computed_names() -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n"  # 3-4
        "    use_backend be_%[path,field(2,/)] if { path_beg /api }\n"  # 5
        "    use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map,be_api)]\n"  # 6
        "    default_backend be_api\nbackend be_api\n" + TWO_SERVERS
    )
    fe = service(text)
    (route,) = fe.routes
    assert (route.pool, route.template) == (
        "",
        ("be_", Sample("path", "", (("field", ("2", "/")),), "path,field(2,/)")),
    )
    assert fe.request_steps == (
        Opaque(
            "the backend is computed at run time",
            span(6, 5),
            "use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map,be_api)]",
        ),
    )
    assert fe.default_pool == Located("be_api", span(7, 21))


def test_backend_rules_and_routes() -> None:
    text = (
        HTTP_DEFAULTS + "frontend fe\n    bind :80\n"  # 3-4
        "    acl is_api path_beg /api\n    use_backend be_api if is_api\n"  # 5-6
        "    default_backend be_web\n"  # 7
        "backend be_api\n    http-request del-header X-Debug\n"
        + TWO_SERVERS  # 8-9
        + "backend be_web\n    server w1 10.0.2.1:80\n"
    )
    lb = load(text)
    (route,) = lb.services[0].routes
    assert route == UsePool(
        "be_api",
        span(6, 5),
        "use_backend be_api if is_api",
        when((Term((API_PREFIX,)),), text="if is_api"),
        "acl",
    )
    be = lb.pool("be_api")
    assert be is not None
    assert be.request_steps == (
        HeaderEdit("del", "x-debug", span(9, 5), "http-request del-header X-Debug"),
    )


# --- refusals: what haproxy -c refuses is TC001, and nothing is compiled -----------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            HTTP_DEFAULTS
            + "frontend fe\n    bind :80\n    use_backend be_apii if { path_beg /api }\n"
            "    default_backend be_api\nbackend be_api\n" + TWO_SERVERS,
            [(5, 17)],
        ),
        (
            HTTP_DEFAULTS + "frontend fe\n    bind :80\n    default_backend be_chat\n"
            "backend be_api\n" + TWO_SERVERS,
            [(5, 21)],
        ),
        (
            HTTP_DEFAULTS
            + "backend be_api\n    stick on req.cook(JSESSIONID)\n"
            + TWO_SERVERS
            + FRONTEND,
            [(4, 5)],
        ),
        (
            HTTP_DEFAULTS
            + "backend be_api\n    stick on src table nowhere\n"
            + TWO_SERVERS
            + FRONTEND,
            [(4, 24)],
        ),
        (
            HTTP_DEFAULTS
            + "backend be_api\n    appsession JSESSIONID len 52 timeout 3h\n"
            + TWO_SERVERS
            + FRONTEND,
            [(4, 5)],
        ),
        (
            HTTP_DEFAULTS
            + "backend be_api\n    cookie SRV insert prefix\n"
            + TWO_SERVERS
            + FRONTEND,
            [(4, 23)],
        ),
        (
            HTTP_DEFAULTS + "frontend fe\n    bind :80\n    use_backend be_api if is_api\n"
            "    default_backend be_api\nbackend be_api\n" + TWO_SERVERS,
            [(5, 27)],
        ),
        ("backend be_api from nowhere\n" + TWO_SERVERS + FRONTEND, [(1, 21)]),
        (
            HTTP_DEFAULTS
            + "backend be_api\n"
            + TWO_SERVERS
            + "backend be_api\n"
            + TWO_SERVERS
            + FRONTEND,
            [(6, 1)],
        ),
        (
            HTTP_DEFAULTS + 'backend be_api\n    cookie "SRV insert\n' + TWO_SERVERS + FRONTEND,
            [(4, 12)],
        ),
        (HTTP_DEFAULTS + FRONTEND + "backend be_api\n" + TWO_SERVERS.rstrip("\n"), [(8, 39)]),
    ],
    ids=[
        "missing-use-backend",
        "missing-default-backend",
        "no-stick-table",
        "unknown-table",
        "appsession",
        "two-cookie-modes",
        "undefined-acl",
        "unknown-from",
        "duplicate-backend",
        "unterminated-quote",
        "no-final-newline",
    ],
)
def test_refused_configurations_are_tc001(text: str, where: list[tuple[int, int]]) -> None:
    assert refused(text) == where


# haproxy 2.6 -c refuses 'balance hash req.cookie(clientid)' (unknown fetch method
# 'req.cookie'), although manual 4.2 'balance' gives it as an example.
def test_unknown_fetch_in_balance_hash_is_refused() -> None:
    text = HTTP_DEFAULTS + "backend be_api\n    balance hash req.cookie(clientid)\n"
    assert refused(text + TWO_SERVERS + FRONTEND) == [(4, 18)]


# haproxy -c 2.6 refuses every one of these in a defaults, frontend, backend and listen section
# (its message where tcommlint loads the file all the same).
REFUSAL_GAPS = {
    "cookie X insert maxidle": "'maxidle' expects <idletime> in seconds as argument",
    "cookie X insert maxidle abc": "unexpected character 'a' in argument to <maxidle>",
    "cookie X insert attr": "'attr' expects <value> as argument",
    "balance hash": "balance hash requires a sample expression",
    "balance hdr(": "balance hdr requires an http header field name",
    "balance uri depth": "balance uri : 'depth' expects a positive integer (got '')",
    "mode": "unknown proxy mode ''",
    "no option": "'option' expects an option name",
    "hash-type": "'hash-type' only supports 'consistent' and 'map-based'",
    "filter": "filter is not allowed in a 'default' section",
    "monitor-uri": "'monitor-uri' expects an URI",
    "stats uri": "'uri' needs an URI prefix",
}
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
    "use_backend",
    "use_backend be if",
    "use_backend be if {",
    "use_backend be if ! !",
    "use_backend %[",
    "use-server",
    "use-server %[path if",
    "acl a path -m",
    "default_backend",
    "bind ,,",
    "appsession",
    "http-request",
    "http-request set-header",
    "http-request replace-value Cookie",
    "http-request set-var(",
    "http-request redirect",
    "http-response set-header Set-Cookie %[res.cook(",
    "tcp-request content",
    "redirect",
    "force-persist if",
    *REFUSAL_GAPS,  # refused by haproxy -c 2.6 with these messages; once gaps of tcommlint
]


@pytest.mark.parametrize("statement", TRUNCATED)
def test_truncated_statements_never_raise_and_are_refused(statement: str) -> None:
    text = (
        f"defaults\n    {statement}\nfrontend f\n    {statement}\nbackend b\n    {statement}\n"
        f"listen l\n    {statement}\n"
    )
    result = load_haproxy(PATH, text)
    for lb in result.load_balancers:
        simulate(lb, AppModel())
    assert result.errors
    assert {error.span.line for error in result.errors} <= {2, 4, 6, 8}


def test_balance_without_algorithm_is_accepted_and_round_robin() -> None:
    text = HTTP_DEFAULTS + "backend be_api\n    balance\n" + TWO_SERVERS + FRONTEND
    algorithm = pool(text).balance.algorithm
    assert (algorithm.value, algorithm.inherited) == ("roundrobin", True)


# --- sniffing and fixtures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("global\n    maxconn 100\n", True),
        ("# lb\nbackend be_api\n    server p1 10.0.0.1:80\n", True),
        ("listen chat from web\n\n    # x\n    bind :80\n", True),
        ("defaults web\n    mode http\n", True),
        ("frontend fe # public\n    .if defined(X)\n", True),
        ("backend = tomcat\ntimeout = 30\n", False),
        ("upstream api {\n    server 10.0.0.1;\n}\n", False),
        ("ltm pool /Common/p {\n    members { }\n}\n", False),
        ("AutoCallQueue=true\n", False),
        ("global\n", False),
    ],
    ids=[
        "global",
        "backend",
        "listen-from",
        "named-defaults",
        "if-block",
        "properties",
        "nginx",
        "tmsh",
        "proxy",
        "lonely",
    ],
)
def test_looks_like_haproxy(text: str, expected: bool) -> None:
    assert looks_like_haproxy(text) is expected


def test_fixture_active_active_chat() -> None:
    text = (FIXTURES / "active-active-chat" / "haproxy.cfg").read_text(encoding="utf-8")
    result = load_haproxy(PATH, text)
    assert result.errors == ()
    (lb,) = result.load_balancers
    (fe,) = lb.services
    assert (fe.name, fe.span, fe.https, fe.http, fe.binds) == (
        "fe_chat",
        span(20),
        True,
        True,
        (":80", ":443"),
    )
    (redirect,) = fe.request_steps
    assert redirect == Answer(
        "redirect",
        302,
        span(23, 5),
        "http-request redirect scheme https unless { ssl_fc }",
        when(
            (Term((AclTest("tls", "found", text="ssl_fc"),)),),
            negate=True,
            text="unless { ssl_fc }",
        ),
    )
    (route,) = fe.routes
    assert (route.pool, route.span, route.when.branches) == (
        "be_api",
        span(25, 5),
        ((Term((API_PREFIX,)),),),
    )
    assert fe.default_pool == Located("be_web", span(26, 21))
    api = lb.pool("be_api")
    assert api is not None
    assert [(s.name, s.backup, s.cookie) for s in api.servers] == [
        ("proxy1", False, Located("p1", span(32, 47))),
        ("proxy2", False, Located("p2", span(33, 47))),
    ]
    cookie = api.persistence.cookie
    assert cookie is not None
    assert (cookie.span, cookie.mode.value, cookie.secure, cookie.httponly) == (
        span(30, 5),
        "insert",
        Located(True, span(30, 49)),
        Located(True, span(30, 40)),
    )
    assert (api.redispatch, api.balance.algorithm) == (True, Located("roundrobin", span(29, 13)))
    (outcome,) = simulate(lb, AppModel())
    assert (outcome.verdict, outcome.pools, outcome.kept_by) == ("sticky", ("be_api",), ("cookie",))


def test_fixture_active_passive_stick_and_suppression() -> None:
    text = (FIXTURES / "active-passive-stick" / "haproxy.cfg").read_text(encoding="utf-8")
    result = load_haproxy(PATH, text)
    assert result.errors == ()
    (lb,) = result.load_balancers
    chat = lb.pool("chat")
    assert chat is not None
    assert [(s.name, s.backup, s.node) for s in chat.servers] == [
        ("primary", False, "10.0.2.11:8443"),
        ("dr", True, "10.9.2.11:8443"),
    ]
    assert lb.tables == (
        Table("chat", span(15, 5), "string", 52, 204800, Located(2700, span(15, 53))),
    )
    assert [(r.action, r.key.fetch, r.table) for r in chat.persistence.stick_rules] == [
        ("on", "req.cook", "chat"),
        ("store-response", "res.cook", "chat"),
    ]
    (listen,) = lb.services
    assert (listen.http, listen.https, listen.default_pool) == (
        True,
        True,
        Located(
            "chat",
            span(13),
            note="a listen section serves its own servers when no rule picks a backend",
        ),
    )
    (suppression,) = result.suppressions
    assert (suppression.rule_ids, suppression.applies_to) == (("TC211",), 18)
    (outcome,) = simulate(lb, AppModel())
    assert (outcome.verdict, outcome.kept_by) == ("sticky", ("cookie",))  # the table's key


# === simulations: the verdict each keyword family leads to ====================================

SIM_DEFAULTS = (
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n"
    "    timeout server 30s\n\n"
)
SERVERS = "    server p1 10.0.0.1:8080 cookie p1\n    server p2 10.0.0.2:8080 cookie p2\n"
NODES = "    server p1 10.0.0.1:8080\n    server p2 10.0.0.2:8080\n"
DOWN = "    server p3 10.0.0.3:8080 disabled\n"
INSERT = "    cookie SRV insert indirect nocache\n"
SPEC = "type string len 52 size 10k expire 1h"
STICK_ON = "    stick on req.cook(JSESSIONID)\n"
STORE = "    stick store-response res.cook(JSESSIONID)\n"
LEARN = f"    stick-table {SPEC}\n" + STICK_ON + STORE
DEFAULT = "    default_backend be_api\n"
TO_WEB = "    default_backend be_web\n"
WEB = "\nbackend be_web\n    server w1 10.0.1.1:8080\n    server w2 10.0.1.2:8080\n"
POLL_ROUTE = "    use_backend be_poll if { path_beg /api/chat/poll }\n" + DEFAULT
LUA = "global\n    lua-load /etc/haproxy/chat.lua\n\n"
CHAT_APP = AppModel()
URL_IDS = AppModel(id_in_url=True)


def chat(
    backend: str, frontend: str = DEFAULT, after: str = "", before: str = "", bind: str = ":8080"
) -> str:
    """The chat frontend ``fe`` and the backend ``be_api`` with extra lines."""
    return (
        before
        + SIM_DEFAULTS
        + f"frontend fe\n    bind {bind}\n"
        + frontend
        + "\nbackend be_api\n"
        + backend
        + after
    )


def table(spec: str, rules: str = STICK_ON + STORE, servers: str = NODES) -> str:
    return chat(f"    stick-table {spec}\n" + rules + servers)


def balanced(algorithm: str, before: str = "") -> str:
    return chat(f"    balance {algorithm}\n" + NODES, before=before)


def tcp(backend: str, mode: str = "    mode tcp\n") -> str:
    defaults = SIM_DEFAULTS.replace("    mode http\n", mode)
    return defaults + "frontend fe\n    bind :8080\n" + DEFAULT + "\nbackend be_api\n" + backend


def shared_table(srvkey: str, api: str, poll: str) -> str:
    """be_api learns the session in its table; be_poll (the poll requests) matches in it."""
    return chat(
        f"    stick-table {SPEC}{srvkey}\n" + STICK_ON + STORE + api,
        POLL_ROUTE,
        "\nbackend be_poll\n    stick match req.cook(JSESSIONID) table be_api\n" + poll,
    )


def peers(expire: str) -> str:
    return chat(
        "    stick on req.cook(JSESSIONID) table lbs/sessions\n"
        "    stick store-response res.cook(JSESSIONID) table lbs/sessions\n" + NODES,
        before="global\n    localpeer lb1\n\npeers lbs\n    peer lb1 127.0.0.1:10000\n"
        f"    table sessions type string len 52 size 10k expire {expire}\n\n",
    )


def https_beside_redirect(backend: str) -> str:
    """A plain HTTP service that only redirects to HTTPS, and the HTTPS service."""
    return (
        SIM_DEFAULTS + "frontend fe_http\n    bind :80\n"
        "    http-request redirect scheme https unless { ssl_fc }\n"
        + DEFAULT
        + "\nfrontend fe_https\n    bind :443 ssl crt /etc/haproxy/certs/chat.pem\n"
        + DEFAULT
        + "\nbackend be_api\n"
        + backend
    )


class Sim(NamedTuple):
    """A configuration, the verdict it leads to and the cause of every break.

    ``causes`` are (cause code, a text only the cause's line holds, ``^``: starts with), every
    distinct one of
    every scenario; ``not-evaluable`` names the directive outside the model. ``xfail`` says
    where the simulator disagrees with the manual: the expectation stays the manual's.
    """

    id: str
    text: str
    verdict: str
    causes: tuple[tuple[str, str], ...] = ()
    kept_by: tuple[str, ...] | None = None
    app: AppModel = CHAT_APP
    service: str = "fe"
    xfail: str = ""
    raises: type[Exception] | None = None


def sticky(
    id: str,
    text: str,
    kept_by: tuple[str, ...] | None = None,
    *,
    app: AppModel = CHAT_APP,
    service: str = "fe",
    xfail: str = "",
) -> Sim:
    return Sim(id, text, "sticky", (), kept_by, app, service, xfail)


def breaks(
    id: str,
    text: str,
    *causes: tuple[str, str],
    app: AppModel = CHAT_APP,
    service: str = "fe",
    xfail: str = "",
    raises: type[Exception] | None = None,
) -> Sim:
    return Sim(id, text, "breaks", causes, None, app, service, xfail, raises)


def outside(id: str, text: str, directive: str) -> Sim:
    return Sim(id, text, "not-evaluable", (("not-evaluable", directive),))


# manual 4.2 "cookie", 5.2 "cookie <value>"
COOKIE = [
    sticky("insert", chat(INSERT + SERVERS), ("cookie",)),
    sticky("insert-without-indirect", chat("    cookie SRV insert\n" + SERVERS), ("cookie",)),
    sticky(
        "insert-httponly-domain",
        chat("    cookie SRV insert indirect nocache httponly domain .example.com\n" + SERVERS),
    ),
    # "If no cookie is declared for a given server, the cookie is not set."
    breaks(
        "server-without-value",
        chat(INSERT + "    server p1 10.0.0.1:8080 cookie p1\n    server p2 10.0.0.2:8080\n"),
        ("ineffective", "server p2"),
    ),
    breaks(
        "no-server-value",
        chat(INSERT + NODES),
        ("ineffective", "server p1"),
        ("ineffective", "server p2"),
    ),
    sticky(
        "prefix-of-the-session-cookie",
        chat("    cookie JSESSIONID prefix nocache\n" + SERVERS),
        ("cookie",),
    ),
    # "not to use indirect with prefix, otherwise server cookie updates would not be sent to
    # clients": the id renewed at login never reaches the browser (the cause is not named)
    breaks(
        "prefix-indirect",
        chat("    cookie JSESSIONID prefix indirect\n" + SERVERS),
        ("session-breaks", "^frontend fe"),
    ),
    breaks(
        "prefix-of-a-cookie-nobody-sets",
        chat("    cookie SRV prefix\n" + SERVERS),
        ("ineffective", "cookie SRV prefix"),
    ),
    breaks(
        "rewrite-of-the-session-cookie",
        chat("    cookie JSESSIONID rewrite\n" + SERVERS),
        ("clobbers-session-cookie", "cookie JSESSIONID rewrite"),
    ),
    breaks(
        "rewrite-of-a-cookie-nobody-sets",
        chat("    cookie SRV rewrite\n" + SERVERS),
        ("ineffective", "cookie SRV rewrite"),
    ),
    breaks(
        "passive-session-cookie",
        chat("    cookie JSESSIONID\n" + SERVERS),
        ("ineffective", "cookie JSESSIONID"),
    ),
    breaks("passive-own-cookie", chat("    cookie SRV\n" + SERVERS), ("ineffective", "cookie SRV")),
    breaks(
        "postonly",
        chat("    cookie SRV insert postonly indirect\n" + SERVERS),
        ("ineffective", "postonly"),
    ),
    sticky("preserve", chat("    cookie SRV insert indirect preserve\n" + SERVERS), ("cookie",)),
    # preserve: the server's own cookie of that name is left untouched and none is inserted
    breaks(
        "preserve-of-the-session-cookie",
        chat("    cookie JSESSIONID insert preserve\n" + SERVERS),
        ("ineffective", "cookie JSESSIONID"),
    ),
    breaks(
        "maxidle-shorter-than-a-pause",
        chat("    cookie SRV insert indirect nocache maxidle 10m\n" + SERVERS),
        ("lifetime", "maxidle"),
    ),
    sticky(
        "maxidle-longer-than-a-pause",
        chat("    cookie SRV insert indirect nocache maxidle 1h\n" + SERVERS),
        ("cookie",),
    ),
    breaks(
        "maxlife-shorter-than-a-session",
        chat("    cookie SRV insert indirect nocache maxlife 20m\n" + SERVERS),
        ("lifetime", "maxlife"),
    ),
    sticky(
        "maxlife-longer-than-a-session",
        chat("    cookie SRV insert indirect nocache maxlife 8h\n" + SERVERS),
        ("cookie",),
    ),
    breaks(
        "max-age-shorter-than-a-pause",
        chat('    cookie SRV insert indirect nocache attr "Max-Age=600"\n' + SERVERS),
        ("lifetime", "Max-Age"),
    ),
    sticky(
        "max-age-longer-than-a-pause",
        chat('    cookie SRV insert indirect nocache attr "Max-Age=7200"\n' + SERVERS),
        ("cookie",),
    ),
    sticky(
        "dynamic-with-key",
        chat(
            INSERT.replace("nocache", "nocache dynamic") + "    dynamic-cookie-key s3cr3t\n" + NODES
        ),
        ("cookie",),
    ),
    breaks(
        "dynamic-without-key",
        chat(INSERT.replace("nocache", "nocache dynamic") + NODES),
        ("ineffective", "server p1"),
        ("ineffective", "server p2"),
    ),
    breaks(
        "named-like-the-session-cookie",
        chat("    cookie JSESSIONID insert indirect nocache\n" + SERVERS),
        ("clobbers-session-cookie", "cookie JSESSIONID insert"),
    ),
    breaks(
        "secure-on-plain-http",
        chat(INSERT.replace("nocache", "nocache secure") + SERVERS),
        ("ineffective", "secure"),
    ),
    sticky(
        "secure-on-https",
        chat(
            INSERT.replace("nocache", "nocache secure") + SERVERS,
            bind=":443 ssl crt /etc/haproxy/certs/chat.pem",
        ),
        ("cookie",),
    ),
    breaks(
        "name-case",
        chat("    cookie jsessionid prefix\n" + SERVERS),
        ("cookie-name-case", "cookie jsessionid"),
    ),
    breaks(
        "name-typo",
        chat("    cookie JSESSIONDI prefix\n" + SERVERS),
        ("cookie-name-typo", "JSESSIONDI"),
    ),
    sticky("ids-in-urls", chat(INSERT + SERVERS), ("cookie",), app=URL_IDS),
    # "this value will be checked in incoming requests, and the first operational server
    # possessing the same value will be selected"
    sticky(
        "shared-value-first-server-down",
        chat(
            INSERT + "    server p0 10.0.0.9:8080 cookie s disabled\n"
            "    server p1 10.0.0.1:8080 cookie s\n    server p2 10.0.0.2:8080 cookie p2\n"
        ),
        ("cookie",),
    ),
]

# manual 5.2 "weight", "disabled", "backup", "init-addr"; 4.2 "option allbackups"
SERVER = [
    sticky(
        "weight-0-takes-no-balanced-traffic",
        chat("    server p1 10.0.0.1:8080 weight 0\n    server p2 10.0.0.2:8080\n"),
    ),
    breaks(
        "weight-0-one-of-three",
        chat(
            "    server p1 10.0.0.1:8080 weight 0\n    server p2 10.0.0.2:8080\n"
            "    server p3 10.0.0.3:8080\n"
        ),
        ("no-persistence", "^backend be_api"),
    ),
    breaks(
        "weight-0-everywhere",
        chat("    server p1 10.0.0.1:8080 weight 0\n    server p2 10.0.0.2:8080 weight 0\n"),
        ("session-breaks", "^backend be_api"),
    ),
    # "will not participate in load-balancing but will still accept persistent connections"
    sticky(
        "weight-0-serves-persistent-requests",
        chat(
            LEARN
            + "    use-server p1 if { path /api/chat }\n    server p1 10.0.0.1:8080 weight 0\n"
            "    server p2 10.0.0.2:8080\n    server p3 10.0.0.3:8080\n"
        ),
        ("rule", "cookie"),
    ),
    sticky(
        "disabled-one-of-two",
        chat("    server p1 10.0.0.1:8080 disabled\n    server p2 10.0.0.2:8080\n"),
    ),
    breaks(
        "disabled-everywhere",
        chat("    server p1 10.0.0.1:8080 disabled\n    server p2 10.0.0.2:8080 disabled\n"),
        ("session-breaks", "^backend be_api"),
    ),
    sticky(
        "backup-idle", chat("    server p1 10.0.0.1:8080\n    server p2 10.0.0.2:8080 backup\n")
    ),
    sticky(
        "first-backup-only",
        chat(
            "    server p1 10.0.0.1:8080 disabled\n    server p2 10.0.0.2:8080 backup\n"
            "    server p3 10.0.0.3:8080 backup\n"
        ),
    ),
    breaks(
        "allbackups",
        chat(
            "    option allbackups\n    server p1 10.0.0.1:8080 disabled\n"
            "    server p2 10.0.0.2:8080 backup\n    server p3 10.0.0.3:8080 backup\n"
        ),
        ("no-persistence", "^backend be_api"),
    ),
    sticky(
        "allbackups-with-cookie",
        chat(
            "    option allbackups\n" + INSERT + "    server p1 10.0.0.1:8080 cookie p1 disabled\n"
            "    server p2 10.0.0.2:8080 cookie p2 backup\n"
            "    server p3 10.0.0.3:8080 cookie p3 backup\n"
        ),
        ("cookie",),
    ),
    # "Requests coming with a persistence cookie referencing the server will always be served"
    sticky(
        "backup-serves-persistent-requests",
        chat(
            LEARN
            + "    use-server p3 if { path /api/chat }\n"
            + NODES
            + "    server p3 10.0.0.3:8080 backup\n"
        ),
        ("rule", "cookie"),
    ),
    sticky(
        "no-backup-overrides-default-server",
        chat(
            "    default-server backup\n    server p1 10.0.0.1:8080 no-backup\n"
            "    server p2 10.0.0.2:8080\n"
        ),
    ),
    sticky(
        "unresolved-with-init-addr-none-in-maintenance",
        chat("    server p1 chat1.invalid:8080 init-addr none\n    server p2 10.0.0.2:8080\n"),
    ),
    breaks(
        "server-template-all-unresolved",
        chat("    server-template px 3 chat.invalid:8080 init-addr none\n"),
        ("session-breaks", "^backend be_api"),
    ),
]

# manual 4.2 "balance", "hash-type"
BALANCE = [
    sticky("source", balanced("source"), ("client-address",)),
    sticky(
        "source-consistent",
        chat("    balance source\n    hash-type consistent\n" + NODES),
        ("client-address",),
    ),
    breaks("uri", balanced("uri"), ("no-persistence", "balance uri")),
    breaks("uri-whole", balanced("uri whole"), ("no-persistence", "balance uri")),
    sticky("uri-len-within-the-app-path", balanced("uri len 4"), ("url",)),
    breaks(
        "uri-len-beyond-the-endpoint", balanced("uri len 12"), ("no-persistence", "balance uri")
    ),
    sticky("uri-depth-2", balanced("uri depth 2"), ("url",)),
    breaks("uri-depth-3", balanced("uri depth 3"), ("no-persistence", "balance uri")),
    # "If no value is found or if the parameter is not found, then a round robin algorithm is
    # applied"; the query string only, not a ;jsessionid= path parameter
    breaks("url-param-absent", balanced("url_param sid"), ("no-persistence", "^backend be_api")),
    breaks(
        "url-param-is-not-a-path-parameter",
        balanced("url_param jsessionid"),
        ("no-persistence", "^backend be_api"),
        app=URL_IDS,
    ),
    sticky("hdr-user-agent", balanced("hdr(User-Agent)"), ("other",)),
    sticky("hdr-host", balanced("hdr(host)"), ("other",)),
    breaks("hdr-absent", balanced("hdr(X-Forwarded-For)"), ("no-persistence", "^backend be_api")),
    breaks("hdr-cookie", balanced("hdr(Cookie)"), ("not-learned", "balance hdr(Cookie)")),
    breaks(
        "hash-of-the-session-cookie",
        balanced("hash req.cook(JSESSIONID)"),
        ("not-learned", "balance hash"),
    ),
    sticky("hash-src", balanced("hash src"), ("client-address",)),
    sticky("hash-path-field", balanced("hash path,field(2,/)"), ("url",)),
    outside("hash-lua", balanced("hash lua.node", before=LUA), "balance hash"),
    sticky("first", balanced("first")),
    # "once [the first server] reaches its maxconn value, the next server is used": with more
    # sessions at once than its slots (1000 by default), which server takes the overflow is chance
    breaks(
        "first-maxconn-below-the-concurrent-sessions",
        chat("    balance first\n" + NODES.replace(":8080\n", ":8080 maxconn 100\n")),
        ("no-persistence", "^backend be_api"),
    ),
    sticky(
        "first-maxconn-above-the-concurrent-sessions",
        chat("    balance first\n" + NODES.replace(":8080\n", ":8080 maxconn 5000\n")),
    ),
    breaks("random", balanced("random"), ("no-persistence", "^backend be_api")),
    breaks("random-draws", balanced("random(2)"), ("no-persistence", "^backend be_api")),
    breaks("roundrobin-by-default", chat(NODES), ("no-persistence", "^backend be_api")),
    breaks("leastconn", balanced("leastconn"), ("no-persistence", "^backend be_api")),
    breaks("static-rr", balanced("static-rr"), ("no-persistence", "^backend be_api")),
    breaks("rdp-cookie-in-http", balanced("rdp-cookie"), ("no-persistence", "^backend be_api")),
]

# manual 4.2 "stick-table", 3.5 "peers"
STICK_TABLE = [
    sticky("learned-from-the-response", table(SPEC), ("cookie",)),
    breaks(
        "expire-shorter-than-a-pause",
        table("type string len 52 size 10k expire 10m"),
        ("lifetime", "stick-table"),
    ),
    breaks(
        "expire-in-milliseconds",
        table("type string len 52 size 10k expire 600000"),
        ("lifetime", "stick-table"),
    ),
    sticky("no-expire", table("type string len 52 size 10k"), ("cookie",)),
    breaks(
        "size-below-the-concurrent-sessions",
        table("type string len 52 size 500 expire 1h"),
        ("capacity", "stick-table"),
    ),
    sticky(
        "size-above-the-concurrent-sessions",
        table("type string len 52 size 1k expire 1h"),
        ("cookie",),
    ),
    breaks(
        "nopurge-when-full",
        table("type string len 52 size 500 expire 1h nopurge"),
        ("capacity", "stick-table"),
    ),
    sticky("default-length-holds-the-id", table("type string size 10k expire 1h"), ("cookie",)),
    sticky(
        "jvm-route-beyond-the-length",
        table("type string size 10k expire 1h"),
        ("cookie",),
        app=AppModel(jvm_routes=("p1", "p2")),
    ),
    # manual 4.2 stick-table 'string': keys are truncated to <len> characters; one hex
    # character gives at most 16 keys for the 1000 concurrent sessions, which overwrite each
    # other's server (the simulated ids are as alike as two of 1000 random ids)
    breaks(
        "length-1",
        table("type string len 1 size 10k expire 1h"),
        ("capacity", "stick-table"),
    ),
    breaks(
        "integer-from-a-hex-id",
        table("type integer size 10k expire 1h"),
        ("capacity", "stick-table"),
    ),
    # "a table declared with type ip will only store IPv4 addresses", of "a type compatible
    # with the pattern": a session id gives no key at all
    breaks(
        "ip-table-keyed-on-the-session-cookie",
        table("type ip size 10k expire 1h"),
        ("ineffective", "stick-table"),
    ),
    sticky(
        "ip-table-source",
        table("type ip size 10k expire 1h", "    stick on src\n"),
        ("client-address",),
    ),
    sticky(
        "ipv6-table-source",
        table("type ipv6 size 10k expire 1h", "    stick on src\n"),
        ("client-address",),
    ),
    sticky(
        "string-table-source",
        table("type string size 10k expire 1h", "    stick on src\n"),
        ("client-address",),
    ),
    sticky("binary", table("type binary len 52 size 10k expire 1h"), ("cookie",)),
    sticky("peers-table", peers("1h"), ("cookie",)),
    breaks("peers-table-expire", peers("5m"), ("lifetime", "table sessions")),
    sticky(
        "table-of-another-backend",
        chat(
            "    stick on req.cook(JSESSIONID) table st\n"
            "    stick store-response res.cook(JSESSIONID) table st\n" + NODES,
            after=f"\nbackend st\n    stick-table {SPEC}\n",
        ),
        ("cookie",),
    ),
    # srvkey: servers named apart in be_poll and listed the other way round
    sticky(
        "srvkey-addr-across-backends",
        shared_table(
            " srvkey addr", NODES, "    server q2 10.0.0.2:8080\n    server q1 10.0.0.1:8080\n"
        ),
        ("cookie",),
    ),
    breaks(
        "srvkey-name-across-backends",
        shared_table("", NODES, "    server q2 10.0.0.2:8080\n    server q1 10.0.0.1:8080\n"),
        ("session-breaks", "^frontend fe"),
    ),
    sticky(
        "forced-ids-across-backends",
        shared_table(
            "",
            "    server a 10.0.0.1:8080 id 1\n    server b 10.0.0.2:8080 id 2\n",
            "    server d 10.0.0.2:8080 id 2\n    server c 10.0.0.1:8080 id 1\n",
        ),
        ("cookie",),
    ),
    # 5.2 "id": "An unused ID will automatically be assigned if unset": b gets 1, the lowest
    # unused id, which be_b does not have (nor a server named b): its sessions lose their node
    breaks(
        "automatic-ids-across-backends",
        shared_table(
            "",
            "    server a 10.0.0.1:8080 id 2\n    server b 10.0.0.2:8080\n",
            "    server c 10.0.0.1:8080 id 2\n    server d 10.0.0.2:8080 id 3\n",
        ),
        ("ineffective", "stick-table"),
    ),
    # "'stick' ignored because frontend 'fe' has no backend capability" (haproxy -c)
    breaks(
        "stick-rules-in-a-frontend-are-ignored",
        chat(NODES, "    stick-table type string size 10k\n" + STICK_ON + DEFAULT),
        ("no-persistence", "^backend be_api"),
    ),
]

# manual 4.2 "stick match", "stick on", "stick store-request", "stick store-response"
STICK_RULE = [
    sticky(
        "match-and-store-response",
        table(SPEC, "    stick match req.cook(JSESSIONID)\n" + STORE),
        ("cookie",),
    ),
    breaks(
        "match-only",
        table(SPEC, "    stick match req.cook(JSESSIONID)\n"),
        ("not-learned", "stick match"),
    ),
    breaks("on-without-store-response", table(SPEC, STICK_ON), ("not-learned", "stick on")),
    breaks(
        "store-request-of-a-cookie-not-yet-set",
        table(
            SPEC,
            "    stick match req.cook(JSESSIONID)\n    stick store-request req.cook(JSESSIONID)\n",
        ),
        ("not-learned", "stick match"),
    ),
    breaks(
        "store-response-never-matched", table(SPEC, STORE), ("session-breaks", "^backend be_api")
    ),
    sticky(
        "store-response-if-status",
        table(SPEC, STICK_ON + "    stick store-response res.cook(JSESSIONID) if { status 200 }\n"),
        ("cookie",),
    ),
    # haproxy -c: "anonymous acl will never match because it uses keyword 'path_beg' which is
    # incompatible with 'backend stick-store rule'"
    breaks(
        "store-response-if-a-request-fetch",
        table(
            SPEC, STICK_ON + "    stick store-response res.cook(JSESSIONID) if { path_beg /api }\n"
        ),
        ("not-learned", "stick on"),
    ),
    breaks(
        "store-response-if-a-request-cookie",
        table(
            SPEC,
            STICK_ON
            + "    stick store-response res.cook(JSESSIONID) if { req.cook(SRV) -m found }\n",
        ),
        ("not-learned", "stick on"),
    ),
    sticky(
        "store-response-unless-a-request-fetch",
        table(
            SPEC,
            STICK_ON
            + "    stick store-response res.cook(JSESSIONID) unless { path_beg /static }\n",
        ),
        ("cookie",),
    ),
    breaks(
        "on-only-for-some-chat-paths",
        table(SPEC, "    stick on req.cook(JSESSIONID) if { path_beg /api/chat/poll }\n" + STORE),
        ("conditional-persistence", "stick on"),
    ),
    breaks(
        "match-unless-the-app-path",
        table(SPEC, "    stick match req.cook(JSESSIONID) unless { path_beg /api }\n" + STORE),
        ("conditional-persistence", "stick match"),
    ),
    breaks(
        "store-response-of-another-cookie",
        table(SPEC, STICK_ON + "    stick store-response res.cook(SRVID)\n"),
        ("not-learned", "stick on"),
    ),
    # "Only the first extracted criterion for a given table will be stored": SRVID is absent
    sticky(
        "first-extracted-store-response-wins",
        table(SPEC, STICK_ON + "    stick store-response res.cook(SRVID)\n" + STORE),
        ("cookie",),
    ),
    breaks(
        "cookie-name-case",
        table(SPEC, "    stick on req.cook(jsessionid)\n" + STORE),
        ("cookie-name-case", "stick on"),
    ),
    breaks(
        "cookie-name-typo",
        table(SPEC, "    stick on req.cook(JSESIONID)\n" + STORE),
        ("cookie-name-typo", "stick on"),
    ),
    sticky(
        "converter-on-both-sides",
        table(
            SPEC,
            "    stick on req.cook(JSESSIONID),lower\n"
            "    stick store-response res.cook(JSESSIONID),lower\n",
        ),
        ("cookie",),
    ),
    breaks(
        "converter-on-the-lookup-only",
        table(SPEC, "    stick on req.cook(JSESSIONID),lower\n" + STORE),
        ("not-learned", "stick on"),
    ),
    breaks(
        "url-parameter-absent",
        table(SPEC, "    stick on url_param(jsessionid)\n"),
        ("ineffective", "stick on"),
    ),
    # url_param: "<delim>" ";" finds the id Tomcat appends as ;jsessionid=
    sticky(
        "path-parameter-with-delimiter",
        table(SPEC, "    stick on urlp(jsessionid,;)\n" + STORE),
        ("url",),
        app=URL_IDS,
    ),
    breaks(
        "path-parameter-name-is-case-sensitive",
        table(SPEC, "    stick on urlp(JSESSIONID,;)\n" + STORE),
        ("ineffective", "stick on"),
        app=URL_IDS,
    ),
    # "multiple matches can be used as fallbacks"
    sticky(
        "fallback-match",
        table(
            "type string size 10k expire 1h", "    stick match req.cook(SRVID)\n    stick on src\n"
        ),
        ("client-address",),
    ),
    # "The stick rules are checked after the persistence cookies"
    sticky(
        "cookie-before-stick-rules",
        chat(INSERT + "    stick-table type ip size 10k expire 1h\n    stick on src\n" + SERVERS),
        ("cookie",),
    ),
    sticky(
        "key-from-a-variable",
        chat(
            f"    stick-table {SPEC}\n    stick on var(txn.sid)\n" + STORE + NODES,
            "    http-request set-var(txn.sid) req.cook(JSESSIONID)\n" + DEFAULT,
        ),
        ("other",),
    ),
    breaks(
        "variable-unset-for-some-chat-paths",
        chat(
            f"    stick-table {SPEC}\n    stick on var(txn.sid)\n" + STORE + NODES,
            "    http-request set-var(txn.sid) req.cook(JSESSIONID)\n"
            "    http-request unset-var(txn.sid) if { path_beg /api/chat/send }\n" + DEFAULT,
        ),
        ("ineffective", "stick on var"),
    ),
    outside(
        "variable-computed-outside-the-model",
        chat(
            f"    stick-table {SPEC}\n    stick on var(txn.sid)\n" + STORE + NODES,
            "    http-request set-var(txn.sid) req.cook(JSESSIONID),json\n" + DEFAULT,
        ),
        "set-var",
    ),
    outside(
        "key-outside-the-model",
        chat("    stick-table type string size 10k\n    stick on lua.node\n" + NODES, before=LUA),
        "stick on",
    ),
]

# manual 4.2 "http-request"/"http-response" header actions, "http-after-response"
HEADER = [
    # del-header runs before the backend's cookie processing: SRV and JSESSIONID are gone
    breaks(
        "request-cookie-deleted",
        chat(INSERT + SERVERS, "    http-request del-header Cookie\n" + DEFAULT),
        ("session-cookie-altered", "del-header Cookie"),
    ),
    sticky(
        "request-cookie-deleted-for-static-files",
        chat(
            INSERT + SERVERS,
            "    http-request del-header Cookie if { path_beg /static }\n" + DEFAULT,
        ),
        ("cookie",),
    ),
    sticky(
        "request-cookie-added",
        chat(INSERT + SERVERS, '    http-request add-header Cookie "lang=en"\n' + DEFAULT),
        ("cookie",),
    ),
    sticky(
        "other-request-header-deleted",
        chat(INSERT + SERVERS, "    http-request del-header X-Forwarded-For\n" + DEFAULT),
        ("cookie",),
    ),
    breaks(
        "session-cookie-renamed-in-requests",
        chat(
            INSERT + SERVERS,
            r"    http-request replace-value Cookie JSESSIONID=(.*) SESSION=\1" + "\n" + DEFAULT,
        ),
        ("session-cookie-altered", "replace-value"),
    ),
    sticky(
        "request-cookie-replaced-by-itself",
        chat(INSERT + SERVERS, r"    http-request replace-header Cookie (.*) \1" + "\n" + DEFAULT),
        ("cookie",),
    ),
    # "Matching values are completely replaced by <replace-fmt>" (User-Agent: curl/7.47.0 with
    # "replace-header User-Agent curl foo" becomes "foo"): Cookie is now only SRV=p1
    breaks(
        "request-cookie-replaced-where-it-matches",
        chat(
            r"    http-request replace-header Cookie SRV=([^;]*) SRV=\1" + "\n" + INSERT + SERVERS
        ),
        ("session-cookie-altered", "replace-header"),
    ),
    breaks(
        "set-cookie-deleted-in-the-backend",
        chat("    http-response del-header Set-Cookie\n" + INSERT + SERVERS),
        ("session-cookie-altered", "del-header Set-Cookie"),
    ),
    breaks(
        "set-cookie-deleted-in-the-frontend",
        chat(INSERT + SERVERS, "    http-response del-header Set-Cookie\n" + DEFAULT),
        ("session-cookie-altered", "del-header Set-Cookie"),
    ),
    sticky(
        "set-cookie-deleted-on-errors",
        chat("    http-response del-header Set-Cookie if { status 500 }\n" + INSERT + SERVERS),
        ("cookie",),
    ),
    # haproxy -c: the request fetch "will never match" in a response rule
    sticky(
        "response-rule-if-a-request-fetch",
        chat("    http-response del-header Set-Cookie if { path_beg /api }\n" + INSERT + SERVERS),
        ("cookie",),
    ),
    breaks(
        "response-rule-unless-a-request-fetch",
        chat(
            "    http-response del-header Set-Cookie unless { path_beg /static }\n"
            + INSERT
            + SERVERS
        ),
        ("session-cookie-altered", "del-header Set-Cookie"),
    ),
    breaks(
        "session-cookie-renamed-in-responses",
        chat(
            r"    http-response replace-header Set-Cookie JSESSIONID=(.*) SESSION=\1"
            + "\n"
            + INSERT
            + SERVERS
        ),
        ("session-cookie-altered", "replace-header"),
    ),
    # the template renders an empty id on every response that sets no cookie
    breaks(
        "set-cookie-rebuilt-from-a-template",
        chat(
            "    http-response set-header Set-Cookie"
            ' "JSESSIONID=%[res.cook(JSESSIONID)]; Path=/api"\n' + INSERT + SERVERS
        ),
        ("session-cookie-altered", "set-header Set-Cookie"),
    ),
    # the value is kept, Secure is added: the browser never returns it over plain HTTP (the
    # edit is named as the cause)
    breaks(
        "set-cookie-made-secure-on-plain-http",
        chat(
            "    http-response replace-header Set-Cookie"
            r" (JSESSIONID=[^;]*);(.*) \1;\ Path=/;\ Secure" + "\n" + INSERT + SERVERS
        ),
        ("session-cookie-altered", "replace-header Set-Cookie"),
    ),
    sticky(
        "other-set-cookie-added",
        chat('    http-response add-header Set-Cookie "lang=en; Path=/"\n' + INSERT + SERVERS),
        ("cookie",),
    ),
    sticky(
        "template-on-another-header",
        chat(
            INSERT + SERVERS,
            "    http-request set-header X-Session %[req.cook(JSESSIONID)]\n" + DEFAULT,
        ),
        ("cookie",),
    ),
    outside(
        "after-response-cookie-edit",
        chat("    http-after-response del-header Set-Cookie\n" + INSERT + SERVERS),
        "http-after-response",
    ),
    sticky(
        "path-set-inside-the-app",
        chat(INSERT + SERVERS, "    http-request set-path /api/chat\n" + DEFAULT),
        ("cookie",),
    ),
    breaks(
        "path-moved-out-of-the-app",
        chat(INSERT + SERVERS, r"    http-request replace-path /api/(.*) /\1" + "\n" + DEFAULT),
        ("session-breaks", "replace-path"),
    ),
]

# manual 4.2 "http-request deny/return/redirect/tarpit/auth", "redirect", "monitor-uri",
# "stats uri", "tcp-request content"
ANSWER = [
    breaks(
        "deny-a-chat-path",
        chat(INSERT + SERVERS, "    http-request deny if { path_beg /api/chat/send }\n" + DEFAULT),
        ("session-breaks", "http-request deny"),
    ),
    sticky(
        "deny-another-path",
        chat(INSERT + SERVERS, "    http-request deny if { path_beg /admin }\n" + DEFAULT),
        ("cookie",),
    ),
    breaks(
        "deny-status",
        chat(
            INSERT + SERVERS,
            "    http-request deny deny_status 429 if { path_beg /api/chat/poll }\n" + DEFAULT,
        ),
        ("session-breaks", "http-request deny"),
    ),
    breaks(
        "deny-in-the-backend",
        chat("    http-request deny if { path_beg /api/chat/send }\n" + INSERT + SERVERS),
        ("session-breaks", "http-request deny"),
    ),
    sticky(
        "deny-another-host",
        chat(
            INSERT + SERVERS,
            "    http-request deny if { hdr(host) -i evil.example.com }\n" + DEFAULT,
        ),
        ("cookie",),
    ),
    # pipeline/evaluate.py: a Host test is not the chat's host where the load balancer answers
    # itself, so that "a deny for other hosts" does not hit the chat
    sticky(
        "deny-unless-the-chat-host",
        chat(
            INSERT + SERVERS,
            "    http-request deny unless { hdr(host) -i chat.example.com }\n" + DEFAULT,
        ),
        ("cookie",),
    ),
    breaks(
        "redirect-to-https-on-a-plain-service",
        chat(
            INSERT + SERVERS, "    http-request redirect scheme https unless { ssl_fc }\n" + DEFAULT
        ),
        ("session-breaks", "redirect scheme"),
    ),
    sticky(
        "redirect-only-service-beside-https-is-skipped",
        https_beside_redirect(INSERT + SERVERS),
        ("cookie",),
        service="fe_https",
    ),
    breaks(
        "https-service-beside-a-redirect-still-judged",
        https_beside_redirect(NODES),
        ("no-persistence", "^backend be_api"),
        service="fe_https",
    ),
    breaks(
        "legacy-redirect-of-a-chat-path",
        chat(
            INSERT + SERVERS,
            "    redirect prefix https://chat.example.com code 301 if { path_beg /api/chat/send }\n"
            + DEFAULT,
        ),
        ("session-breaks", "redirect prefix"),
    ),
    sticky(
        "legacy-redirect-from-www",
        chat(
            INSERT + SERVERS,
            "    redirect prefix https://chat.example.com code 301 if "
            "{ hdr(host) -i www.chat.example.com }\n" + DEFAULT,
        ),
        ("cookie",),
    ),
    breaks(
        "return-on-a-chat-path",
        chat(
            INSERT + SERVERS,
            "    http-request return status 200 content-type text/plain string ok "
            "if { path /api/chat/poll }\n" + DEFAULT,
        ),
        ("session-breaks", "http-request return"),
    ),
    sticky(
        "return-on-health",
        chat(
            INSERT + SERVERS, "    http-request return status 200 if { path /health }\n" + DEFAULT
        ),
        ("cookie",),
    ),
    breaks(
        "tarpit",
        chat(
            INSERT + SERVERS, "    http-request tarpit if { path_beg /api/chat/send }\n" + DEFAULT
        ),
        ("session-breaks", "tarpit"),
    ),
    breaks(
        "monitor-uri-on-a-chat-path",
        chat(INSERT + SERVERS, "    monitor-uri /api/chat/poll\n" + DEFAULT),
        ("session-breaks", "monitor-uri"),
    ),
    # "stats uri <prefix>": every chat request starts with /api
    breaks(
        "stats-uri-prefix-of-the-app",
        chat(INSERT + SERVERS, "    stats enable\n    stats uri /api\n" + DEFAULT),
        ("session-breaks", "stats uri"),
    ),
    breaks(
        "tcp-content-reject",
        chat(
            INSERT + SERVERS,
            "    tcp-request content reject if { path_beg /api/chat/poll }\n" + DEFAULT,
        ),
        ("session-breaks", "tcp-request content"),
    ),
    # pipeline/simulate.py _answers: an answer meets a chat request only when it holds
    # whatever the simulation cannot know (here, whether the client sends credentials)
    sticky(
        "auth-unless-credentials",
        chat(
            INSERT + SERVERS,
            "    http-request auth realm chat unless { http_auth(admins) }\n" + DEFAULT,
            before="userlist admins\n    user admin insecure-password secret\n\n",
        ),
        ("cookie",),
    ),
    breaks(
        "deny-whatever-the-client-address",
        chat(
            INSERT + SERVERS,
            "    http-request deny if { path_beg /api/chat/send } "
            "{ src 10.0.0.0/8 } || { path_beg /api/chat/send } !{ src 10.0.0.0/8 }\n" + DEFAULT,
        ),
        ("session-breaks", "http-request deny"),
    ),
    sticky(
        "deny-by-client-address",
        chat(
            INSERT + SERVERS,
            "    http-request deny if { path_beg /api/chat/send } !{ src 10.0.0.0/8 }\n" + DEFAULT,
        ),
        ("cookie",),
    ),
]

API_ROUTE = "    acl is_api path_beg /api\n    use_backend be_api if is_api\n" + TO_WEB

# manual 4.2 "use_backend", "default_backend"; 7 "Using ACLs"
ROUTING = [
    sticky("path-acl-to-the-chat-backend", chat(INSERT + SERVERS, API_ROUTE, WEB), ("cookie",)),
    breaks(
        "path-acl-missing-the-app",
        chat(INSERT + SERVERS, API_ROUTE.replace("path_beg /api", "path_beg /chat"), WEB),
        ("no-persistence", "^backend be_web"),
    ),
    sticky(
        "case-insensitive-path",
        chat(INSERT + SERVERS, "    use_backend be_api if { path_beg -i /API }\n" + TO_WEB, WEB),
        ("cookie",),
    ),
    breaks(
        "case-sensitive-path",
        chat(INSERT + SERVERS, "    use_backend be_api if { path_beg /API }\n" + TO_WEB, WEB),
        ("no-persistence", "^backend be_web"),
    ),
    breaks(
        "poll-routed-to-a-backend-without-persistence",
        chat(INSERT + SERVERS, POLL_ROUTE, "\nbackend be_poll\n" + NODES),
        ("no-persistence", "^backend be_poll"),
    ),
    sticky(
        "poll-routed-to-a-backend-with-the-same-cookie",
        chat(INSERT + SERVERS, POLL_ROUTE, "\nbackend be_poll\n" + INSERT + SERVERS),
        ("cookie",),
    ),
    # pipeline/evaluate.py: a Host test where a rule routes names the chat's host
    sticky(
        "host-acl",
        chat(
            INSERT + SERVERS,
            "    use_backend be_api if { hdr(host) -i chat.example.com }\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    sticky(
        "host-and-path-acls",
        chat(
            INSERT + SERVERS,
            "    acl chat_host hdr(host) -i chat.example.com\n"
            "    acl api path_beg /api\n    use_backend be_api if chat_host api\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    # no default_backend: HAProxy answers 503 to a request no rule routes
    breaks(
        "no-default-backend",
        chat(
            INSERT + SERVERS,
            "    acl send path_beg /api/chat/send\n"
            "    use_backend be_api if { path_beg /api } !send\n",
        ),
        ("session-breaks", "^frontend fe"),
    ),
    breaks(
        "client-address-acl",
        chat(INSERT + SERVERS, "    use_backend be_api if { src 10.0.0.0/8 }\n" + TO_WEB, WEB),
        ("no-persistence", "^backend be_web"),
    ),
    sticky(
        "backend-name-from-a-template",
        chat(
            INSERT + SERVERS,
            "    use_backend be_%[path,field(2,/)] if { path_beg /api }\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    sticky(
        "backend-name-from-a-variable",
        chat(
            INSERT + SERVERS,
            "    http-request set-var(txn.app) path,field(2,/)\n"
            "    use_backend be_%[var(txn.app)]\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    outside(
        "backend-name-from-a-map",
        chat(
            INSERT + SERVERS,
            "    use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map,be_web)]\n" + TO_WEB,
            WEB,
        ),
        "use_backend %[",
    ),
    sticky(
        "unless-static",
        chat(
            INSERT + SERVERS,
            "    acl static path_beg /static /images\n"
            "    use_backend be_api unless static\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    sticky(
        "or",
        chat(
            INSERT + SERVERS,
            "    acl api path_beg /api\n    acl chat path_beg /chat\n"
            "    use_backend be_api if api || chat\n" + TO_WEB,
            WEB,
        ),
        ("cookie",),
    ),
    sticky(
        "predefined-meth-get",
        chat(INSERT + SERVERS, "    use_backend be_api if METH_GET\n" + TO_WEB, WEB),
        ("cookie",),
    ),
    breaks(
        "predefined-meth-post",
        chat(INSERT + SERVERS, "    use_backend be_api if METH_POST\n" + TO_WEB, WEB),
        ("no-persistence", "^backend be_web"),
    ),
    breaks(
        "tls-route-on-plain-http",
        chat(INSERT + SERVERS, "    use_backend be_api if { ssl_fc }\n" + TO_WEB, WEB),
        ("no-persistence", "^backend be_web"),
    ),
    sticky(
        "listen-section",
        SIM_DEFAULTS + "listen chat\n    bind :8080\n" + INSERT + SERVERS,
        ("cookie",),
        service="chat",
    ),
    breaks(
        "listen-without-persistence",
        SIM_DEFAULTS + "listen chat\n    bind :8080\n" + NODES,
        ("no-persistence", "^listen chat"),
        service="chat",
    ),
]

# manual 4.2 "use-server"
USE_SERVER = [
    sticky(
        "every-chat-request", chat("    use-server p1 if { path_beg /api }\n" + NODES), ("rule",)
    ),
    breaks(
        "some-chat-requests",
        chat("    use-server p1 if { path_beg /api/chat/poll }\n" + NODES),
        ("session-breaks", "^frontend fe"),
        ("session-breaks", "^backend be_api"),
    ),
    sticky("unless", chat("    use-server p2 unless { path_beg /static }\n" + NODES), ("rule",)),
    sticky(
        "name-from-a-variable",
        chat(
            "    http-request set-var(txn.node) str(p1)\n    use-server %[var(txn.node)] if TRUE\n"
            + NODES
        ),
        ("rule",),
    ),
    sticky(
        "name-from-the-lb-cookie",
        chat(INSERT + "    use-server %[req.cook(SRV)] if { req.cook(SRV) -m found }\n" + SERVERS),
        ("rule",),
    ),
    breaks(
        "name-from-an-absent-header",
        chat("    use-server %[req.hdr(x-node)] if TRUE\n" + NODES),
        ("session-breaks", "^backend be_api"),
    ),
    outside(
        "name-from-lua",
        chat("    use-server %[lua.node] if TRUE\n" + NODES, before=LUA),
        "use-server",
    ),
    # "If a rule designates a server which is down ... it is ignored"
    breaks(
        "server-down",
        chat("    use-server p3 if TRUE\n" + NODES + DOWN),
        ("session-breaks", "^backend be_api"),
    ),
    # HAProxy marks a use-server choice direct (SF_DIRECT, stream.c process_server_rules) and
    # inserts its cookie only when the request was not placed directly
    breaks(
        "no-cookie-inserted-after-use-server",
        chat(INSERT + "    use-server p1 if { path /api/chat }\n" + SERVERS),
        ("ineffective", "cookie SRV"),
    ),
]

# manual 4.2 "force-persist", "ignore-persist", "option persist"
PERSIST = [
    sticky(
        "force-persist-to-a-disabled-server",
        chat("    force-persist if TRUE\n    use-server p3 if TRUE\n" + NODES + DOWN),
        ("rule",),
    ),
    sticky(
        "option-persist-to-a-disabled-server",
        chat("    option persist\n    use-server p3 if TRUE\n" + NODES + DOWN),
        ("rule",),
    ),
    sticky(
        "option-persist-from-defaults",
        chat("    use-server p3 if TRUE\n" + NODES + DOWN).replace(
            "    timeout server 30s\n", "    timeout server 30s\n    option persist\n"
        ),
        ("rule",),
    ),
    breaks(
        "no-option-persist-cancels-defaults",
        chat("    no option persist\n    use-server p3 if TRUE\n" + NODES + DOWN).replace(
            "    timeout server 30s\n", "    timeout server 30s\n    option persist\n"
        ),
        ("session-breaks", "^backend be_api"),
    ),
    breaks(
        "stick-entry-of-a-disabled-server",
        chat(
            LEARN
            + "    force-persist if { path /api/chat }\n    use-server p3 if { path /api/chat }\n"
            + NODES
            + DOWN
        ),
        ("session-breaks", "^backend be_api"),
    ),
    sticky(
        "stick-entry-of-a-disabled-server-option-persist",
        chat(
            LEARN + "    option persist\n    force-persist if { path /api/chat }\n"
            "    use-server p3 if { path /api/chat }\n" + NODES + DOWN
        ),
        ("rule", "cookie"),
    ),
    sticky(
        "stick-entry-of-a-disabled-server-force-persist",
        chat(
            LEARN
            + "    force-persist if { path_beg /api }\n    use-server p3 if { path /api/chat }\n"
            + NODES
            + DOWN
        ),
        ("rule", "cookie"),
    ),
    breaks(
        "ignore-persist-for-some-chat-paths",
        chat("    ignore-persist if { path_beg /api/chat/poll }\n" + INSERT + SERVERS),
        ("session-breaks", "^backend be_api"),
    ),
    sticky(
        "ignore-persist-for-static-files",
        chat("    ignore-persist if { path_beg /static }\n" + INSERT + SERVERS),
        ("cookie",),
    ),
    sticky(
        "ignore-persist-unless-the-app",
        chat("    ignore-persist unless { path_beg /api }\n" + INSERT + SERVERS),
        ("cookie",),
    ),
    # "when cookie persistence is enabled, every requests containing the cookie are
    # unconditionally persistent": ignore-persist is about the cookie (HAProxy checks it in
    # the cookie processing only), stick tables still apply
    sticky(
        "ignore-persist-leaves-stick-tables",
        chat("    ignore-persist if { path_beg /api/chat/poll }\n" + LEARN + NODES),
        ("cookie",),
    ),
    sticky(
        "force-persist-with-every-server-up",
        chat("    force-persist if { path_beg /api }\n" + INSERT + SERVERS),
        ("cookie",),
    ),
]

# manual 4 "mode"; haproxy -c warns "cookie will be ignored ... (needs 'mode http')"
TCP = [
    breaks("cookie", tcp(INSERT + SERVERS), ("ineffective", "cookie SRV")),
    breaks(
        "cookie-with-no-mode-at-all", tcp(INSERT + SERVERS, mode=""), ("ineffective", "cookie SRV")
    ),
    sticky("balance-source", tcp("    balance source\n" + NODES), ("client-address",)),
    sticky(
        "stick-on-source",
        tcp("    stick-table type ip size 10k expire 1h\n    stick on src\n" + NODES),
        ("client-address",),
    ),
    breaks(
        "stick-on-a-cookie",
        tcp(f"    stick-table {SPEC}\n" + STICK_ON + NODES),
        ("ineffective", "stick on"),
    ),
    # "Layer 7 hash not possible for backend 'be_api' (needs 'mode http'). Falling back to
    # round robin."
    breaks(
        "layer-7-hash",
        tcp("    balance hdr(host)\n" + NODES),
        ("no-persistence", "^backend be_api"),
    ),
    sticky(
        "http-rules-ignored",
        tcp("    http-request deny\n    balance source\n" + NODES),
        ("client-address",),
    ),
    breaks("round-robin", tcp(NODES), ("no-persistence", "^backend be_api")),
]

# pipeline/model.py Opaque: "A session that reaches it is not evaluable"
OUTSIDE = [
    outside(
        "lua-action",
        chat(INSERT + SERVERS, "    http-request lua.pick\n" + DEFAULT, before=LUA),
        "lua.pick",
    ),
    sticky(
        "lua-action-never-on-the-chat-path",
        chat(
            INSERT + SERVERS,
            "    http-request lua.pick if { path_beg /admin }\n" + DEFAULT,
            before=LUA,
        ),
        ("cookie",),
    ),
    outside(
        "lua-service-on-a-chat-path",
        chat(
            INSERT + SERVERS,
            "    http-request use-service lua.hello if { path /api/chat/poll }\n" + DEFAULT,
            before=LUA,
        ),
        "use-service",
    ),
    outside(
        "lua-fetch-in-the-cookie-header",
        chat(
            '    http-request set-header Cookie "SRV=%[lua.node]"\n' + INSERT + SERVERS, before=LUA
        ),
        "set-header Cookie",
    ),
    outside(
        "lua-tcp-content-action",
        chat(INSERT + SERVERS, "    tcp-request content lua.pick\n" + DEFAULT, before=LUA),
        "tcp-request content",
    ),
    outside(
        "spoe-filter",
        chat(
            INSERT + SERVERS,
            "    filter spoe engine agent config /etc/haproxy/spoe.conf\n" + DEFAULT,
            "\nbackend be_agents\n    mode tcp\n    server a1 127.0.0.1:12345\n",
        ),
        "filter spoe",
    ),
    sticky(
        "cache-filter",
        chat(
            INSERT + SERVERS,
            "    filter cache c1\n    http-request cache-use c1\n" + DEFAULT,
            before="cache c1\n    total-max-size 4\n\n",
        ),
        ("cookie",),
    ),
    # manual 6.1: only responses with an expiry or a validator are cached; a rule adds one
    outside(
        "cache-filter-with-cacheable-responses",
        chat(
            INSERT + SERVERS,
            "    filter cache c1\n    http-request cache-use c1\n"
            '    http-response set-header Cache-Control "max-age=60"\n' + DEFAULT,
            before="cache c1\n    total-max-size 4\n\n",
        ),
        "filter cache",
    ),
    sticky(
        "compression-filter",
        chat(INSERT + SERVERS, "    filter compression\n" + DEFAULT),
        ("cookie",),
    ),
    outside(
        "set-src",
        chat(INSERT + SERVERS, "    http-request set-src hdr(x-forwarded-for)\n" + DEFAULT),
        "set-src",
    ),
]

FAMILIES = {
    "cookie": COOKIE,
    "servers": SERVER,
    "balance": BALANCE,
    "stick-table": STICK_TABLE,
    "stick-rules": STICK_RULE,
    "headers": HEADER,
    "answers": ANSWER,
    "routing": ROUTING,
    "use-server": USE_SERVER,
    "persist": PERSIST,
    "tcp-mode": TCP,
    "outside-the-model": OUTSIDE,
}


def line_of(text: str, needle: str) -> int:
    """The only line of ``text`` holding ``needle`` (starting with it, after a ``^``)."""
    start = needle.startswith("^")
    lines = [
        number
        for number, line in enumerate(text.split("\n"), 1)
        if (line.startswith(needle[1:]) if start else needle in line)
    ]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def simulation(family: str, sim: Sim) -> object:
    marks = (
        [pytest.mark.xfail(strict=True, reason=sim.xfail, raises=sim.raises)] if sim.xfail else []
    )
    return pytest.param(sim, id=f"{family}/{sim.id}", marks=marks)


@pytest.mark.parametrize(
    "sim", [simulation(family, sim) for family, sims in FAMILIES.items() for sim in sims]
)
def test_simulated_verdict(sim: Sim) -> None:
    outcomes = simulate(load(sim.text), sim.app)
    assert [o.service.name for o in outcomes] == [sim.service]
    (outcome,) = outcomes
    found = {(b.cause.code, b.cause.span.line) for b in outcome.breaks}
    for step in outcome.outside:
        line = sim.text.split("\n")[step.span.line - 1]
        assert step.span.column == len(line) - len(line.lstrip()) + 1  # the directive's span
        found.add(("not-evaluable", step.span.line))
    expected = {(code, line_of(sim.text, needle)) for code, needle in sim.causes}
    assert (outcome.verdict, found) == (sim.verdict, expected)
    if sim.kept_by is not None:
        assert outcome.kept_by == sim.kept_by


def test_simulation_ids_are_unique_per_family() -> None:
    for sims in FAMILIES.values():
        ids = [sim.id for sim in sims]
        assert len(ids) == len(set(ids))


def test_breaks_under_an_undecidable_condition_name_it() -> None:
    text = chat(INSERT + SERVERS, "    use_backend be_api if { src 10.0.0.0/8 }\n" + TO_WEB, WEB)
    (outcome,) = simulate(load(text), AppModel())
    assert outcome.pools == ("be_web", "be_api")
    assert {b.assumption for b in outcome.breaks} == {"src 10.0.0.0/8 is false"}


def test_a_service_that_never_serves_the_app_has_no_outcome() -> None:
    text = chat(INSERT + SERVERS, "    use_backend be_api if { path_beg /static }\n")
    assert simulate(load(text), AppModel()) == []
