"""Session-cookie constancy over a browser HAR 1.2 capture (``tcommlint har FILE``).

After the response that sets the session cookie (exact name), every later request under the
app path must send the same value. The capture shows what broke when it does not: a request
without the cookie, a new ``Set-Cookie`` from another proxy (a jvmRoute suffix change), a
lowercase ``jsessionid``, a cookie path that misses the app path, 404 "No Session Found".
Cookie values are never printed in full: a short prefix identifies them.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tcommlint import output
from tcommlint.cookie_syntax import cookie_pairs, set_cookie_parts
from tcommlint.errors import UsageError
from tcommlint.inputs import MAX_CAPTURE_BYTES, read_input
from tcommlint.records import NamedTuple
from tcommlint.redact import Redactor

PREFIX_CHARS = 6
LB_COOKIE_PREFIXES = ("BIGipServer",)
LB_COOKIE_NAMES = ("SERVERID", "SRV")
_DELTA_SECONDS = re.compile(r"-?[0-9]+")  # RFC 6265 §5.2.2: ASCII digits only, not str.isdigit


class Cookie(NamedTuple):
    """A cookie sent by the client or set by the server (``path``/``deleted`` for Set-Cookie)."""

    name: str
    value: str
    path: str | None = None
    deleted: bool = False


class Exchange(NamedTuple):
    """One HAR entry, reduced to what the checks need; ``number`` is 1-based in file order."""

    number: int
    method: str
    path: str
    status: int
    sent: tuple[Cookie, ...]
    set: tuple[Cookie, ...]
    body: str


class Problem(NamedTuple):
    """Something in the capture that breaks or endangers the session."""

    kind: str
    entry: Exchange
    message: str


class Analysis(NamedTuple):
    """The outcome: problems, LB cookies seen, and where the session began."""

    entries: int
    app_entries: int
    established: Exchange | None
    problems: tuple[Problem, ...]
    lb_cookies: dict[str, Exchange]


# --- reading --------------------------------------------------------------------------------


def read_har(path: Path, display: str) -> list[Exchange]:
    """The entries of a HAR file; anything that is not HAR 1.x JSON → UsageError."""
    content = read_input(path, display, "HAR file", MAX_CAPTURE_BYTES)
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"not a HAR file: invalid JSON ({error})", display) from None
    except RecursionError:
        raise UsageError("not a HAR file: JSON nested too deeply", display) from None
    log = data.get("log") if isinstance(data, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise UsageError("not a HAR file: no log.entries list", display)
    try:
        return [_exchange(number, entry) for number, entry in enumerate(entries, start=1)]
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise UsageError(f"not a HAR file: malformed entry ({error})", display) from None


def _exchange(number: int, entry: dict[str, Any]) -> Exchange:
    request, response = entry["request"], entry.get("response") or {}
    started = _iso(entry.get("startedDateTime"))
    content = response.get("content") or {}
    body = f"{response.get('statusText', '')} {content.get('text') or ''}"
    return Exchange(
        number=number,
        method=str(request.get("method", "GET")),
        path=urlsplit(str(request["url"])).path or "/",
        status=int(response.get("status") or 0),
        sent=_request_cookies(request),
        set=_response_cookies(response, started),
        body=body,
    )


def _headers(message: dict[str, Any], name: str) -> list[str]:
    """Values of a header, case-insensitively; a value may hold several lines (Set-Cookie)."""
    values = []
    for header in message.get("headers") or []:
        if str(header.get("name", "")).lower() == name:
            values.extend(str(header.get("value", "")).split("\n"))
    return values


def _request_cookies(request: dict[str, Any]) -> tuple[Cookie, ...]:
    listed = request.get("cookies") or []
    if listed:
        return tuple(Cookie(str(c["name"]), str(c.get("value", ""))) for c in listed)
    return tuple(
        Cookie(name, value.strip('"'))
        for header in _headers(request, "cookie")
        for name, value in cookie_pairs(header)
    )


def _response_cookies(response: dict[str, Any], started: datetime | None) -> tuple[Cookie, ...]:
    listed = response.get("cookies") or []
    if listed:
        return tuple(_listed_set_cookie(c, started) for c in listed)
    return tuple(
        cookie
        for header in _headers(response, "set-cookie")
        if (cookie := parse_set_cookie(header, started)) is not None
    )


def _listed_set_cookie(cookie: dict[str, Any], started: datetime | None) -> Cookie:
    value = str(cookie.get("value", ""))
    expires = _iso(cookie.get("expires"))
    deleted = not value or _before(expires, started)
    path = cookie.get("path")
    return Cookie(str(cookie["name"]), value, str(path) if path else None, deleted)


def parse_set_cookie(header: str, started: datetime | None = None) -> Cookie | None:
    """A ``Set-Cookie`` header value as a Cookie (None when it has no ``name=``)."""
    parts = set_cookie_parts(header)
    if not parts.name or not parts.has_equals:
        return None
    value = parts.value.strip('"')
    path, deleted = None, not value
    for key, argument in parts.attributes:
        if key == "path":
            path = argument or None
        elif key == "max-age":
            deleted = deleted or _max_age_deletes(argument)
        elif key == "expires":
            deleted = deleted or _before(_http_date(argument), started)
    return Cookie(parts.name, value, path, deleted)


def _max_age_deletes(argument: str) -> bool:
    """Whether ``Max-Age`` is ≤ 0; RFC 6265 §5.2.2 ignores a value that is not ``-?DIGIT+``."""
    if not _DELTA_SECONDS.fullmatch(argument):
        return False
    return argument.startswith("-") or not argument.strip("0")


def _iso(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _http_date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):  # a browser ignores such Expires
        return None


def _before(moment: datetime | None, reference: datetime | None) -> bool:
    if moment is None or reference is None:
        return False
    try:
        return moment < reference
    except TypeError:  # naive against aware: cannot compare, so not a deletion
        return False


# --- checking -------------------------------------------------------------------------------


def under(path: str, app_path: str) -> bool:
    """Whether a URL path is the app path or below it (segment-wise)."""
    base = app_path.rstrip("/")
    return not base or path == base or path.startswith(base + "/")


def default_cookie_path(request_path: str) -> str:
    """RFC 6265 §5.1.4: the directory of the request path."""
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path[: request_path.rfind("/")]


def covers(cookie_path: str, app_path: str) -> bool:
    """RFC 6265 path-match: a cookie with this path is sent for requests to the app path."""
    probe = app_path.rstrip("/") + "/"
    return probe == cookie_path or probe.startswith(cookie_path.rstrip("/") + "/")


def short(value: str) -> str:
    """A cookie value reduced to a prefix, keeping a jvmRoute suffix (``A1B2C3….proxy1``)."""
    head, dot, route = value.partition(".")
    prefix = head[:PREFIX_CHARS] + ("…" if len(head) > PREFIX_CHARS else "")
    return prefix + (dot + route if route else "")


def route_of(value: str) -> str:
    """The jvmRoute suffix of a Tomcat session id (after the first dot), or ""."""
    return value.partition(".")[2]


def _is_lb_cookie(name: str) -> bool:
    return name in LB_COOKIE_NAMES or name.startswith(LB_COOKIE_PREFIXES)


class Checker:
    """Walks the exchanges in order, tracking the session cookie's current value."""

    def __init__(self, app_path: str, cookie: str) -> None:
        self.app_path = app_path
        self.cookie = cookie
        self.current: Cookie | None = None
        self.established: Exchange | None = None  # the first exchange that set the cookie
        self.origin: Exchange | None = None  # the exchange that set the current value
        self.problems: list[Problem] = []
        self.lb_cookies: dict[str, Exchange] = {}
        self.case_reported: set[tuple[str, str]] = set()

    def check(self, exchanges: list[Exchange]) -> Analysis:
        """Run every check; the order of the capture is the order of the browser."""
        app_entries = 0
        for exchange in exchanges:
            self._lb(exchange)
            if under(exchange.path, self.app_path):
                app_entries += 1
                self._request(exchange)
                self._not_found(exchange)
            self._case(exchange)
            self._response(exchange)
        return Analysis(
            len(exchanges),
            app_entries,
            self.established,
            tuple(self.problems),
            self.lb_cookies,
        )

    def _add(self, kind: str, exchange: Exchange, message: str) -> None:
        self.problems.append(Problem(kind, exchange, message))

    def _request(self, exchange: Exchange) -> None:
        sent = [c.value for c in exchange.sent if c.name == self.cookie]
        if self.current is None:
            if sent:  # the capture began mid-session: the first value sent is the session
                self.current = Cookie(self.cookie, sent[0])
                self._set_origin(exchange)
            return
        expected = self.current.value
        if not sent:
            self._add(
                "missing-cookie",
                exchange,
                f"request without {self.cookie} (session {short(expected)} since "
                f"#{self._origin()}): the load balancer cannot keep it on its proxy",
            )
        elif expected not in sent:
            self._add(
                "value-mismatch",
                exchange,
                f"request sends {self.cookie}={short(sent[0])} but the session is "
                f"{short(expected)}{_route_hint(expected, sent[0])}",
            )

    def _origin(self) -> int:
        return self.origin.number if self.origin else 0

    def _set_origin(self, exchange: Exchange) -> None:
        self.origin = exchange
        if self.established is None:
            self.established = exchange

    def _response(self, exchange: Exchange) -> None:
        for cookie in exchange.set:
            if cookie.name != self.cookie:
                continue
            self._path(exchange, cookie)
            if cookie.deleted:
                self.current = None
                continue
            if self.current is not None and cookie.value != self.current.value:
                self._add(
                    "value-changed",
                    exchange,
                    f"response {exchange.status} sets a new {self.cookie}: "
                    f"{short(self.current.value)} → {short(cookie.value)}"
                    f"{_route_hint(self.current.value, cookie.value)}",
                )
            if self.current is None or cookie.value != self.current.value:
                self._set_origin(exchange)
            self.current = cookie

    def _path(self, exchange: Exchange, cookie: Cookie) -> None:
        path = cookie.path or default_cookie_path(exchange.path)
        if not covers(path, self.app_path):
            source = f"Path={cookie.path}" if cookie.path else f"default path {path}"
            self._add(
                "cookie-path",
                exchange,
                f"Set-Cookie {self.cookie} with {source} does not cover {self.app_path}: "
                f"the browser will not send it to the chat API",
            )

    def _case(self, exchange: Exchange) -> None:
        for where, cookies in (("request sends", exchange.sent), ("response sets", exchange.set)):
            for cookie in cookies:
                name = cookie.name
                if name != self.cookie and name.lower() == self.cookie.lower():
                    if (where, name) in self.case_reported:
                        continue
                    self.case_reported.add((where, name))
                    self._add(
                        "cookie-name-case",
                        exchange,
                        f"{where} a cookie named {name}, not {self.cookie}: cookie names are "
                        f"case-sensitive, so persistence on {self.cookie} never sees it",
                    )

    def _not_found(self, exchange: Exchange) -> None:
        if exchange.status == 404 and "no session found" in exchange.body.lower():
            self._add(
                "no-session-found",
                exchange,
                '404 "No Session Found": the request reached a proxy without the session',
            )

    def _lb(self, exchange: Exchange) -> None:
        for cookie in (*exchange.sent, *exchange.set):
            if _is_lb_cookie(cookie.name):
                self.lb_cookies.setdefault(cookie.name, exchange)


