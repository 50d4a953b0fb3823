"""Blind ground-truth configurations: whole haproxy.cfg files as operators write them.

Written by an independent tester who had not read tcommlint's HAProxy loader: each entry is a
complete configuration in the style of production files and of what public projects ship (a
TLS-terminating frontend, host and path ACLs, health checks, stats pages, timeouts, logging,
peers, ``.if`` blocks, named defaults...), with the chat API ``/api`` routed to 2 or 3 chat nodes
on loopback. About half are sticky on the chat session; the others break it the way real
deployments do (no persistence, persistence on the wrong backend, a lowercase cookie name, a
stick table that never learns from the response, a lifetime shorter than a pause, a table too
small for the concurrent sessions, an ACL that misses ``/api``...).

TLS is not played: the ``bind`` lines of the HTTPS frontends are written without ``ssl crt``
(the original is kept as a comment) and the rest is kept as it would be. Six entries need a
listener besides the harness's frontend (a port-80 redirect frontend, a peers section, a stats
listener): they bind fixed ports on 127.0.0.1 (28180, 28191 to 28195), one port per entry,
below Linux's ephemeral range: a fixed port inside it can be held in TIME-WAIT by one of the
harness's own client connections, and haproxy then fails to bind it.

``predicted_sticky`` was written from the haproxy 2.6 manual (``configuration.txt``) before any
of these configurations was first run; ``expected_sticky`` is what a real haproxy 2.6 did with
it under the entry's scenario (and under every environment variant). ``note`` explains every
entry where the two differ. The ids start with ``bl-``.
"""

from __future__ import annotations

from tests.groundtruth.harness import Environment, Scenario
from tests.groundtruth.matrix import Entry

# 12 concurrent users x 6 requests over the chat paths: enough to break any non-persistent pool.
USERS = Scenario(sessions=12, requests=6)
# 20 concurrent users x 4 requests: more sessions than a small table holds.
CROWD = Scenario(sessions=20, requests=4)
# users one after another (a quiet pre-production)
ONE_BY_ONE = USERS._replace(interleaved=False)
# one idle pause of 2 s before the 3rd request (the chat window left open)
IDLE = Scenario(sessions=8, requests=4, pause_seconds=2.0, pause_before=3)
# one idle pause of 5.5 s: haproxy dates its inserted cookies in 4 s steps (see bl-maxidle-*)
LONG_IDLE = IDLE._replace(pause_seconds=5.5)
# a login at the 3rd request renews the session id (changeSessionIdOnAuthentication)
LOGIN = USERS._replace(login_at=3)
# a client that refuses cookies: Tomcat rewrites URLs with ;jsessionid=
URL_REWRITING = USERS._replace(id_in_path=True)


def bl(
    entry_id: str,
    description: str,
    template: str,
    predicted: bool,
    observed: bool | None = None,
    *,
    servers: int = 2,
    scenario: Scenario = USERS,
    environments: tuple[Environment, ...] = ({},),
    note: str = "",
) -> Entry:
    """An entry: ``observed`` is what haproxy did (the prediction when not given)."""
    return Entry(
        entry_id,
        description,
        template.lstrip("\n"),
        predicted if observed is None else observed,
        servers=servers,
        scenario=scenario,
        environments=environments,
        predicted_sticky=predicted,
        note=note,
    )


# --------------------------------------------------------------------------- TLS edge + routing

TLS_EDGE_INSERT = """
global
    log stdout format raw local0 info
    maxconn 4096
    nbthread 2
    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
    tune.ssl.default-dh-param 2048

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close
    option forwardfor except 127.0.0.0/8
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 5s
    timeout client 1m
    timeout server 1m
    timeout http-keep-alive 10s
    timeout check 5s
    maxconn 3000
    errorfile 503 /etc/haproxy/errors/503.http

frontend fe_https
    # bind :443 ssl crt /etc/haproxy/certs/chat.example.com.pem alpn h2,http/1.1
    bind 127.0.0.1:@FE@
    http-request set-header X-Forwarded-Proto https
    http-request set-header X-Forwarded-Port 443
    http-response set-header Strict-Transport-Security "max-age=63072000"
    acl is_api path_beg /api
    use_backend be_chat_api if is_api
    default_backend be_chat_web

backend be_chat_api
    balance roundrobin
    cookie SERVERID insert indirect nocache httponly
    option httpchk GET /health
    http-check expect status 200
    default-server inter 2s fall 3 rise 2
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2

backend be_chat_web
    balance roundrobin
    option httpchk GET /health
    server web1 127.0.0.1:@S1@ check
    server web2 127.0.0.1:@S2@ check
"""

TLS_EDGE_TWO_FRONTENDS = """
global
    log stdout format raw local0
    maxconn 4096
    ssl-default-bind-options ssl-min-ver TLSv1.2
    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

# plain-HTTP listener: everything goes to HTTPS
frontend fe_http
    bind 127.0.0.1:28180
    http-request redirect scheme https code 301 unless { ssl_fc }

frontend fe_https
    bind 127.0.0.1:@FE@  # :443 ssl crt /etc/ssl/private/chat.pem
    http-request set-header X-Forwarded-Proto https
    http-response del-header Server
    use_backend be_livechat if { path_beg /api }
    default_backend be_portal

backend be_livechat
    balance roundrobin
    stick-table type string len 64 size 200k expire 2h
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    option httpchk GET /api/health
    server proxy1 127.0.0.1:@S1@ check inter 5s
    server proxy2 127.0.0.1:@S2@ check inter 5s

backend be_portal
    server portal1 127.0.0.1:@S1@ check
"""

