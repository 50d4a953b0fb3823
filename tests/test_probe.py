"""``tcommlint probe`` against real servers on loopback: Debian's haproxy in front of the
ground-truth harness's chat nodes (and nginx where cheap), TLS with a certificate made here,
a CONNECT proxy started here. Only 127.0.0.x addresses are ever contacted."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tcommlint.resources import schema
from tests.groundtruth.chat_backend import ChatBackend
from tests.groundtruth.harness import (
    APACHE,
    CHAT_PATHS,
    HAPROXY,
    NGINX,
    Ports,
    Program,
    Scenario,
    binary_of,
    chat_backends,
    check_config,
    drive_sessions,
    free_port,
    haproxy_binary,
    running_server,
    write_deployment,
)
from tests.groundtruth.matrix import DEFAULTS, FRONTEND, GLOBAL, MATRIX, Entry, servers

from conftest import SHARED, run_cli

needs_haproxy = pytest.mark.skipif(haproxy_binary() is None, reason="haproxy not installed")
PATH_FLAGS = [flag for path in CHAT_PATHS for flag in ("--path", path)]
FAST = ["--rate", "50"]
SARIF_SCHEMA = SHARED / "schemas-external" / "sarif-schema-2.1.0.json"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The probe honours proxy variables: none leak in from the machine running the tests."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))


Template = Callable[[Ports], str]


@contextlib.contextmanager
def serving(
    render: Template, nodes: list[ChatBackend], tmp: Path, program: Program = HAPROXY
) -> Iterator[int]:
    """The server (haproxy unless told) with ``render``'s configuration on a free 127.0.0.1
    port, in a directory of its own, until the block ends."""
    port = free_port()
    folder = tmp / f"{program.binary}-{port}"
    folder.mkdir()
    cfg = folder / program.config_name
    cfg.write_text(render(Ports(port, tuple(node.port for node in nodes))))
    accepted, output = check_config(cfg, program=program)
    assert accepted, output
    with running_server(cfg, port, program=program):
        yield port


def template(body: str, bind: str = "bind 127.0.0.1:@FE@", count: int = 2) -> Template:
    """A one-backend configuration: ``body`` inside ``backend be_api`` before the servers."""
    text = (
        GLOBAL
        + DEFAULTS
        + FRONTEND.replace("bind 127.0.0.1:@FE@", bind)
        + "backend be_api\n    balance roundrobin\n"
        + body
        + servers(count)
    )

    def render(ports: Ports) -> str:
        out = text.replace("@FE@", str(ports.frontend))
        for number, port in enumerate(ports.servers, start=1):
            out = out.replace(f"@S{number}@", str(port))
        return out

    return render


def probe(
    capsys: pytest.CaptureFixture[str], url: str, *flags: str, fmt: str = "json"
) -> tuple[int, Any, str]:
    """``tcommlint probe URL FLAGS --format FMT``: (exit code, parsed report or text, stderr)."""
    code, out, err = run_cli(["probe", url, *FAST, *flags, "--format", fmt], capsys)
    if fmt == "json" and code in (0, 1):
        return code, json.loads(out), err
    return code, out, err


def fired(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def broken_count(report: dict[str, Any]) -> int:
    return len(fired(report, "TC401"))


# --------------------------------------------------------------------------- the cookie jar


def test_jar_path_domain_host_only_and_order() -> None:
    from tcommlint.probe.jar import CookieJar

    jar = CookieJar(host="chat.example.com")
    jar.receive("A=1; Path=/api", "/api/chat")
    jar.receive("B=2", "/api/chat/poll")  # default path /api/chat
    jar.receive("C=3; Domain=example.com; Path=/", "/api")
    jar.receive("D=4; Domain=other.example; Path=/", "/api")  # refused: foreign domain
    assert jar.header("/api/chat/x") == "B=2; A=1; C=3"
    assert jar.header("/apix") == "C=3"
    assert jar.header("/api", host="www.example.com") == "C=3"  # A is host-only
    jar.receive("A=9; Path=/api", "/api")  # replaced, keeps its creation order
    assert jar.header("/api/chat/x") == "B=2; A=9; C=3"


def test_jar_expiry_secure_and_ip_domains() -> None:
    from tcommlint.probe.jar import CookieJar

    now = [100.0]
    jar = CookieJar(clock=lambda: now[0])
    jar.receive("S=1; Path=/; Max-Age=5", "/")
    jar.receive("E=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/")
    jar.receive("M=1; Path=/; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/")
    jar.receive("X=1; Path=/; Secure", "/")  # refused over http
    jar.receive("Y=1; Path=/; Domain=0.0.1", "/")  # an IP host matches only itself
    assert jar.header("/") == "S=1; M=1"
    now[0] = 106.0
    assert jar.header("/") == "M=1"
    jar.receive("M=; Path=/; Max-Age=0", "/")
    assert jar.header("/") == ""
    secure = CookieJar(secure_channel=True)
    secure.receive("X=1; Path=/; Secure", "/")
    assert secure.header("/") == "X=1"


# --------------------------------------------------------------------------- options and caps


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sessions", "101"], "--sessions must be between 1 and 100"),
        (["--requests", "51"], "--requests must be between 2 and 50"),
        (["--rate", "51"], "--rate must be between 0.1 and 50"),
        (["--concurrency", "17"], "--concurrency must be between 1 and 16"),
        (["--time-limit", "901"], "--time-limit must be between 1 and 900"),
        (["--pause", "601"], "--pause must be between 0 and 600"),
        (["--header", "Cookie: x=1"], "--header cannot set Cookie"),
        (["--insecure", "--cacert", "x.pem"], "exclude each other"),
        (["--header", "Bad Name: x"], "--header must be 'Name: value'"),
        (["--path", "/api chat"], "--path must be a path starting with '/'"),
        (["--rate", "nan"], "expected a finite number"),
    ],
)
def test_caps_and_bad_flags_are_refused(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["probe", "http://127.0.0.1:9/", *flags], capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HTTPS_PROXY`` for https, ``HTTP_PROXY`` for http (either case), ``NO_PROXY`` exempts
    hosts and domain suffixes; a user in the proxy's URL becomes Basic credentials."""
    import base64

    from tcommlint.errors import UsageError
    from tcommlint.probe.client import proxy_for

    monkeypatch.setenv("https_proxy", "http://user:p%40ss@127.0.0.1:3128")
    monkeypatch.setenv("HTTP_PROXY", "127.0.0.1:8000")
    monkeypatch.setenv("NO_PROXY", "internal.example, .corp.example")
    proxy = proxy_for("https", "lb.example")
    assert proxy is not None and (proxy.host, proxy.port) == ("127.0.0.1", 3128)
    assert proxy.headers() == {
        "Proxy-Authorization": "Basic " + base64.b64encode(b"user:p@ss").decode()
    }
    plain = proxy_for("http", "lb.example")
    assert plain is not None and (plain.port, plain.headers()) == (8000, {})
    assert proxy_for("https", "internal.example") is None
    assert proxy_for("https", "lb.corp.example") is None
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(UsageError, match="must be an http:// proxy"):
        proxy_for("http", "lb.example")


