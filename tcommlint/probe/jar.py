"""The cookie jar of one simulated browser (RFC 6265 §5.3, §5.4; Secure as RFC 6265bis §5.7).

Cookies are keyed by name, domain and path. A cookie without ``Domain`` is host-only: sent to
the exact host that set it. ``Domain`` must domain-match the request host (an IP address only
matches itself), else the cookie is refused. ``Max-Age`` wins over ``Expires``; a lifetime
already over deletes the cookie. Over a plain-http channel a ``Secure`` cookie is refused when
set (what current browsers do) and never sent. ``ignore`` names cookies never stored (a client
that does not take the session cookie). ``clock`` is injectable for tests.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Collection
from email.utils import parsedate_to_datetime

from tcommlint.cookie_syntax import default_path, path_matches, set_cookie_parts
from tcommlint.records import NamedTuple

_DELTA_SECONDS = re.compile(r"-?[0-9]+")  # §5.2.2: ASCII digits only
_IPV4 = re.compile(r"[0-9]+(\.[0-9]+){3}")


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address literal (which domain-matches only itself)."""
    return bool(_IPV4.fullmatch(host)) or ":" in host


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265 §5.1.3 domain-match (case-insensitive; a leading dot of ``domain`` is ignored)."""
    host, domain = host.lower(), domain.lstrip(".").lower()
    if host == domain:
        return True
    return not is_ip(host) and host.endswith("." + domain)


class StoredCookie(NamedTuple):
    """A cookie the jar holds."""

    name: str
    value: str
    domain: str
    path: str
    host_only: bool
    secure: bool
    expires: float | None  # jar-clock time after which it is gone; None: a session cookie
    created: int  # the order of creation (kept when a cookie is replaced, §5.3 step 11)


class CookieJar:
    """Cookies of one browser session, as a browser keeps and sends them."""

    def __init__(
        self,
        ignore: Collection[str] = (),
        secure_channel: bool = False,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cookies: dict[tuple[str, str, str], StoredCookie] = {}
        self._ignore = frozenset(ignore)
        self._secure_channel = secure_channel
        self._host = host.lower()
        self._clock = clock
        self._created = 0

    def receive(self, set_cookie: str, request_path: str) -> StoredCookie | None:
        """Store, replace or delete the cookie of one Set-Cookie header received for
        ``request_path``; the cookie stored (None when refused, ignored or deleted)."""
        parts = set_cookie_parts(set_cookie)
        if not parts.has_equals or not parts.name or parts.name in self._ignore:
            return None
        now = self._clock()
        request_path = request_path.split("?", 1)[0]
        path = default_path(request_path)
        max_age: float | None = None
        expires: float | None = None
        domain, secure = "", False
        for key, argument in parts.attributes:  # the last of each attribute wins (§5.3)
            if key == "path":
                path = argument if argument.startswith("/") else default_path(request_path)
            elif key == "max-age" and _DELTA_SECONDS.fullmatch(argument):
                seconds = int(argument)
                max_age = now + seconds if seconds > 0 else -math.inf
            elif key == "expires":
                expires = _expires_at(argument, now)
            elif key == "domain":
                domain = argument.lstrip(".").lower()
            elif key == "secure":
                secure = True
        if domain and not domain_matches(self._host, domain):
            return None
        if secure and not self._secure_channel:
            return None
        lifetime = max_age if max_age is not None else expires
        key3 = (parts.name, domain or self._host, path)
        if lifetime is not None and lifetime <= now:
            self._cookies.pop(key3, None)
            return None
        old = self._cookies.get(key3)
        created = old.created if old else self._next()
        cookie = StoredCookie(
            parts.name, parts.value, key3[1], path, not domain, secure, lifetime, created
        )
        self._cookies[key3] = cookie
        return cookie

    def _next(self) -> int:
        self._created += 1
        return self._created

    def header(self, request_path: str, host: str | None = None) -> str:
        """The Cookie header for ``request_path`` on ``host`` (the jar's host by default):
        longest path first, then oldest first (§5.4)."""
        now, target = self._clock(), (host or self._host).lower()
        matching = [
            cookie
            for cookie in self._cookies.values()
            if (cookie.expires is None or cookie.expires > now)
            and _host_matches(cookie, target)
            and path_matches(request_path, cookie.path)
            and (self._secure_channel or not cookie.secure)
        ]
        matching.sort(key=lambda cookie: (-len(cookie.path), cookie.created))
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in matching)

    def values(self, name: str) -> list[str]:
        """The values held for cookie ``name`` (any domain and path), unexpired."""
        now = self._clock()
        return [
            c.value
            for c in self._cookies.values()
            if c.name == name and (c.expires is None or c.expires > now)
        ]


def _host_matches(cookie: StoredCookie, host: str) -> bool:
    """§5.4 step 1: a host-only cookie goes to its host alone, a domain cookie to its domain."""
    return cookie.domain == host if cookie.host_only else domain_matches(host, cookie.domain)


def _expires_at(value: str, now: float) -> float | None:
    """The jar-clock time an ``Expires`` date stands for; None when it does not parse (§5.2.1:
    the attribute is then ignored)."""
    try:
        stamp = parsedate_to_datetime(value.strip()).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return now + (stamp - time.time())