TLS_EDGE_NO_PERSISTENCE = """
global
    log stdout format raw local0
    maxconn 4096
    tune.ssl.default-dh-param 2048

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    option http-server-close
    timeout connect 5000
    timeout client 50000
    timeout server 50000
    errorfile 502 /etc/haproxy/errors/502.http
    errorfile 503 /etc/haproxy/errors/503.http
    errorfile 504 /etc/haproxy/errors/504.http

frontend https-in
    bind 127.0.0.1:@FE@
    # bind *:443 ssl crt /etc/haproxy/ssl/ strict-sni
    http-request set-header X-Forwarded-Proto https
    acl api path_beg /api
    acl static path_beg /static /img /css /js
    use_backend chat_api if api
    use_backend static if static
    default_backend chat_ui

backend chat_api
    balance roundrobin
    http-reuse safe
    option httpchk GET /health
    http-check expect status 200
    default-server inter 2s fall 3 rise 2 maxconn 500
    server tcomm-proxy-01 127.0.0.1:@S1@ check
    server tcomm-proxy-02 127.0.0.1:@S2@ check
    server tcomm-proxy-03 127.0.0.1:@S3@ check

backend static
    server cdn1 127.0.0.1:@S3@

backend chat_ui
    balance roundrobin
    server ui1 127.0.0.1:@S1@ check
    server ui2 127.0.0.1:@S2@ check
"""

APP_ACL_FIRST = """
global
    log stdout format raw local0
    maxconn 2048

defaults
    mode http
    log global
    option httplog
    timeout connect 4s
    timeout client 30s
    timeout server 30s

frontend main
    bind 127.0.0.1:@FE@
    # legacy portal paths; /api was added to this list when the portal got a REST API
    acl is_portal path_beg /portal /app /api
    acl is_chat path_beg /api /livechat
    use_backend portal if is_portal
    use_backend livechat if is_chat
    default_backend portal

backend portal
    balance roundrobin
    server portal1 127.0.0.1:@S1@ check
    server portal2 127.0.0.1:@S2@ check

backend livechat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie c1
    server chat2 127.0.0.1:@S2@ check cookie c2
"""

PATH_V1 = """
global
    log stdout format raw local0
    maxconn 4000

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend fe_main
    bind 127.0.0.1:@FE@
    acl is_api_v1 path_beg /api/v1
    acl is_health path /healthz
    http-request return status 200 content-type text/plain string "ok" if is_health
    use_backend be_chat if is_api_v1
    default_backend be_web

backend be_chat
    balance roundrobin
    stick-table type string len 64 size 100k expire 1h
    stick match req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check

backend be_web
    balance roundrobin
    server web1 127.0.0.1:@S1@ check
    server web2 127.0.0.1:@S2@ check
"""

PATH_TRAILING_SLASH = """
global
    log stdout format raw local0
    maxconn 4000

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend fe_main
    bind 127.0.0.1:@FE@
    acl is_chat_api path_beg /api/
    acl is_ws hdr(Upgrade) -i websocket
    use_backend be_chat_ws if is_ws
    use_backend be_chat if is_chat_api
    default_backend be_web

backend be_chat
    balance roundrobin
    stick-table type string len 64 size 100k expire 1h
    stick match req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check

backend be_chat_ws
    balance source
    timeout tunnel 1h
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check

backend be_web
    balance roundrobin
    server web1 127.0.0.1:@S1@ check
    server web2 127.0.0.1:@S2@ check
"""

COOKIE_ON_WEB_BACKEND = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    option http-server-close
    timeout connect 5s
    timeout client 50s
    timeout server 50s

frontend www
    bind 127.0.0.1:@FE@
    acl url_api path_beg /api
    use_backend api_servers if url_api
    default_backend web_servers

# sticky sessions for the web application
backend web_servers
    balance roundrobin
    cookie SERVERID insert indirect nocache
    option httpchk GET /
    server web01 127.0.0.1:@S1@ check cookie web01
    server web02 127.0.0.1:@S2@ check cookie web02

# chat API (copied from web_servers)
backend api_servers
    balance roundrobin
    option httpchk GET /
    server web01 127.0.0.1:@S1@ check
    server web02 127.0.0.1:@S2@ check
"""

NBSRV_SORRY = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    option redispatch
    retries 2
    timeout connect 3s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    acl chat_down nbsrv(be_chat) lt 1
    acl is_api path_beg /api
    use_backend be_sorry if is_api chat_down
    use_backend be_chat if is_api
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    option httpchk GET /health
    default-server inter 2s fall 3 rise 2
    server chat-a 127.0.0.1:@S1@ check cookie a
    server chat-b 127.0.0.1:@S2@ check cookie b

backend be_sorry
    http-request return status 503 content-type text/html string "<h1>Chat maintenance</h1>"
"""

# --------------------------------------------------------------------------- stick tables

APPSESSION_MIGRATION = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option http-server-close
    option forwardfor
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 30m
    timeout server 30m

frontend chat_front
    bind 127.0.0.1:@FE@
    default_backend tomcat_chat

# appsession JSESSIONID len 32 timeout 3h was removed in 1.6; this is its replacement
backend tomcat_chat
    balance roundrobin
    stick-table type string len 32 size 1m expire 3h
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server tomcat1 127.0.0.1:@S1@ check inter 3s
    server tomcat2 127.0.0.1:@S2@ check inter 3s
    server tomcat3 127.0.0.1:@S3@ check inter 3s
"""

STICK_ON_ONLY = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend chat_front
    bind 127.0.0.1:@FE@
    default_backend tomcat_chat

backend tomcat_chat
    balance roundrobin
    # keep each Tomcat session on its node
    stick-table type string len 52 size 500k expire 30m
    stick on req.cook(JSESSIONID)
    server tomcat1 127.0.0.1:@S1@ check
    server tomcat2 127.0.0.1:@S2@ check
"""

