"""The configuration matrix for the Apache httpd ground truth (Debian apache2 2.4, balancer).

Each entry is a complete ``httpd.conf`` (``@FE@`` the frontend port, ``@S1@``..``@S3@`` the chat
nodes p1..p3, whose session ids end with ``.p1``..``.p3``), written from the httpd manual as an
operator would. ``predicted_sticky`` was written down from the manual (and, where the manual is
silent, from ``modules/proxy/mod_proxy_balancer.c``) before the first run; ``expected_sticky`` is
what the real apache2 did; ``note`` says what a surprise taught. Entry ids start with their family.

What the source says, in short (``find_session_route``): the route is read first from the URL
(``strstr`` of the second ``stickysession`` name followed by ``=``, anywhere in the URL, value up
to ``?``/``&``, and ``;`` too with ``scolonpathdelim=On``), then from the Cookie header (the first
name, case-sensitive, at a cookie boundary); the route is what follows the first
``stickysessionsep`` (default ``.``), compared with ``strcmp`` to each member's ``route=``; the
first member with that route wins; no match means ordinary balancing.

Learned from the runs (details in the entries' notes): without a backreference ProxyPassMatch
appends the whole URI (``$1`` is implied); a ``balancer://`` ProxyPass line only takes balancer
keys (``retry=`` there is refused); the main server's ProxyPass rules are tried before a
VirtualHost's (``merge_proxy_config`` appends the vhost's after the base's), while a ``<Location>``
ProxyPass is tried before both; ``Header always unset Set-Cookie`` does not touch a proxied
response's cookie (it lives in the ``onsuccess`` table); ``stickysession=jsessionid`` misses the
JSESSIONID cookie yet finds ``;jsessionid=`` in the URL, with or without ``scolonpathdelim``; the
ROUTEID cookie carries Apache's own route names, so it works whatever the jvmRoutes (even none).
"""

from __future__ import annotations

from typing import Any

from tests.groundtruth.harness import Scenario
from tests.groundtruth.matrix import Entry

MODULES_DIR = "/usr/lib/apache2/modules"
BASE_MODULES = (
    "mpm_event",
    "authz_core",
    "proxy",
    "proxy_http",
    "proxy_balancer",
    "slotmem_shm",
    "lbmethod_byrequests",
)
ROUTES = ("p1", "p2", "p3")  # the chat nodes' jvmRoutes
BOTH = "JSESSIONID|jsessionid"
CHAT = "balancer://chat"
# Modest scenarios: twelve concurrent users are enough to catch a balancer that moves sessions.
QUICK = Scenario(sessions=12, requests=6)
SEQUENTIAL = Scenario(sessions=8, requests=6, interleaved=False)
PAUSE = Scenario(sessions=8, requests=3, pause_seconds=2.0)
LOGIN = Scenario(sessions=12, requests=6, login_at=3)
URL_ID = Scenario(sessions=12, requests=6, id_in_path=True)
# The public path /chat is the application's /api (ProxyPass /chat balancer://chat/api).
PUBLIC_CHAT = QUICK._replace(paths=("/chat", "/chat/poll", "/chat/send"))


def preamble(*extra_modules: str) -> str:
    """What every configuration needs: name, listener, pid, log and the proxy modules."""
    loads = "".join(
        f"LoadModule {name}_module {MODULES_DIR}/mod_{name}.so\n"
        for name in (*BASE_MODULES, *extra_modules)
    )
    return (
        "ServerName localhost\nListen 127.0.0.1:@FE@\nPidFile apache.pid\n"
        "ErrorLog error.log\nLogLevel warn\n" + loads
    )


def members(routes: tuple[str | None, ...] = ROUTES, extra: tuple[str, ...] = ()) -> str:
    """``BalancerMember`` lines for nodes 1..len(routes); ``None`` omits ``route=``."""
    lines = []
    for number, route in enumerate(routes, start=1):
        line = f"    BalancerMember http://127.0.0.1:@S{number}@"
        if route is not None:
            line += f" route={route}"
        if number <= len(extra) and extra[number - 1]:
            line += " " + extra[number - 1]
        lines.append(line + "\n")
    return "".join(lines)


def proxy(name: str = CHAT, body: str = "", routes: tuple[str | None, ...] = ROUTES) -> str:
    """A ``<Proxy balancer://…>`` block with the members and ``body`` (ProxySet lines)."""
    return f"<Proxy {name}>\n{members(routes)}{body}</Proxy>\n"


def sticky_site(
    parameters: str = f"stickysession={BOTH}",
    routes: tuple[str | None, ...] = ROUTES,
    extra: str = "",
    modules: tuple[str, ...] = (),
) -> str:
    """The common shape: one balancer, ``ProxyPass /api`` with ``parameters``, then ``extra``."""
    line = f"ProxyPass /api {CHAT}/api {parameters}".rstrip() + "\n"
    return preamble(*modules) + proxy(routes=routes) + line + extra


def entry(
    entry_id: str,
    description: str,
    template: str,
    predicted: bool,
    observed: bool | None = None,
    note: str = "",
    scenario: Scenario = QUICK,
    **fields: Any,
) -> Entry:
    """An entry on three nodes; ``observed`` only when apache2 did not do what was predicted."""
    sticky = predicted if observed is None else observed
    return Entry(
        entry_id,
        description,
        template,
        sticky,
        servers=3,
        scenario=scenario,
        note=note,
        predicted_sticky=predicted,
        **fields,
    )


def _no_stickysession() -> list[Entry]:
    return [
        entry(
            "plain-byrequests",
            "no stickysession, lbmethod byrequests (default)",
            sticky_site(""),
            False,
            scenario=Scenario(),
        ),
        entry(
            "plain-bytraffic",
            "no stickysession, lbmethod=bytraffic",
            sticky_site("lbmethod=bytraffic", modules=("lbmethod_bytraffic",)),
            False,
        ),
        entry(
            "plain-bybusyness",
            "no stickysession, lbmethod=bybusyness",
            sticky_site("lbmethod=bybusyness", modules=("lbmethod_bybusyness",)),
            False,
        ),
        entry(
            "plain-sequential",
            "no stickysession, one session after another",
            sticky_site(""),
            False,
            scenario=SEQUENTIAL,
        ),
    ]


def _both_names() -> list[Entry]:
    return [
        entry(
            "jsess-both",
            f"stickysession={BOTH}, route= equal to the jvmRoutes",
            sticky_site(),
            True,
            scenario=Scenario(),
        ),
        entry(
            "jsess-both-sequential",
            f"stickysession={BOTH}, sequential sessions",
            sticky_site(),
            True,
            scenario=SEQUENTIAL,
        ),
        entry(
            "jsess-both-bybusyness",
            f"stickysession={BOTH} lbmethod=bybusyness",
            sticky_site(
                f"stickysession={BOTH} lbmethod=bybusyness", modules=("lbmethod_bybusyness",)
            ),
            True,
        ),
        entry(
            "jsess-both-bytraffic",
            f"stickysession={BOTH} lbmethod=bytraffic",
            sticky_site(
                f"stickysession={BOTH} lbmethod=bytraffic", modules=("lbmethod_bytraffic",)
            ),
            True,
        ),
    ]


