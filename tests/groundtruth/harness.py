"""Drive a real load balancer on loopback and observe whether chat sessions stay on their node.

The harness writes a configuration to a temporary directory, checks it with the server's own
check (``haproxy -c``, ``nginx -t``, ``apache2 -t``: a configuration the server refuses counts as
"sessions do not work"), starts the server in the foreground on a free 127.0.0.1 port in front
of :class:`ChatBackend` nodes (a :class:`Program` says how, for each server), and plays N
sessions x M requests
with a browser-like cookie jar, one TCP connection per request so that every request is balanced.
A session is kept when every request after the first is answered 200 by the node that created it,
with the same session id (or, at the scenario's login request, with the new id the node issued
then, kept from there on). The verdict is "sticky" iff every session was kept.

A :class:`Scenario` says how the sessions are played: concurrently (interleaved rounds) or one
after another, with idle pauses, a login that changes the session id, or the id carried in the
URL (``;jsessionid=``) instead of a cookie; ``scenario_manifest`` describes it to tcommlint.

A configuration may span several files (nginx ``include``, Apache ``Include``): its
:data:`Files` (path relative to the main file, text) are written beside it, both for the server
and in the deployment tcommlint checks, so both read the same tree.

A configuration may be observed under several environment variants (``observe_variants``), for
``.if defined(...)`` blocks: it counts as sticky only if every variant is.

A matrix entry (:class:`Observable`) is observed once per module by ``entry_observer`` and
compared with tcommlint's verdict on the same files by ``tcommlint_disagreement``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from tcommlint.probe.jar import CookieJar
from tests.groundtruth.chat_backend import LOGIN_SUFFIX, PATH_PARAMETER, ChatBackend

REQUEST_TIMEOUT = 5.0
START_TIMEOUT = 5.0
START_ATTEMPTS = 3
STOP_TIMEOUT = 5.0
CHECK_TIMEOUT = 10.0
TCOMMLINT_TIMEOUT = 60.0
SESSION_COOKIE = "JSESSIONID"
NODES = 3  # chat nodes p1..p3, as chat_backends starts them
# The host the jar sees requests go to (for Domain matching); the harness speaks plain http.
REQUEST_HOST = "127.0.0.1"
# A chat client polls and sends besides opening the chat: request k uses paths[(k-1) % len].
CHAT_PATHS = ("/api/chat", "/api/chat/poll", "/api/chat/send")
# The rules whose error means "sessions will not stay on their node" (SPEC §3); TC205 joins them
# only for scenarios that pause longer than a persistence lifetime.
VERDICT_RULES = frozenset(
    {"TC001", "TC201", "TC202", "TC203", "TC204", "TC206", "TC209", "TC213", "TC214", "TC215"}
)
# TC205 only for scenarios that pause: without a pause in the manifest tcommlint still
# simulates one of the default average session duration (30m), which the harness never plays.
LIFETIME_RULE = "TC205"
OUTSIDE_RULE = "TC008"  # the verdict is "not evaluable"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Program(NamedTuple):
    """A load-balancer server: how to check a configuration and how to run it in the foreground.

    ``check`` and ``run`` give the arguments after the binary for a configuration file; both run
    in the configuration's directory, which is also the server's prefix (nginx ``-p``, Apache
    ``-d``): relative paths in a configuration (pid, logs, temporary files) stay inside it.
    ``config_name`` is the file name, in the harness and in the deployment tcommlint checks.
    """

    binary: str
    config_name: str
    check: Callable[[Path], list[str]]
    run: Callable[[Path], list[str]]
    check_label: str


HAPROXY = Program(
    "haproxy",
    "haproxy.cfg",
    lambda cfg: ["-c", "-f", str(cfg)],
    # ``-dR`` (the ``noreuseport`` global setting) binds without SO_REUSEPORT, so haproxy refuses
    # a port another process (another harness run on this host) listens on instead of sharing
    # its connections.
    lambda cfg: ["-f", str(cfg), "-db", "-dR"],
    "haproxy -c",
)
NGINX = Program(
    "nginx",
    "nginx.conf",
    lambda cfg: ["-t", "-p", f"{cfg.parent}/", "-c", str(cfg)],
    lambda cfg: ["-p", f"{cfg.parent}/", "-c", str(cfg), "-g", "daemon off;"],
    "nginx -t",
)
APACHE = Program(
    "apache2",
    "httpd.conf",
    lambda cfg: ["-t", "-d", str(cfg.parent), "-f", str(cfg)],
    lambda cfg: ["-X", "-d", str(cfg.parent), "-f", str(cfg)],
    "apache2 -t",
)


class Ports(NamedTuple):
    """Where the load balancer listens and where the chat nodes listen (all on 127.0.0.1)."""

    frontend: int
    servers: tuple[int, ...]


Render = Callable[[Ports], str]
# The other files of a configuration, (path relative to the main file, text) pairs: written
# beside it for the server and under lb/ for tcommlint, directories created as needed.
Files = tuple[tuple[str, str], ...]
RenderFiles = Callable[[Ports], Files]


def no_files(ports: Ports) -> Files:
    """A configuration that includes no other file."""
    return ()


class Scenario(NamedTuple):
    """How the sessions are played against the load balancer.

    ``sessions`` x ``requests``; request k (1-based) of a session uses ``paths[(k-1) % len]``.
    ``interleaved``: True plays rounds (request k of every session, in shuffled order, before any
    request k+1: concurrent users); False plays one whole session after another.
    ``pause_seconds``: idle time before every request after the first (in interleaved mode once
    per round, shared by all sessions; in sequential mode inside each session), or, when
    ``pause_before`` is k > 0, only once, before request k (in sequential mode before request k
    of each session).
    ``login_at`` k > 0: request k goes to ``<path>/login``; the owning node answers with a new
    session id and forgets the old one.
    ``id_in_path``: the client never sends the session cookie (its jar drops it) and appends
    ``;jsessionid=<id>`` to every request path after the first, as Tomcat URL rewriting does;
    other cookies are still kept and sent.
    """

    sessions: int = 20
    requests: int = 10
    pause_seconds: float = 0.0
    paths: tuple[str, ...] = CHAT_PATHS
    seed: int = 20240611
    interleaved: bool = True
    pause_before: int = 0
    login_at: int = 0
    id_in_path: bool = False

    def path_for(self, number: int, session: str = "") -> str:
        """The path of request ``number`` (1-based), given the session id known before it."""
        path = self.paths[(number - 1) % len(self.paths)]
        if self.login_at and number == self.login_at:
            path = path.rstrip("/") + LOGIN_SUFFIX
        if self.id_in_path and number > 1 and session:
            path += f";{PATH_PARAMETER}={session}"
        return path

    def pauses_before(self, number: int) -> bool:
        """Whether the client idles for ``pause_seconds`` before request ``number``."""
        if not self.pause_seconds:
            return False
        if self.pause_before:
            return number == self.pause_before
        return number > 1


class Reply(NamedTuple):
    """What one request got back: status, serving node, served session ("" when none)."""

    status: int
    served_by: str
    session: str


class SessionResult(NamedTuple):
    """One session's replies and whether it kept its server-side session throughout."""

    position: int
    replies: tuple[Reply, ...]
    kept: bool
    reason: str