LEGACY_FETCHES = """
global
    log stdout format raw local0
    maxconn 2000

defaults
    mode http
    log global
    option httplog
    option httpclose
    option forwardfor
    timeout connect 5000
    timeout client 50000
    timeout server 50000

frontend http-in
    bind 127.0.0.1:@FE@
    default_backend chat

backend chat
    balance roundrobin
    stick-table type string len 40 size 200k expire 60m
    stick on cookie(JSESSIONID)
    stick store-response set-cookie(JSESSIONID)
    server node1 127.0.0.1:@S1@ check
    server node2 127.0.0.1:@S2@ check
"""

LOWERCASE_STICK = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 1m
    timeout server 1m

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 64 size 100k expire 1h
    stick on req.cook(jsessionid)
    stick store-response res.cook(jsessionid)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

STICK_EXPIRE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 1m
    timeout server 1m

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    # table copied from the rate-limiting example (scaled down: seconds for minutes)
    stick-table type string len 64 size 100k expire {expire}
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

TINY_TABLE = """
global
    log stdout format raw local0
    maxconn 1000

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 1m
    timeout server 1m

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    # pre-production sizing
    stick-table type string len 40 size 10 expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

DEDICATED_TABLE_BACKEND = """
global
    log stdout format raw local0 notice
    maxconn 4096
    nbthread 2

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    timeout connect 5s
    timeout client 65s
    timeout server 65s
    timeout http-request 10s

frontend fe_chat
    bind 127.0.0.1:@FE@
    capture cookie JSESSIONID len 63
    capture request header Host len 64
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_chat

backend st_chat_sessions
    stick-table type string len 52 size 1m expire 8h

backend be_chat
    balance leastconn
    stick match req.cook(JSESSIONID) table st_chat_sessions
    stick store-response res.cook(JSESSIONID) table st_chat_sessions
    option httpchk
    http-check send meth GET uri /health ver HTTP/1.1 hdr Host chat.internal
    http-check expect status 200
    default-server check inter 2s fall 3 rise 2 maxconn 250
    server chat1 127.0.0.1:@S1@
    server chat2 127.0.0.1:@S2@
"""

STORE_REQUEST = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick match req.cook(JSESSIONID)
    stick store-request req.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

URL_PARAM_FALLBACK = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 200k expire 30m
    # cookie first, then the ;jsessionid= of rewritten URLs
    stick on req.cook(JSESSIONID)
    stick on url_param(jsessionid,;)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

PEERS_TABLE = """
global
    log stdout format raw local0
    maxconn 4096
    localpeer lb1

peers lb_cluster
    peer lb1 127.0.0.1:28191
    peer lb2 192.0.2.12:10000
    table chat_sessions type string len 52 size 500k expire 1h

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 1m
    timeout server 1m

frontend fe_chat
    bind 127.0.0.1:@FE@
    use_backend be_chat if { path_beg /api }
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick match req.cook(JSESSIONID) table lb_cluster/chat_sessions
    stick store-response res.cook(JSESSIONID) table lb_cluster/chat_sessions
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

HARDENING_HEADERS = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
    unique-id-header X-Request-ID
    http-request set-header X-Forwarded-Proto https
    http-request del-header X-Forwarded-Host
    http-response del-header Server
    http-response del-header X-Powered-By
    http-response set-header X-Frame-Options SAMEORIGIN
    http-response set-header X-Content-Type-Options nosniff
    http-response replace-header Set-Cookie (.*) "\\1; SameSite=Lax"
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

RATE_LIMIT_FRONT_INSERT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    # abuse protection: 2000 requests per 10s per client address
    stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 2000 }
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie CHATSRV insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

RATE_LIMIT_BACKEND_TABLE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type ip size 100k expire 30m store conn_cur,http_req_rate(10s)
    http-request track-sc1 src
    http-request deny deny_status 429 if { sc1_http_req_rate gt 5000 }
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

STICK_SRC = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type ip size 200k expire {expire}
    stick on src
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

# --------------------------------------------------------------------------- cookies

PREFIX_COMPRESSION = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option http-server-close
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    errorfile 503 /etc/haproxy/errors/503.http

frontend fe_chat
    bind 127.0.0.1:@FE@
    capture cookie JSESSIONID len 63
    compression algo gzip
    compression type text/html text/plain text/css application/javascript application/json
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie JSESSIONID prefix nocache
    http-reuse safe
    option httpchk GET /health
    server tc1 127.0.0.1:@S1@ check cookie tc1
    server tc2 127.0.0.1:@S2@ check cookie tc2
"""

INSERT_JSESSIONID = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    # sticky on the Tomcat session cookie
    cookie JSESSIONID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

LEASTCONN_INSERT_WS = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
    timeout client-fin 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    acl is_websocket hdr(Upgrade) -i WebSocket
    acl is_api path_beg /api
    use_backend be_chat if is_websocket || is_api
    default_backend be_chat

backend be_chat
    balance leastconn
    cookie SERVERID insert indirect nocache httponly maxidle 30m maxlife 8h
    option httpchk GET /health
    default-server inter 2s fall 3 rise 2 maxconn 1000
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
    server chat3 127.0.0.1:@S3@ check cookie chat3
"""

LEASTCONN_NO_PERSISTENCE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    option prefer-last-server
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance leastconn
    option httpchk GET /health
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

DYNAMIC_COOKIE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    dynamic-cookie-key "Chat-LB-Secret-2024"
    cookie CHATID insert dynamic indirect nocache
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

