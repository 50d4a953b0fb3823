"""What ``haproxy -c`` refuses (TC001), against the real haproxy.

Each case is a configuration with the line tcommlint reports as TC001 marked ``# refused``
(no mark: the configuration loads). The tests check tcommlint's verdict and line, then, marked
``haproxy`` and skipped without the binary, that ``haproxy -c`` refuses exactly the marked
configurations and accepts the others, at the same line when haproxy names one for it. Cases
that look wrong but load are here on purpose: a refusal haproxy does not make is a false TC001
that stops a pipeline.

Version policy (``tcommlint/loaders/haproxy/refusals.py``): a refusal is what 2.6 refuses and
later versions refuse too. ``VERSION_DIVERGENCES`` are configurations 2.6 refuses that a later
version accepts; tcommlint accepts them, and the test proves the 2.6 binary does refuse them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tcommlint.loaders.haproxy.loader import load_haproxy

from conftest import run_cli, write_tree

HAPROXY = shutil.which("haproxy")
needs_haproxy = pytest.mark.skipif(
    HAPROXY is None, reason="haproxy binary not installed (apt-get install haproxy)"
)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "haproxy"
GLOBAL = "global\n    maxconn 100\n\n"
DEFAULTS = (
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n"
    "    timeout server 30s\n\n"
)
BACKEND = "backend be_api\n    server p1 127.0.0.1:9001\n    server p2 127.0.0.1:9002\n"
FRONTEND = "frontend fe_chat\n    bind 127.0.0.1:8080\n    default_backend be_api\n"
MARK = "# refused"


class Case(NamedTuple):
    """A configuration; the line holding ``# refused`` is where tcommlint reports TC001."""

    id: str
    body: str  # appended to GLOBAL + DEFAULTS unless ``bare``
    same_line: bool = True  # haproxy names that line too (False: no line, or another one)
    bare: bool = False

    def text(self) -> str:
        return self.body if self.bare else GLOBAL + DEFAULTS + self.body

    def refused_line(self) -> int | None:
        lines = self.text().split("\n")
        marked = [number for number, line in enumerate(lines, 1) if MARK in line]
        return marked[0] if marked else None


def chat(backend_body: str = "", frontend_body: str = "") -> str:
    """The chat frontend and be_api with extra lines in each."""
    return (
        FRONTEND
        + frontend_body
        + "\nbackend be_api\n"
        + backend_body
        + "    server p1 127.0.0.1:9001\n    server p2 127.0.0.1:9002\n"
    )


STICKY_TABLE = "    stick-table type string len 52 size 10k expire 30m\n"