def _cookie_only() -> list[Entry]:
    return [
        entry(
            "cookieonly-jsessionid",
            "stickysession=JSESSIONID alone",
            sticky_site("stickysession=JSESSIONID"),
            True,
            scenario=Scenario(),
        ),
        entry(
            "cookieonly-sequential",
            "stickysession=JSESSIONID, sequential",
            sticky_site("stickysession=JSESSIONID"),
            True,
            scenario=SEQUENTIAL,
        ),
        entry(
            "cookieonly-key-case",
            "StickySession=JSESSIONID (parameter name in mixed case)",
            sticky_site("StickySession=JSESSIONID"),
            True,
        ),
    ]


def _name_case() -> list[Entry]:
    return [
        entry(
            "case-lowercase",
            "stickysession=jsessionid; the application sets JSESSIONID",
            sticky_site("stickysession=jsessionid"),
            False,
        ),
        entry(
            "case-lowercase-app-lowercase",
            "stickysession=jsessionid; the cookie is jsessionid",
            sticky_site("stickysession=jsessionid"),
            True,
            app_cookie="jsessionid",
        ),
        entry(
            "case-capitalised-pair",
            "stickysession=Jsessionid|jsessionid",
            sticky_site("stickysession=Jsessionid|jsessionid"),
            False,
        ),
        entry(
            "case-upper-pair-app-lowercase",
            f"stickysession={BOTH}; the cookie is jsessionid",
            sticky_site(),
            False,
            app_cookie="jsessionid",
        ),
    ]


def _route_values() -> list[Entry]:
    return [
        entry(
            "routediff-tomcat",
            "route=tomcat1..3 while the jvmRoutes are p1..p3",
            sticky_site(routes=("tomcat1", "tomcat2", "tomcat3")),
            False,
        ),
        entry(
            "routediff-uppercase",
            "route=P1..P3 (the comparison is strcmp)",
            sticky_site(routes=("P1", "P2", "P3")),
            False,
        ),
        entry(
            "routediff-rotated",
            "routes p2,p3,p1 on nodes p1,p2,p3",
            sticky_site(routes=("p2", "p3", "p1")),
            False,
        ),
        entry(
            "routediff-dotted",
            "route=.p1 (the separator repeated in the route)",
            sticky_site(routes=(".p1", ".p2", ".p3")),
            False,
        ),
    ]


def _no_routes() -> list[Entry]:
    return [
        entry(
            "noroute-all",
            f"members without route=, stickysession={BOTH}",
            sticky_site(routes=(None, None, None)),
            False,
        ),
        entry(
            "noroute-one",
            "the third member without route=",
            sticky_site(routes=("p1", "p2", None)),
            False,
        ),
        entry(
            "noroute-sequential",
            "members without route=, sequential sessions",
            sticky_site(routes=(None, None, None)),
            False,
            scenario=SEQUENTIAL,
        ),
    ]


def _duplicated_routes() -> list[Entry]:
    return [
        entry(
            "duproute-p1-twice", "routes p1,p1,p3", sticky_site(routes=("p1", "p1", "p3")), False
        ),
        entry(
            "duproute-all-same",
            "route=p1 on every member",
            sticky_site(routes=("p1", "p1", "p1")),
            False,
        ),
        entry(
            "duproute-p3-twice", "routes p1,p3,p3", sticky_site(routes=("p1", "p3", "p3")), False
        ),
    ]


def _separator() -> list[Entry]:
    both = f"stickysession={BOTH}"
    return [
        entry(
            "sep-dot",
            "stickysessionsep=. (the default, spelled out)",
            sticky_site(f"{both} stickysessionsep=."),
            True,
        ),
        entry(
            "sep-underscore",
            "stickysessionsep=_ while the ids are <hex>.<route>",
            sticky_site(f"{both} stickysessionsep=_"),
            False,
        ),
        entry(
            "sep-off",
            "stickysessionsep=Off: the whole id is compared with route=",
            sticky_site(f"{both} stickysessionsep=Off"),
            False,
        ),
        entry(
            "sep-two-chars",
            "stickysessionsep=.. (must be one character)",
            sticky_site(f"{both} stickysessionsep=.."),
            False,
        ),
    ]


def _semicolon() -> list[Entry]:
    return [
        entry(
            "scolon-url-id",
            f"scolonpathdelim=On, {BOTH}, id in the URL",
            sticky_site(f"stickysession={BOTH} scolonpathdelim=On"),
            True,
            scenario=URL_ID,
        ),
        entry(
            "scolon-cookie",
            f"scolonpathdelim=On, {BOTH}, id in the cookie",
            sticky_site(f"stickysession={BOTH} scolonpathdelim=On"),
            True,
        ),
        entry(
            "scolon-lowercase-url-id",
            "stickysession=jsessionid scolonpathdelim=On, id in URL",
            sticky_site("stickysession=jsessionid scolonpathdelim=On"),
            True,
            scenario=URL_ID,
        ),
        entry(
            "scolon-off-url-id",
            f"scolonpathdelim=Off, {BOTH}, id in the URL",
            sticky_site(f"stickysession={BOTH} scolonpathdelim=Off"),
            True,
            scenario=URL_ID,
        ),
    ]


def _nofailover() -> list[Entry]:
    return [
        entry(
            "nofail-sticky",
            f"stickysession={BOTH} nofailover=On",
            sticky_site(f"stickysession={BOTH} nofailover=On"),
            True,
        ),
        entry(
            "nofail-no-stickysession",
            "nofailover=On without stickysession",
            sticky_site("nofailover=On"),
            False,
        ),
        entry(
            "nofail-routes-differ",
            "nofailover=On, route=tomcat1..3",
            sticky_site(
                f"stickysession={BOTH} nofailover=On", routes=("tomcat1", "tomcat2", "tomcat3")
            ),
            False,
        ),
        entry(
            "nofail-bad-value",
            "nofailover=yes (On|Off expected)",
            sticky_site(f"stickysession={BOTH} nofailover=yes"),
            False,
        ),
    ]


def _standby() -> list[Entry]:
    def site(extra: tuple[str, ...], parameters: str = "") -> str:
        block = f"<Proxy {CHAT}>\n{members(ROUTES, extra)}</Proxy>\n"
        return preamble() + block + f"ProxyPass /api {CHAT}/api {parameters}\n"

    return [
        entry(
            "standby-one-active",
            "no stickysession; p2, p3 status=+H (hot standby)",
            site(("", "status=+H", "status=+H")),
            True,
            note="every request goes to the one active member: sticky by having one node",
        ),
        entry(
            "standby-two-active",
            "no stickysession; p3 status=+H, p1 p2 active",
            site(("", "", "status=+H")),
            False,
        ),
        entry(
            "standby-sticky",
            f"stickysession={BOTH}; p3 status=+H",
            site(("", "", "status=+H"), f"stickysession={BOTH}"),
            True,
        ),
        entry(
            "standby-lbset",
            "no stickysession; p1 lbset=0, p2 p3 lbset=1",
            site(("lbset=0", "lbset=1", "lbset=1")),
            True,
        ),
        entry(
            "standby-lbset-two",
            "no stickysession; p1 p2 lbset=0, p3 lbset=1",
            site(("lbset=0", "lbset=0", "lbset=1")),
            False,
        ),
        entry(
            "standby-disabled",
            "no stickysession; p2 p3 status=+D (disabled)",
            site(("", "status=+D", "status=+D")),
            True,
        ),
    ]