class Outcome(NamedTuple):
    """The observed result of one configuration."""

    accepted: bool
    check_output: str
    sessions: tuple[SessionResult, ...]
    config: str
    check_label: str = HAPROXY.check_label
    files: Files = ()  # the files it includes, with the ports of this run

    @property
    def sessions_ok(self) -> int:
        """Number of sessions that kept their server-side session."""
        return sum(1 for s in self.sessions if s.kept)

    @property
    def sticky(self) -> bool:
        """True iff the server accepted the config and every session kept its session."""
        return self.accepted and bool(self.sessions) and self.sessions_ok == len(self.sessions)

    def summary(self) -> str:
        """A one-line human summary, e.g. ``sticky 20/20`` or ``refused by haproxy -c``."""
        if not self.accepted:
            return f"refused by {self.check_label}"
        word = "sticky" if self.sticky else "NOT sticky"
        return f"{word} {self.sessions_ok}/{len(self.sessions)}"


class HarnessError(RuntimeError):
    """The harness itself could not run (the server would not start), as opposed to a verdict."""


# --------------------------------------------------------------------------- browser cookie jar
# The product's jar (tcommlint.probe.jar.CookieJar, imported above): one meaning of RFC 6265 in
# one place. It honours Path, Domain (host-only without it; a foreign domain is refused), Max-Age
# over Expires, and Secure (refused and never sent over plain http, as browsers do).