DUPLICATE_COOKIE_VALUES = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat1
"""

POSTONLY = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    # never let a cache keep the persistence cookie
    cookie SERVERID insert postonly indirect
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

IGNORE_PERSIST_POLL = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    # long polls are stateless reads: spread them
    acl is_poll path_end /poll
    acl url_static path_end .gif .png .jpg .css .js
    ignore-persist if is_poll || url_static
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

MAXIDLE_SHORT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    # scaled down: maxidle 1 (second) stands for an idle limit shorter than a chat pause
    cookie SERVERID insert indirect nocache maxidle 1 maxlife 8h
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

COOKIE_IN_FRONTEND = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    cookie SERVERID insert indirect nocache
    default_backend be_chat

backend be_chat
    balance roundrobin
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

JVMROUTE_USE_SERVER = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_tomcat

backend be_tomcat
    balance roundrobin
    # Tomcat appends .<jvmRoute> to the session id
    use-server {first} if {{ req.cook(JSESSIONID) -m end .{route1} }}
    use-server {second} if {{ req.cook(JSESSIONID) -m end .{route2} }}
    server p1 127.0.0.1:@S1@ check
    server p2 127.0.0.1:@S2@ check
"""

# --------------------------------------------------------------------------- balance algorithms

SOURCE_CONSISTENT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance source
    hash-type consistent
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

URI_CONSISTENT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

# same layout as the cache farm: the URI decides the node
backend be_chat
    balance uri
    hash-type consistent
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
    server chat3 127.0.0.1:@S3@ check
"""

URL_PARAM_BALANCE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance url_param JSESSIONID check_post
    hash-type consistent
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

BALANCE_FIRST = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

# fill chat1 first; chat2 only takes the overflow
backend be_chat
    balance first
    server chat1 127.0.0.1:@S1@ check maxconn 500
    server chat2 127.0.0.1:@S2@ check maxconn 500
"""

# --------------------------------------------------------------------------- HA topology

ACTIVE_PASSIVE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

# primary site; DR proxy only on failover
backend be_chat
    balance roundrobin
    option httpchk GET /health
    default-server inter 2s fall 3 rise 2
    server chat-primary 127.0.0.1:@S1@ check
    server chat-dr 127.0.0.1:@S2@ check backup
"""

MAINTENANCE_DISABLED = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    server chat1 127.0.0.1:@S1@ check
    # CHG-4711: patching, re-enable afterwards
    server chat2 127.0.0.1:@S2@ check disabled
"""

LISTEN_CHAT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 5s
    timeout client 30s
    timeout server 30s

listen livechat
    bind 127.0.0.1:@FE@
    balance roundrobin
    stats enable
    stats uri /lb-status
    stats refresh 10s
    stats auth admin:ChangeMe
    cookie LB insert indirect nocache
    option httpchk GET /health
    server chat1 127.0.0.1:@S1@ check cookie n1
    server chat2 127.0.0.1:@S2@ check cookie n2
"""

LISTEN_STATS_SEPARATE = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

listen stats
    bind 127.0.0.1:28192
    stats enable
    stats uri /
    stats refresh 5s
    stats show-legends
    stats admin if LOCALHOST

frontend fe_chat
    bind 127.0.0.1:@FE@
    monitor-uri /haproxy-health
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie s1
    server chat2 127.0.0.1:@S2@ check cookie s2
    server chat3 127.0.0.1:@S3@ check cookie s3
"""

SERVER_TEMPLATE_WEB = """
global
    log stdout format raw local0
    maxconn 4096

resolvers consul
    nameserver consul 127.0.0.1:8600
    accepted_payload_size 8192
    hold valid 5s

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_main
    bind 127.0.0.1:@FE@
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_web

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check

backend be_web
    balance roundrobin
    default-server check resolvers consul resolve-prefer ipv4 init-addr none
    server-template web 1-4 web.service.consul:8080
"""

# --------------------------------------------------------------------------- .if and defaults

IF_FEATURES = """
global
    log stdout format raw local0
    maxconn 4096
.if feature(OPENSSL)
    ssl-default-bind-options ssl-min-ver TLSv1.2
    tune.ssl.default-dh-param 2048
.endif

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
.if version_atleast(2.4)
    cookie SERVERID insert indirect nocache httponly attr "SameSite=Lax"
.else
    cookie SERVERID insert indirect nocache httponly
.endif
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

IF_ENV_BOTH_STICKY = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
.if defined(CHAT_STICK_TABLE)
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
.else
    cookie SERVERID insert indirect nocache
.endif
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

IF_ENV_PROD_ONLY = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
.if streq("$CHAT_ENV",prod)
    cookie SERVERID insert indirect nocache
.endif
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

NAMED_DEFAULTS_FROM = """
global
    log stdout format raw local0
    maxconn 4096

defaults http-base
    mode http
    log global
    option httplog
    option dontlognull
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

defaults tcp-base
    mode tcp
    log global
    option tcplog
    timeout connect 5s
    timeout client 1h
    timeout server 1h

frontend fe_chat from http-base
    bind 127.0.0.1:@FE@
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_chat

backend be_chat from http-base
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2

backend be_db from tcp-base
    balance first
    server db1 127.0.0.1:5432
"""

DEFAULTS_RESET = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    option redispatch
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    cookie SERVERID insert indirect nocache

frontend fe_chat
    bind 127.0.0.1:@FE@
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_web

backend be_web
    balance roundrobin
    server web1 127.0.0.1:@S1@ check cookie w1
    server web2 127.0.0.1:@S2@ check cookie w2

# added for the internal API gateway
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

backend be_chat
    balance roundrobin
    server chat1 127.0.0.1:@S1@ check cookie c1
    server chat2 127.0.0.1:@S2@ check cookie c2
"""

LISTEN_STATS_URI_STATS = LISTEN_STATS_SEPARATE.replace("28192", "28194").replace(
    "    stats uri /\n", "    stats uri /stats\n"
)

FRONTEND_STATS_PROMETHEUS = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend stats
    bind 127.0.0.1:28193
    http-request use-service prometheus-exporter if { path /metrics }
    stats enable
    stats uri /stats
    stats refresh 10s
    no log

