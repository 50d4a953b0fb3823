"""Ground-truth configurations haproxy refuses: ``haproxy -c`` fails, no chat session works.

Each entry is a chat deployment someone could plausibly write while setting up stickiness on
``JSESSIONID`` (old 1.x syntax, a fetch on the wrong side, a typo in a name) that HAProxy 2.6
refuses to load. The harness counts a refused configuration as not sticky, so tcommlint must
say so: TC001 at the offending line (``tcommlint/loaders/haproxy/refusals.py``). ``note``
quotes what haproxy 2.6 answered. The ids start with ``rf-``.
"""

from __future__ import annotations

from tests.groundtruth.matrix import (
    DEFAULTS,
    FRONTEND,
    GLOBAL,
    INSERT_SRV,
    STICK_TABLE,
    STORE_RESPONSE,
    Entry,
    servers,
)

API = "backend be_api\n    balance roundrobin\n"


def chat(body: str, frontend: str = FRONTEND, count: int = 2, cookies: bool = True) -> str:
    """A full configuration: the chat frontend and ``be_api`` with ``body`` in it."""
    return GLOBAL + DEFAULTS + frontend + API + body + servers(count, cookies)


def refused(entry_id: str, description: str, template: str, alert: str) -> Entry:
    """An entry haproxy -c refuses: never sticky, as predicted."""
    return Entry(
        entry_id,
        description,
        template,
        expected_sticky=False,
        predicted_sticky=False,
        note=f"haproxy -c: {alert}",
    )


