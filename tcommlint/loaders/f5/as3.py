"""Build the vendor-neutral LoadBalancer from an F5 AS3 declaration (JSON).

AS3 defaults are applied where the declaration is silent, each marked ``inherited`` and
pointing at the key line of the object that inherits it: ``Service_HTTP(S)``
``persistenceMethods`` defaults to ``["cookie"]`` (``/Common/cookie``: insert,
``BIGipServer<pool>``), ``Pool.minimumMembersActive`` to 1, ``Persist.duration`` to 0
(indefinite) for cookie and 180 for universal and hash, ``Endpoint_Policy.strategy`` to
best-match, and a path condition's ``caseSensitive`` to false.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

from tcommlint.loaders.f5.bigip import F5Result, bigip_cookie_name
from tcommlint.loaders.f5.irules import IRuleFacts, cookie_mentions, scan_irule
from tcommlint.loaders.generic.jsonpos import JsonArray, JsonObject, JsonSyntaxError, parse_json
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

SERVICE_CLASSES = frozenset({"Service_HTTP", "Service_HTTPS"})
OTHER_SERVICE_CLASSES = frozenset({"Service_TCP", "Service_L4", "Service_UDP", "Service_Generic"})
_OPERANDS = {"starts-with": "prefix", "equals": "exact"}


def looks_like_as3(obj: Any) -> bool:
    """True for an AS3 request (``"class": "AS3"`` with a declaration) or a bare ADC."""
    if not isinstance(obj, dict):
        return False
    if obj.get("class") == "AS3":
        return isinstance(obj.get("declaration"), dict)
    return obj.get("class") == "ADC"


def load_as3(path: str, text: str) -> F5Result:
    """Read one AS3 declaration; a JSON error becomes a ParseError, never an exception."""
    try:
        root = parse_json(text)
    except JsonSyntaxError as error:
        problem = ParseError(Span(path, error.line, error.column), error.message)
        return F5Result(None, (problem,), {})
    if not looks_like_as3(root):
        return F5Result(None, (), {})
    adc = root["declaration"] if root.get("class") == "AS3" else root
    return _Declaration(path, adc, text).build()


class _Entry(NamedTuple):
    """One declared object: its full name, value and the key that declares it."""

    name: str  # /Tenant/Application/object
    value: JsonObject
    key_span: Span


class _Declaration:
    """Indexes every object of one ADC declaration and builds the model from them."""

    def __init__(self, path: str, adc: JsonObject, text: str = "") -> None:
        self.path = path
        self.lines = text.split("\n")
        self.objects: dict[str, _Entry] = {}
        for tenant_name, tenant in _children(adc, "Tenant"):
            for app_name, app in _children(tenant, "Application"):
                for name, value in app.items():
                    if isinstance(value, JsonObject) and "class" in value:
                        full = f"/{tenant_name}/{app_name}/{name}"
                        self.objects[full] = _Entry(full, value, self.key_span(app, name))

    def span(self, obj: JsonObject, key: str) -> Span:
        """The span of ``key`` in ``obj``."""
        line, column = obj.span_of_key[key]
        return Span(self.path, line, column)

    def key_span(self, obj: JsonObject, key: str) -> Span:
        return self.span(obj, key)

    def of_class(self, *classes: str) -> list[_Entry]:
        return [e for e in self.objects.values() if e.value.get("class") in classes]

    def resolve(self, ref: Any, owner: str) -> tuple[str, _Entry | None]:
        """A name, ``{"use": …}`` or ``{"bigip": …}`` pointer → (full name, entry)."""
        if isinstance(ref, dict):
            if "bigip" in ref:
                return str(ref["bigip"]), None
            ref = ref.get("use", "")
        if not isinstance(ref, str):
            return "", None
        folder = owner.rsplit("/", 1)[0]
        if ref.startswith("/"):
            return ref, self.objects.get(ref)
        full = f"{folder}/{ref}"
        if full not in self.objects:
            shared = f"/{owner.split('/')[1]}/Shared/{ref}"
            common = f"/Common/Shared/{ref}"
            for candidate in (shared, common):
                if candidate in self.objects:
                    return candidate, self.objects[candidate]
        return full, self.objects.get(full)

    def counts(self) -> dict[str, int]:
        def count(*classes: str) -> int:
            return len(self.of_class(*classes))

        return {
            "virtuals": count(*SERVICE_CLASSES, *OTHER_SERVICE_CLASSES),
            "pools": count("Pool"),
            "profiles": sum(
                1
                for e in self.objects.values()
                if str(e.value.get("class")).startswith(("HTTP_", "TLS_", "Persist"))
            ),
            "persistence_profiles": count("Persist"),
            "policies": count("Endpoint_Policy"),
            "irules": count("iRule"),
            "monitors": count("Monitor"),
            "nodes": 0,
        }

    def build(self) -> F5Result:
        pools = tuple(self.pool(entry) for entry in self.of_class("Pool"))
        services = tuple(
            _ServiceBuilder(self, entry).build() for entry in self.of_class(*SERVICE_CLASSES)
        )
        counts = self.counts()
        if not pools and not services:
            return F5Result(None, (), counts)
        balancer = LoadBalancer("f5-as3", (self.path,), services, pools)
        return F5Result(balancer, (), counts)

    # pools

    def pool(self, entry: _Entry) -> Pool:
        value = entry.value
        if "minimumMembersActive" in value:
            min_active = _as_int(value["minimumMembersActive"], 1)
        else:
            min_active = 1
        members: list[Member] = []
        raw_members = value.get("members")
        if isinstance(raw_members, JsonArray):
            for index, member in enumerate(raw_members):
                if isinstance(member, JsonObject):
                    members.extend(self.members(member, raw_members.spans[index]))
        notes: list[str] = []
        groups = sorted({m.priority_group for m in members}, reverse=True)
        if len(groups) > 1 and min_active >= 1:
            members = [m._replace(backup=m.priority_group < groups[0]) for m in members]
            notes.append(
                f"priority group activation (minimumMembersActive {min_active}"
                + ("" if "minimumMembersActive" in value else ", the AS3 default")
                + f"): members of priorityGroup {groups[0]} take the traffic, lower groups are "
                "standby"
            )
        elif len(groups) > 1:
            notes.append("priorityGroup values differ but minimumMembersActive is 0: ignored")
        mode = value.get("loadBalancingMode")
        balance = (
            Located(str(mode), self.span(value, "loadBalancingMode"))
            if isinstance(mode, str)
            else Located("round-robin", entry.key_span, True, "AS3 default loadBalancingMode")
        )
        return Pool(
            entry.name,
            entry.key_span,
            tuple(members),
            balance=balance,
            min_active_members=min_active,
            notes=tuple(notes),
        )

    def members(self, member: JsonObject, start: tuple[int, int]) -> list[Member]:
        port = member.get("servicePort")
        group = _as_int(member.get("priorityGroup", 0), 0)
        disabled = member.get("enable") is False or member.get("adminState") in (
            "disable",
            "offline",
        )
        addresses = member.get("serverAddresses")
        found = []
        if isinstance(addresses, JsonArray):
            for index, address in enumerate(addresses):
                line, column = addresses.spans[index]
                found.append(
                    Member(
                        name=f"{address}:{port}",
                        address=str(address),
                        port=port if isinstance(port, int) else None,
                        span=Span(self.path, line, column),
                        disabled=disabled,
                        priority_group=group,
                    )
                )
        if not found:
            name = str(member.get("hostname") or member.get("addressDiscovery") or "member")
            found.append(
                Member(
                    name,
                    name,
                    port if isinstance(port, int) else None,
                    Span(self.path, *start),
                    disabled=disabled,
                    priority_group=group,
                )
            )
        return found


def _children(obj: JsonObject, cls: str) -> list[tuple[str, JsonObject]]:
    return [
        (name, value)
        for name, value in obj.items()
        if isinstance(value, JsonObject) and value.get("class") == cls
    ]


def _as_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _irule_text(value: Any) -> str | None:
    """An iRule's ``iRule`` property: text, ``{"base64": …}``; None for URLs and others."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("base64"), str):
        try:
            return base64.b64decode(value["base64"], validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
    return None


class _ServiceBuilder:
    """One Service_HTTP(S) → Service."""

    def __init__(self, declaration: _Declaration, entry: _Entry) -> None:
        self.decl = declaration
        self.entry = entry
        self.value = entry.value
        self.notes: list[str] = []

    def located(self, key: str) -> Span:
        return self.decl.span(self.value, key)

    def build(self) -> Service:
        value = self.value
        https = value.get("class") == "Service_HTTPS"
        default_pool = None
        if "pool" in value:
            name, _ = self.decl.resolve(value["pool"], self.entry.name)
            if name:
                default_pool = Located(name, self.located("pool"))
        port = value.get("virtualPort", 443 if https else 80)
        addresses = value.get("virtualAddresses")
        binds = (
            tuple(f"{a}:{port}" for a in addresses if isinstance(a, str))
            if isinstance(addresses, list)
            else ()
        )
        rules = self.irules()
        persistences = self.persistences(default_pool) + self.irule_persistences(rules)
        routes = self.irule_routes(rules) + self.policy_routes()
        return Service(
            name=self.entry.name,
            span=self.entry.key_span,
            https=https or port == 443,
            http=True,
            routes=tuple(routes),
            default_pool=default_pool,
            persistences=tuple(persistences),
            binds=binds,
            notes=tuple(self.notes),
        )

    # persistence

    def persistences(self, pool: Located[str] | None) -> list[Persistence]:
        value = self.value
        found = self.primary_persistences(pool)
        fallback = value.get("fallbackPersistenceMethod")
        if fallback is not None:
            self.notes.append(
                f"fallbackPersistenceMethod {fallback} (used only when the primary "
                "persistence cannot apply)"
            )
        if isinstance(fallback, str) and fallback != "none":
            span = self.located("fallbackPersistenceMethod")
            found.append(self.builtin(fallback, span, pool)._replace(fallback=True))
        return found

    def primary_persistences(self, pool: Located[str] | None) -> list[Persistence]:
        """The ``persistenceMethods`` (AS3's default is the built-in cookie method)."""
        if "persistenceMethods" not in self.value:
            note = 'AS3 default persistenceMethods ["cookie"]: /Common/cookie, method insert'
            return [self.builtin("cookie", self.entry.key_span, pool, inherited=note)]
        methods = self.value["persistenceMethods"]
        if not isinstance(methods, JsonArray):
            return []
        found = []
        for index, method in enumerate(methods):
            span = Span(self.decl.path, *methods.spans[index])
            found.append(self.method(method, span, pool))
        return found

    def method(self, method: Any, span: Span, pool: Located[str] | None) -> Persistence:
        if isinstance(method, str):
            return self.builtin(method, span, pool)
        if isinstance(method, dict) and "bigip" in method:
            return self.builtin(str(method["bigip"]).rsplit("/", 1)[-1], span, pool)
        name, entry = self.decl.resolve(method, self.entry.name)
        if entry is None or entry.value.get("class") != "Persist":
            return Persistence("unknown", "other", span, notes=(f"Persist {name} not found",))
        persistence = _PersistReader(self, entry, pool).build()
        return persistence._replace(related=(*persistence.related, span))

    def builtin(
        self, method: str, span: Span, pool: Located[str] | None, inherited: str = ""
    ) -> Persistence:
        """A built-in method named in ``persistenceMethods`` (or the default)."""

        def at(value: Any) -> Located[Any]:
            return Located(value, span, True, inherited or f"built-in /Common/{method} default")

        if method == "cookie":
            cookie = _bigip_cookie(pool)
            return Persistence(
                kind="cookie-insert",
                keyed_on="cookie",
                span=span,
                cookie_name=at(cookie),
                mode=at("insert"),
                writes_cookie=True,
                own_cookie=True,
                lifetime_seconds=at(None),
                lifetime_kind="cookie-expiry",
                cookie_secure=at(True),
                cookie_http_only=at(True),
                notes=(inherited,) if inherited else (),
            )
        if method in ("source-address", "source_addr"):
            return Persistence(
                "source", "client-address", span, lifetime_seconds=at(180), lifetime_kind="idle"
            )
        if method == "universal":
            return Persistence(
                "universal",
                "other",
                span,
                learns_from_response=False,
                lifetime_seconds=at(180),
                lifetime_kind="idle",
                ineffective="universal persistence without a rule does nothing",
            )
        return Persistence(method, "other", span, lifetime_seconds=at(180), lifetime_kind="idle")

    # iRules and policies

    def irules(self) -> list[tuple[str, IRuleFacts]]:
        refs = self.value.get("iRules")
        found = []
        for ref in refs if isinstance(refs, list) else ():
            name, entry = self.decl.resolve(ref, self.entry.name)
            facts = _irule_facts(self.decl, entry)
            if facts is None:
                self.notes.append(f"iRule {name} not found in the declaration")
                continue
            found.append((name, facts))
        return found

    def irule_persistences(self, rules: list[tuple[str, IRuleFacts]]) -> list[Persistence]:
        found = []
        for name, facts in rules:
            for call in facts.persists:
                if call.method != "cookie hash":
                    continue
                span = Span(self.decl.path, call.line, call.column)
                found.append(
                    Persistence(
                        kind="cookie-hash",
                        keyed_on="cookie",
                        span=span,
                        cookie_name=Located(call.cookie, span) if call.cookie else None,
                        lifetime_seconds=Located(call.timeout or 180, span, not call.timeout),
                        lifetime_kind="idle",
                        notes=(f"persist cookie hash in iRule {name}",),
                    )
                )
        return found

    def irule_routes(self, rules: list[tuple[str, IRuleFacts]]) -> list[Route]:
        routes = []
        for _, facts in rules:
            for selection in facts.pools:
                pool, _ = self.decl.resolve(selection.pool, self.entry.name)
                routes.append(
                    Route(
                        pool,
                        Span(self.decl.path, selection.line, selection.column),
                        selection.match,
                        selection.values,
                        selection.case_sensitive,
                        selection.negate,
                        "irule",
                    )
                )
        return routes

    def policy_routes(self) -> list[Route]:
        refs = self.value.get("policyEndpoint")
        if refs is None:
            return []
        routes: list[Route] = []
        for ref in refs if isinstance(refs, list) else [refs]:
            name, entry = self.decl.resolve(ref, self.entry.name)
            if entry is None or entry.value.get("class") != "Endpoint_Policy":
                self.notes.append(f"Endpoint_Policy {name} not found in the declaration")
                continue
            routes.extend(self.endpoint_routes(entry))
        return routes

    def endpoint_routes(self, entry: _Entry) -> list[Route]:
        policy = entry.value
        strategy = policy.get("strategy", "best-match")
        if strategy != "first-match":
            self.notes.append(
                f"Endpoint_Policy {entry.name} uses strategy {strategy}"
                + ("" if "strategy" in policy else " (the AS3 default)")
                + ": routes are listed in declaration order, which may not be the order applied"
            )
        rules = policy.get("rules")
        if not isinstance(rules, JsonArray):
            return []
        routes = []
        for index, rule in enumerate(rules):
            if isinstance(rule, JsonObject):
                span = Span(self.decl.path, *rules.spans[index])
                route = self.endpoint_route(rule, span, entry.name)
                if route is not None:
                    routes.append(route)
        return routes

    def endpoint_route(self, rule: JsonObject, span: Span, owner: str) -> Route | None:
        pool = None
        for action in rule.get("actions") or ():
            if isinstance(action, dict) and action.get("type") == "forward":
                select = action.get("select")
                if isinstance(select, dict) and "pool" in select:
                    pool, _ = self.decl.resolve(select["pool"], owner)
        if pool is None:
            return None
        conditions = [c for c in rule.get("conditions") or () if isinstance(c, dict)]
        if not conditions:
            return Route(pool, span, "always", (), False, via="endpoint-policy")
        parsed = [_uri_condition(c) for c in conditions]
        if any(p is None for p in parsed):
            self.notes.append(
                f"Endpoint_Policy rule {rule.get('name')} has conditions other than the URI "
                "path; it is not modelled as a route"
            )
            return None
        match, values, case_sensitive, negate = parsed[0]  # type: ignore[misc]
        return Route(pool, span, match, values, case_sensitive, negate, "endpoint-policy")


def _uri_condition(condition: dict[str, Any]) -> tuple[str, tuple[str, ...], bool, bool] | None:
    path = condition.get("path")
    if condition.get("type") != "httpUri" or not isinstance(path, dict):
        return None
    operand = str(path.get("operand", "equals"))
    negate = operand.startswith("does-not-")
    operand = operand.removeprefix("does-not-")
    if operand not in _OPERANDS:
        return None
    values = tuple(str(v) for v in path.get("values") or ())
    case_sensitive = bool(condition.get("caseSensitive", path.get("caseSensitive", False)))
    return _OPERANDS[operand], values, case_sensitive, negate


def _irule_facts(decl: _Declaration, entry: _Entry | None) -> IRuleFacts | None:
    if entry is None or entry.value.get("class") != "iRule":
        return None
    value = entry.value
    text = _irule_text(value.get("iRule"))
    if text is None:
        return None
    # A JSON string holds the whole script on one line of the file, and base64 hides it:
    # every fact points at the iRule value.
    line, column = value.span_of_value["iRule"]
    facts = scan_irule(text, line, column)
    return IRuleFacts(
        tuple(e._replace(line=line, column=column) for e in facts.events),
        tuple(p._replace(line=line, column=column) for p in facts.persists),
        tuple(p._replace(line=line, column=column) for p in facts.pools),
    )


def _bigip_cookie(pool: Located[str] | None) -> str:
    return bigip_cookie_name(pool.value) if pool else "BIGipServer<pool>"


class _PersistReader:
    """One ``Persist`` object → Persistence, with AS3 defaults."""

    def __init__(self, service: _ServiceBuilder, entry: _Entry, pool: Located[str] | None) -> None:
        self.service = service
        self.entry = entry
        self.value = entry.value
        self.pool = pool

    def get(self, key: str, default: Any) -> Located[Any]:
        if key in self.value:
            return Located(self.value[key], self.service.decl.span(self.value, key))
        return Located(default, self.entry.key_span, True, f"AS3 default {key} {default!r}")

    def build(self) -> Persistence:
        method = self.value.get("persistenceMethod")
        span = self.entry.key_span
        if method == "cookie":
            return self.cookie()
        if method in ("universal", "hash"):
            return self.universal(str(method))
        duration = self.duration(180)
        if method == "source-address":
            return Persistence(
                "source", "client-address", span, lifetime_seconds=duration, lifetime_kind="idle"
            )
        return Persistence(
            str(method), "other", span, lifetime_seconds=duration, lifetime_kind="idle"
        )

    def _mentions(self, cookie: str, line: int, column: int) -> tuple[Span, ...]:
        """Every mention of the cookie in the iRule's JSON string (one line of the file)."""
        decl = self.service.decl
        if not cookie or not 0 < line <= len(decl.lines):
            return ()
        source = decl.lines[line - 1][column - 1 :]
        found = cookie_mentions(source, cookie, line, column)
        return tuple(Span(decl.path, at_line, at_column) for at_line, at_column in found)

    def duration(self, default: int) -> Located[int | None]:
        located = self.get("duration", default)
        seconds = located.value if isinstance(located.value, int) else None
        return Located(seconds or None, located.span, located.inherited, located.note)

    def cookie(self) -> Persistence:
        method = self.get("cookieMethod", "insert")
        name = self.get("cookieName", "")
        cookie_name = name
        if method.value in ("insert", "rewrite", "passive") and not name.value:
            generated = _bigip_cookie(self.pool)
            cookie_name = Located(
                generated, name.span, True, f"cookieName empty: BIG-IP names the cookie {generated}"
            )
        base = Persistence(
            kind=f"cookie-{method.value}",
            keyed_on="cookie",
            span=self.entry.key_span,
            cookie_name=cookie_name,
            mode=method,
        )
        if method.value == "hash":
            return base._replace(
                lifetime_seconds=self.duration(0),
                lifetime_kind="idle",
                notes=("BIG-IP hashes the application's cookie value",),
            )
        ttl = self.get("ttl", 0)
        ttl_seconds = ttl.value if isinstance(ttl.value, int) and ttl.value > 0 else None
        base = base._replace(
            writes_cookie=method.value in ("insert", "rewrite"),
            own_cookie=True,
            lifetime_seconds=Located(ttl_seconds, ttl.span, ttl.inherited, ttl.note),
            lifetime_kind="cookie-expiry",
            cookie_secure=self.get("secure", True),
            cookie_http_only=self.get("httpOnly", True),
        )
        if method.value == "passive":
            return base._replace(
                writes_cookie=False,
                ineffective="cookieMethod passive expects the server to send a cookie in "
                "BIG-IP's encoded format, which an application server such as Tomcat never does",
            )
        return base

    def universal(self, method: str) -> Persistence:
        base = Persistence(
            kind=method,
            keyed_on="other",
            span=self.entry.key_span,
            learns_from_response=False,
            lifetime_seconds=self.duration(180),
            lifetime_kind="idle",
        )
        if "iRule" not in self.value:
            if method == "universal":
                return base._replace(
                    ineffective="universal persistence without an iRule does nothing"
                )
            return base
        name, entry = self.service.decl.resolve(self.value["iRule"], self.entry.name)
        facts = _irule_facts(self.service.decl, entry)
        if facts is None:
            return base._replace(notes=(f"iRule {name} not found in the declaration",))
        lookups = [c for c in facts.persists if c.method == "uie" and c.cookie]
        adds = [c for c in facts.persists if c.method == "add uie" and c.cookie]
        if not lookups and not adds:
            return base._replace(notes=(f"iRule {name} does not persist on a cookie",))
        first = (lookups or adds)[0]
        cookie_span = Span(self.service.decl.path, first.line, first.column)
        learns = any(c.cookie == first.cookie and c.event == "HTTP_RESPONSE" for c in adds)
        related = tuple(Span(self.service.decl.path, c.line, c.column) for c in lookups + adds)
        related += self._mentions(first.cookie or "", first.line, first.column)
        return base._replace(
            keyed_on="cookie",
            cookie_name=Located(first.cookie or "", cookie_span),
            learns_from_response=learns,
            related=related,
        )