# --------------------------------------------------------------------------- the server process


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def haproxy_binary() -> str | None:
    """Path of the haproxy executable, or None when it is not installed."""
    return shutil.which(HAPROXY.binary)


def binary_of(program: Program) -> str | None:
    """Path of the server's executable, or None when it is not installed."""
    return shutil.which(program.binary)


Environment = Mapping[str, str]


def _clean_env(extra: Environment | None = None) -> dict[str, str]:
    """A minimal environment, so ``.if defined(...)`` blocks see only the variant's variables."""
    return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), **(extra or {})}


def env_label(env: Environment) -> str:
    """``X=1 Y=2``, or ``(no variables)`` for the empty environment."""
    return " ".join(f"{key}={value}" for key, value in sorted(env.items())) or "(no variables)"


def check_config(
    cfg: Path, env: Environment | None = None, program: Program = HAPROXY
) -> tuple[bool, str]:
    """Run the server's check (``haproxy -c -f cfg``); return (accepted, combined output)."""
    proc = subprocess.run(
        [program.binary, *program.check(cfg)],
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
        env=_clean_env(env),
        cwd=cfg.parent,
        check=False,
    )
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def _wait_listening(proc: subprocess.Popen[bytes], port: int) -> bool:
    """Poll until ``port`` accepts connections; False if the server exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.02)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server, killing it if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running_server(
    cfg: Path, port: int, env: Environment | None = None, program: Program = HAPROXY
) -> Iterator[None]:
    """Run the server in the foreground until the block ends; HarnessError if it never listens.

    The run is void (HarnessError, retried on another port) if the server exited before the
    sessions were over: they may have been answered by whoever held the port.
    """
    log_path = cfg.with_suffix(".log")
    name = program.binary
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [program.binary, *program.run(cfg)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_clean_env(env),
            cwd=cfg.parent,
        )
        try:
            if not _wait_listening(proc, port):
                raise HarnessError(
                    f"{name} did not listen on {port}: {log_path.read_text(errors='replace')}"
                )
            yield
            if proc.poll() is not None:
                raise HarnessError(
                    f"{name} exited during the run: {log_path.read_text(errors='replace')}"
                )
        finally:
            _stop(proc)


@contextlib.contextmanager
def chat_backends(
    count: int = 3, cookie_name: str = SESSION_COOKIE, jvm_routes: bool = True
) -> Iterator[list[ChatBackend]]:
    """Start ``count`` chat nodes named p1, p2, … and stop them when the block ends; their
    session ids end with ``.p1``, ``.p2``, … unless ``jvm_routes`` is False (no jvmRoute)."""
    jvm_route = None if jvm_routes else ""
    with contextlib.ExitStack() as stack:
        nodes = [
            stack.enter_context(ChatBackend(f"p{i}", cookie_name, jvm_route))
            for i in range(1, count + 1)
        ]
        yield nodes


# --------------------------------------------------------------------------- driving sessions


def _request(port: int, path: str, jar: CookieJar) -> Reply:
    """One GET on a fresh connection (``Connection: close``), feeding Set-Cookie into ``jar``."""
    headers = {"Connection": "close", "User-Agent": "tcommlint-groundtruth"}
    cookie = jar.header(path)
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        for set_cookie in response.msg.get_all("Set-Cookie") or []:
            jar.receive(set_cookie, path)
        served = response.getheader("X-Served-By") or ""
        return Reply(response.status, served, response.getheader("X-Session") or "")
    except (OSError, http.client.HTTPException) as exc:
        return Reply(0, "", type(exc).__name__)
    finally:
        conn.close()


def _judge(position: int, replies: Sequence[Reply], login_at: int = 0) -> SessionResult:
    """Whether every reply after the first came from the creating node with the same session.

    At request ``login_at`` (when > 0) the node may serve a new session id (the login renewed
    it); from then on that new id is the one every reply must serve.
    """
    first = replies[0]
    if first.status != 200 or not first.session:
        reason = f"request 1: status {first.status} from {first.served_by or '-'}, no session"
        return SessionResult(position, tuple(replies), False, reason)
    session = first.session
    for number, reply in enumerate(replies[1:], start=2):
        if reply.status != 200 or reply.served_by != first.served_by:
            reason = (
                f"request {number}: status {reply.status} from {reply.served_by or '-'}, "
                f"session created on {first.served_by}"
            )
            return SessionResult(position, tuple(replies), False, reason)
        if number == login_at and reply.session:
            session = reply.session
        elif reply.session != session:
            reason = f"request {number}: served a different session on {reply.served_by}"
            return SessionResult(position, tuple(replies), False, reason)
    return SessionResult(position, tuple(replies), True, "")


class _Client:
    """One browser session: its cookie jar and the session id its pages carry."""

    def __init__(self, scenario: Scenario, session_cookie: str) -> None:
        self.scenario = scenario
        self.jar = CookieJar(ignore={session_cookie} if scenario.id_in_path else ())
        self.session = ""  # the id the application last served (what URL rewriting embeds)
        self.replies: list[Reply] = []

    def send(self, port: int) -> None:
        """Send the session's next request."""
        number = len(self.replies) + 1
        reply = _request(port, self.scenario.path_for(number, self.session), self.jar)
        if reply.status == 200 and reply.session:
            self.session = reply.session
        self.replies.append(reply)


