"""HAProxy persistence directives resolved to vendor-neutral ``Persistence`` facts.

Covers ``cookie`` (insert/rewrite/prefix/passive), stick tables with ``stick on|match|
store-request|store-response``, the affinity-giving ``balance`` algorithms and the removed
``appsession``. Units: cookie ``maxidle``/``maxlife`` default to seconds, stick-table
``expire`` (a timeout) to milliseconds. A value that is not written anywhere but has a
meaning (a session cookie, a table without ``expire``) is ``Located(None, …)`` with a note;
hashes have no lifetime at all (``lifetime_seconds=None``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from tcommlint.loaders.haproxy.proxies import (
    Origin,
    Proxy,
    block_condition,
    block_notes,
    env_notes,
    inherited_note,
    located,
)
from tcommlint.loaders.haproxy.reader import Section, Statement, Word
from tcommlint.model import Member, Persistence
from tcommlint.source import Located, Span

_UNIT_DIVISORS = {"us": (1, 1_000_000), "ms": (1, 1000), "s": (1, 1), "m": (60, 1)}
_UNIT_DIVISORS |= {"h": (3600, 1), "d": (86400, 1)}
_TIME = re.compile(r"(\d+)(us|ms|s|m|h|d)?")
_FETCH = re.compile(r"([A-Za-z0-9_.\-]+)(?:\((.*)\))?", re.DOTALL)
_REQ_COOKIE = frozenset({"req.cook", "cook", "req.cook_val", "cook_val", "req.cookie"})
_RES_COOKIE = frozenset({"res.cook", "scook", "res.cook_val", "scook_val", "set-cookie"})
_HEADER = frozenset({"hdr", "req.hdr", "req.fhdr", "fhdr", "res.hdr", "shdr", "res.fhdr"})
_URL = frozenset({"url", "path", "pathq", "uri", "base", "url_param", "urlp", "query"})
_URL |= frozenset({"url32", "base32", "req.uri", "url_param_val", "urlp_val"})
_NUMERIC_TABLES = frozenset({"ip", "ipv4", "ipv6", "integer"})
_STICK_ACTIONS = frozenset({"on", "match", "store-request", "store-response"})
_COOKIE_MODES = ("insert", "rewrite", "prefix")
_COOKIE_WITH_VALUE = frozenset({"maxidle", "maxlife", "domain", "attr"})
PASSIVE_REASON = (
    "cookie {name} has no insert/rewrite/prefix: HAProxy only reads it, and a "
    "server-issued value never matches a server cookie"
)
APPSESSION_REASON = "appsession was removed in HAProxy 1.6: the configuration no longer loads"


def parse_seconds(text: str, default_unit: str) -> int | None:
    """An HAProxy time (``30m``, ``500ms``, ``30``) in whole seconds; None if not a time."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    multiplier, divisor = _UNIT_DIVISORS[match.group(2) or default_unit]
    return int(match.group(1)) * multiplier // divisor


class SampleKey(NamedTuple):
    """What a sample expression such as ``req.cook(JSESSIONID),lower`` reads."""

    keyed_on: str  # "cookie", "client-address", "url", "header", "other"
    cookie_name: str | None
    response: bool  # reads the response (res.cook, scook, res.hdr)
    converters: bool


