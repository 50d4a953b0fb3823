"""What tmsh and AS3 configurations share, compiled into the pipeline model.

``bigip.py`` (tmsh) and ``as3.py`` (AS3 declarations) resolve names and defaults their own
way and then hand the effective settings to the builders here, which produce the records of
:mod:`tcommlint.pipeline.model` with the behaviour BIG-IP documents (DOMAIN.md §2-§3):

- cookie persistence ``insert``/``rewrite``/``passive`` is BIG-IP's own cookie, an
  :class:`LbCookie` with ``encoded`` values (every pool member has one: its address and
  port, which BIG-IP encodes in the cookie); ``method hash`` keeps a persistence record per
  value of the application's cookie: a :class:`Table` whose records last ``timeout``
  seconds without a request, filled from the server's ``Set-Cookie`` and looked up by the
  request's cookie [TMSH-cookie];
- ``source_addr`` is a table keyed by the client address, ``dest_addr`` one keyed by the
  virtual address (every client the same key); universal persistence is what its iRule's
  ``persist uie`` (look up, and record the server chosen by load balancing) and ``persist
  add uie`` (record) commands say [TMSH-persist-cmd]; other persistence types are outside
  the model (:class:`Opaque`);
- iRules (:class:`IRuleCompiler`): ``pool`` under readable path conditions is a route,
  header and cookie edits are :class:`HeaderEdit`, answers are :class:`Answer`; anything
  else that may touch the cookies, the path, the pool or persistence is :class:`Opaque`
  with the iRule line, never ignored;
- LTM policies and AS3 endpoint policies (:func:`compile_policy`) in the order their
  strategy evaluates the rules.

Records of a virtual's persistence live in tables named after the virtual (BIG-IP keeps
them per virtual server unless ``match-across-virtuals``/``-services`` is enabled) and name
the member by its address and port, as BIG-IP's persistence records do.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence

from tcommlint.durations import f5_seconds
from tcommlint.loaders.f5.irules import Command, Guard, literal, scan_commands
from tcommlint.pipeline.model import (
    ALWAYS,
    Answer,
    Condition,
    HeaderEdit,
    Inert,
    LbCookie,
    Opaque,
    Persistence,
    PersistRule,
    Sample,
    SetPath,
    Step,
    StickRule,
    Table,
    Term,
    Test,
    UsePool,
)
from tcommlint.pipeline.regex import bounded
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

NO_CUT = 1 << 16  # BIG-IP does not cut persistence keys; the simulator's default would
UNIVERSAL_TIMEOUT = 180  # built-in /Common/universal, hash and source_addr: timeout 180
MAX_BRANCHES = 16  # a condition with more alternatives is left to the simulation's "env"
UNKNOWN_POOL_COOKIE = "BIGipServer<pool>"
MAX_DEPTH = 32  # nesting of conditions and string functions read; deeper is "env"

REQUEST_EVENTS = ("CLIENT_ACCEPTED", "HTTP_REQUEST")
RESPONSE_EVENTS = ("HTTP_RESPONSE",)
QUIET_EVENTS = frozenset({"RULE_INIT", "CLIENT_CLOSED", "SERVER_CLOSED", "HTTP_RESPONSE_RELEASE"})
NOTED_EVENTS = frozenset({"LB_FAILED"})
HTTP_EVENT_PREFIXES = ("HTTP_",)

# Commands that may touch the cookies, the path, the pool or persistence.
IRULE_COMMANDS = frozenset(
    {
        "pool",
        "use",
        "persist",
        "node",
        "member",
        "virtual",
        "forward",
        "session",
        "reject",
        "drop",
        "discard",
        "LB::reselect",
        "LB::detach",
        "HTTP::cookie",
        "HTTP::header",
        "HTTP::uri",
        "HTTP::path",
        "HTTP::redirect",
        "HTTP::respond",
        "HTTP::retry",
        "HTTP::disable",
    }
)
_POOL_OUTSIDE = {
    "node": "sends the request to a node chosen by the iRule",
    "member": "sends the request to a pool member chosen by the iRule",
    "virtual": "hands the request to another virtual server",
    "forward": "forwards the request without load balancing",
    "session": "keeps its own session records (session add/lookup)",
    "LB::reselect": "makes BIG-IP choose the server again",
    "LB::detach": "detaches the server connection, so the next request is balanced again",
    "HTTP::retry": "resends the request to a server",
    "HTTP::disable": "turns HTTP processing (and with it cookie persistence) off",
}
_COOKIE_ATTRIBUTES = frozenset(
    {
        "path",
        "domain",
        "expires",
        "maxage",
        "secure",
        "httponly",
        "version",
        "comment",
        "commenturl",
        "port",
        "attribute",
        "samesite",
    }
)
_COOKIE_GETTERS = frozenset({"exists", "names", "count"})
_HEADER_EDITS = frozenset({"remove", "replace", "insert", "sanitize", "insert_modssl_fields"})
_OPERATORS = {
    "starts_with": ("prefix", False),
    "ends_with": ("suffix", False),
    "contains": ("substring", False),
    "equals": ("exact", False),
    "eq": ("exact", False),
    "==": ("exact", False),
    "ne": ("exact", True),
    "!=": ("exact", True),
    "matches_regex": ("regex", False),
    "matches_glob": ("glob", False),
}


def bigip_cookie_name(pool: str) -> str:
    """``BIGipServer<pool>``: the bare name in /Common, ``~Partition~pool`` elsewhere [K6917]."""
    if pool.startswith("/Common/") and pool.count("/") == 2:
        return f"BIGipServer{pool.rsplit('/', 1)[-1]}"
    return "BIGipServer" + pool.replace("/", "~")


# --- conditions from Tcl expressions ----------------------------------------------------------

Branches = list[list[Term]]


def env_term(text: str, negate: bool = False) -> Term:
    """A test the simulation cannot decide: every value is tried."""
    return Term((Test("env", "found", text=" ".join(text.split())),), negate)


def _and(left: Branches, right: Branches) -> Branches | None:
    product = [a + b for a in left for b in right]
    return product if len(product) <= MAX_BRANCHES else None


def _negated(branches: Branches) -> Branches | None:
    """NOT (OR of ANDs), as an OR of ANDs (De Morgan, then distribution)."""
    result: Branches = [[]]
    for branch in branches:
        if not branch:
            return []  # NOT true
        alternatives = [[term._replace(negate=not term.negate)] for term in branch]
        found = _and(result, alternatives)
        if found is None:
            return None
        result = found
    return result


def condition_of(guards: Sequence[Guard], response: bool) -> Condition:
    """The condition under which a command inside ``guards`` runs."""
    branches: Branches | None = [[]]
    texts = []
    for guard in guards:
        part = _guard_branches(guard, response)
        branches = _and(branches, part) if branches is not None and part is not None else None
        texts.append(_guard_text(guard))
    text = " and ".join(texts)
    if branches is None:
        return Condition(((env_term(text),),), text=f"if {text}")
    if branches == [[]]:
        return ALWAYS
    return Condition(tuple(tuple(branch) for branch in branches), text=f"if {text}")


def _guard_text(guard: Guard) -> str:
    if guard.kind == "if":
        return guard.text
    if guard.kind == "not":
        return f"not ({guard.text})"
    if guard.kind == "switch":
        verb = "matches none of" if guard.negate else "matches"
        return f"{guard.text} {verb} {' '.join(guard.patterns)}"
    return f"({guard.text})"


def _guard_branches(guard: Guard, response: bool) -> Branches | None:
    if guard.kind == "if":
        return expression_branches(guard.text, response)
    if guard.kind == "not":
        branches = expression_branches(guard.text, response)
        return _negated(branches) if branches is not None else None
    if guard.kind == "switch":
        return [[_switch_term(guard, response)]]
    return [[env_term(guard.text)]]


def _switch_term(guard: Guard, response: bool) -> Term:
    subject = _subject(guard.text, response)
    if subject is None or not guard.patterns:
        return env_term(_guard_text(guard._replace(negate=False)), guard.negate)
    kind, name, case_sensitive = subject
    glob = "-glob" in guard.options
    regex = "-regexp" in guard.options
    tests = []
    for pattern in guard.patterns:
        if regex:
            op, value = "regex", pattern
        elif glob:
            op, value = _glob(pattern)
        else:
            op, value = "exact", pattern
        tests.append(_test(kind, op, name, value, case_sensitive, f"{guard.text} {pattern}"))
    return Term(tuple(tests), guard.negate)


def _glob(pattern: str) -> tuple[str, str]:
    body = pattern[:-1] if pattern.endswith("*") else pattern
    if not any(char in body for char in "*?[\\"):
        return ("prefix", body) if pattern.endswith("*") else ("exact", pattern)
    return "regex", fnmatch.translate(pattern)


def _test(kind: str, op: str, name: str, value: str, case_sensitive: bool, text: str) -> Test:
    if op == "regex" and not bounded(value):
        return Test("env", "found", text=text)  # a regex not run: its result is unknown
    if not case_sensitive and value != value.lower() and op != "regex":
        return Test(kind, "never", name, (value,), False, f"{text} (never: compared lower case)")
    return Test(kind, op, name, (value,), case_sensitive, text)


def _split_top(text: str, symbol: str, word: str) -> list[str]:
    """``text`` split on ``symbol`` or `` word `` outside brackets, braces and quotes."""
    parts = []
    depth = 0
    quoted = False
    start = 0
    index = 0
    spaced = f" {word} "
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        elif depth == 0 and not quoted:
            for token in (symbol, spaced):
                if text.startswith(token, index):
                    parts.append(text[start:index])
                    index += len(token)
                    start = index
                    break
            else:
                index += 1
                continue
            continue
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    """The index of the bracket closing the one at ``start`` (-1 when none)."""
    depth = 0
    quoted = False
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"' and opening != '"':
            quoted = not quoted
        elif not quoted and char == opening:
            depth += 1
        elif not quoted and char == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _strip_parentheses(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and _closing(text, 0, "(", ")") == len(text) - 1:
        text = text[1:-1].strip()
    return text


def expression_branches(text: str, response: bool, depth: int = 0) -> Branches | None:
    """A Tcl ``if`` condition as an OR of ANDs of terms (None: too many alternatives)."""
    text = _strip_parentheses(text)
    if depth > MAX_DEPTH:
        return [[env_term(text)]]
    depth += 1
    alternatives = _split_top(text, "||", "or")
    if len(alternatives) > 1:
        result: Branches = []
        for alternative in alternatives:
            found = expression_branches(alternative, response, depth)
            if found is None:
                return None
            result.extend(found)
        return result if len(result) <= MAX_BRANCHES else None
    conjuncts = _split_top(text, "&&", "and")
    if len(conjuncts) > 1:
        product: Branches | None = [[]]
        for conjunct in conjuncts:
            found = expression_branches(conjunct, response, depth)
            if found is None or product is None:
                return None
            product = _and(product, found)
        return product
    if text.startswith("!") and not text.startswith("!="):
        inner = expression_branches(text[1:], response, depth)
        return _negated(inner) if inner is not None else None
    if text.startswith("not ") or text.startswith("not("):
        inner = expression_branches(text[3:], response, depth)
        return _negated(inner) if inner is not None else None
    return [[_atom(text, response)]]


_EXISTS = re.compile(r'^\[\s*HTTP::(cookie|header)\s+exists\s+("?)([^\s"\]]+)\2\s*\]$')


def _atom(text: str, response: bool) -> Term:
    """One comparison of a Tcl condition; what cannot be read becomes an "env" test."""
    found = _EXISTS.match(text)
    if found:
        kind = ("res-" if response else "") + found.group(1)
        return Term((Test(kind, "found", found.group(3), text=text),))
    if not text.startswith("["):
        return env_term(text)
    close = _closing(text, 0, "[", "]")
    if close < 0:
        return env_term(text)
    subject = _subject(text[: close + 1], response)
    rest = text[close + 1 :].split(None, 1)
    if subject is None or len(rest) != 2 or rest[0] not in _OPERATORS:
        return env_term(text)
    value = literal(rest[1].strip())
    if value is None:
        return env_term(text)
    op, negate = _OPERATORS[rest[0]]
    kind, name, case_sensitive = subject
    if op == "glob":
        op, value = _glob(value)
    return Term((_test(kind, op, name, value, case_sensitive, text),), negate)


_SUBJECTS = {"HTTP::path": "path", "HTTP::uri": "url", "HTTP::method": "method"}


def _subject(text: str, response: bool, depth: int = 0) -> tuple[str, str, bool] | None:
    """``[HTTP::path]``, ``[string tolower [HTTP::uri]]``, ``[HTTP::cookie X]`` … as
    (test subject, name, case sensitive); None for anything else."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")) or depth > MAX_DEPTH:
        return None
    words = text[1:-1].split(None, 2)
    if not words:
        return None
    if words[:2] == ["string", "tolower"] and len(words) == 3:
        inner = _subject(words[2], response, depth + 1)
        return (inner[0], inner[1], False) if inner is not None else None
    command = words[0]
    if command in _SUBJECTS and len(words) == 1:
        return _SUBJECTS[command], "", True
    if command == "HTTP::status" and len(words) == 1 and response:
        return "status", "", True
    if command in ("HTTP::cookie", "HTTP::header"):
        args = text[1:-1].split()[1:]
        if args[:1] == ["value"]:
            args = args[1:]
        name = literal(args[0]) if len(args) == 1 else None
        if name is None:
            return None
        kind = "cookie" if command == "HTTP::cookie" else "header"
        return ("res-" if response else "") + kind, name, True
    return None


