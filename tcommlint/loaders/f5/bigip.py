"""Compile the tmsh files of one BIG-IP into the pipeline model (``f5-tmsh``).

What BIG-IP itself would resolve is resolved here (DOMAIN.md §2): relative names (same
folder, then ``/Common``), ``defaults-from`` chains down to the built-in parents (from a
``profile_base.conf`` among the files, else the table below), the default cookie name
``BIGipServer<pool>`` [K6917], which LTM policies and iRules select which pool for which
path. Then :mod:`tcommlint.loaders.f5.compile` builds the records:

- ``ltm virtual`` → :class:`Service`: HTTP processing only with an HTTP profile (an
  ``ltm profile http``/``fasthttp`` or one whose ``defaults-from`` chain reaches one), HTTPS
  with a client SSL profile; ``pool`` → ``default_pool``; published LTM policies
  (``forward select pool``) and iRules (``pool``) → routes; ``persist`` (then
  ``fallback-persistence``) → the service's persistence [TMSH-virtual];
- ``ltm pool`` → :class:`Pool`: members with their node (address:port), ``priority-group``,
  ``ratio``, disabled when ``session user-disabled`` or ``state user-down``;
  ``min-active-members`` (priority group activation) and ``load-balancing-mode``
  (round-robin when unset; no F5 mode hashes a request value) [TMSH-pool], [F5-pools].

Where a value comes from: the line that sets it in the user's profile; an inherited value
points at the ``defaults-from`` line of the last user profile of the chain (or at the
virtual's reference to a built-in profile) and is marked ``inherited`` with a note naming
the parent.
"""

from __future__ import annotations

