"""The load balancer's own cookie: read on the request, written on the response.

HAProxy's documented behaviour, which F5's cookie persistence shares: on a request every
occurrence of the cookie is read until one names a usable server (``prefix``: the part before
``~``, removed before forwarding; ``insert`` with ``maxidle``/``maxlife``: the part before
``|``, followed by the dates); ``insert indirect`` removes it from the forwarded request. On
the response a Set-Cookie of that name from the server is removed (``insert``, or ``indirect``
on a request already placed by persistence) unless ``preserve``, rewritten (``rewrite``) or
prefixed (``prefix``); then ``insert`` adds the cookie unless the request was already placed
by persistence (``postonly``: only answering a POST).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcommlint.pipeline.causes import (
    expired_lb_cookie,
    missing_lb_cookie,
    unmatched_lb_cookie,
)
from tcommlint.pipeline.http import Response, parse_set_cookie
from tcommlint.pipeline.model import LbCookie, Server
from tcommlint.pipeline.outcome import Cause

if TYPE_CHECKING:
    from tcommlint.pipeline.chooser import Chooser

PREFIX_DELIMITER = "~"
DATE_DELIMITER = "|"


def read_request_cookie(chooser: Chooser, cookie: LbCookie) -> None:
    """Place the request by the cookie, and strip or remove it as the mode says."""
    name, mode = cookie.name.value, cookie.mode.value
    request = chooser.request
    pairs = request.cookies()
    if not any(key == name for key, _ in pairs):
        chooser.misses.append(_missing(chooser, cookie))
        return
    kept: list[tuple[str, str]] = []
    for key, value in pairs:
        if key != name:
            kept.append((key, value))
            continue
        chooser.cookie_found = True
        _place(chooser, cookie, value)
        if mode == "prefix" and PREFIX_DELIMITER in value:
            kept.append((key, value.split(PREFIX_DELIMITER, 1)[1]))
        elif not (mode == "insert" and cookie.indirect):
            kept.append((key, value))
    if kept != pairs:
        request.delete("cookie")
        if kept:
            request.add("cookie", "; ".join(f"{key}={value}" for key, value in kept))
        chooser.run.note(cookie.span, f"backend received cookies: {request.values('cookie')}")


def _place(chooser: Chooser, cookie: LbCookie, value: str) -> None:
    server_part, last, first = _parts(cookie, value)
    now = chooser.run.clock
    chooser.cookie_first = first
    if cookie.max_life is not None and first is not None and now - first > cookie.max_life.value:
        chooser.misses.append(expired_lb_cookie(cookie, "life"))
        return
    if cookie.max_idle is not None and last is not None and now - last > cookie.max_idle.value:
        chooser.misses.append(expired_lb_cookie(cookie, "idle"))
        return
    if not server_part or chooser.ignore or chooser.target is not None:
        return
    server = _server_named(chooser, server_part)
    if server is None:
        chooser.misses.append(unmatched_lb_cookie(cookie, server_part))
        return
    twin = _same_value(chooser, server) if chooser.usable(server) else None
    if twin is not None and twin.cookie is not None:
        chooser.misses.append(
            Cause(
                "ineffective",
                twin.cookie.span,
                f"servers {server.name} and {twin.name} have the same cookie value "
                f"'{server_part}': the load balancer's cookie always names {server.name}",
                ((server.span, f"server {server.name}"),),
            )
        )
    if chooser.usable(server):
        chooser.target, chooser.direct, chooser.decided_by = server, True, "cookie"
        chooser.how = f"cookie {cookie.name.value}"
        chooser.run.note(cookie.span, f"cookie {cookie.name.value} names {server.name}")


def _parts(cookie: LbCookie, value: str) -> tuple[str, float | None, float | None]:
    if cookie.mode.value == "prefix":
        return value.split(PREFIX_DELIMITER, 1)[0], None, None
    server_part, _, dates = value.partition(DATE_DELIMITER)
    last_text, _, first_text = dates.partition(DATE_DELIMITER)
    return server_part, _number(last_text), _number(first_text)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _server_named(chooser: Chooser, value: str) -> Server | None:
    """The first usable server with that cookie value, else the first with it (HAProxy goes on
    past a server that is down, manual §5.2 ``cookie``)."""
    named = [s for s in chooser.pool.servers if s.cookie is not None and s.cookie.value == value]
    return next((s for s in named if chooser.usable(s)), named[0] if named else None)


def _same_value(chooser: Chooser, server: Server) -> Server | None:
    """Another server of the pool whose cookie value is the same as ``server``'s."""
    value = server.cookie.value if server.cookie is not None else None
    for other in chooser.pool.servers:
        same = other.cookie is not None and other.cookie.value == value
        if other is not server and same and chooser.usable(other):
            return other
    return None


