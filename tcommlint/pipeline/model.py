"""The load-balancer pipeline: what a load balancer does with one HTTP request and its response.

Every vendor loader compiles its configuration into these records, in the vendor's documented
processing order, each step with its source span and the condition under which it runs. The
session simulator (``simulate.py``) plays a chat session through them; rules read its outcome.

The order a request takes (HAProxy's, which the other vendors map onto):

1. the service (HAProxy frontend, F5 virtual): ``request_steps`` in order — header edits,
   answers given by the load balancer itself, path rewrites, directives outside the model;
2. routing: ``routes`` in order, the first whose condition holds, else ``default_pool``;
3. the pool (HAProxy backend, F5 pool): its own ``request_steps``, then persistence lookup —
   ``server_rules`` (``use-server``), then the load balancer's own cookie, then stick rules
   that match — then the balance algorithm over the usable servers;
4. the response: ``stick store-response`` rules, the pool's then the service's
   ``response_steps``, the load balancer's cookie written last.
"""

from __future__ import annotations

from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

# --- samples ------------------------------------------------------------------------------


class Sample(NamedTuple):
    """A value taken from the request or response, e.g. ``req.cook(JSESSIONID),lower``.

    ``fetch`` is canonical: ``req.cook``, ``res.cook``, ``req.hdr``, ``res.hdr``,
    ``req.cookies`` (the whole Cookie header), ``src``, ``path``, ``url``, ``query``,
    ``method``, ``var`` (a variable set by a rule), ``const``; ``env`` for what the
    simulation cannot know. ``converters`` are
    (name, arguments) in order.
    """

    fetch: str
    arg: str = ""
    converters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    text: str = ""
    delimiter: str = ""  # ``query``: where the parameters start besides ``?`` (``;``)
    nocase: bool = False  # a cookie fetch that takes the first cookie whose name matches in
    # any case (nginx ``$cookie_NAME``, ``$upstream_cookie_NAME``), not HAProxy's last exact one

    @property
    def cookie(self) -> str | None:
        """The cookie a cookie fetch reads, else None."""
        return self.arg if self.fetch in ("req.cook", "res.cook") else None


# --- conditions ---------------------------------------------------------------------------


