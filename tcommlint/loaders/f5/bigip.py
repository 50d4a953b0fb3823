"""Build the vendor-neutral LoadBalancer from the tmsh files of one BIG-IP.

What BIG-IP itself would resolve is resolved here: relative names (same folder, then
``/Common``), ``defaults-from`` chains down to the built-in parents (from a
``profile_base.conf`` among the files, else the table below), the default cookie name
``BIGipServer<pool>``, priority-group activation, which policies and iRules select which
pool for which path.

Where persistence points (``Persistence.span``): the header of the user's persistence
profile, which is where its properties are changed; when the virtual references a
built-in profile directly (``persist { /Common/cookie { … } }``), the reference line in the
virtual. The virtual's ``persist`` reference and the profile header are in ``related``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tcommlint.expr import parse_duration as parse_seconds
from tcommlint.loaders.f5.irules import IRuleFacts, cookie_mentions, scan_irule
from tcommlint.loaders.f5.tmsh import Block, Item, RawText, TmshObject, Token, read_tmsh
from tcommlint.model import (
    LoadBalancer,
    Member,
    ParseError,
    Persistence,
    Pool,
    Route,
    Service,
)
from tcommlint.source import Located, Span

# Built-in persistence parents: what /Common/<name> holds when no profile_base.conf is given.
BUILTIN_PERSISTENCE: dict[str, dict[str, str]] = {
    "cookie": {
        "method": "insert",
        "cookie-name": "none",
        "expiration": "0",
        "httponly": "enabled",
        "secure": "enabled",
        "timeout": "180",
    },
    "universal": {"rule": "none", "timeout": "180"},
    "hash": {"rule": "none", "timeout": "180"},
    "source_addr": {"timeout": "180", "mask": "none"},
    "dest_addr": {"timeout": "180", "mask": "none"},
    "ssl": {"timeout": "300"},
    "msrdp": {"timeout": "300"},
    "sip_info": {"timeout": "180"},
    "host": {"timeout": "180"},
}
PERSISTENCE_TYPES = {
    "cookie": "cookie",
    "universal": "universal",
    "hash": "hash",
    "source-addr": "source_addr",
    "dest-addr": "dest_addr",
    "ssl": "ssl",
    "msrdp": "msrdp",
    "sip": "sip_info",
    "host": "host",
}
HTTP_PROFILES = frozenset({"http", "http-transparent", "http-explicit", "fasthttp"})
HTTP_PROFILE_KINDS = frozenset({"ltm profile http", "ltm profile fasthttp"})
SSL_PROFILE_KINDS = frozenset({"ltm profile client-ssl"})
PORT_NAMES = {"http": 80, "https": 443, "any": 0}
PROFILE_BASE_NAMES = ("profile_base.conf",)
_DURATION = re.compile(r"^\d+(?::\d+){0,3}$")


class F5Result(NamedTuple):
    """What one BIG-IP's files gave: the model (None when nothing usable), problems, counts."""

    load_balancer: LoadBalancer | None
    errors: tuple[ParseError, ...]
    counts: dict[str, int]


def load_f5_tmsh(files: list[tuple[str, str]]) -> F5Result:
    """Read the tmsh files ``(path, text)`` of one device and build its LoadBalancer."""
    objects: list[TmshObject] = []
    errors: list[ParseError] = []
    builtin_paths = {path for path, _ in files if path.endswith(PROFILE_BASE_NAMES)}
    for path, text in files:
        found, problems = read_tmsh(path, text)
        objects.extend(found)
        errors.extend(problems)
    index = _Index(objects, builtin_paths)
    counts = index.counts()
    pools = tuple(_build_pool(obj) for obj in index.of_kind("ltm pool"))
    services = tuple(_ServiceBuilder(index, obj).build() for obj in index.of_kind("ltm virtual"))
    if not pools and not services:
        return F5Result(None, tuple(errors), counts)
    paths = tuple(dict.fromkeys(path for path, _ in files))
    balancer = LoadBalancer("f5-tmsh", paths, services, pools)
    return F5Result(balancer, tuple(errors), counts)


# --- names --------------------------------------------------------------------------------