frontend fe_chat
    bind 127.0.0.1:@FE@
    option forwardfor
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

ACME_REDIRECT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_http
    bind 127.0.0.1:28195
    acl letsencrypt path_beg /.well-known/acme-challenge/
    use_backend be_letsencrypt if letsencrypt
    http-request redirect scheme https code 301 unless letsencrypt

frontend fe_https
    bind 127.0.0.1:@FE@  # :443 ssl crt /etc/haproxy/certs/ alpn h2,http/1.1
    http-request set-header X-Forwarded-Proto https
    acl is_api path_beg /api
    use_backend be_chat if is_api
    default_backend be_chat

backend be_letsencrypt
    server certbot 127.0.0.1:8888

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache httponly
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

ADMIN_ALLOWLIST = """
global
    log stdout format raw local0
    maxconn 4096

userlist ops
    user admin insecure-password Sup3rS3cret

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    acl internal_nets src 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16
    acl is_admin path_beg /api/admin /manager
    http-request deny deny_status 403 if is_admin !internal_nets
    http-request auth realm ChatOps if is_admin !{ http_auth(ops) }
    default_backend be_chat

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

TCP_PASSTHROUGH = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode tcp
    log global
    option tcplog
    timeout connect 5s
    timeout client 1h
    timeout server 1h

# TLS passthrough: the Tomcats terminate TLS themselves
frontend fe_tls_passthrough
    bind 127.0.0.1:@FE@
    tcp-request inspect-delay 5s
    tcp-request content accept if { req_ssl_hello_type 1 }
    default_backend be_chat_tls

backend be_chat_tls
    balance source
    hash-type consistent
    option ssl-hello-chk
    server chat1 127.0.0.1:@S1@
    server chat2 127.0.0.1:@S2@
"""

BALANCE_HDR_HOST = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

# one tenant per host name: each tenant's chat stays on one node
backend be_chat
    balance hdr(host)
    hash-type consistent
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

CACHE_EVERYTHING = """
global
    log stdout format raw local0
    maxconn 4096

cache chat_cache
    total-max-size 64
    max-object-size 100000
    max-age 60

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    default_backend be_chat

backend be_chat
    balance roundrobin
    http-request cache-use chat_cache
    http-response cache-store chat_cache
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

VHOSTS_SHARED_FRONTEND = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

# one shared HTTPS frontend for several sites
frontend fe_shared
    bind 127.0.0.1:@FE@  # :443 ssl crt /etc/haproxy/certs/ (one PEM per site, SNI)
    acl host_admin hdr(host) -i admin.example.com
    acl host_grafana hdr_beg(host) -i grafana.
    acl host_wiki hdr_dom(host) -i wiki.example.com
    use_backend be_admin if host_admin
    use_backend be_grafana if host_grafana
    use_backend be_wiki if host_wiki
    use_backend be_chat if { path_beg /api }
    default_backend be_portal

backend be_admin
    server admin1 127.0.0.1:@S1@ check

backend be_grafana
    server grafana1 127.0.0.1:3000 check

backend be_wiki
    balance roundrobin
    server wiki1 127.0.0.1:@S1@ check
    server wiki2 127.0.0.1:@S2@ check

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2

backend be_portal
    balance roundrobin
    server portal1 127.0.0.1:@S1@ check
    server portal2 127.0.0.1:@S2@ check
"""

DEFAULT_BACKEND_IN_DEFAULTS = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    default_backend be_chat

frontend fe_chat
    bind 127.0.0.1:@FE@
    use_backend be_static if { path_beg /static /assets }

backend be_static
    server static1 127.0.0.1:@S1@ check

backend be_chat
    balance roundrobin
    stick-table type string len 52 size 100k expire 30m
    stick on req.cook(JSESSIONID)
    stick store-response res.cook(JSESSIONID)
    server chat1 127.0.0.1:@S1@ check
    server chat2 127.0.0.1:@S2@ check
"""

CORS_PREFLIGHT = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    # the chat widget is embedded on www.example.com: answer CORS preflights here
    acl is_api path_beg /api
    acl is_preflight method OPTIONS
    http-request return status 204 hdr Access-Control-Allow-Methods GET,POST if is_api is_preflight
    http-after-response set-header Access-Control-Allow-Origin https://www.example.com
    http-after-response set-header Access-Control-Allow-Credentials true
    default_backend be_chat

backend be_chat
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server chat1 127.0.0.1:@S1@ check cookie chat1
    server chat2 127.0.0.1:@S2@ check cookie chat2
"""

LONG_POLL = """
global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe_chat
    bind 127.0.0.1:@FE@
    acl is_api path_beg /api
    acl is_poll path_end /poll
    use_backend be_chat_poll if is_api is_poll
    use_backend be_chat if is_api
    default_backend be_chat

backend be_chat
    balance roundrobin
{api}    server chat1 127.0.0.1:@S1@ check{c1}
    server chat2 127.0.0.1:@S2@ check{c2}

# long polls hold the request open: longer server timeout
backend be_chat_poll
    balance roundrobin
    timeout server 65s
{poll}    server chat1 127.0.0.1:@S1@ check{c1}
    server chat2 127.0.0.1:@S2@ check{c2}
"""
LONG_POLL_COOKIE = "    cookie SERVERID insert indirect nocache\n"
LONG_POLL_OWN_TABLE = (
    "    stick-table type string len 52 size 100k expire 30m\n"
    "    stick on req.cook(JSESSIONID)\n"
    "    stick store-response res.cook(JSESSIONID)\n"
)
LONG_POLL_SHARED = (
    "    stick on req.cook(JSESSIONID) table be_chat\n"
    "    stick store-response res.cook(JSESSIONID) table be_chat\n"
)