def test_unreachable_target_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    code, _, err = run_cli(["probe", f"http://127.0.0.1:{port}", "--sessions", "1"], capsys)
    assert code == 2 and "no answer from" in err and err.count("\n") == 1


def test_help_describes_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(["probe", "--help"], capsys)
    text = capsys.readouterr().out
    for flag in (
        "--sessions", "--requests", "--concurrency", "--rate", "--pause", "--path",
        "--session-cookie", "--login", "--post", "--cacert", "--insecure", "--header",
        "--timeout", "--time-limit", "--captcha", "--deployment", "--format", "--node-header",
        "--app-path", "--fail-on",
    ):  # fmt: skip
        assert flag in text, flag


# --------------------------------------------------------------------------- against haproxy


@needs_haproxy
@pytest.mark.parametrize(
    "body",
    [
        "    cookie SRV insert indirect nocache\n",
        "    cookie JSESSIONID prefix nocache\n",
        "    stick-table type string len 52 size 10k expire 30m\n"
        "    stick on req.cook(JSESSIONID)\n    stick store-response res.cook(JSESSIONID)\n",
    ],
    ids=["insert-srv", "prefix-jsessionid", "stick-learn"],
)
def test_sticky_configuration_gives_no_broken_session(
    body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with chat_backends(2) as nodes, serving(template(body), nodes, tmp_path) as port:
        code, report, _ = probe(
            capsys, f"http://127.0.0.1:{port}", *PATH_FLAGS, "--sessions", "8", "--concurrency", "4"
        )
    assert code == 0, report["findings"]
    assert broken_count(report) == 0
    summary = fired(report, "TC400")[0]["message"]
    assert "8 kept, 0 broken" in summary and "p1: 4, p2: 4" in summary


BROKEN = {
    "no-persistence": "",
    "insert-postonly": "    cookie SRV insert postonly indirect\n",
    "stick-on-without-learning": "    stick-table type string len 52 size 10k expire 30m\n"
    "    stick on req.cook(JSESSIONID)\n",
    "lowercase-cookie-name": "    cookie jsessionid prefix nocache\n",
}


@needs_haproxy
@pytest.mark.parametrize("body", BROKEN.values(), ids=BROKEN.keys())
def test_broken_configuration_breaks_as_many_sessions_as_the_harness_sees(
    body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One session after another, so that round-robin makes both runs deterministic."""
    scenario = Scenario(sessions=6, requests=4, interleaved=False)
    with chat_backends(2) as nodes:
        with serving(template(body), nodes, tmp_path) as port:
            harness = drive_sessions(port, scenario)
        with serving(template(body), nodes, tmp_path) as port:
            flags = [*PATH_FLAGS, "--sessions", "6", "--requests", "4"]
            code, report, _ = probe(capsys, f"http://127.0.0.1:{port}", *flags)
    harness_broken = sum(1 for session in harness if not session.kept)
    assert harness_broken > 0
    assert code == 1
    assert broken_count(report) == harness_broken
    for finding in fired(report, "TC401"):
        assert "broke at request 2" in finding["message"]


def _comparable(entry: Entry) -> bool:
    """Entries whose haproxy verdict does not depend on the client's timing or shape."""
    simple = entry.scenario == Scenario() and entry.environments == ({},)
    return simple and not (entry.client_differs or entry.haproxy_varies or entry.outside_model)


VERDICT_ENTRIES = [
    "rr-no-persistence", "rr-no-persistence-3", "leastconn-no-persistence", "insert-srv",
    "insert-srv-plain", "insert-srv-3-maxidle", "insert-srv-no-server-cookies",
    "prefix-jsessionid", "prefix-jsessionid-3", "prefix-jsessionid-indirect", "prefix-lowercase",
    "prefix-typo", "insert-jsessionid", "rewrite-jsessionid", "passive-jsessionid",
    "stick-on-store-response", "stick-match-store-response", "stick-on-no-store-response",
    "stick-on-lowercase", "hash-req-cook", "path-routing-persist-on-api",
    "path-routing-persist-on-web-only", "defaults-cookie-inherited", "defaults-reset",
    "listen-insert",
]  # fmt: skip


@needs_haproxy
def test_probe_verdict_equals_check_verdict_on_matrix_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_id = {entry.id: entry for entry in MATRIX}
    entries = [by_id[name] for name in VERDICT_ENTRIES]
    assert len(entries) >= 20 and all(_comparable(entry) for entry in entries)
    compared = 0
    with chat_backends(3) as nodes:
        for entry in entries:
            root = tmp_path / entry.id
            write_deployment(root, entry.sample(), entry.scenario, entry.app_cookie)
            with serving(entry.render, nodes[: entry.servers], tmp_path) as port:
                flags = [*PATH_FLAGS, "--sessions", "8", "--requests", "4"]
                _, report, err = probe(
                    capsys, f"http://127.0.0.1:{port}", *flags, "--deployment", str(root)
                )
            assert isinstance(report, dict), err
            observed_sticky = broken_count(report) == 0
            assert observed_sticky == entry.expected_sticky, (entry.id, report["findings"])
            assert not fired(report, "TC405"), (entry.id, fired(report, "TC405"))
            assert "check on" in fired(report, "TC400")[0]["message"]
            compared += 1
    assert compared >= 20


@needs_haproxy
def test_disagreement_with_check_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files say sticky; what runs has no persistence."""
    sticky = next(entry for entry in MATRIX if entry.id == "insert-srv")
    write_deployment(tmp_path / "dep", sticky.sample(), sticky.scenario)
    with chat_backends(2) as nodes, serving(template(""), nodes, tmp_path) as port:
        code, report, _ = probe(
            capsys,
            f"http://127.0.0.1:{port}",
            "--sessions",
            "4",
            "--deployment",
            str(tmp_path / "dep"),
        )
    assert code == 1
    [finding] = fired(report, "TC405")
    assert "check says sticky" in finding["message"] and "observed not sticky" in finding["message"]


@needs_haproxy
def test_all_sessions_on_one_node_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``balance source`` behind one client address (the NAT case): sticky, all on one node."""
    body = "    balance source\n"
    with chat_backends(2) as nodes, serving(template(body), nodes, tmp_path) as port:
        code, report, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "5")
    assert broken_count(report) == 0
    assert code == 1 and len(fired(report, "TC402")) == 1


@needs_haproxy
def test_login_id_change_and_pause_lifetime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The id issued at ``--login`` is the session from then on; a stick table that expires in
    1s loses every session across a 1.5s pause, which the summary reports (one session after
    another: round-robin then always sends the request after the pause to the other node)."""
    learn = "    stick on req.cook(JSESSIONID)\n    stick store-response res.cook(JSESSIONID)\n"
    short = "    stick-table type string len 52 size 10k expire 1s\n" + learn
    with chat_backends(2) as nodes:
        with serving(template(short.replace("1s", "30m")), nodes, tmp_path) as port:
            code, report, _ = probe(
                capsys, f"http://127.0.0.1:{port}/api/chat", "--login", "/api/chat/login",
                "--sessions", "3", "--requests", "3",
            )  # fmt: skip
        assert code == 0 and broken_count(report) == 0
        with serving(template(short), nodes, tmp_path) as port:
            code, report, _ = probe(
                capsys, f"http://127.0.0.1:{port}/api/chat", "--pause", "1.5",
                "--sessions", "2", "--requests", "3",
            )  # fmt: skip
    assert code == 1 and broken_count(report) == 2
    assert "persistence lasts less than 1.5s" in fired(report, "TC400")[0]["message"]


@needs_haproxy
def test_rate_limit_spaces_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (
        chat_backends(2) as nodes,
        serving(template("    cookie SRV insert\n"), nodes, tmp_path) as port,
    ):
        started = time.monotonic()
        code, _, _ = run_cli(
            ["probe", f"http://127.0.0.1:{port}", "--sessions", "3", "--requests", "4",
             "--concurrency", "3", "--rate", "10"], capsys,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed >= 1.1  # 12 requests 0.1s apart: the last starts 1.1s after the first


@needs_haproxy
def test_time_limit_cuts_the_probe_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        chat_backends(2) as nodes,
        serving(template("    cookie SRV insert\n"), nodes, tmp_path) as port,
    ):
        started = time.monotonic()
        code, report, _ = probe(
            capsys, f"http://127.0.0.1:{port}", "--sessions", "20", "--requests", "10",
            "--rate", "5", "--time-limit", "1",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert elapsed < 3
    assert code == 1 and len(fired(report, "TC407")) == 1
    assert "cut short" in fired(report, "TC407")[0]["message"]


@needs_haproxy
def test_redirect_to_another_host_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as elsewhere:
        elsewhere.bind(("127.0.0.2", 0))
        elsewhere.listen(1)
        elsewhere.settimeout(0.2)
        other = elsewhere.getsockname()[1]
        body = f"    http-request redirect location http://127.0.0.2:{other}/api code 302\n"
        with chat_backends(2) as nodes, serving(template(body), nodes, tmp_path) as port:
            code, report, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "2")
        with pytest.raises(TimeoutError):
            elsewhere.accept()  # nobody came
    assert code == 1
    [redirect] = fired(report, "TC406")
    assert f"http://127.0.0.2:{other}" in redirect["message"]


def test_same_origin_redirect_is_followed(capsys: pytest.CaptureFixture[str]) -> None:
    """A redirect on the probed origin is followed and its cookies kept (a tiny server)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/api/start":
                self.send_response(302)
                self.send_header("Location", "/api/chat")
                self.send_header("Set-Cookie", "JSESSIONID=ABCDEF0123.p1; Path=/api")
            elif "JSESSIONID=ABCDEF0123.p1" in (self.headers.get("Cookie") or ""):
                self.send_response(200)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        code, report, _ = probe(
            capsys, f"http://127.0.0.1:{port}", "--path", "/api/start", "--path", "/api/chat",
            "--sessions", "2", "--requests", "2",
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0 and broken_count(report) == 0 and not fired(report, "TC406")


@needs_haproxy
def test_node_header_names_the_node_of_every_response(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--node-header`` a move is seen at the request it happens, whatever the answer."""
    with chat_backends(2) as nodes, serving(template(""), nodes, tmp_path) as port:
        code, report, _ = probe(
            capsys, f"http://127.0.0.1:{port}", "--node-header", "X-Served-By", "--sessions", "2",
            "--requests", "2",
        )  # fmt: skip
    assert code == 1
    messages = [f["message"] for f in fired(report, "TC401")]
    assert messages == [
        'session 1 broke at request 2: request 2 got 404 "No Session Found"',
        'session 2 broke at request 2: request 2 got 404 "No Session Found"',
    ]


def test_post_goes_only_to_the_named_path(capsys: pytest.CaptureFixture[str]) -> None:
    """GET everywhere, POST (empty body) only on ``--post``'s path; ``--header`` is sent on
    every request and never printed."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []
    tokens: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path} {self.headers.get('Content-Length')}")
            tokens.append(self.headers.get("Authorization") or "")
            self.send_response(200)
            if "Cookie" not in self.headers:
                self.send_header("Set-Cookie", "JSESSIONID=0123456789ABCDEF.p1; Path=/api")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        flags = ["--path", "/api/chat", "--path", "/api/send", "--post", "/api/send"]
        flags += ["--header", "Authorization: Bearer SECRET-TOKEN-123", "--select", "TC40"]
        code, out, _ = probe(capsys, url, *flags, "--sessions", "1", "--requests", "4", fmt="text")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0
    assert seen == [
        "GET /api/chat None",
        "POST /api/send 0",
        "GET /api/chat None",
        "POST /api/send 0",
    ]
    assert tokens == ["Bearer SECRET-TOKEN-123"] * 4 and "SECRET-TOKEN" not in out


def test_unknown_rule_in_select_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["probe", "http://127.0.0.1:9", "--select", "TC201"], capsys)
    assert code == 2 and "--select: unknown rule ID or prefix 'TC201'" in err


def test_progress_only_on_a_terminal() -> None:
    import io

    from tcommlint.probe.progress import reporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, terminal = io.StringIO(), Terminal()
    for stream in (quiet, terminal):
        show = reporter(stream)
        show(1, 2)
        show(2, 2)
    assert quiet.getvalue() == ""
    assert terminal.getvalue() == "\rprobe: 1/2 sessions\rprobe: 2/2 sessions\n"


def nginx_template(balance: str) -> Template:
    """nginx in front of two chat nodes, everything relative to its prefix directory."""

    def render(ports: Ports) -> str:
        servers = "".join(f"        server 127.0.0.1:{port};\n" for port in ports.servers)
        return (
            "worker_processes 1;\npid nginx.pid;\nerror_log error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n    access_log off;\n    client_body_temp_path tmp_body;\n"
            "    proxy_temp_path tmp_proxy;\n    fastcgi_temp_path tmp_fastcgi;\n"
            "    uwsgi_temp_path tmp_uwsgi;\n    scgi_temp_path tmp_scgi;\n"
            f"    upstream chat {{\n{balance}{servers}    }}\n"
            f"    server {{\n        listen 127.0.0.1:{ports.frontend};\n"
            "        location / { proxy_pass http://chat; }\n    }\n}\n"
        )

    return render


@pytest.mark.skipif(binary_of(NGINX) is None, reason="nginx not installed")
def test_nginx_round_robin_breaks_and_ip_hash_keeps_all_on_one_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Open-source nginx has no cookie persistence: round-robin breaks every session; ip_hash
    keeps them, but every client of 127.0.0.1 (one NAT address) lands on one node (TC402)."""
    with chat_backends(2) as nodes:
        with serving(nginx_template(""), nodes, tmp_path, NGINX) as port:
            _, rr, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "4")
        with serving(nginx_template("        ip_hash;\n"), nodes, tmp_path, NGINX) as port:
            _, hashed, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "4")
    assert broken_count(rr) == 4
    assert broken_count(hashed) == 0 and len(fired(hashed, "TC402")) == 1


APACHE_MODULES = (
    "mpm_event", "authz_core", "slotmem_shm", "proxy", "proxy_http", "proxy_balancer",
    "lbmethod_byrequests",
)  # fmt: skip


def apache_template(sticky: str) -> Template:
    """Apache httpd's balancer in front of two chat nodes whose routes are their jvmRoutes."""

    def render(ports: Ports) -> str:
        modules = "".join(
            f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so\n"
            for name in APACHE_MODULES
        )
        members = "".join(
            f"    BalancerMember http://127.0.0.1:{port} route=p{number}\n"
            for number, port in enumerate(ports.servers, start=1)
        )
        return (
            f"{modules}User nobody\nGroup nogroup\nServerName localhost\n"
            f"Listen 127.0.0.1:{ports.frontend}\nPidFile httpd.pid\nErrorLog error.log\n"
            f"DefaultRuntimeDir .\n<Proxy balancer://chat>\n{members}{sticky}</Proxy>\n"
            "ProxyPass /api balancer://chat/api\n"
        )

    return render


@pytest.mark.skipif(binary_of(APACHE) is None, reason="apache2 not installed")
def test_apache_stickysession_keeps_and_round_robin_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mod_proxy_balancer reads the route after the dot of JSESSIONID (``stickysession``)."""
    tmp_path.chmod(0o755)  # httpd's children run as nobody
    with chat_backends(2) as nodes:
        sticky = apache_template("    ProxySet stickysession=JSESSIONID\n")
        with serving(sticky, nodes, tmp_path, APACHE) as port:
            _, kept, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "4")
        with serving(apache_template(""), nodes, tmp_path, APACHE) as port:
            _, broken, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "4")
    assert broken_count(kept) == 0, kept["findings"]
    assert broken_count(broken) == 4


# --------------------------------------------------------------------------- TLS and proxies


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (the PEM haproxy serves, the CA file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    combined = tmp_path / "combined.pem"
    combined.write_text(cert.read_text() + key.read_text())
    return combined, cert


def tls_template(pem: Path) -> Template:
    return template(
        "    cookie SRV insert indirect nocache\n", f"bind 127.0.0.1:@FE@ ssl crt {pem}"
    )


@needs_haproxy
def test_tls_with_cacert_and_refused_without(
    certificate: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pem, ca = certificate
    with chat_backends(2) as nodes, serving(tls_template(pem), nodes, tmp_path) as port:
        url = f"https://127.0.0.1:{port}"
        code, report, err = probe(capsys, url, "--sessions", "2", "--cacert", str(ca))
        refused_code, _, refused = probe(capsys, url, "--sessions", "1", fmt="text")
        insecure_code, _, _ = probe(capsys, url, "--sessions", "1", "--insecure", fmt="text")
    assert broken_count(report) == 0, err
    # The chat node sets JSESSIONID without Secure: over https that is a TC403 warning.
    assert [f["message"] for f in fired(report, "TC403")] == [
        "JSESSIONID is set over https without Secure: it may travel in clear text"
    ]
    assert code == 1
    assert refused_code == 2 and "TLS certificate not trusted" in refused
    assert refused.count("\n") == 1
    assert insecure_code == 1  # answered; only the Secure warning


class ConnectProxy:
    """A minimal CONNECT proxy on 127.0.0.1 that records the targets it tunnels to."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.targets: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            self.targets.append(f"{method} {target}")
            host, _, port = target.rpartition(":")
            assert method == "CONNECT" and host == "127.0.0.1"
            with socket.create_connection((host, int(port)), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                pump.start()
                _pipe(client, upstream)
                pump.join(timeout=5)

    def close(self) -> None:
        self.server.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


@needs_haproxy
def test_https_proxy_tunnels_with_connect_and_no_proxy_bypasses(
    certificate: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem, ca = certificate
    proxy = ConnectProxy()
    try:
        with chat_backends(2) as nodes, serving(tls_template(pem), nodes, tmp_path) as port:
            url = f"https://127.0.0.1:{port}"
            monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
            _, report, err = probe(capsys, url, "--sessions", "2", "--cacert", str(ca))
            tunnelled = list(proxy.targets)
            monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
            _, bypassed, _ = probe(capsys, url, "--sessions", "1", "--cacert", str(ca))
    finally:
        proxy.close()
    assert broken_count(report) == 0, err
    assert tunnelled == [f"CONNECT 127.0.0.1:{port}"] * 10  # 2 sessions x 5 requests
    assert len(proxy.targets) == 10 and broken_count(bypassed) == 0


# --------------------------------------------------------------------------- reports


@needs_haproxy
def test_every_format_validates_and_no_cookie_value_leaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    body = "    cookie SRV insert indirect nocache\n"
    outputs = {}
    with chat_backends(2) as nodes, serving(template(body), nodes, tmp_path) as port:
        for fmt in ("text", "json", "sarif", "junit", "github", "gitlab", "html"):
            # no persistence for the broken half: messages about ids are produced too
            code, out, err = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "3", fmt=fmt)
            assert code == 0, err
            outputs[fmt] = out if isinstance(out, str) else json.dumps(out)
        ids = {session for node in nodes for session in node.sessions}
    assert len(ids) == 3 * 7
    for fmt, text in outputs.items():
        for session in ids:
            assert session.split(".")[0] not in text, fmt
    jsonschema.validate(json.loads(outputs["json"]), schema("report.schema.json"))
    ET.fromstring(outputs["junit"])
    if SARIF_SCHEMA.is_file():
        sarif_schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.validate(json.loads(outputs["sarif"]), sarif_schema)


@needs_haproxy
def test_broken_session_messages_carry_no_cookie_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with chat_backends(2) as nodes, serving(template(""), nodes, tmp_path) as port:
        code, out, _ = probe(capsys, f"http://127.0.0.1:{port}", "--sessions", "4", fmt="text")
        ids = {session for node in nodes for session in node.sessions}
    assert code == 1 and "TC401 [error] session 1 broke at request 2" in out
    for session in ids:
        assert session.split(".")[0] not in out


def test_captcha_page_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``--captcha`` reads the switch of ``/api/proxyconfig.jsp`` (a tiny chat-like server) and
    shows the files' setting beside it; a difference is a warning."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"EnableCaptcha": true}' if self.path == "/api/proxyconfig.jsp" else b"ok"
            self.send_response(200)
            if self.path != "/api/proxyconfig.jsp":
                self.send_header("Set-Cookie", "JSESSIONID=0123456789ABCDEF.p1; Path=/api")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    from conftest import write_tree

    write_tree(
        tmp_path / "dep",
        {"proxy-1/conf/config/proxy.properties": "EnableCaptcha=false\nAutoCallQueue=true\n"},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        _, report, err = probe(capsys, url, "--sessions", "1", "--requests", "2", "--captcha")
        _, compared, _ = probe(
            capsys, url, "--sessions", "1", "--captcha", "--deployment", str(tmp_path / "dep")
        )
    finally:
        server.shutdown()
        server.server_close()
    [live] = fired(report, "TC404")
    assert live["severity"] == "info" and live["message"].endswith(": enabled"), err
    [differs] = fired(compared, "TC404")
    assert differs["severity"] == "warning"
    assert differs["message"].endswith("enabled; the deployment files say disabled")


def test_observed_facts_match_the_probe_schema() -> None:
    """Facts built from exchanges of every kind (kept, 404, new id, redirect, no answer) are
    what schemas/probe-facts.schema.json describes, and hold no cookie value."""
    import argparse

    import jsonschema

    from tcommlint.probe import observe
    from tcommlint.probe.client import Exchange
    from tcommlint.probe.driver import SessionRun
    from tcommlint.probe.options import from_args

    def exchange(status: int, set_cookie: str = "", **extra: Any) -> Exchange:
        cookies = (set_cookie,) if set_cookie else ()
        fields = {"no_session": False, "foreign_redirect": "", "error": "", **extra}
        return Exchange("GET", "/api/chat", status, (), cookies, sent=("JSESSIONID",), **fields)

    first = exchange(200, "JSESSIONID=SECRETVALUE1.p1; Path=/other")
    runs = (
        SessionRun(1, (first, exchange(200)), True),
        SessionRun(
            2, (exchange(200, "JSESSIONID=SECRETVALUE2.p2"), exchange(404, no_session=True)), True
        ),
        SessionRun(3, (exchange(200, "jsessionid=SECRETVALUE3.p1"),), False),
        SessionRun(4, (exchange(302, foreign_redirect="http://127.0.0.2:9"),), True),
        SessionRun(5, (exchange(0, error="timed out"),), True),
    )
    parser_args = argparse.Namespace(
        url="https://127.0.0.1:8443", sessions=5, requests=2, concurrency=1, rate=10.0,
        pause=0.0, path=[], app_path="/api", session_cookie="JSESSIONID", login=None,
        post=None, node_header=None, header=[], timeout=5.0, time_limit=60.0, cacert=None,
        insecure=False, captcha=False, deployment=None,
    )  # fmt: skip
    facts = observe.facts(runs, from_args(parser_args))
    jsonschema.validate(facts, schema("probe-facts.schema.json"))
    assert [s["kept"] for s in facts["sessions"]] == [True, False, False, False, False]
    assert {a["kind"] for a in facts["attributes"]} == {"path", "secure", "name-case"}
    assert "SECRETVALUE" not in json.dumps(facts)
    assert observe.secrets(runs) == ("SECRETVALUE1.p1", "SECRETVALUE2.p2", "SECRETVALUE3.p1")


def test_command_line_defaults_are_the_documented_bounds() -> None:
    """cli.py writes the defaults as numbers (start-up stays lazy): they are options.py's."""
    from tcommlint.cli import build_parser
    from tcommlint.probe import options

    args = build_parser().parse_args(["probe", "http://127.0.0.1:9"])
    assert (args.sessions, args.requests, args.concurrency) == (
        options.DEFAULT_SESSIONS,
        options.DEFAULT_REQUESTS,
        options.DEFAULT_CONCURRENCY,
    )
    assert (args.rate, args.timeout, args.time_limit) == (
        options.DEFAULT_RATE,
        options.DEFAULT_TIMEOUT,
        options.DEFAULT_TIME_LIMIT,
    )
