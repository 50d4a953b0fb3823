"""The syntax of the Cookie and Set-Cookie headers (RFC 6265 §5.2, §5.4) and the paths a cookie
goes with (§5.1.4), shared by the HAR reader, the simulation's browser and the probe's cookie
jar; each gives the attributes its own meaning."""

from __future__ import annotations

from tcommlint.records import NamedTuple


class SetCookieParts(NamedTuple):
    """A Set-Cookie header split: name and value trimmed, attributes as (lower-case name,
    trimmed argument) in order."""

    name: str
    value: str
    attributes: list[tuple[str, str]]
    has_equals: bool  # the first pair has '=': without it a browser ignores the header


def cookie_pairs(header: str) -> list[tuple[str, str]]:
    """``a=1; b=2`` → [(a, 1), (b, 2)]; pairs without ``=`` or without a name are skipped."""
    pairs = []
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name:
            pairs.append((name.strip(), value.strip()))
    return pairs


class CookieAttribute(NamedTuple):
    """One attribute of a Set-Cookie header: lower-case name, trimmed argument, and the offset
    in the header where it starts (its name's first character, after the blanks)."""

    name: str
    argument: str
    offset: int


def set_cookie_parts(header: str) -> SetCookieParts:
    """Split a Set-Cookie header value into its cookie and its attributes."""
    first = header.split(";", 1)[0]
    name, equals, value = first.strip().partition("=")
    pairs = [(attribute.name, attribute.argument) for attribute in set_cookie_attributes(header)]
    return SetCookieParts(name.strip(), value.strip(), pairs, bool(equals))


def set_cookie_attributes(header: str) -> list[CookieAttribute]:
    """The attributes of a Set-Cookie header (every ``;``-separated part after the cookie), in
    order, each with where it starts: a configuration's header value gives each its column."""
    found = []
    start = header.find(";")
    while start >= 0:
        end = header.find(";", start + 1)
        part = header[start + 1 : end if end >= 0 else len(header)]
        key, _, argument = part.strip().partition("=")
        offset = start + 1 + len(part) - len(part.lstrip())
        found.append(CookieAttribute(key.strip().lower(), argument.strip(), offset))
        start = end
    return found


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def default_path(request_path: str) -> str:
    """RFC 6265 §5.1.4 default-path: the request path up to, not including, its last ``/``."""
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path[: request_path.rfind("/")]