def _missing(chooser: Chooser, cookie: LbCookie) -> Cause:
    for (name, _), stored in chooser.session.jar.cookies.items():
        if name != cookie.name.value:
            continue
        if stored.expires is not None and stored.expires <= chooser.run.clock:
            return expired_lb_cookie(cookie, "age")
        if stored.secure and not chooser.request.https:
            span = cookie.secure.span if cookie.secure is not None else cookie.span
            return Cause(
                "ineffective",
                span,
                f"the load balancer's cookie {name} is Secure and the service is plain HTTP: "
                "the browser never sends it back",
            )
    notes = chooser.session.cookie_notes
    if notes:
        return notes[-1]
    return missing_lb_cookie(cookie, chooser.run.app)


def write_response_cookie(chooser: Chooser, cookie: LbCookie, response: Response) -> None:
    """Handle the server's Set-Cookie of that name, then insert the cookie when due."""
    name, mode = cookie.name.value, cookie.mode.value
    target = chooser.target
    found = False
    edited: list[str] = []
    for header in response.values("set-cookie"):
        parsed = parse_set_cookie(header)
        if parsed.name != name:
            edited.append(header)
            continue
        found = True
        if cookie.preserve:
            edited.append(header)
        elif mode == "insert" or (chooser.direct and cookie.indirect):
            continue
        elif mode == "rewrite" and target is not None and target.cookie is not None:
            edited.append(header.replace(f"{name}={parsed.value}", f"{name}={target.cookie.value}"))
        elif mode == "prefix" and target is not None and target.cookie is not None:
            prefixed = f"{target.cookie.value}{PREFIX_DELIMITER}{parsed.value}"
            edited.append(header.replace(f"{name}={parsed.value}", f"{name}={prefixed}", 1))
        else:
            edited.append(header)
    if found:
        response.replace_all("set-cookie", edited)
    if mode == "insert" and target is not None:
        _insert(chooser, cookie, response, target, found)


def _insert(
    chooser: Chooser, cookie: LbCookie, response: Response, target: Server, found: bool
) -> None:
    if (found and cookie.preserve) or chooser.ignore:
        return
    dated = cookie.max_idle is not None or cookie.max_life is not None
    if chooser.direct and not dated:
        return
    if cookie.postonly and chooser.request.method != "POST":
        chooser.session.cookie_notes.append(
            Cause(
                "ineffective",
                cookie.span,
                f"cookie {cookie.name.value} insert postonly is inserted only in answers to "
                "POST requests; the chat session is created by a GET",
            )
        )
        return
    if target.cookie is None:
        response.add("set-cookie", f"{cookie.name.value}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT")
        chooser.session.cookie_notes.append(
            Cause(
                "ineffective",
                target.span,
                f"server {target.name} has no cookie value: the load balancer's cookie "
                f"{cookie.name.value} is removed instead of naming it",
                ((cookie.span, "the cookie directive"),),
            )
        )
        return
    response.add("set-cookie", _cookie_header(chooser, cookie, target))


def _cookie_header(chooser: Chooser, cookie: LbCookie, target: Server) -> str:
    assert target.cookie is not None
    value = target.cookie.value
    now = chooser.run.clock
    if cookie.max_idle is not None or cookie.max_life is not None:
        first = chooser.cookie_first if chooser.cookie_first is not None else now
        value += f"{DATE_DELIMITER}{now}" + (
            f"{DATE_DELIMITER}{first}" if cookie.max_life is not None else ""
        )
    path = cookie.path.value if cookie.path is not None else "/"
    parts = [f"{cookie.name.value}={value}", f"path={path}"]
    if cookie.domain:
        parts.append(f"domain={cookie.domain}")
    if cookie.httponly is not None and cookie.httponly.value:
        parts.append("HttpOnly")
    if cookie.secure is not None and cookie.secure.value:
        parts.append("Secure")
    if cookie.max_age is not None:
        parts.append(f"Max-Age={cookie.max_age.value}")
    return "; ".join(parts)