# --- samples from Tcl words -------------------------------------------------------------------


def key_sample(word: str, response: bool, depth: int = 0) -> Sample | None:
    """What a ``persist uie <key>`` key reads, or None when it is outside the model."""
    text = " ".join(word.split())
    if depth > MAX_DEPTH:
        return None
    value = literal(word)
    if value is not None:
        return Sample("const", value, (), text)
    if word.startswith('"') or not (word.startswith("[") and word.endswith("]")):
        return None
    inner = word[1:-1].split(None, 2)
    if inner[:2] == ["string", "tolower"] and len(inner) == 3:
        base = key_sample(inner[2], response, depth + 1)
        if base is None:
            return None
        return base._replace(converters=(*base.converters, ("lower", ())), text=text)
    if inner and inner[0] in ("IP::client_addr", "IP::remote_addr") and len(inner) == 1:
        return Sample("src", "", (), text)
    subject = _subject(word, response)
    if subject is None:
        return None
    kind, name, _ = subject
    fetches = {
        "cookie": "req.cook",
        "res-cookie": "res.cook",
        "header": "req.hdr",
        "res-header": "res.hdr",
        "path": "path",
        "url": "url",
        "method": "method",
    }
    fetch = fetches.get(kind)
    return Sample(fetch, name, (), text) if fetch is not None else None


