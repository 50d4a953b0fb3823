"""The nginx compiler: one test per directive family, on the pipeline model it builds."""

from __future__ import annotations

from pathlib import Path

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.pipeline.evaluate import condition_holds, sample_value
from tcommlint.pipeline.http import Request, Response
from tcommlint.pipeline.model import (
    Answer,
    HeaderEdit,
    LoadBalancer,
    Opaque,
    Retry,
    Sample,
    SetPath,
)


def _lb(tmp_path: Path, http: str, main: str = "", plus: bool = False) -> LoadBalancer:
    text = f"{main}events {{}}\nhttp {{\n{http}\n}}\n"
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    result = load_nginx([(str(path), text)], Includes(tmp_path, tmp_path), plus)
    assert result.errors == (), result.errors
    (lb,) = result.load_balancers
    return lb


UPSTREAM = (
    "upstream chat {\n%s\n    server 10.0.0.11:8080;\n    server 10.0.0.12:8080 weight=2;\n}\n"
)
SERVER = "server {\n    listen 80;\n    location / { proxy_pass http://chat; }\n}\n"


def _pool(tmp_path: Path, directive: str, plus: bool = False) -> LoadBalancer:
    return _lb(tmp_path, UPSTREAM % directive + SERVER, plus=plus)


def test_upstream_servers_and_default_round_robin(tmp_path: Path) -> None:
    lb = _pool(tmp_path, "")
    assert lb.vendor == "nginx" and lb.persistence_at == "pool"
    pool = lb.pool("chat")
    assert pool is not None
    assert [(s.name, s.port, s.weight) for s in pool.servers] == [
        ("10.0.0.11:8080", 8080, 1),
        ("10.0.0.12:8080", 8080, 2),
    ]
    assert pool.balance.algorithm.value == "roundrobin" and pool.balance.algorithm.inherited


def test_balancing_methods(tmp_path: Path) -> None:
    def balance(directive: str) -> tuple[str, str, str]:
        pool = _pool(tmp_path, directive).pool("chat")
        assert pool is not None
        key = pool.balance.key
        return pool.balance.algorithm.value, key.fetch if key else "", pool.balance.hash_type

    assert balance("least_conn;") == ("leastconn", "", "map-based")
    assert balance("random two;") == ("random", "", "map-based")
    assert balance("ip_hash;") == ("source", "src", "map-based")
    assert balance("hash $cookie_JSESSIONID consistent;") == ("hash", "req.cook", "consistent")
    assert balance("hash $request_uri;") == ("hash", "url", "map-based")


def test_ip_hash_names_the_24_network(tmp_path: Path) -> None:
    pool = _pool(tmp_path, "ip_hash;").pool("chat")
    assert pool is not None and pool.balance.key is not None
    assert "first three octets" in pool.balance.key.text and "/24" in pool.balance.key.text


def test_a_computed_hash_key_is_outside_the_model(tmp_path: Path) -> None:
    pool = _pool(tmp_path, "hash $cookie_a$remote_addr;").pool("chat")
    assert pool is not None
    assert [type(s) for s in pool.request_steps] == [Opaque]


def test_cookie_variables_read_the_first_cookie_in_any_case() -> None:
    sample = Sample("req.cook", "JSESSIONID", nocase=True)
    request = Request("GET", "/api", "198.51.100.1", False)
    request.add("cookie", "jsessionid=first; JSESSIONID=second")
    assert sample_value(sample, request, None) == "first"
    assert sample_value(Sample("req.cook", "JSESSIONID"), request, None) == "second"
    response = Response(200, "10.0.0.11:8080")
    response.add("set-cookie", "JSessionId=abc; Path=/")
    assert sample_value(Sample("res.cook", "JSESSIONID", nocase=True), request, response) == "abc"


def test_sticky_cookie_is_an_inserted_lb_cookie(tmp_path: Path) -> None:
    lb = _pool(tmp_path, "sticky cookie srv_id expires=1h path=/ httponly;", plus=True)
    pool = lb.pool("chat")
    assert pool is not None
    cookie = pool.persistence.cookie
    assert cookie is not None
    assert (cookie.name.value, cookie.mode.value, cookie.encoded) == ("srv_id", "insert", True)
    assert cookie.max_age is not None and cookie.max_age.value == 3600
    assert cookie.path is not None and cookie.path.value == "/"
    assert all(server.cookie is not None for server in pool.servers)