REFUSED = [
    Case("appsession", chat(f"    appsession JSESSIONID len 52 timeout 3h  {MARK}\n")),
    Case("block", chat(frontend_body=f"    block if {{ path_beg /admin }}  {MARK}\n")),
    Case("reqrep", chat(frontend_body=f"    reqrep ^Host:\\ a Host:\\ b  {MARK}\n")),
    Case("reqadd", chat(frontend_body=f"    reqadd X-Forwarded-Proto:\\ https  {MARK}\n")),
    Case("rspirep", chat(f"    rspirep ^Set-Cookie:\\ (.*) Set-Cookie:\\ \\1  {MARK}\n")),
    Case("rspdel", chat(f"    rspdel ^Server:.*  {MARK}\n")),
    Case("redispatch-keyword", chat(f"    redispatch  {MARK}\n")),
    Case("contimeout", chat(f"    contimeout 5s  {MARK}\n")),
    Case("monitor-net", chat(frontend_body=f"    monitor-net 10.0.0.0/8  {MARK}\n")),
    Case("grace", chat(frontend_body=f"    grace 10s  {MARK}\n")),
    Case("option-forceclose", chat(f"    option forceclose  {MARK}\n")),
    Case("option-http-tunnel", chat(f"    option http-tunnel  {MARK}\n")),
    Case("mode-health", chat(f"    mode health  {MARK}\n")),
    Case("unknown-keyword", chat(frontend_body=f"    defualt_backend be_api  {MARK}\n")),
    Case("unknown-option", chat(f"    option htpclose  {MARK}\n")),
    Case("no-option-httplog", chat(frontend_body=f"    no option httplog  {MARK}\n")),
    Case(
        "http-frontend-tcp-default-backend",
        "frontend fe_chat\n    bind 127.0.0.1:8080\n"
        f"    default_backend be_api  {MARK}\n\nbackend be_api\n    mode tcp\n"
        "    server p1 127.0.0.1:9001\n",
        same_line=False,  # haproxy names the frontend's and the backend's header lines
    ),
    Case(
        "http-frontend-tcp-use-backend",
        "frontend fe_chat\n    bind 127.0.0.1:8080\n"
        f"    use_backend be_tcp if {{ path_beg /api }}  {MARK}\n    default_backend be_api\n\n"
        + BACKEND
        + "\nbackend be_tcp\n    mode tcp\n    server p1 127.0.0.1:9001\n",
        same_line=False,
    ),
    Case(
        "missing-default-backend",
        f"frontend fe_chat\n    bind 127.0.0.1:8080\n    default_backend be_chat  {MARK}\n\n"
        + BACKEND,
        same_line=False,  # "Proxy 'fe_chat': unable to find required default_backend"
    ),
    Case(
        "missing-use-backend",
        chat(frontend_body=f"    use_backend be_apii if {{ path_beg /api }}  {MARK}\n"),
        same_line=False,
    ),
    Case(
        "missing-stick-table",
        chat(f"    stick on req.cook(JSESSIONID) table st_sessions  {MARK}\n"),
        same_line=False,
    ),
    Case(
        "stick-without-any-table",
        chat(f"    stick on req.cook(JSESSIONID)  {MARK}\n"),
        same_line=False,
    ),
    Case("stick-on-res-cook", chat(STICKY_TABLE + f"    stick on res.cook(JSESSIONID)  {MARK}\n")),
    Case(
        "stick-match-res-cook",
        chat(STICKY_TABLE + f"    stick match res.cook(JSESSIONID)  {MARK}\n"),
    ),
    Case(
        "store-response-req-cook",
        chat(STICKY_TABLE + f"    stick store-response req.cook(JSESSIONID)  {MARK}\n"),
    ),
    Case(
        "stick-on-unknown-fetch",
        chat(STICKY_TABLE + f"    stick on req.cookie(JSESSIONID)  {MARK}\n"),
    ),
    Case(
        "http-request-reads-response-cookie",
        chat(f"    http-request set-header X-Session %[res.cook(JSESSIONID)]  {MARK}\n"),
    ),
    Case(
        "http-response-reads-request-path",
        chat(f"    http-response set-header X-Path %[path]  {MARK}\n"),
    ),
    Case(
        "log-format-reads-request-header",
        chat(frontend_body=f'    log-format "%ci %[req.hdr(host)]"  {MARK}\n'),
    ),
    Case(
        "acl-brace-not-closed",
        chat(frontend_body=f"    use_backend be_api if {{ path_beg /api  {MARK}\n"),
    ),
    Case(
        "acl-braces-glued",
        chat(frontend_body=f"    use_backend be_api if {{path_beg /api}}  {MARK}\n"),
    ),
    Case("undefined-acl", chat(frontend_body=f"    use_backend be_api if is_api  {MARK}\n")),
    Case(
        "acl-used-before-declared",
        chat(
            frontend_body=f"    use_backend be_api if is_api  {MARK}\n"
            "    acl is_api path_beg /api\n"
        ),
    ),
    Case(
        "acl-unknown-criterion",
        chat(frontend_body=f"    acl is_api path_begin /api  {MARK}\n"),
    ),
    Case(
        "server-without-address",
        f"{FRONTEND}\nbackend be_api\n    server p1  {MARK}\n",
    ),
    Case(
        "duplicate-server-name",
        f"{FRONTEND}\nbackend be_api\n    server p1 127.0.0.1:9001\n"
        f"    server p1 127.0.0.1:9002  {MARK}\n",
    ),
    Case("unknown-server-keyword", chat(f"    default-server chek  {MARK}\n")),
    Case("cookie-insert-and-rewrite", chat(f"    cookie SRV insert rewrite  {MARK}\n")),
    Case("cookie-unknown-option", chat(f"    cookie SRV insert httponyl  {MARK}\n")),
    Case(
        "duplicate-backend",
        chat() + f"\nbackend be_api  {MARK}\n    server p3 127.0.0.1:9003\n",
    ),
    Case("timeout-with-decimals", chat(f"    timeout server 1.5s  {MARK}\n")),
    Case("timeout-uppercase-unit", chat(f"    timeout server 30S  {MARK}\n")),
    Case("stick-table-type-str", chat(f"    stick-table type str size 1k  {MARK}\n")),
    Case("balance-round-robin", chat(f"    balance round-robin  {MARK}\n")),
    Case("mode-typo", chat(f"    mode htttp  {MARK}\n")),
    Case(
        "listen-with-address",
        f"listen chat 127.0.0.1:8080  {MARK}\n    server p1 127.0.0.1:9001\n",
    ),
    Case("server-in-frontend", chat(frontend_body=f"    server p3 127.0.0.1:9003  {MARK}\n")),
    Case(
        "use-backend-in-defaults",
        GLOBAL
        + DEFAULTS.rstrip("\n")
        + f"\n    use_backend be_api if {{ path_beg /api }}  {MARK}\n\n"
        + FRONTEND
        + "\n"
        + BACKEND,
        bare=True,
    ),
    Case(
        "acl-in-anonymous-defaults",
        GLOBAL
        + DEFAULTS.rstrip("\n")
        + f"\n    acl is_api path_beg /api  {MARK}\n\n"
        + FRONTEND
        + "\n"
        + BACKEND,
        bare=True,
    ),
    Case(
        "nbproc", GLOBAL.rstrip("\n") + f"\n    nbproc 2  {MARK}\n\n" + DEFAULTS + chat(), bare=True
    ),
    Case(
        "use-server-missing",
        chat(f"    use-server p9 if {{ path_beg /api }}  {MARK}\n"),
        same_line=False,
    ),
    Case(
        "track-sc-missing-table",
        chat(frontend_body=f"    http-request track-sc0 src table st_rate  {MARK}\n"),
        same_line=False,
    ),
    Case(
        "listen-default-backend-loop",
        f"listen chat\n    bind 127.0.0.1:8080\n    default_backend chat  {MARK}\n"
        "    server p1 127.0.0.1:9001\n",
        same_line=False,
    ),
    Case(
        "defaults-rules-for-frontend-and-backend",
        GLOBAL
        + "defaults with_rules\n    mode http\n    timeout connect 5s\n    timeout client 30s\n"
        "    timeout server 30s\n    http-request set-header X-Chat 1\n\n"
        "frontend fe_chat from with_rules\n    bind 127.0.0.1:8080\n    default_backend be_api\n\n"
        f"backend be_api from with_rules  {MARK}\n    server p1 127.0.0.1:9001\n",
        bare=True,
    ),
    Case(
        "invalid-backend-name", chat() + f"\nbackend be/web  {MARK}\n    server w 127.0.0.1:9005\n"
    ),
    Case(
        "if-always-true-around-reqadd",
        chat(frontend_body=f".if version_atleast(2.0)\n    reqadd X-Chat:\\ 1  {MARK}\n.endif\n"),
    ),
    Case(
        "missing-final-newline",
        (GLOBAL + DEFAULTS + chat()).rstrip("\n") + f"  {MARK}",
        bare=True,
    ),
]

