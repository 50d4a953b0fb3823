"""The deployment model: pure data, no I/O.

Loaders fill it with the *effective* facts the consuming program would compute (Java
``Properties`` values, HAProxy ``defaults`` inheritance, F5 ``defaults-from`` chains and
built-in defaults), each carrying the span of the text that set it. Rules read it through
``facts.py`` and never see vendor syntax: a new load-balancer vendor is a new loader that
fills the same ``LoadBalancer``.
"""

from __future__ import annotations

from typing import NamedTuple

from tcommlint.source import Located, Span

# --- files and problems -----------------------------------------------------------------


class SourceFile(NamedTuple):
    """One input file of a deployment."""

    path: str  # relative to the working directory, "/" separators
    role: str  # "proxy", "server", "tomcat", "haproxy", "f5-tmsh", "f5-as3", "captcha", ...
    sha256: str
    size: int


class ParseError(NamedTuple):
    """A file of a recognised format that the consuming program could not read (TC001)."""

    span: Span
    reason: str


class Suppression(NamedTuple):
    """An inline ``tcommlint: disable=ID,... -- reason`` comment.

    ``applies_to`` is the line it covers: its own line for a trailing comment, the next
    line for a comment alone on its line.
    """

    span: Span
    rule_ids: tuple[str, ...]
    reason: str
    applies_to: int


# --- TComm key/value configuration -------------------------------------------------------


class Entry(NamedTuple):
    """One ``key = value`` occurrence, exactly as the Java program would read it."""

    key: Located[str]
    value: Located[str]  # after Java unescaping; trailing whitespace kept


class KeyValueConfig(NamedTuple):
    """A proxy config or a server rconfig, in any of the supported formats.

    ``entries`` keeps every occurrence in file order (duplicates included, for TC004);
    the effective value of a key is its last occurrence.
    """

    path: str
    role: str  # "proxy" or "server"
    format: str  # "properties", "properties-xml", "xml", "yaml", "json"
    entries: tuple[Entry, ...]
    header: Span  # line 1 of the file, for file-level findings

    def effective(self) -> dict[str, Entry]:
        """Key → the occurrence that wins (the last one)."""
        return {entry.key.value: entry for entry in self.entries}


# --- Tomcat -------------------------------------------------------------------------------


class CaptchaFile(NamedTuple):
    """A file named ``captcha`` under a Tomcat ``conf/config/`` folder."""

    path: str
    empty: bool


class TomcatConf(NamedTuple):
    """What a Tomcat ``conf/`` tree says about the session cookie and the session lifetime.

    Absent settings hold Tomcat's defaults, marked ``inherited``.
    """

    root: str  # the conf/ directory
    header: Span
    session_cookie_name: Located[str]  # Context sessionCookieName, web.xml cookie-config name
    session_cookie_path: Located[str] | None  # None: the context path
    context_path: Located[str] | None
    session_timeout_minutes: Located[int]  # web.xml session-timeout; <= 0 never expires
    cookie_secure: Located[bool] | None
    cookie_http_only: Located[bool] | None
    jvm_route: Located[str] | None
    captcha_files: tuple[CaptchaFile, ...]
    has_config_dir: bool


# --- load balancers (vendor-neutral) ------------------------------------------------------


class Member(NamedTuple):
    """A pool member: a proxy the load balancer can send a request to."""

    name: str
    address: str
    port: int | None
    span: Span
    backup: bool = False  # only used when the active members are down
    disabled: bool = False
    priority_group: int = 0  # F5 priority group; higher groups take traffic first
    cookie_value: Located[str] | None = None  # HAProxy server `cookie <value>`


