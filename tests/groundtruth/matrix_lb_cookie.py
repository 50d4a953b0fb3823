"""Ground-truth configurations, families 1: cookie persistence, server parameters, balance, mode.

Every entry carries the verdict predicted from the haproxy 2.6 manual (``configuration.txt``)
before it was first run (``predicted_sticky``) and the verdict a real haproxy 2.6 gave
(``expected_sticky``). ``case`` records the prediction as the expectation unless ``observed``
says otherwise, so every entry with ``observed=`` is one where the server contradicted the
manual-based prediction; its ``note`` says what was learned and where the manual says so. A note
also records surprises that did not change the verdict (the maxidle entry needed more pauses).

Most entries play 6 sessions x 6 requests (enough to see two or three nodes mix sessions); the
scenario variants use the same configurations sequentially, with a login that renews the session
id, with the id in the URL instead of a cookie, or with an idle pause past a 1 s lifetime.
"""

from __future__ import annotations

from tests.groundtruth.harness import SESSION_COOKIE, Scenario
from tests.groundtruth.matrix import DEFAULTS, FRONTEND, GLOBAL, INSERT_SRV, TIMEOUTS, Entry

SIX = Scenario(sessions=6, requests=6)
SEQUENTIAL = SIX._replace(interleaved=False)
LOGIN = SIX._replace(login_at=3)
ID_IN_PATH = SIX._replace(id_in_path=True)
ONE_PATH = SIX._replace(paths=("/api/chat",))
# an idle pause of 2 s once, before the 3rd request: past a 1 s lifetime, within 30 minutes
PAUSE_ONCE = Scenario(sessions=6, requests=4, pause_seconds=2.0, pause_before=3)
# two or three idle pauses of 3 s: haproxy dates its cookies in 4 s steps (see the maxidle entry)
PAUSE_TWICE = Scenario(sessions=6, requests=3, pause_seconds=3.0)
PAUSE_THRICE = Scenario(sessions=6, requests=4, pause_seconds=3.0)
TCP_DEFAULTS = "defaults\n    mode tcp\n" + TIMEOUTS + "\n"


def server_lines(*params: str) -> str:
    """One ``server sN`` line per argument, ``params`` appended (e.g. ``"cookie s1 weight 0"``)."""
    return "".join(
        f"    server s{n} 127.0.0.1:@S{n}@{' ' + extra if extra else ''}\n"
        for n, extra in enumerate(params, start=1)
    )


def cookies(count: int, *extra: str) -> tuple[str, ...]:
    """``cookie sN`` for servers 1..count, each followed by ``extra[N-1]`` when given."""
    return tuple(
        f"cookie s{n}" + (f" {extra[n - 1]}" if n <= len(extra) and extra[n - 1] else "")
        for n in range(1, count + 1)
    )


def config(body: str, lines: str, balance: str = "roundrobin", defaults: str = DEFAULTS) -> str:
    """A full config: ``fe_chat`` sends everything to ``be_api`` holding ``body`` and ``lines``."""
    backend = "backend be_api\n"
    if balance:
        backend += f"    balance {balance}\n"
    return GLOBAL + defaults + FRONTEND + backend + body + lines


def case(
    entry_id: str,
    description: str,
    template: str,
    predicted: bool,
    *,
    observed: bool | None = None,
    servers: int = 2,
    scenario: Scenario = SIX,
    app_cookie: str = SESSION_COOKIE,
    note: str = "",
) -> Entry:
    """An entry whose observed verdict is ``observed``, or the prediction when not given."""
    return Entry(
        entry_id,
        description,
        template,
        predicted if observed is None else observed,
        app_cookie=app_cookie,
        servers=servers,
        scenario=scenario,
        note=note,
        predicted_sticky=predicted,
    )


INSERT_2 = config(INSERT_SRV, server_lines(*cookies(2)))
PREFIX_2 = config("    cookie JSESSIONID prefix nocache\n", server_lines(*cookies(2)))
PLAIN_2 = config("", server_lines("", ""))