def _loadfactor() -> list[Entry]:
    def site(extra: tuple[str, ...], parameters: str = "") -> str:
        block = f"<Proxy {CHAT}>\n{members(ROUTES, extra)}</Proxy>\n"
        return preamble() + block + f"ProxyPass /api {CHAT}/api {parameters}\n"

    return [
        entry(
            "lf-weighted-no-sticky",
            "no stickysession; loadfactor=1,100,100",
            site(("loadfactor=1", "loadfactor=100", "loadfactor=100")),
            False,
        ),
        entry(
            "lf-weighted-sticky",
            f"stickysession={BOTH}; loadfactor=1,2,3",
            site(("loadfactor=1", "loadfactor=2", "loadfactor=3"), f"stickysession={BOTH}"),
            True,
        ),
        entry(
            "lf-zero",
            "loadfactor=0 (1..100 expected)",
            site(("loadfactor=0", "", ""), f"stickysession={BOTH}"),
            False,
        ),
        entry(
            "lf-over-100",
            "loadfactor=101",
            site(("loadfactor=101", "", ""), f"stickysession={BOTH}"),
            False,
        ),
    ]


def _proxyset() -> list[Entry]:
    line = f"ProxyPass /api {CHAT}/api\n"
    return [
        entry(
            "proxyset-in-proxy",
            "ProxySet stickysession= inside <Proxy>",
            preamble() + proxy(body=f"    ProxySet stickysession={BOTH}\n") + line,
            True,
        ),
        entry(
            "proxyset-outside",
            "ProxySet balancer://chat stickysession= after <Proxy>",
            preamble() + proxy() + f"ProxySet {CHAT} stickysession={BOTH}\n" + line,
            True,
        ),
        entry(
            "proxyset-line-overrides",
            "ProxySet stickysession=JSESSIONID, then the ProxyPass"
            " line says stickysession=jsessionid",
            preamble()
            + proxy(body="    ProxySet stickysession=JSESSIONID\n")
            + f"ProxyPass /api {CHAT}/api stickysession=jsessionid\n",
            False,
        ),
        entry(
            "proxyset-later-overrides-line",
            "ProxyPass line stickysession=jsessionid, then a"
            " later ProxySet stickysession=JSESSIONID",
            preamble()
            + proxy()
            + f"ProxyPass /api {CHAT}/api stickysession=jsessionid\n"
            + f"ProxySet {CHAT} stickysession=JSESSIONID\n",
            True,
        ),
        entry(
            "proxyset-no-balancer",
            "ProxySet stickysession= outside any <Proxy>, no URL",
            preamble() + proxy() + f"ProxySet stickysession={BOTH}\n" + line,
            False,
        ),
    ]


def _ordering() -> list[Entry]:
    web = proxy("balancer://web", routes=(None, None, None))
    sticky = f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n"
    return [
        entry(
            "order-broad-first",
            "ProxyPass / balancer://web/ before the sticky /api",
            preamble() + web + proxy() + "ProxyPass / balancer://web/\n" + sticky,
            False,
        ),
        entry(
            "order-narrow-first",
            "the sticky /api before ProxyPass / balancer://web/",
            preamble() + web + proxy() + sticky + "ProxyPass / balancer://web/\n",
            True,
        ),
        entry(
            "order-exclusion-first",
            "ProxyPass /api/chat ! before the sticky /api",
            preamble() + proxy() + "ProxyPass /api/chat !\n" + sticky,
            False,
        ),
        entry(
            "order-exclusion-after",
            "ProxyPass /api/chat ! after the sticky /api",
            preamble() + proxy() + sticky + "ProxyPass /api/chat !\n",
            True,
        ),
        entry(
            "order-exclusion-elsewhere",
            "ProxyPass /api/admin ! before the sticky /api",
            preamble() + proxy() + "ProxyPass /api/admin !\n" + sticky,
            True,
        ),
    ]


def _location() -> list[Entry]:
    web = proxy("balancer://web", routes=(None, None, None))
    inner = f"    ProxyPass {CHAT}/api stickysession={BOTH}\n"
    return [
        entry(
            "location-sticky",
            "<Location /api> ProxyPass balancer://chat/api stickysession=",
            preamble() + proxy() + f"<Location /api>\n{inner}</Location>\n",
            True,
        ),
        entry(
            "location-over-server",
            "server ProxyPass / balancer://web/ and a sticky <Location /api>",
            preamble()
            + web
            + proxy()
            + "ProxyPass / balancer://web/\n"
            + f"<Location /api>\n{inner}</Location>\n",
            True,
            note="mod_proxy's translate hook tries the <Location> ProxyPass first",
        ),
        entry(
            "location-later-plain",
            "sticky <Location /api>, then <Location /api/chat> ProxyPass balancer://web/api/chat",
            preamble()
            + web
            + proxy()
            + f"<Location /api>\n{inner}</Location>\n"
            + "<Location /api/chat>\n    ProxyPass balancer://web/api/chat\n</Location>\n",
            False,
        ),
        entry(
            "location-earlier-plain",
            "<Location /api/chat> plain, then the sticky"
            " <Location /api> (sections merge in order: the later wins)",
            preamble()
            + web
            + proxy()
            + "<Location /api/chat>\n    ProxyPass balancer://web/api/chat\n</Location>\n"
            + f"<Location /api>\n{inner}</Location>\n",
            True,
        ),
        entry(
            "location-with-path",
            "<Location /api> ProxyPass /api balancer://… (two arguments)",
            preamble()
            + proxy()
            + f"<Location /api>\n    ProxyPass /api {CHAT}/api stickysession={BOTH}\n"
            "</Location>\n",
            False,
        ),
    ]


def _proxypassmatch() -> list[Entry]:
    web = proxy("balancer://web", routes=(None, None, None))
    return [
        entry(
            "match-sticky",
            'ProxyPassMatch "^/api/(.*)$" balancer://chat/api/$1 stickysession=',
            preamble()
            + proxy()
            + f'ProxyPassMatch "^/api/(.*)$" "{CHAT}/api/$1" stickysession={BOTH}\n',
            True,
        ),
        entry(
            "match-plain",
            "ProxyPassMatch to the balancer without stickysession",
            preamble() + proxy() + f'ProxyPassMatch "^/api/(.*)$" "{CHAT}/api/$1"\n',
            False,
        ),
        entry(
            "match-broad-first",
            'ProxyPassMatch "^/(.*)$" balancer://web/$1 before the sticky ProxyPass /api',
            preamble()
            + web
            + proxy()
            + 'ProxyPassMatch "^/(.*)$" "balancer://web/$1"\n'
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "match-no-backreference",
            'ProxyPassMatch "^/api/" balancer://chat/api/ (no $1)',
            preamble() + proxy() + f'ProxyPassMatch "^/api/" "{CHAT}/api/" stickysession={BOTH}\n',
            False,
            observed=True,
            note="without a backreference the whole URI is appended ($1 is implied, manual"
            " and ap_proxy_trans_match): the node gets /api//api/chat, still under /api",
        ),
    ]


