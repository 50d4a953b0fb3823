"""Compile an F5 AS3 declaration (JSON) into the pipeline model (``f5-as3``).

AS3 defaults are applied where the declaration is silent (DOMAIN.md §3, the AS3 schema
``core-schema.json``), each marked ``inherited`` and pointing at the key of the object that
inherits it: ``Service_HTTP(S)`` ``persistenceMethods`` defaults to ``["cookie"]``
(``/Common/cookie``: insert, ``BIGipServer<pool>``), ``Service_TCP``/``_L4``/``_UDP`` to
``["source-address"]``; ``Pool.minimumMembersActive`` to 1 (priority group activation on),
``loadBalancingMode`` to round-robin; ``Persist``: ``cookieMethod`` insert, ``duration`` 0
(indefinite) for cookie and 180 for universal, hash and addresses, ``ttl`` 0 (a session
cookie), ``httpOnly`` and ``secure`` true; ``Endpoint_Policy.strategy`` best-match and a
condition's ``caseSensitive`` false.

Services, pools, persistence, policies and iRules are then compiled as the tmsh ones are
(:mod:`tcommlint.loaders.f5.compile`). An iRule's text is one JSON string (or base64): every
position inside it is the position of its ``iRule`` value.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from tcommlint.loaders.f5.bigip import F5Result
from tcommlint.loaders.f5.compile import (
    UNIVERSAL_TIMEOUT,
    CompiledPolicy,
    CookieSettings,
    IRuleCompiler,
    IRuleSource,
    PersistenceBuilder,
    PolicyRule,
    PolicyStep,
    bigip_cookie_name,
    compile_policy,
    cookie_removal,
    edit_step,
    env_term,
    irule_commands,
    opaque_step,
    policy_test,
)
from tcommlint.loaders.f5.irules import all_cookie_mentions
from tcommlint.loaders.f5.service import CompiledService, Front, assemble_service
from tcommlint.loaders.generic.jsonpos import (
    LINE_END,
    JsonArray,
    JsonObject,
    JsonSyntaxError,
    parse_json,
)
from tcommlint.model import ParseError
from tcommlint.pipeline.model import (
    Answer,
    Balance,
    LoadBalancer,
    Opaque,
    Pool,
    Server,
    Service,
    SetPath,
    Step,
    Table,
    Term,
)
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

__all__ = ["bigip_cookie_name", "load_as3", "looks_like_as3"]

HTTP_CLASSES = frozenset({"Service_HTTP", "Service_HTTPS"})
OTHER_SERVICE_CLASSES = frozenset({"Service_TCP", "Service_L4", "Service_UDP", "Service_Generic"})
SERVICE_CLASSES = HTTP_CLASSES | OTHER_SERVICE_CLASSES
DEFAULT_PERSISTENCE = {
    "Service_HTTP": ("cookie",),
    "Service_HTTPS": ("cookie",),
    "Service_TCP": ("source-address",),
    "Service_L4": ("source-address",),
    "Service_UDP": ("source-address",),
}
_BUILTIN_PROFILES = {
    "cookie": "cookie",
    "source_addr": "source-address",
    "dest_addr": "destination-address",
}
HTTPS_REDIRECT_RULE = "_sys_https_redirect"


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
    """Indexes every object of one ADC declaration and compiles the model from them."""

    def __init__(self, path: str, adc: JsonObject, text: str = "") -> None:
        self.path = path
        self.text = text
        self.objects: dict[str, _Entry] = {}
        self._rules: dict[str, IRuleSource | None] = {}
        self._rule_entries: list[_Entry] = []
        for tenant_name, tenant in _children(adc, "Tenant"):
            for app_name, app in _children(tenant, "Application"):
                for name, value in app.items():
                    if isinstance(value, JsonObject) and "class" in value:
                        full = f"/{tenant_name}/{app_name}/{name}"
                        self.objects[full] = _Entry(full, value, self.span(app, name))

    def span(self, obj: JsonObject, key: str) -> Span:
        """The span of ``key`` in ``obj``."""
        line, column = obj.span_of_key[key]
        return Span(self.path, line, column)

    def at(self, position: tuple[int, int]) -> Span:
        return Span(self.path, *position)

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

    def irule(self, name: str, entry: _Entry | None) -> IRuleSource | None:
        """The commands of a declared iRule, scanned once; None when its text is not in
        the declaration (a URL, another class)."""
        if name in self._rules:
            return self._rules[name]
        found = None
        if entry is not None and entry.value.get("class") == "iRule":
            text = _irule_text(entry.value.get("iRule"))
            if text is not None:
                text = _expand_backquotes(text, entry.name)
                line, column = entry.value.span_of_value["iRule"]
                commands = irule_commands(text, line, column)
                at = ((line, column),)
                commands = tuple(c._replace(positions=at * len(c.positions)) for c in commands)
                found = IRuleSource(name, self.path, commands)
                self._rule_entries.append(entry)
        self._rules[name] = found
        return found

    def cookie_mentions(self) -> tuple[tuple[str, Span], ...]:
        """Every cookie name written in ``cookieName`` values and in the text of the iRules
        the services use (read on the JSON line of the string), at the name."""
        found: list[tuple[str, Span]] = []
        for entry in self.of_class("Persist"):
            name = entry.value.get("cookieName")
            if isinstance(name, str) and name:
                found.append((name, self.at(entry.value.span_of_value["cookieName"])))
        lines = LINE_END.split(self.text)
        for entry in self._rule_entries:
            line, column = entry.value.span_of_value["iRule"]
            if isinstance(entry.value.get("iRule"), str) and 0 < line <= len(lines):
                source = lines[line - 1][column - 1 :]
                for name, at_line, at_column in all_cookie_mentions(source, line, column):
                    found.append((name, Span(self.path, at_line, at_column)))
        return tuple(found)

    def counts(self) -> dict[str, int]:
        def count(*classes: str) -> int:
            return len(self.of_class(*classes))

        return {
            "virtuals": count(*SERVICE_CLASSES),
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
        services: list[Service] = []
        tables: dict[str, Table] = {}
        uses: dict[str, list[bool]] = {}
        for entry in self.of_class(*SERVICE_CLASSES):
            built = _ServiceBuilder(self, entry).build()
            services.append(built.service)
            tables.update(built.tables)
            for pool in built.pools:
                uses.setdefault(pool, []).append(built.service.http)
        pools = tuple(self.pool(entry, uses.get(entry.name, [])) for entry in self.of_class("Pool"))
        counts = self.counts()
        if not pools and not services:
            return F5Result(None, (), counts)
        lb = LoadBalancer(
            "f5-as3",
            (self.path,),
            tuple(services),
            pools,
            tuple(tables.values()),
            cookie_mentions=self.cookie_mentions(),
            persistence_at="service",
        )
        return F5Result(lb, (), counts)

    # pools

    def pool(self, entry: _Entry, uses: list[bool]) -> Pool:
        value = entry.value
        min_active = _as_int(value.get("minimumMembersActive", 1), 1)
        found: list[tuple[Server, bool]] = []
        raw_members = value.get("members")
        if isinstance(raw_members, JsonArray):
            for index, member in enumerate(raw_members):
                if isinstance(member, JsonObject):
                    found.extend(self.members(member, raw_members.spans[index]))
        servers = [server._replace(number=n) for n, (server, _) in enumerate(found, 1)]
        notes: list[str] = []
        groups = sorted({s.priority_group for s in servers}, reverse=True)
        if len(groups) > 1 and min_active >= 1:
            notes.append(
                f"priority group activation (minimumMembersActive {min_active}"
                + ("" if "minimumMembersActive" in value else ", the AS3 default")
                + f"): members of priorityGroup {groups[0]} take the traffic, lower groups are "
                "standby"
            )
        elif len(groups) > 1:
            notes.append("priorityGroup values differ but minimumMembersActive is 0: ignored")
        disabled = [offline for server, offline in found if server.disabled]
        persist_to_down = bool(disabled) and not any(disabled)
        http = not uses or any(uses)
        if uses and any(uses) and not all(uses):
            notes.append(
                "used by services with and without HTTP: simulated as HTTP, so cookie "
                "persistence on the services without it is not shown as ineffective"
            )
        mode = value.get("loadBalancingMode")
        algorithm = (
            Located(str(mode), self.span(value, "loadBalancingMode"))
            if isinstance(mode, str)
            else Located("round-robin", entry.key_span, True, "AS3 default loadBalancingMode")
        )
        return Pool(
            entry.name,
            entry.key_span,
            tuple(servers),
            Balance(algorithm),
            http=http,
            persist_to_down=persist_to_down,
            min_active_members=min_active,
            notes=tuple(notes),
        )

    def members(self, member: JsonObject, start: tuple[int, int]) -> list[tuple[Server, bool]]:
        """The servers of one ``members`` entry, and whether they are forced offline."""
        port = member.get("servicePort")
        port_number = port if isinstance(port, int) and not isinstance(port, bool) else None
        group = _as_int(member.get("priorityGroup", 0), 0)
        offline = member.get("adminState") == "offline"
        disabled = offline or member.get("enable") is False or member.get("adminState") == "disable"
        weight = _as_int(member.get("ratio", 1), 1)
        addresses = member.get("serverAddresses")
        spans: list[tuple[str, Span]] = []
        if isinstance(addresses, JsonArray):
            spans = [(str(a), self.at(addresses.spans[i])) for i, a in enumerate(addresses)]
        if not spans:
            name = str(
                member.get("hostname") or member.get("bigip") or member.get("addressDiscovery")
            )
            spans = [(name, self.at(start))]
        found = []
        for address, span in spans:
            node = f"{address}:{port}" if port_number is not None else address
            cookie = Located(
                node, span, True, "BIG-IP's cookie names the member by its encoded address and port"
            )
            server = Server(
                name=node,
                address=address,
                port=port_number,
                span=span,
                weight=weight,
                disabled=disabled,
                priority_group=group,
                cookie=cookie,
                node=node,
            )
            found.append((server, offline))
        return found


_BACKQUOTE = re.compile(r"`([TA]|\*[^`\s]+)`")


def _expand_backquotes(text: str, owner: str) -> str:
    """AS3 backquote expansion in an iRule: `` `T` `` the tenant, `` `A` `` the application,
    `` `*name` `` the full path of ``name`` in the iRule's application."""
    _, tenant, app, *_ = (*owner.split("/"), "", "")

    def expand(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "T":
            return tenant
        if token == "A":
            return app
        return f"/{tenant}/{app}/{token[1:]}"

    return _BACKQUOTE.sub(expand, text)


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
    """One ``Service_*`` → Service."""

    def __init__(self, declaration: _Declaration, entry: _Entry) -> None:
        self.decl = declaration
        self.entry = entry
        self.value = entry.value
        self.cls = str(entry.value.get("class"))
        self.notes: list[str] = []
        self.steps: list[Step] = []
        self.builder = PersistenceBuilder(entry.name)
        self.pool_name: str | None = None
        self.https = "serverTLS" in self.value
        self.compiled: set[str] = set()

    def add_rule(self, compiler: IRuleCompiler, rule: IRuleSource) -> None:
        """Compile an iRule once, though the service lists it and a Persist names it."""
        if rule.name not in self.compiled:
            self.compiled.add(rule.name)
            compiler.add_rule(rule)

    def located(self, key: str) -> Span:
        return self.decl.span(self.value, key)

    def resolve_pool(self, name: str) -> str:
        return self.decl.resolve(name, self.entry.name)[0]

    def build(self) -> CompiledService:
        value = self.value
        http = self.cls in HTTP_CLASSES
        default_pool = None
        if "pool" in value:
            name, _ = self.decl.resolve(value["pool"], self.entry.name)
            if name:
                default_pool = Located(name, self.located("pool"))
                self.pool_name = name
        port = value.get("virtualPort", 443 if self.cls == "Service_HTTPS" else 80)
        addresses = value.get("virtualAddresses")
        binds = (
            tuple(f"{a}:{port}" for a in addresses if isinstance(a, str))
            if isinstance(addresses, list)
            else ()
        )
        policies = self.policies() if http else []
        compiler = IRuleCompiler(
            self.entry.name, http, self.https, self.builder, self.resolve_pool, self.pool_name
        )
        self.persistences(compiler)
        self.irules(compiler)
        self.fallback(compiler)
        front = Front(
            name=self.entry.name,
            span=self.entry.key_span,
            http=http,
            https=self.https,
            binds=binds,
            default_pool=default_pool,
            steps=self.steps,
            notes=self.notes,
        )
        return assemble_service(front, policies, compiler, self.builder)

    # persistence

    def persistences(self, compiler: IRuleCompiler) -> None:
        """``persistenceMethods``, or the class's default."""
        if "persistenceMethods" not in self.value:
            defaults = DEFAULT_PERSISTENCE.get(self.cls, ())
            shown = ", ".join(f'"{d}"' for d in defaults)
            note = f"AS3 default persistenceMethods [{shown}] of {self.cls}"
            for method in defaults:
                self.builtin(method, self.entry.key_span, compiler, note)
            return
        methods = self.value["persistenceMethods"]
        if not isinstance(methods, JsonArray):
            return
        for index, method in enumerate(methods):
            self.method(method, self.decl.at(methods.spans[index]), compiler)

    def fallback(self, compiler: IRuleCompiler) -> None:
        fallback = self.value.get("fallbackPersistenceMethod")
        if fallback is None or fallback == "none":
            return
        self.notes.append(
            f"fallbackPersistenceMethod {fallback} is looked up after the primary persistence"
        )
        self.method(fallback, self.located("fallbackPersistenceMethod"), compiler)

    def method(self, method: Any, span: Span, compiler: IRuleCompiler) -> None:
        if isinstance(method, str):
            self.builtin(method, span, compiler)
            return
        if isinstance(method, dict) and "bigip" in method:
            name = str(method["bigip"])
            builtin = _BUILTIN_PROFILES.get(name.removeprefix("/Common/"))
            if builtin is not None:
                self.builtin(builtin, span, compiler, f"built-in profile {name}")
            else:
                self.builder.opaque(
                    f"the BIG-IP persistence profile {name} is not in the declaration",
                    span,
                    name,
                )
            return
        name, entry = self.decl.resolve(method, self.entry.name)
        if entry is None or entry.value.get("class") != "Persist":
            self.builder.opaque(f"Persist {name} is not in the declaration", span, name)
            return
        _PersistReader(self, entry, compiler).build()

    def builtin(self, method: str, span: Span, compiler: IRuleCompiler, note: str = "") -> None:
        """A method named in ``persistenceMethods`` (or the default): the built-in profile."""
        note = note or f"built-in /Common/{method} default"
        if method == "cookie":
            settings = CookieSettings(
                method=Located("insert", span, True, note),
                name=Located("", span, True, note),
                span=span,
                secure=Located(True, span, True, note),
                httponly=Located(True, span, True, note),
                expiration=Located(None, span, True, note),
                timeout=Located(UNIVERSAL_TIMEOUT, span, True, note),
            )
            self.builder.cookie_settings(settings, self.pool_name, self.https)
        elif method in ("source-address", "destination-address"):
            expire: Located[int | None] = Located(UNIVERSAL_TIMEOUT, span, True, note)
            self.address(method, span, expire, f"persistenceMethods {method}")
        else:
            self.builder.opaque(f"{method} persistence is outside the model", span, method)

    def address(self, method: str, span: Span, expire: Located[int | None], text: str) -> None:
        if method == "source-address":
            self.builder.source(span, text, expire, span)
        else:
            addresses = self.value.get("virtualAddresses")
            first = addresses[0] if isinstance(addresses, list) and addresses else ""
            self.builder.destination(span, text, str(first), expire, span)

    # iRules and policies

    def irules(self, compiler: IRuleCompiler) -> None:
        refs = self.value.get("iRules")
        if not isinstance(refs, JsonArray):
            return
        for index, ref in enumerate(refs):
            span = self.decl.at(refs.spans[index])
            name, entry = self.decl.resolve(ref, self.entry.name)
            rule = self.decl.irule(name, entry)
            if rule is not None:
                self.add_rule(compiler, rule)
            elif name.rsplit("/", 1)[-1] == HTTPS_REDIRECT_RULE:
                text = f"iRule {name}: redirect every request to https"
                self.steps.append(Answer("redirect", 302, span, text))
            else:
                self.steps.append(Opaque(f"iRule {name} is not in the declaration", span, name))

    def policies(self) -> list[CompiledPolicy]:
        refs = self.value.get("policyEndpoint")
        if refs is None:
            return []
        compiled = []
        for ref in refs if isinstance(refs, list) else [refs]:
            name, entry = self.decl.resolve(ref, self.entry.name)
            if entry is None or entry.value.get("class") != "Endpoint_Policy":
                span = self.located("policyEndpoint")
                self.steps.append(
                    Opaque(f"Endpoint_Policy {name} is not in the declaration", span, name)
                )
                continue
            compiled.append(self.endpoint_policy(entry))
        return compiled

    def endpoint_policy(self, entry: _Entry) -> CompiledPolicy:
        policy = entry.value
        strategy = policy.get("strategy", "best-match")
        rules = policy.get("rules")
        read: list[PolicyRule] = []
        if isinstance(rules, JsonArray):
            for index, rule in enumerate(rules):
                if isinstance(rule, JsonObject):
                    span = self.decl.at(rules.spans[index])
                    read.append(self.endpoint_rule(rule, span, entry.name))
        return compile_policy(entry.name, str(strategy), read, "endpoint-policy")

    def endpoint_rule(self, rule: JsonObject, span: Span, owner: str) -> PolicyRule:
        name = str(rule.get("name", ""))
        text = f"rule {name} of Endpoint_Policy {owner}"
        conditions = rule.get("conditions")
        terms = tuple(
            _endpoint_term(c, f"{text}: condition {i}")
            for i, c in enumerate(conditions if isinstance(conditions, list) else ())
            if isinstance(c, dict)
        )
        pools: list[tuple[str, Span]] = []
        steps: list[PolicyStep] = []
        actions = rule.get("actions")
        if isinstance(actions, JsonArray):
            for index, action in enumerate(actions):
                if isinstance(action, dict):
                    at = self.decl.at(actions.spans[index])
                    self.endpoint_action(action, at, span, text, owner, pools, steps)
        return PolicyRule(name, span, text, terms, tuple(pools), tuple(steps))

    def endpoint_action(
        self,
        action: dict[str, Any],
        span: Span,
        rule_span: Span,
        text: str,
        owner: str,
        pools: list[tuple[str, Span]],
        steps: list[PolicyStep],
    ) -> None:
        kind = action.get("type")
        said = f"{text}: action {kind}"
        response = action.get("event") == "response"
        if kind == "forward":
            select = action.get("select")
            if isinstance(select, dict) and "pool" in select:
                pool, _ = self.decl.resolve(select["pool"], owner)
                pools.append((pool, rule_span))
            else:
                steps.append(opaque_step(f"{said}: forwards outside a pool", span, said))
        elif kind == "drop":
            steps.append(PolicyStep(lambda when: Answer("drop", 0, span, said, when)))
        elif kind == "httpRedirect":
            steps.append(PolicyStep(lambda when: Answer("redirect", 302, span, said, when)))
        elif kind in ("httpHeader", "httpCookie"):
            step = _endpoint_header(action, str(kind), span, said, response)
            if step is not None:
                steps.append(step)
        elif kind == "httpUri":
            replace = action.get("replace")
            value = replace.get("path", replace.get("value")) if isinstance(replace, dict) else None
            if isinstance(value, str):
                path = value.split("?", 1)[0]
                dynamic = value.startswith("tcl:")
                steps.append(
                    PolicyStep(lambda when: SetPath(path, span, said, dynamic=dynamic, when=when))
                )
        elif kind == "persist":
            steps.append(opaque_step(f"{said}: persistence set by a policy", span, said))
        elif kind == "http" and action.get("enabled") is False:
            steps.append(opaque_step(f"{said}: turns HTTP processing off", span, said))


def _endpoint_header(
    action: dict[str, Any], kind: str, span: Span, said: str, response: bool
) -> PolicyStep | None:
    """``httpHeader`` remove/replace/insert of Cookie or Set-Cookie, ``httpCookie``
    remove/insert."""
    for verb in ("remove", "replace", "insert"):
        spec = action.get(verb)
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        name = str(spec["name"])
        value = str(spec.get("value", ""))
        dynamic = value.startswith("tcl:")
        if kind == "httpCookie":
            if verb == "remove":
                header, pattern, replacement = cookie_removal(name, False)
                return edit_step("replace-header", header, span, said, replacement, pattern)
            return edit_step("add", "cookie", span, said, f"{name}={value}", dynamic=dynamic)
        header = name.lower()
        if header not in ("cookie", "set-cookie"):
            return None
        edit = {"remove": "del", "replace": "set", "insert": "add"}[verb]
        return edit_step(edit, header, span, said, value, dynamic=dynamic, response=response)
    return None


_URI_PARTS = {"path": "path", "all": "url"}


def _endpoint_term(condition: dict[str, Any], text: str) -> Term:
    """One ``Endpoint_Policy`` condition; what cannot be read is an "env" test."""
    kind = condition.get("type")
    response = condition.get("event") == "response"
    compare: Any = None
    subject, name = "", ""
    if kind == "httpUri":
        for part, mapped in (*_URI_PARTS.items(), ("queryParameter", "query")):
            if isinstance(condition.get(part), dict):
                compare, subject = condition[part], mapped
                name = str(condition.get("name", "")) if part == "queryParameter" else ""
                break
    elif kind in ("httpCookie", "httpHeader"):
        compare = condition.get("all")
        base = "cookie" if kind == "httpCookie" else "header"
        subject = ("res-" if response else "") + base
        name = str(condition.get("name", ""))
    elif kind == "httpMethod":
        compare, subject = condition.get("all"), "method"
    if not isinstance(compare, dict) or "datagroup" in compare:
        return env_term(text)
    operand = str(compare.get("operand", "equals"))
    values = tuple(str(v) for v in compare.get("values") or ())
    case_sensitive = bool(condition.get("caseSensitive", compare.get("caseSensitive", False)))
    return policy_test(subject, name, operand, values, case_sensitive, text)


class _PersistReader:
    """One ``Persist`` object, with AS3 defaults."""

    def __init__(self, service: _ServiceBuilder, entry: _Entry, compiler: IRuleCompiler) -> None:
        self.service = service
        self.entry = entry
        self.value = entry.value
        self.compiler = compiler
        self.builder = service.builder

    def get(self, key: str, default: Any) -> Located[Any]:
        if key in self.value:
            return Located(self.value[key], self.service.decl.span(self.value, key))
        return Located(default, self.entry.key_span, True, f"AS3 default {key} {default!r}")

    def duration(self, default: int) -> Located[int | None]:
        located = self.get("duration", default)
        seconds = _as_int(located.value, default)
        return Located(seconds or None, located.span, located.inherited, located.note)

    def shared(self) -> str:
        across = self.value.get("matchAcrossVirtualPorts") or self.value.get(
            "matchAcrossVirtualAddresses"
        )
        return self.entry.name if across is True else ""

    def build(self) -> None:
        method = self.value.get("persistenceMethod")
        span = self.entry.key_span
        if method == "cookie":
            self.cookie()
        elif method == "universal":
            self.universal()
        elif method in ("source-address", "destination-address"):
            text = f"Persist {self.entry.name} ({method})"
            if self.value.get("addressMask"):
                self.builder.notes.append(
                    f"{self.entry.name}: the addressMask is not modelled (each client address "
                    "is its own key)"
                )
            if method == "source-address":
                self.builder.source(span, text, self.duration(180), span, self.shared())
            else:
                addresses = self.service.value.get("virtualAddresses")
                first = addresses[0] if isinstance(addresses, list) and addresses else ""
                self.builder.destination(
                    span, text, str(first), self.duration(180), span, self.shared()
                )
        else:
            self.builder.opaque(
                f"{method} persistence (Persist {self.entry.name}) is outside the model",
                span,
                str(method),
            )

    def cookie(self) -> None:
        method = self.get("cookieMethod", "insert")
        ttl = self.get("ttl", 0)
        ttl_seconds = _as_int(ttl.value, 0)
        settings = CookieSettings(
            method=Located(str(method.value), method.span, method.inherited, method.note),
            name=self.get("cookieName", ""),
            span=self.entry.key_span,
            secure=_bool(self.get("secure", True)),
            httponly=_bool(self.get("httpOnly", True)),
            expiration=Located(ttl_seconds or None, ttl.span, ttl.inherited, ttl.note),
            timeout=self.duration(0),
            hash_offset=_as_int(self.value.get("startAt", 0), 0),
            hash_length=_as_int(self.value.get("hashCount", 0), 0),
            shared=self.shared(),
        )
        self.builder.cookie_settings(settings, self.service.pool_name, self.service.https)

    def universal(self) -> None:
        self.compiler.universal = (self.entry.key_span, self.duration(180))
        self.compiler.universal_shared = self.shared()
        if "iRule" not in self.value:
            self.builder.notes.append(
                f"universal persistence {self.entry.name} has no iRule: it persists nothing"
            )
            return
        name, entry = self.service.decl.resolve(self.value["iRule"], self.entry.name)
        rule = self.service.decl.irule(name, entry)
        if rule is None:
            self.builder.opaque(
                f"the iRule {name} of Persist {self.entry.name} is not in the declaration",
                self.service.decl.span(self.value, "iRule"),
                name,
            )
            return
        self.service.add_rule(self.compiler, rule)


def _bool(located: Located[Any]) -> Located[bool]:
    return Located(located.value is True, located.span, located.inherited, located.note)
