"""The probe's options and their hard bounds: a probe is traffic on a production load balancer,
so every count and rate has a small default and a ceiling no flag can pass."""

from __future__ import annotations

import argparse
import re
from urllib.parse import urlsplit

from tcommlint.errors import UsageError
from tcommlint.records import NamedTuple

DEFAULT_SESSIONS, MAX_SESSIONS = 10, 100
DEFAULT_REQUESTS, MAX_REQUESTS = 5, 50
DEFAULT_CONCURRENCY, MAX_CONCURRENCY = 1, 16
DEFAULT_RATE, MAX_RATE = 10.0, 50.0  # requests per second, over the whole probe
DEFAULT_TIMEOUT, MAX_TIMEOUT = 5.0, 60.0  # seconds per request
DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT = 120.0, 900.0  # seconds for the whole probe
MAX_PAUSE = 600.0
MAX_HEADERS = 20
DEFAULT_PATH = "/api"
MAX_REDIRECTS = 3  # same-host redirects followed per request


class Options(NamedTuple):
    """A validated probe."""

    url: str
    scheme: str
    host: str
    port: int
    paths: tuple[str, ...]
    app_path: str
    session_cookie: str
    sessions: int
    requests: int
    concurrency: int
    rate: float
    pause: float
    login: str
    post: str
    node_header: str
    headers: tuple[tuple[str, str], ...]
    timeout: float
    time_limit: float
    cacert: str | None
    insecure: bool
    captcha: bool
    deployment: str | None

    @property
    def origin(self) -> str:
        """``scheme://host:port``."""
        return f"{self.scheme}://{_bracketed(self.host)}:{self.port}"

    @property
    def secure(self) -> bool:
        """Whether the probe speaks TLS."""
        return self.scheme == "https"

    def path_for(self, number: int) -> str:
        """The path of request ``number`` (1-based): the paths in turn, the login path at its
        turn (``--login PATH`` is the second request)."""
        if self.login and number == 2:
            return self.login
        return self.paths[(number - 1) % len(self.paths)]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bounded(flag: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise UsageError(f"{flag} must be between {low:g} and {high:g}, not {value:g}")


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 §5.6.2: a header name
_PATH = re.compile(r"/[\x21-\x7e]*")  # printable ASCII, no blank: a request target as sent


def _path(flag: str, value: str) -> str:
    if not _PATH.fullmatch(value) or "#" in value:
        raise UsageError(
            f"{flag} must be a path starting with '/' (ASCII, no blank), not {value!r}"
        )
    return value


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    legal = sep and _TOKEN.fullmatch(name) and not any(c in value for c in "\r\n\0")
    if not legal or not value.isascii():
        raise UsageError(f"--header must be 'Name: value' (ASCII), not {text!r}")
    if name.lower() in ("host", "cookie", "content-length", "transfer-encoding", "connection"):
        raise UsageError(f"--header cannot set {name}: the probe sets it itself")
    return name, value


def from_args(args: argparse.Namespace) -> Options:
    """The options of ``probe``, checked; a value out of bounds is a usage error (exit 2)."""
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"expected an http:// or https:// URL, not {args.url!r}")
    if parts.username or parts.password:
        raise UsageError("the URL must not carry credentials; use --header")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"invalid port in {args.url!r}") from None
    _bounded("--sessions", args.sessions, 1, MAX_SESSIONS)
    _bounded("--requests", args.requests, 2, MAX_REQUESTS)
    _bounded("--concurrency", args.concurrency, 1, MAX_CONCURRENCY)
    _bounded("--rate", args.rate, 0.1, MAX_RATE)
    _bounded("--pause", args.pause, 0, MAX_PAUSE)
    _bounded("--timeout", args.timeout, 0.1, MAX_TIMEOUT)
    _bounded("--time-limit", args.time_limit, 1, MAX_TIME_LIMIT)
    if len(args.header) > MAX_HEADERS:
        raise UsageError(f"at most {MAX_HEADERS} --header flags")
    paths = tuple(_path("--path", p) for p in args.path) or (parts.path or DEFAULT_PATH,)
    if parts.path and args.path:
        raise UsageError("give the paths either in the URL or with --path, not both")
    if args.insecure and args.cacert:
        raise UsageError("--insecure and --cacert exclude each other")
    cookie = args.session_cookie
    if not cookie or any(c in cookie for c in " ;=,\t\r\n"):
        raise UsageError(f"--session-cookie must be a cookie name, not {cookie!r}")
    return Options(
        url=args.url,
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        paths=paths,
        app_path=_path("--app-path", args.app_path).rstrip("/") or "/",
        session_cookie=cookie,
        sessions=args.sessions,
        requests=args.requests,
        concurrency=args.concurrency,
        rate=float(args.rate),
        pause=float(args.pause),
        login=_path("--login", args.login) if args.login else "",
        post=_path("--post", args.post) if args.post else "",
        node_header=args.node_header or "",
        headers=tuple(_header(h) for h in args.header),
        timeout=float(args.timeout),
        time_limit=float(args.time_limit),
        cacert=args.cacert,
        insecure=args.insecure,
        captcha=args.captcha,
        deployment=args.deployment,
    )
