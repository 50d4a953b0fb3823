"""Drive a real haproxy on loopback and observe whether chat sessions stay on their node.

The harness writes a configuration to a temporary directory, checks it with ``haproxy -c`` (a
configuration haproxy refuses counts as "sessions do not work"), starts ``haproxy -f cfg -db`` on
a free 127.0.0.1 port in front of :class:`ChatBackend` nodes, and plays N sessions x M requests
with a browser-like cookie jar, one TCP connection per request so that every request is balanced.
A session is kept when every request after the first is answered 200 by the node that created it,
with the same session id. The verdict is "sticky" iff every session was kept.

A configuration may be observed under several environment variants (``observe_variants``), for
``.if defined(...)`` blocks: it counts as sticky only if every variant is.

It also runs tcommlint on the same configuration (``tcommlint_verdict``) so the two can be compared.
"""

from __future__ import annotations

import contextlib
import http.client
import json
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
from typing import Any, NamedTuple

from tests.groundtruth.chat_backend import ChatBackend

HAPROXY = "haproxy"
REQUEST_TIMEOUT = 5.0
START_TIMEOUT = 5.0
START_ATTEMPTS = 3
STOP_TIMEOUT = 5.0
CHECK_TIMEOUT = 10.0
TCOMMLINT_TIMEOUT = 60.0
SESSION_COOKIE = "JSESSIONID"
# The rules whose error means "sessions will not stay on their node" (SPEC §3); TC205 joins them
# only for scenarios that pause longer than a persistence lifetime.
VERDICT_RULES = frozenset({"TC201", "TC202", "TC203", "TC204", "TC206", "TC209", "TC213"})
LIFETIME_RULE = "TC205"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Ports(NamedTuple):
    """Where haproxy listens and where the chat nodes listen (all on 127.0.0.1)."""

    frontend: int
    servers: tuple[int, ...]


Render = Callable[[Ports], str]


class Scenario(NamedTuple):
    """How many sessions, how many requests each, and an optional idle pause between requests."""

    sessions: int = 20
    requests: int = 10
    pause_seconds: float = 0.0
    path: str = "/api/chat"
    seed: int = 20240611


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

    @property
    def sessions_ok(self) -> int:
        """Number of sessions that kept their server-side session."""
        return sum(1 for s in self.sessions if s.kept)

    @property
    def sticky(self) -> bool:
        """True iff haproxy accepted the config and every session kept its session."""
        return self.accepted and bool(self.sessions) and self.sessions_ok == len(self.sessions)

    def summary(self) -> str:
        """A one-line human summary, e.g. ``sticky 20/20`` or ``refused by haproxy -c``."""
        if not self.accepted:
            return "refused by haproxy -c"
        word = "sticky" if self.sticky else "NOT sticky"
        return f"{word} {self.sessions_ok}/{len(self.sessions)}"


class HarnessError(RuntimeError):
    """The harness itself could not run (haproxy would not start), as opposed to a verdict."""


# --------------------------------------------------------------------------- browser cookie jar


def _path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def _default_path(request_path: str) -> str:
    """RFC 6265 §5.1.4 default-path: the request path up to, not including, its last '/'."""
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path[: request_path.rfind("/")]


