"""Ground-truth configurations, families 2: stick tables and rules, fetches, rewrites, routing.

Every entry carries the verdict predicted from the haproxy 2.6 manual (``configuration.txt``)
before it was first run (``predicted_sticky``) and the verdict a real haproxy 2.6 gave
(``expected_sticky``). ``case`` records the prediction as the expectation unless ``observed``
says otherwise, so every entry with ``observed=`` is one where the server contradicted the
manual-based prediction; its ``note`` says what was learned and where the manual says so.

Families (entry id prefixes): ``st-`` stick tables, ``sr-`` stick rules, ``sf-`` sample fetches
and converters, ``hx-`` http-request/http-response header and path actions, ``rd-`` redirect,
return and deny, ``rt-`` routing, ``us-`` use-server and the persistence options, ``om-``
mechanisms outside tcommlint's model (Lua, filters, variables, tcp-request content rules).

Most entries play 6 sessions x 6 requests over the harness's chat paths (``/api/chat``,
``/api/chat/poll``, ``/api/chat/send``); the scenario variants play them sequentially, with a
login that renews the session id, with the id in the URL instead of a cookie, or with one idle
pause of 2 s.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from tests.groundtruth.harness import Ports, Scenario
from tests.groundtruth.matrix import DEFAULTS, GLOBAL, INSERT_SRV, STICK_TABLE, Entry

SIX = Scenario(sessions=6, requests=6)
SEQUENTIAL = SIX._replace(interleaved=False)
LOGIN = SIX._replace(login_at=3)
ID_IN_PATH = SIX._replace(id_in_path=True)
# one idle pause of 2 s, before the 3rd request: past a 1 s lifetime, within 3 s
PAUSE_ONCE = Scenario(sessions=6, requests=4, pause_seconds=2.0, pause_before=3)
# 30 sessions: hex ids cast to integers collide across both nodes in all but ~1 run in 4000
MANY = Scenario(sessions=30, requests=2)
# 20 concurrent sessions: 190 pairs of random ids. More than 16 ids: two certainly share their
# first character; two share their first four with odds of 190 / 16^4 (0.3 %).
TWENTY = Scenario(sessions=20, requests=6)

# The local peer of st-table-peers listens on this unix socket (haproxy binds a unix socket by
# renaming over the path, so concurrent runs do not collide; the file outlives haproxy).
PEER_SOCKET = Path(tempfile.gettempdir()) / "tcommlint-gt-peers.sock"
STORE_CONDITION_NOTE = (
    "§4.2 stick store-response: the condition 'will be evaluated while parsing the response, "
    "so any criteria can be used'. Not so: haproxy -c warns 'anonymous acl will never match "
    "because it uses keyword '{}' which is incompatible with 'backend stick-store rule'' "
    "(request line and headers are gone then; method, status, res.* and txn variables work)"
)
MATCH = "    stick match req.cook(JSESSIONID)\n"
LEARN = "    stick store-response res.cook(JSESSIONID)\n"
LEARNING = STICK_TABLE + MATCH + LEARN


def table(spec: str = "type string len 52 size 10k expire 30m") -> str:
    """A ``stick-table`` line."""
    return f"    stick-table {spec}\n"


def node_lines(count: int = 2, names: str = "s") -> str:
    """``server <names>N 127.0.0.1:@SN@`` for nodes 1..count (node N is the route ``pN``)."""
    return "".join(f"    server {names}{n} 127.0.0.1:@S{n}@\n" for n in range(1, count + 1))


def cookie_nodes(count: int = 2) -> str:
    """Server lines with ``cookie sN`` values (for ``cookie SRV insert``)."""
    return "".join(f"    server s{n} 127.0.0.1:@S{n}@ cookie s{n}\n" for n in range(1, count + 1))


def frontend(rules: str = "", default: str = "be_api") -> str:
    """``fe_chat`` on the harness port with ``rules`` and a default backend (none if empty)."""
    tail = f"    default_backend {default}\n" if default else ""
    return f"frontend fe_chat\n    bind 127.0.0.1:@FE@\n{rules}{tail}\n"


def backend(body: str, servers: str = "", name: str = "be_api") -> str:
    """A round-robin backend holding ``body`` and ``servers`` (two plain nodes by default)."""
    return f"backend {name}\n    balance roundrobin\n{body}{servers or node_lines()}\n"


def config(*sections: str) -> str:
    """``global`` and ``defaults`` followed by ``sections``."""
    return GLOBAL + DEFAULTS + "".join(sections)


def learning(body: str = LEARNING, fe_rules: str = "", servers: str = "") -> str:
    """One frontend (with ``fe_rules``) and ``be_api`` holding ``body`` (stick rules)."""
    return config(frontend(fe_rules), backend(body, servers))


def sticky_cookie(body: str = "", fe_rules: str = "") -> str:
    """``be_api`` with ``cookie SRV insert indirect nocache`` and ``body``; frontend rules."""
    return config(frontend(fe_rules), backend(INSERT_SRV + body, cookie_nodes()))


def routed(fe_rules: str, api: str = INSERT_SRV, web: str = "", default: str = "be_web") -> str:
    """``fe_chat`` choosing between ``be_api`` (``api``) and ``be_web`` (``web``) by ``fe_rules``.

    Both backends hold the same two nodes (with cookie values), so a request routed to the
    other backend reaches a node that may or may not hold its session.
    """
    return config(
        frontend(fe_rules, default),
        backend(api, cookie_nodes()),
        backend(web, cookie_nodes(), "be_web"),
    )


def case(
    entry_id: str,
    description: str,
    template: str,
    predicted: bool,
    *,
    observed: bool | None = None,
    servers: int = 2,
    scenario: Scenario = SIX,
    note: str = "",
    outside_model: bool = False,
) -> Entry:
    """An entry whose observed verdict is ``observed``, or the prediction when not given."""
    return Entry(
        entry_id,
        description,
        template.rstrip("\n") + "\n",
        predicted if observed is None else observed,
        servers=servers,
        scenario=scenario,
        note=note,
        predicted_sticky=predicted,
        outside_model=outside_model,
    )


# --------------------------------------------------------------------------- stick tables


def _stick_tables() -> list[Entry]:
    hdr_rules = "    stick match req.hdr(cookie)\n    stick store-response res.hdr(set-cookie)\n"
    route_rules = (
        "    stick match req.cook(JSESSIONID),field(2,.)\n"
        "    stick store-response res.cook(JSESSIONID),field(2,.)\n"
    )
    half_rules = "    stick match req.cook(JSESSIONID),field(1,.)\n" + LEARN
    tiny = "type string len 52 size {} expire 30m"
    peers = "peers gt_peers\n    table sessions type string len 52 size 10k expire 30m\n\n"
    shared = "backend st_sessions\n" + table() + "\n"
    via = (
        "    stick match req.cook(JSESSIONID) table {0}\n"
        "    stick store-response res.cook(JSESSIONID) table {0}\n"
    )
    return [
        case(
            "st-type-string-default-len",
            "type string without len (32 chars): ids of 35 chars cut to their 32 hex digits",
            learning(table("type string size 10k expire 30m") + MATCH + LEARN),
            True,
        ),
        case(
            "st-type-binary",
            "type binary len 52 with the string cookie rules (cast to binary, padded)",
            learning(table("type binary len 52 size 10k expire 30m") + MATCH + LEARN),
            True,
        ),
        case(
            "st-type-integer",
            "type integer with the string cookie rules (hex ids cast to integers)",
            learning(table("type integer size 10k expire 30m") + MATCH + LEARN),
            False,
            scenario=MANY,
        ),
        case(
            "st-type-integer-three-nodes",
            "type integer, three nodes, 20 concurrent sessions (a blind trial's shape)",
            learning(
                table("type integer size 100k expire 30m") + MATCH + LEARN, servers=node_lines(3)
            ),
            False,
            servers=3,
            scenario=TWENTY,
            note="§7.3.1: a string cast to an integer keeps its leading digits; an id starting "
            "with a letter is 0. Three of eight ids do: 20 sessions share keys across nodes",
        ),
        case(
            "st-len-1-id-interleaved",
            "len 1 on the session id, 20 concurrent sessions: 16 keys for 20 ids",
            learning(table("type string len 1 size 10k expire 30m") + MATCH + LEARN),
            False,
            scenario=TWENTY,
        ),
        case(
            "st-len-4-id-interleaved",
            "len 4 on the session id, 20 concurrent sessions: 65,536 keys, a 0.3 % chance",
            learning(table("type string len 4 size 10k expire 30m") + MATCH + LEARN),
            True,
            scenario=TWENTY,
        ),
        case(
            "st-type-integer-route",
            "type integer keyed by the route suffix (p1/p2 are no integers)",
            learning(table("type integer size 10k expire 30m") + route_rules),
            False,
        ),
        case(
            "st-type-integer-route-sequential",
            "type integer keyed by the route suffix, sessions one after another",
            learning(table("type integer size 10k expire 30m") + route_rules),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-len-11-hdr-interleaved",
            "len 11, whole Cookie/Set-Cookie header as key: every key is 'JSESSIONID='",
            learning(table("type string len 11 size 10k expire 30m") + hdr_rules),
            False,
        ),
        case(
            "st-len-11-hdr-sequential",
            "len 11 whole-header keys (all equal), sessions one after another",
            learning(table("type string len 11 size 10k expire 30m") + hdr_rules),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-len-46-hdr",
            "len 46: 'JSESSIONID=<id>' from Cookie equals Set-Cookie cut before '; Path'",
            learning(table("type string len 46 size 10k expire 30m") + hdr_rules),
            True,
        ),
        case(
            "st-len-52-hdr",
            "len 52 whole-header keys: the Set-Cookie key keeps '; Path=/ap', the Cookie not",
            learning(table("type string len 52 size 10k expire 30m") + hdr_rules),
            False,
        ),
        case(
            "st-len-32-half-key",
            "len 32: match on field(1,.) of the id, store the whole id (cut to 32)",
            learning(table("type string len 32 size 10k expire 30m") + half_rules),
            True,
        ),
        case(
            "st-len-52-half-key",
            "len 52: match on field(1,.) of the id, store the whole id",
            learning(table() + half_rules),
            False,
        ),
        case(
            "st-len-1-route-sequential",
            "len 1 on the route key: 'p1' and 'p2' both cut to 'p', sessions one after another",
            learning(table("type string len 1 size 10k expire 30m") + route_rules),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-len-1-route-interleaved",
            "len 1 on the route key ('p' for every node), concurrent sessions",
            learning(table("type string len 1 size 10k expire 30m") + route_rules),
            False,
        ),
        case(
            "st-size-1-interleaved",
            "size 1, one entry per session, 6 concurrent sessions",
            learning(table(tiny.format(1)) + MATCH + LEARN),
            False,
        ),
        case(
            "st-size-1-sequential",
            "size 1, one entry per session, sessions one after another",
            learning(table(tiny.format(1)) + MATCH + LEARN),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-size-1-no-expire-sequential",
            "size 1 without expire, sessions one after another (oldest removed once full)",
            learning(table("type string len 52 size 1") + MATCH + LEARN),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-size-5-six-sessions",
            "size 5 for 6 concurrent sessions",
            learning(table(tiny.format(5)) + MATCH + LEARN),
            False,
        ),
        case(
            "st-size-5-six-sessions-sequential",
            "size 5 for 6 sessions played one after another",
            learning(table(tiny.format(5)) + MATCH + LEARN),
            True,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-size-6-six-sessions",
            "size 6 for 6 concurrent sessions (one stored entry each)",
            learning(table(tiny.format(6)) + MATCH + LEARN),
            True,
        ),
        case(
            "st-size-2-route-key",
            "size 2 keyed by the route suffix: one entry per node, not per session",
            learning(table(tiny.format(2)) + route_rules),
            True,
        ),
        case(
            "st-size-1-route-key",
            "size 1 keyed by the route suffix, 2 nodes, concurrent sessions",
            learning(table(tiny.format(1)) + route_rules),
            False,
        ),
        case(
            "st-nopurge-size-1-sequential",
            "size 1 nopurge: the first session's entry is never replaced",
            learning(table(tiny.format(1) + " nopurge") + MATCH + LEARN),
            False,
            scenario=SEQUENTIAL,
        ),
        case(
            "st-nopurge-no-expire",
            "nopurge without expire (manual: don't), table large enough",
            learning(table("type string len 52 size 10k nopurge") + MATCH + LEARN),
            True,
        ),
        case(
            "st-expire-1s-pause-2s",
            "expire 1s, one idle pause of 2s before request 3",
            learning(table("type string len 52 size 10k expire 1s") + MATCH + LEARN),
            False,
            scenario=PAUSE_ONCE,
        ),
        case(
            "st-expire-3s-pause-2s",
            "expire 3s, one idle pause of 2s before request 3",
            learning(table("type string len 52 size 10k expire 3s") + MATCH + LEARN),
            True,
            scenario=PAUSE_ONCE,
        ),
        case(
            "st-no-expire-pause-2s",
            "no expire at all, one idle pause of 2s",
            learning(table("type string len 52 size 10k") + MATCH + LEARN),
            True,
            scenario=PAUSE_ONCE,
        ),
        case(
            "st-expire-1s-busy",
            "expire 1s, no pause: every match refreshes the entry",
            learning(table("type string len 52 size 10k expire 1s") + MATCH + LEARN),
            True,
        ),
        case(
            "st-table-other-backend",
            "rules in be_api use the table of backend st_sessions",
            config(frontend(), shared, backend(via.format("st_sessions"))),
            True,
        ),
        case(
            "st-table-peers",
            "rules use table gt_peers/sessions of a peers section whose local peer is declared",
            GLOBAL.replace("\n\n", "\n    localpeer gt_local\n\n")
            + DEFAULTS
            + peers.replace("\n    table", f"\n    peer gt_local {PEER_SOCKET}\n    table")
            + frontend()
            + backend(via.format("gt_peers/sessions")),
            True,
        ),
        case(
            "st-table-peers-incomplete",
            "rules use table gt_peers/sessions of a peers section without any peer line",
            config(peers, frontend(), backend(via.format("gt_peers/sessions"))),
            True,
            note="haproxy warns 'Removing incomplete section 'peers gt_peers' (no peer named "
            "<hostname>)' but the section's table stays and works locally",
        ),
        case(
            "st-table-peers-unprefixed",
            "rules name a peers-section table without its 'gt_peers/' prefix",
            config(peers, frontend(), backend(via.format("sessions"))),
            False,
        ),
        case(
            "st-table-missing",
            "rules reference table 'nosuch' that no section declares",
            learning(via.format("nosuch")),
            False,
        ),
        case(
            "st-no-table",
            "stick match + store-response without any stick-table in the backend",
            learning(MATCH + LEARN),
            False,
        ),
    ]


# --------------------------------------------------------------------------- stick rules


def _stick_rules() -> list[Entry]:
    swap = "regsub(p1,X),regsub(p2,p1),regsub(X,p2)"
    route_table = "backend t_route\n" + table() + "\n"
    swapped_first = (
        f"    stick match req.cook(JSESSIONID),field(2,.),{swap} table t_route\n"
        "    stick store-response res.cook(JSESSIONID),field(2,.) table t_route\n" + MATCH + LEARN
    )
    correct_first = (
        MATCH + LEARN + f"    stick match req.cook(JSESSIONID),field(2,.),{swap} table t_route\n"
        "    stick store-response res.cook(JSESSIONID),field(2,.) table t_route\n"
    )
    empty_table = "backend t_empty\n" + table() + "\n"
    return [
        case(
            "sr-learn-if-status-200",
            "store-response if { status 200 }",
            learning(STICK_TABLE + MATCH + LEARN.rstrip() + " if { status 200 }\n"),
            True,
        ),
        case(
            "sr-learn-unless-status-200",
            "store-response unless { status 200 }",
            learning(STICK_TABLE + MATCH + LEARN.rstrip() + " unless { status 200 }\n"),
            False,
        ),
        case(
            "sr-learn-if-path-beg",
            "store-response if { path_beg /api } (a request fetch in a response condition)",
            learning(STICK_TABLE + MATCH + LEARN.rstrip() + " if { path_beg /api }\n"),
            True,
            observed=False,
            note=STORE_CONDITION_NOTE.format("path_beg") + ": the rule never stores",
        ),
        case(
            "sr-learn-if-method-get",
            "store-response if { method GET }",
            learning(STICK_TABLE + MATCH + LEARN.rstrip() + " if { method GET }\n"),
            True,
        ),
        case(
            "sr-learn-if-no-request-cookie",
            "store-response only when the request carried no JSESSIONID",
            learning(
                STICK_TABLE + MATCH + LEARN.rstrip() + " if !{ req.cook(JSESSIONID) -m found }\n"
            ),
            True,
            note=STORE_CONDITION_NOTE.format("req.cook")
            + ": the negation always holds; sticky, but not for the intended reason",
        ),
        case(
            "sr-learn-if-no-request-cookie-login",
            "store-response only when the request carried no JSESSIONID; login renews the id",
            learning(
                STICK_TABLE + MATCH + LEARN.rstrip() + " if !{ req.cook(JSESSIONID) -m found }\n"
            ),
            False,
            scenario=LOGIN,
            observed=True,
            note=STORE_CONDITION_NOTE.format("req.cook")
            + ": the negation always holds, so the renewed id is learned too",
        ),
        case(
            "sr-learn-unless-login-path",
            "store-response unless { path_end /login }; login renews the id",
            learning(STICK_TABLE + MATCH + LEARN.rstrip() + " unless { path_end /login }\n"),
            False,
            scenario=LOGIN,
            observed=True,
            note=STORE_CONDITION_NOTE.format("path_end")
            + ": 'unless' then always stores, the renewed id included",
        ),
        case(
            "sr-learn-login",
            "stick match + store-response; login at request 3 renews the id",
            learning(),
            True,
            scenario=LOGIN,
        ),
        case(
            "sr-stick-on-learn-login",
            "stick on + store-response; login renews the id",
            learning(STICK_TABLE + "    stick on req.cook(JSESSIONID)\n" + LEARN),
            True,
            scenario=LOGIN,
        ),
        case(
            "sr-stick-on-only-login",
            "stick on req.cook only (learns the id from requests); login renews the id",
            learning(STICK_TABLE + "    stick on req.cook(JSESSIONID)\n"),
            False,
            scenario=LOGIN,
        ),
        case(
            "sr-match-if-admin-path",
            "stick match if { path_beg /api/admin } (never true)",
            learning(STICK_TABLE + MATCH.rstrip() + " if { path_beg /api/admin }\n" + LEARN),
            False,
        ),
        case(
            "sr-match-unless-admin-path",
            "stick match unless { path_beg /api/admin }",
            learning(STICK_TABLE + MATCH.rstrip() + " unless { path_beg /api/admin }\n" + LEARN),
            True,
        ),
        case(
            "sr-match-if-cookie-found",
            "stick match if { req.cook(JSESSIONID) -m found }",
            learning(
                STICK_TABLE + MATCH.rstrip() + " if { req.cook(JSESSIONID) -m found }\n" + LEARN
            ),
            True,
        ),
        case(
            "sr-match-if-post",
            "stick match if { method POST } (the client sends GET)",
            learning(STICK_TABLE + MATCH.rstrip() + " if { method POST }\n" + LEARN),
            False,
        ),
        case(
            "sr-two-stores-header-first",
            "store-response res.hdr(X-Served-By) before res.cook(JSESSIONID), same table",
            learning(
                STICK_TABLE + MATCH + "    stick store-response res.hdr(X-Served-By)\n" + LEARN
            ),
            False,
        ),
        case(
            "sr-two-stores-cookie-first",
            "store-response res.cook(JSESSIONID) before res.hdr(X-Served-By), same table",
            learning(
                STICK_TABLE + MATCH + LEARN + "    stick store-response res.hdr(X-Served-By)\n"
            ),
            True,
        ),
        case(
            "sr-two-stores-absent-first",
            "store-response res.cook(ROUTEID) (never sent) before res.cook(JSESSIONID)",
            learning(STICK_TABLE + MATCH + "    stick store-response res.cook(ROUTEID)\n" + LEARN),
            True,
        ),
        case(
            "sr-two-matches-empty-first",
            "stick match on a never-fed table t_empty, then on the learning table",
            config(
                frontend(),
                empty_table,
                backend(
                    STICK_TABLE
                    + "    stick match req.cook(JSESSIONID) table t_empty\n"
                    + MATCH
                    + LEARN
                ),
            ),
            True,
        ),
        case(
            "sr-two-matches-wrong-first",
            "first stick match looks up the other node's route, second the session id",
            config(frontend(), route_table, backend(STICK_TABLE + swapped_first)),
            False,
        ),
        case(
            "sr-two-matches-right-first",
            "first stick match on the session id, then the swapped route lookup",
            config(frontend(), route_table, backend(STICK_TABLE + correct_first)),
            True,
        ),
        case(
            "sr-store-request-and-response",
            "stick store-request req.cook + stick match + store-response, one table",
            learning(
                STICK_TABLE + "    stick store-request req.cook(JSESSIONID)\n" + MATCH + LEARN
            ),
            True,
        ),
        case(
            "sr-stick-on-if-cookie-found",
            "stick on req.cook if { req.cook(JSESSIONID) -m found } and nothing else",
            learning(
                STICK_TABLE
                + "    stick on req.cook(JSESSIONID) if { req.cook(JSESSIONID) -m found }\n"
            ),
            False,
        ),
        case(
            "sr-learn-other-table",
            "store-response into table t_other, stick match on the backend's own table",
            config(
                frontend(),
                "backend t_other\n" + table() + "\n",
                backend(STICK_TABLE + MATCH + LEARN.rstrip() + " table t_other\n"),
            ),
            False,
        ),
    ]


# --------------------------------------------------------------------------- sample fetches


def _fetches() -> list[Entry]:
    route = "req.cook(JSESSIONID),field(2,.)"
    lang_cookie = '    http-response add-header Set-Cookie "lang=en; Path=/api/chat"\n'
    return [
        case(
            "sf-cook-scook",
            "deprecated cook(JSESSIONID) / scook(JSESSIONID)",
            learning(
                STICK_TABLE
                + "    stick match cook(JSESSIONID)\n"
                + "    stick store-response scook(JSESSIONID)\n"
            ),
            True,
        ),
        case(
            "sf-cookie-both-directions",
            "deprecated cookie(JSESSIONID) in stick match and in store-response",
            learning(
                STICK_TABLE
                + "    stick match cookie(JSESSIONID)\n"
                + "    stick store-response cookie(JSESSIONID)\n"
            ),
            True,
        ),
        case(
            "sf-set-cookie-fetch",
            "deprecated set-cookie(JSESSIONID) in store-response",
            learning(STICK_TABLE + MATCH + "    stick store-response set-cookie(JSESSIONID)\n"),
            True,
            observed=False,
            note="§7.3.6 still lists set-cookie([<name>]) (deprecated) but 2.6 refuses it: "
            "\"'stick': unknown fetch method 'set-cookie'\"; cook(), scook() and cookie() are "
            "still accepted, without a warning",
        ),
        case(
            "sf-req-cook-in-store-response",
            "store-response req.cook(JSESSIONID): a request fetch where the response is read",
            learning(STICK_TABLE + MATCH + "    stick store-response req.cook(JSESSIONID)\n"),
            False,
        ),
        case(
            "sf-res-cook-in-match",
            "stick match res.cook(JSESSIONID): a response fetch where the request is read",
            learning(STICK_TABLE + "    stick match res.cook(JSESSIONID)\n" + LEARN),
            False,
        ),
        case(
            "sf-res-cook-no-name",
            "store-response res.cook without a name (first Set-Cookie value)",
            learning(STICK_TABLE + MATCH + "    stick store-response res.cook\n"),
            True,
        ),
        case(
            "sf-req-cook-no-name",
            "stick match req.cook without a name (first Cookie value: JSESSIONID's)",
            learning(STICK_TABLE + "    stick match req.cook\n" + LEARN),
            True,
        ),
        case(
            "sf-req-cook-no-name-other-first",
            "req.cook without a name while a lang cookie with a longer Path is sent first",
            learning(STICK_TABLE + "    stick match req.cook\n" + LEARN + lang_cookie),
            False,
        ),
        case(
            "sf-stick-on-req-hdr-cookie",
            "stick on req.hdr(cookie) (whole header, learned from requests only)",
            learning(STICK_TABLE + "    stick on req.hdr(cookie)\n"),
            False,
        ),
        case(
            "sf-hdr-both-directions-len-46",
            "hdr(cookie) in stick match, hdr(set-cookie) in store-response, len 46",
            learning(
                table("type string len 46 size 10k expire 30m")
                + "    stick match hdr(cookie)\n"
                + "    stick store-response hdr(set-cookie)\n"
            ),
            True,
        ),
        case(
            "sf-cook-val-condition",
            "stick match if { req.cook_val(JSESSIONID) -m found } (hex id as integer)",
            learning(
                STICK_TABLE + MATCH.rstrip() + " if { req.cook_val(JSESSIONID) -m found }\n" + LEARN
            ),
            True,
        ),
        case(
            "sf-lower-both",
            "lower converter on the stick match and store-response keys",
            learning(
                STICK_TABLE
                + "    stick match req.cook(JSESSIONID),lower\n"
                + "    stick store-response res.cook(JSESSIONID),lower\n"
            ),
            True,
        ),
        case(
            "sf-lower-match-only",
            "lower converter on the stick match key only (ids are upper-case hex)",
            learning(STICK_TABLE + "    stick match req.cook(JSESSIONID),lower\n" + LEARN),
            False,
        ),
        case(
            "sf-field-1-both",
            "field(1,.) (the 32 hex digits) on both keys",
            learning(
                STICK_TABLE
                + "    stick match req.cook(JSESSIONID),field(1,.)\n"
                + "    stick store-response res.cook(JSESSIONID),field(1,.)\n"
            ),
            True,
        ),
        case(
            "sf-field-2-match-field-1-store",
            "field(2,.) (route) to match, field(1,.) (hex) stored",
            learning(
                STICK_TABLE
                + f"    stick match {route}\n"
                + "    stick store-response res.cook(JSESSIONID),field(1,.)\n"
            ),
            False,
        ),
        case(
            "sf-res-hdr-x-session",
            "store-response res.hdr(X-Session) (the node names the session on every reply)",
            learning(STICK_TABLE + MATCH + "    stick store-response res.hdr(X-Session)\n"),
            True,
        ),
        case(
            "sf-urlp-id-in-path",
            "stick match urlp(jsessionid,;); the client sends ;jsessionid= in the path",
            learning(STICK_TABLE + "    stick match urlp(jsessionid,;)\n" + LEARN),
            True,
            scenario=ID_IN_PATH,
        ),
        case(
            "sf-urlp-id-in-path-login",
            "stick match urlp(jsessionid,;) + store-response; id in the path, login renews it",
            learning(STICK_TABLE + "    stick match urlp(jsessionid,;)\n" + LEARN),
            True,
            scenario=ID_IN_PATH._replace(login_at=3),
        ),
        case(
            "sf-urlp-upper-id-in-path",
            "stick match urlp(JSESSIONID,;) (manual's example); Tomcat sends ;jsessionid=",
            learning(STICK_TABLE + "    stick match urlp(JSESSIONID,;)\n" + LEARN),
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "sf-urlp-no-delimiter-id-in-path",
            "stick match urlp(jsessionid) (query string only); id sent as ;jsessionid=",
            learning(STICK_TABLE + "    stick match urlp(jsessionid)\n" + LEARN),
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "sf-req-cook-id-in-path",
            "stick match req.cook(JSESSIONID) while the client sends the id in the path",
            learning(),
            False,
            scenario=ID_IN_PATH,
        ),
    ]


# --------------------------------------------------------------------------- header/path actions


def _actions() -> list[Entry]:
    rename_srv_req = "    http-request replace-header Cookie (.*)SRV=(.*) \\1XRV=\\2\n"
    rename_srv_res = "    http-response replace-header Set-Cookie ^SRV=(.*) XRV=\\1\n"
    to_sid = "    http-response replace-header Set-Cookie ^JSESSIONID=(.*) SID=\\1\n"
    from_sid = "    http-request replace-header Cookie ^SID=(.*) JSESSIONID=\\1\n"
    route_cookie = (
        '    http-response add-header Set-Cookie "ROUTE=%[res.cook(JSESSIONID)]; Path=/api"'
        " if { res.cook(JSESSIONID) -m found }\n"
    )
    xsid = "    http-request set-header X-Sid %[req.cook(JSESSIONID)]\n"
    match_xsid = "    stick match req.hdr(X-Sid)\n"
    internal = "    http-request set-path /internal%[path]\n"
    back = "    http-request replace-path ^/internal(.*) \\1\n"
    return [
        case(
            "hx-fe-del-cookie",
            "frontend http-request del-header Cookie; be_api inserts SRV",
            sticky_cookie(fe_rules="    http-request del-header Cookie\n"),
            False,
        ),
        case(
            "hx-fe-del-cookie-if-post",
            "frontend http-request del-header Cookie if { method POST } (client sends GET)",
            sticky_cookie(fe_rules="    http-request del-header Cookie if { method POST }\n"),
            True,
        ),
        case(
            "hx-fe-del-cookie-on-poll",
            "frontend http-request del-header Cookie if { path_end /poll }",
            sticky_cookie(fe_rules="    http-request del-header Cookie if { path_end /poll }\n"),
            False,
        ),
        case(
            "hx-fe-rename-srv-cookie",
            "frontend replace-header Cookie renames SRV= to XRV= before persistence",
            sticky_cookie(fe_rules=rename_srv_req),
            False,
        ),
        case(
            "hx-fe-replace-value-cookie",
            "frontend replace-value Cookie (.*)SRV=(.*) \\1XRV=\\2 (no comma: one value)",
            sticky_cookie(
                fe_rules="    http-request replace-value Cookie (.*)SRV=(.*) \\1XRV=\\2\n"
            ),
            False,
        ),
        case(
            "hx-be-rename-srv-cookie",
            "backend replace-header Cookie renames SRV= to XRV=",
            sticky_cookie(rename_srv_req),
            False,
        ),
        case(
            "hx-be-rename-inserted-srv",
            "backend http-response renames Set-Cookie SRV= to XRV= (is SRV inserted later?)",
            sticky_cookie(rename_srv_res),
            True,
            note="the manual does not order them: SRV is inserted after every http-response "
            "rule has run, so no rule sees (or can rename) the inserted cookie",
        ),
        case(
            "hx-fe-rename-inserted-srv",
            "frontend http-response renames Set-Cookie SRV= to XRV=",
            sticky_cookie(fe_rules=rename_srv_res),
            True,
        ),
        case(
            "hx-be-del-set-cookie-insert",
            "backend http-response del-header Set-Cookie with cookie SRV insert",
            sticky_cookie("    http-response del-header Set-Cookie\n"),
            False,
        ),
        case(
            "hx-be-set-set-cookie-insert",
            "backend http-response set-header Set-Cookie (rewrites the app cookie) + SRV insert",
            sticky_cookie(
                '    http-response set-header Set-Cookie "JSESSIONID=%[res.cook(JSESSIONID)];'
                ' Path=/api" if { res.cook(JSESSIONID) -m found }\n'
            ),
            True,
        ),
        case(
            "hx-prefix-stripped-by-response-rule",
            "cookie JSESSIONID prefix + http-response strips 'sN~' from Set-Cookie",
            config(
                frontend(),
                backend(
                    "    cookie JSESSIONID prefix nocache\n"
                    "    http-response replace-header Set-Cookie ^JSESSIONID=s[0-9]~(.*)"
                    " JSESSIONID=\\1\n",
                    cookie_nodes(),
                ),
            ),
            True,
            note="the manual does not order them: the sN~ prefix is added after the "
            "http-response rules, which see the application's unprefixed cookie",
        ),
        case(
            "hx-rename-app-cookie-learn-original",
            "Set-Cookie renamed to SID by http-response, Cookie renamed back; learn JSESSIONID",
            learning(LEARNING + to_sid, fe_rules=from_sid),
            True,
            note="store-response is evaluated before http-response rules rewrite Set-Cookie "
            "(the manual does not order them)",
        ),
        case(
            "hx-rename-app-cookie-learn-renamed",
            "Set-Cookie renamed to SID by http-response, Cookie renamed back; learn SID",
            learning(
                STICK_TABLE + MATCH + "    stick store-response res.cook(SID)\n" + to_sid,
                fe_rules=from_sid,
            ),
            False,
        ),
        case(
            "hx-added-set-cookie-learned",
            "http-response add-header Set-Cookie ROUTE=<id>; store-response res.cook(ROUTE)",
            learning(
                STICK_TABLE + MATCH + "    stick store-response res.cook(ROUTE)\n" + route_cookie
            ),
            False,
        ),
        case(
            "hx-del-set-cookie-id-in-path",
            "http-response del-header Set-Cookie, store-response JSESSIONID, urlp match",
            learning(
                STICK_TABLE
                + "    stick match urlp(jsessionid,;)\n"
                + LEARN
                + "    http-response del-header Set-Cookie\n"
            ),
            True,
            scenario=ID_IN_PATH,
        ),
        case(
            "hx-fe-set-header-match",
            "frontend set-header X-Sid %[req.cook(JSESSIONID)]; stick match req.hdr(X-Sid)",
            learning(STICK_TABLE + match_xsid + LEARN, fe_rules=xsid),
            True,
        ),
        case(
            "hx-be-set-header-match",
            "backend set-header X-Sid %[req.cook(JSESSIONID)]; stick match req.hdr(X-Sid)",
            learning(xsid + STICK_TABLE + match_xsid + LEARN),
            True,
        ),
        case(
            "hx-fe-add-header-cookie-srv",
            "frontend http-request add-header Cookie SRV=s2 (a second Cookie header)",
            sticky_cookie(fe_rules="    http-request add-header Cookie SRV=s2\n"),
            True,
            note="every request carries SRV=s2, so every session is created and kept on s2",
        ),
        case(
            "hx-fe-set-header-cookie",
            "frontend http-request set-header Cookie SRV=s1 (replaces the client's cookies)",
            sticky_cookie(fe_rules="    http-request set-header Cookie SRV=s1\n"),
            False,
        ),
        case(
            "hx-fe-set-path-out-of-api",
            "frontend http-request set-path /v2%[path]: the node sees /v2/api/...",
            sticky_cookie(fe_rules="    http-request set-path /v2%[path]\n"),
            False,
        ),
        case(
            "hx-fe-replace-path-within-api",
            "frontend replace-path ^/api/(.*) /api/v1/\\1 (still under /api)",
            sticky_cookie(fe_rules="    http-request replace-path ^/api/(.*) /api/v1/\\1\n"),
            True,
        ),
        case(
            "hx-be-replace-path-strip-api",
            "backend replace-path ^/api(.*) \\1 (the node sees /chat...)",
            sticky_cookie("    http-request replace-path ^/api(.*) \\1\n"),
            False,
        ),
        case(
            "hx-set-path-then-route",
            "frontend set-path /internal%[path]; use_backend if path_beg /internal/api",
            routed(
                internal + "    use_backend be_api if { path_beg /internal/api }\n",
                back + INSERT_SRV,
                back,
            ),
            True,
        ),
        case(
            "hx-set-path-then-stale-acl",
            "frontend set-path /internal%[path]; use_backend if path_beg /api (old path)",
            routed(
                internal + "    use_backend be_api if { path_beg /api }\n",
                back + INSERT_SRV,
                back,
            ),
            False,
        ),
    ]


# --------------------------------------------------------------------------- redirect/return/deny


def _short_circuits() -> list[Entry]:
    ok = "status 200 content-type text/plain string ok"
    return [
        case(
            "rd-redirect-prefix-api",
            "redirect prefix /v2 if { path_beg /api }",
            sticky_cookie(fe_rules="    redirect prefix /v2 if { path_beg /api }\n"),
            False,
        ),
        case(
            "rd-redirect-scheme-https",
            "http-request redirect scheme https unless { ssl_fc }",
            sticky_cookie(fe_rules="    http-request redirect scheme https unless { ssl_fc }\n"),
            False,
        ),
        case(
            "rd-redirect-root-only",
            "redirect location /index.html if { path / } (the chat never asks for /)",
            sticky_cookie(fe_rules="    redirect location /index.html if { path / }\n"),
            True,
        ),
        case(
            "rd-redirect-www-host",
            "http-request redirect prefix http://www.example.com if Host starts with www.",
            sticky_cookie(
                fe_rules="    http-request redirect prefix http://www.example.com code 301"
                " if { hdr(host) -m beg www. }\n"
            ),
            True,
        ),
        case(
            "rd-be-redirect-send",
            "backend redirect prefix /v2 if { path_end /send }",
            sticky_cookie("    redirect prefix /v2 if { path_end /send }\n"),
            False,
        ),
        case(
            "rd-deny-api",
            "http-request deny if { path_beg /api }",
            sticky_cookie(fe_rules="    http-request deny if { path_beg /api }\n"),
            False,
        ),
        case(
            "rd-deny-login",
            "http-request deny if { path_end /login }; the client logs in at request 3",
            sticky_cookie(fe_rules="    http-request deny if { path_end /login }\n"),
            False,
            scenario=LOGIN,
        ),
        case(
            "rd-deny-login-no-login",
            "http-request deny if { path_end /login }; the client never logs in",
            sticky_cookie(fe_rules="    http-request deny if { path_end /login }\n"),
            True,
        ),
        case(
            "rd-deny-with-srv-cookie",
            "http-request deny deny_status 429 if { req.cook(SRV) -m found }",
            sticky_cookie(
                fe_rules="    http-request deny deny_status 429 if { req.cook(SRV) -m found }\n"
            ),
            False,
        ),
        case(
            "rd-deny-send-without-cookie",
            "http-request deny if { path_end /send } !{ req.cook(JSESSIONID) -m found }",
            sticky_cookie(
                fe_rules="    http-request deny if { path_end /send }"
                " !{ req.cook(JSESSIONID) -m found }\n"
            ),
            True,
        ),
        case(
            "rd-return-health",
            "http-request return … if { path /api/health } (never asked)",
            sticky_cookie(fe_rules=f"    http-request return {ok} if {{ path /api/health }}\n"),
            True,
        ),
        case(
            "rd-return-poll",
            "http-request return … if { path_end /poll }: haproxy answers the poll itself",
            sticky_cookie(fe_rules=f"    http-request return {ok} if {{ path_end /poll }}\n"),
            False,
        ),
    ]


# --------------------------------------------------------------------------- routing


def _routing() -> list[Entry]:
    shared = "backend st_sessions\n" + table() + "\n"
    via = (
        "    stick match req.cook(JSESSIONID) table st_sessions\n"
        "    stick store-response res.cook(JSESSIONID) table st_sessions\n"
    )
    poll_to_b = "    use_backend be_b if { path_end /poll }\n"

    def two_tables(a_servers: str, b_servers: str) -> str:
        return config(
            frontend(poll_to_b, "be_a"),
            shared,
            backend(via, a_servers, "be_a"),
            backend(via, b_servers, "be_b"),
        )

    swapped_b = "    server n2 127.0.0.1:@S2@\n    server n1 127.0.0.1:@S1@\n"
    dynamic = config(
        frontend(
            "    use_backend be_%[req.cook(JSESSIONID),field(2,.)]"
            " if { req.cook(JSESSIONID) -m found }\n"
        ),
        backend(""),
        backend("", "    server s1 127.0.0.1:@S1@\n", "be_p1"),
        backend("", "    server s2 127.0.0.1:@S2@\n", "be_p2"),
    )
    listen = "listen chat\n    bind 127.0.0.1:@FE@\n    balance roundrobin\n"
    return [
        case(
            "rt-path-exact-api",
            "use_backend be_api if { path /api } (exact: /api/chat does not match)",
            routed("    use_backend be_api if { path /api }\n"),
            False,
        ),
        case(
            "rt-path-exact-chat",
            "use_backend be_api if { path /api/chat } (poll and send go to be_web)",
            routed("    use_backend be_api if { path /api/chat }\n"),
            False,
        ),
        case(
            "rt-path-dir",
            "use_backend be_api if { path_dir /api }",
            routed("    use_backend be_api if { path_dir /api }\n"),
            True,
        ),
        case(
            "rt-path-reg",
            "use_backend be_api if { path_reg ^/api/ }",
            routed("    use_backend be_api if { path_reg ^/api/ }\n"),
            True,
        ),
        case(
            "rt-path-end-chat",
            "use_backend be_api if { path_end /chat }",
            routed("    use_backend be_api if { path_end /chat }\n"),
            False,
        ),
        case(
            "rt-path-beg-i-upper",
            "use_backend be_api if { path_beg -i /API }",
            routed("    use_backend be_api if { path_beg -i /API }\n"),
            True,
        ),
        case(
            "rt-path-beg-upper",
            "use_backend be_api if { path_beg /API } (case-sensitive)",
            routed("    use_backend be_api if { path_beg /API }\n"),
            False,
        ),
        case(
            "rt-negation",
            "use_backend be_web if !{ path_beg /api }; default_backend be_api",
            routed("    use_backend be_web if !{ path_beg /api }\n", default="be_api"),
            True,
        ),
        case(
            "rt-or",
            "use_backend be_api if { path_beg /static } || { path_beg /api }",
            routed("    use_backend be_api if { path_beg /static } || { path_beg /api }\n"),
            True,
        ),
        case(
            "rt-and-method-post",
            "use_backend be_api if { path_beg /api } { method POST } (client sends GET)",
            routed("    use_backend be_api if { path_beg /api } { method POST }\n"),
            False,
        ),
        case(
            "rt-named-acls-and",
            "acl is_api path_beg /api; acl is_get method GET; use_backend if is_api is_get",
            routed(
                "    acl is_api path_beg /api\n    acl is_get method GET\n"
                "    use_backend be_api if is_api is_get\n"
            ),
            True,
        ),
        case(
            "rt-host-exact",
            "use_backend be_api if { hdr(host) -i 127.0.0.1 } (Host carries the port)",
            routed("    use_backend be_api if { hdr(host) -i 127.0.0.1 }\n"),
            False,
        ),
        case(
            "rt-host-beg",
            "use_backend be_api if { hdr_beg(host) 127.0.0.1 }",
            routed("    use_backend be_api if { hdr_beg(host) 127.0.0.1 }\n"),
            True,
        ),
        case(
            "rt-host-field",
            "use_backend be_api if { req.hdr(host),field(1,:) -m str 127.0.0.1 }",
            routed("    use_backend be_api if { req.hdr(host),field(1,:) -m str 127.0.0.1 }\n"),
            True,
        ),
        case(
            "rt-host-dom",
            "use_backend be_api if { hdr_dom(host) -i 127.0.0.1 }",
            routed("    use_backend be_api if { hdr_dom(host) -i 127.0.0.1 }\n"),
            True,
        ),
        case(
            "rt-path-end-list",
            "use_backend be_api if { path_end /chat /poll /send }",
            routed("    use_backend be_api if { path_end /chat /poll /send }\n"),
            True,
        ),
        case(
            "rt-path-end-list-id-in-path",
            "use_backend be_api if { path_end /chat /poll /send }; id sent as ;jsessionid=",
            routed("    use_backend be_api if { path_end /chat /poll /send }\n"),
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "rt-no-default-backend",
            "use_backend be_api if { path_end /poll } and no default_backend",
            routed("    use_backend be_api if { path_end /poll }\n", default=""),
            False,
        ),
        case(
            "rt-send-to-web-same-cookie",
            "/send routed to be_web, both backends insert SRV with the same server values",
            routed(
                "    use_backend be_web if { path_end /send }\n", INSERT_SRV, INSERT_SRV, "be_api"
            ),
            True,
        ),
        case(
            "rt-listen-stick-table",
            "a listen section with stick-table, stick match and store-response",
            config(listen + LEARNING + node_lines()),
            True,
        ),
        case(
            "rt-listen-use-backend",
            "a listen section (no persistence) routing /api to be_api with SRV insert",
            config(
                listen + "    use_backend be_api if { path_beg /api }\n" + node_lines() + "\n",
                backend(INSERT_SRV, cookie_nodes()),
            ),
            True,
        ),
        case(
            "rt-cookie-in-frontend",
            "cookie SRV insert written in the frontend (not a frontend keyword)",
            config(
                frontend(INSERT_SRV),
                backend("", cookie_nodes()),
            ),
            False,
            note="accepted with a warning: ''cookie' ignored because frontend 'fe_chat' has no "
            "backend capability'",
        ),
        case(
            "rt-stick-in-frontend",
            "stick-table and stick rules written in the frontend",
            config(frontend(LEARNING), backend("")),
            False,
            note="accepted with a warning: ''stick' ignored because frontend 'fe_chat' has no "
            "backend capability' (the stick-table itself is allowed in a frontend)",
        ),
        case(
            "rt-dynamic-backend-by-route",
            "use_backend be_%[req.cook(JSESSIONID),field(2,.)]: one backend per node",
            dynamic,
            True,
        ),
        case(
            "rt-shared-table-swapped-order",
            "/poll to be_b; be_a and be_b share a table, be_b lists the nodes in reverse",
            two_tables(node_lines(names="n"), swapped_b),
            False,
            observed=True,
            note="§4.2 stick match/store-response: 'If another table is referenced, the "
            "server's ID inside the backends are used'. Not in 2.6: an entry also keeps the "
            "server's name (stick-table srvkey, default name) and a backend holding a server "
            "of that name uses it; the ID is only the fallback (next entries)",
        ),
        case(
            "rt-shared-table-other-names",
            "shared table, same node order, servers named a1/a2 in be_a and b1/b2 in be_b",
            two_tables(node_lines(names="a"), node_lines(names="b")),
            True,
        ),
        case(
            "rt-shared-table-swapped-other-names",
            "shared table, be_b lists the nodes in reverse, servers named a1/a2 and b1/b2",
            two_tables(node_lines(names="a"), swapped_b.replace(" n", " b")),
            False,
            note="no server named a1/a2 in be_b: the lookup falls back to the server ID, which "
            "is the other node there",
        ),
        case(
            "rt-shared-table-srvkey-addr",
            "shared table with srvkey addr, be_b in reverse order with other server names",
            two_tables(node_lines(names="a"), swapped_b.replace(" n", " b")).replace(
                "expire 30m\n", "expire 30m srvkey addr\n", 1
            ),
            True,
        ),
        case(
            "rt-shared-table-forced-ids",
            "shared table, be_b lists the nodes in reverse with ids forced to match be_a",
            two_tables(
                node_lines(names="n"),
                "    server n2 127.0.0.1:@S2@ id 2\n    server n1 127.0.0.1:@S1@ id 1\n",
            ),
            True,
        ),
    ]


# --------------------------------------------------------------------------- use-server, persist


def _server_choice() -> list[Entry]:
    routes = node_lines(names="p")
    by_suffix = (
        "    use-server p1 if { req.cook(JSESSIONID) -m end .p1 }\n"
        "    use-server p2 if { req.cook(JSESSIONID) -m end .p2 }\n"
    )
    swapped = (
        "    use-server p1 if { req.cook(JSESSIONID) -m end .p2 }\n"
        "    use-server p2 if { req.cook(JSESSIONID) -m end .p1 }\n"
    )
    return [
        case(
            "us-use-server-by-route",
            "use-server pN if the id ends with .pN (servers named after the routes)",
            learning(by_suffix, servers=routes),
            True,
        ),
        case(
            "us-use-server-log-format",
            "use-server %[req.cook(JSESSIONID),field(2,.)] if the cookie is present",
            learning(
                "    use-server %[req.cook(JSESSIONID),field(2,.)]"
                " if { req.cook(JSESSIONID) -m found }\n",
                servers=routes,
            ),
            True,
        ),
        case(
            "us-use-server-log-format-login",
            "use-server %[req.cook(JSESSIONID),field(2,.)]; login renews the id on its node",
            learning(
                "    use-server %[req.cook(JSESSIONID),field(2,.)]"
                " if { req.cook(JSESSIONID) -m found }\n",
                servers=routes,
            ),
            True,
            scenario=LOGIN,
        ),
        case(
            "us-use-server-path-route-id-in-path",
            "use-server %[path,field(2,=),field(2,.)] if { path_sub ;jsessionid= }; id in path",
            learning(
                "    use-server %[path,field(2,=),field(2,.)] if { path_sub ;jsessionid= }\n",
                servers=routes,
            ),
            True,
            scenario=ID_IN_PATH,
        ),
        case(
            "us-use-server-by-route-id-in-path",
            "use-server pN if the JSESSIONID cookie ends with .pN; the id travels in the path",
            learning(by_suffix, servers=routes),
            False,
            scenario=ID_IN_PATH,
        ),
        case(
            "us-use-server-swapped",
            "use-server p1 if the id ends with .p2 and vice versa",
            learning(swapped, servers=routes),
            False,
        ),
        case(
            "us-use-server-all-api",
            "use-server s1 if { path_beg /api }: every chat request to one node",
            learning("    use-server s1 if { path_beg /api }\n"),
            True,
            note="every session is created and kept on s1: sticky with one node doing all work",
        ),
        case(
            "us-use-server-over-cookie",
            "cookie SRV insert + use-server s1 if { path_end /poll }",
            sticky_cookie("    use-server s1 if { path_end /poll }\n"),
            False,
        ),
        case(
            "us-use-server-unless-api",
            "cookie SRV insert + use-server s1 unless { path_beg /api } (never applies)",
            sticky_cookie("    use-server s1 unless { path_beg /api }\n"),
            True,
        ),
        case(
            "us-use-server-over-stick",
            "stick match/store-response + use-server s1 if { path_end /send }",
            learning(LEARNING + "    use-server s1 if { path_end /send }\n"),
            False,
        ),
        case(
            "us-ignore-persist-api",
            "cookie SRV insert + ignore-persist if { path_beg /api }",
            sticky_cookie("    ignore-persist if { path_beg /api }\n"),
            False,
        ),
        case(
            "us-ignore-persist-static",
            "cookie SRV insert + ignore-persist if { path_beg /static }",
            sticky_cookie("    ignore-persist if { path_beg /static }\n"),
            True,
        ),
        case(
            "us-ignore-persist-poll",
            "cookie SRV insert + ignore-persist if { path_end /poll }",
            sticky_cookie("    ignore-persist if { path_end /poll }\n"),
            False,
        ),
        case(
            "us-ignore-persist-stick-table",
            "stick match/store-response + ignore-persist if { path_beg /api }",
            learning(LEARNING + "    ignore-persist if { path_beg /api }\n"),
            False,
            observed=True,
            note="§4.2 ignore-persist speaks of cookie persistence ('when cookie persistence is "
            "enabled'): it does not stop stick match, the table still routes every request",
        ),
        case(
            "us-force-persist-insert",
            "cookie SRV insert + force-persist if { path_beg /api }",
            sticky_cookie("    force-persist if { path_beg /api }\n"),
            True,
        ),
        case(
            "us-force-persist-alone",
            "force-persist if { path_beg /api } without any persistence",
            learning("    force-persist if { path_beg /api }\n"),
            False,
        ),
        case(
            "us-option-persist-insert",
            "cookie SRV insert + option persist (all servers up)",
            sticky_cookie("    option persist\n"),
            True,
        ),
        case(
            "us-option-redispatch-insert",
            "cookie SRV insert + option redispatch (all servers up)",
            sticky_cookie("    option redispatch\n"),
            True,
        ),
        case(
            "us-persist-redispatch-stick",
            "stick match/store-response + option persist + option redispatch",
            learning(LEARNING + "    option persist\n    option redispatch\n"),
            True,
        ),
        case(
            "us-option-persist-alone",
            "option persist without cookie or stick rules",
            learning("    option persist\n"),
            False,
        ),
    ]


# --------------------------------------------------------------------------- outside the model

LUA_CODE = """\
core.register_fetches("gt_sid", function(txn)
    return txn.sf:req_cook("JSESSIONID")
end)