def _route_hint(old: str, new: str) -> str:
    before, after = route_of(old), route_of(new)
    if before and after and before != after:
        return f" (jvmRoute .{before} → .{after}: the request reached another proxy)"
    return ""


def analyse(exchanges: list[Exchange], app_path: str, cookie: str) -> Analysis:
    """Check a capture for the session cookie ``cookie`` on requests under ``app_path``."""
    return Checker(app_path, cookie).check(exchanges)


# --- the ``har`` command --------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``tcommlint har FILE``: 1 when a problem is found, 0 otherwise."""
    display = Path(args.file).as_posix()
    analysis = analyse(read_har(Path(args.file), display), args.app_path, args.session_cookie)
    if args.format == "json":
        data = as_data(analysis, display, args.app_path, args.session_cookie)
        text = output.json_text(data, Redactor())
    else:
        text = as_text(analysis, display, args.app_path, args.session_cookie)
    output.write(text, json_text=args.format == "json")
    return 1 if analysis.problems else 0


def _where(exchange: Exchange) -> str:
    return f"#{exchange.number} {exchange.method} {exchange.path} ({exchange.status})"


def as_text(analysis: Analysis, display: str, app_path: str, cookie: str) -> str:
    """One line per problem, then the LB cookies and a summary."""
    lines = [f"{display}: {analysis.entries} entries, {analysis.app_entries} under {app_path}"]
    if analysis.established is not None:
        lines.append(f"  {cookie} first established by {_where(analysis.established)}")
    else:
        lines.append(f"  no response under the capture sets {cookie}")
    lines.extend(f"{_where(p.entry)}: {p.kind}: {p.message}" for p in analysis.problems)
    for name, exchange in sorted(analysis.lb_cookies.items()):
        lines.append(f"load-balancer cookie {name} seen (first at #{exchange.number})")
    count = len(analysis.problems)
    lines.append(f"{count} problem{'' if count == 1 else 's'}")
    return output.text_block(lines, Redactor())


def as_data(analysis: Analysis, display: str, app_path: str, cookie: str) -> dict[str, Any]:
    """The JSON form (cookie values are shortened here too)."""
    established = analysis.established
    return {
        "file": display,
        "app_path": app_path,
        "session_cookie": cookie,
        "entries": analysis.entries,
        "app_entries": analysis.app_entries,
        "established_by": established.number if established else None,
        "problems": [
            {
                "kind": p.kind,
                "entry": p.entry.number,
                "method": p.entry.method,
                "path": p.entry.path,
                "status": p.entry.status,
                "message": p.message,
            }
            for p in analysis.problems
        ],
        "lb_cookies": [
            {"name": name, "first_entry": exchange.number}
            for name, exchange in sorted(analysis.lb_cookies.items())
        ],
    }