def drive_sessions(
    port: int, scenario: Scenario, session_cookie: str = SESSION_COOKIE
) -> tuple[SessionResult, ...]:
    """Play the scenario; ``session_cookie`` is the application's cookie (for ``id_in_path``).

    Interleaved: in rounds, each round sends one request per session in shuffled order; like
    concurrent users, with the order reshuffled every round, which keeps a plain round-robin from
    lining sessions up with servers by accident. Sequential: each session plays all its requests
    before the next session starts.
    """
    rng = random.Random(scenario.seed)
    clients = [_Client(scenario, session_cookie) for _ in range(scenario.sessions)]
    if scenario.interleaved:
        order = list(range(scenario.sessions))
        for number in range(1, scenario.requests + 1):
            if scenario.pauses_before(number):
                time.sleep(scenario.pause_seconds)
            for index in order:
                clients[index].send(port)
            rng.shuffle(order)
    else:
        for client in clients:
            for number in range(1, scenario.requests + 1):
                if scenario.pauses_before(number):
                    time.sleep(scenario.pause_seconds)
                client.send(port)
    return tuple(_judge(i, client.replies, scenario.login_at) for i, client in enumerate(clients))


def run_ground_truth(
    render: Render,
    backends: Sequence[ChatBackend],
    scenario: Scenario | None = None,
    env: Environment | None = None,
    program: Program = HAPROXY,
    files: RenderFiles = no_files,
) -> Outcome:
    """Check, start and drive the server with the config ``render`` produces; return what
    happened. ``env`` holds the variables the server sees besides ``PATH``; ``files`` the
    files the config includes, written next to it."""
    scenario = scenario or Scenario()
    servers = tuple(b.port for b in backends)
    cookie = backends[0].cookie_name if backends else SESSION_COOKIE
    for attempt in range(START_ATTEMPTS):
        port = free_port()
        try:
            ports = Ports(port, servers)
            return _run_once(render(ports), port, scenario, env, cookie, program, files(ports))
        except HarnessError:
            # The free port may have been taken between probing and the server's bind: retry.
            if attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _run_once(
    config: str,
    port: int,
    scenario: Scenario,
    env: Environment | None,
    session_cookie: str = SESSION_COOKIE,
    program: Program = HAPROXY,
    files: Files = (),
) -> Outcome:
    """Check, start and drive one server whose frontend listens on ``port``."""
    with tempfile.TemporaryDirectory(prefix="tcommlint-gt-") as tmp:
        cfg = Path(tmp) / program.config_name
        cfg.write_text(config)
        _write_files(Path(tmp), files)
        accepted, output = check_config(cfg, env, program)
        if not accepted:
            return Outcome(False, output, (), config, program.check_label, files)
        with running_server(cfg, port, env, program):
            sessions = drive_sessions(port, scenario, session_cookie)
        return Outcome(True, output, sessions, config, program.check_label, files)


def _write_files(root: Path, files: Files) -> None:
    """Write each (relative path, text) under ``root``, creating directories."""
    for relative, text in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