core.register_action("gt_drop_cookie", { "http-req" }, function(txn)
    txn.http:req_del_header("Cookie")
end)

core.register_service("gt_pong", "http", function(applet)
    local body = "pong"
    applet:set_status(200)
    applet:add_header("content-length", string.len(body))
    applet:add_header("content-type", "text/plain")
    applet:start_response()
    applet:send(body)
end)
"""


def lua_file() -> Path:
    """The Lua script of the ``om-lua-*`` entries, written once under the temp directory."""
    digest = hashlib.sha256(LUA_CODE.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"tcommlint-gt-{digest}.lua"
    if not path.is_file():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(LUA_CODE)
        partial.replace(path)
    return path


class LuaEntry(Entry):
    """An entry whose template loads the Lua script: ``@LUA@`` is its path."""

    __slots__ = ()

    def render(self, ports: Ports) -> str:
        """The configuration text with real ports and the Lua script's path filled in."""
        return super().render(ports).replace("@LUA@", str(lua_file()))


def _outside() -> list[Entry]:
    lua_global = "global\n    maxconn 512\n    lua-load @LUA@\n\n"
    cache = "cache gt_cache\n    total-max-size 4\n    max-age 60\n\n"
    max_age = '    http-response set-header Cache-Control "max-age=60"\n'
    cached = (
        "    filter cache gt_cache\n"
        "    http-request cache-use gt_cache\n"
        "    http-response cache-store gt_cache\n" + max_age
    )

    def lua(entry: Entry) -> Entry:
        return LuaEntry(*entry)

    def outside(
        entry_id: str, description: str, template: str, predicted: bool, **known: Any
    ) -> Entry:
        return case(entry_id, description, template, predicted, outside_model=True, **known)

    return [
        lua(
            outside(
                "om-lua-fetch-stick-key",
                "stick match lua.gt_sid (a Lua fetch returning req.cook(JSESSIONID))",
                lua_global
                + DEFAULTS
                + frontend()
                + backend(STICK_TABLE + "    stick match lua.gt_sid\n" + LEARN),
                True,
            )
        ),
        lua(
            outside(
                "om-lua-action-drops-cookie",
                "frontend http-request lua.gt_drop_cookie (deletes Cookie); SRV insert",
                lua_global
                + DEFAULTS
                + frontend("    http-request lua.gt_drop_cookie\n")
                + backend(INSERT_SRV, cookie_nodes()),
                False,
            )
        ),
        lua(
            outside(
                "om-lua-service-poll",
                "http-request use-service lua.gt_pong if { path_end /poll }; SRV insert",
                lua_global
                + DEFAULTS
                + frontend("    http-request use-service lua.gt_pong if { path_end /poll }\n")
                + backend(INSERT_SRV, cookie_nodes()),
                False,
            )
        ),
        case(
            "om-filter-compression",
            "filter compression + compression algo gzip; SRV insert",
            sticky_cookie("    filter compression\n    compression algo gzip\n"),
            True,
        ),
        case(
            "om-filter-trace",
            "filter trace; SRV insert",
            sticky_cookie("    filter trace name gt\n"),
            True,
        ),
        outside(
            "om-filter-cache-store-first",
            "filter cache; cache-store written before the rule adding max-age=60; stick rules",
            config(cache, frontend(), backend(LEARNING + cached)),
            False,
            observed=True,
            note="http-response rules run in order: at cache-store the reply has no max-age "
            "yet, so it has no explicit expiration (§6.1) and nothing is ever cached",
        ),
        outside(
            "om-filter-cache",
            "filter cache; max-age=60 added to chat replies before cache-store; stick rules",
            config(cache, frontend(), backend(LEARNING + max_age + cached.replace(max_age, ""))),
            False,
            observed=True,
            note="§6.1 does not name Set-Cookie as a reason not to cache: the first reply, "
            "Set-Cookie included, is cached under Host+URI (§6) and served to every new client, "
            "so all sessions share the first session's id on its node. The harness counts that "
            "as kept (same node, same id on every request); in reality users share a session",
        ),
        outside(
            "om-filter-cache-no-set-cookie",
            "filter cache; max-age=60 added, cache-store unless the reply sets a cookie",
            config(
                cache,
                frontend(),
                backend(
                    LEARNING
                    + max_age
                    + cached.replace(max_age, "").replace(
                        "cache-store gt_cache\n",
                        "cache-store gt_cache unless { res.hdr(set-cookie) -m found }\n",
                    )
                ),
            ),
            False,
        ),
        case(
            "om-set-var-stick-match",
            "frontend set-var(txn.sid) req.cook(JSESSIONID); stick match var(txn.sid)",
            learning(
                STICK_TABLE + "    stick match var(txn.sid)\n" + LEARN,
                fe_rules="    http-request set-var(txn.sid) req.cook(JSESSIONID)\n",
            ),
            True,
        ),
        case(
            "om-response-var-learned",
            "http-response set-var(txn.sid) res.cook(JSESSIONID); store-response var(txn.sid)",
            learning(
                STICK_TABLE
                + MATCH
                + "    stick store-response var(txn.sid)\n"
                + "    http-response set-var(txn.sid) res.cook(JSESSIONID)\n"
            ),
            False,
        ),
        case(
            "om-var-path-condition",
            "set-var(txn.path) path; store-response if { var(txn.path) -m beg /api }",
            learning(
                STICK_TABLE + MATCH + LEARN.rstrip() + " if { var(txn.path) -m beg /api }\n",
                fe_rules="    http-request set-var(txn.path) path\n",
            ),
            True,
        ),
        case(
            "om-var-login-condition",
            "set-var(txn.had) when a JSESSIONID is sent; learn only if it was not; login",
            learning(
                STICK_TABLE + MATCH + LEARN.rstrip() + " unless { var(txn.had) -m found }\n",
                fe_rules="    http-request set-var(txn.had) str(1)"
                " if { req.cook(JSESSIONID) -m found }\n",
            ),
            False,
            scenario=LOGIN,
        ),
        case(
            "om-tcp-content-reject-srv",
            "tcp-request content reject if { req.cook(SRV) -m found }; SRV insert",
            sticky_cookie(
                fe_rules="    tcp-request content reject if { req.cook(SRV) -m found }\n"
            ),
            False,
        ),
        case(
            "om-tcp-content-set-var",
            "tcp-request content set-var(txn.sid) req.cook(JSESSIONID); stick match var",
            learning(
                STICK_TABLE + "    stick match var(txn.sid)\n" + LEARN,
                fe_rules="    tcp-request content set-var(txn.sid) req.cook(JSESSIONID)\n",
            ),
            True,
        ),
        case(
            "om-tcp-content-accept",
            "tcp-request inspect-delay 5s + tcp-request content accept if HTTP; SRV insert",
            sticky_cookie(
                fe_rules="    tcp-request inspect-delay 5s\n"
                "    tcp-request content accept if HTTP\n"
            ),
            True,
        ),
    ]


def entries() -> list[Entry]:
    """Every configuration of these families, in a stable order."""
    return (
        _stick_tables()
        + _stick_rules()
        + _fetches()
        + _actions()
        + _short_circuits()
        + _routing()
        + _server_choice()
        + _outside()
    )


ENTRIES: tuple[Entry, ...] = tuple(entries())
