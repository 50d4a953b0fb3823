"""A stand-in for the chat API on one proxy node, for the HAProxy ground-truth harness.

It behaves like the TComm chat API as far as stickiness is concerned: a request under ``/api``
without a session cookie it knows creates a session (``Set-Cookie: JSESSIONID=<32 hex>.<route>;
Path=/api``); a request carrying a session id it did not create answers ``404 No Session Found``
and logs ``UnOpenedSessionNotAllowed``; a request with its own session answers 200. Every response
names the node (``X-Served-By``) and, when a session was served, the session (``X-Session``).

The session id is read from the session cookie or, when no cookie carries it, from a
``;jsessionid=<id>`` path parameter (Tomcat URL rewriting). A request to a path ending in
``/login`` with a known session renews the id (Tomcat's changeSessionIdOnAuthentication): the old
id is forgotten and the new one is set as the cookie and named in ``X-Session``.
Listens on 127.0.0.1 only, on an ephemeral port.
"""

from __future__ import annotations

import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

APP_PATH = "/api"
NO_SESSION_BODY = b"No Session Found"
NO_SESSION_LOG = "UnOpenedSessionNotAllowed"
LOGIN_SUFFIX = "/login"
PATH_PARAMETER = "jsessionid"  # Tomcat's session path parameter, whatever the cookie's name


def split_path(target: str) -> tuple[str, dict[str, str]]:
    """``/a/b;jsessionid=X?q=1`` -> (``/a/b``, {``jsessionid``: ``X``}): path and its parameters.

    Only the last segment's ``;`` parameters are read (where Tomcat puts the session id).
    """
    path = target.split("?", 1)[0]
    path, *parameters = path.split(";")
    found = {}
    for parameter in parameters:
        key, sep, value = parameter.partition("=")
        if sep:
            found[key] = value
    return path, found


def _cookie_values(header: str, name: str) -> list[str]:
    """Return every value of cookie ``name`` (exact, case-sensitive) in a Cookie header."""
    values = []
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            values.append(value)
    return values


class ChatBackend:
    """One chat-API node: an in-process threaded HTTP server with its own session store."""

    def __init__(
        self, route: str, cookie_name: str = "JSESSIONID", jvm_route: str | None = None
    ) -> None:
        self.route = route
        self.cookie_name = cookie_name
        # the suffix of its session ids (Tomcat's jvmRoute): the node's name unless given; ""
        # for a node without a jvmRoute, whose ids carry no ``.<route>``
        self.jvm_route = route if jvm_route is None else jvm_route
        self.sessions: set[str] = set()
        self.log: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the node listens on (only valid once started)."""
        if self._server is None:
            raise RuntimeError(f"backend {self.route} is not started")
        return int(self._server.server_address[1])

    def start(self) -> ChatBackend:
        """Bind 127.0.0.1 on an ephemeral port and serve in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ChatBackend:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def new_session(self) -> str:
        """Create and remember a Tomcat-like session id ``<32 hex>.<jvm route>`` (``<32 hex>``
        without a jvm route)."""
        session = secrets.token_hex(16).upper()
        if self.jvm_route:
            session += f".{self.jvm_route}"
        with self._lock:
            self.sessions.add(session)
        return session

    def renew(self, session: str) -> str:
        """Replace ``session`` by a new id (the old one is forgotten); return the new id."""
        with self._lock:
            self.sessions.discard(session)
        return self.new_session()

    def knows(self, session: str) -> bool:
        """Whether this node created ``session``."""
        with self._lock:
            return session in self.sessions

    def note(self, line: str) -> None:
        """Append a line to the node's log."""
        with self._lock:
            self.log.append(line)


def _handler_for(backend: ChatBackend) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to ``backend``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._serve()

        def _serve(self) -> None:
            path, parameters = split_path(self.path)
            if path != APP_PATH and not path.startswith(APP_PATH + "/"):
                self._reply(200, f"static page from {backend.route}".encode(), {})
                return
            sent = _cookie_values(self.headers.get("Cookie") or "", backend.cookie_name)
            if not sent and parameters.get(PATH_PARAMETER):
                sent = [parameters[PATH_PARAMETER]]
            if not sent:
                session = backend.new_session()
                self._reply(200, f"session created {session}".encode(), self._issue(session))
            elif backend.knows(sent[0]) and path.endswith(LOGIN_SUFFIX):
                session = backend.renew(sent[0])
                self._reply(200, f"session renewed {session}".encode(), self._issue(session))
            elif backend.knows(sent[0]):
                self._reply(200, f"session ok {sent[0]}".encode(), {"X-Session": sent[0]})
            else:
                backend.note(f"{NO_SESSION_LOG}: {sent[0]!r} on {backend.route}")
                self._reply(404, NO_SESSION_BODY, {})

        def _issue(self, session: str) -> dict[str, str]:
            cookie = f"{backend.cookie_name}={session}; Path={APP_PATH}; HttpOnly"
            return {"Set-Cookie": cookie, "X-Session": session}

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("X-Served-By", backend.route)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            """Silence the default stderr access log."""

    return Handler