def test_sticky_learn_is_a_learning_table(tmp_path: Path) -> None:
    lb = _pool(
        tmp_path,
        "sticky learn create=$upstream_cookie_JSESSIONID lookup=$cookie_JSESSIONID "
        "zone=sessions:2m timeout=30m;",
        plus=True,
    )
    pool = lb.pool("chat")
    assert pool is not None
    rules = pool.persistence.stick_rules
    assert [(r.action, r.key.fetch, r.key.arg, r.table) for r in rules] == [
        ("store-response", "res.cook", "JSESSIONID", "zone sessions"),
        ("match", "req.cook", "JSESSIONID", "zone sessions"),
    ]
    (table,) = lb.tables
    assert table.size == 8000
    assert table.expire is not None and table.expire.value == 1800


def test_sticky_route_is_outside_the_model(tmp_path: Path) -> None:
    pool = _pool(tmp_path, "sticky route $route_cookie $route_uri;", plus=True).pool("chat")
    assert pool is not None
    assert [type(s) for s in pool.request_steps] == [Opaque]


def _held(lb: LoadBalancer, path: str) -> list[str]:
    request = Request("GET", path, "198.51.100.1", False)
    (service,) = lb.services
    routes = [
        r.text.split(" {")[0] for r in service.routes if condition_holds(r.when, request, None, {})
    ]
    answers = [
        s.text
        for s in service.request_steps
        if isinstance(s, Answer) and condition_holds(s.when, request, None, {})
    ]
    return routes + answers