class Observation(NamedTuple):
    """The outcome of one configuration under each of its environment variants."""

    variants: tuple[tuple[Environment, Outcome], ...]

    @property
    def sticky(self) -> bool:
        """True iff every variant was sticky."""
        return all(outcome.sticky for _, outcome in self.variants)

    @property
    def config(self) -> str:
        """The configuration text of the first variant (the same file for every variant)."""
        return self.variants[0][1].config

    @property
    def files(self) -> Files:
        """The included files of the first variant (the same files for every variant)."""
        return self.variants[0][1].files

    def summary(self) -> str:
        """One outcome summary, or ``<env>: <summary>`` per variant joined with ``; ``."""
        if len(self.variants) == 1:
            return self.variants[0][1].summary()
        return "; ".join(f"{env_label(env)}: {outcome.summary()}" for env, outcome in self.variants)


def observe_variants(
    render: Render,
    backends: Sequence[ChatBackend],
    scenario: Scenario | None = None,
    environments: Sequence[Environment] = ({},),
    program: Program = HAPROXY,
    files: RenderFiles = no_files,
) -> Observation:
    """Run the configuration once per environment variant (at least once, with none)."""
    variants = tuple(environments) or ({},)
    return Observation(
        tuple(
            (env, run_ground_truth(render, backends, scenario, env, program, files))
            for env in variants
        )
    )