# --- persistence --------------------------------------------------------------------------------


class CookieSettings(NamedTuple):
    """Effective settings of one cookie persistence (a profile with its parents, a Persist)."""

    method: Located[str]
    name: Located[str]  # "" or "none": BIG-IP's BIGipServer<pool>
    span: Span
    secure: Located[bool]
    httponly: Located[bool]
    expiration: Located[int | None]  # seconds; None or 0: a session cookie
    timeout: Located[int | None]  # the record lifetime of method hash (None: indefinite)
    hash_offset: int = 0
    hash_length: int = 0
    shared: str = ""  # table name when records are shared across virtuals


class PersistenceBuilder:
    """Collects what keeps a client on a server for one virtual, in lookup order."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.cookie: LbCookie | None = None
        self.stick_rules: list[StickRule] = []
        self.persist_rules: list[PersistRule] = []
        self.tables: dict[str, Table] = {}
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self.inert: list[Inert] = []

    def table(
        self,
        kind: str,
        span: Span,
        expire: Located[int | None],
        shared: str = "",
        key_type: str = "string",
    ) -> str:
        """The name of the virtual's table for ``kind`` (created on first use)."""
        name = f"{shared} {kind}" if shared else f"{self.service} {kind}"
        if name not in self.tables:
            length = NO_CUT if key_type == "string" else None
            table = Table(name, span, key_type, length, None, expire, server_key="addr")
            self.tables[name] = table
        return name

    def add_cookie(self, cookie: LbCookie) -> None:
        """BIG-IP's own cookie (one per virtual: a second one is only noted)."""
        if self.cookie is None:
            self.cookie = cookie
        else:
            self.notes.append(
                f"a second cookie persistence ({cookie.name.value}, {cookie.span}) is not "
                f"modelled: {self.cookie.name.value} is the virtual's cookie"
            )

    def cookie_settings(self, settings: CookieSettings, pool: str | None, https: bool) -> None:
        """A cookie persistence profile or Persist object."""
        method = settings.method.value
        if method == "hash":
            text = f"cookie persistence method hash on cookie {settings.name.value}"
            self.cookie_hash(
                settings.name,
                settings.span,
                text,
                settings.timeout,
                settings.hash_offset,
                settings.hash_length,
                settings.shared,
            )
            return
        if method not in ("insert", "rewrite", "passive"):
            self.opaque(f"cookie persistence method {method}", settings.span, method)
            return
        self.add_cookie(lb_cookie(settings, pool, https))

    def cookie_hash(
        self,
        name: Located[str],
        span: Span,
        text: str,
        expire: Located[int | None],
        offset: int = 0,
        length: int = 0,
        shared: str = "",
    ) -> None:
        """``method hash``: records keyed by the application cookie's value, created from
        the server's Set-Cookie and looked up with the request's cookie."""
        table = self.table("cookie-hash", span, expire, shared)
        converters: tuple[tuple[str, tuple[str, ...]], ...] = ()
        if length:
            converters = (("bytes", (str(offset), str(length))),)
        elif offset:
            converters = (("bytes", (str(offset),)),)
        cookie = name.value
        request = Sample("req.cook", cookie, converters, f"cookie {cookie}")
        response = Sample("res.cook", cookie, converters, f"Set-Cookie {cookie}")
        self.stick_rules.append(StickRule("match", request, table, span, text, name.span))
        self.stick_rules.append(StickRule("store-response", response, table, span, text, name.span))

    def source(
        self, span: Span, text: str, expire: Located[int | None], key_span: Span, shared: str = ""
    ) -> None:
        """``source_addr``: records keyed by the client address."""
        table = self.table("source-addr", span, expire, shared, "ip")
        sample = Sample("src", "", (), "client address")
        self.stick_rules.append(StickRule("on", sample, table, span, text, key_span))

    def destination(
        self,
        span: Span,
        text: str,
        address: str,
        expire: Located[int | None],
        key_span: Span,
        shared: str = "",
    ) -> None:
        """``dest_addr``: records keyed by the virtual address, the same for every client."""
        table = self.table("dest-addr", span, expire, shared)
        sample = Sample("const", address or "virtual address", (), "virtual address")
        self.stick_rules.append(StickRule("on", sample, table, span, text, key_span))

    def opaque(self, reason: str, span: Span, text: str, when: Condition = ALWAYS) -> None:
        """Persistence outside the model: a request that meets it is not evaluable."""
        self.steps.append(Opaque(reason, span, text, when))

    def name_cookie_after(self, pool: str) -> None:
        """A virtual without a default pool: BIG-IP's default cookie name follows the pool
        a request is sent to; the model names it after ``pool`` (the first route's)."""
        cookie = self.cookie
        if cookie is not None and cookie.name.value == UNKNOWN_POOL_COOKIE:
            generated = bigip_cookie_name(pool)
            note = f"no cookie name: BIG-IP names the cookie after the pool, here {generated}"
            name = Located(generated, cookie.name.span, True, note)
            self.cookie = cookie._replace(name=name)

    def persistence(self) -> Persistence:
        """The persistence record of the virtual."""
        return Persistence(
            (), tuple(self.persist_rules), self.cookie, tuple(self.stick_rules), tuple(self.inert)
        )


