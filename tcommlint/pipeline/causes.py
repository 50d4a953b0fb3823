"""Why a persistence mechanism did not find the session's server: causes true of the mechanism.

Cause codes are what the stickiness rules classify (``rules/TC2*.yaml``, ``cause`` in the
fact view): ``no-persistence`` (TC201), ``persistence-elsewhere`` (TC206),
``cookie-name-case`` (TC202), ``cookie-name-typo`` (TC203), ``clobbers-session-cookie``
(TC204), ``lifetime`` (TC205), ``not-learned`` (TC209), ``ineffective`` (TC213),
``capacity`` (TC214); everything else (``session-cookie-altered``, ``conditional-persistence``,
``session-breaks``, …) is TC215's.
"""

from __future__ import annotations

from tcommlint.durations import human_duration
from tcommlint.expr_cost import distance_within
from tcommlint.pipeline.model import LbCookie, Sample, StickRule, Table
from tcommlint.pipeline.outcome import Cause
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.state import DEFAULT_KEY_LENGTH, TableMiss
from tcommlint.source import Span


def name_cause(name: str, app: AppModel, span: Span, what: str) -> Cause | None:
    """TC202/TC203 when ``name`` is the session cookie misspelt, else None."""
    wanted = app.session_cookie
    if name == wanted:
        return None
    if name.lower() == wanted.lower():
        return Cause(
            "cookie-name-case",
            span,
            f"{what} reads the cookie '{name}' but the application's session cookie is "
            f"'{wanted}': cookie names are case-sensitive, so it never matches",
            cookie=name,
        )
    if distance_within(name.lower(), wanted.lower(), 2) <= 2:
        return Cause(
            "cookie-name-typo",
            span,
            f"{what} reads the cookie '{name}', not the application's '{wanted}': no such "
            "cookie exists",
            cookie=name,
        )
    return None


def absent_key_cause(rule: StickRule, app: AppModel, http: bool) -> Cause:
    """A stick rule whose key the request does not carry."""
    if not http:
        return Cause(
            "ineffective",
            rule.span,
            f"'{rule.text}' needs HTTP processing, but the pool is in tcp mode: the key is "
            "never found",
        )
    cookie = rule.key.cookie
    if cookie is not None and rule.key.nocase and cookie.lower() == app.session_cookie.lower():
        cookie = app.session_cookie  # read in any case: the name is the session cookie's
    if cookie is not None:
        found = name_cause(cookie, app, rule.key_span, f"'{rule.text}'")
        if found is not None:
            return found
        if cookie == app.session_cookie:
            return Cause(
                "session-breaks",
                rule.span,
                f"'{rule.text}' reads the {cookie} cookie, which this request does not carry",
            )
        return Cause(
            "ineffective",
            rule.key_span,
            f"'{rule.text}' reads the cookie '{cookie}', which neither the application nor "
            "the load balancer sets",
        )
    return Cause(
        "ineffective",
        rule.key_span,
        f"'{rule.text}': chat requests do not carry {_what(rule.key)}",
    )


def _what(sample: Sample) -> str:
    return sample.text or sample.fetch


def table_miss_cause(rule: StickRule, table: Table, miss: TableMiss, key: str) -> Cause:
    """A key the request carries and the table does not hold."""
    related = ((table.span, f"table {table.name}"),)
    if miss.kind == "expired":
        span = table.expire.span if table.expire is not None else table.span
        lifetime = table.expire.value if table.expire is not None else None
        return Cause(
            "lifetime",
            span,
            f"entries of table {table.name} expire after "
            f"{human_duration(lifetime or 0)} without a request: the session was forgotten",
            ((rule.span, f"'{rule.text}'"),),
        )
    if miss.kind in ("evicted", "refused"):
        verb = "refuses new entries" if miss.kind == "refused" else "drops the oldest entries"
        return Cause(
            "capacity",
            table.span,
            f"table {table.name} holds {table.size} entries and {verb} when full: with more "
            "concurrent sessions than that, sessions lose their server",
            ((rule.span, f"'{rule.text}'"),),
        )
    return Cause(
        "not-learned",
        rule.key_span,
        f"'{rule.text}' looks up {_what(rule.key)} in table {table.name}, but no rule stores "
        "it from the response that sets it: the request after the session is created can "
        "reach another server",
        related,
    )