ACCEPTED = [
    Case("chat-insert", chat("    cookie SRV insert indirect nocache\n")),
    Case(
        "chat-learn-jsessionid",
        chat(
            STICKY_TABLE
            + "    stick on req.cook(JSESSIONID)\n    stick store-response res.cook(JSESSIONID)\n"
        ),
    ),
    Case(
        "tcp-frontend-http-backend",
        "frontend fe_chat\n    mode tcp\n    bind 127.0.0.1:8080\n    default_backend be_api\n\n"
        + BACKEND,
    ),
    Case(
        "dynamic-use-backend-to-nothing",
        chat(frontend_body="    use_backend be_%[req.hdr(host),lower] if { path_beg /x }\n"),
    ),
    Case("bind-process-removed-in-2.7", chat(frontend_body="    bind-process 1\n")),
    Case(
        "response-rule-with-request-acl",
        chat("    http-response del-header Server if { req.cook(JSESSIONID) -m found }\n"),
    ),
    Case(
        "request-rule-with-response-acl",
        chat("    http-request deny if { res.cook(JSESSIONID) -m found }\n"),
    ),
    Case(
        "stick-in-frontend",
        chat(frontend_body="    stick-table type ip size 1k\n    stick on src\n"),
    ),
    Case("frontend-and-backend-named-alike", chat().replace("fe_chat", "be_api", 1)),
    Case("empty-condition", chat(frontend_body="    use_backend be_api if\n")),
    Case("trailing-or", chat(frontend_body="    use_backend be_api if { path_beg /api } or\n")),
    Case("negated-brace", chat(frontend_body="    use_backend be_api if !{ path_beg /static }\n")),
    Case(
        "acl-then-use",
        chat(frontend_body="    acl api path_beg /api\n    use_backend be_api if api or !api\n"),
    ),
    Case(
        "predefined-acls",
        chat(frontend_body="    use_backend be_api if METH_GET HTTP_1.1 !FALSE\n"),
    ),
    Case(
        "old-cookie-fetch-names",
        chat(
            STICKY_TABLE
            + "    stick on cook(JSESSIONID)\n    stick store-response scook(JSESSIONID)\n"
        ),
    ),
    Case("store-response-src", chat(STICKY_TABLE + "    stick store-response src\n")),
    Case(
        "table-of-another-backend",
        "backend st_sessions\n"
        + STICKY_TABLE
        + "\n"
        + chat("    stick on req.cook(JSESSIONID) table st_sessions\n"),
    ),
    Case(
        "peers-table",
        "peers chat_peers\n    peer local 127.0.0.1:10000\n"
        "    table sessions type string len 52 size 10k expire 30m\n\n"
        + chat("    stick on req.cook(JSESSIONID) table chat_peers/sessions\n"),
    ),
    Case("cookie-prefix", chat("    cookie JSESSIONID prefix nocache\n")),
    Case("cookie-rewrite", chat("    cookie SRV rewrite\n")),
    Case("dual-direction-fetch", chat("    http-response set-header X-Host %[hdr(host)]\n")),
    Case(
        "after-response-reads-response",
        chat("    http-after-response set-header X-Chat %[res.hdr(x-chat)]\n"),
    ),
    Case("server-weight-without-value", chat().replace(":9002", ":9002 weight")),
    Case(
        "named-defaults-explicit-and-implicit",
        GLOBAL
        + DEFAULTS.replace("defaults", "defaults chat", 1)
        + FRONTEND.replace("fe_chat", "fe_chat from chat", 1)
        + "\n"
        + BACKEND,
        bare=True,
    ),
    Case("converter-after-acl-keyword", chat(frontend_body="    acl is_api path_beg,lower /api\n")),
    Case("negations", chat(frontend_body="    no option httpclose\n    no log\n")),
    Case(
        "undecided-if-around-appsession",
        chat(
            ".if defined(TCOMMLINT_NEVER_SET)\n    appsession JSESSIONID len 52 timeout 3h\n"
            ".endif\n"
        ),
    ),
    Case("commented-appsession", chat("    # appsession JSESSIONID len 52 timeout 3h\n")),
    Case(
        "listen-with-table",
        "listen chat\n    bind 127.0.0.1:8080\n"
        + STICKY_TABLE
        + "    stick on req.cook(JSESSIONID)\n    stick store-response res.cook(JSESSIONID)\n"
        "    server p1 127.0.0.1:9001\n    server p2 127.0.0.1:9002\n",
    ),
    Case(
        "server-parameters",
        chat().replace(
            ":9001",
            ":9001 check inter 2s fall 3 rise 2 weight 10 maxconn 100 cookie p1 "
            "source 0.0.0.0 usesrc clientip",
        ),
    ),
    Case("timeouts", chat("    timeout tunnel 1h\n    timeout queue 30s\n    timeout check 2s\n")),
    Case("balance-hdr", chat("    balance hdr(host)\n")),
    Case("use-server-present", chat("    use-server p1 if { path_beg /api }\n")),
]