def _cookie_family() -> list[Entry]:
    def insert(options: str, servers: int = 2) -> str:
        return config(f"    cookie SRV insert {options}\n", server_lines(*cookies(servers)))

    return [
        case(
            "lbc-insert-indirect-nocache-3",
            "cookie SRV insert indirect nocache, 3 nodes",
            insert("indirect nocache", 3),
            True,
            servers=3,
        ),
        case("lbc-insert-nocache", "cookie SRV insert nocache", insert("nocache"), True),
        case("lbc-insert-indirect", "cookie SRV insert indirect", insert("indirect"), True),
        case(
            "lbc-insert-postonly",
            "cookie SRV insert postonly indirect; the chat client only GETs",
            insert("postonly indirect"),
            False,
        ),
        case(
            "lbc-insert-preserve-indirect",
            "cookie SRV insert preserve indirect nocache (app never sets SRV)",
            insert("preserve indirect nocache"),
            True,
        ),
        case(
            "lbc-insert-preserve",
            "cookie SRV insert preserve (no indirect)",
            insert("preserve"),
            True,
        ),
        case(
            "lbc-rewrite-srv",
            "cookie SRV rewrite; the app never sets SRV",
            config("    cookie SRV rewrite\n", server_lines(*cookies(2))),
            False,
        ),
        case(
            "lbc-prefix-srv",
            "cookie SRV prefix; the app never sets SRV",
            config("    cookie SRV prefix\n", server_lines(*cookies(2))),
            False,
        ),
        case(
            "lbc-passive-srv",
            "cookie SRV (passive: no mode); nobody sets SRV",
            config("    cookie SRV\n", server_lines(*cookies(2))),
            False,
        ),
        case(
            "lbc-insert-httponly",
            "cookie SRV insert indirect nocache httponly",
            insert("indirect nocache httponly"),
            True,
        ),
        case(
            "lbc-insert-secure",
            "cookie SRV insert … secure, over plain http",
            insert("indirect nocache secure"),
            False,
            note="the jar honours Secure as browsers do: a Secure cookie set over http is "
            "ignored (RFC 6265bis §5.7) and never sent over http (manual §4.2 cookie, secure)",
        ),
        case(
            "lbc-insert-domain-foreign",
            "cookie SRV insert … domain .example.com, site served as 127.0.0.1",
            insert("indirect nocache domain .example.com"),
            False,
            note="a browser rejects a cookie whose Domain does not match the host "
            "(RFC 6265 §5.3 step 6); the jar does too",
        ),
        case(
            "lbc-insert-domain-loopback",
            "cookie SRV insert … domain 127.0.0.1 (matches the host)",
            insert("indirect nocache domain 127.0.0.1"),
            True,
        ),
        case(
            "lbc-insert-attr-samesite",
            'cookie SRV insert … attr "SameSite=Strict"',
            insert('indirect nocache attr "SameSite=Strict"'),
            True,
        ),
        case(
            "lbc-insert-attr-max-age-1-pause",
            'cookie SRV insert … attr "Max-Age=1", 2 s idle once',
            insert('indirect nocache attr "Max-Age=1"'),
            False,
            scenario=PAUSE_ONCE,
        ),
        case(
            "lbc-insert-attr-max-age-60-pause",
            'cookie SRV insert … attr "Max-Age=60", 2 s idle once (control)',
            insert('indirect nocache attr "Max-Age=60"'),
            True,
            scenario=PAUSE_ONCE,
        ),
        case(
            "lbc-insert-maxidle-1s-pause",
            "cookie SRV insert … maxidle 1s, three 3 s idle pauses, 3 nodes",
            insert("indirect nocache maxidle 1s", 3),
            False,
            servers=3,
            scenario=PAUSE_THRICE,
            note="with two 3 s pauses this was sticky in some runs: haproxy writes the cookie "
            "date in 4 s units rounded up ((sec+3)>>2, not in the manual, which says seconds), "
            "and refreshes it when it is in the past, so maxidle 1s expires after 1 to 4 s "
            "depending on the wall-clock phase; three pauses expire it at every phase",
        ),
        case(
            "lbc-insert-maxlife-1s-pause",
            "cookie SRV insert … maxlife 1s, two 3 s idle pauses, 3 nodes",
            insert("indirect nocache maxlife 1s", 3),
            False,
            servers=3,
            scenario=PAUSE_TWICE,
        ),
        case(
            "lbc-insert-maxidle-30m-pause",
            "cookie SRV insert … maxidle 30m maxlife 8h, 2 s idle once (control)",
            insert("indirect nocache maxidle 30m maxlife 8h"),
            True,
            scenario=PAUSE_ONCE,
        ),
        case(
            "lbc-insert-maxlife-1s-no-pause",
            "cookie SRV insert … maxlife 1s, requests back to back",
            insert("indirect nocache maxlife 1s"),
            True,
        ),
        case(
            "lbc-dynamic-key",
            "cookie SRV insert dynamic + dynamic-cookie-key, servers without cookie values",
            config(
                "    dynamic-cookie-key s3cr3t\n    cookie SRV insert indirect nocache dynamic\n",
                server_lines("", ""),
            ),
            True,
        ),
        case(
            "lbc-dynamic-no-key",
            "cookie SRV insert dynamic without dynamic-cookie-key, no cookie values",
            config("    cookie SRV insert indirect nocache dynamic\n", server_lines("", "")),
            False,
            note="haproxy -c accepts it without a warning; no cookie is inserted",
        ),
        case(
            "lbc-dynamic-explicit-values",
            "cookie SRV insert dynamic + key, servers with explicit cookie values",
            config(
                "    dynamic-cookie-key s3cr3t\n    cookie SRV insert indirect nocache dynamic\n",
                server_lines(*cookies(2)),
            ),
            True,
        ),
        case(
            "lbc-insert-lowercase-name",
            "cookie srv insert (lower-case name: any name works for insert)",
            config("    cookie srv insert indirect nocache\n", server_lines(*cookies(2))),
            True,
        ),
        case(
            "lbc-insert-jsessionid-lowercase",
            "cookie jsessionid insert indirect nocache; the app sets JSESSIONID",
            config("    cookie jsessionid insert indirect nocache\n", server_lines(*cookies(2))),
            True,
            note="cookie names are case-sensitive: the LB cookie does not clobber the app's",
        ),
        case(
            "lbc-rewrite-jsessionid-lowercase",
            "cookie jsessionid rewrite; the app sets JSESSIONID",
            config("    cookie jsessionid rewrite\n", server_lines(*cookies(2))),
            False,
        ),
        case(
            "lbc-insert-jsessionid-preserve",
            "cookie JSESSIONID insert preserve (no indirect): app cookie left, LB cookie later",
            config("    cookie JSESSIONID insert preserve\n", server_lines(*cookies(2))),
            False,
        ),
        case(
            "lbc-cookie-in-frontend",
            "cookie SRV insert written in the frontend (not allowed there)",
            GLOBAL
            + DEFAULTS
            + FRONTEND.replace("    default_backend", INSERT_SRV + "    default_backend")
            + "backend be_api\n    balance roundrobin\n"
            + server_lines(*cookies(2)),
            False,
            note="haproxy -c only warns: 'cookie' ignored, the frontend has no backend capability",
        ),
        case(
            "lbc-two-cookie-lines",
            "cookie SRV insert then cookie JSESSIONID rewrite in one backend",
            config(INSERT_SRV + "    cookie JSESSIONID rewrite\n", server_lines(*cookies(2))),
            False,
            note="silently, the last cookie line wins: JSESSIONID is rewritten to s1/s2",
        ),
    ]