def long_poll(api: str, poll: str, cookies: bool = False) -> str:
    """LONG_POLL with the persistence lines of both backends (and server cookie values)."""
    return LONG_POLL.format(
        api=api,
        poll=poll,
        c1=" cookie chat1" if cookies else "",
        c2=" cookie chat2" if cookies else "",
    )


def _entries() -> list[Entry]:
    return [
        # ------------------------------------------------------------------ TLS edge, routing
        bl(
            "bl-tls-edge-insert",
            "HTTPS edge (X-Forwarded-Proto, HSTS, errorfile, httpchk, default-server "
            "inter 2s fall 3): /api to a backend with cookie SERVERID insert indirect nocache",
            TLS_EDGE_INSERT,
            True,
        ),
        bl(
            "bl-tls-edge-two-frontends",
            "port-80 frontend redirecting to HTTPS + HTTPS frontend routing /api to a backend "
            "that learns JSESSIONID (stick on + store-response)",
            TLS_EDGE_TWO_FRONTENDS,
            True,
        ),
        bl(
            "bl-tls-edge-no-persistence",
            "HTTPS edge, /api and static routed by ACLs, 3 chat nodes with checks and "
            "http-reuse safe, no persistence",
            TLS_EDGE_NO_PERSISTENCE,
            False,
            servers=3,
        ),
        bl(
            "bl-acl-order-portal-first",
            "legacy portal ACL also lists /api and its use_backend comes first: /api lands on "
            "the portal backend without persistence",
            APP_ACL_FIRST,
            False,
        ),
        bl(
            "bl-path-api-v1",
            "/api/v1 ACL routes to the sticky backend; the chat's /api/chat falls to the "
            "default web backend (no persistence); http-request return for /healthz",
            PATH_V1,
            False,
        ),
        bl(
            "bl-path-api-slash",
            "path_beg /api/ to a learning stick table; WebSocket upgrades to a source-hash backend",
            PATH_TRAILING_SLASH,
            True,
        ),
        bl(
            "bl-cookie-on-web-backend",
            "cookie SERVERID insert on the web backend; the /api backend was copied from it "
            "without the cookie line",
            COOKIE_ON_WEB_BACKEND,
            False,
        ),
        bl(
            "bl-nbsrv-sorry-backend",
            "maintenance page when nbsrv(be_chat) < 1, else /api to cookie insert",
            NBSRV_SORRY,
            True,
            note="tcommlint (TC215) plays the sorry-page branch as if nbsrv(be_chat) lt 1 could "
            "hold in a healthy deployment; with both servers up nbsrv is 2 and haproxy never "
            "takes it",
        ),
        # ------------------------------------------------------------------ stick tables
        bl(
            "bl-appsession-migration",
            "appsession replacement: stick-table len 32 expire 3h, stick on req.cook + "
            "store-response res.cook(JSESSIONID), 3 Tomcats",
            APPSESSION_MIGRATION,
            True,
            servers=3,
        ),
        bl(
            "bl-stick-on-no-learn",
            "stick on req.cook(JSESSIONID) without store-response",
            STICK_ON_ONLY,
            False,
        ),
        bl(
            "bl-legacy-fetches",
            "1.4-era fetches: stick on cookie(JSESSIONID) + store-response "
            "set-cookie(JSESSIONID), option httpclose, timeouts in ms",
            LEGACY_FETCHES,
            True,
            False,
            note="haproxy -c: \"'stick': unknown fetch method 'set-cookie'\". The 2.6 manual "
            "(7.3.6) still documents set-cookie([<name>]) as a deprecated alias of res.cook, "
            "but 2.6 no longer knows it; cookie(JSESSIONID) still works (bl-legacy-cookie-fetch)",
        ),
        bl(
            "bl-legacy-cookie-fetch",
            "stick on cookie(JSESSIONID) (deprecated, direction from context) + "
            "store-response res.cook(JSESSIONID)",
            LEGACY_FETCHES.replace("set-cookie(JSESSIONID)", "res.cook(JSESSIONID)"),
            True,
        ),
        bl(
            "bl-lowercase-stick",
            "stick rules on req.cook(jsessionid)/res.cook(jsessionid); the app sets JSESSIONID",
            LOWERCASE_STICK,
            False,
        ),
        bl(
            "bl-stick-expire-short-idle",
            "learning stick table with expire 1s (a copied rate-limit table), one 2 s pause",
            STICK_EXPIRE.replace("{expire}", "1s"),
            False,
            scenario=IDLE,
        ),
        bl(
            "bl-stick-expire-long-idle",
            "learning stick table with expire 30m, one 2 s pause (control)",
            STICK_EXPIRE.replace("{expire}", "30m"),
            True,
            scenario=IDLE,
        ),
        bl(
            "bl-tiny-table-crowd",
            "learning stick table of size 10 (pre-production sizing), 20 concurrent users",
            TINY_TABLE,
            False,
            scenario=CROWD,
        ),
        bl(
            "bl-tiny-table-one-by-one",
            "learning stick table of size 10, users one after another",
            TINY_TABLE,
            True,
            scenario=ONE_BY_ONE,
        ),
        bl(
            "bl-dedicated-table-backend",
            "stick match/store-response into a table held by a dedicated backend, balance "
            "leastconn, http-check send with Host, capture cookie",
            DEDICATED_TABLE_BACKEND,
            True,
        ),
        bl(
            "bl-store-request",
            "stick match req.cook + stick store-request req.cook(JSESSIONID) (learns from the "
            "second request, not the response)",
            STORE_REQUEST,
            False,
        ),
        bl(
            "bl-url-param-fallback-rewritten-urls",
            "stick on req.cook and on url_param(jsessionid,;) + store-response; cookie-less "
            "client with ;jsessionid= URLs",
            URL_PARAM_FALLBACK,
            True,
            scenario=URL_REWRITING,
        ),
        bl(
            "bl-peers-table",
            "stick rules into a table of a peers section (localpeer lb1 + remote lb2)",
            PEERS_TABLE,
            True,
        ),
        bl(
            "bl-hardening-headers",
            "unique-id, security headers, del-header Server, replace-header Set-Cookie adding "
            "SameSite=Lax, learning stick table",
            HARDENING_HEADERS,
            True,
        ),
        bl(
            "bl-rate-limit-front-insert",
            "frontend rate limiting (track-sc0 src, deny 429 above 2000/10s) + cookie insert",
            RATE_LIMIT_FRONT_INSERT,
            True,
        ),
        bl(
            "bl-rate-limit-table-no-persistence",
            "backend stick-table type ip used only for tracking (track-sc1 src), no stick "
            "rule and no cookie",
            RATE_LIMIT_BACKEND_TABLE,
            False,
        ),
        bl(
            "bl-stick-src",
            "IP persistence: stick-table type ip + stick on src, expire 30m",
            STICK_SRC.replace("{expire}", "30m"),
            True,
        ),
        bl(
            "bl-stick-src-expire-idle",
            "IP persistence with expire 1s (scaled down), one 2 s pause",
            STICK_SRC.replace("{expire}", "1s"),
            False,
            scenario=IDLE,
        ),
        bl(
            "bl-stick-login",
            "learning stick table; login renews the session id at request 3",
            STICK_EXPIRE.replace("{expire}", "30m"),
            True,
            scenario=LOGIN,
        ),
        # ------------------------------------------------------------------ cookies
        bl(
            "bl-prefix-compression",
            "cookie JSESSIONID prefix nocache with compression, capture cookie, http-reuse, "
            "errorfile",
            PREFIX_COMPRESSION,
            True,
        ),
        bl(
            "bl-prefix-rewritten-urls",
            "cookie JSESSIONID prefix; cookie-less client with ;jsessionid= URLs",
            PREFIX_COMPRESSION,
            False,
            scenario=URL_REWRITING,
        ),
        bl(
            "bl-insert-jsessionid",
            "cookie JSESSIONID insert indirect nocache (the LB cookie named like Tomcat's)",
            INSERT_JSESSIONID,
            False,
        ),
        bl(
            "bl-leastconn-insert-websocket",
            "balance leastconn + cookie insert maxidle 30m maxlife 8h, websocket ACL, "
            "timeout tunnel, 3 nodes",
            LEASTCONN_INSERT_WS,
            True,
            servers=3,
        ),
        bl(
            "bl-insert-rewritten-urls",
            "cookie SERVERID insert; cookie-less (for JSESSIONID) client with ;jsessionid= URLs",
            LEASTCONN_INSERT_WS,
            True,
            servers=3,
            scenario=URL_REWRITING,
        ),
        bl(
            "bl-leastconn-no-persistence",
            "balance leastconn + option prefer-last-server, no persistence",
            LEASTCONN_NO_PERSISTENCE,
            False,
        ),
        bl(
            "bl-dynamic-cookie",
            "cookie CHATID insert dynamic + dynamic-cookie-key, servers without cookie values",
            DYNAMIC_COOKIE,
            True,
        ),
        bl(
            "bl-duplicate-cookie-values",
            "cookie insert, both servers copy-pasted with cookie chat1",
            DUPLICATE_COOKIE_VALUES,
            False,
        ),
        bl(
            "bl-postonly",
            "cookie SERVERID insert postonly indirect (chat client polls with GET)",
            POSTONLY,
            False,
        ),
        bl(
            "bl-ignore-persist-poll",
            "cookie insert with ignore-persist for /poll and static files",
            IGNORE_PERSIST_POLL,
            False,
        ),
        bl(
            "bl-maxidle-short-idle",
            "cookie insert maxidle 1 (seconds, scaled down), one 5.5 s pause",
            MAXIDLE_SHORT,
            False,
            scenario=LONG_IDLE,
            note="with a 2 s pause haproxy was sticky in one run and not in the next: it writes "
            "the inserted cookie's date as (now + 3) >> 2, in 4 s steps rounded up, so a date "
            "can lie up to 3 s ahead and maxidle 1 expires 1 to 4 s after the last request "
            "(not documented in 4.2 'cookie'); 5.5 s is past maxidle 1 whatever the rounding",
        ),
        bl(
            "bl-cookie-in-frontend",
            "cookie SERVERID insert written in the frontend instead of the backend",
            COOKIE_IN_FRONTEND,
            False,
        ),
        bl(
            "bl-jvmroute-use-server",
            "use-server by the Tomcat jvmRoute suffix of JSESSIONID (.p1/.p2)",
            JVMROUTE_USE_SERVER.format(first="p1", second="p2", route1="p1", route2="p2"),
            True,
        ),
        bl(
            "bl-jvmroute-mismatch",
            "use-server by jvmRoute suffixes .tomcat1/.tomcat2 while Tomcats use p1/p2",
            JVMROUTE_USE_SERVER.format(first="p1", second="p2", route1="tomcat1", route2="tomcat2"),
            False,
        ),
        # ------------------------------------------------------------------ balance algorithms
        bl(
            "bl-source-consistent",
            "balance source + hash-type consistent (one client address)",
            SOURCE_CONSISTENT,
            True,
        ),
        bl(
            "bl-uri-consistent",
            "balance uri + hash-type consistent copied from a cache farm, 3 nodes",
            URI_CONSISTENT,
            False,
            servers=3,
        ),
        bl(
            "bl-url-param-balance",
            "balance url_param JSESSIONID check_post + hash-type consistent",
            URL_PARAM_BALANCE,
            False,
        ),
        bl(
            "bl-balance-first",
            "balance first with maxconn 500 per server (consolidation)",
            BALANCE_FIRST,
            True,
        ),
        # ------------------------------------------------------------------ HA topology
        bl(
            "bl-active-passive",
            "primary + DR backup server with health checks, no persistence",
            ACTIVE_PASSIVE,
            True,
        ),
        bl(
            "bl-maintenance-disabled",
            "2 servers without persistence, the second one 'disabled' for a change window",
            MAINTENANCE_DISABLED,
            True,
        ),
        bl(
            "bl-listen-chat-stats",
            "one listen section with stats uri/auth, cookie LB insert, httpchk",
            LISTEN_CHAT,
            True,
        ),
        bl(
            "bl-listen-stats-separate",
            "listen stats on its own port + chat frontend (monitor-uri) with cookie insert, "
            "3 nodes",
            LISTEN_STATS_SEPARATE,
            True,
            servers=3,
            note="tcommlint (TC215) plays the chat through the stats listener on its own port, "
            "which a chat client never reaches (stats uri answers only requests sent to that "
            "port)",
        ),
        bl(
            "bl-server-template-web",
            "resolvers + server-template for the web backend; /api to a learning stick table",
            SERVER_TEMPLATE_WEB,
            True,
        ),
        bl(
            "bl-listen-stats-uri-stats",
            "listen stats on its own port with stats uri /stats (the common form) + chat "
            "frontend with cookie insert, 3 nodes",
            LISTEN_STATS_URI_STATS,
            True,
            servers=3,
            note="tcommlint (TC215: no usable server in stats) takes the server-less stats "
            "listener on its own port for a route of /api; a frontend stats section passes",
        ),
        bl(
            "bl-frontend-stats-prometheus",
            "frontend stats on its own port (prometheus-exporter on /metrics, stats uri "
            "/stats) + chat frontend with a learning stick table",
            FRONTEND_STATS_PROMETHEUS,
            True,
        ),
        bl(
            "bl-acme-redirect",
            "port-80 frontend: ACME challenges to certbot, everything else redirected to "
            "HTTPS; HTTPS frontend with cookie insert",
            ACME_REDIRECT,
            True,
        ),
        bl(
            "bl-admin-allowlist-userlist",
            "deny /api/admin outside internal networks, basic auth from a userlist; /api "
            "to a learning stick table",
            ADMIN_ALLOWLIST,
            True,
        ),
        bl(
            "bl-tcp-passthrough-source",
            "mode tcp TLS passthrough (inspect-delay, req_ssl_hello_type, ssl-hello-chk "
            "unused), balance source + hash-type consistent",
            TCP_PASSTHROUGH,
            True,
        ),
        bl(
            "bl-balance-hdr-host",
            "balance hdr(host) + hash-type consistent (one tenant per host name)",
            BALANCE_HDR_HOST,
            True,
        ),
        bl(
            "bl-cache-everything",
            "cache section with cache-use/cache-store on the whole chat backend + cookie insert",
            CACHE_EVERYTHING,
            True,
        ),
        bl(
            "bl-vhosts-shared-frontend",
            "shared frontend: host ACLs for admin/grafana/wiki sites first, then /api to a "
            "cookie-insert backend",
            VHOSTS_SHARED_FRONTEND,
            True,
        ),
        bl(
            "bl-default-backend-in-defaults",
            "default_backend be_chat set in the defaults section; the frontend only routes "
            "/static; learning stick table",
            DEFAULT_BACKEND_IN_DEFAULTS,
            True,
        ),
        bl(
            "bl-cors-preflight",
            "CORS: http-request return 204 for OPTIONS on /api, CORS response headers; "
            "cookie insert",
            CORS_PREFLIGHT,
            True,
        ),
        bl(
            "bl-longpoll-same-cookie",
            "/poll to a long-poll backend (timeout server 65s); both backends cookie "
            "SERVERID insert with the same server values",
            long_poll(LONG_POLL_COOKIE, LONG_POLL_COOKIE, cookies=True),
            True,
        ),
        bl(
            "bl-longpoll-own-table",
            "/poll to a long-poll backend copied with its own learning stick table (never "
            "sees a Set-Cookie)",
            long_poll(LONG_POLL_OWN_TABLE, LONG_POLL_OWN_TABLE),
            False,
        ),
        bl(
            "bl-longpoll-shared-table",
            "/poll to a long-poll backend whose stick rules use be_chat's table (servers in "
            "the same order)",
            long_poll(LONG_POLL_OWN_TABLE, LONG_POLL_SHARED),
            True,
        ),
        # ------------------------------------------------------------------ .if and defaults
        bl(
            "bl-if-features",
            ".if feature(OPENSSL) in global, .if version_atleast(2.4) cookie with attr "
            "SameSite .else plain cookie",
            IF_FEATURES,
            True,
        ),
        bl(
            "bl-if-env-both-sticky",
            ".if defined(CHAT_STICK_TABLE) learning table .else cookie insert",
            IF_ENV_BOTH_STICKY,
            True,
            environments=({}, {"CHAT_STICK_TABLE": "1"}),
        ),
        bl(
            "bl-if-env-prod-only",
            '.if streq("$CHAT_ENV",prod) around the cookie line (not sticky outside prod)',
            IF_ENV_PROD_ONLY,
            False,
            environments=({}, {"CHAT_ENV": "prod"}),
        ),
        bl(
            "bl-named-defaults-from",
            "defaults http-base / tcp-base, frontend and chat backend 'from http-base' with "
            "cookie insert; a tcp backend from tcp-base",
            NAMED_DEFAULTS_FROM,
            True,
        ),
        bl(
            "bl-defaults-reset",
            "cookie insert in the first defaults; a second defaults added before be_chat resets it",
            DEFAULTS_RESET,
            False,
        ),
    ]


ENTRIES: tuple[Entry, ...] = tuple(_entries())