def full_name(name: str) -> str:
    """``/Common/x`` for a bare ``x`` (built-in objects are listed without a folder)."""
    return name if name.startswith("/") else f"/Common/{name}"


def folder_of(name: str) -> str:
    """The folder part of a full name: ``/Tenant/App`` for ``/Tenant/App/vs``."""
    return full_name(name).rsplit("/", 1)[0] or "/Common"


def base_name(name: str) -> str:
    """The last path component."""
    return name.rsplit("/", 1)[-1]


class _Index:
    """Every object of the device by kind and full name."""

    def __init__(self, objects: list[TmshObject], builtin_paths: set[str]) -> None:
        self.by_kind: dict[str, dict[str, TmshObject]] = {}
        for obj in objects:
            self.by_kind.setdefault(obj.kind, {})[full_name(obj.name)] = obj
        self.builtin_paths = builtin_paths
        self._by_prefix: dict[str, dict[str, TmshObject]] = {}
        self._facts: dict[TmshObject, IRuleFacts] = {}

    def of_kind(self, kind: str) -> list[TmshObject]:
        return [
            obj for obj in self.by_kind.get(kind, {}).values() if obj.path not in self.builtin_paths
        ]

    def is_builtin(self, obj: TmshObject) -> bool:
        return obj.path in self.builtin_paths

    def resolve(self, ref: str, folder: str, prefix: str) -> TmshObject | None:
        """The object named ``ref`` among kinds starting with ``prefix``: an absolute name
        as is, a relative one in ``folder`` first, then in ``/Common``."""
        names = self._by_prefix.get(prefix)
        if names is None:
            names = self._by_prefix[prefix] = self._names(prefix)
        if ref.startswith("/"):
            return names.get(ref)
        return names.get(f"{folder}/{ref}") or names.get(f"/Common/{ref}")

    def _names(self, prefix: str) -> dict[str, TmshObject]:
        """Full name → object among kinds starting with ``prefix``; the first kind (in
        reading order) wins for a name that several kinds hold."""
        names: dict[str, TmshObject] = {}
        for kind in reversed([kind for kind in self.by_kind if kind.startswith(prefix)]):
            names.update(self.by_kind[kind])
        return names

    def irule_facts(self, rule: TmshObject, raw: RawText) -> IRuleFacts:
        """What :func:`scan_irule` reads in ``rule`` (whose script is ``raw``), scanned once
        however many virtuals use the rule."""
        facts = self._facts.get(rule)
        if facts is None:
            facts = self._facts[rule] = scan_irule(raw.text, raw.line, raw.column)
        return facts

    def resolve_name(self, ref: str, folder: str, prefix: str) -> str:
        """The full name ``ref`` stands for (the first candidate when nothing matches)."""
        found = self.resolve(ref, folder, prefix)
        if found is not None:
            return full_name(found.name)
        return ref if ref.startswith("/") else f"{folder}/{ref}"

    def counts(self) -> dict[str, int]:
        builtin = self.builtin_paths
        per_kind = {
            kind: sum(1 for obj in objects.values() if obj.path not in builtin)
            if builtin
            else len(objects)
            for kind, objects in self.by_kind.items()
        }

        def count(*prefixes: str) -> int:
            spaced = tuple(p for p in prefixes if p[-1] == " ")
            return sum(
                number
                for kind, number in per_kind.items()
                if kind in prefixes or kind.startswith(spaced)
            )

        return {
            "virtuals": count("ltm virtual"),
            "pools": count("ltm pool"),
            "profiles": count("ltm persistence ", "ltm profile "),
            "persistence_profiles": count("ltm persistence "),
            "policies": count("ltm policy"),
            "irules": count("ltm rule"),
            "monitors": count("ltm monitor "),
            "nodes": count("ltm node"),
        }


def _span(obj: TmshObject, token: Token) -> Span:
    return Span(obj.path, token.line, token.column)


def _item_span(obj: TmshObject, item: Item) -> Span:
    if item.words:
        return _span(obj, item.words[0])
    block = item.block
    return Span(obj.path, block.line, block.column) if block else obj.span


# --- pools --------------------------------------------------------------------------------