def _server_family() -> list[Entry]:
    return [
        case(
            "lbs-cookie-missing-on-s3",
            "cookie SRV insert, 3 nodes, s3 has no cookie value",
            config(INSERT_SRV, server_lines("cookie s1", "cookie s2", "")),
            False,
            servers=3,
        ),
        case(
            "lbs-duplicate-cookie-value",
            "cookie SRV insert, s1 and s2 both 'cookie a'",
            config(INSERT_SRV, server_lines("cookie a", "cookie a")),
            False,
            note="manual §5.2 cookie: the first operational server with the value is selected",
        ),
        case(
            "lbs-weight0-insert",
            "cookie SRV insert, s2 weight 0",
            config(INSERT_SRV, server_lines("cookie s1", "cookie s2 weight 0")),
            True,
        ),
        case(
            "lbs-weight0-no-persistence",
            "no persistence, s2 weight 0 (only s1 is balanced to)",
            config("", server_lines("", "weight 0")),
            True,
        ),
        case(
            "lbs-weight0-s3-no-cookie",
            "cookie SRV insert, 3 nodes, s3 weight 0 without cookie value",
            config(INSERT_SRV, server_lines("cookie s1", "cookie s2", "weight 0")),
            True,
            servers=3,
        ),
        case(
            "lbs-disabled-s2-no-persistence",
            "no persistence, s2 disabled",
            config("", server_lines("", "disabled")),
            True,
        ),
        case(
            "lbs-disabled-s3-of-3-no-persistence",
            "no persistence, 3 nodes, s3 disabled",
            config("", server_lines("", "", "disabled")),
            False,
            servers=3,
        ),
        case(
            "lbs-disabled-s3-insert",
            "cookie SRV insert, 3 nodes, s3 disabled",
            config(INSERT_SRV, server_lines(*cookies(3, "", "", "disabled"))),
            True,
            servers=3,
        ),
        case(
            "lbs-backup-insert",
            "cookie SRV insert, s1 active, s2 backup with its cookie",
            config(INSERT_SRV, server_lines("cookie s1", "cookie s2 backup")),
            True,
        ),
        case(
            "lbs-all-backup",
            "no persistence, 3 servers all backup (first backup takes all)",
            config("", server_lines("backup", "backup", "backup")),
            True,
            servers=3,
        ),
        case(
            "lbs-all-backup-allbackups",
            "no persistence, 3 servers all backup + option allbackups",
            config("    option allbackups\n", server_lines("backup", "backup", "backup")),
            False,
            servers=3,
        ),
        case(
            "lbs-all-backup-allbackups-insert",
            "cookie SRV insert, 3 backups + option allbackups",
            config(
                "    option allbackups\n" + INSERT_SRV,
                server_lines(*cookies(3, "backup", "backup", "backup")),
            ),
            True,
            servers=3,
        ),
        case(
            "lbs-allbackups-active-up",
            "no persistence, 1 active + 2 backups + option allbackups",
            config("    option allbackups\n", server_lines("", "backup", "backup")),
            True,
            servers=3,
        ),
        case(
            "lbs-maxconn1-insert",
            "cookie SRV insert, servers maxconn 1",
            config(INSERT_SRV, server_lines(*cookies(2, "maxconn 1", "maxconn 1"))),
            True,
        ),
        case(
            "lbs-maxconn1-no-persistence",
            "no persistence, servers maxconn 1",
            config("", server_lines("maxconn 1", "maxconn 1")),
            False,
        ),
        case(
            "lbs-template-one-address",
            "server-template t 1-3 on one node's address, no persistence",
            config("", "    server-template t 1-3 127.0.0.1:@S1@\n"),
            True,
        ),
        case(
            "lbs-template-init-addr-none",
            "server s1 + server-template t 1-2 chat.invalid:80 init-addr none",
            config(
                "",
                server_lines("") + "    server-template t 1-2 chat.invalid:80 init-addr none\n",
            ),
            True,
        ),
        case(
            "lbs-template-without-cookie",
            "cookie SRV insert; s1 cookie s1 + server-template t 1-2 on node 2, no cookie",
            config(
                INSERT_SRV,
                server_lines("cookie s1") + "    server-template t 1-2 127.0.0.1:@S2@\n",
            ),
            False,
        ),
        case(
            "lbs-template-shared-cookie",
            "cookie SRV insert; server-template t 1-2 on node 1 'cookie a' + s2 'cookie b'",
            config(
                INSERT_SRV,
                "    server-template t 1-2 127.0.0.1:@S1@ cookie a\n"
                "    server s2 127.0.0.1:@S2@ cookie b\n",
            ),
            True,
        ),
    ]