def test_location_precedence_is_nginx_s(tmp_path: Path) -> None:
    server = """server {
    location = /api { proxy_pass http://chat; }
    location /api/ { proxy_pass http://chat; }
    location ^~ /api/static/ { root /x; }
    location ~ \\.php$ { proxy_pass http://chat; }
    location /api/chat/ { proxy_pass http://chat; }
    location / { proxy_pass http://chat; }
}"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    assert _held(lb, "/api") == ["location = /api"]
    assert _held(lb, "/api/chat/poll") == ["location /api/chat/"]
    assert _held(lb, "/api/chat/x.php") == ["location ~ \\.php$"]
    assert _held(lb, "/api/static/x.php") == [
        "location ^~ /api/static/: nginx answers with its own files (no proxy_pass)"
    ]
    assert _held(lb, "/other") == ["location /"]
    # ;jsessionid= stays in the URI nginx matches: "= /api" does not match it
    assert _held(lb, "/api;jsessionid=1") == ["location /"]


def test_nested_regex_locations_come_before_outer_ones(tmp_path: Path) -> None:
    server = """server {
    location ~ /poll { proxy_pass http://chat; }
    location /api/ {
        location ~ /api/chat { proxy_pass http://chat; }
        proxy_pass http://chat;
    }
}"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    assert _held(lb, "/api/chat/poll") == ["location ~ /api/chat"]
    assert _held(lb, "/x/poll") == ["location ~ /poll"]


def test_proxy_pass_uri_replaces_the_matched_prefix(tmp_path: Path) -> None:
    server = "server { location /chat/ { proxy_pass http://chat/api/; } }"
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    (route,) = lb.services[0].routes
    pool = lb.pool(route.pool)
    assert pool is not None and route.pool != "chat"
    (step,) = pool.request_steps
    assert isinstance(step, SetPath) and step.pattern == "^/chat/(.*)$"


def test_proxy_pass_to_an_address_is_a_pool_of_one(tmp_path: Path) -> None:
    lb = _lb(tmp_path, "server { location / { proxy_pass http://10.0.0.9:8080; } }")
    pool = lb.pool("10.0.0.9:8080")
    assert pool is not None and [s.node for s in pool.servers] == ["10.0.0.9:8080"]


def test_proxy_pass_with_variables_is_outside_the_model(tmp_path: Path) -> None:
    lb = _lb(tmp_path, "server { location / { proxy_pass http://$host; } }")
    assert [type(s) for s in lb.services[0].request_steps] == [Opaque]


def test_header_directives_are_inherited_only_by_levels_without_their_own(tmp_path: Path) -> None:
    server = """proxy_set_header Cookie "";
proxy_hide_header Set-Cookie;
server {
    location /a/ { proxy_pass http://chat; }
    location /b/ { proxy_set_header X-A 1; proxy_pass http://chat; }
}"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    pools = {r.text.split(" {")[0]: lb.pool(r.pool) for r in lb.services[0].routes}
    a, b = pools["location /a/"], pools["location /b/"]
    assert a is not None and b is not None
    assert [(s.action, s.header) for s in a.request_steps if isinstance(s, HeaderEdit)] == [
        ("del", "cookie")
    ]
    assert [s for s in b.request_steps if isinstance(s, HeaderEdit)] == []
    assert [(s.action, s.header) for s in b.response_steps if isinstance(s, HeaderEdit)] == [
        ("del", "set-cookie")
    ]


def test_cookie_edits(tmp_path: Path) -> None:
    server = """server { location / {
    proxy_set_header Cookie "$http_cookie; a=b";
    proxy_cookie_path /app/ /;
    add_header Set-Cookie "x=1";
    proxy_pass http://chat;
} }"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    pool = lb.pool(lb.services[0].routes[0].pool)
    assert pool is not None
    (cookie,) = pool.request_steps
    assert isinstance(cookie, HeaderEdit) and cookie.dynamic and cookie.template
    path, added = pool.response_steps
    assert isinstance(path, HeaderEdit) and path.action == "replace-header"
    assert isinstance(added, HeaderEdit) and (added.action, added.value) == ("add", "x=1")


def test_rewrite_phase_directives(tmp_path: Path) -> None:
    server = """server {
    location /a/ { return 301 https://x; }
    location /b/ { rewrite ^/b/(.*)$ /c/$1 last; proxy_pass http://chat; }
    location /c/ { rewrite ^/c/(.*)$ /api/$1 break; proxy_pass http://chat; }
    location /d/ { rewrite ^ https://x/ redirect; }
    location /e/ { rewrite ^ /x?a=1; proxy_pass http://chat; }
}"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    steps = {s.text: s for s in lb.services[0].request_steps}
    assert isinstance(steps["return 301 https://x"], Answer)
    last = steps["rewrite ^/b/(.*)$ /c/$1 last"]
    assert isinstance(last, SetPath) and (last.pattern, last.value) == ("^/b/(.*)$", "/c/\\1")
    redirect = steps["rewrite ^ https://x/ redirect"]
    assert isinstance(redirect, Answer) and redirect.status == 302
    assert isinstance(steps["rewrite ^ /x?a=1"], Opaque)
    (route,) = [r for r in lb.services[0].routes if r.text.startswith("location /c/")]
    pool = lb.pool(route.pool)
    assert pool is not None
    assert [s.text for s in pool.request_steps] == ["rewrite ^/c/(.*)$ /api/$1 break"]


def test_a_cache_that_shares_responses_answers_the_app_path(tmp_path: Path) -> None:
    def steps(extra: str) -> list[str]:
        server = f"server {{ location / {{ proxy_cache z; {extra} proxy_pass http://chat; }} }}"
        lb = _lb(tmp_path, UPSTREAM % "" + server)
        return [type(s).__name__ for s in lb.services[0].request_steps]

    assert steps("") == []  # nothing is cached without a validity (the app sends none)
    assert steps("proxy_cache_valid 200 1m;") == ["Answer"]
    assert steps("proxy_cache_valid 1m; proxy_cache_key $cookie_JSESSIONID$uri;") == []
    assert steps("proxy_cache_valid any 1m; proxy_cache_bypass $arg_x;") == ["Opaque"]


def test_plus_and_third_party_directives(tmp_path: Path) -> None:
    main = "load_module modules/ngx_http_headers_more_filter_module.so;\n"
    server = "server { location / { more_clear_headers Set-Cookie; proxy_pass http://chat; } }"
    lb = _lb(tmp_path, UPSTREAM % "zone chat 64k;\n    ntlm;" + server, main, plus=True)
    steps = lb.services[0].request_steps
    assert [type(s) for s in steps] == [Opaque]
    assert any("not evaluated" in note for note in lb.notes)
    assert any("NGINX Plus" in note for note in lb.notes)


def _refusals(tmp_path: Path, http: str, main: str = "") -> list[str]:
    text = f"{main}events {{}}\nhttp {{\n{http}\n}}\n"
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    result = load_nginx([(str(path), text)], Includes(tmp_path, tmp_path))
    return [f"{e.span.line}: {e.reason}" for e in result.errors]


PLUS_HINT = "(NGINX Plus only: set `nginx_plus: true` in tcommlint.yaml if this runs on NGINX Plus)"


def test_open_source_nginx_refuses_plus_directives_and_parameters(tmp_path: Path) -> None:
    # Debian's nginx 1.22: `unknown directive "sticky"`, `invalid parameter "route=p1"`,
    # `"resolver" directive is not allowed here` (open-source nginx has it outside upstream).
    assert _refusals(tmp_path, UPSTREAM % "sticky cookie srv_id;" + SERVER) == [
        f'4: unknown directive "sticky" {PLUS_HINT}'
    ]
    route = "upstream chat { server 10.0.0.1:80 route=p1; }\n" + SERVER
    assert _refusals(tmp_path, route) == [f'3: invalid parameter "route=p1" {PLUS_HINT}']
    resolver = UPSTREAM % "resolver 10.0.0.53;" + SERVER
    assert _refusals(tmp_path, resolver) == [
        f'4: "resolver" directive is not allowed here {PLUS_HINT}'
    ]
    health = "server { location / { proxy_pass http://chat; health_check; } }"
    assert _refusals(tmp_path, UPSTREAM % "" + health) == [
        f'8: unknown directive "health_check" {PLUS_HINT}'
    ]


def test_a_third_party_module_may_define_a_plus_name(tmp_path: Path) -> None:
    # nginx-sticky-module-ng defines its own `sticky`: with a module nginx does not build,
    # the directive is not evaluated (TC008), never refused nor modelled as NGINX Plus's.
    main = "load_module modules/ngx_http_sticky_module.so;\n"
    lb = _lb(tmp_path, UPSTREAM % "sticky name=route;" + SERVER, main)
    pool = lb.pool("chat")
    assert pool is not None and pool.persistence.cookie is None
    assert [type(s) for s in pool.request_steps] == [Opaque]


def test_if_blocks_are_conditional_steps(tmp_path: Path) -> None:
    server = """server { location / {
    if ($request_method = OPTIONS) { add_header X-A 1; return 204; }
    if (-f $request_filename) { rewrite ^ /static; }
    proxy_pass http://chat;
} }"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    answer, opaque = lb.services[0].request_steps
    assert isinstance(answer, Answer) and answer.status == 204
    get = Request("GET", "/api", "198.51.100.1", False)
    options = Request("OPTIONS", "/api", "198.51.100.1", False)
    assert not condition_holds(answer.when, get, None, {})
    assert condition_holds(answer.when, options, None, {})
    assert isinstance(opaque, Opaque) and opaque.text == "rewrite ^ /static"
    assert condition_holds(opaque.when, get, None, {})  # the location is outside the model


def test_try_files_falls_back_to_the_named_location(tmp_path: Path) -> None:
    server = """server {
    location / { try_files $uri $uri/ @app; }
    location @app { proxy_pass http://chat; }
    location /static/ { try_files $uri =404; }
}"""
    lb = _lb(tmp_path, UPSTREAM % "" + server)
    assert _held(lb, "/api/chat") == ["location @app"]
    assert _held(lb, "/static/x") == ["try_files $uri =404"]


def test_unknown_variables_are_refused_as_nginx_does(tmp_path: Path) -> None:
    # Each case checked with Debian's `nginx -t` (1.22.1): `unknown "remote_adr" variable`.
    def refused(server_body: str, http: str = "") -> list[str]:
        site = f"server {{ listen 80; location / {{ {server_body} }} }}\n"
        return _refusals(tmp_path, UPSTREAM % "" + http + site)

    assert refused("proxy_pass http://chat; add_header X $remote_adr;") == [
        '8: unknown "remote_adr" variable'
    ]
    assert refused("rewrite ^/(.*)$ /$1$Foo_Bar last;") == ['8: unknown "foo_bar" variable']
    assert refused("add_header X $geoip_country_code;") == [
        '8: unknown "geoip_country_code" variable'
    ]
    # known: any case, prefixes even bare, captures, names a later directive or regex makes
    assert refused("return 200 $Host$1$cookie_$arg_x$upstream_http_x$sent_http_y;") == []
    assert refused("return 200 $made;", "map $uri $made { default 1; }\n") == []
    assert refused('if ($http_cookie ~* "\\.(?<route>p[0-9])") { return 200 $route; }') == []
    assert refused('if ($http_cookie ~ "$not_a_value") { return 204; }') == []


def test_unknown_variables_are_not_judged_where_a_module_may_define_them(
    tmp_path: Path,
) -> None:
    # a third-party module (or NGINX Plus) may define more variables: not refused
    site = "server { listen 80; location / { proxy_pass http://chat; add_header X $foo; } }\n"
    main = "load_module modules/ngx_http_lua_module.so;\n"
    assert _refusals(tmp_path, UPSTREAM % "" + site, main) == []
    text = f"events {{}}\nhttp {{\n{UPSTREAM % ''}{site}}}\n"
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    result = load_nginx([(str(path), text)], Includes(tmp_path, tmp_path), plus=True)
    assert result.errors == ()


def test_cookie_path_prefix_keeps_its_case_and_domain_ignores_case(tmp_path: Path) -> None:
    # Debian's nginx 1.22 (blind trial 34): `proxy_cookie_path /API /chat;` leaves
    # `Path=/api` alone (ngx_rstrncmp); the attribute's name is read in any case.
    from tcommlint.pipeline.rewrite import replaced

    def rewritten(directive: str, set_cookie: str) -> str:
        server = f"server {{ location / {{ {directive} proxy_pass http://chat; }} }}"
        lb = _lb(tmp_path, UPSTREAM % "" + server)
        pool = lb.pool(lb.services[0].routes[0].pool)
        assert pool is not None
        (edit,) = pool.response_steps
        assert isinstance(edit, HeaderEdit)
        return replaced(edit.pattern, edit.value, set_cookie)

    cookie = "JSESSIONID=a.p1; PATH=/api; HttpOnly"
    assert rewritten("proxy_cookie_path /API /chat;", cookie) == cookie
    assert rewritten("proxy_cookie_path /api /chat;", cookie) == (
        "JSESSIONID=a.p1; PATH=/chat; HttpOnly"
    )
    domain = "proxy_cookie_domain Backend.local example.com;"
    assert rewritten(domain, "a=1; domain=.backend.LOCAL; Path=/") == (
        "a=1; domain=.example.com; Path=/"
    )
    assert rewritten(domain, "a=1; Domain=backend.local.x") == "a=1; Domain=backend.local.x"


def test_retrying_on_404_is_the_pools_retry(tmp_path: Path) -> None:
    def retry(directives: str) -> Retry | None:
        server = f"server {{ location / {{ {directives} proxy_pass http://chat; }} }}"
        lb = _lb(tmp_path, UPSTREAM % "" + server)
        assert lb.services[0].request_steps == ()
        pool = lb.pool(lb.services[0].routes[0].pool)
        assert pool is not None
        return pool.retry

    assert retry("proxy_next_upstream error timeout;") is None
    found = retry("proxy_next_upstream error http_404;")
    assert found is not None and (found.non_idempotent, found.tries) == (False, 0)
    found = retry("proxy_next_upstream http_404 non_idempotent; proxy_next_upstream_tries 1;")
    assert found is not None and (found.non_idempotent, found.tries) == (True, 1)


# --- the jvmRoute recipes: maps and ifs that name an upstream --------------------------------

NODES = "".join(f"upstream node{n} {{ server 10.0.0.1{n}:8080; }}\n" for n in (1, 2))


def _routes(lb: LoadBalancer) -> list[tuple[str, int]]:
    return [(rule.pool.split(" ")[0], rule.span.line) for rule in lb.services[0].routes]


def _routed(lb: LoadBalancer, cookie: str) -> str:
    request = Request("GET", "/api/chat", "198.51.100.1", False)
    if cookie:
        request.add("cookie", f"JSESSIONID={cookie}")
    rule = next(r for r in lb.services[0].routes if condition_holds(r.when, request, None, {}))
    return rule.pool


def _mapped(
    tmp_path: Path, entries: str, extra: str = "", url: str = "http://$route"
) -> LoadBalancer:
    block = "map $cookie_JSESSIONID $route {\n" + entries + "}\n"
    server = f"server {{ location /api/ {{ {extra} proxy_pass {url}; }} }}\n"
    return _lb(tmp_path, block + UPSTREAM % "" + NODES + server)


def test_a_map_naming_upstreams_is_one_route_per_entry_in_nginx_s_order(tmp_path: Path) -> None:
    entries = "default chat;\n~\\.p1$ node1;\n~*\\.P2$ node2;\nA.P2 node1;\nb.p2 node1;\n"
    lb = _mapped(tmp_path, entries)
    # exact keys (one test per value) before the regexes in order, the default last
    assert _routes(lb) == [("node1", 7), ("node1", 5), ("node2", 6), ("chat", 4)]
    assert not any(isinstance(s, Opaque) for s in lb.services[0].request_steps)
    assert _routed(lb, "ABC.p1") == "node1"
    assert _routed(lb, "ABC.p2") == "node2"  # ~* ignores case
    assert _routed(lb, "a.p2") == "node1"  # an exact key ignores case, and wins over regexes
    assert _routed(lb, "ABC.P1") == "chat"  # ~ does not ignore case
    assert _routed(lb, "") == "chat"


def test_a_map_regex_is_not_tried_on_an_empty_value(tmp_path: Path) -> None:
    lb = _mapped(tmp_path, "default chat;\n~^$ node1;\n")
    request = Request("GET", "/api/chat", "198.51.100.1", False)
    request.add("cookie", "JSESSIONID=")
    rule = next(r for r in lb.services[0].routes if condition_holds(r.when, request, None, {}))
    assert rule.pool == "chat"


def _outside(lb: LoadBalancer) -> tuple[str, int]:
    (opaque,) = [s for s in lb.services[0].request_steps if isinstance(s, Opaque)]
    return opaque.reason, opaque.span.line


def test_what_the_model_cannot_follow_in_a_map_stays_outside_at_its_line(tmp_path: Path) -> None:
    reason, line = _outside(_mapped(tmp_path, "default nowhere;\n~\\.p1$ node1;\n"))
    assert line == 4 and "'nowhere' names no upstream" in reason
    reason, line = _outside(_mapped(tmp_path, "~\\.p1$ node1;\n"))  # no default: empty value
    assert line == 3 and "an empty value names no upstream" in reason
    reason, line = _outside(_mapped(tmp_path, "default chat;\n~\\.p1\\z node1;\n"))
    assert line == 5 and "PCRE" in reason  # Python's re has no \z
    reason, line = _outside(_mapped(tmp_path, "default chat;\n~\\.(?<r>p1)$ $r;\n"))
    assert line == 5 and "computed" in reason
    reason, line = _outside(_mapped(tmp_path, "hostnames;\ndefault chat;\n"))
    assert line == 4 and "hostnames" in reason
    reason, line = _outside(_mapped(tmp_path, "default chat;\n", "set $route node1;"))
    assert line == 3 and "'set $route'" in reason
    reason, _ = _outside(_mapped(tmp_path, "default chat;\n", url="http://$route/"))
    assert "computed from variables" in reason  # a URI part replaces the request's


def test_ifs_that_each_proxy_pass_to_an_upstream_are_routes(tmp_path: Path) -> None:
    server = """server { location /api/ {
    if ($cookie_JSESSIONID ~ "\\.p1$") { proxy_pass http://node1; }
    if ($http_cookie ~ "JSESSIONID=[^;]*\\.p2(;|$)") { proxy_pass http://node2; }
    proxy_pass http://chat;
} }"""
    lb = _lb(tmp_path, UPSTREAM % "" + NODES + server)
    assert lb.services[0].request_steps == ()
    assert _routes(lb) == [("node2", 12), ("node1", 11), ("chat", 10)]  # the last if holding wins
    assert _routed(lb, "A.p1") == "node1"
    assert _routed(lb, "A.p2") == "node2"  # the regex keeps its own ")"
    assert _routed(lb, "A") == "chat"


def test_ifs_without_the_location_s_proxy_pass_answer_the_other_requests(tmp_path: Path) -> None:
    server = """server { location /api/ {
    if ($cookie_JSESSIONID ~ "\\.p1$") { proxy_pass http://node1; }
} }"""
    lb = _lb(tmp_path, UPSTREAM % "" + NODES + server)
    (answer,) = lb.services[0].request_steps
    assert isinstance(answer, Answer) and answer.status == 404
    with_route = Request("GET", "/api/chat", "198.51.100.1", False)
    with_route.add("cookie", "JSESSIONID=A.p1")
    assert not condition_holds(answer.when, with_route, None, {})
    assert condition_holds(
        answer.when, Request("GET", "/api/chat", "198.51.100.1", False), None, {}
    )


def test_an_if_that_does_more_than_route_keeps_the_location_outside(tmp_path: Path) -> None:
    server = """server { location /api/ {
    if ($cookie_JSESSIONID ~ "\\.p1$") { proxy_pass http://node1; }
    if ($arg_debug) { rewrite ^ /debug; }
    proxy_pass http://chat;
} }"""
    lb = _lb(tmp_path, UPSTREAM % "" + NODES + server)
    steps = lb.services[0].request_steps
    assert [s.text for s in steps if isinstance(s, Opaque)] == [
        "proxy_pass http://node1",
        "rewrite ^ /debug",
    ]