class CookieJar:
    """Cookies of one browser session for one host: honours Path and Max-Age (not Expires)."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], str] = {}

    def receive(self, set_cookie: str, request_path: str) -> None:
        """Store (or delete, for ``Max-Age<=0``) the cookie of one Set-Cookie header."""
        first, *attributes = set_cookie.split(";")
        name, sep, value = first.strip().partition("=")
        if not sep or not name:
            return
        path, expired = _default_path(request_path), False
        for attribute in attributes:
            key, _, arg = attribute.strip().partition("=")
            if key.lower() == "path" and arg.startswith("/"):
                path = arg
            elif key.lower() == "max-age" and arg.lstrip("-").isdigit():
                expired = int(arg) <= 0
        if expired:
            self._cookies.pop((name, path), None)
        else:
            self._cookies[(name, path)] = value

    def header(self, request_path: str) -> str:
        """The Cookie header a browser would send for ``request_path`` (longest path first)."""
        matching = [
            (path, name, value)
            for (name, path), value in self._cookies.items()
            if _path_matches(request_path, path)
        ]
        matching.sort(key=lambda item: -len(item[0]))
        return "; ".join(f"{name}={value}" for _, name, value in matching)


# --------------------------------------------------------------------------- haproxy process


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def haproxy_binary() -> str | None:
    """Path of the haproxy executable, or None when it is not installed."""
    return shutil.which(HAPROXY)


Environment = Mapping[str, str]


def _clean_env(extra: Environment | None = None) -> dict[str, str]:
    """A minimal environment, so ``.if defined(...)`` blocks see only the variant's variables."""
    return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), **(extra or {})}


def env_label(env: Environment) -> str:
    """``X=1 Y=2``, or ``(no variables)`` for the empty environment."""
    return " ".join(f"{key}={value}" for key, value in sorted(env.items())) or "(no variables)"