def _balance_family() -> list[Entry]:
    def plain(balance: str, count: int = 2, body: str = "") -> str:
        return config(body, server_lines(*([""] * count)), balance)

    return [
        case("lbb-static-rr", "balance static-rr, 2 nodes", plain("static-rr"), False),
        case(
            "lbb-static-rr-1", "balance static-rr, 1 node", plain("static-rr", 1), True, servers=1
        ),
        case(
            "lbb-roundrobin-1",
            "balance roundrobin, 1 node",
            plain("roundrobin", 1),
            True,
            servers=1,
        ),
        case(
            "lbb-leastconn-3", "balance leastconn, 3 nodes", plain("leastconn", 3), False, servers=3
        ),
        case(
            "lbb-leastconn-insert",
            "balance leastconn + cookie SRV insert, 3 nodes",
            config(INSERT_SRV, server_lines(*cookies(3)), "leastconn"),
            True,
            servers=3,
        ),
        case("lbb-first", "balance first without maxconn", plain("first"), True),
        case(
            "lbb-first-maxconn1",
            "balance first, servers maxconn 1 (one request at a time)",
            config("", server_lines("maxconn 1", "maxconn 1"), "first"),
            True,
        ),
        case("lbb-source-3", "balance source, 3 nodes", plain("source", 3), True, servers=3),
        case(
            "lbb-source-consistent",
            "balance source + hash-type consistent, 3 nodes",
            plain("source", 3, "    hash-type consistent\n"),
            True,
            servers=3,
        ),
        case(
            "lbb-uri-3",
            "balance uri, 3 nodes, the chat's 3 paths",
            plain("uri", 3),
            False,
            servers=3,
        ),
        case(
            "lbb-uri-one-path",
            "balance uri, 3 nodes, every request on /api/chat",
            plain("uri", 3),
            True,
            servers=3,
            scenario=ONE_PATH,
        ),
        case(
            "lbb-uri-consistent-3",
            "balance uri + hash-type consistent, 3 nodes, 3 paths",
            plain("uri", 3, "    hash-type consistent\n"),
            False,
            servers=3,
        ),
        case(
            "lbb-uri-depth1",
            "balance uri depth 1 (hashes /api only)",
            plain("uri depth 1", 3),
            True,
            servers=3,
        ),
        case(
            "lbb-uri-len4",
            "balance uri len 4 (hashes /api only)",
            plain("uri len 4", 3),
            True,
            servers=3,
        ),
        case(
            "lbb-uri-one-path-login",
            "balance uri, 3 nodes, one path but a /login request",
            plain("uri", 3),
            False,
            observed=True,
            servers=3,
            scenario=ONE_PATH._replace(login_at=3),
            note="/api/chat/login happens to hash to the same one of 3 servers as /api/chat "
            "(map-based sdbm): a hash accident, not persistence; see lbb-uri-one-path-login-2",
        ),
        case(
            "lbb-uri-one-path-login-2",
            "balance uri, 2 nodes, one path but a /login request",
            plain("uri", 2),
            False,
            observed=True,
            scenario=ONE_PATH._replace(login_at=3),
            note="again /api/chat/login lands with /api/chat (sdbm parity); with 3 nodes "
            "/api/chat/poll/login does not land with /api/chat/poll: lbb-uri-poll-login",
        ),
        case(
            "lbb-uri-poll-login",
            "balance uri, 3 nodes, every request on /api/chat/poll, /login at request 3",
            plain("uri", 3),
            False,
            servers=3,
            scenario=ONE_PATH._replace(paths=("/api/chat/poll",), login_at=3),
            note="path chosen after mapping paths to nodes: which login URL moves is a hash "
            "accident, the manual only says the same URI goes to the same server",
        ),
        case(
            "lbb-uri-insert",
            "balance uri + cookie SRV insert, 3 paths",
            config(INSERT_SRV, server_lines(*cookies(3)), "uri"),
            True,
            servers=3,
        ),
        case(
            "lbb-url-param-id-in-path",
            "balance url_param jsessionid; the id travels as ;jsessionid= path parameter",
            plain("url_param jsessionid", 3),
            False,
            servers=3,
            scenario=ID_IN_PATH,
        ),
        case(
            "lbb-url-param-absent",
            "balance url_param userid; no request has it",
            plain("url_param userid"),
            False,
        ),
        case(
            "lbb-hdr-host", "balance hdr(Host) (one host)", plain("hdr(Host)", 3), True, servers=3
        ),
        case(
            "lbb-hdr-user-agent",
            "balance hdr(User-Agent) (one client)",
            plain("hdr(User-Agent)", 3),
            True,
            servers=3,
        ),
        case(
            "lbb-hdr-missing",
            "balance hdr(X-Chat-User); no request has it",
            plain("hdr(X-Chat-User)"),
            False,
        ),
        case("lbb-random", "balance random", plain("random"), False),
        case(
            "lbb-random-insert",
            "balance random + cookie SRV insert",
            config(INSERT_SRV, server_lines(*cookies(2)), "random"),
            True,
        ),
        case(
            "lbb-hash-cook-consistent-3",
            "balance hash req.cook(JSESSIONID) + hash-type consistent, 3 nodes",
            plain("hash req.cook(JSESSIONID)", 3, "    hash-type consistent\n"),
            False,
            servers=3,
            scenario=SIX._replace(sessions=12),
        ),
        case(
            "lbb-hash-cook-map-based-2",
            "balance hash req.cook(JSESSIONID) + hash-type map-based, 2 nodes",
            plain("hash req.cook(JSESSIONID)", 2, "    hash-type map-based\n"),
            False,
            scenario=SIX._replace(sessions=20),
            note="each random id hashes to its creating node with probability 1/2: 20 sessions "
            "make an all-kept run a one-in-a-million accident (6 sessions were kept once)",
        ),
        case(
            "lbb-hash-url-param-id-in-path",
            "balance hash url_param(jsessionid,;); the id travels as ;jsessionid=, 3 nodes",
            plain("hash url_param(jsessionid,;)", 3),
            False,
            servers=3,
            scenario=ID_IN_PATH._replace(sessions=12),
        ),
        case(
            "lbb-hash-path-3",
            "balance hash path, 3 nodes, 3 paths",
            plain("hash path", 3),
            False,
            servers=3,
        ),
        case(
            "lbb-hash-path-one-path",
            "balance hash path, 3 nodes, one path",
            plain("hash path", 3),
            True,
            servers=3,
            scenario=ONE_PATH,
        ),
        case(
            "lbb-hash-src-map-based",
            "balance hash src + hash-type map-based, 3 nodes",
            plain("hash src", 3, "    hash-type map-based\n"),
            True,
            servers=3,
        ),
        case(
            "lbb-hash-host-consistent",
            "balance hash req.hdr(host) + hash-type consistent, 3 nodes",
            plain("hash req.hdr(host)", 3, "    hash-type consistent\n"),
            True,
            servers=3,
        ),
    ]