def lb_cookie(settings: CookieSettings, pool: str | None, https: bool) -> LbCookie:
    """BIG-IP's cookie for ``insert``, ``rewrite`` or ``passive`` [TMSH-cookie], [K6917].

    ``cookie-name none`` (or AS3's empty ``cookieName``) names it ``BIGipServer<pool>``
    after the virtual's pool; ``secure``/``httponly`` apply to ``insert`` only, and the
    Secure attribute only on a virtual with a client SSL profile (UNVERIFIED against a
    device; with it on a plain HTTP virtual no browser would ever return the cookie);
    ``expiration`` 0 is a session cookie, else the cookie's lifetime in the browser. The
    cookie path is ``/``.
    """
    name = settings.name
    if name.value in ("", "none"):
        generated = bigip_cookie_name(pool) if pool else UNKNOWN_POOL_COOKIE
        name = Located(
            generated,
            name.span,
            True,
            f"no cookie name: BIG-IP names the cookie {generated} after the pool",
        )
    method = settings.method.value
    secure: Located[bool] | None = None
    httponly: Located[bool] | None = None
    max_age: Located[int] | None = None
    if method == "insert":
        secure = settings.secure
        if secure.value and not https:
            note = (
                "secure is enabled, but BIG-IP adds the Secure attribute only on a virtual "
                "with a client SSL profile"
            )
            secure = Located(False, secure.span, secure.inherited, note)
        httponly = settings.httponly
        expiration = settings.expiration
        if expiration.value:
            max_age = Located(
                expiration.value, expiration.span, expiration.inherited, expiration.note
            )
    path = Located("/", settings.span, True, "BIG-IP's cookie has the path /")
    return LbCookie(
        name=name,
        mode=settings.method,
        span=settings.span,
        path=path,
        encoded=True,
        secure=secure,
        httponly=httponly,
        max_age=max_age,
    )


# --- iRules -------------------------------------------------------------------------------------


class IRuleSource(NamedTuple):
    """One iRule's commands, and what the compiler needs to place them."""

    name: str
    path: str
    commands: tuple[Command, ...]


def irule_commands(text: str, line: int, column: int) -> tuple[Command, ...]:
    """The commands of an iRule script that may touch cookies, the path, the pool or
    persistence."""
    return scan_commands(text, IRULE_COMMANDS, line, column)