class Observable(Protocol):
    """What the harness needs of a matrix entry to observe it and compare the observation with
    the record and with tcommlint (``matrix.Entry`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def app_cookie(self) -> str: ...
    @property
    def servers(self) -> int: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def environments(self) -> tuple[Environment, ...]: ...
    @property
    def outside_model(self) -> bool: ...
    @property
    def jvm_routes(self) -> bool: ...
    @property
    def expected_sticky(self) -> bool: ...
    @property
    def client_differs(self) -> str: ...

    def render(self, ports: Ports) -> str: ...
    def render_files(self, ports: Ports) -> Files: ...


@contextlib.contextmanager
def entry_observer(program: Program = HAPROXY) -> Iterator[Callable[[Observable], Observation]]:
    """A function observing each entry once (cached), on chat nodes started on first need for
    each cookie name and jvmRoute kind and shared by every entry observed in the block."""
    cache: dict[str, Observation] = {}
    nodes: dict[tuple[str, bool], list[ChatBackend]] = {}
    with contextlib.ExitStack() as stack:

        def observe(entry: Observable) -> Observation:
            if entry.id not in cache:
                kind = (entry.app_cookie, entry.jvm_routes)
                if kind not in nodes:
                    nodes[kind] = stack.enter_context(chat_backends(NODES, *kind))
                cache[entry.id] = observe_variants(
                    entry.render,
                    nodes[kind][: entry.servers],
                    entry.scenario,
                    entry.environments,
                    program,
                    entry.render_files,
                )
            return cache[entry.id]

        yield observe


def explain(observation: Observation) -> str:
    """Per variant: the summary and the first broken sessions, or the end of the check output."""
    parts = []
    for env, outcome in observation.variants:
        broken = [f"session {s.position}: {s.reason}" for s in outcome.sessions if not s.kept][:3]
        detail = broken or outcome.check_output[-400:]
        parts.append(f"{env_label(env)}: {outcome.summary()}; {detail}")
    return " | ".join(parts)


# --------------------------------------------------------------------------- tcommlint verdict


def tcommlint_available() -> bool:
    """Whether ``python -m tcommlint check`` can be run from the project tree."""
    return (PROJECT_ROOT / "tcommlint" / "__main__.py").is_file()


def loader_missing(role: str, vendor: str) -> str:
    """Why tcommlint cannot give a verdict on a ``vendor`` configuration yet ("" when it can):
    no ``python -m tcommlint``, or no loader of ``role`` in ``registry.BY_ROLE``."""
    if not tcommlint_available():
        return "tcommlint/__main__.py not present: `python -m tcommlint check` cannot run"
    from tcommlint.loaders import registry

    if role not in registry.BY_ROLE:
        return f"tcommlint has no {vendor} loader yet (registry.BY_ROLE has no {role!r} role)"
    return ""


def verdict_rules(scenario: Scenario) -> frozenset[str]:
    """The rules whose errors mean "not sticky" for this scenario."""
    return VERDICT_RULES | {LIFETIME_RULE} if scenario.pause_seconds else VERDICT_RULES


def scenario_manifest(scenario: Scenario, app_cookie: str = SESSION_COOKIE) -> str:
    """The ``tcommlint.yaml`` text describing the scenario's traffic to tcommlint.

    ``session_cookie`` only when the application's cookie is not JSESSIONID;
    ``concurrent_sessions`` is the number of sessions played at once (1 when sequential);
    ``average_session_duration`` the idle pause in whole seconds (rounded up), only when there
    is one; ``session_id_in_url`` only when the id travels in the URL; ``app_path`` only when
    the client's paths are not under the default /api (the public path the client uses).
    """
    lines = ["deployment:", "  name: groundtruth"]
    app_path = "/" + scenario.paths[0].strip("/").split("/")[0]
    if app_path != "/api" and all(
        p == app_path or p.startswith(app_path + "/") for p in scenario.paths
    ):
        lines.append(f"  app_path: {app_path}")
    if app_cookie != SESSION_COOKIE:
        lines.append(f"  session_cookie: {app_cookie}")
    lines.append(f"  concurrent_sessions: {scenario.sessions if scenario.interleaved else 1}")
    if scenario.pause_seconds:
        lines.append(f"  average_session_duration: {math.ceil(scenario.pause_seconds)}s")
    lines.append(f"  login_changes_session_id: {'true' if scenario.login_at > 0 else 'false'}")
    if scenario.id_in_path:
        lines.append("  session_id_in_url: true")
    return "\n".join(lines) + "\n"


def write_deployment(
    root: Path,
    config_text: str,
    scenario: Scenario,
    app_cookie: str = SESSION_COOKIE,
    config_name: str = HAPROXY.config_name,
    jvm_routes: bool = True,
    files: Files = (),
) -> None:
    """The deployment tcommlint checks: the LB file (and the ``files`` it includes, relative to
    it), the scenario's manifest, and one Tomcat ``conf/server.xml`` per chat node with the
    node's jvmRoute (p1, p2, …), as the chat nodes end their session ids with ``.<route>``, or
    without one when ``jvm_routes`` is False, and the Context path /api the nodes answer under."""
    (root / "lb").mkdir(parents=True)
    (root / "lb" / config_name).write_text(config_text)
    _write_files(root / "lb", files)
    (root / "tcommlint.yaml").write_text(scenario_manifest(scenario, app_cookie))
    for number in range(1, NODES + 1):
        conf = root / f"proxy-{number}" / "conf"
        conf.mkdir(parents=True)
        route = f' jvmRoute="p{number}"' if jvm_routes else ""
        (conf / "server.xml").write_text(
            '<Server port="-1"><Service name="Catalina">'
            f'<Engine name="Catalina" defaultHost="localhost"{route}>'
            # The chat nodes answer under /api, as a Tomcat whose Context path is /api.
            '<Host name="localhost" appBase="webapps"><Context path="/api"/></Host>'
            "</Engine></Service></Server>\n"
        )


def run_tcommlint(
    config_text: str,
    scenario: Scenario | None = None,
    app_cookie: str = SESSION_COOKIE,
    config_name: str = HAPROXY.config_name,
    jvm_routes: bool = True,
    files: Files = (),
) -> dict[str, Any]:
    """Run ``python -m tcommlint check <dir> --format json`` on a deployment of one LB file.

    The deployment holds ``lb/<config_name>`` and the ``tcommlint.yaml`` of
    ``scenario_manifest``.
    """
    with tempfile.TemporaryDirectory(prefix="tcommlint-gt-dep-") as tmp:
        root = Path(tmp) / "deployment"
        write_deployment(
            root, config_text, scenario or Scenario(), app_cookie, config_name, jvm_routes, files
        )
        proc = subprocess.run(
            [sys.executable, "-m", "tcommlint", "check", str(root), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=TCOMMLINT_TIMEOUT,
            cwd=PROJECT_ROOT,
            check=False,
        )
    if proc.returncode not in (0, 1):
        raise HarnessError(f"tcommlint exited {proc.returncode}: {proc.stderr.strip()}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def blocking_findings(report: dict[str, Any], rules: frozenset[str]) -> list[str]:
    """``RULE line: message`` for every error-severity finding of ``rules`` in a JSON report."""
    return [
        f"{f['rule']} line {f.get('location', {}).get('line', '?')}: {f.get('message', '')}"
        for f in report.get("findings", [])
        if f.get("rule") in rules and f.get("severity") == "error"
    ]


def outside_model(report: dict[str, Any]) -> bool:
    """Whether tcommlint said the stickiness is not evaluable (TC008) and gave no verdict."""
    return any(f.get("rule") == OUTSIDE_RULE for f in report.get("findings", []))


def tcommlint_sticky(report: dict[str, Any], rules: frozenset[str] = VERDICT_RULES) -> bool:
    """tcommlint's verdict: sticky iff no error finding of a stickiness rule."""
    return not blocking_findings(report, rules)