def _cookie_path() -> list[Entry]:
    site = preamble() + proxy() + f"ProxyPass /chat {CHAT}/api stickysession={BOTH}\n"
    return [
        entry(
            "cookiepath-missing",
            "ProxyPass /chat balancer://chat/api: the cookie says"
            " Path=/api, the browser is on /chat",
            site,
            False,
            scenario=PUBLIC_CHAT,
        ),
        entry(
            "cookiepath-fixed",
            "… + ProxyPassReverseCookiePath /api /chat",
            site + "ProxyPassReverseCookiePath /api /chat\n",
            True,
            scenario=PUBLIC_CHAT,
        ),
        entry(
            "cookiepath-root",
            "… + ProxyPassReverseCookiePath /api /",
            site + "ProxyPassReverseCookiePath /api /\n",
            True,
            scenario=PUBLIC_CHAT,
        ),
        entry(
            "cookiepath-wrong",
            "… + ProxyPassReverseCookiePath /app /chat (not Tomcat's path)",
            site + "ProxyPassReverseCookiePath /app /chat\n",
            False,
            scenario=PUBLIC_CHAT,
        ),
    ]


def _response_headers() -> list[Entry]:
    def site(line: str) -> str:
        return sticky_site(extra=line + "\n", modules=("headers",))

    return [
        entry("header-unset", "Header unset Set-Cookie", site("Header unset Set-Cookie"), False),
        entry(
            "header-always-unset",
            "Header always unset Set-Cookie (the 'always' table)",
            site("Header always unset Set-Cookie"),
            True,
            note="the proxied Set-Cookie is in the onsuccess table; the manual: repeat unset with"
            " both always and onsuccess to be certain the header is unset",
        ),
        entry(
            "header-edit-strip-route",
            "Header edit Set-Cookie strips the .route from the id",
            site(r'Header edit Set-Cookie "^(JSESSIONID=[0-9A-F]+)\.[^;]*" "$1"'),
            False,
        ),
        entry(
            "header-edit-samesite",
            "Header edit Set-Cookie adds SameSite=Lax",
            site('Header edit Set-Cookie "HttpOnly" "HttpOnly; SameSite=Lax"'),
            True,
        ),
        entry(
            "header-edit-path",
            "Header edit Set-Cookie Path=/api -> Path=/",
            site('Header edit Set-Cookie "Path=/api" "Path=/"'),
            True,
        ),
        entry(
            "header-edit-all-routes",
            "Header edit* Set-Cookie renames every route to 'node'",
            site('Header edit* Set-Cookie "\\.p[0-9]" ".node"'),
            False,
        ),
    ]


def _request_headers() -> list[Entry]:
    def site(line: str) -> str:
        return sticky_site(extra=line + "\n", modules=("headers",))

    return [
        entry(
            "reqheader-unset-cookie",
            "RequestHeader unset Cookie",
            site("RequestHeader unset Cookie"),
            False,
        ),
        entry(
            "reqheader-unset-cookie-early",
            "RequestHeader unset Cookie early",
            site("RequestHeader unset Cookie early"),
            False,
        ),
        entry(
            "reqheader-edit-other-cookie",
            "RequestHeader edit Cookie removes a ROUTEID cookie",
            site('RequestHeader edit Cookie "ROUTEID=[^;]*(; )?" ""'),
            True,
        ),
        entry(
            "reqheader-set-other",
            "RequestHeader set X-Forwarded-Proto http",
            site("RequestHeader set X-Forwarded-Proto http"),
            True,
        ),
        entry(
            "reqheader-set-cookie",
            'RequestHeader set Cookie "lang=en"',
            site('RequestHeader set Cookie "lang=en"'),
            False,
        ),
    ]


ROUTEID_HEADER = (
    'Header add Set-Cookie "ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/" '
    "env=BALANCER_ROUTE_CHANGED\n"
)


def routeid_site(routes: tuple[str | None, ...] = ROUTES, header: str = ROUTEID_HEADER) -> str:
    """The manual's ROUTEID example: Apache's own cookie names the member's route."""
    return (
        preamble("headers")
        + header
        + proxy(routes=routes, body="    ProxySet stickysession=ROUTEID\n")
        + f"ProxyPass /api {CHAT}/api\n"
    )


def _routeid() -> list[Entry]:
    return [
        entry(
            "routeid-documented",
            "the manual's ROUTEID cookie + stickysession=ROUTEID",
            routeid_site(),
            True,
            scenario=Scenario(),
        ),
        entry(
            "routeid-no-header",
            "stickysession=ROUTEID without the Header add line",
            routeid_site(header=""),
            False,
        ),
        entry(
            "routeid-no-routes",
            "ROUTEID pattern, members without route=",
            routeid_site(routes=(None, None, None)),
            False,
        ),
        entry(
            "routeid-own-route-names",
            "ROUTEID pattern with route=tomcat1..3 (not jvmRoutes)",
            routeid_site(routes=("tomcat1", "tomcat2", "tomcat3")),
            True,
        ),
        entry(
            "routeid-sequential",
            "ROUTEID pattern, sequential sessions",
            routeid_site(),
            True,
            scenario=SEQUENTIAL,
        ),
    ]


def _rewrite() -> list[Entry]:
    rule = f'RewriteEngine On\nRewriteRule "^/api/(.*)$" "{CHAT}/api/$1" [P]\n'
    sticky = proxy(body=f"    ProxySet stickysession={BOTH}\n")
    web = proxy("balancer://web", routes=(None, None, None))
    return [
        entry(
            "rewrite-sticky",
            "RewriteRule … balancer://chat [P], ProxySet stickysession=",
            preamble("rewrite") + sticky + rule,
            True,
        ),
        entry(
            "rewrite-plain",
            "RewriteRule … balancer://chat [P] without stickysession",
            preamble("rewrite") + proxy() + rule,
            False,
        ),
        entry(
            "rewrite-plain-before-proxypass",
            "RewriteRule ^/api → balancer://web [P] and a sticky ProxyPass /api",
            preamble("rewrite")
            + web
            + proxy()
            + 'RewriteEngine On\nRewriteRule "^/api/(.*)$" "balancer://web/api/$1" [P]\n'
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "rewrite-no-module",
            "RewriteRule [P] without mod_rewrite loaded",
            preamble() + sticky + rule,
            False,
        ),
    ]