Order = tuple[int, int, int, int]  # (phase, event priority, rule number, command number)


class IRuleCompiler:
    """The iRules of one virtual, compiled into its routes, steps and persistence.

    Order: a virtual's LTM policies act on a request before its iRules' ``HTTP_REQUEST``
    runs (F5's description of policy evaluation; not in DOMAIN.md, UNVERIFIED against a
    device), so a ``pool`` command executed by an iRule wins over a policy's ``forward select
    pool``. Within and across iRules the events run by ``priority`` (default 500), then in
    the order the virtual lists the rules, and the last ``pool`` executed is the one used
    ("iRules 101 #05": a selected pool replaces the default pool). Routes are therefore
    listed last-executed first, before the policy's routes; ``CLIENT_ACCEPTED`` runs before
    both. A pool an iRule selects stays in effect on a keep-alive connection for later
    requests the iRule does not route; requests are simulated one by one (not modelled).
    """

    def __init__(
        self,
        service: str,
        http: bool,
        https: bool,
        builder: PersistenceBuilder,
        resolve_pool: Callable[[str], str],
        default_pool: str | None = None,
        universal: tuple[Span, Located[int | None]] | None = None,
        universal_shared: str = "",
    ) -> None:
        self.service = service
        self.http = http
        self.https = https
        self.builder = builder
        self.resolve_pool = resolve_pool
        self.default_pool = default_pool
        self.universal = universal
        self.universal_shared = universal_shared
        self.request: list[tuple[Order, Step]] = []
        self.response: list[tuple[Order, Step]] = []
        self.routes: list[tuple[Order, UsePool]] = []
        self.early_routes: list[tuple[Order, UsePool]] = []
        self.notes: list[str] = []
        self._rules = 0

    # -- results

    def late_routes(self) -> list[UsePool]:
        """Routes of ``HTTP_REQUEST``, last executed first."""
        return [route for _, route in sorted(self.routes, key=_first, reverse=True)]

    def first_routes(self) -> list[UsePool]:
        """Routes of ``CLIENT_ACCEPTED``, last executed first."""
        return [route for _, route in sorted(self.early_routes, key=_first, reverse=True)]

    def request_steps(self) -> list[Step]:
        """Request steps in execution order."""
        return [step for _, step in sorted(self.request, key=_first)]

    def response_steps(self) -> list[Step]:
        """Response steps in execution order."""
        return [step for _, step in sorted(self.response, key=_first)]

    def universal_table(self, span: Span) -> tuple[Span, Located[int | None]]:
        """Where the universal records are declared and how long they last."""
        if self.universal is not None:
            return self.universal
        note = "built-in /Common/universal timeout 180"
        return span, Located(UNIVERSAL_TIMEOUT, span, True, note)

    # -- compiling

    def add_rule(self, rule: IRuleSource) -> None:
        """Compile one iRule (in the order the virtual lists them)."""
        number = self._rules
        self._rules += 1
        skipped: set[str] = set()
        for order, command in enumerate(rule.commands):
            event = command.event
            phase = 0 if event == "CLIENT_ACCEPTED" else 1
            if event in QUIET_EVENTS:
                continue
            if event in NOTED_EVENTS:
                skipped.add(event)
                continue
            if event.startswith(HTTP_EVENT_PREFIXES) and not self.http:
                skipped.add(event)
            key = (phase, command.priority, number, order)
            _CommandCompiler(self, rule, command, key).compile()
        for event in sorted(skipped):
            if event in NOTED_EVENTS:
                self.notes.append(
                    f"iRule {rule.name}: {event} runs only when no pool member can take a "
                    "request; its commands are not simulated"
                )
            else:
                self.notes.append(
                    f"iRule {rule.name}: {event} never runs, the virtual has no HTTP profile"
                )


def _first(pair: tuple[Order, object]) -> Order:
    return pair[0]