# Refused by 2.6, accepted by a later supported version: not TC001 (the file loads there).
VERSION_DIVERGENCES = [
    Case("option-forwarded-2.8", chat("    option forwarded\n")),
    Case("timeout-client-hs-2.8", chat(frontend_body="    timeout client-hs 10s\n")),
    Case("guid-3.0", chat("    guid chat-backend\n")),
    Case(
        "tune-stick-counters-2.8",
        GLOBAL.replace("maxconn 100", "tune.stick-counters 4") + DEFAULTS + chat(),
        bare=True,
    ),
]
CASES = REFUSED + ACCEPTED


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


def test_the_table_is_large_and_names_are_unique() -> None:
    assert len(REFUSED) >= 40 and len(ACCEPTED) >= 30
    assert len(set(_ids(CASES + VERSION_DIVERGENCES))) == len(CASES + VERSION_DIVERGENCES)
    assert all(case.refused_line() is not None for case in REFUSED)
    assert all(case.refused_line() is None for case in ACCEPTED + VERSION_DIVERGENCES)


@pytest.mark.parametrize("case", CASES + VERSION_DIVERGENCES, ids=_ids(CASES + VERSION_DIVERGENCES))
def test_tcommlint_verdict_and_line(case: Case) -> None:
    result = load_haproxy("lb/haproxy.cfg", case.text())
    lines = [error.span.line for error in result.errors]
    expected = case.refused_line()
    if expected is None:
        assert lines == [], [error.reason for error in result.errors]
    else:
        assert lines and lines[0] == expected, [(e.span, e.reason) for e in result.errors]