def _build_pool(obj: TmshObject) -> Pool:
    min_active_token = obj.body.value("min-active-members")
    min_active = _int(min_active_token.text if min_active_token else "0", 0)
    members_item = obj.body.get("members")
    members = [
        _build_member(obj, item)
        for item in (members_item.block.items if members_item and members_item.block else ())
        if item.words
    ]
    notes: list[str] = []
    groups = sorted({member.priority_group for member in members}, reverse=True)
    if len(groups) > 1 and min_active >= 1:
        top = groups[0]
        members = [m._replace(backup=m.priority_group < top) for m in members]
        notes.append(
            f"priority group activation (min-active-members {min_active}): members of "
            f"priority-group {top} take the traffic, lower groups are standby"
        )
    elif len(groups) > 1:
        notes.append(
            "members have different priority-group values but min-active-members is 0: "
            "priority groups are ignored and every member takes traffic"
        )
    balance_token = obj.body.value("load-balancing-mode")
    balance = (
        Located(balance_token.text, _span(obj, balance_token))
        if balance_token
        else Located("round-robin", obj.span, True, "BIG-IP default load-balancing-mode")
    )
    return Pool(
        full_name(obj.name),
        obj.span,
        tuple(members),
        balance=balance,
        min_active_members=min_active,
        notes=tuple(notes),
    )


def _build_member(obj: TmshObject, item: Item) -> Member:
    name = item.words[0].text
    block = item.block or Block((), 0, 0)
    address_token = block.value("address")
    address, port = _split_address_port(base_name(name))
    if address_token:
        address = address_token.text
    group = block.value("priority-group")
    session = block.value("session")
    state = block.value("state")
    disabled = (session is not None and session.text == "user-disabled") or (
        state is not None and state.text in ("user-down", "down")
    )
    return Member(
        name=full_name(name),
        address=address,
        port=port,
        span=_item_span(obj, item),
        disabled=disabled,
        priority_group=_int(group.text, 0) if group else 0,
    )


def _split_address_port(text: str) -> tuple[str, int | None]:
    """``10.0.0.1:8080`` or IPv6 ``2001:db8::1.8080`` (route domains ``%1`` kept)."""
    separator = "." if text.count(":") > 1 else ":"
    address, found, port = text.rpartition(separator)
    if not found:
        return text, None
    if port.isdigit():
        return address, int(port)
    if port in PORT_NAMES:
        return address, PORT_NAMES[port]
    return text, None


def _int(text: str, default: int) -> int:
    return int(text) if text.isdigit() else default


def parse_duration(text: str) -> int | None:
    """Seconds for ``0``, ``300``, ``m:s``, ``h:m:s``, ``d:h:m:s``; None for
    ``indefinite`` and unreadable values."""
    return parse_seconds(text) if _DURATION.match(text) else None


# --- persistence profiles -------------------------------------------------------------------


class _Property(NamedTuple):
    """An effective profile property: its value and where it came from."""

    value: str
    located: Located[str]


class _Profile:
    """A persistence profile with its ``defaults-from`` chain resolved."""

    def __init__(
        self, index: _Index, obj: TmshObject | None, builtin: str, reference: Span
    ) -> None:
        self.index = index
        self.obj = obj
        self.reference = reference
        self.chain: list[TmshObject] = []
        self.builtin = builtin
        self._walk()

    def _walk(self) -> None:
        seen: set[str] = set()
        obj = self.obj
        while obj is not None and full_name(obj.name) not in seen:
            seen.add(full_name(obj.name))
            self.chain.append(obj)
            parent = obj.body.value("defaults-from")
            if parent is None or parent.text == "none":
                break
            self.builtin = base_name(parent.text)
            obj = self.index.resolve(parent.text, folder_of(obj.name), "ltm persistence ")

    @property
    def span(self) -> Span:
        own = [obj for obj in self.chain if not self.index.is_builtin(obj)]
        return own[0].span if own else self.reference

    def get(self, key: str) -> _Property:
        """The effective value of ``key`` and where it was set or inherited."""
        user = [obj for obj in self.chain if not self.index.is_builtin(obj)]
        for depth, obj in enumerate(self.chain):
            token = obj.body.value(key)
            if token is None:
                continue
            span = Span(obj.path, token.line, token.column)
            if depth == 0 and not self.index.is_builtin(obj):
                return _Property(token.text, Located(token.text, span))
            note = f"inherited from {full_name(obj.name)}"
            if self.index.is_builtin(obj):
                span = self._inheriting_line(user)
                note = f"built-in default of {full_name(obj.name)} ({obj.path})"
            return _Property(token.text, Located(token.text, span, True, note))
        default = BUILTIN_PERSISTENCE.get(self.builtin, {}).get(key, "")
        note = f"built-in default of /Common/{self.builtin}"
        return _Property(default, Located(default, self._inheriting_line(user), True, note))

    def _inheriting_line(self, user: list[TmshObject]) -> Span:
        """The ``defaults-from`` line of the last user profile, else the reference."""
        if user:
            last = user[-1]
            token = last.body.value("defaults-from")
            return Span(last.path, token.line, token.column) if token else last.span
        return self.reference


