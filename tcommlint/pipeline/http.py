"""The HTTP messages and the browser of the simulation: requests, responses, a cookie jar.

Only what stickiness depends on is modelled: the method, the path and query, the headers (the
Cookie and Set-Cookie headers parsed as RFC 6265 says), the status. Header names are kept in
lower case; cookie names are case-sensitive.
"""

from __future__ import annotations

import functools
import re

from tcommlint.cookie_syntax import cookie_pairs, default_path, path_matches, set_cookie_parts
from tcommlint.records import NamedTuple


class Message:
    """Headers shared by requests and responses, in order, names in lower case."""

    __slots__ = ("headers",)

    def __init__(self) -> None:
        self.headers: list[tuple[str, str]] = []

    def values(self, name: str) -> list[str]:
        """Every value of a header, in order."""
        return [value for key, value in self.headers if key == name]

    def delete(self, name: str) -> bool:
        """Remove every occurrence of a header; whether there was one."""
        before = len(self.headers)
        self.headers = [(key, value) for key, value in self.headers if key != name]
        return len(self.headers) != before

    def add(self, name: str, value: str) -> None:
        """Append one header."""
        self.headers.append((name, value))

    def replace_all(self, name: str, values: list[str]) -> None:
        """Replace every occurrence of a header by ``values`` (placed where the first was)."""
        position = next((i for i, (key, _) in enumerate(self.headers) if key == name), None)
        kept = [(key, value) for key, value in self.headers if key != name]
        at = len(kept) if position is None else position
        self.headers = [*kept[:at], *((name, value) for value in values), *kept[at:]]


class Request(Message):
    """One request as it travels through the load balancer."""

    __slots__ = ("client", "https", "method", "path", "query", "unknown_vars", "vars")

    def __init__(self, method: str, path: str, client: str, https: bool) -> None:
        super().__init__()
        self.vars: dict[str, str] = {}  # set by rules, for the request and its response
        self.unknown_vars: dict[str, object] = {}  # set from outside the model: name → step
        self.method = method
        self.path, _, self.query = path.partition("?")
        self.client = client
        self.https = https

    @property
    def url(self) -> str:
        """The path and query."""
        return f"{self.path}?{self.query}" if self.query else self.path

    def cookies(self) -> list[tuple[str, str]]:
        """Every cookie of every Cookie header, in order."""
        return [pair for value in self.values("cookie") for pair in _cookie_pairs(value)]

    def cookie(self, name: str) -> str | None:
        """The last occurrence of a cookie, as HAProxy's ``req.cook`` reads it."""
        found = None
        for key, value in self.cookies():
            if key == name:
                found = value
        return found

    def query_param(self, name: str, delimiter: str = "") -> str | None:
        """The first value of a parameter of the query string, which starts after ``?`` or
        ``delimiter`` and whose parameters end at ``&``, ``;`` or ``delimiter``."""
        text = self.query
        if delimiter and delimiter in self.path:
            text = self.path.split(delimiter, 1)[1] + ("&" + self.query if self.query else "")
        for part in re.split("[&;" + re.escape(delimiter) + "]", text):
            key, sep, value = part.partition("=")
            if sep and key == name:
                return value
        return None


@functools.lru_cache(maxsize=4096)
def _cookie_pairs(header: str) -> tuple[tuple[str, str], ...]:
    """``cookie_pairs``, each header parsed once."""
    return tuple(cookie_pairs(header))


class Response(Message):
    """One response as it travels back through the load balancer."""

    __slots__ = ("served_by", "status")

    def __init__(self, status: int, served_by: str) -> None:
        super().__init__()
        self.status = status
        self.served_by = served_by

    def set_cookies(self) -> list[SetCookie]:
        """Every Set-Cookie header, parsed."""
        return [parse_set_cookie(value) for value in self.values("set-cookie")]

    def cookie(self, name: str) -> str | None:
        """The last Set-Cookie value of a cookie, as HAProxy's ``res.cook`` reads it."""
        found = None
        for cookie in self.set_cookies():
            if cookie.name == name:
                found = cookie.value
        return found


class SetCookie(NamedTuple):
    """One Set-Cookie header: the cookie and the attributes the jar honours."""

    name: str
    value: str
    path: str | None
    max_age: int | None
    secure: bool
    expired: bool  # an Expires date in the past (HAProxy's removal cookie)


@functools.lru_cache(maxsize=4096)
def parse_set_cookie(value: str) -> SetCookie:
    """A Set-Cookie header value with what stickiness needs of its attributes (a session
    replays the same few headers many times: each is parsed once)."""
    parts = set_cookie_parts(value)
    path, max_age, secure, expired = None, None, False, False
    for key, argument in parts.attributes:
        if key == "path" and argument.startswith("/"):
            path = argument
        elif key == "max-age" and argument.lstrip("-").isdigit():
            max_age = int(argument)
        elif key == "secure":
            secure = True
        elif key == "expires" and "1970" in argument:
            expired = True
    return SetCookie(parts.name, parts.value, path, max_age, secure, expired)


class StoredCookie(NamedTuple):
    """A cookie in the jar."""

    value: str
    expires: float | None
    secure: bool


class CookieJar:
    """One browser's cookies for one site: Path, Max-Age, Secure and removal honoured."""

    __slots__ = ("cookies",)

    def __init__(self) -> None:
        self.cookies: dict[tuple[str, str], StoredCookie] = {}

    def receive(self, cookie: SetCookie, request_path: str, now: float) -> None:
        """Store or delete the cookie of one Set-Cookie header."""
        path = cookie.path or default_path(request_path)
        if cookie.expired or (cookie.max_age is not None and cookie.max_age <= 0):
            self.cookies.pop((cookie.name, path), None)
            return
        expires = now + cookie.max_age if cookie.max_age is not None else None
        self.cookies[(cookie.name, path)] = StoredCookie(cookie.value, expires, cookie.secure)

    def header(self, request_path: str, https: bool, now: float, skip: str = "") -> str:
        """The Cookie header the browser sends (longest path first), without cookie ``skip``."""
        matching = [
            (path, name, stored.value)
            for (name, path), stored in self.cookies.items()
            if name != skip
            and path_matches(request_path, path)
            and (https or not stored.secure)
            and (stored.expires is None or stored.expires > now)
        ]
        matching.sort(key=lambda item: -len(item[0]))
        return "; ".join(f"{name}={value}" for _, name, value in matching)

    def value(self, name: str, request_path: str, now: float) -> str | None:
        """The value of a cookie the browser holds for the path, if any."""
        for (cookie_name, path), stored in self.cookies.items():
            live = stored.expires is None or stored.expires > now
            if cookie_name == name and live and path_matches(request_path, path):
                return stored.value
        return None