class _CommandCompiler:
    """One iRule command → route, step or persistence."""

    def __init__(
        self,
        owner: IRuleCompiler,
        rule: IRuleSource,
        command: Command,
        key: Order,
    ) -> None:
        self.owner = owner
        self.rule = rule
        self.command = command
        self.key = key
        self.event = command.event
        self.response = command.event in RESPONSE_EVENTS
        self.request = command.event in REQUEST_EVENTS
        self.span = self.at(0)
        self.text = command.text
        self.when = condition_of(command.guards, self.response)

    def at(self, index: int) -> Span:
        line, column = self.command.positions[min(index, len(self.command.positions) - 1)]
        return Span(self.rule.path, line, column)

    def word(self, index: int) -> str:
        words = self.command.words
        return words[index] if index < len(words) else ""

    def literal(self, index: int) -> str | None:
        return literal(self.word(index)) if index < len(self.command.words) else None

    # -- emitting

    def step(self, step: Step) -> None:
        target = self.owner.response if self.response else self.owner.request
        target.append((self.key, step))

    def opaque(self, reason: str) -> None:
        step = Opaque(f"iRule {self.rule.name}: {reason}", self.span, self.text, self.when)
        self.owner.request.append((self.key, step))

    def compile(self) -> None:
        name = self.command.name
        if not (self.request or self.response):
            self.opaque(f"'{name}' in {self.event} is outside the model")
            return
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self)
        elif name in _POOL_OUTSIDE:
            self.opaque(f"'{name}' {_POOL_OUTSIDE[name]}")

    # -- handlers

    def pool(self) -> None:
        words = self.command.words
        if self.command.name == "use":
            if self.word(1) != "pool":
                return
            words = words[1:]
        name = literal(words[1]) if len(words) > 1 else None
        if self.response or len(words) != 2 or not name or " " in name:
            what = "a pool member" if "member" in words else "a pool named at run time"
            self.opaque(f"'{self.text}' selects {what}")
            return
        if self.owner.http is False and self.event != "CLIENT_ACCEPTED":
            return
        route = UsePool(self.owner.resolve_pool(name), self.span, self.text, self.when, "irule")
        target = self.owner.early_routes if self.event == "CLIENT_ACCEPTED" else self.owner.routes
        target.append((self.key, route))

    def answer(self) -> None:
        name = self.command.name
        if self.response:
            self.opaque(f"'{name}' replaces the server's response")
            return
        if name == "HTTP::redirect":
            self.step(Answer("redirect", 302, self.span, self.text, self.when))
        elif name == "HTTP::respond":
            code = self.literal(1)
            status = int(code) if code is not None and code.isdigit() else 200
            self.step(Answer("return", status, self.span, self.text, self.when))
        else:
            self.step(Answer(name, 0, self.span, self.text, self.when))

    def set_path(self) -> None:
        words = self.command.words
        if self.response or len(words) != 2 or words[1].startswith("-"):
            return  # a getter, or the request's URI read in the response
        value = literal(words[1])
        if value is None:
            self.step(SetPath(words[1], self.span, self.text, dynamic=True, when=self.when))
            return
        path = value.split("?", 1)[0] if self.command.name == "HTTP::uri" else value
        self.step(SetPath(path, self.span, self.text, when=self.when))

    def header(self) -> None:
        words = self.command.words
        action = self.word(1)
        if action not in _HEADER_EDITS:
            return
        args = list(words[2:])
        if action == "insert" and args[:1] == ["lws"]:
            args = args[1:]
        if action == "sanitize":
            self.opaque("'HTTP::header sanitize' removes every header it does not list")
            return
        if action == "insert_modssl_fields" or not args:
            return
        name = literal(args[0])
        if name is None:
            self.opaque(f"'{self.text}' edits a header named at run time")
            return
        header = name.lower()
        if header not in ("cookie", "set-cookie"):
            return
        if action == "remove":
            self.step(HeaderEdit("del", header, self.span, self.text, when=self.when))
            return
        raw = args[1] if len(args) > 1 else '""'
        value = literal(raw)
        edit = "set" if action == "replace" else "add"
        self.step(
            HeaderEdit(
                edit,
                header,
                self.span,
                self.text,
                value=raw if value is None else value,
                dynamic=value is None,
                when=self.when,
            )
        )

    def cookie(self) -> None:
        words = self.command.words
        sub = self.word(1)
        if sub in _COOKIE_GETTERS or len(words) <= 2:
            return
        if sub == "value" and len(words) == 3:
            return
        if sub == "remove":
            self.cookie_remove(self.literal(2))
        elif sub == "insert":
            self.cookie_insert(words[2:])
        elif sub in ("value", "replace") or (sub not in _COOKIE_ATTRIBUTES and len(words) == 3):
            args = words[2:] if sub in ("value", "replace") else words[1:]
            if len(args) >= 2:
                self.cookie_set(literal(args[0]), args[1])
        elif sub in _COOKIE_ATTRIBUTES and len(words) >= 4:
            self.opaque(f"'{self.text}' changes a cookie attribute")
        elif sub in ("encrypt", "decrypt", "sanitize"):
            self.opaque(f"'{self.text}' changes cookie values")

    def cookie_remove(self, name: str | None) -> None:
        if name is None:
            self.opaque(f"'{self.text}' removes a cookie named at run time")
            return
        header, pattern, value = cookie_removal(name, self.response)
        self.step(
            HeaderEdit(
                "replace-header", header, self.span, self.text, value, pattern, when=self.when
            )
        )

    def cookie_insert(self, args: Sequence[str]) -> None:
        values: dict[str, str] = {}
        for index in range(0, len(args) - 1, 2):
            values[args[index]] = args[index + 1]
        name = literal(values.get("name", ""))
        value = literal(values.get("value", '""'))
        if not name:
            self.opaque(f"'{self.text}' inserts a cookie named at run time")
            return
        header = "set-cookie" if self.response else "cookie"
        if value is None:
            self.step(
                HeaderEdit(
                    "add", header, self.span, self.text, f"{name}=…", dynamic=True, when=self.when
                )
            )
            return
        cookie = f"{name}={value}"
        path = literal(values.get("path", "")) if "path" in values else None
        if self.response and path:
            cookie += f"; path={path}"
        self.step(HeaderEdit("add", header, self.span, self.text, cookie, when=self.when))

    def cookie_set(self, name: str | None, raw: str) -> None:
        value = literal(raw)
        if name is None or value is None:
            self.opaque(f"'{self.text}' sets a cookie value computed at run time")
            return
        escaped = re.escape(name)
        if self.response:
            pattern = rf"(\s*{escaped}=)[^;]*(.*)"
        else:
            pattern = rf"((?:[^;]*;)*?\s*{escaped}=)[^;]*(.*)"
        replacement = r"\1" + value.replace("\\", "\\\\") + r"\2"
        header = "set-cookie" if self.response else "cookie"
        self.step(
            HeaderEdit(
                "replace-header",
                header,
                self.span,
                self.text,
                replacement,
                pattern,
                when=self.when,
            )
        )

    # -- persist

    def persist(self) -> None:
        words = self.command.words
        method = self.word(1)
        if _has_env(self.when):
            # the simulation tries "env" tests of routes and steps, not of a virtual's
            # persistence records: a persist command under one is not evaluable
            self.opaque(f"'{self.text}' runs under a condition the simulation cannot decide")
            return
        if method == "none":
            if not self.response:
                rule = PersistRule("ignore", self.span, self.text, self.when)
                self.owner.builder.persist_rules.append(rule)
            return
        if method in ("uie", "add"):
            self.universal(words)
        elif method == "cookie":
            self.cookie_persist(words)
        elif method in ("source_addr", "dest_addr"):
            self.address(method, words)
        elif method == "lookup":
            return
        else:
            self.opaque(f"'{self.text}' is outside the model")

    def universal(self, words: Sequence[str]) -> None:
        add = words[1] == "add"
        args = list(words[3:] if add else words[2:])
        if add and self.word(2) != "uie":
            self.opaque(f"'{self.text}' is outside the model")
            return
        if not args:
            return
        key_index = 3 if add else 2
        sample = key_sample(args[0], self.response)
        if sample is None:
            self.opaque(f"'{self.text}': the key {args[0]} is outside the model")
            return
        builder = self.owner.builder
        span, expire = self.owner.universal_table(self.span)
        timeout = literal(args[1]) if len(args) > 1 else None
        if timeout is not None and timeout.isdigit():
            expire = Located(int(timeout) or None, self.at(key_index + 1))
        table = builder.table("universal", span, expire, self.owner.universal_shared)
        action = "store-response" if self.response else "store-request" if add else "on"
        when = _without_key_guard(self.when, sample)
        rule = StickRule(action, sample, table, self.span, self.text, self.at(key_index), when)
        builder.stick_rules.append(rule)

    def cookie_persist(self, words: Sequence[str]) -> None:
        mode = self.word(2)
        builder = self.owner.builder
        if mode == "hash":
            name = self.literal(3)
            if not name:
                self.opaque(f"'{self.text}': the cookie is named at run time")
                return
            numbers = [literal(w) for w in words[4:]]
            digits = [int(n) for n in numbers if n is not None and n.isdigit()]
            offset, length = (digits[0], digits[1]) if len(digits) >= 2 else (0, 0)
            seconds = digits[2] if len(digits) >= 3 else digits[0] if len(digits) == 1 else None
            expire: Located[int | None] = (
                Located(seconds or None, self.span)
                if seconds is not None
                else Located(
                    UNIVERSAL_TIMEOUT, self.span, True, "persist cookie hash default timeout"
                )
            )
            located = Located(name, self.at(3))
            builder.cookie_hash(located, self.span, self.text, expire, offset, length)
            return
        if (
            self.response
            or not self.when.always
            or mode not in ("", "insert", "rewrite", "passive")
        ):
            self.opaque(f"'{self.text}' is outside the model")
            return
        if builder.cookie is not None and mode == "":
            return  # the virtual's cookie persistence, already there
        name = self.literal(3) if mode else None
        expiration = self.literal(4) if mode in ("insert", "rewrite") else None
        seconds = (f5_seconds(expiration) if expiration is not None else None) or 0
        default = "built-in /Common/cookie default"
        settings = CookieSettings(
            method=Located(mode or "insert", self.at(2 if mode else 0), not mode, default),
            name=Located(name or "", self.at(3) if name else self.span),
            span=self.span,
            secure=Located(True, self.span, True, default),
            httponly=Located(True, self.span, True, default),
            expiration=Located(seconds or None, self.at(4) if seconds else self.span, not seconds),
            timeout=Located(None, self.span, True),
        )
        builder.add_cookie(lb_cookie(settings, self.owner.default_pool, self.owner.https))

    def address(self, method: str, words: Sequence[str]) -> None:
        numbers = [literal(w) for w in words[2:]]
        timeout = next((n for n in reversed(numbers) if n is not None and n.isdigit()), None)
        expire: Located[int | None] = (
            Located(int(timeout) or None, self.span)
            if timeout is not None
            else Located(UNIVERSAL_TIMEOUT, self.span, True, f"built-in {method} timeout 180")
        )
        builder = self.owner.builder
        if method == "source_addr":
            builder.source(self.span, self.text, expire, self.span)
        else:
            builder.destination(self.span, self.text, "", expire, self.span)