def _ifmodule() -> list[Entry]:
    set_sticky = f"ProxySet {CHAT} stickysession={BOTH}\n"
    site = preamble() + proxy() + f"ProxyPass /api {CHAT}/api\n"
    return [
        entry(
            "ifmod-loaded",
            "<IfModule proxy_balancer_module> ProxySet stickysession=",
            site + f"<IfModule proxy_balancer_module>\n{set_sticky}</IfModule>\n",
            True,
        ),
        entry(
            "ifmod-source-name",
            "<IfModule mod_proxy.c> ProxySet stickysession=",
            site + f"<IfModule mod_proxy.c>\n{set_sticky}</IfModule>\n",
            True,
        ),
        entry(
            "ifmod-not-loaded",
            "<IfModule mod_headers.c> (not loaded) ProxySet stickysession=",
            site + f"<IfModule mod_headers.c>\n{set_sticky}</IfModule>\n",
            False,
        ),
        entry(
            "ifmod-third-party-guarded",
            "mod_jk and mod_security directives inside <IfModule> of modules not loaded",
            sticky_site(f"stickysession={BOTH}")
            + "<IfModule mod_jk.c>\nJkMount /api/* lb\n</IfModule>\n"
            + "<IfModule security2_module>\nSecRuleEngine On\n</IfModule>\n",
            True,
        ),
        entry(
            "ifmod-negated",
            "<IfModule !mod_proxy_balancer.c> ProxySet stickysession=",
            site + f"<IfModule !mod_proxy_balancer.c>\n{set_sticky}</IfModule>\n",
            False,
        ),
    ]


def _ifdefine() -> list[Entry]:
    set_sticky = f"ProxySet {CHAT} stickysession={BOTH}\n"
    site = preamble() + proxy() + f"ProxyPass /api {CHAT}/api\n"
    return [
        entry(
            "ifdef-defined",
            "Define STICKY, then <IfDefine STICKY> ProxySet stickysession=",
            "Define STICKY\n" + site + f"<IfDefine STICKY>\n{set_sticky}</IfDefine>\n",
            True,
        ),
        entry(
            "ifdef-undefined",
            "<IfDefine STICKY> ProxySet stickysession=, STICKY not defined",
            site + f"<IfDefine STICKY>\n{set_sticky}</IfDefine>\n",
            False,
        ),
        entry(
            "ifdef-negated",
            "<IfDefine !STICKY> ProxySet stickysession=, STICKY not defined",
            site + f"<IfDefine !STICKY>\n{set_sticky}</IfDefine>\n",
            True,
        ),
        entry(
            "ifdef-undefine",
            "Define STICKY, UnDefine STICKY, <IfDefine STICKY> …",
            "Define STICKY\nUnDefine STICKY\n"
            + site
            + f"<IfDefine STICKY>\n{set_sticky}</IfDefine>\n",
            False,
        ),
    ]


def _include() -> list[Entry]:
    return [
        entry(
            "include-missing",
            "Include conf.d/chat.conf (no such file)",
            sticky_site(extra="Include conf.d/chat.conf\n"),
            False,
        ),
        entry(
            "include-glob-no-match",
            "Include conf.d/*.conf (the wildcard matches nothing)",
            sticky_site(extra="Include conf.d/*.conf\n"),
            False,
        ),
        entry(
            "include-optional",
            "IncludeOptional conf.d/*.conf (nothing there)",
            sticky_site(extra="IncludeOptional conf.d/*.conf\n"),
            True,
        ),
    ]


# Which name-based VirtualHost answers depends on the Host header, which tcommlint is not told:
# it judges every name-based virtual host as reached by a client that names its host (the chat
# client names the chat's host), while the harness's client sends its IP address, which names
# no vhost, so the first one listed for the address answers (httpd's vhost matching).
HOST_DIFFERS = (
    "the harness sends Host: 127.0.0.1:<port>, so the first name-based VirtualHost of the address"
    " answers; tcommlint assumes the client names the chat's host (its ServerName or"
    " ServerAlias), since the deployment does not say which Host real clients send"
)


def _vhosts() -> list[Entry]:
    chat = proxy() + f"    ProxyPass /api {CHAT}/api stickysession={BOTH}\n"
    web = "    ServerName www.example.org\n    ProxyPass /api balancer://web/api\n"
    webbal = proxy("balancer://web", routes=(None, None, None))
    return [
        entry(
            "vhost-ip",
            "<VirtualHost 127.0.0.1:port> with the sticky balancer",
            preamble() + f"<VirtualHost 127.0.0.1:@FE@>\n{chat}</VirtualHost>\n",
            True,
        ),
        entry(
            "vhost-default",
            "<VirtualHost _default_:port> with the sticky balancer",
            preamble() + f"<VirtualHost _default_:@FE@>\n{chat}</VirtualHost>\n",
            True,
        ),
        entry(
            "vhost-name-first-wins",
            "name-based: www.example.org (plain) first, then"
            " chat.example.org (sticky); the client asks for 127.0.0.1",
            preamble()
            + webbal
            + f"<VirtualHost *:@FE@>\n{web}</VirtualHost>\n"
            + f"<VirtualHost *:@FE@>\n    ServerName chat.example.org\n{chat}</VirtualHost>\n",
            False,
            client_differs=HOST_DIFFERS,
        ),
        entry(
            "vhost-name-chat-second-static-first",
            "name-based: www.example.org (DocumentRoot only) first, then chat.example.org"
            " (sticky); the client asks for 127.0.0.1 (blind trial 12)",
            preamble()
            + "<VirtualHost *:@FE@>\n    ServerName www.example.org\n"
            + "    DocumentRoot /var/www/html\n</VirtualHost>\n"
            + f"<VirtualHost *:@FE@>\n    ServerName chat.example.org\n{chat}</VirtualHost>\n",
            False,
            note="every request 1 gets 404 from www.example.org, the first vhost: Host"
            " 127.0.0.1 names neither; with Host: chat.example.org the sessions are kept",
            client_differs=HOST_DIFFERS,
        ),
        entry(
            "vhost-name-matches",
            "name-based: www.example.org (plain) first, then ServerName 127.0.0.1 (sticky)",
            preamble()
            + webbal
            + f"<VirtualHost *:@FE@>\n{web}</VirtualHost>\n"
            + f"<VirtualHost *:@FE@>\n    ServerName 127.0.0.1\n{chat}</VirtualHost>\n",
            True,
            client_differs=HOST_DIFFERS,
        ),
        entry(
            "vhost-name-both-sticky",
            "name-based: www.example.org and chat.example.org, both with the sticky balancer",
            preamble()
            + f"<VirtualHost *:@FE@>\n    ServerName www.example.org\n{chat}</VirtualHost>\n"
            + f"<VirtualHost *:@FE@>\n    ServerName chat.example.org\n{chat}</VirtualHost>\n",
            True,
        ),
        entry(
            "vhost-name-both-plain",
            "name-based: www.example.org and chat.example.org, both without stickysession",
            preamble()
            + webbal
            + f"<VirtualHost *:@FE@>\n{web}</VirtualHost>\n"
            + "<VirtualHost *:@FE@>\n    ServerName chat.example.org\n"
            + "    ProxyPass /api balancer://web/api\n</VirtualHost>\n",
            False,
        ),
        entry(
            "vhost-main-server-first",
            "main server ProxyPass /api balancer://web (plain) and a"
            " vhost with the sticky ProxyPass /api",
            preamble()
            + webbal
            + proxy()
            + "ProxyPass /api balancer://web/api\n"
            + f"<VirtualHost *:@FE@>\n    ProxyPass /api {CHAT}/api stickysession={BOTH}\n"
            "</VirtualHost>\n",
            False,
            note="merge_proxy_config appends the vhost's aliases AFTER the main server's",
        ),
    ]