def collision_cause(rule: StickRule, table: Table) -> Cause:
    """Keys of different sessions fell together (a short key, a type that cannot hold them)."""
    if table.key_type in ("string", "binary"):
        length = table.key_len or DEFAULT_KEY_LENGTH
        why = f"keeps only the first {length} bytes of {_what(rule.key)}"
    else:
        why = f"is of type {table.key_type}, which turns {_what(rule.key)} into equal keys"
    return Cause(
        "capacity",
        table.span,
        f"table {table.name} {why}: concurrent sessions share one entry and overwrite "
        "each other's server",
        ((rule.span, f"'{rule.text}'"),),
    )


def missing_lb_cookie(cookie: LbCookie, app: AppModel) -> Cause:
    """The browser does not send the load balancer's cookie, for a reason of the mode."""
    name, mode = cookie.name.value, cookie.mode.value
    what = f"cookie {name} {mode}" if mode != "passive" else f"cookie {name}"
    if mode in ("prefix", "rewrite", "passive"):
        found = name_cause(name, app, cookie.name.span, f"'{what}'")
        if found is not None:
            return found
    if mode == "passive":
        return Cause(
            "ineffective",
            cookie.span,
            f"cookie {name} has no insert, rewrite or prefix: the load balancer only reads "
            "it, and nothing sets it to a server's value",
        )
    if mode in ("prefix", "rewrite") and name == app.session_cookie and app.id_in_url:
        return Cause(
            "ineffective",
            cookie.span,
            f"'{what}' works on the {name} cookie, but the session id travels in the URL "
            "(;jsessionid=), so the browser never sends that cookie",
        )
    if mode in ("prefix", "rewrite"):
        return Cause(
            "ineffective",
            cookie.span,
            f"'{what}' needs the application to set a cookie named {name}; it sets only "
            f"{app.session_cookie}",
        )
    return Cause(
        "ineffective",
        cookie.span,
        f"the browser never got the load balancer's cookie {name}",
    )


def unmatched_lb_cookie(cookie: LbCookie, value: str) -> Cause:
    """The cookie is sent but its value names no server."""
    name = cookie.name.value
    if cookie.mode.value == "passive":
        return Cause(
            "ineffective",
            cookie.span,
            f"cookie {name} has no insert, rewrite or prefix: the load balancer only reads "
            "it, and the value the application gives it never names a server",
        )
    return Cause(
        "ineffective",
        cookie.span,
        f"cookie {name}: no server has the value '{value[:40]}'",
    )


def expired_lb_cookie(cookie: LbCookie, which: str) -> Cause:
    """maxidle / maxlife ran out (``idle``, ``life``), or the browser dropped it (``age``)."""
    located = {"idle": cookie.max_idle, "life": cookie.max_life}.get(which, cookie.max_age)
    span = located.span if located is not None else cookie.span
    seconds = located.value if located is not None else 0
    name = cookie.name.value
    if which == "age":
        text = (
            f"the browser drops the load balancer's cookie {name} after {human_duration(seconds)}"
        )
    else:
        word = "without a request" if which == "idle" else "after it was first set"
        text = f"the load balancer ignores its cookie {name} {human_duration(seconds)} {word}"
    return Cause("lifetime", span, text + ": the session loses its server")


PRIORITY = (
    "lifetime",
    "capacity",
    "clobbers-session-cookie",
    "cookie-name-case",
    "cookie-name-typo",
    "not-learned",
    "ineffective",
    "conditional-persistence",
    "session-cookie-altered",
    "no-persistence",
)


def most_telling(causes: tuple[Cause, ...]) -> Cause | None:
    """Of the reasons persistence missed, the one that says most about the break."""
    if not causes:
        return None
    rank = {code: index for index, code in enumerate(PRIORITY)}
    return min(causes, key=lambda cause: rank.get(cause.code, len(PRIORITY)))