class _ServiceBuilder:
    """Builds one Service from one ``ltm virtual``."""

    def __init__(self, index: _Index, obj: TmshObject) -> None:
        self.index = index
        self.obj = obj
        self.folder = folder_of(obj.name)
        self.notes: list[str] = []
        self.problems: list[Located[str]] = []

    def build(self) -> Service:
        body = self.obj.body
        profiles = self._profiles()
        http = any(self._is_http(name, obj) for name, obj in profiles)
        destination = body.value("destination")
        port = _split_address_port(base_name(destination.text))[1] if destination else None
        https = port == 443 or any(self._is_ssl(name, obj) for name, obj in profiles)
        pool_token = body.value("pool")
        default_pool = None
        if pool_token and pool_token.text != "none":
            name = self.index.resolve_name(pool_token.text, self.folder, "ltm pool")
            default_pool = Located(name, _span(self.obj, pool_token))
        persistences = self._persistences(http, default_pool)
        routes = self._irule_routes() + self._policy_routes()
        return Service(
            name=full_name(self.obj.name),
            span=self.obj.span,
            https=https,
            http=http,
            routes=tuple(routes),
            default_pool=default_pool,
            persistences=tuple(persistences),
            binds=(destination.text,) if destination else (),
            notes=tuple(self.notes),
            problems=tuple(self.problems),
        )

    # profiles

    def _profiles(self) -> list[tuple[str, TmshObject | None]]:
        item = self.obj.body.get("profiles")
        names = [i.key for i in item.block.items] if item and item.block else []
        return [(n, self.index.resolve(n, self.folder, "ltm profile ")) for n in names if n]

    def _is_http(self, name: str, obj: TmshObject | None) -> bool:
        seen = 0
        while obj is not None and seen < 32:
            if obj.kind in HTTP_PROFILE_KINDS:
                return True
            parent = obj.body.value("defaults-from")
            if parent is None:
                break
            name = parent.text
            obj = self.index.resolve(name, folder_of(obj.name), "ltm profile ")
            seen += 1
        return base_name(name) in HTTP_PROFILES

    def _is_ssl(self, name: str, obj: TmshObject | None) -> bool:
        if obj is not None and obj.kind in SSL_PROFILE_KINDS:
            return True
        return base_name(name).startswith("clientssl")

    # persistence

    def _persistences(self, http: bool, pool: Located[str] | None) -> list[Persistence]:
        found: list[Persistence] = []
        item = self.obj.body.get("persist")
        for ref in item.block.items if item and item.block else ():
            if ref.key:
                reference = _item_span(self.obj, ref)
                found.append(self._profile_persistence(ref.key, reference, http, pool))
        fallback = self.obj.body.value("fallback-persistence")
        if fallback is not None and fallback.text != "none":
            self.notes.append(
                f"fallback-persistence {fallback.text} (used only when the primary "
                "persistence cannot apply)"
            )
            reference = _span(self.obj, fallback)
            secondary = self._profile_persistence(fallback.text, reference, http, pool)
            found.append(secondary._replace(fallback=True))
        found.extend(self._irule_persistences())
        return found

    def _profile_persistence(
        self, key: str, reference: Span, http: bool, pool: Located[str] | None
    ) -> Persistence:
        """The persistence of the profile named ``key``, referenced at ``reference``."""
        obj = self.index.resolve(key, self.folder, "ltm persistence ")
        type_name = obj.kind.split()[-1] if obj is not None else ""
        builtin = PERSISTENCE_TYPES.get(type_name, base_name(key))
        profile = _Profile(self.index, obj, builtin, reference)
        kind = PERSISTENCE_TYPES.get(type_name) or profile.builtin
        related = (reference,) if profile.span != reference else ()
        if kind == "cookie":
            persistence = self._cookie(profile, http, pool)
        elif kind in ("universal", "hash"):
            persistence = self._universal(profile, kind)
        elif kind in ("source_addr", "dest_addr", "ssl", "msrdp", "sip_info", "host"):
            persistence = self._simple(profile, kind)
        else:
            persistence = Persistence(
                "unknown",
                "other",
                profile.span,
                notes=(f"persistence profile {key} not found among the files",),
            )
        return persistence._replace(related=persistence.related + related)

    def _cookie(self, profile: _Profile, http: bool, pool: Located[str] | None) -> Persistence:
        method = profile.get("method")
        name = profile.get("cookie-name")
        notes = [f"method {method.value}" + (" (inherited)" if method.located.inherited else "")]
        cookie_name = name.located
        if name.value in ("none", ""):
            pool_name = pool.value if pool else "<pool>"
            generated = bigip_cookie_name(pool_name)
            cookie_name = Located(
                generated,
                name.located.span,
                True,
                f"cookie-name none: BIG-IP names the cookie {generated} after the pool",
            )
        ineffective = "" if http else "cookie persistence on a virtual without an HTTP profile"
        secure = profile.get("secure")
        httponly = profile.get("httponly")
        base = Persistence(
            kind=f"cookie-{method.value}",
            keyed_on="cookie",
            span=profile.span,
            cookie_name=cookie_name,
            mode=method.located,
            ineffective=ineffective,
        )
        if method.value == "hash":
            timeout = profile.get("timeout")
            return base._replace(
                cookie_name=name.located,
                learns_from_response=True,
                lifetime_seconds=_lifetime(timeout.located),
                lifetime_kind="idle",
                notes=(*notes, "BIG-IP hashes the application's cookie value to a member"),
            )
        expiration = profile.get("expiration")
        base = base._replace(
            writes_cookie=method.value in ("insert", "rewrite"),
            own_cookie=True,
            learns_from_response=True,
            lifetime_seconds=_lifetime(expiration.located, zero_is_unbounded=True),
            lifetime_kind="cookie-expiry",
            cookie_secure=_flag(secure.located),
            cookie_http_only=_flag(httponly.located),
        )
        if method.value == "passive" and not ineffective:
            base = base._replace(
                writes_cookie=False,
                ineffective="cookie method passive expects the server to send a cookie in "
                "BIG-IP's encoded format, which an application server such as Tomcat never does",
            )
        return base._replace(notes=tuple(notes))

    def _universal(self, profile: _Profile, kind: str) -> Persistence:
        rule = profile.get("rule")
        timeout = profile.get("timeout")
        base = Persistence(
            kind=kind if kind == "universal" else "hash",
            keyed_on="other",
            span=profile.span,
            learns_from_response=False,
            lifetime_seconds=_lifetime(timeout.located),
            lifetime_kind="idle",
        )
        if rule.value in ("none", ""):
            return base._replace(ineffective=f"{kind} persistence without a rule does nothing")
        rule_obj = self.index.resolve(rule.value, self.folder, "ltm rule")
        if rule_obj is None or rule_obj.raw is None:
            return base._replace(notes=(f"iRule {rule.value} not found among the files",))
        facts = self.index.irule_facts(rule_obj, rule_obj.raw)
        return _keyed_by_irule(base, facts, rule_obj)

    def _simple(self, profile: _Profile, kind: str) -> Persistence:
        timeout = profile.get("timeout")
        keyed_on = "client-address" if kind == "source_addr" else "other"
        return Persistence(
            kind="source" if kind == "source_addr" else kind,
            keyed_on=keyed_on,
            span=profile.span,
            learns_from_response=kind == "source_addr",
            lifetime_seconds=_lifetime(timeout.located),
            lifetime_kind="idle",
        )

    # iRules and policies

    def _rules(self) -> list[tuple[TmshObject, IRuleFacts]]:
        item = self.obj.body.get("rules")
        names = [word.text for word in item.block.words()] if item and item.block else []
        found = []
        for name in names:
            obj = self.index.resolve(name, self.folder, "ltm rule")
            if obj is None or obj.raw is None:
                self.notes.append(f"iRule {name} not found among the files")
                continue
            found.append((obj, self.index.irule_facts(obj, obj.raw)))
        return found

    def _irule_persistences(self) -> list[Persistence]:
        found = []
        for obj, facts in self._rules():
            hashed = [c for c in facts.persists if c.method == "cookie hash"]
            for call in hashed:
                span = Span(obj.path, call.line, call.column)
                found.append(
                    Persistence(
                        kind="cookie-hash",
                        keyed_on="cookie",
                        span=span,
                        cookie_name=Located(call.cookie, span) if call.cookie else None,
                        learns_from_response=True,
                        lifetime_seconds=Located(call.timeout or 180, span, not call.timeout),
                        lifetime_kind="idle",
                        notes=(f"persist cookie hash in iRule {full_name(obj.name)}",),
                    )
                )
        return found

    def _irule_routes(self) -> list[Route]:
        routes = []
        for obj, facts in self._rules():
            for selection in facts.pools:
                routes.append(
                    Route(
                        pool=self.index.resolve_name(selection.pool, self.folder, "ltm pool"),
                        span=Span(obj.path, selection.line, selection.column),
                        match=selection.match,
                        values=selection.values,
                        case_sensitive=selection.case_sensitive,
                        negate=selection.negate,
                        via="irule",
                    )
                )
        return routes

    def _policy_routes(self) -> list[Route]:
        item = self.obj.body.get("policies")
        refs = [i for i in item.block.items if i.key] if item and item.block else []
        routes: list[Route] = []
        for ref in refs:
            policy = self.index.resolve(ref.key, self.folder, "ltm policy")
            if policy is None:
                self.notes.append(f"LTM policy {ref.key} not found among the files")
                continue
            if "/Drafts/" in full_name(policy.name):
                reason = (
                    f"LTM policy {full_name(policy.name)} is a draft: BIG-IP applies only "
                    "published policies, so its routes are ignored"
                )
                self.problems.append(Located(reason, _item_span(self.obj, ref)))
                continue
            routes.extend(_PolicyReader(self, policy).routes())
        return routes