class PlaceSearch:
    """The choice of one place for a request path among many, by nginx's precedence for its
    ``location`` blocks (``ngx_http_core_find_location``), made at simulation time: a path
    equal to an ``exact`` one; else the longest of the ``prefixes`` it starts with, when that
    one stops the search (nginx ``^~``); else the first of the ``patterns`` (regexes, in the
    order they are tried) that matches, where the path also starts with the pattern's
    ``within`` prefix ("" for none); else that longest prefix.

    One search serves every place of a server: each place's condition is one ``place`` test
    that names it, instead of its own test and the negation of every place that wins before
    it, which grows with the square of their number. Compared by content; hashed by the names
    of its places.
    """

    __slots__ = ("_hash", "exact", "patterns", "prefixes")

    def __init__(
        self,
        exact: tuple[tuple[str, str], ...],
        prefixes: tuple[tuple[str, str, bool], ...],
        patterns: tuple[tuple[str, bool, str, str], ...],
    ) -> None:
        self.exact = exact  # (path, place), in the order written: the first one wins
        self.prefixes = prefixes  # (prefix, place, stops the search), longest first
        self.patterns = patterns  # (regex, case-sensitive, within, place), in the order tried
        names = (*(p for _, p in exact), *(p for _, p, _ in prefixes), *(p[3] for p in patterns))
        self._hash = hash(names)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlaceSearch):
            return NotImplemented
        return other is self or (
            (self.exact, self.prefixes, self.patterns)
            == (other.exact, other.prefixes, other.patterns)
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        count = len(self.exact) + len(self.prefixes) + len(self.patterns)
        return f"PlaceSearch({count} places)"


class Test(NamedTuple):
    """One atomic test on the request or the response.

    ``subject`` is what is read: ``path``, ``url`` (path and query), ``method``, ``query``
    (the parameter ``name``), ``cookie`` and ``header`` (request), ``res-cookie`` and
    ``res-header`` (response), ``status``; ``env`` is something the simulation cannot know
    (the client address, TLS, a variable, an ACL file): every value is tried. ``op`` is
    ``found``, ``exact``, ``prefix``, ``suffix``, ``substring``, ``dir``, ``regex``,
    ``always`` or ``never``. Subject ``place`` (op ``exact``) holds when ``search`` chooses the
    place named in ``values`` for the request's path.
    """

    subject: str
    op: str
    name: str = ""
    values: tuple[str, ...] = ()
    case_sensitive: bool = True
    text: str = ""
    sample: Sample | None = None  # subject ``sample``: a sample expression's value
    search: PlaceSearch | None = None  # subject ``place``: the search that chooses


class Term(NamedTuple):
    """One or more alternative tests (an ACL name defined on several lines), maybe negated."""

    tests: tuple[Test, ...]
    negate: bool = False


class Condition(NamedTuple):
    """An OR of AND-ed terms (no branch at all: always true); ``negate`` for ``unless``."""

    branches: tuple[tuple[Term, ...], ...] = ()
    negate: bool = False
    text: str = ""

    @property
    def always(self) -> bool:
        """Whether the condition holds for every request."""
        return not self.branches and not self.negate


ALWAYS = Condition()


Template = tuple["str | Sample", ...]
"""A value computed per request: literal text and samples, concatenated (HAProxy log-format)."""


# --- request and response steps -----------------------------------------------------------


class HeaderEdit(NamedTuple):
    """An edit of a request or response header (``http-request del-header Cookie`` …).

    ``action``: ``del``, ``set``, ``add``, ``replace-header`` (regex on the whole value),
    ``replace-value`` (regex on each comma-separated value), ``substitute`` and
    ``substitute-all`` (the first or every match of the regex in each value replaced, the rest
    kept: Apache ``Header edit`` / ``edit*``). ``value`` is the new value or the
    replacement, ``pattern`` the regex; ``dynamic`` when the value is computed (``%[…]``).
    """

    action: str
    header: str  # lower case
    span: Span
    text: str
    value: str = ""
    pattern: str = ""
    dynamic: bool = False  # computed, and outside the model when ``template`` is empty
    when: Condition = ALWAYS
    template: Template = ()


class Answer(NamedTuple):
    """The load balancer answers itself (deny, redirect, return, tarpit): no server sees it."""

    kind: str
    status: int
    span: Span
    text: str
    when: Condition = ALWAYS


class SetPath(NamedTuple):
    """A rewrite of the request path: a literal path, or ``pattern`` → ``value`` (regex)."""

    value: str
    span: Span
    text: str
    pattern: str = ""
    dynamic: bool = False
    when: Condition = ALWAYS
    template: Template = ()


class Opaque(NamedTuple):
    """A directive that may touch the path, the cookies or the server choice, outside the model.

    A session that reaches it is not evaluable (TC008): the simulation never guesses.
    ``serves`` marks a directive that can answer or route the request itself (Apache mod_jk's
    ``JkMount``): a service that routes the app path nowhere else still serves it there.
    """

    reason: str
    span: Span
    text: str
    when: Condition = ALWAYS
    serves: bool = False


class SetVar(NamedTuple):
    """A variable set for the rest of the transaction (``http-request set-var(txn.x) <expr>``).

    ``known`` is False when the value is computed from something outside the model: a rule
    that then reads the variable makes the session not evaluable.
    """

    name: str
    value: Template | None  # None: ``unset-var``
    span: Span
    text: str
    known: bool = True
    when: Condition = ALWAYS


Step = HeaderEdit | Answer | SetPath | SetVar | Opaque


class UsePool(NamedTuple):
    """A routing rule: requests for which ``when`` holds go to ``pool``."""

    pool: str
    span: Span
    text: str
    when: Condition = ALWAYS
    via: str = "rule"  # "acl", "ltm-policy", "irule", "endpoint-policy"
    template: Template = ()  # the pool's name computed per request (then ``pool`` is "")


# --- persistence --------------------------------------------------------------------------


class LbCookie(NamedTuple):
    """The load balancer's own persistence cookie (HAProxy ``cookie``, F5 cookie persistence).

    ``mode``: ``insert`` (the LB adds the cookie), ``rewrite`` (it rewrites the value of a
    cookie the server sets), ``prefix`` (it prefixes the server's cookie value with the
    server's own and strips it from requests), ``passive`` (it only reads it). Server values
    come from each ``Server.cookie`` (``encoded``: derived from the member, every member has
    one, as F5's encoded address). Lifetimes are in seconds.
    """

    name: Located[str]
    mode: Located[str]
    span: Span
    path: Located[str] | None = None
    domain: str = ""
    indirect: bool = False
    postonly: bool = False
    preserve: bool = False
    dynamic: bool = False
    encoded: bool = False
    secure: Located[bool] | None = None
    httponly: Located[bool] | None = None
    max_idle: Located[int] | None = None
    max_life: Located[int] | None = None
    max_age: Located[int] | None = None  # the browser forgets the cookie (Max-Age, F5 expiration)


class Table(NamedTuple):
    """A persistence table (HAProxy stick table, F5 persistence records)."""

    name: str
    span: Span
    key_type: str = "string"  # "string", "integer", "ip", "ipv6", "binary"
    key_len: int | None = None  # string/binary keys are cut to this many bytes
    size: int | None = None  # entries; None: unbounded for the simulation
    expire: Located[int | None] | None = None  # seconds idle; value None: never
    nopurge: bool = False
    server_key: str = "name"  # what names a server in an entry: "name", "addr", "number"


class StickRule(NamedTuple):
    """``stick match|on|store-request|store-response <key> [table t] [if …]``.

    ``on`` is ``match`` plus ``store-request`` on the same key.
    """

    action: str
    key: Sample
    table: str
    span: Span
    text: str
    key_span: Span
    when: Condition = ALWAYS


class UseServer(NamedTuple):
    """``use-server <server> if …``: a server chosen before persistence and balancing."""

    server: str
    span: Span
    text: str
    when: Condition = ALWAYS
    template: Template = ()  # the server's name computed per request


class PersistRule(NamedTuple):
    """``force-persist`` / ``ignore-persist``: persistence forced to a down server, or skipped."""

    kind: str  # "force" or "ignore"
    span: Span
    text: str
    when: Condition = ALWAYS


class IdRoute(NamedTuple):
    """The server named by a route the application appends to its own session id.

    Apache ``stickysession=JSESSIONID|jsessionid`` (mod_proxy_balancer), NGINX Plus ``sticky
    route``: the load balancer learns nothing; it reads the session id from the URL parameter
    ``url_parameter`` (when given, looked at first) or else from the cookie ``cookie``, takes
    what follows the first ``separator`` (Tomcat's ``.jvmRoute``) and sends the request to the
    member whose ``Server.route`` is exactly that. A route no usable member has falls back to
    balancing, or is refused (503) when ``failover`` is False (Apache ``nofailover=On``).
    """

    cookie: Located[str]
    span: Span
    text: str
    url_parameter: str = ""
    separator: str = "."
    cookie_name_case_sensitive: bool = True
    failover: bool = True


class Inert(NamedTuple):
    """Configuration that is declared but can never take effect (an F5 universal profile
    without a rule, an LTM policy left in Drafts): reported, never simulated."""

    reason: str
    span: Span


class Persistence(NamedTuple):
    """Everything that keeps a client on a server, in lookup order."""

    server_rules: tuple[UseServer, ...] = ()
    persist_rules: tuple[PersistRule, ...] = ()
    cookie: LbCookie | None = None
    stick_rules: tuple[StickRule, ...] = ()
    inert: tuple[Inert, ...] = ()
    id_route: IdRoute | None = None  # looked up after the LB cookie, before the stick rules

    @property
    def empty(self) -> bool:
        """Whether nothing at all is declared."""
        return not (self.server_rules or self.cookie or self.stick_rules or self.id_route)


class Balance(NamedTuple):
    """The algorithm that picks a server when persistence did not.

    ``key`` is what a hashing algorithm hashes (``source``: ``src``; ``uri``: the path;
    ``hdr(x)``, ``url_param``, ``hash <expr>``); None for the others.
    """

    algorithm: Located[str]
    key: Sample | None = None
    hash_type: str = "map-based"
    statement: str = ""  # the directive as written, where it is not ``balance <algorithm> <key>``
    narrowing: str = ""  # what of its key the algorithm really uses (nginx ip_hash: a /24)


# --- pools, services, load balancers --------------------------------------------------------


class Server(NamedTuple):
    """A pool member: a proxy node the load balancer can send a request to."""

    name: str
    address: str
    port: int | None
    span: Span
    weight: int = 1
    backup: bool = False
    disabled: bool = False
    priority_group: int = 0  # F5: higher groups take traffic first
    cookie: Located[str] | None = None  # the value of the LB cookie that names it
    maxconn: int | None = None
    number: int = 0  # the id persistence tables store (HAProxy ``id``, else its position)
    node: str = ""  # the proxy node it reaches (address:port); several pools may share one
    route: Located[str] | None = None  # the route ``IdRoute`` persistence names it by


class Retry(NamedTuple):
    """nginx ``proxy_next_upstream … http_404``: a server that answers 404 (the chat's "No
    Session Found") makes the load balancer send the request to the next server it has not
    tried, until one answers otherwise or ``tries`` servers were tried (0: no limit). A
    non-idempotent request (the chat client's POST of a message) is passed on only with
    ``non_idempotent``."""

    span: Span
    text: str
    non_idempotent: bool = False
    tries: int = 0


class Pool(NamedTuple):
    """A group of servers (HAProxy backend, F5/AS3 pool) with what it does to a request."""

    name: str
    span: Span
    servers: tuple[Server, ...]
    balance: Balance
    http: bool = True
    request_steps: tuple[Step, ...] = ()
    response_steps: tuple[Step, ...] = ()
    persistence: Persistence = Persistence()
    persist_to_down: bool = False  # ``option persist``
    redispatch: bool = False
    all_backups: bool = False
    min_active_members: int = 0  # F5 priority-group activation; 0 = off
    notes: tuple[str, ...] = ()
    retry: Retry | None = None  # nginx ``proxy_next_upstream http_404``

    def server(self, name: str) -> Server | None:
        """The server of that name, if any."""
        for server in self.servers:
            if server.name == name:
                return server
        return None


class Service(NamedTuple):
    """Where clients connect: HAProxy frontend/listen, F5 virtual, AS3 Service_HTTP(S)."""

    name: str
    span: Span
    http: bool = True
    https: bool = False
    binds: tuple[str, ...] = ()
    request_steps: tuple[Step, ...] = ()
    routes: tuple[UsePool, ...] = ()
    default_pool: Located[str] | None = None
    response_steps: tuple[Step, ...] = ()
    persistence: Persistence = Persistence()  # attached to the service (F5 virtuals)
    notes: tuple[str, ...] = ()
    inert: tuple[Inert, ...] = ()  # routing or other service configuration never applied


class LoadBalancer(NamedTuple):
    """One load balancer's configuration compiled into services, pools and tables.

    ``assumption`` names the branches of conditional blocks this compilation took, when the
    configuration has branches that cannot be decided statically (each is compiled apart).
    ``cookie_mentions`` lets a fix rename a misspelt cookie everywhere it is written.
    """

    vendor: str  # "haproxy", "f5-tmsh", "f5-as3", "nginx"
    paths: tuple[str, ...]
    services: tuple[Service, ...]
    pools: tuple[Pool, ...]
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    assumption: str = ""
    cookie_mentions: tuple[tuple[str, Span], ...] = ()  # every cookie name written, where
    persistence_at: str = "pool"  # where a vendor declares persistence: "pool" or "service"
    # How the load balancer rewrites the Path of the servers' cookies on their way to the
    # browser (Apache ProxyPassReverseCookiePath, nginx proxy_cookie_path): (server's prefix,
    # browser's prefix), the first that matches applies.
    cookie_paths: tuple[tuple[str, str], ...] = ()

    def pool(self, name: str) -> Pool | None:
        """The pool of that name, if any."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        return None

    def table(self, name: str) -> Table | None:
        """The table of that name, if any."""
        for table in self.tables:
            if table.name == name:
                return table
        return None