_HANDLERS: dict[str, Callable[[_CommandCompiler], None]] = {
    "pool": _CommandCompiler.pool,
    "use": _CommandCompiler.pool,
    "persist": _CommandCompiler.persist,
    "reject": _CommandCompiler.answer,
    "drop": _CommandCompiler.answer,
    "discard": _CommandCompiler.answer,
    "HTTP::redirect": _CommandCompiler.answer,
    "HTTP::respond": _CommandCompiler.answer,
    "HTTP::uri": _CommandCompiler.set_path,
    "HTTP::path": _CommandCompiler.set_path,
    "HTTP::header": _CommandCompiler.header,
    "HTTP::cookie": _CommandCompiler.cookie,
}


def _has_env(condition: Condition) -> bool:
    return any(
        test.subject == "env"
        for branch in condition.branches
        for term in branch
        for test in term.tests
    )


def _without_key_guard(condition: Condition, sample: Sample) -> Condition:
    """``if { [HTTP::cookie exists X] } { persist uie [HTTP::cookie X] }``: the guard only
    says the key is there, which the stick rule checks itself."""
    kinds = {"req.cook": "cookie", "res.cook": "res-cookie", "req.hdr": "header"}
    kinds["res.hdr"] = "res-header"
    subject = kinds.get(sample.fetch)
    if subject is None or sample.converters or condition.always:
        return condition

    def redundant(term: Term) -> bool:
        return (
            not term.negate
            and len(term.tests) == 1
            and term.tests[0].subject == subject
            and term.tests[0].op == "found"
            and term.tests[0].name == sample.arg
        )

    branches = tuple(tuple(t for t in branch if not redundant(t)) for branch in condition.branches)
    if any(not branch for branch in branches):
        return ALWAYS
    return condition._replace(branches=branches)