def test_reasons_name_the_keyword_the_version_and_the_replacement() -> None:
    by_id = {case.id: case for case in REFUSED}

    def reason(case_id: str) -> str:
        return load_haproxy("lb/haproxy.cfg", by_id[case_id].text()).errors[0].reason

    assert "'appsession'" in reason("appsession") and "1.6" in reason("appsession")
    assert "2.1" in reason("reqrep") and "http-request replace-header" in reason("reqrep")
    assert "'http-request deny'" in reason("block")
    assert "'option redispatch'" in reason("redispatch-keyword")
    assert "'timeout connect'" in reason("contimeout")
    assert "did you mean 'default_backend'" in reason("unknown-keyword")
    assert "did you mean 'httpclose'" in reason("unknown-option")
    assert "tcp backend 'be_api'" in reason("http-frontend-tcp-default-backend")
    assert "store-response" in reason("stick-on-res-cook")
    assert "missing LF" in reason("missing-final-newline")


# --------------------------------------------------------------------------- against haproxy


class Check(NamedTuple):
    """What ``haproxy -c -f`` said about a file."""

    refused: bool
    lines: set[int]  # lines of that file named in ALERTs
    alerts: list[str]


def haproxy_check(path: Path) -> Check:
    """Run the real ``haproxy -c`` on ``path`` (from its directory, minimal environment)."""
    assert HAPROXY is not None
    proc = subprocess.run(
        [HAPROXY, "-c", "-f", str(path)],
        cwd=path.parent,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
        check=False,
    )
    output = proc.stdout + proc.stderr
    alerts = [line for line in output.splitlines() if "[ALERT]" in line]
    lines = {
        int(found)
        for alert in alerts
        for found in re.findall(r"[\[(]" + re.escape(str(path)) + r":(\d+)[\])]", alert)
    }
    return Check(proc.returncode != 0, lines, alerts)


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_haproxy_refuses_exactly_the_marked_configurations(case: Case, tmp_path: Path) -> None:
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(case.text(), encoding="utf-8")
    check = haproxy_check(cfg)
    expected = case.refused_line()
    assert check.refused is (expected is not None), check.alerts
    if expected is not None and case.same_line:
        assert expected in check.lines, check.alerts


@pytest.mark.haproxy
@needs_haproxy
@pytest.mark.parametrize("case", VERSION_DIVERGENCES, ids=_ids(VERSION_DIVERGENCES))
def test_haproxy_2_6_refuses_what_a_later_version_accepts(case: Case, tmp_path: Path) -> None:
    assert HAPROXY is not None
    version = subprocess.run([HAPROXY, "-v"], capture_output=True, text=True, check=False).stdout
    if not version.startswith("HAProxy version 2.6."):
        pytest.skip(f"the divergence is 2.6's: {version.splitlines()[0] if version else '?'}")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(case.text(), encoding="utf-8")
    assert haproxy_check(cfg).refused


# Alerts that say something about this machine, not about the configuration: files,
# certificates, Lua scripts, DNS names and environment variables (the reg-test files hold
# unexpanded VTC macros such as "${fe1}") that exist only where the configuration runs.
ENVIRONMENTAL = re.compile(
    r"unable to stat SSL certificate|cannot open file|Couldn't open|unable to load|"
    r"error in Lua file|could not resolve address|file descriptor '' is not a valid integer|"
    r"resolves to an empty address|error opening file|No such file or directory|"
    r"failed to load map|unable to find certificate"
)


def _meaningful(alerts: list[str]) -> list[str]:
    summary = ("Error(s) found in configuration file", "Fatal errors found in configuration")
    return [a for a in alerts if not any(s in a for s in summary) and not ENVIRONMENTAL.search(a)]