def entry_report(
    entry: Observable, observation: Observation, program: Program = HAPROXY
) -> dict[str, Any]:
    """tcommlint's JSON report on the files ``observation`` ran (the same ports), in the entry's
    deployment: its scenario, session cookie and chat nodes with or without jvmRoutes."""
    return run_tcommlint(
        observation.config,
        entry.scenario,
        entry.app_cookie,
        program.config_name,
        entry.jvm_routes,
        observation.files,
    )


def tcommlint_disagreement(
    entry: Observable, observation: Observation, program: Program = HAPROXY
) -> str:
    """Why tcommlint's verdict on ``observation``'s configuration differs from what the server
    did ("" when they agree): a configuration the server refuses must be TC001 before anything
    else (nothing of a refused file is evaluable); otherwise an entry outside the model must be
    TC008, and any other must get the observed sticky verdict."""
    report = entry_report(entry, observation, program)
    if not all(outcome.accepted for _, outcome in observation.variants):
        if any(f["rule"] == "TC001" for f in report["findings"]):
            return ""
        return f"{program.check_label} refuses {entry.id}, tcommlint gives no TC001: " + explain(
            observation
        )
    if entry.outside_model:
        return "" if outside_model(report) else f"no TC008 for {entry.id}: {report['findings']}"
    rules = verdict_rules(entry.scenario)
    if tcommlint_sticky(report, rules) is observation.sticky:
        return ""
    return (
        f"{program.binary}: {explain(observation)}; "
        f"tcommlint errors: {blocking_findings(report, rules)}"
    )


# --------------------------------------------------------------------------- a server's suite


class DifferentialTests(NamedTuple):
    """The pytest pieces a server's ground-truth module binds to its own names.

    ``observe`` is a module fixture (named ``observe``) observing each entry once;
    ``observation_matches_recorded`` and ``tcommlint_verdict_matches`` are tests parametrized
    over the entries, marked with the server's marker and skipped without its binary.
    """

    observe: Callable[..., Any]
    observation_matches_recorded: Callable[..., None]
    tcommlint_verdict_matches: Callable[..., None]


def differential_tests(
    program: Program, entries: Sequence[Observable], role: str, vendor: str
) -> DifferentialTests:
    """The two differential tests of ``entries`` against ``program``: the observation must be
    the recorded one, and tcommlint (once it has a loader of ``role``) must agree with it.
    ``role`` is also the pytest marker."""
    import pytest  # test-only: the benchmarks import this module without pytest's plugins

    @pytest.fixture(scope="module", name="observe")
    def observe() -> Iterator[Callable[[Observable], Observation]]:
        with entry_observer(program) as run:
            yield run

    def observation_matches_recorded(
        entry: Observable, observe: Callable[[Observable], Observation]
    ) -> None:
        observation = observe(entry)
        assert observation.sticky is entry.expected_sticky, explain(observation)

    def tcommlint_verdict_matches(
        entry: Observable, observe: Callable[[Observable], Observation]
    ) -> None:
        skip = loader_missing(role, vendor) or entry.client_differs
        if skip:
            pytest.skip(skip)
        disagreement = tcommlint_disagreement(entry, observe(entry), program)
        assert not disagreement, disagreement

    marks = (
        getattr(pytest.mark, role),
        pytest.mark.skipif(
            binary_of(program) is None,
            reason=f"{program.binary} binary not installed (apt-get install {program.binary})",
        ),
        pytest.mark.parametrize("entry", entries, ids=[entry.id for entry in entries]),
    )
    tests = [observation_matches_recorded, tcommlint_verdict_matches]
    for mark in marks:
        tests = [mark(test) for test in tests]
    return DifferentialTests(observe, *tests)