# --- LTM policies and AS3 endpoint policies ---------------------------------------------------


class PolicyStep(NamedTuple):
    """A policy action other than forwarding, before its rule's condition is known."""

    make: Callable[[Condition], Step]
    response: bool = False


def edit_step(
    action: str,
    header: str,
    span: Span,
    text: str,
    value: str = "",
    pattern: str = "",
    dynamic: bool = False,
    response: bool = False,
) -> PolicyStep:
    """A policy's header or cookie edit."""

    def make(when: Condition) -> Step:
        return HeaderEdit(action, header, span, text, value, pattern, dynamic, when)

    return PolicyStep(make, response)


def opaque_step(reason: str, span: Span, text: str) -> PolicyStep:
    """A policy action outside the model."""

    def make(when: Condition) -> Step:
        return Opaque(reason, span, text, when)

    return PolicyStep(make)


def cookie_removal(name: str, response: bool) -> tuple[str, str, str]:
    """(header, pattern, replacement) of a ``replace-header`` edit removing one cookie: from
    the request's Cookie header, or the response's Set-Cookie of that name."""
    escaped = re.escape(name)
    if response:
        return "set-cookie", rf"\s*{escaped}=.*", ""
    return "cookie", rf"((?:[^;]*;)*?)\s*{escaped}=[^;]*;?(.*)", r"\1\2"


class PolicyRule(NamedTuple):
    """One policy rule, read by the vendor loader: its conditions (an AND of terms) and
    actions (the pools it forwards to, its other steps)."""

    name: str
    span: Span
    text: str
    terms: tuple[Term, ...]
    pools: tuple[tuple[str, Span], ...]
    steps: tuple[PolicyStep, ...]


class CompiledPolicy(NamedTuple):
    """Routes and steps of one policy, and what could not be followed."""

    routes: tuple[UsePool, ...]
    request_steps: tuple[Step, ...]
    response_steps: tuple[Step, ...]
    notes: tuple[str, ...]


def compile_policy(
    name: str, strategy: str, rules: Sequence[PolicyRule], via: str
) -> CompiledPolicy:
    """The rules in the order ``strategy`` applies them [TMSH-policy-strategy].

    ``first-match``: the first rule whose conditions hold is the only one applied, so each
    rule also requires that no earlier rule matched. ``best-match`` (AS3's default): the
    rule matching the most conditions wins; rules are taken by number of conditions, then
    in order, as first-match (the precedence among operands is not modelled, noted).
    ``all-match``: every matching rule applies; of several ``forward`` actions the last
    one wins.
    """
    notes: list[str] = []
    ordered = list(rules)
    if strategy == "best-match":
        ordered.sort(key=lambda rule: -len(rule.terms))
        notes.append(
            f"policy {name} uses best-match: rules are taken by number of conditions, then "
            "in order (the precedence of operands is not modelled)"
        )
    elif strategy not in ("first-match", "all-match"):
        notes.append(f"policy {name} uses strategy {strategy}: rules are taken in order")
    routes: list[UsePool] = []
    request: list[Step] = []
    response: list[Step] = []
    earlier: Branches | None = [[]]  # no earlier rule matched
    for rule in ordered:
        own: Branches = [list(rule.terms)]
        if strategy == "all-match":
            effective: Branches | None = own
        else:
            effective = _and(own, earlier) if earlier is not None else None
        if effective is None:
            condition = Condition(
                ((env_term(f"no earlier rule of policy {name} matched"), *rule.terms),),
                text=rule.text,
            )
        elif not effective:
            notes.append(f"policy {name}: rule {rule.name} is never reached")
            continue
        else:
            condition = _condition(effective, rule.text)
        for pool, span in rule.pools:
            routes.append(UsePool(pool, span, rule.text, condition, via))
        for step in rule.steps:
            (response if step.response else request).append(step.make(condition))
        if strategy != "all-match" and earlier is not None:
            negated = _negated(own)
            earlier = _and(earlier, negated) if negated is not None else None
    if strategy == "all-match":
        routes.reverse()
    return CompiledPolicy(tuple(routes), tuple(request), tuple(response), tuple(notes))


def _condition(branches: Branches, text: str) -> Condition:
    if branches == [[]]:
        return ALWAYS
    return Condition(tuple(tuple(branch) for branch in branches), text=text)


def policy_test(
    subject: str,
    name: str,
    operand: str,
    values: Sequence[str],
    case_sensitive: bool,
    text: str,
    negate: bool = False,
) -> Term:
    """One policy condition (``equals``, ``starts-with``, ``ends-with``, ``contains``,
    ``exists``; AS3's ``does-not-…`` forms negated) as a term; what cannot be read (another
    operand, a data group) is an "env" test."""
    if operand.startswith("does-not-"):
        negate, operand = not negate, operand.removeprefix("does-not-")
        operand = _SINGULAR.get(operand, operand)
    op = _POLICY_OPERANDS.get(operand)
    if op is None or (op != "found" and not values):
        return env_term(text, negate)
    found_values = () if op == "found" else tuple(values)
    return Term((Test(subject, op, name, found_values, case_sensitive, text),), negate)


_SINGULAR = {
    "equal": "equals",
    "start-with": "starts-with",
    "end-with": "ends-with",
    "contain": "contains",
    "exist": "exists",
}
_POLICY_OPERANDS = {
    "equals": "exact",
    "starts-with": "prefix",
    "ends-with": "suffix",
    "contains": "substring",
    "exists": "found",
}