def _mode_family() -> list[Entry]:
    tcp_frontend = FRONTEND.replace("    bind", "    mode tcp\n    bind")
    return [
        case(
            "lbm-backend-tcp-frontend-http",
            "http defaults; backend mode tcp with cookie SRV insert",
            config("    mode tcp\n" + INSERT_SRV, server_lines(*cookies(2))),
            False,
            note="manual §4.2 mode: frontend and backend must be in the same mode",
        ),
        case(
            "lbm-frontend-tcp-backend-http",
            "http defaults; frontend mode tcp, backend http with cookie SRV insert",
            GLOBAL
            + DEFAULTS
            + tcp_frontend
            + "backend be_api\n    balance roundrobin\n"
            + INSERT_SRV
            + server_lines(*cookies(2)),
            False,
            observed=True,
            note="accepted and sticky: a TCP frontend may chain to an HTTP backend, the "
            "connection is upgraded to HTTP in place when the backend is set (manual §4 intro, "
            "'It is possible to chain a TCP frontend to an HTTP backend'); the 'mode' keyword's "
            "'same mode or refused' holds only for an HTTP frontend and a TCP backend",
        ),
        case(
            "lbm-tcp-defaults-http-sections",
            "tcp defaults; frontend and backend both mode http, cookie SRV insert",
            GLOBAL
            + TCP_DEFAULTS
            + FRONTEND.replace("    bind", "    mode http\n    bind")
            + "backend be_api\n    mode http\n    balance roundrobin\n"
            + INSERT_SRV
            + server_lines(*cookies(2)),
            True,
        ),
        case(
            "lbm-listen-tcp-source",
            "http defaults; listen mode tcp with balance source",
            GLOBAL
            + DEFAULTS
            + "listen chat\n    mode tcp\n    bind 127.0.0.1:@FE@\n    balance source\n"
            + server_lines("", ""),
            True,
        ),
        case(
            "lbm-listen-tcp-insert",
            "http defaults; listen mode tcp with cookie SRV insert",
            GLOBAL
            + DEFAULTS
            + "listen chat\n    mode tcp\n    bind 127.0.0.1:@FE@\n    balance roundrobin\n"
            + INSERT_SRV
            + server_lines(*cookies(2)),
            False,
        ),
        case(
            "lbm-tcp-prefix-jsessionid",
            "tcp defaults with cookie JSESSIONID prefix",
            config(
                "    cookie JSESSIONID prefix\n", server_lines(*cookies(2)), defaults=TCP_DEFAULTS
            ),
            False,
        ),
        case(
            "lbm-tcp-balance-uri",
            "tcp defaults with balance uri, one path",
            config("", server_lines("", "", ""), "uri", TCP_DEFAULTS),
            False,
            servers=3,
            scenario=ONE_PATH,
            note="manual §4.2 balance uri: may only be used in an HTTP backend",
        ),
    ]


