"""The configuration matrix for the HAProxy ground truth.

Each entry is a complete ``haproxy.cfg`` template (``@FE@`` is the frontend port, ``@S1@``…``@S3@``
the chat nodes' ports, all on 127.0.0.1) with what a real haproxy 2.6 was observed to do with it:
``expected_sticky`` is a regression expectation recorded from the harness, not a prediction. An
entry with several ``environments`` is sticky only if haproxy was sticky under every one of them.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from tests.groundtruth.harness import SESSION_COOKIE, Environment, Ports, Scenario

PAUSE_SCENARIO = Scenario(sessions=20, requests=3, pause_seconds=2.0)
# For ``.if defined(TCOMMLINT_GT_UNSET)`` blocks: run haproxy without and with the variable.
BOTH_WAYS: tuple[Environment, ...] = ({}, {"TCOMMLINT_GT_UNSET": "1"})


class Entry(NamedTuple):
    """One configuration of the matrix."""

    id: str
    description: str
    template: str
    expected_sticky: bool
    app_cookie: str = SESSION_COOKIE
    servers: int = 2
    scenario: Scenario = Scenario()
    note: str = ""
    # haproxy runs once per variant (variables besides PATH); sticky only if every run is
    environments: tuple[Environment, ...] = ({},)
    # what the manual led us to expect, written down before the first run (None: not recorded)
    predicted_sticky: bool | None = None
    # a mechanism tcommlint does not model (Lua, filters, variables, tcp-request content rules):
    # tcommlint is expected to report the configuration as not evaluable
    outside_model: bool = False
    # Why tcommlint is not expected to agree: the harness's client is not a chat client here
    # (one path where a chat client uses several, a Host with a port, a backend's own header).
    client_differs: str = ""
    # Why haproxy's own verdict is not recorded: it differs from run to run (timing, random ids).
    haproxy_varies: str = ""
    # False: the chat nodes have no jvmRoute (session ids without ``.<route>``)
    jvm_routes: bool = True
    # files the configuration includes, (path relative to it, template with the placeholders)
    files: tuple[tuple[str, str], ...] = ()

    def render(self, ports: Ports) -> str:
        """The configuration text with real ports filled in."""
        text = self.template.replace("@FE@", str(ports.frontend))
        for number, port in enumerate(ports.servers, start=1):
            text = text.replace(f"@S{number}@", str(port))
        return text

    def render_files(self, ports: Ports) -> tuple[tuple[str, str], ...]:
        """The included files with real ports filled in."""
        return tuple(
            (path, self._replace(template=text).render(ports)) for path, text in self.files
        )

    def sample(self) -> str:
        """The configuration with fixed placeholder ports (for display and linting)."""
        return self.render(Ports(8080, tuple(range(9001, 9001 + self.servers))))


def recording_problems(entries: Sequence[Entry], min_per_family: int = 3) -> list[str]:
    """What a server's matrix misses of its record: an entry without a description or a
    prediction, a surprise (prediction != observation) without a note, a family (the id up to
    its first ``-``) with fewer than ``min_per_family`` entries, an id used twice."""
    problems = [f"{e.id}: no description" for e in entries if not e.description]
    problems += [f"{e.id}: no prediction" for e in entries if e.predicted_sticky is None]
    problems += [
        f"{e.id}: a surprise without a note"
        for e in entries
        if e.predicted_sticky is not e.expected_sticky and not e.note
    ]
    families = Counter(entry.id.split("-")[0] for entry in entries)
    problems += [f"family {f}: {n} entries" for f, n in families.items() if n < min_per_family]
    ids = Counter(entry.id for entry in entries)
    return problems + [f"{id_}: used {n} times" for id_, n in ids.items() if n > 1]


GLOBAL = "global\n    maxconn 512\n\n"
TIMEOUTS = "    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\n"
DEFAULTS = "defaults\n    mode http\n" + TIMEOUTS + "\n"
FRONTEND = "frontend fe_chat\n    bind 127.0.0.1:@FE@\n    default_backend be_api\n\n"
INSERT_SRV = "    cookie SRV insert indirect nocache\n"
STICK_TABLE = "    stick-table type string len 52 size 10k expire 30m\n"
STICK_ON = "    stick on req.cook(JSESSIONID)\n"
STORE_RESPONSE = "    stick store-response res.cook(JSESSIONID)\n"
STICK_LEARN = STICK_TABLE + STICK_ON + STORE_RESPONSE
API_ROUTING = (
    "frontend fe_chat\n    bind 127.0.0.1:@FE@\n    acl is_api path_beg /api\n"
    "    use_backend be_api if is_api\n    default_backend be_web\n\n"
)


def servers(count: int = 2, cookies: bool = True, backup: int = 0) -> str:
    """``server`` lines for chat nodes 1..count; the last ``backup`` of them are backups."""
    lines = []
    for number in range(1, count + 1):
        line = f"    server s{number} 127.0.0.1:@S{number}@"
        if cookies:
            line += f" cookie s{number}"
        if number > count - backup:
            line += " backup"
        lines.append(line + "\n")
    return "".join(lines)


def simple(body: str, count: int = 2, cookies: bool = True, balance: str = "roundrobin") -> str:
    """A full config: one frontend sending everything to ``be_api`` with ``body`` in it."""
    backend = f"backend be_api\n    balance {balance}\n{body}{servers(count, cookies)}"
    return GLOBAL + DEFAULTS + FRONTEND + backend


def routed(api_body: str, web_body: str) -> str:
    """A full config routing ``/api`` to ``be_api`` and the rest to ``be_web`` (2 nodes each)."""
    api = f"backend be_api\n    balance roundrobin\n{api_body}{servers()}\n"
    web = f"backend be_web\n    balance roundrobin\n{web_body}{servers()}"
    return GLOBAL + DEFAULTS + API_ROUTING + api + web


def _cookie_modes() -> list[Entry]:
    return [
        Entry(
            "rr-no-persistence",
            "balance roundrobin, 2 nodes, no persistence",
            simple("", cookies=False),
            False,
        ),
        Entry(
            "rr-no-persistence-3",
            "balance roundrobin, 3 nodes, no persistence",
            simple("", 3, cookies=False),
            False,
            servers=3,
        ),
        Entry(
            "leastconn-no-persistence",
            "balance leastconn, no persistence",
            simple("", cookies=False, balance="leastconn"),
            False,
        ),
        Entry(
            "insert-srv",
            "cookie SRV insert indirect nocache + server cookie values",
            simple(INSERT_SRV),
            True,
        ),
        Entry(
            "insert-srv-plain",
            "cookie SRV insert (no indirect/nocache)",
            simple("    cookie SRV insert\n"),
            True,
        ),
        Entry(
            "insert-srv-3-maxidle",
            "cookie SERVERID insert … httponly maxidle 30m maxlife 8h",
            simple(
                INSERT_SRV.replace("SRV insert", "SERVERID insert").replace(
                    "nocache", "nocache httponly maxidle 30m maxlife 8h"
                ),
                3,
            ),
            True,
            servers=3,
        ),
        Entry(
            "insert-srv-no-server-cookies",
            "cookie SRV insert, servers lack cookie values",
            simple(INSERT_SRV, cookies=False),
            False,
        ),
        Entry(
            "insert-srv-one-server-no-cookie",
            "cookie SRV insert, only s1 has a cookie value",
            GLOBAL
            + DEFAULTS
            + FRONTEND
            + "backend be_api\n    balance roundrobin\n"
            + INSERT_SRV
            + "    server s1 127.0.0.1:@S1@ cookie s1\n"
            "    server s2 127.0.0.1:@S2@\n",
            False,
        ),
        Entry(
            "prefix-jsessionid",
            "cookie JSESSIONID prefix nocache",
            simple("    cookie JSESSIONID prefix nocache\n"),
            True,
        ),
        Entry(
            "prefix-jsessionid-3",
            "cookie JSESSIONID prefix, 3 nodes",
            simple("    cookie JSESSIONID prefix\n", 3),
            True,
            servers=3,
        ),
        Entry(
            "prefix-jsessionid-indirect",
            "cookie JSESSIONID prefix indirect (manual: don't)",
            simple("    cookie JSESSIONID prefix indirect nocache\n"),
            True,
        ),
        Entry(
            "prefix-lowercase",
            "cookie jsessionid prefix; app sets JSESSIONID",
            simple("    cookie jsessionid prefix nocache\n"),
            False,
        ),
        Entry(
            "prefix-lowercase-app-lowercase",
            "cookie jsessionid prefix; app sets jsessionid",
            simple("    cookie jsessionid prefix nocache\n"),
            True,
            app_cookie="jsessionid",
        ),
        Entry(
            "prefix-typo",
            "cookie JSESIONID prefix (typo); app sets JSESSIONID",
            simple("    cookie JSESIONID prefix nocache\n"),
            False,
        ),
        Entry(
            "insert-jsessionid",
            "cookie JSESSIONID insert: clobbers the app cookie",
            simple("    cookie JSESSIONID insert\n"),
            False,
        ),
        Entry(
            "insert-jsessionid-indirect",
            "cookie JSESSIONID insert indirect nocache",
            simple("    cookie JSESSIONID insert indirect nocache\n"),
            False,
        ),
        Entry(
            "insert-jsessionid-preserve",
            "cookie JSESSIONID insert preserve indirect",
            simple("    cookie JSESSIONID insert preserve indirect nocache\n"),
            False,
        ),
        Entry(
            "rewrite-jsessionid",
            "cookie JSESSIONID rewrite: app id replaced by server id",
            simple("    cookie JSESSIONID rewrite\n"),
            False,
        ),
        Entry(
            "passive-jsessionid",
            "cookie JSESSIONID (passive, no mode keyword)",
            simple("    cookie JSESSIONID\n"),
            False,
        ),
    ]


def _stick_rules() -> list[Entry]:
    lower = STICK_TABLE + "    stick on req.cook(jsessionid)\n"
    lower += "    stick store-response res.cook(jsessionid)\n"
    return [
        Entry(
            "stick-on-store-response",
            "stick on req.cook + store-response res.cook(JSESSIONID)",
            simple(STICK_LEARN, cookies=False),
            True,
        ),
        Entry(
            "stick-match-store-response",
            "stick match req.cook + store-response res.cook",
            simple(
                STICK_TABLE + "    stick match req.cook(JSESSIONID)\n" + STORE_RESPONSE,
                cookies=False,
            ),
            True,
        ),
        Entry(
            "stick-on-no-store-response",
            "stick on req.cook(JSESSIONID) without store-response",
            simple(STICK_TABLE + STICK_ON, cookies=False),
            False,
        ),
        Entry(
            "stick-store-response-only",
            "stick store-response res.cook without any match",
            simple(STICK_TABLE + STORE_RESPONSE, cookies=False),
            False,
        ),
        Entry(
            "stick-on-lowercase",
            "stick on/store-response on jsessionid; app sets JSESSIONID",
            simple(lower, cookies=False),
            False,
        ),
        Entry(
            "stick-on-lowercase-app-lowercase",
            "stick rules on jsessionid; app sets jsessionid",
            simple(lower, cookies=False),
            True,
            app_cookie="jsessionid",
        ),
        Entry(
            "stick-table-type-ip-cookie",
            "stick rules on JSESSIONID into a type ip table",
            simple(STICK_LEARN.replace("type string len 52", "type ip"), cookies=False),
            False,
        ),
        Entry(
            "stick-expire-1s-pause",
            "stick-table expire 1s, 2s idle between requests",
            simple(STICK_LEARN.replace("expire 30m", "expire 1s"), cookies=False),
            False,
            scenario=PAUSE_SCENARIO,
        ),
        Entry(
            "stick-expire-30m-pause",
            "stick-table expire 30m, 2s idle (control)",
            simple(STICK_LEARN, cookies=False),
            True,
            scenario=PAUSE_SCENARIO,
        ),
        Entry(
            "stick-on-src",
            "stick-table type ip + stick on src (client address)",
            simple(
                "    stick-table type ip size 10k expire 30m\n    stick on src\n", cookies=False
            ),
            True,
            note="one client address: IP affinity holds here (NAT would break it)",
        ),
    ]


def _balance() -> list[Entry]:
    return [
        Entry(
            "hash-req-cook",
            "balance hash req.cook(JSESSIONID), 3 nodes",
            simple("", 3, cookies=False, balance="hash req.cook(JSESSIONID)"),
            False,
            servers=3,
        ),
        Entry(
            "hash-hdr-cookie",
            "balance hdr(Cookie)",
            simple("", cookies=False, balance="hdr(Cookie)"),
            False,
        ),
        Entry(
            "url-param-jsessionid",
            "balance url_param JSESSIONID (cookie, not a parameter)",
            simple("", cookies=False, balance="url_param JSESSIONID"),
            False,
        ),
        Entry(
            "balance-source",
            "balance source (client address affinity)",
            simple("", cookies=False, balance="source"),
            True,
            note="TC208 is a warning: from one client address every session sticks",
        ),
        Entry(
            "insert-srv-plus-hash",
            "cookie SRV insert with balance hash req.cook(JSESSIONID)",
            simple(INSERT_SRV, balance="hash req.cook(JSESSIONID)"),
            True,
        ),
    ]


def _topology() -> list[Entry]:
    tcp_defaults = "defaults\n    mode tcp\n" + TIMEOUTS + "\n"
    return [
        Entry(
            "path-routing-persist-on-api",
            "/api routed by ACL to be_api, which inserts SRV",
            routed(INSERT_SRV, ""),
            True,
        ),
        Entry(
            "path-routing-persist-on-web-only",
            "/api to be_api; persistence only on be_web",
            routed("", INSERT_SRV),
            False,
        ),
        Entry(
            "path-routing-inline-acl",
            "use_backend be_api if { path_beg /api }, prefix cookie",
            routed("    cookie JSESSIONID prefix nocache\n", "").replace(
                "    acl is_api path_beg /api\n    use_backend be_api if is_api\n",
                "    use_backend be_api if { path_beg /api }\n",
            ),
            True,
        ),
        Entry(
            "backup-1-active-1-backup",
            "1 active + 1 backup server, no persistence",
            GLOBAL
            + DEFAULTS
            + FRONTEND
            + "backend be_api\n    balance roundrobin\n"
            + servers(2, cookies=False, backup=1),
            True,
            note="active-passive: only one server is used, sticky trivially",
        ),
        Entry(
            "backup-2-active-1-backup",
            "2 active + 1 backup server, no persistence",
            GLOBAL
            + DEFAULTS
            + FRONTEND
            + "backend be_api\n    balance roundrobin\n"
            + servers(3, cookies=False, backup=1),
            False,
            servers=3,
        ),
        Entry(
            "appsession",
            "appsession JSESSIONID len 52 timeout 3h (removed in 1.6)",
            simple("    appsession JSESSIONID len 52 timeout 3h\n", cookies=False),
            False,
            note="haproxy -c refuses the configuration",
        ),
        Entry(
            "tcp-mode-cookie",
            "mode tcp with cookie SRV insert (cookie ignored)",
            GLOBAL
            + tcp_defaults
            + FRONTEND
            + "backend be_api\n    balance roundrobin\n"
            + INSERT_SRV
            + servers(),
            False,
        ),
        Entry(
            "listen-insert",
            "one listen section with cookie SRV insert",
            GLOBAL
            + DEFAULTS
            + "listen chat\n    bind 127.0.0.1:@FE@\n    balance roundrobin\n"
            + INSERT_SRV
            + servers(),
            True,
        ),
    ]


def _inheritance() -> list[Entry]:
    cookie_defaults = "defaults\n    mode http\n" + TIMEOUTS + INSERT_SRV + "\n"
    backend = "backend be_api\n    balance roundrobin\n" + servers()
    named = (
        "defaults sticky\n    mode http\n" + TIMEOUTS + INSERT_SRV + "\n"
        "defaults plain\n    mode http\n" + TIMEOUTS + "\n"
    )
    return [
        Entry(
            "if-version-persist",
            ".if version_atleast(2.0) around cookie SRV insert",
            simple(".if version_atleast(2.0)\n" + INSERT_SRV + ".endif\n"),
            True,
        ),
        Entry(
            "if-undefined-persist",
            ".if defined(TCOMMLINT_GT_UNSET) around cookie SRV insert",
            simple(".if defined(TCOMMLINT_GT_UNSET)\n" + INSERT_SRV + ".endif\n"),
            False,
            environments=BOTH_WAYS,
            note="sticky only when the variable is set",
        ),
        Entry(
            "if-else-persist",
            ".if defined(UNSET) no persistence .else cookie SRV insert",
            simple(
                ".if defined(TCOMMLINT_GT_UNSET)\n    balance roundrobin\n.else\n"
                + INSERT_SRV
                + ".endif\n"
            ),
            False,
            environments=BOTH_WAYS,
            note="sticky only when the variable is unset",
        ),
        Entry(
            "defaults-cookie-inherited",
            "cookie SRV insert in defaults, inherited by be_api",
            GLOBAL + cookie_defaults + FRONTEND + backend,
            True,
        ),
        Entry(
            "defaults-reset",
            "cookie in defaults, then a later defaults resets it",
            GLOBAL + cookie_defaults + FRONTEND + DEFAULTS + backend,
            False,
        ),
        Entry(
            "defaults-named-from",
            "backend be_api from a named defaults holding the cookie",
            GLOBAL
            + named
            + FRONTEND.replace("fe_chat", "fe_chat from plain")
            + backend.replace("be_api", "be_api from sticky", 1),
            True,
        ),
        Entry(
            "defaults-named-last-wins",
            "named defaults with cookie, later plain defaults used",
            GLOBAL + named + FRONTEND + backend,
            False,
        ),
    ]


def entries() -> list[Entry]:
    """Every configuration of the matrix, in a stable order."""
    return _cookie_modes() + _stick_rules() + _balance() + _topology() + _inheritance()


# Modules under tests/groundtruth/ each exporting ``ENTRIES: tuple[Entry, ...]``, appended to
# MATRIX in this order. They import Entry and the helpers above, so they are imported lazily (on
# first use of MATRIX): either module may then be imported first without a circular import.
FAMILY_MODULES = ("matrix_lb_cookie", "matrix_stick", "matrix_refused", "matrix_blind")
FAMILY_MODULES += ("matrix_blind2",)  # the second blind round


ONE_PATH = "the harness's client sends every request to one path; a chat client uses several"
ONE_AT_A_TIME = (
    "the harness's client sends one request at a time, so a server's maxconn 1 is free again "
    "more often than not (haproxy observed sticky or not from run to run); concurrent chat "
    "sessions overlap"
)
# Entries whose observation depends on what the harness's client does differently from a chat
# client (its paths, its Host, its pace, the few random ids it draws); tcommlint judges the chat
# client (see docs/simulation.md) and is not compared there.
CLIENT_DIFFERS = {
    "lbb-uri-one-path": ONE_PATH,
    "lbb-uri-one-path-login": ONE_PATH,
    "lbb-uri-one-path-login-2": ONE_PATH,
    "lbb-hash-path-one-path": ONE_PATH,
    "lbc-insert-domain-foreign": (
        "the cookie's domain names another host than the harness's 127.0.0.1; tcommlint does "
        "not know the host name a deployment is reached by"
    ),
    "rt-host-exact": (
        "the harness sends Host with a port; a chat client's Host is the name the rule matches"
    ),
    "lbb-first-maxconn1": ONE_AT_A_TIME,
    "b2-balance-first-maxconn-1": ONE_AT_A_TIME,
    "b2-tomcat-table-integer": (
        "the harness's 10 sessions draw random ids, and whether two of them fall on one integer "
        "key (the id's leading digits) differs from run to run (haproxy observed sticky or not); "
        "tcommlint judges the declared concurrent sessions, among which keys collide"
    ),
    "sr-two-stores-header-first": (
        "the harness's nodes send X-Served-By, a header a Tomcat chat node does not send"
    ),
}

# Entries among those above whose haproxy verdict itself changes from run to run, so no recorded
# verdict can be checked: the pace of the client against maxconn 1, or whether random ids collide.
HAPROXY_VARIES = frozenset(
    ("lbb-first-maxconn1", "b2-balance-first-maxconn-1", "b2-tomcat-table-integer")
)


def __getattr__(name: str) -> tuple[Entry, ...]:
    """``MATRIX``: the entries above followed by every family module's ``ENTRIES``."""
    if name != "MATRIX":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    matrix = tuple(entries())
    for module in FAMILY_MODULES:
        matrix += importlib.import_module(f"tests.groundtruth.{module}").ENTRIES
    matrix = tuple(
        e._replace(
            client_differs=CLIENT_DIFFERS.get(e.id, ""),
            haproxy_varies=CLIENT_DIFFERS[e.id] if e.id in HAPROXY_VARIES else "",
        )
        for e in matrix
    )
    globals()["MATRIX"] = matrix
    return matrix
