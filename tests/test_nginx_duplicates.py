"""A directive set twice in one block: ``"X" directive is duplicate`` at the second occurrence,
as ``nginx -t`` (Debian's 1.22) refuses it; never for a value of an enclosing block (inherited),
nor for an array directive (``proxy_set_header``, ``add_header``, a bitmask) given twice.

Each configuration's refused line holds ``# refused`` (in whichever file it is); the second
test runs the real ``nginx -t`` on the same files and finds the same words at the same line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.loaders.nginx.table import definitions
from tcommlint.records import NamedTuple
from tests.groundtruth import harness

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
MARK = "# refused"

MAIN = """\
pid nginx.pid;
error_log error.log;
{main}events {{
{events}}}
http {{
access_log off;
client_body_temp_path body_temp;
proxy_temp_path proxy_temp;
fastcgi_temp_path fastcgi_temp;
uwsgi_temp_path uwsgi_temp;
scgi_temp_path scgi_temp;
upstream chat {{
server 127.0.0.1:9001;
{upstream}}}
{http}server {{
listen 127.0.0.1:18999;
{server}location / {{
proxy_pass http://chat;
{location}}}
}}
}}
"""


def conf(**parts: str) -> str:
    """A whole nginx.conf with ``parts`` (main, events, upstream, http, server, location)."""
    blank = dict.fromkeys(("main", "events", "upstream", "http", "server", "location"), "")
    return MAIN.format(**{**blank, **parts})


class Case(NamedTuple):
    """A configuration (``nginx.conf`` and the files it includes) and nginx's words."""

    id: str
    text: str
    reason: str = ""  # "" when nginx accepts it
    files: tuple[tuple[str, str], ...] = ()

    def refused_at(self) -> tuple[str, int] | None:
        """The file (relative) and line marked ``# refused``."""
        for name, text in (("nginx.conf", self.text), *self.files):
            for number, line in enumerate(text.split("\n"), 1):
                if MARK in line:
                    return name, number
        return None


def dup(name: str) -> str:
    return f'"{name}" directive is duplicate'


TIMEOUTS = "proxy_read_timeout 30s;\nproxy_connect_timeout 5s;\n"

CASES = (
    Case(
        "flag-twice-in-a-location",
        conf(location="proxy_buffering on;\nproxy_buffering off; # refused\n"),
        dup("proxy_buffering"),
    ),
    Case(
        "time-twice-in-a-server",
        conf(server="proxy_read_timeout 30s;\nproxy_read_timeout 60s; # refused\n"),
        dup("proxy_read_timeout"),
    ),
    Case(
        "enum-twice-in-http",
        conf(http="proxy_http_version 1.0;\nproxy_http_version 1.1; # refused\n"),
        dup("proxy_http_version"),
    ),
    Case(
        "string-twice-in-http",
        conf(http="default_type text/plain;\ndefault_type text/html; # refused\n"),
        dup("default_type"),
    ),
    Case(
        "buffers-and-offsets-twice",
        conf(location="proxy_buffers 4 8k;\nproxy_buffers 8 8k; # refused\n"),
        dup("proxy_buffers"),
    ),
    Case(
        "keepalive-timeout-twice-in-http",  # a handler of its own (ngx_http_core_keepalive)
        conf(http="keepalive_timeout 65;\nkeepalive_timeout 70; # refused\n"),
        dup("keepalive_timeout"),
    ),
    Case(
        "keepalive-timeout-at-each-level-is-inherited",
        conf(
            http="keepalive_timeout 65;\nproxy_read_timeout 30s;\n",
            server="keepalive_timeout 70;\nproxy_read_timeout 40s;\n",
            location="keepalive_timeout 75;\nproxy_read_timeout 50s;\n",
        ),
    ),
    Case(
        "twice-in-one-block-through-an-include",
        conf(location="proxy_connect_timeout 2s;\ninclude snippets/timeouts.conf;\n"),
        dup("proxy_connect_timeout"),
        (
            (
                "snippets/timeouts.conf",
                "proxy_read_timeout 30s;\nproxy_connect_timeout 5s; # refused\n",
            ),
        ),
    ),
    Case(
        "one-snippet-in-two-blocks",
        conf(
            server="include snippets/timeouts.conf;\n", location="include snippets/timeouts.conf;\n"
        ),
        files=(("snippets/timeouts.conf", TIMEOUTS),),
    ),
    Case(
        "two-snippets-of-a-wildcard-in-one-block",
        conf(location="include snippets/*.conf;\n"),
        dup("proxy_read_timeout"),
        (
            ("snippets/a.conf", "proxy_read_timeout 30s;\n"),
            ("snippets/b.conf", "proxy_read_timeout 60s; # refused\n"),
        ),
    ),
    Case(
        "proxy-pass-in-a-location-and-its-if-is-not-a-duplicate",
        conf(location="if ($arg_x) {\nproxy_pass http://chat;\n}\n"),
    ),
    Case(
        "proxy-pass-twice-in-an-if",
        conf(
            location="if ($arg_x) {\nproxy_pass http://chat;\nproxy_pass http://a; # refused\n}\n"
        ),
        dup("proxy_pass"),
    ),
    Case(
        "proxy-pass-twice-in-a-location",
        conf(location="proxy_pass http://127.0.0.1:9002; # refused\n"),
        dup("proxy_pass"),
    ),
    Case(
        "rewrite-log-twice-in-a-server-if",
        conf(server="if ($arg_x) {\nrewrite_log on;\nrewrite_log off; # refused\n}\n"),
        dup("rewrite_log"),
    ),
    Case(
        "twice-in-limit-except",
        conf(location='limit_except GET {\nauth_basic "a";\nauth_basic "b"; # refused\n}\n'),
        dup("auth_basic"),
    ),
    Case(
        "arrays-repeat-legally",
        conf(
            location=(
                "proxy_set_header X-A 1;\nproxy_set_header X-A 2;\nadd_header X-B 1;\n"
                "add_header X-B 2;\nproxy_next_upstream error;\nproxy_next_upstream timeout;\n"
            )
        ),
    ),
    Case(
        "a-bad-second-value-is-a-duplicate-first",
        conf(location="proxy_read_timeout 5s;\nproxy_read_timeout bogus; # refused\n"),
        dup("proxy_read_timeout"),
    ),
    Case(
        "alias-after-root",
        conf(server="location /a/ {\nroot /srv;\nalias /srv/a/; # refused\n}\n"),
        '"alias" directive is duplicate, "root" directive was specified earlier',
    ),
    Case(
        "root-in-a-server-and-its-location",
        conf(server="root /srv;\nlocation /a/ {\nroot /srv/a;\n}\n"),
    ),
    Case(
        "nested-location-has-its-own-structures",
        conf(location="proxy_buffering off;\nlocation /x/ {\nproxy_buffering on;\n}\n"),
    ),
    Case(
        "upstream-keepalive-twice",
        conf(upstream="keepalive 4;\nkeepalive_timeout 5s;\nkeepalive_timeout 6s; # refused\n"),
        dup("keepalive_timeout"),
    ),
    Case(
        "two-servers-each-with-their-own",
        conf(
            server="client_max_body_size 1m;\n",
            http="server {\nlisten 127.0.0.1:18998;\nclient_max_body_size 2m;\n}\n",
        ),
    ),
    Case(
        "expires-twice-in-a-location",  # handlers of their own, each testing its field
        conf(location="expires 1h;\nexpires 2h; # refused\n"),
        dup("expires"),
    ),
    Case(
        "try-files-twice-in-a-server",
        conf(server="try_files $uri /a;\ntry_files $uri /b; # refused\n"),
        dup("try_files"),
    ),
    Case(
        "ssl-off-twice-in-a-server",  # ngx_http_ssl_enable: ngx_conf_set_flag_slot first
        conf(server="ssl off;\nssl off; # refused\n"),
        dup("ssl"),
    ),
    Case(
        "cache-key-twice-in-http",
        conf(http="proxy_cache_key $uri;\nproxy_cache_key $host$uri; # refused\n"),
        dup("proxy_cache_key"),
    ),
    Case(
        "worker-connections-twice",
        conf(events="worker_connections 64;\nworker_connections 128; # refused\n"),
        dup("worker_connections"),
    ),
    Case(
        "pid-twice-in-main",
        conf(main="pid other.pid; # refused\n"),
        dup("pid"),
    ),
    Case(
        "events-twice",
        conf() + "events { # refused\n}\n",
        dup("events"),
    ),
)


