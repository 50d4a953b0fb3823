"""``tcommlint check`` and ``show --trace`` on small nginx deployments: the verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_json, write_tree

BASE = "deployment:\n  name: chat\n  app_path: /api\n  session_cookie: JSESSIONID\n"
# The sticky cases are NGINX Plus's: open-source nginx refuses ``sticky`` (TC001).
MANIFEST = BASE + "  nginx_plus: true\n"
POOL = """events {}
http {
    upstream chat {
%s
        server 10.0.0.11:8080;
        server 10.0.0.12:8080;
    }
    server {
        listen 80;
        location / {
%s
            proxy_pass http://chat;
        }
    }
}
"""
LEARN = (
    "        sticky learn create=$upstream_cookie_JSESSIONID lookup=$cookie_JSESSIONID"
    " zone=sessions:1m timeout=1h;"
)


def _check(root: Path, conf: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int]]:
    write_tree(root, {"lb/nginx.conf": conf, "tcommlint.yaml": MANIFEST})
    _, report = run_json(["check", str(root), "--fail-on", "never"], capsys)
    return sorted(
        (f["rule"], f["location"]["line"]) for f in report["findings"] if f["rule"] != "TC006"
    )


@pytest.mark.parametrize(
    ("upstream", "location", "expected"),
    [
        ("", "", [("TC201", 3)]),
        ("        hash $cookie_JSESSIONID consistent;", "", [("TC209", 4)]),
        ("        hash $cookie_jsessionid;", "", [("TC209", 4)]),
        ("        ip_hash;", "", [("TC208", 4)]),
        (LEARN, "", []),
        ("        sticky cookie JSESSIONID expires=1h;", "", [("TC204", 4)]),
        ("        sticky cookie srv_id expires=1h;", "", []),
        (LEARN, '            proxy_set_header Cookie "";', [("TC215", 11)]),
        (LEARN, "            proxy_hide_header Set-Cookie;", [("TC215", 4)]),
    ],
)
def test_verdicts(
    upstream: str,
    location: str,
    expected: list[tuple[str, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _check(tmp_path / "d", POOL % (upstream, location), capsys) == expected


def test_location_precedence_sends_the_app_path_to_a_pool_without_persistence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = """events {}
http {
    upstream sticky { server 10.0.0.11:8080; server 10.0.0.12:8080; sticky cookie srv; }
    upstream plain { server 10.0.0.11:8080; server 10.0.0.12:8080; }
    server {
        location / { proxy_pass http://sticky; }
        location ~ ^/api/ { proxy_pass http://plain; }
    }
}
"""
    assert _check(tmp_path / "d", conf, capsys) == [("TC206", 4)]


def test_lua_on_the_app_path_is_not_evaluable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = "load_module modules/ngx_http_lua_module.so;\n" + POOL % (
        LEARN,
        "            access_by_lua_block {\n                ngx.var.x = 1\n            }",
    )
    assert _check(tmp_path / "d", conf, capsys) == [("TC008", 12)]


def test_what_nginx_refuses_is_tc001(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = POOL % ("        ip_hash;\n        server 10.0.0.13:8080 backup;", "")
    assert _check(tmp_path / "d", conf, capsys) == [("TC001", 5)]


def test_plus_directives_need_nginx_plus_in_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"lb/nginx.conf": POOL % (LEARN, ""), "tcommlint.yaml": BASE})
    _, report = run_json(["check", str(tmp_path), "--fail-on", "never"], capsys)
    (refused,) = [f for f in report["findings"] if f["rule"] == "TC001"]
    assert refused["location"]["line"] == 4
    assert 'unknown directive "sticky"' in refused["message"]
    assert "set `nginx_plus: true` in tcommlint.yaml" in refused["message"]


def test_show_trace_works_for_nginx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path / "d", {"lb/nginx.conf": POOL % (LEARN, ""), "tcommlint.yaml": MANIFEST})
    code, out, err = run_cli(["show", str(tmp_path / "d"), "--trace"], capsys)
    assert code == 0, err
    assert "learned" in out and "found in table zone sessions" in out


def test_stream_proxies_are_services_without_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = """load_module modules/ngx_stream_module.so;
events {}
stream {
    upstream by_address {
        hash $remote_addr consistent;
        server 10.0.0.11:8080;
        server 10.0.0.12:8080;
    }
    upstream rr { server 10.0.0.11:8080; server 10.0.0.12:8080; }
    map $ssl_preread_server_name $upstream_of_sni { default rr; }
    server { listen 80; proxy_pass by_address; }
    server { listen 81; proxy_pass rr; }
    server { listen 82; proxy_pass $upstream_of_sni; }
}
"""
    assert _check(tmp_path / "d", conf, capsys) == [("TC201", 9), ("TC208", 5)]


def test_a_secure_session_cookie_over_plain_http_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = POOL % (LEARN, "            proxy_cookie_flags JSESSIONID secure httponly;")
    assert _check(tmp_path / "d", conf, capsys) == [("TC215", 4)]  # never sent back
    conf = POOL % (LEARN, "            proxy_cookie_flags JSESSIONID samesite=strict;")
    assert _check(tmp_path / "e", conf, capsys) == []


NEXT_404 = "            proxy_next_upstream error timeout http_404;"


@pytest.mark.parametrize(
    ("upstream", "location", "expected"),
    [
        # a chat client sends its messages with POST: nginx does not pass a POST on (blind
        # trials 22 and 30: 40 and 35 of 50 POSTs failed), so the session breaks
        ("", NEXT_404, [("TC201", 3)]),
        ("        hash $cookie_JSESSIONID;", NEXT_404, [("TC209", 4)]),
        # with non_idempotent every request reaches the session's node (blind 37: 50 of 50)
        ("        least_conn;", NEXT_404.replace(";", " non_idempotent;"), []),
        (
            "",
            NEXT_404.replace(";", " non_idempotent;") + "\n proxy_next_upstream_tries 1;",
            [("TC201", 3)],
        ),
    ],
)
def test_retrying_404_keeps_a_session_only_if_posts_are_retried(
    upstream: str,
    location: str,
    expected: list[tuple[str, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_tree(tmp_path, {"lb/nginx.conf": POOL % (upstream, location), "tcommlint.yaml": BASE})
    _, report = run_json(["check", str(tmp_path), "--fail-on", "never"], capsys)
    found = sorted(
        (f["rule"], f["location"]["line"]) for f in report["findings"] if f["rule"] != "TC006"
    )
    assert found == expected


def test_ip_hash_names_the_slash_24_it_hashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"lb/nginx.conf": POOL % ("        ip_hash;", ""), "tcommlint.yaml": BASE})
    _, report = run_json(["check", str(tmp_path), "--fail-on", "never"], capsys)
    (message,) = [f["message"] for f in report["findings"] if f["rule"] == "TC208"]
    assert message.startswith(
        "chat keeps sessions only by client address (ip_hash hashes only the first three octets "
        "of an IPv4 address, so a whole /24 network goes to one server): users behind one NAT"
    )