from tcommlint.durations import f5_seconds
from tcommlint.loaders.f5.compile import (
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
from tcommlint.loaders.f5.tmsh import Block, Item, TmshObject, Token, read_tmsh
from tcommlint.model import ParseError
from tcommlint.pipeline.model import (
    Answer,
    Balance,
    Inert,
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

__all__ = ["F5Result", "bigip_cookie_name", "load_f5_tmsh"]

# Built-in persistence parents: what /Common/<name> holds when no profile_base.conf is given.
BUILTIN_PERSISTENCE: dict[str, dict[str, str]] = {
    "cookie": {
        "method": "insert",
        "cookie-name": "none",
        "expiration": "0",
        "hash-offset": "0",
        "hash-length": "0",
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
HTTPS_REDIRECT_RULE = "_sys_https_redirect"


class F5Result(NamedTuple):
    """What one BIG-IP's files gave: the model (None when nothing usable), problems, counts."""

    load_balancer: LoadBalancer | None
    errors: tuple[ParseError, ...]
    counts: dict[str, int]


def load_f5_tmsh(files: list[tuple[str, str]]) -> F5Result:
    """Read the tmsh files ``(path, text)`` of one device and compile its LoadBalancer.

    Linear in the number of objects: objects are indexed by kind and name once, each
    virtual resolves its references by name, each iRule is scanned once.
    """
    objects: list[TmshObject] = []
    errors: list[ParseError] = []
    builtin_paths = {path for path, _ in files if path.endswith(PROFILE_BASE_NAMES)}
    for path, text in files:
        found, problems = read_tmsh(path, text)
        objects.extend(found)
        errors.extend(problems)
    index = _Index(objects, builtin_paths)
    counts = index.counts()
    services: list[Service] = []
    tables: dict[str, Table] = {}
    uses: dict[str, list[bool]] = {}
    for obj in index.of_kind("ltm virtual"):
        built = _ServiceBuilder(index, obj).build()
        services.append(built.service)
        tables.update(built.tables)
        for pool in built.pools:
            uses.setdefault(pool, []).append(built.service.http)
    pools = tuple(
        _build_pool(obj, uses.get(full_name(obj.name), [])) for obj in index.of_kind("ltm pool")
    )
    if not pools and not services:
        return F5Result(None, tuple(errors), counts)
    paths = tuple(dict.fromkeys(path for path, _ in files))
    balancer = LoadBalancer(
        "f5-tmsh",
        paths,
        tuple(services),
        pools,
        tuple(tables.values()),
        cookie_mentions=index.cookie_mentions(),
        persistence_at="service",
    )
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
        self._rules: dict[TmshObject, IRuleSource] = {}

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

    def irule(self, rule: TmshObject) -> IRuleSource:
        """The commands of an ``ltm rule``, scanned once however many virtuals use it."""
        found = self._rules.get(rule)
        if found is None:
            raw = rule.raw
            commands = irule_commands(raw.text, raw.line, raw.column) if raw else ()
            found = self._rules[rule] = IRuleSource(full_name(rule.name), rule.path, commands)
        return found

    def cookie_mentions(self) -> tuple[tuple[str, Span], ...]:
        """Every cookie name written in the user's cookie profiles (``cookie-name``) and in
        the iRules the virtuals use, at the name: what a fix renames."""
        found: list[tuple[str, Span]] = []
        for obj in self.of_kind("ltm persistence cookie"):
            token = obj.body.value("cookie-name")
            if token is not None and token.text != "none":
                found.append((token.text, _span(obj, token)))
        for rule in self._rules:
            raw = rule.raw
            if raw is not None:
                mentions = all_cookie_mentions(raw.text, raw.line, raw.column)
                found.extend(
                    (name, Span(rule.path, line, column)) for name, line, column in mentions
                )
        return tuple(found)

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


def _build_pool(obj: TmshObject, uses: list[bool]) -> Pool:
    """One ``ltm pool``; ``uses`` says, for each virtual that sends requests to it, whether
    that virtual processes HTTP (a pool is HTTP unless only non-HTTP virtuals use it)."""
    name = full_name(obj.name)
    min_active_token = obj.body.value("min-active-members")
    min_active = _int(min_active_token.text if min_active_token else "0", 0)
    members_item = obj.body.get("members")
    items = members_item.block.items if members_item and members_item.block else ()
    members = [_build_member(obj, item) for item in items if item.words]
    servers = [server._replace(number=number) for number, (server, _) in enumerate(members, 1)]
    notes: list[str] = []
    groups = sorted({server.priority_group for server in servers}, reverse=True)
    if len(groups) > 1 and min_active >= 1:
        notes.append(
            f"priority group activation (min-active-members {min_active}): members of "
            f"priority-group {groups[0]} take the traffic, lower groups are standby"
        )
    elif len(groups) > 1:
        notes.append(
            "members have different priority-group values but min-active-members is 0: "
            "priority groups are ignored and every member takes traffic"
        )
    disabled = [offline for server, offline in members if server.disabled]
    persist_to_down = bool(disabled) and not any(disabled)
    if persist_to_down:
        notes.append(
            "disabled members (session user-disabled) still take the requests persistence "
            "sends them; forced-offline members (state user-down) would not"
        )
    http = not uses or any(uses)
    if uses and any(uses) and not all(uses):
        notes.append(
            "used by virtuals with and without an HTTP profile: simulated as HTTP, so cookie "
            "persistence on the virtuals without one is not shown as ineffective"
        )
    balance_token = obj.body.value("load-balancing-mode")
    algorithm = (
        Located(balance_token.text, _span(obj, balance_token))
        if balance_token
        else Located("round-robin", obj.span, True, "BIG-IP default load-balancing-mode")
    )
    return Pool(
        name,
        obj.span,
        tuple(servers),
        Balance(algorithm),
        http=http,
        persist_to_down=persist_to_down,
        min_active_members=min_active,
        notes=tuple(notes),
    )


def _build_member(obj: TmshObject, item: Item) -> tuple[Server, bool]:
    """A member as a server, and whether it is forced offline (``state user-down``)."""
    name = item.words[0].text
    block = item.block or Block((), 0, 0)
    address_token = block.value("address")
    address, port = _split_address_port(base_name(name))
    if address_token:
        address = address_token.text
    group = block.value("priority-group")
    ratio = block.value("ratio")
    session = block.value("session")
    state = block.value("state")
    offline = state is not None and state.text in ("user-down", "down")
    disabled = offline or (session is not None and session.text == "user-disabled")
    span = _item_span(obj, item)
    node = f"{address}:{port}" if port is not None else address
    cookie = Located(
        node, span, True, "BIG-IP's cookie names the member by its encoded address and port"
    )
    server = Server(
        name=full_name(name),
        address=address,
        port=port,
        span=span,
        weight=_int(ratio.text, 1) if ratio else 1,
        disabled=disabled,
        priority_group=_int(group.text, 0) if group else 0,
        cookie=cookie,
        node=node,
    )
    return server, offline


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
        """The header of the user's profile, else the virtual's reference."""
        own = [obj for obj in self.chain if not self.index.is_builtin(obj)]
        return own[0].span if own else self.reference

    @property
    def known(self) -> bool:
        """Whether the profile or its built-in parent is known."""
        return bool(self.chain) or self.builtin in BUILTIN_PERSISTENCE

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

    def enabled(self, key: str) -> bool:
        return self.get(key).value == "enabled"

    def _inheriting_line(self, user: list[TmshObject]) -> Span:
        """The ``defaults-from`` line of the last user profile, else the reference."""
        if user:
            last = user[-1]
            token = last.body.value("defaults-from")
            return Span(last.path, token.line, token.column) if token else last.span
        return self.reference


class _ServiceBuilder:
    """Compiles one ``ltm virtual``."""

    def __init__(self, index: _Index, obj: TmshObject) -> None:
        self.index = index
        self.obj = obj
        self.name = full_name(obj.name)
        self.folder = folder_of(obj.name)
        self.notes: list[str] = []
        self.inert: list[Inert] = []
        self.steps: list[Step] = []
        self.builder = PersistenceBuilder(self.name)
        self.compiled_rules: set[str] = set()

    def resolve_pool(self, name: str) -> str:
        return self.index.resolve_name(name, self.folder, "ltm pool")

    def build(self) -> CompiledService:
        body = self.obj.body
        profiles = self._profiles()
        http = any(self._is_http(name, obj) for name, obj in profiles)
        https = any(self._is_ssl(name, obj) for name, obj in profiles)
        destination = body.value("destination")
        pool_token = body.value("pool")
        default_pool = None
        if pool_token and pool_token.text != "none":
            default_pool = Located(self.resolve_pool(pool_token.text), _span(self.obj, pool_token))
        pool_name = default_pool.value if default_pool else None
        policies = self._policies(http)
        compiler = IRuleCompiler(self.name, http, https, self.builder, self.resolve_pool, pool_name)
        item = body.get("persist")
        for ref in item.block.items if item and item.block else ():
            if ref.key:
                span = _item_span(self.obj, ref)
                self._persistence(ref.key, span, https, pool_name, compiler)
        self._rules(compiler)
        fallback = body.value("fallback-persistence")
        if fallback is not None and fallback.text != "none":
            self.notes.append(
                f"fallback-persistence {fallback.text} is looked up after the primary persistence"
            )
            reference = _span(self.obj, fallback)
            self._persistence(fallback.text, reference, https, pool_name, compiler)
        if not http and self.builder.cookie is not None:
            self.notes.append(
                "cookie persistence on a virtual without an HTTP profile: BIG-IP cannot read "
                "or insert cookies"
            )
        front = Front(
            name=self.name,
            span=self.obj.span,
            http=http,
            https=https,
            binds=(destination.text,) if destination else (),
            default_pool=default_pool,
            steps=self.steps,
            notes=self.notes,
            closing_notes=("the virtual is disabled",) if body.get("disabled") is not None else (),
            inert=self.inert,
        )
        return assemble_service(front, policies, compiler, self.builder)

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

    def _persistence(
        self,
        key: str,
        reference: Span,
        https: bool,
        pool: str | None,
        compiler: IRuleCompiler,
    ) -> None:
        """The persistence profile named ``key``, referenced at ``reference``."""
        obj = self.index.resolve(key, self.folder, "ltm persistence ")
        type_name = obj.kind.split()[-1] if obj is not None else ""
        builtin = PERSISTENCE_TYPES.get(type_name, base_name(key))
        profile = _Profile(self.index, obj, builtin, reference)
        kind = PERSISTENCE_TYPES.get(type_name) or profile.builtin
        name = full_name(obj.name) if obj is not None else key
        builder = self.builder
        if not profile.known:
            builder.opaque(
                f"persistence profile {key} is not among the files", reference, f"persist {key}"
            )
            return
        shared = ""
        if profile.enabled("match-across-virtuals") or profile.enabled("match-across-services"):
            shared = name
        if kind == "cookie":
            builder.cookie_settings(self._cookie_settings(profile, shared), pool, https)
        elif kind == "universal":
            self._universal(profile, name, compiler, shared)
        elif kind in ("source_addr", "dest_addr"):
            timeout = profile.get("timeout").located
            mask = profile.get("mask")
            if mask.value not in ("none", "", "255.255.255.255"):
                builder.notes.append(
                    f"{name}: the mask {mask.value} is not modelled (each client address is "
                    "its own key)"
                )
            text = f"{kind} persistence {name}"
            if kind == "source_addr":
                builder.source(profile.span, text, _lifetime(timeout), profile.span, shared)
            else:
                address = self.obj.body.value("destination")
                target = address.text if address else ""
                builder.destination(
                    profile.span, text, target, _lifetime(timeout), profile.span, shared
                )
        else:
            builder.opaque(
                f"{kind} persistence ({name}) is outside the model", profile.span, f"persist {key}"
            )

    def _cookie_settings(self, profile: _Profile, shared: str) -> CookieSettings:
        expiration = profile.get("expiration").located
        seconds = _lifetime(expiration)
        return CookieSettings(
            method=profile.get("method").located,
            name=profile.get("cookie-name").located,
            span=profile.span,
            secure=_flag(profile.get("secure").located),
            httponly=_flag(profile.get("httponly").located),
            expiration=seconds,
            timeout=_lifetime(profile.get("timeout").located),
            hash_offset=_int(profile.get("hash-offset").value, 0),
            hash_length=_int(profile.get("hash-length").value, 0),
            shared=shared,
        )

    def _universal(
        self, profile: _Profile, name: str, compiler: IRuleCompiler, shared: str
    ) -> None:
        """Universal persistence: what the profile's iRule does with ``persist uie``."""
        rule = profile.get("rule")
        compiler.universal = (profile.span, _lifetime(profile.get("timeout").located))
        compiler.universal_shared = shared
        if rule.value in ("none", ""):
            reason = f"universal persistence {name} has no rule: it persists nothing"
            self.builder.inert.append(Inert(reason, profile.span))
            return
        obj = self.index.resolve(rule.value, folder_of(name), "ltm rule")
        if obj is None:
            self.builder.opaque(
                f"the iRule {rule.value} of universal persistence {name} is not among the files",
                rule.located.span,
                f"rule {rule.value}",
            )
            return
        self._add_rule(obj, compiler)

    # iRules and policies

    def _add_rule(self, obj: TmshObject, compiler: IRuleCompiler) -> None:
        name = full_name(obj.name)
        if name not in self.compiled_rules:
            self.compiled_rules.add(name)
            compiler.add_rule(self.index.irule(obj))

    def _rules(self, compiler: IRuleCompiler) -> None:
        item = self.obj.body.get("rules")
        tokens = item.block.words() if item and item.block else []
        for token in tokens:
            obj = self.index.resolve(token.text, self.folder, "ltm rule")
            if obj is not None:
                self._add_rule(obj, compiler)
            elif base_name(token.text) == HTTPS_REDIRECT_RULE:
                text = f"rule {token.text}: redirect every request to https"
                self.steps.append(Answer("redirect", 302, _span(self.obj, token), text))
            else:
                self.steps.append(
                    Opaque(
                        f"iRule {token.text} is not among the files",
                        _span(self.obj, token),
                        f"rules {{ {token.text} }}",
                    )
                )

    def _policies(self, http: bool) -> list[CompiledPolicy]:
        item = self.obj.body.get("policies")
        refs = [i for i in item.block.items if i.key] if item and item.block else []
        compiled = []
        for ref in refs:
            span = _item_span(self.obj, ref)
            policy = self.index.resolve(ref.key, self.folder, "ltm policy")
            if policy is None:
                self.steps.append(
                    Opaque(f"LTM policy {ref.key} is not among the files", span, ref.key)
                )
                continue
            name = full_name(policy.name)
            if "/Drafts/" in name:
                reason = (
                    f"LTM policy {name} is a draft: BIG-IP applies only published policies, "
                    "so its rules are not applied"
                )
                self.inert.append(Inert(reason, span))
                continue
            if not http:
                self.notes.append(f"LTM policy {name} needs an HTTP profile: not applied")
                continue
            compiled.append(_PolicyReader(self, policy).compile())
        return compiled


class _PolicyReader:
    """One published LTM policy [TMSH-policy]."""

    def __init__(self, service: _ServiceBuilder, policy: TmshObject) -> None:
        self.service = service
        self.policy = policy
        self.name = full_name(policy.name)

    def compile(self) -> CompiledPolicy:
        strategy = self.policy.body.value("strategy")
        strategy_name = base_name(strategy.text) if strategy else "first-match"
        item = self.policy.body.get("rules")
        rules = [r for r in (item.block.items if item and item.block else ()) if r.block]
        ordered = sorted(enumerate(rules), key=lambda pair: (self._ordinal(pair[1]), pair[0]))
        read = [self._rule(rule) for _, rule in ordered]
        return compile_policy(self.name, strategy_name, read, "ltm-policy")

    def _ordinal(self, rule: Item) -> int:
        token = rule.block.value("ordinal") if rule.block else None
        return _int(token.text, 1 << 30) if token else 1 << 30

    def _rule(self, rule: Item) -> PolicyRule:
        assert rule.block is not None
        span = _item_span(self.policy, rule)
        text = f"rule {rule.key} of LTM policy {self.name}"
        conditions = rule.block.get("conditions")
        terms = tuple(
            _policy_term(condition, f"{text}: {_words_text(condition)}")
            for condition in (conditions.block.items if conditions and conditions.block else ())
        )
        pools: list[tuple[str, Span]] = []
        steps: list[PolicyStep] = []
        actions = rule.block.get("actions")
        for action in actions.block.items if actions and actions.block else ():
            self._action(action, span, text, pools, steps)
        return PolicyRule(rule.key, span, text, terms, tuple(pools), tuple(steps))

    def _action(
        self,
        action: Item,
        rule_span: Span,
        text: str,
        pools: list[tuple[str, Span]],
        steps: list[PolicyStep],
    ) -> None:
        words = [w.text for w in _flatten(action)]
        span = _item_span(self.policy, action)
        said = f"{text}: {' '.join(words[1:])}"
        response = "response" in words

        def after(key: str) -> str | None:
            return words[words.index(key) + 1] if key in words[:-1] else None

        if "forward" in words and "select" in words:
            pool = after("pool")
            if pool is not None:
                resolved = self.service.index.resolve_name(pool, folder_of(self.name), "ltm pool")
                pools.append((resolved, rule_span))
            else:
                steps.append(opaque_step(f"{said}: forwards outside a pool", span, said))
        elif (
            ("forward" in words and ("reset" in words or "drop" in words))
            or "shutdown" in words
            or "drop" in words
        ):
            steps.append(PolicyStep(lambda when: Answer("reject", 0, span, said, when)))
        elif "http-reply" in words and "redirect" in words:
            steps.append(PolicyStep(lambda when: Answer("redirect", 302, span, said, when)))
        elif "http-header" in words or "http-cookie" in words:
            step = _header_action(words, span, said, response)
            if step is not None:
                steps.append(step)
        elif "http-uri" in words and "replace" in words:
            value = after("path") or after("value")
            if value is not None:
                dynamic = value.startswith("tcl:")
                path = value.split("?", 1)[0]
                steps.append(
                    PolicyStep(lambda when: SetPath(path, span, said, dynamic=dynamic, when=when))
                )
        elif "persist" in words:
            steps.append(opaque_step(f"{said}: persistence set by a policy", span, said))
        elif "http" in words and "disable" in words:
            steps.append(opaque_step(f"{said}: turns HTTP processing off", span, said))


def _header_action(words: list[str], span: Span, said: str, response: bool) -> PolicyStep | None:
    """``http-header remove|replace|insert name X [value Y]`` on Cookie or Set-Cookie,
    ``http-cookie remove|insert name X [value Y]``."""

    def after(key: str) -> str | None:
        return words[words.index(key) + 1] if key in words[:-1] else None

    name = after("name")
    if name is None:
        return None
    value = after("value") or ""
    dynamic = value.startswith("tcl:")
    if "http-cookie" in words:
        if "remove" in words:
            header, pattern, replacement = cookie_removal(name, False)
            return edit_step("replace-header", header, span, said, replacement, pattern)
        if "insert" in words:
            return edit_step("add", "cookie", span, said, f"{name}={value}", dynamic=dynamic)
        return None
    header = name.lower()
    if header not in ("cookie", "set-cookie"):
        return None
    action = "del" if "remove" in words else "set" if "replace" in words else "add"
    return edit_step(action, header, span, said, value, dynamic=dynamic, response=response)


def _policy_term(item: Item, text: str) -> Term:
    """One ``conditions`` entry, e.g. ``0 { http-uri path starts-with values { /api } }``.

    Unflagged conditions are case-insensitive (DOMAIN.md §2.6, AS3's ``caseSensitive``
    default; UNVERIFIED against a device listing); ``not`` negates.
    """
    words = [w.text for w in _flatten(item)]
    values_tokens = _find_values(item)
    values = tuple(token.text for token in values_tokens) if values_tokens else ()
    negate = "not" in words
    case_sensitive = "case-sensitive" in words
    response = "response" in words

    def after(key: str) -> str:
        return words[words.index(key) + 1] if key in words[:-1] else ""

    operand = next(
        (w for w in words if w in ("equals", "starts-with", "ends-with", "contains", "exists")),
        "",
    )
    if "datagroup" in words or not operand:
        return env_term(text, negate)
    if "http-uri" in words:
        if "path" in words:
            subject, name = "path", ""
        elif "query-parameter" in words:
            subject, name = "query", after("name")
        elif any(
            w in words
            for w in ("query-string", "path-segment", "extension", "host", "port", "scheme")
        ):
            return env_term(text, negate)
        else:
            subject, name = "url", ""
    elif "http-cookie" in words:
        subject, name = ("res-cookie" if response else "cookie"), after("name")
    elif "http-header" in words:
        subject, name = ("res-header" if response else "header"), after("name")
    elif "http-method" in words:
        subject, name = "method", ""
    elif "http-status" in words:
        subject, name = "status", ""
    else:
        return env_term(text, negate)
    return policy_test(subject, name, operand, values, case_sensitive, text, negate)


def _words_text(item: Item) -> str:
    """A condition as tmsh lists it, on one line: ``http-uri path starts-with values { /api }``."""
    values = _find_values(item)
    listed = "values { " + " ".join(token.text for token in values or ()) + " }"
    words = [listed if w.text == "values" else w.text for w in _flatten(item)]
    return " ".join(words[1:] if words and words[0].isdigit() else words)


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


def _lifetime(located: Located[str]) -> Located[int | None]:
    """A duration property in seconds (``indefinite``, a session cookie, 0: None)."""
    text = located.value
    seconds = None if text in ("session-cookie", "session cookie") else f5_seconds(text)
    return Located(seconds or None, located.span, located.inherited, located.note)


def _flag(located: Located[str]) -> Located[bool]:
    return Located(located.value == "enabled", located.span, located.inherited, located.note)
