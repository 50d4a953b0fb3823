"""The configuration matrix for the nginx ground truth (open-source nginx 1.22, Debian's build).

Each entry is a complete ``nginx.conf`` template (``@FE@`` is the port nginx listens on,
``@S1@``…``@S3@`` the chat nodes' ports, all on 127.0.0.1), written from the nginx manual as an
operator would, with ``predicted_sticky`` (what the manual led us to expect, written down before
the first run) and ``expected_sticky`` (what the real ``/usr/sbin/nginx`` was observed to do:
a regression expectation, not a prediction; ``note`` says what the manual or the source explains
when the two differ). A configuration ``nginx -t`` refuses counts as "not sticky"; tcommlint must
refuse it too (TC001).

An entry may hold several files (``include`` of snippets): ``Entry.files`` names each by its
path relative to ``nginx.conf``, a template like the configuration's.

Every request of the harness comes from 127.0.0.1: ``ip_hash`` (first three octets) and ``hash
$remote_addr`` send every session to one node, so they are trivially sticky here, as they are
for one real client whose address does not change.

NGINX Plus semantics are NOT provable here: the open-source nginx refuses the ``sticky``
directive ("unknown directive") and a server's ``route=`` ("invalid parameter"), so the
``plus-`` entries record that refusal, which tcommlint must match with TC001 (a deployment is
open-source nginx unless its manifest says ``nginx_plus: true``); what NGINX Plus would do with
``sticky cookie|route|learn`` is not observed by this matrix.
"""

from __future__ import annotations

from tests.groundtruth.harness import Scenario
from tests.groundtruth.matrix import Entry

# 20 sessions x 6 requests: each session meets every node of a rotation, and a mechanism that
# keeps a session by chance (a hash that happens to land on the creating node, about one in
# two with 2 nodes) keeps all 20 only once in a million runs.
QUICK = Scenario(sessions=20, requests=6)
PAUSE = Scenario(sessions=12, requests=3, pause_seconds=2.0)
LOGIN = Scenario(sessions=20, requests=6, login_at=3)
IN_URL = Scenario(sessions=20, requests=6, id_in_path=True)
# The public path is /chat; nginx maps it to the application's /api (proxy_pass with a URI part).
CHAT_PATHS = ("/chat/room", "/chat/room/poll", "/chat/room/send")
PUBLIC = Scenario(sessions=20, requests=6, paths=CHAT_PATHS)
# Nine request paths: a consistent hash places the nodes by their address (the harness's ports
# change from run to run), so with only three paths all three would land on one node in about
# one run of nine; with nine paths, about once in 6,500 runs.
NINE_PATHS = tuple(f"/api/chat/{name}" for name in ("a", "b", "c", "d", "e", "f", "g", "h", "i"))
MANY_PATHS = Scenario(sessions=20, requests=9, paths=NINE_PATHS)

NO_REDIRECTS = (
    "the harness's client does not follow redirects (the 3xx counts as a broken session); a "
    "browser follows it and asks again"
)
PUBLIC_PATH = (
    "the client asks for /chat, which nginx maps to the application's /api; the harness's "
    "manifest names no app path, so tcommlint plays its chat client on /api, which this "
    "configuration does not serve (the model has one app path for the client and the nodes)"
)
HOST_NAME = (
    "which server block answers depends on the Host the client sends (the harness sends "
    "127.0.0.1); tcommlint does not know the name a deployment is reached by"
)

MAIN = """\
pid nginx.pid;
error_log error.log;
{main}events {{
    worker_connections 256;
}}

http {{
    access_log off;
    client_body_temp_path body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;

{http}}}
"""


def conf(http: str, main: str = "") -> str:
    """A whole nginx.conf: the boilerplate every test server needs around ``http``'s body."""
    return MAIN.format(http=http, main=main)


def members(count: int = 2, params: dict[int, str] | None = None) -> str:
    """``server`` lines for chat nodes 1..count, with extra parameters per node number."""
    params = params or {}
    lines = []
    for number in range(1, count + 1):
        extra = f" {params[number]}" if number in params else ""
        lines.append(f"        server 127.0.0.1:@S{number}@{extra};\n")
    return "".join(lines)


def upstream(
    name: str, method: str = "", count: int = 2, params: dict[int, str] | None = None
) -> str:
    """An ``upstream`` block; ``method`` is the balancing line(s) before the servers."""
    head = f"        {method}\n" if method else ""
    return f"    upstream {name} {{\n{head}{members(count, params)}    }}\n\n"


def node_upstreams(count: int = 2) -> str:
    """One single-server upstream per node, named like the node's route (p1, p2, …)."""
    return (
        "".join(
            f"    upstream p{n} {{\n        server 127.0.0.1:@S{n}@;\n    }}\n"
            for n in range(1, count + 1)
        )
        + "\n"
    )


def site(body: str, head: str = "") -> str:
    """One ``server`` block listening on the harness's port, ``body`` being its locations."""
    return f"    server {{\n        listen 127.0.0.1:@FE@;\n{head}{body}    }}\n"


def api(target: str = "http://chat", extra: str = "", path: str = "/api/") -> str:
    """``location <path> { <extra> proxy_pass <target>; }``."""
    return f"        location {path} {{\n{extra}            proxy_pass {target};\n        }}\n"


def balanced(method: str = "", count: int = 2, params: dict[int, str] | None = None) -> str:
    """The common shape: upstream ``chat`` with ``method``, /api/ proxied to it."""
    return conf(upstream("chat", method, count, params) + site(api()))


STICKY = upstream("sticky", "ip_hash;")
ROUND = upstream("rr")


def two_pools(body: str, head: str = "") -> str:
    """Upstreams ``sticky`` (ip_hash, so sticky from one address) and ``rr`` (round robin)."""
    return conf(STICKY + ROUND + site(body, head))


def loc(path: str, target: str, extra: str = "") -> str:
    """``location <path> { ... proxy_pass http://<target>; }`` (``path`` may hold a modifier)."""
    return api(f"http://{target}", extra, path)


# Route maps: the chat nodes end their session ids with ``.<route>`` (p1, p2, …).
ROUTE_MAP = """\
    map $cookie_JSESSIONID $pool {
        ~\\.p1$    p1;
        ~\\.p2$    p2;
        default    chat;
    }

"""