def _split_top(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split_fetch(text: str) -> tuple[str, str | None]:
    """``req.cook(X)`` -> (``req.cook``, ``X``); the first argument, unquoted."""
    match = _FETCH.fullmatch(text)
    if match is None:
        return text, None
    arg = match.group(2)
    if arg is not None:
        arg = _split_top(arg)[0].strip().strip("'\"")
    return match.group(1), arg


def sample_key(sample: str) -> SampleKey:
    """Classify the first fetch of a sample expression."""
    parts = _split_top(sample)
    fetch, arg = split_fetch(parts[0])
    converters = len(parts) > 1
    if fetch in _REQ_COOKIE or fetch in _RES_COOKIE:
        return SampleKey("cookie", arg or "", fetch in _RES_COOKIE, converters)
    if fetch in _HEADER:
        response = fetch in ("res.hdr", "shdr", "res.fhdr")
        if (arg or "").lower() == "cookie" and not response:
            return SampleKey("cookie", "Cookie", False, converters)
        return SampleKey("header", None, response, converters)
    if fetch == "src":
        return SampleKey("client-address", None, False, converters)
    if fetch in _URL:
        return SampleKey("url", None, False, converters)
    return SampleKey("other", None, False, converters)


def _tcp_reason(proxy: Proxy) -> str:
    if proxy.mode() == "http":
        return ""
    return (
        f"{proxy.section.kind} {proxy.name} is in {proxy.mode()} mode (HAProxy's default "
        "mode is tcp): cookie persistence needs HTTP processing"
    )


def _notes(proxy: Proxy, origin: Origin, extra: Iterable[str] = ()) -> tuple[str, ...]:
    note = inherited_note(origin)
    statement = origin.statement
    return (
        *((note,) if note else ()),
        *block_notes(statement),
        *env_notes(statement.words),
        *extra,
    )


def _span(path: str, proxy: Proxy, origin: Origin) -> tuple[Span, tuple[Span, ...]]:
    """Primary span (the proxy header when inherited) and related spans."""
    own = origin.statement.span(path)
    if origin.defaults is None:
        return own, ()
    return proxy.header(path), (own,)


# --- cookie -----------------------------------------------------------------------------


class _CookieOptions(NamedTuple):
    modes: tuple[Word, ...]  # the insert/rewrite/prefix words, in order
    flags: dict[str, Word]  # option keyword -> its word
    values: dict[str, Word]  # maxidle/maxlife -> the value word
    attrs: tuple[Word, ...]


def _cookie_options(words: tuple[Word, ...]) -> _CookieOptions:
    modes: list[Word] = []
    flags: dict[str, Word] = {}
    values: dict[str, Word] = {}
    attrs: list[Word] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.text in _COOKIE_MODES:
            modes.append(word)
        elif word.text in _COOKIE_WITH_VALUE and i + 1 < len(words):
            i += 1
            if word.text == "attr":
                attrs.append(words[i])
            else:
                values[word.text] = words[i]
        flags[word.text] = word
        i += 1
    return _CookieOptions(tuple(modes), flags, values, tuple(attrs))


def cookie_persistences(path: str, proxy: Proxy, members: tuple[Member, ...]) -> list[Persistence]:
    """One persistence per ``cookie`` statement that may be effective for the proxy."""
    return [
        _cookie(path, proxy, origin, members)
        for origin in proxy.origins("cookie")
        if len(origin.statement.words) >= 2
    ]


def _cookie(path: str, proxy: Proxy, origin: Origin, members: tuple[Member, ...]) -> Persistence:
    words = origin.statement.words
    name = words[1].text
    options = _cookie_options(words[2:])
    mode_word = options.modes[-1] if options.modes else None
    mode = mode_word.text if mode_word is not None else "passive"
    span, related = _span(path, proxy, origin)
    lifetime, kind, lifetime_notes = _cookie_lifetime(path, proxy, origin, mode, options)
    inserted = mode == "insert"
    return Persistence(
        kind=f"cookie-{mode}",
        keyed_on="cookie",
        span=span,
        cookie_name=located(path, proxy, origin, name, words[1]),
        mode=located(path, proxy, origin, mode, mode_word) if mode_word is not None else None,
        writes_cookie=mode in ("insert", "rewrite"),
        own_cookie=mode in ("insert", "rewrite"),
        learns_from_response=mode != "passive",
        lifetime_seconds=lifetime,
        lifetime_kind=kind,
        cookie_path=_cookie_path(path, proxy, origin) if inserted else None,
        cookie_secure=_flag(path, proxy, origin, options, "secure") if inserted else None,
        cookie_http_only=_flag(path, proxy, origin, options, "httponly") if inserted else None,
        ineffective=_cookie_reason(proxy, name, options, mode, members),
        related=related,
        notes=_notes(proxy, origin, lifetime_notes),
        condition=block_condition(origin.statement),
    )


def _cookie_path(path: str, proxy: Proxy, origin: Origin) -> Located[str]:
    value = located(path, proxy, origin, "/")
    note = "HAProxy adds path=/ to the cookies it inserts"
    return value._replace(note=f"{value.note}; {note}" if value.note else note)


def _flag(
    path: str, proxy: Proxy, origin: Origin, options: _CookieOptions, flag: str
) -> Located[bool]:
    word = options.flags.get(flag)
    return located(path, proxy, origin, word is not None, word)


def _cookie_lifetime(
    path: str, proxy: Proxy, origin: Origin, mode: str, options: _CookieOptions
) -> tuple[Located[int | None] | None, str, tuple[str, ...]]:
    """The affinity lifetime: the shorter of maxidle/maxlife, else the cookie's expiry."""
    if mode == "passive":
        return None, "", ()
    if mode != "insert":
        note = "the application's cookie keeps its own expiry"
        extra = ("maxidle/maxlife only apply to insert mode",) if options.values else ()
        return _unbounded(path, proxy, origin, note), "cookie-expiry", extra
    candidates: list[tuple[int, str, Word]] = []
    notes: list[str] = []
    for option, kind in (("maxidle", "idle"), ("maxlife", "absolute")):
        word = options.values.get(option)
        if word is None:
            continue
        seconds = parse_seconds(word.text, "s")
        if seconds is None:
            notes.append(f"{option} '{word.text}' is not a time HAProxy accepts")
        else:
            candidates.append((seconds, kind, word))
    max_age = _max_age(options.attrs)
    if max_age is not None:
        candidates.append((max_age[0], "cookie-expiry", max_age[1]))
    if not candidates:
        note = "no maxidle/maxlife: a session cookie, kept until the browser closes"
        return _unbounded(path, proxy, origin, note), "cookie-expiry", tuple(notes)
    seconds, kind, word = min(candidates, key=lambda c: c[0])
    return located(path, proxy, origin, seconds, word), kind, tuple(notes)


def _unbounded(path: str, proxy: Proxy, origin: Origin, note: str) -> Located[int | None]:
    value: Located[int | None] = located(path, proxy, origin, None)
    return value._replace(note=f"{value.note}; {note}" if value.note else note)


def _max_age(attrs: tuple[Word, ...]) -> tuple[int, Word] | None:
    for word in attrs:
        key, _, value = word.text.partition("=")
        if key.strip().lower() == "max-age" and value.strip().isdigit():
            return int(value.strip()), word
    return None


def _cookie_reason(
    proxy: Proxy, name: str, options: _CookieOptions, mode: str, members: tuple[Member, ...]
) -> str:
    if len({word.text for word in options.modes}) > 1:
        return (
            f"cookie {name}: 'rewrite', 'insert' and 'prefix' modes are mutually exclusive: "
            "the configuration does not load"
        )
    tcp = _tcp_reason(proxy)
    if tcp:
        return tcp
    if mode == "passive":
        return PASSIVE_REASON.format(name=name)
    if "dynamic" in options.flags:
        return ""  # server cookies are derived from dynamic-cookie-key
    active = [m for m in members if not m.backup and not m.disabled]
    if not any(m.cookie_value is not None for m in members if not m.backup):
        return f"cookie {name} {mode}: no server has a cookie value"
    missing = [m.name for m in active if m.cookie_value is None]
    if missing:
        # Verified against haproxy 2.6: the sessions such a server creates are not kept.
        names = ", ".join(missing)
        return (
            f"cookie {name} {mode}: server{'s' if len(missing) > 1 else ''} {names} "
            "has no cookie value, so sessions it serves are not kept"
        )
    return ""


# --- stick tables -----------------------------------------------------------------------


class Table(NamedTuple):
    """A stick table: ``stick-table`` in a proxy or ``table`` in a ``peers`` section."""

    name: str
    statement: Statement
    type: str
    expire: Word | None


class StickRule(NamedTuple):
    """One ``stick on|match|store-request|store-response`` statement."""

    statement: Statement
    action: str
    sample: Word
    table: str  # the table name it uses (its proxy's own table unless ``table X``)
    condition: tuple[str, ...]


def _table(name: str, statement: Statement, words: tuple[Word, ...]) -> Table:
    texts = [word.text for word in words]
    kind = texts[texts.index("type") + 1] if "type" in texts[:-1] else ""
    expire = words[texts.index("expire") + 1] if "expire" in texts[:-1] else None
    return Table(name, statement, kind, expire)


def collect_tables(sections: tuple[Section, ...]) -> dict[str, Table]:
    """Every stick table, by the name ``stick … table <name>`` would use."""
    tables: dict[str, Table] = {}
    for section in sections:
        for statement in section.statements:
            if statement.keyword == "stick-table" and section.kind in (
                "frontend",
                "backend",
                "listen",
            ):
                tables[section.name or ""] = _table(section.name or "", statement, statement.words)
            elif statement.keyword == "table" and section.kind == "peers" and statement.args:
                name = f"{section.name}/{statement.args[0]}"
                tables[name] = _table(name, statement, statement.words[2:])
    return tables


def stick_rules(proxy: Proxy) -> list[StickRule]:
    """The proxy's stick rules, in order."""
    rules = []
    for statement in proxy.statements:
        args = statement.args
        if statement.keyword != "stick" or len(args) < 2 or args[0] not in _STICK_ACTIONS:
            continue
        rest = list(args[2:])
        table = proxy.name
        if len(rest) >= 2 and rest[0] == "table":
            table, rest = rest[1], rest[2:]
        rules.append(StickRule(statement, args[0], statement.words[2], table, tuple(rest)))
    return rules


def stick_persistences(
    path: str, proxy: Proxy, tables: dict[str, Table], looked_up: set[str]
) -> list[Persistence]:
    """One persistence per ``stick on|match`` rule; one per store rule no lookup reads."""
    rules = stick_rules(proxy)
    result = []
    for rule in rules:
        if rule.action in ("on", "match"):
            stores = [r for r in rules if r.action == "store-response" and r.table == rule.table]
            result.append(_stick(path, proxy, rule, tables.get(rule.table), stores))
        elif rule.table not in looked_up:
            orphan = _stick(path, proxy, rule, tables.get(rule.table), [])
            reason = orphan.ineffective or (
                f"entries are stored in table {rule.table} but no 'stick on' or 'stick match' "
                "reads it"
            )
            result.append(orphan._replace(ineffective=reason))
    return result


def _stick(
    path: str, proxy: Proxy, rule: StickRule, table: Table | None, stores: list[StickRule]
) -> Persistence:
    key = sample_key(rule.sample.text)
    learned = [
        store
        for store in stores
        if key.keyed_on == "cookie"
        and (store_key := sample_key(store.sample.text)).response
        and store_key.cookie_name == key.cookie_name
    ]
    sample_span = Span(path, rule.sample.line, rule.sample.column)
    related = tuple(s.statement.span(path) for s in learned)
    if table is not None:
        related = (table.statement.span(path), *related)
    return Persistence(
        kind="stick-table",
        keyed_on=key.keyed_on,
        span=rule.statement.span(path),
        cookie_name=Located(key.cookie_name, sample_span) if key.cookie_name is not None else None,
        learns_from_response=bool(learned) or rule.action == "store-response",
        lifetime_seconds=_table_lifetime(path, table),
        lifetime_kind="idle" if table is not None else "",
        ineffective=_stick_reason(proxy, rule, table, key),
        related=related,
        notes=_stick_notes(rule, key, table),
        condition=block_condition(
            rule.statement, *((table.statement,) if table is not None else ())
        ),
    )


def _table_lifetime(path: str, table: Table | None) -> Located[int | None] | None:
    if table is None:
        return None
    if table.expire is None:
        note = "stick-table without expire: entries never expire (evicted only when full)"
        return Located(None, table.statement.span(path), note=note)
    seconds = parse_seconds(table.expire.text, "ms")
    note = "" if seconds is not None else f"expire '{table.expire.text}' is not a time"
    return Located(seconds, Span(path, table.expire.line, table.expire.column), note=note)


def _stick_reason(proxy: Proxy, rule: StickRule, table: Table | None, key: SampleKey) -> str:
    if table is None:
        if rule.table != proxy.name:
            return f"stick {rule.action} uses table {rule.table}, which is not defined"
        return (
            f"stick {rule.action} {rule.sample.text}: {proxy.section.kind} {proxy.name} has "
            "no stick-table and names no other table"
        )
    if key.keyed_on == "cookie" and table.type in _NUMERIC_TABLES:
        return f"stick-table type {table.type} cannot hold the string value of {rule.sample.text}"
    if key.keyed_on == "cookie":
        return _tcp_reason(proxy)
    return ""


def _stick_notes(rule: StickRule, key: SampleKey, table: Table | None) -> tuple[str, ...]:
    notes = [*block_notes(rule.statement), *env_notes(rule.statement.words)]
    if rule.condition:
        notes.append(f"applies only {' '.join(rule.condition)}")
    if key.converters:
        notes.append(f"the sample {rule.sample.text} goes through converters")
    if table is not None and table.statement.blocks:
        notes.extend(block_notes(table.statement))
    return tuple(notes)


# --- balance and appsession ---------------------------------------------------------------


def balance_persistences(path: str, proxy: Proxy) -> list[Persistence]:
    """Affinity from a hashing ``balance`` algorithm (source, uri, url_param, hdr, hash…)."""
    result = []
    for origin in proxy.origins("balance"):
        persistence = _balance(path, proxy, origin)
        if persistence is not None:
            result.append(persistence)
    return result


def _balance_key(args: tuple[str, ...]) -> tuple[str, SampleKey] | None:
    algorithm, _ = split_fetch(args[0])
    if algorithm == "source":
        return "source", SampleKey("client-address", None, False, False)
    if algorithm in ("uri", "url_param"):
        return "hash", SampleKey("url", None, False, False)
    if algorithm == "hdr":
        return "hash", sample_key(args[0])
    if algorithm == "rdp-cookie":
        return "hash", SampleKey("other", None, False, False)
    if algorithm == "hash" and len(args) >= 2:
        return "hash", sample_key(args[1])
    return None  # roundrobin, static-rr, leastconn, first, random, log-hash, sticky


def _balance(path: str, proxy: Proxy, origin: Origin) -> Persistence | None:
    statement = origin.statement
    if not statement.args:
        return None
    found = _balance_key(statement.args)
    if found is None:
        return None
    kind, key = found
    span, related = _span(path, proxy, origin)
    word = statement.words[-1] if statement.args[0] == "hash" else statement.words[1]
    cookie = key.cookie_name
    name = located(path, proxy, origin, cookie, word) if cookie is not None else None
    if statement.args[0] == "url_param" and len(statement.words) > 2:
        # The parameter plays the cookie's part: the rules tell a session-id parameter.
        param = statement.words[2]
        name = located(path, proxy, origin, param.text, param)
    extra = _hash_type_notes(proxy)
    if statement.args[0].startswith("rdp-cookie"):
        extra = ("rdp-cookie reads the RDP protocol cookie, not an HTTP cookie", *extra)
    return Persistence(
        kind=kind,
        keyed_on=key.keyed_on,
        span=span,
        cookie_name=name,
        learns_from_response=False,
        ineffective=_tcp_reason(proxy) if key.keyed_on == "cookie" else "",
        related=related,
        notes=_notes(proxy, origin, extra),
        condition=block_condition(statement),
    )


def _hash_type_notes(proxy: Proxy) -> tuple[str, ...]:
    for statement in proxy.statements:
        if statement.keyword == "hash-type" and statement.args:
            return (f"hash-type {' '.join(statement.args)} (line {statement.line})",)
    return ("hash-type map-based (default): adding or removing a server remaps most keys",)


def appsession_persistences(path: str, proxy: Proxy) -> list[Persistence]:
    """``appsession`` lines: persistence that no longer loads."""
    return [
        Persistence(
            kind="appsession",
            keyed_on="cookie",
            span=statement.span(path),
            cookie_name=Located(
                statement.args[0], Span(path, statement.line, statement.words[1].column)
            )
            if statement.args
            else None,
            learns_from_response=True,
            ineffective=APPSESSION_REASON,
            notes=block_notes(statement),
            condition=block_condition(statement),
        )
        for statement in proxy.statements
        if statement.keyword == "appsession"
    ]