def _pauses() -> list[Entry]:
    ttl = f"<Proxy {CHAT}>\n" + members(ROUTES, ("ttl=1",) * 3) + "</Proxy>\n"
    return [
        entry(
            "pause-member-ttl",
            "sticky, members ttl=1 (a connection lifetime, not a persistence one), 2 s pauses",
            preamble() + ttl + STICKY_LINE,
            True,
            scenario=PAUSE,
        ),
        entry(
            "pause-jsess", f"stickysession={BOTH}, 2 s pauses", sticky_site(), True, scenario=PAUSE
        ),
        entry(
            "pause-plain", "no stickysession, 2 s pauses", sticky_site(""), False, scenario=PAUSE
        ),
        entry(
            "pause-routeid-max-age",
            "ROUTEID cookie with max-age=1, 2 s pauses",
            routeid_site(header=ROUTEID_HEADER.replace("path=/", "path=/; max-age=1")),
            False,
            scenario=PAUSE,
        ),
        entry(
            "pause-routeid",
            "ROUTEID session cookie, 2 s pauses",
            routeid_site(),
            True,
            scenario=PAUSE,
        ),
    ]


def _login() -> list[Entry]:
    return [
        entry(
            "login-jsess",
            f"stickysession={BOTH}, the id changes at login",
            sticky_site(),
            True,
            scenario=LOGIN,
        ),
        entry(
            "login-plain",
            "no stickysession, the id changes at login",
            sticky_site(""),
            False,
            scenario=LOGIN,
        ),
        entry(
            "login-routeid",
            "ROUTEID pattern, the id changes at login",
            routeid_site(),
            True,
            scenario=LOGIN,
        ),
        entry(
            "login-cookieonly",
            "stickysession=JSESSIONID, the id changes at login",
            sticky_site("stickysession=JSESSIONID"),
            True,
            scenario=LOGIN,
        ),
    ]


def _url_id() -> list[Entry]:
    return [
        entry(
            "urlid-both",
            f"stickysession={BOTH}, id in the URL (;jsessionid=)",
            sticky_site(),
            True,
            scenario=URL_ID,
        ),
        entry(
            "urlid-cookie-name-only",
            "stickysession=JSESSIONID, id in the URL",
            sticky_site("stickysession=JSESSIONID"),
            False,
            scenario=URL_ID,
        ),
        entry(
            "urlid-lowercase",
            "stickysession=jsessionid, id in the URL",
            sticky_site("stickysession=jsessionid"),
            True,
            scenario=URL_ID,
        ),
        entry(
            "urlid-plain",
            "no stickysession, id in the URL",
            sticky_site(""),
            False,
            scenario=URL_ID,
        ),
    ]


def _no_jvm_route() -> list[Entry]:
    """Chat nodes WITHOUT a jvmRoute: their ids carry no ``.<route>`` for Apache to read."""
    return [
        entry(
            "nojvm-routes",
            f"nodes without jvmRoute; route=p1..p3, stickysession={BOTH}",
            sticky_site(),
            False,
            jvm_routes=False,
        ),
        entry(
            "nojvm-no-routes",
            "nodes without jvmRoute; members without route=",
            sticky_site(routes=(None, None, None)),
            False,
            jvm_routes=False,
        ),
        entry(
            "nojvm-routeid",
            "nodes without jvmRoute; the manual's ROUTEID cookie",
            routeid_site(),
            True,
            jvm_routes=False,
        ),
        entry(
            "nojvm-standby",
            "nodes without jvmRoute; one active member, two status=+H",
            preamble()
            + f"<Proxy {CHAT}>\n"
            + members(ROUTES, ("", "status=+H", "status=+H"))
            + "</Proxy>\n"
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            True,
            jvm_routes=False,
        ),
    ]


def _ifversion() -> list[Entry]:
    set_sticky = f"ProxySet {CHAT} stickysession={BOTH}\n"
    site = preamble() + proxy() + f"ProxyPass /api {CHAT}/api\n"
    return [
        entry(
            "ifver-at-least-2.4",
            "<IfVersion >= 2.4> ProxySet stickysession= (mod_version is built in)",
            site + f"<IfVersion >= 2.4>\n{set_sticky}</IfVersion>\n",
            True,
        ),
        entry(
            "ifver-before-2.4",
            "<IfVersion < 2.4> ProxySet stickysession=",
            site + f"<IfVersion < 2.4>\n{set_sticky}</IfVersion>\n",
            False,
        ),
        entry(
            "ifver-regex",
            r"<IfVersion ~ ^2\.4> ProxySet stickysession=",
            site + f"<IfVersion ~ ^2\\.4>\n{set_sticky}</IfVersion>\n",
            True,
        ),
    ]


BALANCER_SNIPPET = proxy()
STICKY_LINE = f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n"


def _include_snippets() -> list[Entry]:
    """``Include`` of real snippet files, written next to the configuration."""
    return [
        entry(
            "include-snippet",
            "Include conf.d/chat-balancer.conf (the <Proxy> block)",
            preamble() + "Include conf.d/chat-balancer.conf\n" + STICKY_LINE,
            True,
            files=(("conf.d/chat-balancer.conf", BALANCER_SNIPPET),),
        ),
        entry(
            "include-glob-two",
            "Include conf.d/*.conf: balancer and ProxyPass in two files",
            preamble() + "Include conf.d/*.conf\n",
            True,
            files=(
                ("conf.d/10-balancer.conf", BALANCER_SNIPPET),
                ("conf.d/20-chat.conf", STICKY_LINE),
            ),
        ),
        entry(
            "include-later-override",
            "a sticky ProxyPass, then an included snippet with"
            " ProxySet balancer://chat stickysession=jsessionid",
            preamble() + proxy() + STICKY_LINE + "Include conf.d/tuning.conf\n",
            False,
            files=(("conf.d/tuning.conf", f"ProxySet {CHAT} stickysession=jsessionid\n"),),
        ),
        entry(
            "include-absent-glob-optional",
            "IncludeOptional conf.d/*.conf holds the"
            " stickysession; the files are elsewhere (conf-enabled/)",
            preamble()
            + proxy()
            + f"ProxyPass /api {CHAT}/api\n"
            + "IncludeOptional conf.d/*.conf\n",
            False,
            files=(("conf-enabled/sticky.conf", f"ProxySet {CHAT} stickysession={BOTH}\n"),),
        ),
    ]


def debian_layout(site: str, modules: tuple[str, ...] = BASE_MODULES) -> tuple[str, ...]:
    """Debian's apache2.conf layout: the main file includes ports, modules and sites."""
    return (
        "ServerName localhost\nPidFile apache.pid\nErrorLog error.log\nLogLevel warn\n"
        "Timeout 30\nKeepAlive On\n"
        'LogFormat "%h %l %u %t \\"%r\\" %>s %O" common\n'
        "Include ports.conf\nIncludeOptional mods-enabled/*.load\n"
        "IncludeOptional mods-enabled/*.conf\nIncludeOptional conf-enabled/*.conf\n"
        "IncludeOptional sites-enabled/*.conf\n",
        "Listen 127.0.0.1:@FE@\n",
        "".join(f"LoadModule {m}_module {MODULES_DIR}/mod_{m}.so\n" for m in modules),
        site,
    )