def check_config(
    cfg: Path, haproxy: str = HAPROXY, env: Environment | None = None
) -> tuple[bool, str]:
    """Run ``haproxy -c -f cfg``; return (accepted, combined output)."""
    proc = subprocess.run(
        [haproxy, "-c", "-f", str(cfg)],
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
        env=_clean_env(env),
        check=False,
    )
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def _wait_listening(proc: subprocess.Popen[bytes], port: int) -> bool:
    """Poll until ``port`` accepts connections; False if haproxy exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.02)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate haproxy, killing it if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running_haproxy(
    cfg: Path, port: int, haproxy: str = HAPROXY, env: Environment | None = None
) -> Iterator[None]:
    """Run ``haproxy -f cfg -db`` until the block ends; raise HarnessError if it never listens."""
    log_path = cfg.with_suffix(".log")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [haproxy, "-f", str(cfg), "-db"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_clean_env(env),
        )
        try:
            if not _wait_listening(proc, port):
                raise HarnessError(
                    f"haproxy did not listen on {port}: {log_path.read_text(errors='replace')}"
                )
            yield
        finally:
            _stop(proc)


@contextlib.contextmanager
def chat_backends(count: int = 3, cookie_name: str = SESSION_COOKIE) -> Iterator[list[ChatBackend]]:
    """Start ``count`` chat nodes named p1, p2, … and stop them when the block ends."""
    with contextlib.ExitStack() as stack:
        nodes = [
            stack.enter_context(ChatBackend(f"p{i}", cookie_name)) for i in range(1, count + 1)
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


def _judge(position: int, replies: Sequence[Reply]) -> SessionResult:
    """Whether every reply after the first came from the creating node with the same session."""
    first = replies[0]
    if first.status != 200 or not first.session:
        reason = f"request 1: status {first.status} from {first.served_by or '-'}, no session"
        return SessionResult(position, tuple(replies), False, reason)
    for number, reply in enumerate(replies[1:], start=2):
        if reply.status != 200 or reply.served_by != first.served_by:
            reason = (
                f"request {number}: status {reply.status} from {reply.served_by or '-'}, "
                f"session created on {first.served_by}"
            )
            return SessionResult(position, tuple(replies), False, reason)
        if reply.session != first.session:
            reason = f"request {number}: served a different session on {reply.served_by}"
            return SessionResult(position, tuple(replies), False, reason)
    return SessionResult(position, tuple(replies), True, "")


def drive_sessions(port: int, scenario: Scenario) -> tuple[SessionResult, ...]:
    """Play the scenario in rounds: each round sends one request per session, in shuffled order.

    Interleaving sessions like concurrent users, with the order reshuffled every round, keeps a
    plain round-robin from lining sessions up with servers by accident.
    """
    rng = random.Random(scenario.seed)
    jars = [CookieJar() for _ in range(scenario.sessions)]
    replies: list[list[Reply]] = [[] for _ in range(scenario.sessions)]
    order = list(range(scenario.sessions))
    for round_number in range(scenario.requests):
        if round_number and scenario.pause_seconds:
            time.sleep(scenario.pause_seconds)
        for index in order:
            replies[index].append(_request(port, scenario.path, jars[index]))
        rng.shuffle(order)
    return tuple(_judge(i, r) for i, r in enumerate(replies))


def run_ground_truth(
    render: Render,
    backends: Sequence[ChatBackend],
    scenario: Scenario | None = None,
    haproxy: str = HAPROXY,
    env: Environment | None = None,
) -> Outcome:
    """Check, start and drive haproxy with the config ``render`` produces; return what happened.

    ``env`` holds the variables haproxy sees besides ``PATH``.
    """
    scenario = scenario or Scenario()
    servers = tuple(b.port for b in backends)
    for attempt in range(START_ATTEMPTS):
        port = free_port()
        try:
            return _run_once(render(Ports(port, servers)), port, scenario, haproxy, env)
        except HarnessError:
            # The free port may have been taken between probing and haproxy's bind: retry.
            if attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _run_once(
    config: str, port: int, scenario: Scenario, haproxy: str, env: Environment | None
) -> Outcome:
    """Check, start and drive one haproxy whose frontend listens on ``port``."""
    with tempfile.TemporaryDirectory(prefix="tcommlint-gt-") as tmp:
        cfg = Path(tmp) / "haproxy.cfg"
        cfg.write_text(config)
        accepted, output = check_config(cfg, haproxy, env)
        if not accepted:
            return Outcome(False, output, (), config)
        with running_haproxy(cfg, port, haproxy, env):
            sessions = drive_sessions(port, scenario)
        return Outcome(True, output, sessions, config)


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
    haproxy: str = HAPROXY,
) -> Observation:
    """Run the configuration once per environment variant (at least once, with none)."""
    variants = tuple(environments) or ({},)
    return Observation(
        tuple((env, run_ground_truth(render, backends, scenario, haproxy, env)) for env in variants)
    )


# --------------------------------------------------------------------------- tcommlint verdict


def tcommlint_available() -> bool:
    """Whether ``python -m tcommlint check`` can be run from the project tree."""
    return (PROJECT_ROOT / "tcommlint" / "__main__.py").is_file()


def verdict_rules(scenario: Scenario) -> frozenset[str]:
    """The rules whose errors mean "not sticky" for this scenario."""
    return VERDICT_RULES | {LIFETIME_RULE} if scenario.pause_seconds else VERDICT_RULES


def run_tcommlint(config_text: str, app_cookie: str = SESSION_COOKIE) -> dict[str, Any]:
    """Run ``python -m tcommlint check <dir> --format json`` on a deployment of one LB file.

    The deployment holds only ``lb/haproxy.cfg``, plus a ``tcommlint.yaml`` naming the session
    cookie when the application's cookie is not ``JSESSIONID``.
    """
    with tempfile.TemporaryDirectory(prefix="tcommlint-gt-dep-") as tmp:
        root = Path(tmp) / "deployment"
        (root / "lb").mkdir(parents=True)
        (root / "lb" / "haproxy.cfg").write_text(config_text)
        if app_cookie != SESSION_COOKIE:
            manifest = f"deployment:\n  name: groundtruth\n  session_cookie: {app_cookie}\n"
            (root / "tcommlint.yaml").write_text(manifest)
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


def tcommlint_sticky(report: dict[str, Any], rules: frozenset[str] = VERDICT_RULES) -> bool:
    """tcommlint's verdict: sticky iff no error finding of a stickiness rule."""
    return not blocking_findings(report, rules)