class _PolicyReader:
    """Routes of one published LTM policy, in the order BIG-IP evaluates them."""

    def __init__(self, service: _ServiceBuilder, policy: TmshObject) -> None:
        self.service = service
        self.policy = policy

    def routes(self) -> list[Route]:
        strategy = self.policy.body.value("strategy")
        strategy_name = base_name(strategy.text) if strategy else "first-match"
        if strategy_name != "first-match":
            self.service.notes.append(
                f"LTM policy {full_name(self.policy.name)} uses strategy {strategy_name}: "
                "routes are listed in ordinal order, which may not be the order it applies"
            )
        item = self.policy.body.get("rules")
        rules = [r for r in (item.block.items if item and item.block else ()) if r.block]
        ordered = sorted(enumerate(rules), key=lambda pair: (self._ordinal(pair[1]), pair[0]))
        routes = []
        for _, rule in ordered:
            route = self._route(rule)
            if route is not None:
                routes.append(route)
        return routes

    def _ordinal(self, rule: Item) -> int:
        token = rule.block.value("ordinal") if rule.block else None
        return _int(token.text, 1 << 30) if token else 1 << 30

    def _route(self, rule: Item) -> Route | None:
        assert rule.block is not None
        pool = self._forward_pool(rule.block)
        if pool is None:
            return None
        span = _item_span(self.policy, rule)
        pool_name = self.service.index.resolve_name(pool, folder_of(self.policy.name), "ltm pool")
        conditions = rule.block.get("conditions")
        condition_items = [
            c for c in (conditions.block.items if conditions and conditions.block else ())
        ]
        if not condition_items:
            return Route(pool_name, span, "always", (), False, via="ltm-policy")
        parsed = [_policy_condition(c) for c in condition_items]
        paths = [p for p in parsed if p is not None]
        if len(paths) != len(parsed) or not paths:
            self.service.notes.append(
                f"LTM policy rule {rule.key} of {full_name(self.policy.name)} has conditions "
                "other than the URI path; it is not modelled as a route"
            )
            return None
        match, values, case_sensitive, negate = paths[0]
        return Route(pool_name, span, match, values, case_sensitive, negate, "ltm-policy")

    @staticmethod
    def _forward_pool(block: Block) -> str | None:
        actions = block.get("actions")
        for action in actions.block.items if actions and actions.block else ():
            words = _flatten(action)
            texts = [w.text for w in words]
            if "forward" in texts and "pool" in texts:
                position = texts.index("pool")
                if position + 1 < len(texts):
                    return texts[position + 1]
        return None