def _no_persistence() -> list[Entry]:
    return [
        Entry(
            "nop-round-robin",
            "upstream, 2 servers, default round robin",
            balanced(),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-round-robin-3",
            "upstream, 3 servers, default round robin",
            balanced(count=3),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-weighted",
            "round robin with weight=3 on the first server",
            balanced(params={1: "weight=3"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-least-conn",
            "least_conn; (one request at a time: ties go round robin)",
            balanced("least_conn;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-random",
            "random;",
            balanced("random;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-random-two",
            "random two least_conn;",
            balanced("random two least_conn;", count=3),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "nop-keepalive",
            "round robin with upstream keepalive 16 and HTTP/1.1 to the nodes",
            conf(
                upstream("chat", "keepalive 16;")
                + site(
                    api(
                        extra="            proxy_http_version 1.1;\n"
                        '            proxy_set_header Connection "";\n'
                    )
                )
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
    ]


def _ip_hash() -> list[Entry]:
    return [
        Entry(
            "iph-two",
            "ip_hash;, 2 servers (every client here is 127.0.0.1)",
            balanced("ip_hash;"),
            True,
            predicted_sticky=True,
        ),
        Entry(
            "iph-three",
            "ip_hash;, 3 servers",
            balanced("ip_hash;", count=3),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "iph-down-member",
            "ip_hash; with the second server marked down",
            balanced("ip_hash;", count=3, params={2: "down"}),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "iph-weighted",
            "ip_hash; with weight=2 on one server (weights are honoured since 1.3.1)",
            balanced("ip_hash;", params={2: "weight=2"}),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "iph-sequential",
            "ip_hash;, sessions one after another",
            balanced("ip_hash;"),
            True,
            scenario=QUICK._replace(interleaved=False),
            predicted_sticky=True,
        ),
    ]


def _hash_cookie() -> list[Entry]:
    return [
        Entry(
            "hck-jsessionid",
            "hash $cookie_JSESSIONID; (first request has no cookie)",
            balanced("hash $cookie_JSESSIONID;"),
            False,
            predicted_sticky=False,
            note=(
                "about half the sessions are kept (13/20 on the first run): with an empty key "
                "(the first request carries no cookie) the hash balancer falls back to round "
                "robin (ngx_http_upstream_hash_module.c: key.len == 0), and the id the node then "
                "issues hashes back to that node one time in two"
            ),
        ),
        Entry(
            "hck-jsessionid-consistent",
            "hash $cookie_JSESSIONID consistent;",
            balanced("hash $cookie_JSESSIONID consistent;"),
            False,
            predicted_sticky=False,
        ),
        Entry(
            "hck-jsessionid-3",
            "hash $cookie_JSESSIONID consistent;, 3 servers",
            balanced("hash $cookie_JSESSIONID consistent;", count=3),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hck-jsessionid-sequential",
            "hash $cookie_JSESSIONID;, sessions one after another",
            balanced("hash $cookie_JSESSIONID;"),
            False,
            scenario=QUICK._replace(interleaved=False),
            predicted_sticky=False,
        ),
        Entry(
            "hck-one-server",
            "hash $cookie_JSESSIONID; with one server",
            balanced("hash $cookie_JSESSIONID;", count=1),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _hash_keys() -> list[Entry]:
    return [
        Entry(
            "hky-request-uri",
            "hash $request_uri; (a chat client uses three paths)",
            balanced("hash $request_uri;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hky-request-uri-consistent-3",
            "hash $request_uri consistent;, 3 servers",
            balanced("hash $request_uri consistent;", count=3),
            False,
            servers=3,
            scenario=MANY_PATHS,
            predicted_sticky=False,
        ),
        Entry(
            "hky-remote-addr",
            "hash $remote_addr; (one client address here)",
            balanced("hash $remote_addr;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hky-remote-addr-consistent",
            "hash $remote_addr consistent;, 3 servers",
            balanced("hash $remote_addr consistent;", count=3),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hky-cookie-lowercase",
            "hash $cookie_jsessionid; app sets JSESSIONID (names read case-insensitively)",
            balanced("hash $cookie_jsessionid;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            note=(
                "not sticky for the same reason as hck-jsessionid, not because of the case: "
                "$cookie_<name> matches names case-insensitively (ngx_strncasecmp in "
                "ngx_http_parse_multi_header_lines), see map-cookie-lowercase"
            ),
        ),
        Entry(
            "hky-user-agent",
            "hash $http_user_agent; (a client keeps its User-Agent)",
            balanced("hash $http_user_agent;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hky-constant",
            "hash chat; (a constant key: every request on one node)",
            balanced("hash chat;", count=3),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _hash_arg() -> list[Entry]:
    return [
        Entry(
            "harg-jsessionid",
            "hash $arg_jsessionid; (the id travels in a cookie, no query argument)",
            balanced("hash $arg_jsessionid;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "harg-jsessionid-consistent",
            "hash $arg_jsessionid consistent;",
            balanced("hash $arg_jsessionid consistent;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "harg-jsessionid-in-url",
            "hash $arg_jsessionid; the id in the URL as ;jsessionid= (a path parameter, no arg)",
            balanced("hash $arg_jsessionid;"),
            False,
            scenario=IN_URL,
            predicted_sticky=False,
        ),
    ]


def _members() -> list[Entry]:
    return [
        Entry(
            "bkp-backup",
            "round robin, second server backup (never used while the first is up)",
            balanced(params={2: "backup"}),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "bkp-down",
            "round robin, second server down",
            balanced(params={2: "down"}),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "bkp-two-backups",
            "round robin, servers 2 and 3 backup",
            balanced(count=3, params={2: "backup", 3: "backup"}),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "bkp-weight-zero",
            "weight=0 on the second server (refused: weight must be positive)",
            balanced(params={2: "weight=0"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bkp-hash-backup",
            "hash $remote_addr; with a backup server (the hash balancer has no backups)",
            balanced("hash $remote_addr;", params={2: "backup"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bkp-ip-hash-backup",
            "ip_hash; then a backup server (refused)",
            balanced("ip_hash;", params={2: "backup"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bkp-error-page-fallback",
            "ip_hash pool; error_page 502 504 = @fallback; a fallback upstream (no backup=)",
            conf(
                STICKY
                + upstream("fallback", count=3)
                .replace("@S1@", "@S3@")
                .replace("        server 127.0.0.1:@S2@;\n        server 127.0.0.1:@S3@;\n", "")
                + site(
                    loc("/api/", "sticky", "            error_page 502 504 = @fallback;\n")
                    + loc("@fallback", "fallback")
                )
            ),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "bkp-max-fails-zero",
            "round robin, max_fails=0 fail_timeout=1s on both (still round robin)",
            balanced(params={1: "max_fails=0 fail_timeout=1s", 2: "max_fails=0"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
    ]


def _single() -> list[Entry]:
    return [
        Entry(
            "one-upstream",
            "upstream with one server",
            balanced(count=1),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "one-proxy-pass-address",
            "proxy_pass http://127.0.0.1:<port>; (no upstream block)",
            conf(site(api("http://127.0.0.1:@S1@"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "one-proxy-pass-localhost",
            "proxy_pass http://localhost:<port>; (the name resolves at start)",
            conf(site(api("http://localhost:@S1@"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "one-proxy-pass-location-root",
            "location / { proxy_pass http://127.0.0.1:<port>; }",
            conf(site(api("http://127.0.0.1:@S1@", path="/"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _locations() -> list[Entry]:
    return [
        Entry(
            "loc-prefix-sticky",
            "location /api/ -> ip_hash pool, location / -> round robin",
            two_pools(loc("/api/", "sticky") + loc("/", "rr")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "loc-regex-beats-prefix",
            "location /api/ -> rr; location ~ ^/api/chat -> sticky (a regex wins over a prefix)",
            two_pools(loc("/api/", "rr") + loc("~ ^/api/chat", "sticky")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "loc-caret-tilde-stops-regex",
            "location ^~ /api/ -> rr; location ~ ^/api/chat -> sticky (^~ skips regexes)",
            two_pools(loc("^~ /api/", "rr") + loc("~ ^/api/chat", "sticky")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-first-regex-wins",
            "location ~ /api -> rr before location ~ /api/chat -> sticky (first regex wins)",
            two_pools(loc("~ /api", "rr") + loc("~ /api/chat", "sticky")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-case-insensitive-regex",
            "location ~* ^/API/ -> sticky; location / -> rr",
            two_pools(loc("~* ^/API/", "sticky") + loc("/", "rr")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "loc-case-sensitive-regex",
            "location ~ ^/API/ -> sticky; location / -> rr (/api does not match)",
            two_pools(loc("~ ^/API/", "sticky") + loc("/", "rr")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-longest-prefix",
            "location /api/ -> sticky; location /api/chat/ -> rr (poll and send go rr)",
            two_pools(loc("/api/", "sticky") + loc("/api/chat/", "rr")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            note=(
                "not sticky, but request 1 (/api/chat) already fails: nginx answers 301 to "
                "/api/chat/ (manual, location: a prefix ending in a slash whose requests go to "
                "proxy_pass redirects the same URI without the slash); the rest go round robin"
            ),
        ),
        Entry(
            "loc-longest-prefix-no-slash",
            "location /api/ -> sticky; location /api/chat/poll -> rr (the longest prefix wins)",
            two_pools(loc("/api/", "sticky") + loc("/api/chat/poll", "rr")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-longest-prefix-sticky",
            "location /api/chat -> sticky; location /api/ -> rr (every chat path is /api/chat…)",
            two_pools(loc("/api/", "rr") + loc("/api/chat", "sticky")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "loc-exact",
            "location = /api/chat -> rr; location /api/ -> sticky",
            two_pools(loc("= /api/chat", "rr") + loc("/api/", "sticky")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-nested-regex",
            "location /api/ -> sticky with a nested location ~ /poll$ -> rr",
            two_pools(
                "        location /api/ {\n"
                "            proxy_pass http://sticky;\n"
                "            location ~ /poll$ {\n"
                "                proxy_pass http://rr;\n"
                "            }\n"
                "        }\n"
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "loc-nested-same-pool",
            "location /api/ -> sticky with a nested location /api/chat/ -> sticky (301 trap)",
            two_pools(
                "        location /api/ {\n"
                "            proxy_pass http://sticky;\n"
                "            location /api/chat/ {\n"
                "                proxy_pass http://sticky;\n"
                "            }\n"
                "        }\n" + loc("/", "rr")
            ),
            False,
            scenario=QUICK,
            predicted_sticky=True,
            note=(
                "request 1, /api/chat, is answered 301 to /api/chat/ by nginx itself: a prefix "
                "location ending in a slash handled by proxy_pass redirects the URI without the "
                "slash (manual, location; the nested /api/chat/ does that, ngx_http_core_module.c "
                "auto_redirect). A browser follows the redirect and then stays on one node"
            ),
            client_differs=NO_REDIRECTS,
        ),
        Entry(
            "loc-nested-no-slash",
            "location /api/ -> sticky with a nested location /api/chat -> sticky (no 301)",
            two_pools(
                "        location /api/ {\n"
                "            proxy_pass http://sticky;\n"
                "            location /api/chat {\n"
                "                proxy_pass http://sticky;\n"
                "            }\n"
                "        }\n" + loc("/", "rr")
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


ONE = upstream("chat", count=1)


def _public_path() -> list[Entry]:
    return [
        Entry(
            "uri-prefix-replaced",
            "location /chat/ { proxy_pass http://chat/api/; } one node; cookie Path=/api",
            conf(ONE + site(api("http://chat/api/", path="/chat/"))),
            False,
            servers=1,
            scenario=PUBLIC,
            client_differs=PUBLIC_PATH,
            predicted_sticky=False,
        ),
        Entry(
            "uri-cookie-path-fixed",
            "as uri-prefix-replaced + proxy_cookie_path /api /chat;",
            conf(
                ONE
                + site(
                    api(
                        "http://chat/api/",
                        "            proxy_cookie_path /api /chat;\n",
                        path="/chat/",
                    )
                )
            ),
            True,
            servers=1,
            scenario=PUBLIC,
            client_differs=PUBLIC_PATH,
            predicted_sticky=True,
        ),
        Entry(
            "uri-cookie-path-root",
            "as uri-prefix-replaced + proxy_cookie_path /api /; on an ip_hash pool",
            conf(
                upstream("chat", "ip_hash;")
                + site(
                    api(
                        "http://chat/api/",
                        "            proxy_cookie_path /api /;\n",
                        path="/chat/",
                    )
                )
            ),
            True,
            scenario=PUBLIC,
            predicted_sticky=True,
        ),
        Entry(
            "uri-cookie-path-wrong",
            "/api/ kept as is, but proxy_cookie_path /api /chat; (the cookie leaves /api)",
            conf(ONE + site(api("http://chat", "            proxy_cookie_path /api /chat;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "uri-cookie-path-other-case",
            "proxy_cookie_path /API /chat; (a plain prefix keeps its case: Path=/api stays)",
            conf(ONE + site(api("http://chat", "            proxy_cookie_path /API /chat;\n"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "uri-same-prefix",
            "location /api/ { proxy_pass http://chat/api/; } (the URI part changes nothing)",
            conf(ONE + site(api("http://chat/api/"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "uri-cookie-path-regex",
            "prefix replaced; proxy_cookie_path ~^/api(.*)$ /chat$1;",
            conf(
                ONE
                + site(
                    api(
                        "http://chat/api/",
                        "            proxy_cookie_path ~^/api(.*)$ /chat$1;\n",
                        path="/chat/",
                    )
                )
            ),
            True,
            servers=1,
            scenario=PUBLIC,
            predicted_sticky=True,
        ),
    ]


def _cookie_header() -> list[Entry]:
    clear = '            proxy_set_header Cookie "";\n'
    return [
        Entry(
            "hdr-cookie-cleared",
            'proxy_set_header Cookie ""; one node (the node never sees its cookie)',
            conf(ONE + site(api(extra=clear))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hdr-cookie-passed",
            "proxy_set_header Cookie $http_cookie; one node",
            conf(ONE + site(api(extra="            proxy_set_header Cookie $http_cookie;\n"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hdr-cleared-in-server",
            'proxy_set_header Cookie ""; at server level, inherited by /api/',
            conf(ONE + site(api(), clear.replace("    ", "", 1))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hdr-inner-drops-outer",
            'server: proxy_set_header Cookie ""; /api/ sets X-Forwarded-For (drops the outer)',
            conf(
                ONE
                + site(
                    api(
                        extra="            proxy_set_header X-Forwarded-For "
                        "$proxy_add_x_forwarded_for;\n"
                    ),
                    clear.replace("    ", "", 1),
                )
            ),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hdr-http-level-cleared",
            'http: proxy_set_header Cookie ""; server sets Host (drops it); location inherits',
            conf(
                '    proxy_set_header Cookie "";\n\n'
                + ONE
                + site(api(), "        proxy_set_header Host $host;\n")
            ),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hdr-cookie-constant",
            "proxy_set_header Cookie JSESSIONID=fixed; one node",
            conf(ONE + site(api(extra="            proxy_set_header Cookie JSESSIONID=fixed;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
    ]


def _set_cookie() -> list[Entry]:
    return [
        Entry(
            "hide-set-cookie",
            "proxy_hide_header Set-Cookie; one node (the browser never gets the id)",
            conf(ONE + site(api(extra="            proxy_hide_header Set-Cookie;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hide-set-cookie-readded",
            "proxy_hide_header Set-Cookie; add_header Set-Cookie $upstream_http_set_cookie;",
            conf(
                ONE
                + site(
                    api(
                        extra="            proxy_hide_header Set-Cookie;\n"
                        "            add_header Set-Cookie $upstream_http_set_cookie;\n"
                    )
                )
            ),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hide-add-extra-cookie",
            'add_header Set-Cookie "lang=en; Path=/"; on an ip_hash pool (harmless)',
            conf(
                upstream("chat", "ip_hash;")
                + site(api(extra='            add_header Set-Cookie "lang=en; Path=/";\n'))
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "hide-add-deletes-session",
            'add_header Set-Cookie "JSESSIONID=; Path=/api; Max-Age=0"; (after the app\'s)',
            conf(
                ONE
                + site(
                    api(
                        extra='            add_header Set-Cookie "JSESSIONID=; Path=/api; '
                        'Max-Age=0";\n'
                    )
                )
            ),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "hide-other-header",
            "proxy_hide_header X-Powered-By; one node (not the cookie)",
            conf(ONE + site(api(extra="            proxy_hide_header X-Powered-By;\n"))),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _rewrites() -> list[Entry]:
    return [
        Entry(
            "ret-return-poll",
            "location = /api/chat/poll { return 204; } before an ip_hash /api/",
            two_pools(
                "        location = /api/chat/poll {\n            return 204;\n        }\n"
                + loc("/api/", "sticky")
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "ret-rewrite-break",
            "rewrite ^/api/(.*)$ /api/$1 break; in the sticky /api/ (same node, same URI)",
            two_pools(loc("/api/", "sticky", "            rewrite ^/api/(.*)$ /api/$1 break;\n")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "ret-rewrite-last-to-rr",
            "rewrite ^/api/chat/poll$ /v2/api/chat/poll last; /v2/ -> rr",
            two_pools(
                loc("/api/", "sticky", "            rewrite ^/api/chat/poll$ /v2$uri last;\n")
                + loc("/v2/", "rr/")
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "ret-rewrite-redirect",
            "rewrite ^/api/chat/send$ /api/chat redirect; (302 to the client)",
            two_pools(
                loc("/api/", "sticky", "            rewrite ^/api/chat/send$ /api/chat redirect;\n")
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            client_differs=NO_REDIRECTS,
        ),
        Entry(
            "ret-return-other-path",
            "return 301 /api/chat on /chat (not the app path): app path untouched",
            two_pools(
                "        location = /chat {\n            return 301 /api/chat;\n        }\n"
                + loc("/api/", "sticky")
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _if_blocks() -> list[Entry]:
    def route_ifs(variable: str, pattern: str = "\\.{route}$") -> str:
        lines = ""
        for n in (1, 2):
            regex = pattern.format(route=f"p{n}")
            lines += (
                f'            if ({variable} ~ "{regex}") {{\n'
                f"                proxy_pass http://p{n};\n            }}\n"
            )
        return lines

    pools = upstream("chat") + node_upstreams()
    return [
        Entry(
            "if-cookie-route",
            "if ($cookie_JSESSIONID ~ \\.p1$) { proxy_pass http://p1; } … else round robin",
            conf(pools + site(api(extra=route_ifs("$cookie_JSESSIONID")))),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "if-cookie-lowercase",
            "as if-cookie-route with $cookie_jsessionid (app sets JSESSIONID)",
            conf(pools + site(api(extra=route_ifs("$cookie_jsessionid")))),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "if-cookie-wrong-pattern",
            "if ($cookie_JSESSIONID ~ ^p1\\.) … (the route is a suffix: never matches)",
            conf(pools + site(api(extra=route_ifs("$cookie_JSESSIONID", "^{route}\\.")))),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "if-set-pool",
            "set $pool chat; if ($cookie_JSESSIONID ~ \\.p1$) { set $pool p1; } … proxy_pass",
            conf(
                pools
                + site(
                    "        location /api/ {\n"
                    "            set $pool chat;\n"
                    '            if ($cookie_JSESSIONID ~ "\\.p1$") {\n'
                    "                set $pool p1;\n            }\n"
                    '            if ($cookie_JSESSIONID ~ "\\.p2$") {\n'
                    "                set $pool p2;\n            }\n"
                    "            proxy_pass http://$pool;\n        }\n"
                )
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
    ]


def _maps() -> list[Entry]:
    pools = upstream("chat") + node_upstreams()
    via_pool = site(api("http://$pool"))
    return [
        Entry(
            "map-cookie-route",
            "map $cookie_JSESSIONID $pool { ~\\.p1$ p1; ~\\.p2$ p2; default chat; }",
            conf(ROUTE_MAP + pools + via_pool),
            True,
            predicted_sticky=True,
        ),
        Entry(
            "map-cookie-lowercase",
            "as map-cookie-route on $cookie_jsessionid (app sets JSESSIONID)",
            conf(ROUTE_MAP.replace("JSESSIONID", "jsessionid") + pools + via_pool),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "map-cookie-uppercase-app-lowercase",
            "map on $cookie_JSESSIONID; app sets jsessionid",
            conf(ROUTE_MAP + pools + via_pool),
            True,
            app_cookie="jsessionid",
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "map-capture-route",
            "map $cookie_JSESSIONID $pool { ~\\.(?<r>p[0-9])$ $r; default chat; }",
            conf(
                "    map $cookie_JSESSIONID $pool {\n"
                "        ~\\.(?<r>p[0-9])$    $r;\n"
                "        default    chat;\n    }\n\n" + pools + via_pool
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
        Entry(
            "map-no-default",
            "map without default: no cookie -> empty $pool -> proxy_pass http://;",
            conf(ROUTE_MAP.replace("        default    chat;\n", "") + pools + via_pool),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            outside_model=True,
        ),
    ]


def _set_variable() -> list[Entry]:
    def via(value: str) -> str:
        return site(api("http://$pool", f"            set $pool {value};\n"))

    return [
        Entry(
            "set-sticky-pool",
            "set $pool sticky; proxy_pass http://$pool; (ip_hash pool)",
            conf(STICKY + ROUND + via("sticky")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
        Entry(
            "set-rr-pool",
            "set $pool rr; proxy_pass http://$pool; (round-robin pool)",
            conf(STICKY + ROUND + via("rr")),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            outside_model=True,
        ),
        Entry(
            "set-address",
            "set $pool 127.0.0.1:<port>; proxy_pass http://$pool; (one node, no resolver)",
            conf(via("127.0.0.1:@S1@")),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
    ]


CACHE_ZONE = "    proxy_cache_path cache levels=1 keys_zone=api:1m;\n\n"
AS_ROOT = "user root;\n"  # the worker must reach the cache below the harness's 0700 directory


def _cache() -> list[Entry]:
    def cached(extra: str) -> str:
        return conf(CACHE_ZONE + upstream("chat", "ip_hash;") + site(api(extra=extra)), AS_ROOT)

    use = "            proxy_cache api;\n"
    valid = "            proxy_cache_valid 200 1m;\n"
    return [
        Entry(
            "cache-valid-200",
            "proxy_cache api; proxy_cache_valid 200 1m; on /api/ (key ignores the cookie)",
            cached(use + valid),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "cache-no-validity",
            "proxy_cache api; without proxy_cache_valid (the nodes send no Cache-Control)",
            cached(use),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "cache-key-cookie",
            "proxy_cache_valid 200 1m; proxy_cache_key $cookie_JSESSIONID$request_uri;",
            cached(use + valid + "            proxy_cache_key $cookie_JSESSIONID$request_uri;\n"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "cache-bypass-session",
            "proxy_cache_valid 200 1m; proxy_cache_bypass/proxy_no_cache $cookie_JSESSIONID;",
            cached(
                use
                + valid
                + "            proxy_cache_bypass $cookie_JSESSIONID;\n"
                + "            proxy_no_cache $cookie_JSESSIONID;\n"
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


PROXY_PARAMS = """\
proxy_set_header Host $http_host;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
"""


# The Debian site file: /api/ proxied with the stock proxy_params.
CHAT_SITE = site(api(extra="            include proxy_params;\n"))


def _includes() -> list[Entry]:
    debian = conf("    include conf.d/*.conf;\n    include sites-enabled/*;\n")
    return [
        Entry(
            "inc-debian-layout",
            "Debian layout: conf.d/*.conf (ip_hash upstream), sites-enabled/chat, proxy_params",
            debian,
            True,
            scenario=QUICK,
            predicted_sticky=True,
            files=(
                ("conf.d/upstream.conf", upstream("chat", "ip_hash;").replace("    ", "", 1)),
                ("sites-enabled/chat", CHAT_SITE),
                ("proxy_params", PROXY_PARAMS),
            ),
        ),
        Entry(
            "inc-debian-layout-rr",
            "Debian layout with a round-robin upstream in conf.d/",
            debian,
            False,
            scenario=QUICK,
            predicted_sticky=False,
            files=(
                ("conf.d/upstream.conf", upstream("chat")),
                ("sites-enabled/chat", CHAT_SITE),
                ("proxy_params", PROXY_PARAMS),
            ),
        ),
        Entry(
            "inc-snippet-clears-cookie",
            'include snippets/no-cookie.conf; (proxy_set_header Cookie "";) one node',
            conf(ONE + site(api(extra="            include snippets/no-cookie.conf;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
            files=(("snippets/no-cookie.conf", 'proxy_set_header Cookie "";\n'),),
        ),
        Entry(
            "inc-params-drop-server-header",
            'server: proxy_set_header Cookie ""; location includes proxy_params (drops it)',
            conf(
                ONE
                + site(
                    api(extra="            include proxy_params;\n"),
                    '        proxy_set_header Cookie "";\n',
                )
            ),
            True,
            servers=1,
            scenario=QUICK,
            predicted_sticky=True,
            files=(("proxy_params", PROXY_PARAMS),),
        ),
        Entry(
            "inc-missing-file",
            "include snippets/missing.conf; (no such file: refused)",
            conf(ONE + site(api(extra="            include snippets/missing.conf;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "inc-upstream-in-location",
            "a snippet holding an upstream block included inside a location (wrong context)",
            conf(ONE + site(api(extra="            include snippets/pool.conf;\n"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
            files=(("snippets/pool.conf", upstream("pool", "ip_hash;")),),
        ),
    ]


def _server_blocks() -> list[Entry]:
    def named(name: str, target: str, default: bool = False) -> str:
        flag = " default_server" if default else ""
        return (
            f"    server {{\n        listen 127.0.0.1:@FE@{flag};\n"
            f"        server_name {name};\n{loc('/api/', target)}    }}\n"
        )

    return [
        Entry(
            "srv-default-server-rr",
            "chat.example.com -> sticky; a default_server -> rr (the Host here is 127.0.0.1)",
            conf(STICKY + ROUND + named("chat.example.com", "sticky") + named("_", "rr", True)),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            client_differs=HOST_NAME,
        ),
        Entry(
            "srv-first-is-default",
            "first server block (no default_server) -> sticky; other.example -> rr",
            conf(
                STICKY + ROUND + named("chat.example.com", "sticky") + named("other.example", "rr")
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            client_differs=HOST_NAME,
        ),
        Entry(
            "srv-name-matches-address",
            "server_name 127.0.0.1 -> sticky; default_server -> rr (port stripped from Host)",
            conf(STICKY + ROUND + named("127.0.0.1", "sticky") + named("_", "rr", True)),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            client_differs=HOST_NAME,
        ),
        Entry(
            "srv-both-sticky",
            "two server blocks, both send /api/ to the ip_hash pool",
            conf(
                STICKY
                + ROUND
                + named("chat.example.com", "sticky", True)
                + named("www.example.com", "sticky")
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "srv-two-default-servers",
            "two server blocks both listen ... default_server (refused: duplicate default)",
            conf(
                STICKY + ROUND + named("a.example", "sticky", True) + named("b.example", "rr", True)
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
    ]


SRV_COOKIE = '            add_header Set-Cookie "SRV=$upstream_addr; Path=/{lifetime}";\n'
SRV_MAP = """\
    map $cookie_SRV $pool {
        127.0.0.1:@S1@    p1;
        127.0.0.1:@S2@    p2;
        default    chat;
    }

"""


def srv_cookie(lifetime: str = "") -> str:
    """An open-source server cookie: nginx sets SRV=<node address>, a map reads it back."""
    extra = SRV_COOKIE.format(lifetime=lifetime)
    return conf(SRV_MAP + upstream("chat") + node_upstreams() + site(api("http://$pool", extra)))


def dashed_cookie(source: str, name: str = "srv-id") -> str:
    """nginx sets cookie ``name`` to the node's address; a map on ``source`` routes by it."""
    extra = SRV_COOKIE.replace("SRV=", f"{name}=").format(lifetime="")
    map_block = SRV_MAP.replace("$cookie_SRV", source)
    return conf(map_block + upstream("chat") + node_upstreams() + site(api("http://$pool", extra)))


def _dashed_names() -> list[Entry]:
    return [
        Entry(
            "dash-map-cookie",
            "cookie srv-id=<node>; map $cookie_srv-id (the name stops at the dash)",
            dashed_cookie("$cookie_srv-id"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            outside_model=True,
        ),
        Entry(
            "dash-map-cookie-underscore",
            "cookie srv_id=<node>; map $cookie_srv_id (a name nginx can read)",
            dashed_cookie("$cookie_srv_id", "srv_id"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
        Entry(
            "dash-map-cookie-braces",
            "cookie srv-id=<node>; map ${cookie_srv-id} (refused: braces allow no dash either)",
            dashed_cookie("${cookie_srv-id}"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            note=(
                "predicted accepted and not sticky; nginx -t refuses it: 'the closing bracket "
                'in "cookie_srv" variable is missing\' (a variable name is letters, digits '
                "and underscores, braces or not)"
            ),
        ),
        Entry(
            "dash-hash-cookie",
            "hash $cookie_srv-id; (the key is the constant '-id' plus an empty cookie)",
            balanced("hash $cookie_srv-id;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _pauses() -> list[Entry]:
    return [
        Entry(
            "pause-ip-hash",
            "ip_hash;, 2 s pauses (no persistence lifetime)",
            balanced("ip_hash;"),
            True,
            scenario=PAUSE,
            predicted_sticky=True,
        ),
        Entry(
            "pause-map-route",
            "map on the JSESSIONID route, 2 s pauses",
            conf(ROUTE_MAP + upstream("chat") + node_upstreams() + site(api("http://$pool"))),
            True,
            scenario=PAUSE,
            predicted_sticky=True,
        ),
        Entry(
            "pause-srv-cookie-max-age-1",
            "add_header Set-Cookie SRV=$upstream_addr; Max-Age=1 + map, 2 s pauses",
            srv_cookie("; Max-Age=1"),
            False,
            scenario=PAUSE,
            predicted_sticky=False,
            outside_model=True,
        ),
        Entry(
            "pause-srv-cookie-session",
            "add_header Set-Cookie SRV=$upstream_addr (session cookie) + map, 2 s pauses",
            srv_cookie(),
            True,
            scenario=PAUSE,
            predicted_sticky=True,
            outside_model=True,
        ),
    ]


def _login() -> list[Entry]:
    return [
        Entry(
            "login-ip-hash",
            "ip_hash;, the id changes at login",
            balanced("ip_hash;"),
            True,
            scenario=LOGIN,
            predicted_sticky=True,
        ),
        Entry(
            "login-map-route",
            "map on the JSESSIONID route, the id changes at login (the route stays)",
            conf(ROUTE_MAP + upstream("chat") + node_upstreams() + site(api("http://$pool"))),
            True,
            scenario=LOGIN,
            predicted_sticky=True,
        ),
        Entry(
            "login-hash-cookie-one-server",
            "hash $cookie_JSESSIONID; one server, the id changes at login",
            balanced("hash $cookie_JSESSIONID;", count=1),
            True,
            servers=1,
            scenario=LOGIN,
            predicted_sticky=True,
        ),
        Entry(
            "login-hash-cookie",
            "hash $cookie_JSESSIONID consistent; the id changes at login",
            balanced("hash $cookie_JSESSIONID consistent;"),
            False,
            scenario=LOGIN,
            predicted_sticky=False,
        ),
    ]


def _id_in_url() -> list[Entry]:
    uri_map = (
        "    map $uri $pool {\n"
        "        ~jsessionid=[0-9A-F]+\\.p1$    p1;\n"
        "        ~jsessionid=[0-9A-F]+\\.p2$    p2;\n"
        "        default    chat;\n    }\n\n"
    )
    return [
        Entry(
            "url-ip-hash",
            "ip_hash;, the id travels as ;jsessionid= in the URL",
            balanced("ip_hash;"),
            True,
            scenario=IN_URL,
            predicted_sticky=True,
        ),
        Entry(
            "url-hash-request-uri",
            "hash $request_uri; the id in the URL (every URL differs, the first has no id)",
            balanced("hash $request_uri;"),
            False,
            scenario=IN_URL,
            predicted_sticky=False,
        ),
        Entry(
            "url-map-cookie",
            "map on $cookie_JSESSIONID; the id in the URL (no cookie: always the default)",
            conf(ROUTE_MAP + upstream("chat") + node_upstreams() + site(api("http://$pool"))),
            False,
            scenario=IN_URL,
            predicted_sticky=False,
        ),
        Entry(
            "url-map-uri",
            "map $uri on ;jsessionid=<id>.p1 (nginx keeps the path parameter in $uri)",
            conf(uri_map + upstream("chat") + node_upstreams() + site(api("http://$pool"))),
            True,
            scenario=IN_URL,
            predicted_sticky=True,
        ),
    ]


def _plus() -> list[Entry]:
    return [
        Entry(
            "plus-sticky-cookie",
            "NGINX Plus: sticky cookie srv_id expires=1h path=/; (unknown directive in OSS)",
            balanced("sticky cookie srv_id expires=1h path=/;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "plus-sticky-learn",
            "NGINX Plus: sticky learn create=$upstream_cookie_jsessionid lookup=… zone=…",
            balanced(
                "sticky learn create=$upstream_cookie_jsessionid lookup=$cookie_jsessionid "
                "zone=client_sessions:1m;"
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "plus-sticky-route",
            "NGINX Plus: sticky route $cookie_JSESSIONID; with route= on the servers",
            balanced("sticky route $cookie_JSESSIONID;", params={1: "route=p1", 2: "route=p2"}),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "plus-sticky-cookie-jsessionid",
            "NGINX Plus: sticky cookie JSESSIONID; (would overwrite the application's cookie)",
            balanced("sticky cookie JSESSIONID;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
    ]


NEXT_404 = "            proxy_next_upstream error timeout http_404;\n"
GET_ONLY = (
    "the harness's client sends only GETs; a chat client POSTs its messages, which nginx does "
    "not pass to the next server without non_idempotent (blind trial 22: 40 of 50 POSTs got "
    "No Session Found), and tcommlint judges that client: not sticky"
)
RETRIES = (
    "nginx retries a 404 on the next server until the session's own node answers 200 "
    "(proxy_next_upstream http_404): the client sees every reply from its node, while the "
    "other nodes log UnOpenedSessionNotAllowed"
)


def _next_upstream() -> list[Entry]:
    def retried(method: str = "", count: int = 2, extra: str = NEXT_404) -> str:
        return conf(upstream("chat", method, count) + site(api(extra=extra)))

    return [
        Entry(
            "next-default",
            "round robin, proxy_next_upstream error timeout; (the default: a 404 is final)",
            retried(extra="            proxy_next_upstream error timeout;\n"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "next-http-404",
            "round robin, proxy_next_upstream error timeout http_404; (retry on 404)",
            retried(),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            note=RETRIES,
            client_differs=GET_ONLY,
        ),
        Entry(
            "next-http-404-3",
            "as next-http-404 with 3 servers",
            retried(count=3),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
            note=RETRIES,
            client_differs=GET_ONLY,
        ),
        Entry(
            "next-http-404-tries-1",
            "proxy_next_upstream … http_404; proxy_next_upstream_tries 1; (no second try)",
            retried(extra=NEXT_404 + "            proxy_next_upstream_tries 1;\n"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "next-http-404-non-idempotent",
            "least_conn; proxy_next_upstream error timeout http_404 non_idempotent;",
            retried("least_conn;", extra=NEXT_404.replace(";", " non_idempotent;")),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            note=RETRIES,
        ),
        Entry(
            "next-off-ip-hash",
            "ip_hash; proxy_next_upstream off;",
            retried("ip_hash;", extra="            proxy_next_upstream off;\n"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


WEBSOCKET_MAP = """\
    map $http_upgrade $connection_upgrade {
        default    upgrade;
        ''         close;
    }

"""
DEBIAN_HTTP = """\
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    server_tokens off;
    default_type application/octet-stream;
    gzip on;
    keepalive_timeout 65;
    client_max_body_size 10m;

"""
CHAT_LOCATION = """\
        location /api/ {{
            proxy_pass http://{pool};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 3600s;
        }}
        location / {{
            return 404;
        }}
"""


def debian_site(method: str, pool: str = "chat", maps: str = "", count: int = 2) -> str:
    """A site as a Debian operator writes it: the distribution's http settings, a websocket
    upgrade map, and a chat location with long timeouts and no buffering."""
    head = "        server_name chat.example.com;\n"
    body = CHAT_LOCATION.format(pool=pool)
    pools = upstream("chat", method, count) + (node_upstreams(count) if maps else "")
    return conf(DEBIAN_HTTP + WEBSOCKET_MAP + maps + pools + site(body, head))


def _real_world() -> list[Entry]:
    return [
        Entry(
            "real-debian-ip-hash",
            "Debian-style site: websocket map, buffering off, ip_hash upstream",
            debian_site("ip_hash;"),
            True,
            predicted_sticky=True,
        ),
        Entry(
            "real-debian-least-conn",
            "Debian-style site, least_conn upstream",
            debian_site("least_conn;"),
            False,
            predicted_sticky=False,
        ),
        Entry(
            "real-debian-hash-cookie",
            "Debian-style site, hash $cookie_JSESSIONID consistent; (a common forum answer)",
            debian_site("hash $cookie_JSESSIONID consistent;", count=3),
            False,
            servers=3,
            predicted_sticky=False,
        ),
        Entry(
            "real-debian-route-map",
            "Debian-style site, map on the JSESSIONID route to per-node upstreams",
            debian_site("", "$pool", ROUTE_MAP),
            True,
            predicted_sticky=True,
        ),
        Entry(
            "real-debian-ip-hash-sequential",
            "Debian-style site, ip_hash, sessions one after another",
            debian_site("ip_hash;"),
            True,
            scenario=QUICK._replace(interleaved=False),
            predicted_sticky=True,
        ),
    ]


PLAIN_HTTP = (
    "the harness speaks plain http, where a browser ignores a Secure cookie; over https the "
    "browser keeps it"
)


def _cookie_flags() -> list[Entry]:
    def flagged(extra: str) -> str:
        return conf(upstream("chat", "ip_hash;") + site(api(extra=f"            {extra}\n")))

    return [
        Entry(
            "flags-httponly-samesite",
            "proxy_cookie_flags JSESSIONID httponly samesite=lax; on an ip_hash pool",
            flagged("proxy_cookie_flags JSESSIONID httponly samesite=lax;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "flags-secure",
            "proxy_cookie_flags ~ secure; (every cookie Secure) on a plain-http listener",
            flagged("proxy_cookie_flags ~ secure;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            client_differs=PLAIN_HTTP,
        ),
        Entry(
            "flags-domain-no-domain",
            "proxy_cookie_domain ~^.*$ example.com; (the node's cookie names no domain)",
            flagged("proxy_cookie_domain ~^.*$ example.com;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "flags-other-cookie-secure",
            "proxy_cookie_flags lang secure; (another cookie) on an ip_hash pool",
            flagged("proxy_cookie_flags lang secure;"),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


def _sequential() -> list[Entry]:
    one_by_one = QUICK._replace(interleaved=False)
    return [
        Entry(
            "seq-round-robin",
            "round robin, sessions one after another",
            balanced(),
            False,
            scenario=one_by_one,
            predicted_sticky=False,
        ),
        Entry(
            "seq-map-route",
            "map on the JSESSIONID route, sessions one after another",
            conf(ROUTE_MAP + upstream("chat") + node_upstreams() + site(api("http://$pool"))),
            True,
            scenario=one_by_one,
            predicted_sticky=True,
        ),
        Entry(
            "seq-locations",
            "/api/ -> ip_hash, ~ /poll$ -> rr, sessions one after another",
            two_pools(loc("/api/", "sticky") + loc("~ /poll$", "rr")),
            False,
            scenario=one_by_one,
            predicted_sticky=False,
        ),
    ]


def _refused() -> list[Entry]:
    return [
        Entry(
            "bad-proxy-pass-in-server",
            "proxy_pass directly in the server block (not allowed here)",
            conf(
                ONE + "    server {\n        listen 127.0.0.1:@FE@;\n"
                "        proxy_pass http://chat;\n    }\n"
            ),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-unknown-upstream",
            "proxy_pass http://chats; (no such upstream, no such host)",
            conf(ONE + site(api("http://chats"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-uri-in-regex-location",
            "location ~ ^/api/ { proxy_pass http://chat/api/; } (no URI part in a regex location)",
            conf(ONE + site(api("http://chat/api/", path="~ ^/api/"))),
            False,
            servers=1,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-no-events",
            "no events block (nginx requires one)",
            balanced("ip_hash;").replace("events {\n    worker_connections 256;\n}\n", ""),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-ip-hash-in-location",
            "ip_hash; inside the /api/ location instead of the upstream",
            conf(upstream("chat") + site(api(extra="            ip_hash;\n"))),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-hash-consistent-typo",
            "hash $cookie_JSESSIONID consistant; (misspelt parameter)",
            balanced("hash $cookie_JSESSIONID consistant;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-hash-without-key",
            "hash; with no key",
            balanced("hash;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-unknown-variable-hash",
            'hash $remote_adr consistent; (a misspelt variable: unknown "remote_adr" variable)',
            balanced("hash $remote_adr consistent;"),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-unknown-variable-header",
            'proxy_set_header X-Session $cookie_JSESSIONID$sesion; (unknown "sesion" variable)',
            conf(
                upstream("chat", "ip_hash;")
                + site(
                    api(extra="            proxy_set_header X-Session $cookie_JSESSIONID$sesion;\n")
                )
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-known-variables-in-any-case",
            "hash $Remote_Addr; and a map made later: names ignore case, order does not matter",
            conf(
                upstream("chat", "hash $Remote_Addr;")
                + site(api(extra="            proxy_set_header X-Node $node_of_session;\n"))
                + "    map $COOKIE_jsessionid $node_of_session {\n"
                + '        ~\\.(?<route>p[0-9])$ $route;\n        default "";\n    }\n'
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


# --- the jvmRoute recipes of open-source nginx (blind trial nginx2, files 05 and 06) ----------

SEQUENTIAL = Scenario(sessions=20, requests=6, interleaved=False)
TOMCAT_POOLS = upstream("tomcat", count=3) + "".join(
    f"    upstream node{n} {{\n        server 127.0.0.1:@S{n}@;\n    }}\n" for n in (1, 2, 3)
)


def route_map(entries: str, default: str = "tomcat") -> str:
    """``map $cookie_JSESSIONID $route { default <default>; <entries> }`` (entries: lines)."""
    return (
        f"    map $cookie_JSESSIONID $route {{\n        default    {default};\n{entries}    }}\n\n"
    )


def suffix_entries(key: str = "~\\.p{n}$", value: str = "node{n}") -> str:
    """One map line per node: ``key`` and ``value`` formatted with the node's number."""
    return "".join(f"        {key.format(n=n)}    {value.format(n=n)};\n" for n in (1, 2, 3))


def map_recipe(entries: str = "", default: str = "tomcat") -> str:
    """The map recipe: the route suffix of JSESSIONID names an upstream, proxy_pass to it."""
    return conf(
        route_map(entries or suffix_entries(), default) + TOMCAT_POOLS + site(api("http://$route"))
    )


def if_recipe(
    variable: str = "$cookie_JSESSIONID", pattern: str = "\\.p{n}$", own: bool = True
) -> str:
    """The if recipe: ``if (<variable> ~ "<pattern>") { proxy_pass http://nodeN; }`` per node,
    then (``own``) the location's own ``proxy_pass http://tomcat;``."""
    ifs = "".join(
        f'            if ({variable} ~ "{pattern.format(n=n)}") {{\n'
        f"                proxy_pass http://node{n};\n            }}\n"
        for n in (1, 2, 3)
    )
    tail = "            proxy_pass http://tomcat;\n" if own else ""
    return conf(TOMCAT_POOLS + site(f"        location /api/ {{\n{ifs}{tail}        }}\n"))


def _jvm_route_recipes() -> list[Entry]:
    return [
        Entry(
            "jvm-map-recipe",
            "map $cookie_JSESSIONID $route { default tomcat; ~\\.pN$ nodeN; } proxy_pass http://$route",
            map_recipe(),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-map-recipe-sequential",
            "as jvm-map-recipe, sessions one after another",
            map_recipe(),
            True,
            servers=3,
            scenario=SEQUENTIAL,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-map-recipe-login",
            "as jvm-map-recipe, the id changes at login (its route suffix stays)",
            map_recipe(),
            True,
            servers=3,
            scenario=LOGIN,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-map-nocase",
            "map with ~*\\.PN$ (case-insensitive regex) on ids ending .pN",
            map_recipe(suffix_entries("~*\\.P{n}$")),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-map-case-mismatch",
            "map with ~\\.PN$ (case-sensitive) on ids ending .pN: never matches",
            map_recipe(suffix_entries("~\\.P{n}$")),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "jvm-map-exact-only",
            "map $cookie_JSESSIONID with exact entries p1, p2, p3 (never equal to a real id)",
            map_recipe(suffix_entries("p{n}")),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "jvm-map-other-route",
            "map on the suffix .nodeN while the nodes' jvmRoute is pN: never matches",
            map_recipe(suffix_entries("~\\.node{n}$")),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "jvm-map-default-missing",
            "map default names no upstream (nowhere): no resolver, the first request fails",
            map_recipe(default="nowhere"),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
            outside_model=True,
        ),
        Entry(
            "jvm-map-pcre-only",
            "map with ~\\.pN\\z (PCRE's end of subject; Python's re has no \\z)",
            map_recipe(suffix_entries("~\\.p{n}\\z")),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
            outside_model=True,
        ),
        Entry(
            "jvm-if-recipe",
            'if ($cookie_JSESSIONID ~ "\\.pN$") { proxy_pass http://nodeN; } proxy_pass http://tomcat',
            if_recipe(),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-if-recipe-sequential",
            "as jvm-if-recipe, sessions one after another",
            if_recipe(),
            True,
            servers=3,
            scenario=SEQUENTIAL,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-if-recipe-login",
            "as jvm-if-recipe, the id changes at login (its route suffix stays)",
            if_recipe(),
            True,
            servers=3,
            scenario=LOGIN,
            predicted_sticky=True,
        ),
        Entry(
            "jvm-if-no-own-pass",
            "the if recipe without the location's own proxy_pass: no cookie, no handler (404)",
            if_recipe(own=False),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "jvm-if-http-cookie",
            'if ($http_cookie ~ "JSESSIONID=[^;]*\\.pN(;|$)") { proxy_pass http://nodeN; }',
            if_recipe("$http_cookie", "JSESSIONID=[^;]*\\.p{n}(;|$)"),
            True,
            servers=3,
            scenario=QUICK,
            predicted_sticky=True,
        ),
    ]


# Blind trial na2 (files 11, 14, 16): a misspelt value of a bitmask directive, a map regex cut
# by an unquoted ";" and the same map quoted. The key of 16 is the session id once the client
# has a cookie and the client's address before: ketama places the id on any node.
SESSION_KEY_MAP = (
    "    map $http_cookie $sticky_key {{\n"
    "        {regex}  $sid;\n"
    "        default                    $remote_addr;\n"
    "    }}\n"
)
KEYED = (
    "    upstream tomcat {\n        hash $sticky_key consistent;\n"
    + members(2)
    + "        server 127.0.0.1:@S3@ down;\n        server 127.0.0.1:@S3@;\n    }\n\n"
)


def _blind_na2() -> list[Entry]:
    next_upstream = "            proxy_next_upstream error timeout http_404 non_idempotant;\n"
    return [
        Entry(
            "bad-next-upstream-misspelt-value",
            "proxy_next_upstream error timeout http_404 non_idempotant; (invalid value)",
            conf(upstream("tomcat", count=3) + site(api("http://tomcat", next_upstream))),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "bad-map-regex-unquoted-semicolon",
            "map entry ~JSESSIONID=(?<sid>[^;]+) $sid; (the ; ends the entry: one parameter)",
            conf(
                SESSION_KEY_MAP.format(regex="~JSESSIONID=(?<sid>[^;]+)")
                + KEYED
                + site(api("http://tomcat"))
            ),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "map-regex-quoted-session-key",
            'map "~JSESSIONID=(?<sid>[^;]+)" $sid, default $remote_addr; hash $key consistent',
            conf(
                SESSION_KEY_MAP.format(regex='"~JSESSIONID=(?<sid>[^;]+)"')
                + KEYED
                + site(api("http://tomcat"))
            ),
            False,
            servers=3,
            scenario=QUICK,
            predicted_sticky=False,
            outside_model=True,
        ),
    ]


# A directive set twice in one block: nginx's slot handlers (and keepalive_timeout's, the
# *_pass ones…) refuse "is duplicate"; a value of an enclosing block is inherited, not a
# duplicate, and a snippet included in two blocks sets each once.
TIMEOUTS = "proxy_connect_timeout 5s;\nproxy_read_timeout 60s;\n"


def _duplicates() -> list[Entry]:
    twice_in_if = (
        "            if ($arg_debug) {\n                proxy_pass http://chat;\n"
        "                proxy_pass http://chat;\n            }\n"
    )
    levels = "            keepalive_timeout 75;\n            proxy_read_timeout 50s;\n"
    return [
        Entry(
            "dup-keepalive-timeout-in-http",
            "keepalive_timeout 65; keepalive_timeout 70; in http (is duplicate)",
            conf(
                "    keepalive_timeout 65;\n    keepalive_timeout 70;\n\n"
                + upstream("chat", "ip_hash;")
                + site(api())
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "dup-proxy-timeout-through-include",
            "proxy_connect_timeout 2s; then include of a snippet setting it again (is duplicate)",
            conf(
                upstream("chat", "ip_hash;")
                + site(
                    api(
                        extra="            proxy_connect_timeout 2s;\n"
                        "            include snippets/timeouts.conf;\n"
                    )
                )
            ),
            False,
            scenario=QUICK,
            predicted_sticky=False,
            files=(("snippets/timeouts.conf", TIMEOUTS),),
        ),
        Entry(
            "dup-proxy-pass-twice-in-if",
            "proxy_pass twice in an if block of the location (is duplicate)",
            conf(upstream("chat", "ip_hash;") + site(api(extra=twice_in_if))),
            False,
            scenario=QUICK,
            predicted_sticky=False,
        ),
        Entry(
            "dup-none-each-level-sets-its-own",
            "keepalive_timeout/proxy_read_timeout at http, server and location levels, ip_hash",
            conf(
                "    keepalive_timeout 65;\n\n"
                + upstream("chat", "ip_hash;")
                + site(
                    api(extra=levels),
                    head="        keepalive_timeout 70;\n        proxy_read_timeout 40s;\n",
                )
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
        ),
        Entry(
            "dup-none-one-snippet-in-two-blocks",
            "a timeouts snippet included in the server and in its location, ip_hash",
            conf(
                upstream("chat", "ip_hash;")
                + site(
                    api(extra="            include snippets/timeouts.conf;\n"),
                    head="        include snippets/timeouts.conf;\n",
                )
            ),
            True,
            scenario=QUICK,
            predicted_sticky=True,
            files=(("snippets/timeouts.conf", TIMEOUTS),),
        ),
    ]


ENTRIES: tuple[Entry, ...] = tuple(
    _no_persistence()
    + _ip_hash()
    + _hash_cookie()
    + _hash_keys()
    + _hash_arg()
    + _members()
    + _single()
    + _locations()
    + _public_path()
    + _cookie_header()
    + _set_cookie()
    + _rewrites()
    + _if_blocks()
    + _maps()
    + _set_variable()
    + _cache()
    + _includes()
    + _server_blocks()
    + _dashed_names()
    + _pauses()
    + _login()
    + _id_in_url()
    + _plus()
    + _next_upstream()
    + _real_world()
    + _cookie_flags()
    + _sequential()
    + _refused()
    + _blind_na2()
    + _duplicates()
    + _jvm_route_recipes()
)