def _scenario_family() -> list[Entry]:
    prefix_indirect = config(
        "    cookie JSESSIONID prefix indirect nocache\n", server_lines(*cookies(2))
    )
    insert_jsessionid = config(
        "    cookie JSESSIONID insert indirect nocache\n", server_lines(*cookies(2))
    )
    source = config("", server_lines("", ""), "source")
    return [
        case(
            "lbv-insert-sequential",
            "cookie SRV insert, sessions one after another",
            INSERT_2,
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "lbv-roundrobin-sequential",
            "no persistence, sessions one after another",
            PLAIN_2,
            False,
            scenario=SEQUENTIAL,
        ),
        case(
            "lbv-prefix-sequential",
            "cookie JSESSIONID prefix, sessions one after another",
            PREFIX_2,
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "lbv-insert-login",
            "cookie SRV insert; login renews the id at request 3",
            INSERT_2,
            True,
            scenario=LOGIN,
        ),
        case(
            "lbv-prefix-login",
            "cookie JSESSIONID prefix; login renews the id",
            PREFIX_2,
            True,
            scenario=LOGIN,
        ),
        case(
            "lbv-prefix-indirect-login",
            "cookie JSESSIONID prefix indirect; login renews the id",
            prefix_indirect,
            False,
            scenario=LOGIN,
            note="manual §4.2 cookie: with indirect+prefix, server cookie updates are not sent",
        ),
        case(
            "lbv-prefix-login-sequential",
            "cookie JSESSIONID prefix; login, sessions one after another",
            PREFIX_2,
            True,
            scenario=LOGIN._replace(interleaved=False),
        ),
        case(
            "lbv-prefix-id-in-path",
            "cookie JSESSIONID prefix; the client sends the id in the URL, not the cookie",
            PREFIX_2,
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "lbv-insert-id-in-path",
            "cookie SRV insert; id in the URL, SRV cookie kept",
            INSERT_2,
            True,
            scenario=ID_IN_PATH,
        ),
        case(
            "lbv-insert-login-id-in-path",
            "cookie SRV insert; id in the URL and a login renewing it",
            INSERT_2,
            True,
            scenario=ID_IN_PATH._replace(login_at=3),
        ),
        case(
            "lbv-insert-jsessionid-id-in-path",
            "cookie JSESSIONID insert indirect; the client drops JSESSIONID cookies",
            insert_jsessionid,
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "lbv-source-id-in-path",
            "balance source; id in the URL",
            source,
            True,
            scenario=ID_IN_PATH,
        ),
        case(
            "lbv-source-login", "balance source; login renews the id", source, True, scenario=LOGIN
        ),
        case(
            "lbv-prefix-pause",
            "cookie JSESSIONID prefix, 2 s idle once (no lifetime on the LB)",
            PREFIX_2,
            True,
            scenario=PAUSE_ONCE,
        ),
        case(
            "lbv-insert-preserve-login",
            "cookie SRV insert preserve indirect; login renews the app id",
            config(INSERT_SRV.replace("insert", "insert preserve"), server_lines(*cookies(2))),
            True,
            scenario=LOGIN,
        ),
    ]


ENTRIES: tuple[Entry, ...] = tuple(
    _cookie_family() + _server_family() + _balance_family() + _mode_family() + _scenario_family()
)