def debian(site: str, modules: tuple[str, ...] = BASE_MODULES) -> dict[str, object]:
    """The main text and files of a Debian layout around ``site`` (sites-enabled/chat.conf)."""
    main, ports, loads, vhost = debian_layout(site, modules)
    return {
        "template": main,
        "files": (
            ("ports.conf", ports),
            ("mods-enabled/proxy.load", loads),
            ("conf-enabled/security.conf", "ServerTokens Prod\nServerSignature Off\n"),
            ("sites-enabled/chat.conf", vhost),
        ),
    }


def chat_vhost(parameters: str = f"stickysession={BOTH}", extra: str = "") -> str:
    """A real-world chat site: ProxyRequests Off, ProxyPreserveHost, ProxyPassReverse."""
    return (
        "<VirtualHost *:@FE@>\n    ServerName chat.example.org\n"
        "    ProxyRequests Off\n    ProxyPreserveHost On\n"
        + "".join("    " + line + "\n" for line in proxy().splitlines())
        + f"    ProxyPass /api {CHAT}/api {parameters}\n"
        + f"    ProxyPassReverse /api {CHAT}/api\n{extra}</VirtualHost>\n"
    )


def _debian() -> list[Entry]:
    def from_layout(
        entry_id: str,
        description: str,
        site: str,
        predicted: bool,
        modules: tuple[str, ...] = BASE_MODULES,
        **fields: Any,
    ) -> Entry:
        layout = debian(site, modules)
        return entry(
            entry_id,
            description,
            str(layout["template"]),
            predicted,
            files=layout["files"],
            **fields,
        )

    manager = (
        "    <Location /balancer-manager>\n        SetHandler balancer-manager\n"
        "        Require local\n    </Location>\n    ProxyPass /balancer-manager !\n"
    )
    return [
        from_layout(
            "debian-site-sticky",
            f"Debian layout, sites-enabled/chat.conf: the stickysession={BOTH} site",
            chat_vhost(),
            True,
        ),
        from_layout(
            "debian-site-lowercase",
            "Debian layout, the site says stickysession=jsessionid",
            chat_vhost("stickysession=jsessionid"),
            False,
        ),
        from_layout(
            "debian-site-manager",
            "Debian layout, sticky site with a balancer-manager location and timeout=15",
            chat_vhost(f"stickysession={BOTH} timeout=15", manager),
            True,
            modules=(*BASE_MODULES, "status", "authz_host"),
        ),
        from_layout(
            "debian-site-retry-on-balancer-line",
            "Debian layout, ProxyPass … balancer://chat/api stickysession=… retry=5",
            chat_vhost(f"stickysession={BOTH} timeout=15 retry=5", manager),
            True,
            observed=False,
            note="apache2 -t: 'ProxyPass unknown Balancer parameter'. With a balancer:// URL the"
            " ProxyPass keys are the balancer's (lbmethod, stickysession, timeout, maxattempts,"
            " nofailover, failonstatus...); retry= is a worker key, for BalancerMember lines",
            modules=(*BASE_MODULES, "status", "authz_host"),
        ),
        from_layout(
            "debian-site-no-route",
            "Debian layout, the site's members lack route=",
            chat_vhost().replace(" route=p1", "").replace(" route=p2", "").replace(" route=p3", ""),
            False,
        ),
    ]


def _real_world() -> list[Entry]:
    return [
        entry(
            "realworld-proxy-any",
            "ProxyRequests Off, <Proxy *> Require all granted,"
            " ProxyPreserveHost, ProxyPassReverse, sticky",
            preamble() + "ProxyRequests Off\nProxyPreserveHost On\n"
            "<Proxy *>\n    Require all granted\n</Proxy>\n"
            + proxy()
            + STICKY_LINE
            + f"ProxyPassReverse /api {CHAT}/api\n",
            True,
        ),
        entry(
            "realworld-timeouts",
            "sticky, with ProxyTimeout, member timeout=/retry=/ttl=",
            preamble()
            + "ProxyTimeout 30\n"
            + f"<Proxy {CHAT}>\n"
            + members(ROUTES, ("timeout=5 retry=10 ttl=60",) * 3)
            + "</Proxy>\n"
            + STICKY_LINE,
            True,
        ),
        entry(
            "realworld-nocanon",
            "sticky ProxyPass … nocanon",
            preamble() + proxy() + f"ProxyPass /api {CHAT}/api stickysession={BOTH} nocanon\n",
            True,
        ),
        entry(
            "realworld-mod-jk-habit",
            "stickysession=JSESSIONID|jsessionid with"
            " route=worker1..3 (mod_jk worker names, not the jvmRoutes)",
            sticky_site(routes=("worker1", "worker2", "worker3")),
            False,
        ),
    ]


def _rewrite_maps() -> list[Entry]:
    """Backend choice made by mod_rewrite itself: outside the balancer model."""
    cond = "".join(
        f'RewriteCond %{{HTTP_COOKIE}} "JSESSIONID=[0-9A-F]+\\.p{n}"\n'
        f'RewriteRule "^/api/(.*)$" "http://127.0.0.1:@S{n}@/api/$1" [P]\n'
        for n in (1, 2, 3)
    )
    return [
        entry(
            "rwmap-rnd",
            "RewriteMap nodes rnd:… picks a node per request",
            preamble("rewrite") + 'RewriteEngine On\nRewriteMap nodes "rnd:nodes.map"\n'
            'RewriteRule "^/api/(.*)$" "http://${nodes:chat}/api/$1" [P]\n',
            False,
            outside_model=True,
            files=(("nodes.map", "chat 127.0.0.1:@S1@|127.0.0.1:@S2@|127.0.0.1:@S3@\n"),),
        ),
        entry(
            "rwmap-txt-route",
            "RewriteMap txt: from the id's .route to a node, else the balancer",
            preamble("rewrite") + proxy() + 'RewriteEngine On\nRewriteMap routes "txt:routes.map"\n'
            'RewriteCond %{HTTP_COOKIE} "JSESSIONID=[0-9A-F]+\\.(p[0-9])"\n'
            'RewriteRule "^/api/(.*)$" "http://${routes:%1}/api/$1" [P]\n'
            f"ProxyPass /api {CHAT}/api\n",
            True,
            outside_model=True,
            files=(("routes.map", "p1 127.0.0.1:@S1@\np2 127.0.0.1:@S2@\np3 127.0.0.1:@S3@\n"),),
        ),
        entry(
            "rwmap-cookie-conditions",
            "RewriteCond on the cookie's .pN, one [P] rule per node, else the plain balancer",
            preamble("rewrite")
            + proxy()
            + "RewriteEngine On\n"
            + cond
            + f"ProxyPass /api {CHAT}/api\n",
            True,
            outside_model=True,
        ),
    ]


DEAD = "127.0.0.1:1"  # nothing listens there: connections are refused