_OPERANDS = {"starts-with": "prefix", "equals": "exact"}


def _policy_condition(item: Item) -> tuple[str, tuple[str, ...], bool, bool] | None:
    """An ``http-uri path starts-with|equals values { … }`` condition, else None."""
    words = [w.text for w in _flatten(item) if w.text != "values"]
    if "http-uri" not in words or "path" not in words:
        return None
    operand = next((w for w in words if w in _OPERANDS), None)
    if operand is None:
        return None
    values_item = _find_values(item)
    values = tuple(w.text for w in values_item) if values_item else ()
    case_sensitive = "case-sensitive" in words
    return _OPERANDS[operand], values, case_sensitive, "not" in words


def _flatten(item: Item) -> list[Token]:
    """The words of an item and of its nested blocks, except ``values { … }`` lists."""
    words = list(item.words)
    if item.block and not _is_values(item):
        for child in item.block.items:
            words.extend(_flatten(child))
    return words


def _is_values(item: Item) -> bool:
    return bool(item.words) and item.words[-1].text == "values" and item.block is not None


def _find_values(item: Item) -> list[Token] | None:
    if _is_values(item) and item.block:
        return item.block.words()
    for child in item.block.items if item.block else ():
        found = _find_values(child)
        if found is not None:
            return found
    return None