def _ids(cases: tuple[Case, ...]) -> list[str]:
    return [case.id for case in cases]


def _write(root: Path, case: Case) -> Path:
    main = root / "nginx.conf"
    main.write_text(case.text)
    for name, text in case.files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return main


def test_the_cases_are_unique_and_marked() -> None:
    assert len(set(_ids(CASES))) == len(CASES) >= 20
    for case in CASES:
        assert (case.refused_at() is None) is (case.reason == ""), case.id


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_tcommlint_refuses_the_second_occurrence(case: Case, tmp_path: Path) -> None:
    main = _write(tmp_path, case)
    result = load_nginx([(str(main), case.text)], Includes(tmp_path, tmp_path))
    found = [(e.span.path, e.span.line, e.reason) for e in result.errors]
    at = case.refused_at()
    if at is None:
        assert found == []
    else:
        shown = str(main) if at[0] == "nginx.conf" else at[0]  # an include: the deployment's name
        assert found == [(shown, at[1], case.reason)]


@pytest.mark.nginx
@needs_nginx
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_nginx_refuses_the_same_line_with_the_same_words(case: Case, tmp_path: Path) -> None:
    assert NGINX is not None
    main = _write(tmp_path, case)
    proc = subprocess.run(
        [NGINX, *harness.NGINX.check(main)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    emerg = [line.split(": ", 1)[1] for line in proc.stderr.splitlines() if "[emerg]" in line]
    at = case.refused_at()
    if at is None:
        assert proc.returncode == 0, emerg
        return
    assert emerg, proc.stderr
    found = re.fullmatch(r"(.*) in (\S+):(\d+)", emerg[0])
    assert found is not None, emerg
    assert found.groups() == (case.reason, str(tmp_path / at[0]), str(at[1]))


def test_only_built_in_modules_have_fields() -> None:
    """The stream and mail modules are not installed here: their refusals are not observed."""
    table = definitions()
    assert table["proxy_buffering"][0].field == "ngx_http_proxy_loc_conf_t.upstream.buffering"
    assert {d.field for d in table["root"] + table["alias"]} == {"ngx_http_core_loc_conf_t.root"}
    assert all(not d.field for d in table["proxy_set_header"] + table["proxy_next_upstream"])
    assert all(not d.field for entries in table.values() for d in entries if d.load_module)
