"""The nginx reader: tokens with positions, includes with globs, and what ``nginx -t`` refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.loaders.nginx.reader import read_nginx
from tcommlint.loaders.nginx.table import definitions
from tcommlint.model import ReadError


def test_words_keep_their_positions_quotes_and_escapes() -> None:
    text = 'http {\n  add_header X-A "a b\\"c" ;\n  set $x ${host}y;# c\n  # all}\n}\n'
    (http,) = read_nginx("n.conf", text)
    assert http.block is not None
    header, variable = http.block
    assert [(w.text, w.line, w.column, w.quoted) for w in header.args] == [
        ("X-A", 2, 14, False),
        ('a b"c', 2, 18, True),
    ]
    assert variable.values == ("$x", "${host}y")
    assert variable.span.line == 3


def test_a_brace_inside_a_word_is_part_of_it() -> None:
    (directive,) = read_nginx("n.conf", "return 200 a}b;\n")
    assert directive.values == ("200", "a}b")


def test_lua_blocks_are_skipped_as_lua() -> None:
    text = 'location / {\n  content_by_lua_block {\n    ngx.say("}") -- }\n  }\n  root /x;\n}\n'
    (location,) = read_nginx("n.conf", text)
    assert location.block is not None
    assert [d.name.text for d in location.block] == ["content_by_lua_block", "root"]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("http {\n  server {\n}\n", 4, 'unexpected end of file, expecting "}"'),
        ("events {}\n}\n", 2, 'unexpected "}"'),
        ("listen 80\n", 2, 'unexpected end of file, expecting ";" or "}"'),
        ('return "a"b;\n', 1, 'unexpected "b"'),
        ("return 200 }\n", 1, 'unexpected "}"'),
        ("{\n", 1, 'unexpected "{"'),
    ],
)
def test_syntax_errors_are_nginx_sentences(text: str, line: int, reason: str) -> None:
    with pytest.raises(ReadError) as raised:
        read_nginx("n.conf", text)
    assert (raised.value.line, raised.value.reason) == (line, reason)


def test_the_table_comes_from_the_sources_with_plus_directives() -> None:
    table = definitions()
    (proxy_pass, *_) = table["proxy_pass"]
    assert proxy_pass.contexts == {"location", "if-location", "limit_except"}
    assert {d.load_module for d in table["stream"]} == {"ngx_stream_module.so"}
    assert all(d.plus for d in table["sticky"])
    assert len(table) > 600


def _load(root: Path, files: dict[str, str], plus: bool = False) -> tuple[list[str], list[str]]:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    sources = [(str(root / name), text) for name, text in files.items()]
    result = load_nginx(sources, Includes(root, root), plus)
    errors = [f"{Path(e.span.path).name}:{e.span.line}: {e.reason}" for e in result.errors]
    paths = [path for lb in result.load_balancers for path in lb.paths]
    return errors, paths


MAIN = "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"


def test_includes_are_relative_to_the_main_file_and_are_not_roots(tmp_path: Path) -> None:
    files = {
        "lb/nginx.conf": MAIN,
        "lb/conf.d/b.conf": "server { listen 80; location / { proxy_pass http://chat; } }\n",
        "lb/conf.d/a.conf": "upstream chat { server 10.0.0.1:8080; }\n",
    }
    errors, paths = _load(tmp_path, files)
    assert errors == []
    assert [Path(p).name for p in paths] == ["nginx.conf", "a.conf", "b.conf"]


def test_a_missing_include_and_a_cycle_are_refused(tmp_path: Path) -> None:
    errors, _ = _load(tmp_path, {"lb/nginx.conf": "events {}\ninclude other.conf;\n"})
    assert errors == [
        f'nginx.conf:2: open() "{tmp_path}/lb/other.conf" failed (2: No such file or directory)'
    ]
    cycle = {"lb/nginx.conf": "events {}\ninclude a.conf;\n", "lb/a.conf": "include a.conf;\n"}
    errors, _ = _load(tmp_path, cycle)
    assert errors and "include cycle" in errors[0]


@pytest.mark.parametrize(
    ("http", "reason"),
    [
        ("lua_shared_dict x 1m;", 'unknown directive "lua_shared_dict"'),
        ("listen 80;", '"listen" directive is not allowed here'),
        ("server { listen; }", 'invalid number of arguments in "listen" directive'),
        ("gzip maybe;", 'invalid value "maybe" in "gzip" directive, it must be "on" or "off"'),
        (
            "upstream u { server 10.0.0.1; }\nupstream U { server 10.0.0.2; }",
            'duplicate upstream "U"',
        ),
        (
            "upstream u { ip_hash; server 10.0.0.1 backup; }",
            'balancing method does not support parameter "backup"',
        ),
        ("upstream u { server 10.0.0.1 weight=0; }", 'invalid parameter "weight=0"'),
        (
            "server { location / { proxy_pass http://nosuch; } }",
            'host not found in upstream "nosuch"',
        ),
        (
            "upstream u { server 10.0.0.1; }\nserver { location / { proxy_pass http://u:80; } }",
            'upstream "u" may not have port 80',
        ),
        (
            "server { location ~ /a { proxy_pass http://10.0.0.1/b; } }",
            '"proxy_pass" cannot have URI part in location given by regular expression',
        ),
        ("server { location / { proxy_pass http://10.0.0.1 } }", 'unexpected "}"'),
        ("server { location /a { location /b { } } }", 'location "/b" is outside location "/a"'),
        ("server { listen 443 ssl; }", 'no "ssl_certificate" is defined for the "listen ... ssl"'),
        (
            "server { listen 80 default_server; }\nserver { listen *:80 default_server; }",
            "a duplicate default server for 0.0.0.0:80",
        ),
        (
            "map ${cookie_srv-id} $pool { default a; }",
            'the closing bracket in "cookie_srv" variable is missing',
        ),
        (
            "server { location / { if ($cookie_a) { proxy_pass http://10.0.0.1:1/x; } } }",
            '"proxy_pass" cannot have URI part in location given by regular expression',
        ),
    ],
)
def test_what_nginx_t_refuses_is_a_parse_error(tmp_path: Path, http: str, reason: str) -> None:
    errors, paths = _load(tmp_path, {"lb/nginx.conf": f"events {{}}\nhttp {{\n{http}\n}}\n"})
    assert paths == []
    assert len(errors) == 1 and reason in errors[0], errors


def test_a_main_file_needs_events(tmp_path: Path) -> None:
    errors, _ = _load(tmp_path, {"lb/nginx.conf": "worker_processes 1;\nhttp {\n}\n"})
    assert errors == ['nginx.conf:1: no "events" section in configuration']


def test_stream_needs_its_module_unless_nginx_plus_runs_the_file(tmp_path: Path) -> None:
    stream = "events {}\nstream { server { listen 1; proxy_pass 10.0.0.1:1; } }\n"
    errors, _ = _load(tmp_path, {"lb/nginx.conf": stream})
    assert errors == ['nginx.conf:2: unknown directive "stream"']
    loaded = "load_module modules/ngx_stream_module.so;\n" + stream
    assert _load(tmp_path, {"lb/nginx.conf": loaded})[0] == []
    plus = stream.replace(
        "events {}", "events {}\nhttp { upstream u { server 10.0.0.1; sticky cookie s; } }"
    )
    assert _load(tmp_path, {"lb/nginx.conf": plus}, plus=True)[0] == []
    hint = "(NGINX Plus only: set `nginx_plus: true` in tcommlint.yaml if this runs on NGINX Plus)"
    assert _load(tmp_path, {"lb/nginx.conf": plus})[0] == [
        f'nginx.conf:2: unknown directive "sticky" {hint}',
        'nginx.conf:3: unknown directive "stream"',
    ]


def test_third_party_directives_need_a_load_module(tmp_path: Path) -> None:
    text = (
        "load_module modules/ngx_http_lua_module.so;\nevents {}\nhttp { lua_shared_dict x 1m; }\n"
    )
    assert _load(tmp_path, {"lb/nginx.conf": text})[0] == []


def test_a_fragment_is_read_in_the_context_it_is_meant_for(tmp_path: Path) -> None:
    files = {
        "lb/server.conf": "server { listen 80; location / { proxy_pass http://10.0.0.1:8080; } }\n",
        "lb/upstream.conf": "upstream u { server 10.0.0.1; }\n",
        "lb/location.conf": "location /api { proxy_pass http://10.0.0.1:8080; }\n",
    }
    errors, paths = _load(tmp_path, files)
    assert errors == [] and len(paths) == 3


def test_nesting_is_bounded(tmp_path: Path) -> None:
    deep = "location / {\n" * 70 + "}\n" * 70
    with pytest.raises(ReadError) as raised:
        read_nginx("n.conf", "server {\n" + deep + "}\n")
    assert raised.value.reason == "more than 64 nested blocks"
    half = "location / {\n" * 40 + "include more.conf;\n" + "}\n" * 40
    files = {
        "lb/nginx.conf": "events {}\nhttp {\nserver {\n" + half + "}\n}\n",
        "lb/more.conf": "location / {\n" * 40 + "}\n" * 40,
    }
    errors, _ = _load(tmp_path, files)
    assert errors and "more than 64 nested blocks" in errors[0]


def test_absolute_includes_are_read_from_the_deployment_s_copy(tmp_path: Path) -> None:
    files = {
        "lb/nginx.conf": (
            "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n"
            "    include /etc/nginx/sites-enabled/*;\n}\n"
        ),
        "lb/sites-enabled/chat": "upstream u { server 10.0.0.1; }\n",
    }
    errors, paths = _load(tmp_path, files)
    assert errors == []
    assert [Path(p).name for p in paths] == ["nginx.conf", "chat"]


def test_a_misspelt_hash_parameter_is_refused(tmp_path: Path) -> None:
    http = "upstream u { hash $cookie_a consistant; server 10.0.0.1; }"
    errors, _ = _load(tmp_path, {"lb/nginx.conf": f"events {{}}\nhttp {{\n{http}\n}}\n"})
    assert errors == ['nginx.conf:3: invalid parameter "consistant"']