def _keyed_by_irule(base: Persistence, facts: IRuleFacts, rule: TmshObject) -> Persistence:
    """Universal persistence facts from the iRule named by the profile's ``rule``."""
    lookups = [c for c in facts.persists if c.method == "uie"]
    adds = [c for c in facts.persists if c.method == "add uie"]
    keyed = [c for c in lookups + adds if c.cookie]
    related = tuple(Span(rule.path, c.line, c.column) for c in lookups + adds)
    if not keyed:
        note = f"iRule {full_name(rule.name)} does not persist on a cookie"
        return base._replace(related=related, notes=(note,))
    first = ((lookups and [c for c in lookups if c.cookie]) or keyed)[0]
    cookie = first.cookie or ""
    span = Span(rule.path, first.line, first.column)
    learns = any(c.cookie == cookie and c.event == "HTTP_RESPONSE" for c in adds)
    notes = [] if learns else [f"no 'persist add uie' on {cookie} in HTTP_RESPONSE"]
    if rule.raw is not None:
        mentions = cookie_mentions(rule.raw.text, cookie, rule.raw.line, rule.raw.column)
        related += tuple(Span(rule.path, line, column) for line, column in mentions)
    return base._replace(
        keyed_on="cookie",
        cookie_name=Located(cookie, span),
        learns_from_response=learns,
        related=related,
        notes=tuple(notes),
    )


def bigip_cookie_name(pool: str) -> str:
    """``BIGipServer<pool>``: the bare name in /Common, ``~Partition~pool`` elsewhere."""
    if pool.startswith("/Common/") and pool.count("/") == 2:
        return f"BIGipServer{base_name(pool)}"
    return "BIGipServer" + pool.replace("/", "~")


def _lifetime(located: Located[str], zero_is_unbounded: bool = False) -> Located[int | None]:
    text = located.value
    seconds = None if text in ("session-cookie", "session cookie") else parse_duration(text)
    if zero_is_unbounded and seconds == 0:
        seconds = None
    return Located(seconds, located.span, located.inherited, located.note)


def _flag(located: Located[str]) -> Located[bool]:
    return Located(located.value == "enabled", located.span, located.inherited, located.note)