class Persistence(NamedTuple):
    """One way the load balancer keeps a client on a member, resolved to neutral facts.

    ``keyed_on`` is ``"cookie"`` (the LB reads a cookie), ``"client-address"``, ``"url"``,
    ``"header"``, ``"other"``. For cookie persistence ``cookie_name`` is the cookie whose
    value decides the member (the LB's own cookie, e.g. ``BIGipServerpool_api``, or the
    application's), and ``writes_cookie`` says whether the LB emits or rewrites a cookie of
    that name in responses (insert, rewrite). ``learns_from_response`` says whether the
    mapping is learned from the response that creates the session; ``lifetime_seconds`` is
    the idle or absolute lifetime of the affinity (``None``: unbounded). ``ineffective`` is
    the reason the persistence cannot take effect at all, or "".
    """

    kind: str  # e.g. "cookie-insert", "cookie-prefix", "stick-table", "universal", "source"
    keyed_on: str
    span: Span  # the directive or property line that declares it
    cookie_name: Located[str] | None = None
    mode: Located[str] | None = None  # the word that sets the method (insert, rewrite, hash...)
    writes_cookie: bool = False
    own_cookie: bool = False  # the cookie is the LB's own (insert/rewrite), not the app's
    learns_from_response: bool = True
    lifetime_seconds: Located[int | None] | None = None
    lifetime_kind: str = ""  # "idle", "absolute", "cookie-expiry"
    cookie_path: Located[str] | None = None
    cookie_secure: Located[bool] | None = None
    cookie_http_only: Located[bool] | None = None
    ineffective: str = ""
    related: tuple[Span, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "inside .if block at line 3: both branches analysed"
    condition: str = ""  # when it exists only under a condition tcommlint cannot decide
    fallback: bool = False  # used only when the primary persistence cannot apply


class Pool(NamedTuple):
    """A group of members (HAProxy backend, F5/AS3 pool) with its persistence."""

    name: str
    span: Span  # the section or object header
    members: tuple[Member, ...]
    persistences: tuple[Persistence, ...] = ()
    balance: Located[str] | None = None
    min_active_members: int = 0  # F5 priority-group activation; 0 = off
    notes: tuple[str, ...] = ()


class Route(NamedTuple):
    """A rule that sends matching requests to a pool; the first matching route wins."""

    pool: str
    span: Span
    match: str  # "prefix", "exact", "dir", "regex", "always"
    values: tuple[str, ...]
    case_sensitive: bool = True
    negate: bool = False
    via: str = ""  # "acl", "ltm-policy", "irule", "endpoint-policy", "default"


class Service(NamedTuple):
    """Where clients connect: HAProxy frontend/listen, F5 virtual server, AS3 Service_HTTP(S).

    ``persistences`` are those attached to the service (F5 virtuals) rather than to a pool;
    ``default_pool`` serves what no route matches.
    """

    name: str
    span: Span
    https: bool = False
    http: bool = True  # has HTTP processing (HAProxy mode http, an F5 HTTP profile)
    routes: tuple[Route, ...] = ()
    default_pool: Located[str] | None = None
    persistences: tuple[Persistence, ...] = ()
    binds: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problems: tuple[Located[str], ...] = ()  # configuration that cannot take effect (TC213)


class LoadBalancer(NamedTuple):
    """One load balancer's configuration: services routing to pools."""

    vendor: str  # "haproxy", "f5-tmsh", "f5-as3"
    paths: tuple[str, ...]
    services: tuple[Service, ...]
    pools: tuple[Pool, ...]
    notes: tuple[str, ...] = ()

    def pool(self, name: str) -> Pool | None:
        """The pool of that name, if any."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        return None


# --- the deployment -----------------------------------------------------------------------


class ProxyAddress(NamedTuple):
    """A proxy listed in the manifest (for TC211)."""

    name: str
    address: str


class Manifest(NamedTuple):
    """The settings of ``tcommlint.yaml`` that describe the deployment; defaults when absent."""

    name: str
    app_path: str = "/api"
    session_cookie: str = "JSESSIONID"
    average_session_seconds: int = 1800
    ha_mode: str | None = None
    proxies: tuple[ProxyAddress, ...] = ()
    path: str | None = None
    span: Span | None = None
    field_spans: tuple[tuple[str, Span], ...] = ()  # e.g. ("ha_mode", span of that line)

    def span_of(self, field: str) -> Span | None:
        """The line of a ``deployment:`` field, else the manifest's first line."""
        return dict(self.field_spans).get(field, self.span)


class Deployment(NamedTuple):
    """Everything tcommlint knows about one deployment."""

    name: str
    root: str
    manifest: Manifest
    files: tuple[SourceFile, ...]
    parse_errors: tuple[ParseError, ...]
    configs: tuple[KeyValueConfig, ...]
    tomcats: tuple[TomcatConf, ...]
    load_balancers: tuple[LoadBalancer, ...]
    suppressions: tuple[Suppression, ...] = ()
