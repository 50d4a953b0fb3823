"""HAProxy persistence and balancing keywords as pipeline records (manual §4.2).

``cookie`` (every mode and option), ``stick-table`` (in a proxy or a ``peers`` section),
``stick match|on|store-request|store-response``, ``use-server``, ``force-persist``,
``ignore-persist`` and ``balance`` with ``hash-type``. Units as HAProxy reads them: cookie
``maxidle``/``maxlife`` in seconds by default, a table's ``expire`` in milliseconds; table
sizes take the suffixes k, m, g (powers of 1024).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tcommlint.durations import haproxy_seconds
from tcommlint.loaders.haproxy.acl import Acls, compile_condition
from tcommlint.loaders.haproxy.actions import condition_start
from tcommlint.loaders.haproxy.proxies import Origin, Proxy, located
from tcommlint.loaders.haproxy.reader import Section, Statement, Word
from tcommlint.loaders.haproxy.samples import log_format, parse_sample
from tcommlint.pipeline.model import (
    Balance,
    LbCookie,
    Opaque,
    PersistRule,
    Sample,
    StickRule,
    Table,
    UseServer,
)
from tcommlint.source import Located, Span

_SIZE = re.compile(r"(\d+)([kmgKMG]?)")
_COOKIE_MODES = ("insert", "rewrite", "prefix")
_COOKIE_VALUED = frozenset({"maxidle", "maxlife", "domain", "attr"})
_STICK_ACTIONS = frozenset({"match", "on", "store-request", "store-response"})
_HASHED_SAMPLES = {"source": "src", "uri": "path", "url_param": "query"}
_BALANCED = frozenset({"roundrobin", "static-rr", "leastconn", "first", "random"})


def parse_size(text: str) -> int | None:
    """A table size with its k/m/g suffix."""
    match = _SIZE.fullmatch(text)
    if match is None:
        return None
    power = " kmg".index(match.group(2).lower() or " ")
    return int(match.group(1)) * int(1024**power)


# --- the cookie -----------------------------------------------------------------------------


def lb_cookie(path: str, proxy: Proxy) -> LbCookie | None:
    """The effective ``cookie`` statement of a backend, with its options."""
    origins = proxy.origins("cookie")
    if not origins or len(origins[-1].statement.words) < 2:
        return None
    origin = origins[-1]
    words = origin.statement.words
    name = located(path, proxy, origin, words[1].text, words[1])
    flags: dict[str, Word] = {}
    values: dict[str, Word] = {}
    attrs: list[Word] = []
    index = 2
    while index < len(words):
        word = words[index]
        if word.text in _COOKIE_VALUED and index + 1 < len(words):
            index += 1
            if word.text == "attr":
                attrs.append(words[index])
            else:
                values[word.text] = words[index]
        flags[word.text] = word
        index += 1
    mode_word = next((w for w in reversed(words[2:]) if w.text in _COOKIE_MODES), None)
    mode = (
        located(path, proxy, origin, mode_word.text, mode_word)
        if mode_word is not None
        else located(path, proxy, origin, "passive", words[1])
    )
    return LbCookie(
        name=name,
        mode=mode,
        span=_span(path, proxy, origin),
        path=located(path, proxy, origin, "/"),
        domain=values["domain"].text if "domain" in values else "",
        indirect="indirect" in flags,
        postonly="postonly" in flags,
        preserve="preserve" in flags,
        dynamic="dynamic" in flags,
        secure=_flag(path, proxy, origin, flags, "secure"),
        httponly=_flag(path, proxy, origin, flags, "httponly"),
        # HAProxy writes the cookie's dates in 4-second units, rounded up (http_ana.c:
        # ``s30tob64((date.tv_sec+3) >> 2)``): a cookie idle for maxidle to maxidle + 3 s may
        # still be accepted, as the date was written. Like every chance, the simulation takes
        # the one against the session: the limit is maxidle (a date written on the unit).
        max_idle=_seconds(path, proxy, origin, values.get("maxidle")),
        max_life=_seconds(path, proxy, origin, values.get("maxlife")),
        max_age=_max_age(path, proxy, origin, attrs),
    )


def _span(path: str, proxy: Proxy, origin: Origin) -> Span:
    return origin.statement.span(path) if origin.defaults is None else proxy.header(path)


def _flag(
    path: str, proxy: Proxy, origin: Origin, flags: dict[str, Word], name: str
) -> Located[bool]:
    word = flags.get(name)
    return located(path, proxy, origin, word is not None, word)


def _seconds(path: str, proxy: Proxy, origin: Origin, word: Word | None) -> Located[int] | None:
    if word is None:
        return None
    seconds = haproxy_seconds(word.text, "s")
    return None if seconds is None else located(path, proxy, origin, seconds, word)


def _max_age(path: str, proxy: Proxy, origin: Origin, attrs: Sequence[Word]) -> Located[int] | None:
    for word in attrs:
        key, _, value = word.text.partition("=")
        if key.strip().lower() == "max-age" and value.strip().lstrip("-").isdigit():
            return located(path, proxy, origin, int(value.strip()), word)
    return None


# --- stick tables and rules -------------------------------------------------------------------


def tables_of(path: str, sections: Sequence[Section]) -> tuple[Table, ...]:
    """Every stick table, named as ``stick … table <name>`` refers to it."""
    tables: list[Table] = []
    for section in sections:
        for statement in section.statements:
            if statement.keyword == "stick-table" and section.kind in (
                "frontend",
                "backend",
                "listen",
            ):
                tables.append(_table(path, section.name or "", statement, statement.words[1:]))
            elif statement.keyword == "table" and section.kind == "peers" and statement.args:
                name = f"{section.name}/{statement.args[0]}"
                tables.append(_table(path, name, statement, statement.words[2:]))
    return tuple(tables)


def _table(path: str, name: str, statement: Statement, words: Sequence[Word]) -> Table:
    texts = [word.text for word in words]

    def after(key: str) -> Word | None:
        return words[texts.index(key) + 1] if key in texts[:-1] else None

    kind = after("type")
    length = after("len")
    size = after("size")
    expire = after("expire")
    srvkey = after("srvkey")
    expiry: Located[int | None]
    if expire is None:
        expiry = Located(None, statement.span(path), note="no expire: entries never expire")
    else:
        expiry = Located(haproxy_seconds(expire.text, "ms"), Span(path, expire.line, expire.column))
    return Table(
        name=name,
        span=statement.span(path),
        key_type=kind.text if kind is not None else "ip",
        key_len=int(length.text) if length is not None and length.text.isdigit() else None,
        size=parse_size(size.text) if size is not None else None,
        expire=expiry,
        nopurge="nopurge" in texts,
        server_key=srvkey.text if srvkey is not None else "name",
    )


def stick_rules(path: str, proxy: Proxy, acls: Acls) -> tuple[tuple[StickRule, ...], list[Opaque]]:
    """The stick rules of a backend in order, and those whose key is outside the model."""
    rules: list[StickRule] = []
    opaque: list[Opaque] = []
    for statement in proxy.statements:
        args = statement.args
        if statement.keyword != "stick" or len(args) < 2 or args[0] not in _STICK_ACTIONS:
            continue
        rest = list(args[2:])
        table = proxy.name
        if len(rest) >= 2 and rest[0] == "table":
            table, rest = rest[1], rest[2:]
        end = condition_start(rest, 0)
        when = compile_condition(rest[end:], acls)
        text = " ".join(word.text for word in statement.words)
        parsed = parse_sample(args[1], response=args[0] == "store-response")
        span = statement.span(path)
        if parsed.sample is None:
            opaque.append(Opaque(parsed.reason, span, text, when))
            continue
        key_word = statement.words[2]
        key_span = Span(path, key_word.line, key_word.column)
        rules.append(StickRule(args[0], parsed.sample, table, span, text, key_span, when))
    return tuple(rules), opaque


def server_rules(
    path: str, proxy: Proxy, acls: Acls
) -> tuple[tuple[UseServer, ...], list[Statement]]:
    """``use-server`` rules, and those naming their server at run time."""
    rules: list[UseServer] = []
    dynamic: list[Statement] = []
    for statement in proxy.statements:
        if statement.keyword != "use-server" or not statement.args:
            continue
        name = statement.args[0]
        template = log_format(name) if "%" in name else ()
        if template is None:
            dynamic.append(statement)
            continue
        text = " ".join(word.text for word in statement.words)
        when = compile_condition(statement.args[1:], acls)
        server = "" if template else name
        rules.append(UseServer(server, statement.span(path), text, when, template))
    return tuple(rules), dynamic


def persist_rules(path: str, proxy: Proxy, acls: Acls) -> tuple[PersistRule, ...]:
    """``force-persist`` and ``ignore-persist``."""
    kinds = {"force-persist": "force", "ignore-persist": "ignore"}
    return tuple(
        PersistRule(
            kinds[s.keyword],
            s.span(path),
            " ".join(word.text for word in s.words),
            compile_condition(s.args, acls),
        )
        for s in proxy.statements
        if s.keyword in kinds
    )


# --- balance --------------------------------------------------------------------------------


def balance_of(path: str, proxy: Proxy) -> tuple[Balance, list[Opaque]]:
    """The effective balance algorithm and what it hashes (roundrobin when unset, as in 2.6)."""
    hash_type = _hash_type(proxy)
    origins = proxy.origins("balance")
    if not origins or not origins[-1].statement.args:
        note = "no balance: HAProxy's default algorithm (roundrobin before 3.3, random since)"
        algorithm = Located("roundrobin", proxy.header(path), True, note)
        return Balance(algorithm, None, hash_type), []
    origin = origins[-1]
    statement = origin.statement
    args = statement.args
    name = args[0].partition("(")[0]
    algorithm = located(path, proxy, origin, name, statement.words[1])
    key, reason = _balance_key(name, args)
    if reason:
        text = " ".join(word.text for word in statement.words)
        return Balance(algorithm, None, hash_type), [
            Opaque(reason, _span(path, proxy, origin), text)
        ]
    return Balance(algorithm, key, hash_type), []


def _balance_key(name: str, args: Sequence[str]) -> tuple[Sample | None, str]:
    if name in _BALANCED:
        return None, ""
    if name in _HASHED_SAMPLES:
        arg = args[1] if name == "url_param" and len(args) > 1 else ""
        fetch = "url" if name == "uri" and "whole" in args else _HASHED_SAMPLES[name]
        converters = _uri_limits(args) if name == "uri" else ()
        return Sample(fetch, arg, converters, " ".join(args)), ""
    if name == "hdr":
        header = args[0].partition("(")[2].rstrip(")")
        if header.lower() == "cookie":
            return Sample("req.cookies", "", (), args[0]), ""
        return Sample("req.hdr", header, (), args[0]), ""
    if name == "hash" and len(args) > 1:
        parsed = parse_sample(args[1])
        return parsed.sample, parsed.reason
    if name == "rdp-cookie":
        return Sample("none", "", (), args[0]), ""  # no RDP cookie in HTTP: round robin
    return None, f"the balance algorithm {name} is outside the model"


def _uri_limits(args: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``balance uri len N`` / ``depth N``: only the start of the URI is hashed."""
    limits: list[tuple[str, tuple[str, ...]]] = []
    for index, word in enumerate(args[:-1]):
        value = args[index + 1]
        if word == "depth" and value.isdigit():
            limits.append(("uri_depth", (value,)))
        elif word == "len" and value.isdigit():
            limits.append(("bytes", ("0", value)))
    return tuple(limits)


def _hash_type(proxy: Proxy) -> str:
    origins = proxy.origins("hash-type")
    if origins and origins[-1].statement.args:
        return " ".join(origins[-1].statement.args)
    return "map-based"