def _dead_member() -> list[Entry]:
    """A member whose node is down: mod_proxy_balancer retries the request on another member."""

    def site(extra: tuple[str, ...], parameters: str) -> str:
        lines = members(ROUTES[:2], extra[:2]) + f"    BalancerMember http://{DEAD} route=p3"
        lines += f" {extra[2]}\n" if len(extra) > 2 else "\n"
        return (
            preamble()
            + f"<Proxy {CHAT}>\n{lines}</Proxy>\n"
            + (f"ProxyPass /api {CHAT}/api {parameters}".rstrip() + "\n")
        )

    return [
        entry(
            "dead-member-sticky",
            f"stickysession={BOTH}; the third member is down",
            site((), f"stickysession={BOTH}"),
            True,
        ),
        entry(
            "dead-member-plain", "no stickysession; the third member is down", site((), ""), False
        ),
        entry(
            "dead-member-nofailover",
            f"stickysession={BOTH} nofailover=On; a member down",
            site((), f"stickysession={BOTH} nofailover=On"),
            True,
        ),
        entry(
            "dead-active-standby",
            "no stickysession; p1 active, p2 +H, the active p3 down",
            site(("", "status=+H"), ""),
            True,
            note="with p3 in error, p1 is the only usable active member",
            client_differs="the observed stickiness comes from the dead member (p3 listens"
            " nowhere, so apache2 puts it in error); tcommlint judges the configuration, where p1"
            " and p3 are both active members without persistence (TC201)",
        ),
    ]


def _mapping() -> list[Entry]:
    """How ProxyPass maps the path: the manual's trailing-slash rule."""
    return [
        entry(
            "mapping-both-slashes",
            f"ProxyPass /api/ {CHAT}/api/ (both with a slash)",
            preamble() + proxy() + f"ProxyPass /api/ {CHAT}/api/ stickysession={BOTH}\n",
            True,
        ),
        entry(
            "mapping-slash-mismatch",
            f"ProxyPass /api/ {CHAT}/api (slash on one side only)",
            preamble() + proxy() + f"ProxyPass /api/ {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "mapping-path-dropped",
            f"ProxyPass /api {CHAT}/ (the node sees /chat, not /api)",
            preamble() + proxy() + f"ProxyPass /api {CHAT}/ stickysession={BOTH}\n",
            False,
        ),
        entry(
            "mapping-proxy-after-proxypass",
            "the sticky ProxyPass before the <Proxy> block",
            preamble() + STICKY_LINE + proxy(),
            True,
        ),
    ]


def _refused() -> list[Entry]:
    return [
        entry(
            "refused-unknown-member-param",
            "BalancerMember … jvmRoute=p1 (unknown parameter)",
            preamble() + f"<Proxy {CHAT}>\n    BalancerMember http://127.0.0.1:@S1@ jvmRoute=p1\n"
            "    BalancerMember http://127.0.0.1:@S2@ jvmRoute=p2\n</Proxy>\n"
            f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "refused-lbmethod-unknown",
            "lbmethod=roundrobin",
            sticky_site(f"stickysession={BOTH} lbmethod=roundrobin"),
            False,
        ),
        entry(
            "refused-lbmethod-not-loaded",
            "lbmethod=bybusyness without its module",
            sticky_site(f"stickysession={BOTH} lbmethod=bybusyness"),
            False,
        ),
        entry(
            "refused-member-outside-proxy",
            "BalancerMember outside <Proxy> without a balancer",
            preamble() + "BalancerMember http://127.0.0.1:@S1@ route=p1\n"
            f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "refused-status-unknown",
            "BalancerMember … status=+Z",
            preamble() + f"<Proxy {CHAT}>\n{members(ROUTES, ('status=+Z',))}</Proxy>\n"
            f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
        entry(
            "refused-jk-not-loaded",
            "mod_jk's JkWorkersFile and JkMount, mod_jk not loaded (blind trial 24)",
            sticky_site(f"stickysession={BOTH}")
            + "JkWorkersFile /etc/libapache2-mod-jk/workers.properties\nJkMount /api/* lb\n",
            False,
            note="apache2 -t: Invalid command 'JkWorkersFile', perhaps misspelled or defined by "
            "a module not included in the server configuration",
        ),
        entry(
            "refused-security-not-loaded",
            "mod_security's SecRuleEngine On, mod_security not loaded",
            sticky_site(f"stickysession={BOTH}") + "SecRuleEngine On\n",
            False,
        ),
        entry(
            "refused-no-balancer-module",
            "balancer:// without mod_proxy_balancer loaded",
            preamble().replace("LoadModule proxy_balancer_module", "#LoadModule x")
            + proxy()
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
        ),
    ]


def _heartbeat() -> list[Entry]:
    """Blind trial na2, file 07: ``lbmethod=heartbeat`` with routes and stickysession. Nothing
    sends heartbeats (Tomcat runs no mod_heartbeat): the error log says AH02282 "No slotmem
    from mod_heartmonitor", then per request AH01213 "Unable to read heartbeats" and AH01170
    "All workers are in error state"; every first request is a 503. mod_heartmonitor listening
    (mod_watchdog is built into Debian's apache2) changes nothing: nobody sends heartbeats."""
    monitor = (
        f"LoadModule status_module {MODULES_DIR}/mod_status.so\n"
        f"LoadModule heartmonitor_module {MODULES_DIR}/mod_heartmonitor.so\n"
        "HeartbeatListen 239.0.0.1:27999\n"
    )
    return [
        entry(
            "heartbeat-proxyset",
            "ProxySet lbmethod=heartbeat, routes and stickysession, no mod_heartmonitor",
            preamble("lbmethod_heartbeat")
            + proxy(body="    ProxySet lbmethod=heartbeat\n")
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
            outside_model=True,
        ),
        entry(
            "heartbeat-proxypass",
            "ProxyPass ... lbmethod=heartbeat stickysession=..., no mod_heartmonitor",
            sticky_site(
                f"lbmethod=heartbeat stickysession={BOTH}", modules=("lbmethod_heartbeat",)
            ),
            False,
            outside_model=True,
        ),
        entry(
            "heartbeat-monitor-listening",
            "lbmethod=heartbeat with mod_heartmonitor listening (HeartbeatListen): no heartbeats",
            preamble("lbmethod_heartbeat")
            + monitor
            + proxy(body="    ProxySet lbmethod=heartbeat\n")
            + f"ProxyPass /api {CHAT}/api stickysession={BOTH}\n",
            False,
            outside_model=True,
        ),
    ]


ENTRIES: tuple[Entry, ...] = tuple(
    [
        *_no_stickysession(),
        *_both_names(),
        *_cookie_only(),
        *_name_case(),
        *_route_values(),
        *_no_routes(),
        *_duplicated_routes(),
        *_separator(),
        *_semicolon(),
        *_nofailover(),
        *_standby(),
        *_loadfactor(),
        *_proxyset(),
        *_ordering(),
        *_location(),
        *_proxypassmatch(),
        *_cookie_path(),
        *_response_headers(),
        *_request_headers(),
        *_routeid(),
        *_rewrite(),
        *_ifmodule(),
        *_ifdefine(),
        *_include(),
        *_vhosts(),
        *_pauses(),
        *_login(),
        *_url_id(),
        *_refused(),
        *_no_jvm_route(),
        *_ifversion(),
        *_include_snippets(),
        *_debian(),
        *_real_world(),
        *_rewrite_maps(),
        *_dead_member(),
        *_mapping(),
        *_heartbeat(),
    ]
)
