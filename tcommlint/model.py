"""The deployment model: pure data, no I/O.

Loaders fill it with the *effective* facts the consuming program would compute (Java
``Properties`` values, Tomcat defaults), each carrying the span of the text that set it.
Load balancers are compiled into the vendor-neutral pipeline (``pipeline/model.py``): a new
load-balancer vendor is a new loader that compiles into it. Rules read everything through
``facts.py`` and never see vendor syntax.
"""

from __future__ import annotations

from collections.abc import Iterable

from tcommlint.pipeline.model import LoadBalancer
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

# --- files and problems -----------------------------------------------------------------


class SourceFile(NamedTuple):
    """One input file of a deployment."""

    path: str  # relative to the working directory, "/" separators
    role: str  # "proxy", "server", "tomcat", "haproxy", "f5-tmsh", "f5-as3", "nginx", ...
    sha256: str
    size: int
    lines: int = 1  # at most this many lines, however its format counts them (every \r and \n)


class SkippedFile(NamedTuple):
    """A file of a deployment's directories that was not read, and why."""

    path: str
    reason: str


class ParseError(NamedTuple):
    """A file of a recognised format that the consuming program could not read (TC001)."""

    span: Span
    reason: str


class ReadError(Exception):
    """A reader's refusal of its input: why, at a 1-based line and column. Readers know no
    file name; their loader gives the ParseError of the file (``parse_error``)."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.column = column
        self.reason = reason

    def parse_error(self, path: str) -> ParseError:
        """The refusal as the error of the file at ``path``."""
        return ParseError(Span(path, self.line, self.column), self.reason)


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
    web_xml: Span | None = None  # line 1 of web.xml, where session-timeout goes; None: no file
    session_id_length: Located[int] | None = None  # bytes (<SessionIdGenerator sessionIdLength>)


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
    concurrent_sessions: int = 1000
    login_changes_session_id: bool = True
    session_id_in_url: bool = False
    ha_mode: str | None = None
    nginx_plus: bool = False  # nginx is NGINX Plus (its commercial directives are accepted)
    proxies: tuple[ProxyAddress, ...] = ()
    require: tuple[str, ...] = ()  # parts whose absence is an error: "lb", "proxy", "server"
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
    skipped: tuple[SkippedFile, ...] = ()
    secrets: Iterable[
        str
    ] = ()  # credential values read from its files (redact.Secrets): never printed