@pytest.mark.haproxy
@needs_haproxy
def test_every_corpus_file_tcommlint_refuses_is_refused_by_haproxy(tmp_path: Path) -> None:
    """For the corpus, only one direction holds: what tcommlint calls TC001, haproxy refuses.

    haproxy refuses many more corpus files, mostly for environmental reasons (see
    ENVIRONMENTAL) or for keywords 2.6 does not know yet; those are not counted. A refusal
    haproxy makes only for environmental reasons cannot confirm tcommlint's reason either:
    such files are counted apart.
    """
    files = sorted(CORPUS.glob("*.cfg")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"../shared/corpus not present: {CORPUS}")
    refused, confirmed, environmental, same_line, disagreements = 0, 0, 0, 0, []
    for path in files:
        result = load_haproxy(path.name, path.read_text(encoding="utf-8", errors="replace"))
        if not result.errors:
            continue
        refused += 1
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        check = haproxy_check(copy)
        if not check.refused:
            disagreements.append(f"{path.name}: {[e.reason for e in result.errors]}")
        elif _meaningful(check.alerts):
            confirmed += 1
            same_line += bool({e.span.line for e in result.errors} & check.lines)
        else:
            environmental += 1
    print(
        f"\ncorpus: tcommlint refuses {refused} of {len(files)} files; haproxy -c refuses "
        f"{refused - len(disagreements)} of them ({confirmed} for a reason of the configuration, "
        f"{same_line} at a line tcommlint names too; {environmental} only for environmental "
        "reasons, not counted)"
    )
    assert disagreements == []
    assert confirmed + environmental == refused


# --------------------------------------------------------------------------- --haproxy


CHAT_DEPLOYMENT = {
    "proxy/conf/config/proxy.properties": "AutoCallQueue=true\n",
    "server/rconfig.properties": "enable.callagentMessage=true\n",
}


def _deployment(root: Path, cfg: str) -> Path:
    return write_tree(root / "prod", {**CHAT_DEPLOYMENT, "lb/haproxy.cfg": cfg})


@pytest.mark.haproxy
@needs_haproxy
def test_check_haproxy_adds_what_only_haproxy_finds(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = (
        GLOBAL
        + DEFAULTS
        + chat("    cookie SRV insert indirect nocache\n").replace(":9002", ":9002 check inter 2x")
    )
    _deployment(in_tmp, cfg)
    code, out, err = run_cli(["check", "prod", "--select", "TC001"], capsys)
    assert (code, out.count("TC001")) == (0, 0), out + err  # never by default
    code, out, err = run_cli(["check", "prod", "--select", "TC001", "--haproxy", "haproxy"], capsys)
    line = cfg.split("\n").index(next(x for x in cfg.split("\n") if "inter 2x" in x)) + 1
    assert code == 1, err
    assert f"prod/lb/haproxy.cfg:{line}:1: TC001 [error] haproxy -c: " in out
    assert "'inter'" in out or "agent-inter" in out


@pytest.mark.haproxy
@needs_haproxy
def test_check_haproxy_keeps_one_finding_per_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = next(c for c in REFUSED if c.id == "missing-default-backend")
    _deployment(in_tmp, case.text())
    assert HAPROXY is not None
    code, out, err = run_cli(["check", "prod", "--select", "TC001", "--haproxy", HAPROXY], capsys)
    assert code == 1, err
    findings = [line for line in out.splitlines() if " TC001 " in line]
    assert len(findings) == 1, out  # haproxy's alert is at the line tcommlint already reports
    assert f"haproxy.cfg:{case.refused_line()}:" in findings[0]
    assert "haproxy -c" not in findings[0]


def test_check_haproxy_that_cannot_run_is_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _deployment(in_tmp, GLOBAL + DEFAULTS + chat())
    fake = in_tmp / "haproxy"
    fake.write_text("#!/bin/sh\necho HAProxy version 9.9\n", encoding="utf-8")  # not executable
    code, out, err = run_cli(["check", "prod", "--haproxy", str(fake)], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--haproxy" in err and "Permission denied" in err
    code, _, err = run_cli(["check", "prod", "--haproxy", "tcommlint-no-such-haproxy"], capsys)
    assert code == 2 and "not on PATH" in err and err.count("\n") == 1
    code, _, err = run_cli(["check", "prod", "--haproxy", "/bin/true"], capsys)
    assert code == 2 and "not an HAProxy binary" in err and err.count("\n") == 1


def test_check_help_documents_haproxy(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(["check", "--help"], capsys)
    assert "--haproxy PATH" in capsys.readouterr().out


def test_the_pre_commit_hook_never_runs_haproxy() -> None:
    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    assert "--haproxy" not in hooks