ENTRIES: tuple[Entry, ...] = (
    refused(
        "rf-appsession-request-learn",
        "appsession JSESSIONID with request-learn (1.5 syntax)",
        chat("    appsession JSESSIONID len 52 timeout 3h request-learn\n", cookies=False),
        "'appsession' is not supported anymore since HAProxy 1.6.",
    ),
    refused(
        "rf-stick-on-res-cook",
        "stick on res.cook(JSESSIONID): the response cookie read during the request",
        chat(STICK_TABLE + "    stick on res.cook(JSESSIONID)\n", cookies=False),
        "'stick': fetch method 'res.cook' extracts information from 'HTTP response headers', "
        "none of which is available during request.",
    ),
    refused(
        "rf-stick-match-res-cook",
        "stick match res.cook(JSESSIONID) with store-response res.cook(JSESSIONID)",
        chat(
            STICK_TABLE + "    stick match res.cook(JSESSIONID)\n" + STORE_RESPONSE, cookies=False
        ),
        "'stick': fetch method 'res.cook' ... none of which is available during request.",
    ),
    refused(
        "rf-store-response-req-cook",
        "stick on req.cook + stick store-response req.cook(JSESSIONID)",
        chat(
            STICK_TABLE
            + "    stick on req.cook(JSESSIONID)\n    stick store-response req.cook(JSESSIONID)\n",
            cookies=False,
        ),
        "'stick': fetch method 'req.cook' extracts information from 'HTTP request headers', "
        "none of which is available for 'store-response'.",
    ),
    refused(
        "rf-stick-without-table",
        "stick on/store-response JSESSIONID with no stick-table anywhere",
        chat("    stick on req.cook(JSESSIONID)\n" + STORE_RESPONSE, cookies=False),
        "Proxy 'be_api': unable to find stick-table 'be_api'.",
    ),
    refused(
        "rf-stick-table-misnamed",
        "stick rules naming table st_session while the table backend is st_sessions",
        GLOBAL
        + DEFAULTS
        + "backend st_sessions\n"
        + STICK_TABLE
        + "\n"
        + FRONTEND
        + API
        + "    stick on req.cook(JSESSIONID) table st_session\n"
        "    stick store-response res.cook(JSESSIONID) table st_session\n" + servers(cookies=False),
        "Proxy 'be_api': unable to find stick-table 'st_session'.",
    ),
    refused(
        "rf-stick-req-cookie-typo",
        "stick on req.cookie(JSESSIONID) (no such fetch: req.cook)",
        chat(STICK_TABLE + "    stick on req.cookie(JSESSIONID)\n" + STORE_RESPONSE, cookies=False),
        "'stick': unknown fetch method 'req.cookie'",
    ),
    refused(
        "rf-cookie-insert-prefix",
        "cookie JSESSIONID insert prefix (two modes)",
        chat("    cookie JSESSIONID insert prefix\n"),
        "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.",
    ),
    refused(
        "rf-cookie-option-typo",
        "cookie SRV insert indirect nocache httponyl",
        chat("    cookie SRV insert indirect nocache httponyl\n"),
        "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', "
        "'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.",
    ),
    refused(
        "rf-http-frontend-tcp-backend",
        "cookie SRV insert in a mode tcp backend behind the http frontend",
        chat("    mode tcp\n" + INSERT_SRV),
        "http frontend 'fe_chat' tries to use incompatible tcp backend 'be_api' as its default "
        "backend (see 'mode').",
    ),
    refused(
        "rf-default-backend-typo",
        "default_backend be_chat while the sticky backend is be_api",
        chat(
            INSERT_SRV,
            frontend=FRONTEND.replace("default_backend be_api", "default_backend be_chat"),
        ),
        "Proxy 'fe_chat': unable to find required default_backend: 'be_chat'.",
    ),
    refused(
        "rf-use-backend-undefined-acl",
        "use_backend be_api if is_api, with no 'acl is_api'",
        chat(
            INSERT_SRV,
            frontend=FRONTEND.replace(
                "    default_backend", "    use_backend be_api if is_api\n    default_backend"
            ),
        ),
        "error detected while parsing switching rule : no such ACL : 'is_api'.",
    ),
    refused(
        "rf-use-backend-braces-glued",
        "use_backend be_api if {path_beg /api} (braces glued to the words)",
        chat(
            INSERT_SRV,
            frontend=FRONTEND.replace(
                "    default_backend",
                "    use_backend be_api if {path_beg /api}\n    default_backend",
            ),
        ),
        "error detected while parsing switching rule : no such ACL : '{path_beg'.",
    ),
    refused(
        "rf-rspirep-set-cookie",
        "rspirep rewriting Set-Cookie JSESSIONID (1.x syntax) with cookie insert",
        chat(
            INSERT_SRV + "    rspirep ^Set-Cookie:\\ JSESSIONID=(.*) Set-Cookie:\\ JSESSIONID=\\1\n"
        ),
        "The 'rspirep' directive is not supported anymore since HAProxy 2.1. Use "
        "'http-response replace-header' instead.",
    ),
    refused(
        "rf-redispatch-keyword",
        "cookie SRV insert with the 'redispatch' keyword (1.x)",
        chat(INSERT_SRV + "    redispatch\n"),
        "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use "
        "'option redispatch'.",
    ),
    refused(
        "rf-srvtimeout",
        "cookie SRV insert with srvtimeout 30m (1.x)",
        chat(INSERT_SRV + "    srvtimeout 30m\n"),
        "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use "
        "'timeout server'.",
    ),
    refused(
        "rf-missing-final-newline",
        "cookie SRV insert, the file ends without a newline",
        chat(INSERT_SRV).rstrip("\n"),
        "Missing LF on last line, file might have been truncated at position <n>.",
    ),
    refused(
        "rf-listen-address",
        "listen chat 127.0.0.1:@FE@ with cookie insert (1.x address on the header, and a bind)",
        GLOBAL
        + DEFAULTS
        + "listen chat 127.0.0.1:@FE@\n    bind 127.0.0.1:@FE@\n    balance roundrobin\n"
        + INSERT_SRV
        + servers(),
        "please use the 'bind' keyword for listening addresses.",
    ),
    refused(
        "rf-http-request-reads-response-cookie",
        "cookie insert plus http-request set-header X-Session %[res.cook(JSESSIONID)]",
        chat(INSERT_SRV + "    http-request set-header X-Session %[res.cook(JSESSIONID)]\n"),
        "sample fetch <res.cook(JSESSIONID)]> may not be reliably used here because it needs "
        "'HTTP response headers' which is not available here.",
    ),
    refused(
        "rf-duplicate-server-name",
        "cookie insert with both servers named s1",
        chat(INSERT_SRV, count=2).replace("server s2 ", "server s1 "),
        "backend 'be_api', another server named 's1' was already defined at line 17, please "
        "use distinct names.",
    ),
)
