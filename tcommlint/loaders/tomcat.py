"""A Tomcat ``conf/`` tree: the session cookie, the session lifetime, jvmRoute, captcha files.

Precedence follows Tomcat's ``SessionConfig`` and ``WebXml.configureContext``: a Context's
``sessionCookieName`` and ``sessionCookiePath`` win over web.xml ``<cookie-config>``;
web.xml ``<http-only>`` wins over the Context's ``useHttpOnly``; an application Context in
server.xml wins over the defaults in ``conf/context.xml``. What no file sets holds Tomcat's
default, marked inherited.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcommlint import cache
from tcommlint.loaders.generic.suppressions import find_xml_suppressions
from tcommlint.model import CaptchaFile, ParseError, Suppression, TomcatConf
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

if TYPE_CHECKING:
    from tcommlint.loaders.generic.xmlconf import XmlSource
    from tcommlint.loaders.generic.xmltree import XmlElement

_ROOT_ELEMENTS = frozenset({"Server", "Context", "web-app"})
_FILES = ("server.xml", "context.xml", "web.xml")
_DEFAULT_COOKIE = "JSESSIONID"
_DEFAULT_TIMEOUT = 30


class _Doc(NamedTuple):
    """One parsed conf file: its root and its text (for columns)."""

    root: XmlElement
    source: XmlSource

    def attribute(self, element: XmlElement, name: str) -> Located[str] | None:
        """An attribute's value with the span of the value text."""
        value = element.get(name)
        if value is None:
            return None
        offset = self.source.attribute_value(self.source.start_tag(element), name)
        return Located(value, self.source.span(offset))

    def text(self, element: XmlElement) -> Located[str]:
        """An element's text, trimmed, with the span where its content starts."""
        offset = self.source.content_start(self.source.start_tag(element))
        raw = element.text()
        lead = len(raw) - len(raw.lstrip())
        return Located(raw.strip(), self.source.span(offset + lead))


class _Settings:
    """The settings read so far, before defaults are applied."""

    __slots__ = (
        "context_path",
        "cookie_name",
        "cookie_path",
        "http_only",
        "id_length",
        "jvm_route",
        "secure",
        "timeout",
        "trailing_slash",
        "web_cookie_name",
        "web_cookie_path",
        "web_http_only",
    )

    def __init__(self) -> None:
        self.context_path: Located[str] | None = None
        self.cookie_name: Located[str] | None = None
        self.cookie_path: Located[str] | None = None
        self.http_only: Located[bool] | None = None
        self.id_length: Located[int] | None = None
        self.jvm_route: Located[str] | None = None
        self.secure: Located[bool] | None = None
        self.timeout: Located[int] | None = None
        self.trailing_slash: bool = False
        self.web_cookie_name: Located[str] | None = None
        self.web_cookie_path: Located[str] | None = None
        self.web_http_only: Located[bool] | None = None


def is_tomcat_root_element(name: str) -> bool:
    """Whether an XML root element name marks a Tomcat conf file."""
    return name in _ROOT_ELEMENTS


def load_tomcat_conf(
    conf_dir: Path, display_root: str, files: dict[str, Path] | None = None, limit: int = 0
) -> tuple[TomcatConf, tuple[ParseError, ...], tuple[Suppression, ...]]:
    """Read ``conf_dir`` (server.xml, context.xml, web.xml, config/); spans use ``display_root``.

    ``files`` maps those names to other files that play their part (a Tomcat file found
    outside a ``conf/`` folder, recognised by its root element). ``limit``: the size limit in
    bytes (0: the run's).
    """
    from tcommlint.inputs import read_bytes

    inputs: list[tuple[str, str, bytes | None]] = []
    for name in _FILES:
        path = (files or {}).get(name, conf_dir / name if files is None else None)
        if path is None or not path.is_file():
            continue
        display = posixpath.join(display_root, path.name) if display_root else path.name
        content = read_bytes(path, limit or None)
        inputs.append((name, display, content.data))
        if content.data is None:
            error = ParseError(Span(display, 1, 1), f"cannot read file: {content.problem}")
            return _resolved(_Settings(), Span(display, 1, 1), display_root, conf_dir, [error], [])
    # What the files say is cached by their content, so that a run on unchanged files
    # (pre-commit) neither imports the XML reader nor parses.
    key = b"\0".join(
        part
        for name, display, data in inputs
        for part in (name.encode(), display.encode(), data or b"")
    )
    cached = cache.get("tomcat", key)
    if cached is not None:
        settings, header, errors, suppressions = _decoded(cached)
    else:
        settings, header, errors, suppressions = _read(inputs)
        cache.put("tomcat", key, _encoded(settings, header, errors, suppressions))
    web_xml = next((Span(display, 1, 1) for name, display, _ in inputs if name == "web.xml"), None)
    return _resolved(settings, header, display_root, conf_dir, errors, suppressions, web_xml)


def _resolved(
    settings: _Settings,
    header: Span | None,
    display_root: str,
    conf_dir: Path,
    errors: list[ParseError],
    suppressions: list[Suppression],
    web_xml: Span | None = None,
) -> tuple[TomcatConf, tuple[ParseError, ...], tuple[Suppression, ...]]:
    header = header or _first_file(display_root, conf_dir)
    conf = _resolve(settings, header, display_root, conf_dir)._replace(web_xml=web_xml)
    if settings.timeout is None and web_xml is not None:
        # Tomcat's default lifetime: the place to change it is this web.xml.
        note = "Tomcat default: 30 minutes (this web.xml sets no session-timeout)"
        default = Located(_DEFAULT_TIMEOUT, web_xml, True, note)
        conf = conf._replace(session_timeout_minutes=default)
    return conf, tuple(errors), tuple(suppressions)


def _first_file(display_root: str, conf_dir: Path) -> Span:
    """Where a conf tree without XML files is pointed at: its first file (``config/captcha``,
    ``config/proxy.properties``), since a finding points at a file, never at a folder."""
    config = conf_dir / "config"
    names = sorted(entry.name for entry in config.iterdir()) if config.is_dir() else []
    for name in names:
        if (config / name).is_file() and not (config / name).is_symlink():
            return Span(f"{display_root or '.'}/config/{name}", 1, 1)
    return Span(display_root or ".", 1, 1)


def _read(
    inputs: list[tuple[str, str, bytes | None]],
) -> tuple[_Settings, Span | None, list[ParseError], list[Suppression]]:
    """Parse the conf files (expat): the settings they set, with their errors and suppressions."""
    errors: list[ParseError] = []
    suppressions: list[Suppression] = []
    docs: dict[str, _Doc] = {}
    header: Span | None = None
    for name, display, data in inputs:
        header = header or Span(display, 1, 1)
        doc = _load(data or b"", display, errors, suppressions)
        if doc is not None:
            docs[name] = doc
    settings = _Settings()
    if "context.xml" in docs:
        _read_context(docs["context.xml"], docs["context.xml"].root, settings)
    if "server.xml" in docs:
        _read_server(docs["server.xml"], settings)
    if "web.xml" in docs:
        _read_web(docs["web.xml"], settings, errors)
    return settings, header, errors, suppressions


def _encoded(
    settings: _Settings,
    header: Span | None,
    errors: list[ParseError],
    suppressions: list[Suppression],
) -> dict[str, Any]:
    """The result of ``_read`` as JSON values, for the cache."""

    def located(value: Located[Any] | None) -> list[Any] | None:
        return None if value is None else [value.value, *value.span, value.inherited, value.note]

    return {
        "settings": {
            slot: getattr(settings, slot)
            if slot == "trailing_slash"
            else located(getattr(settings, slot))
            for slot in _Settings.__slots__
        },
        "header": list(header) if header is not None else None,
        "errors": [[*e.span, e.reason] for e in errors],
        "suppressions": [[*x.span, list(x.rule_ids), x.reason, x.applies_to] for x in suppressions],
    }


def _decoded(
    entry: dict[str, Any],
) -> tuple[_Settings, Span | None, list[ParseError], list[Suppression]]:
    """``_encoded`` read back."""
    settings = _Settings()
    for slot, value in entry["settings"].items():
        if slot == "trailing_slash":
            settings.trailing_slash = bool(value)
        elif value is not None:
            content, path, line, column, inherited, note = value
            setattr(settings, slot, Located(content, Span(path, line, column), inherited, note))
    header = Span(*entry["header"]) if entry["header"] is not None else None
    errors = [ParseError(Span(p, line, col), reason) for p, line, col, reason in entry["errors"]]
    suppressions = [
        Suppression(Span(p, line, col), tuple(ids), reason, applies)
        for p, line, col, ids, reason, applies in entry["suppressions"]
    ]
    return settings, header, errors, suppressions


def _load(
    data: bytes, display: str, errors: list[ParseError], suppressions: list[Suppression]
) -> _Doc | None:
    """Parse one conf file, collecting its error and suppressions."""
    from tcommlint.loaders.generic.xmlconf import XmlSource

    source = XmlSource(display, data)
    root, error = source.parse()
    suppressions.extend(find_xml_suppressions(display, source.text))
    if error is not None:
        errors.append(error)
    if root is None:
        return None
    return _Doc(root, source)


def _read_context(doc: _Doc, context: XmlElement, settings: _Settings) -> None:
    """Context attributes; called for conf/context.xml, then for a server.xml Context."""
    if context.local != "Context":
        return
    settings.context_path = doc.attribute(context, "path") or settings.context_path
    settings.cookie_name = doc.attribute(context, "sessionCookieName") or settings.cookie_name
    settings.cookie_path = doc.attribute(context, "sessionCookiePath") or settings.cookie_path
    http_only = doc.attribute(context, "useHttpOnly")
    if http_only is not None:
        settings.http_only = _boolean(http_only)
    trailing = context.get("sessionCookiePathUsesTrailingSlash")
    if trailing is not None:
        settings.trailing_slash = _boolean_text(trailing)
    _read_id_length(doc, context, settings)


def _read_id_length(doc: _Doc, context: XmlElement, settings: _Settings) -> None:
    """``<SessionIdGenerator sessionIdLength>`` (Tomcat 8+) or ``<Manager sessionIdLength>``
    (Tomcat 7) inside the Context: the session id's length in bytes (16 by default, written
    as twice as many hex digits)."""
    for name in ("Manager", "SessionIdGenerator"):
        for element in _descendants(context, name):
            value = doc.attribute(element, "sessionIdLength")
            number = _java_int(value.value) if value is not None else None
            if value is not None and number is not None and number > 0:
                settings.id_length = Located(number, value.span)


def _read_server(doc: _Doc, settings: _Settings) -> None:
    """``<Engine jvmRoute>`` and the first application ``<Context>`` inside a Host."""
    engine = _first(doc.root, "Engine")
    if engine is not None:
        settings.jvm_route = doc.attribute(engine, "jvmRoute")
    for host in _descendants(doc.root, "Host"):
        context = _first(host, "Context")
        if context is not None:
            _read_context(doc, context, settings)
            return


_JAVA_TRIMMED = "".join(map(chr, range(33)))
_JAVA_INT = LazyPattern(r"[+-]?\d{1,10}")  # \d: any decimal digit, as Integer.parseInt reads


def _java_int(text: str) -> int | None:
    """``text`` as Tomcat reads a number: trimmed (Java's ``trim``: every character up to
    the space), then ``Integer.parseInt``; None where that throws."""
    text = text.strip(_JAVA_TRIMMED)
    if _JAVA_INT.fullmatch(text) is None:
        return None
    value = int(text)
    return value if -(2**31) <= value < 2**31 else None


def _read_web(doc: _Doc, settings: _Settings, errors: list[ParseError]) -> None:
    """``<session-config>``: session-timeout and cookie-config."""
    session = _first(doc.root, "session-config")
    if session is None:
        return
    timeout = _first(session, "session-timeout")
    if timeout is not None:
        text = doc.text(timeout)
        minutes = _java_int(text.value)
        if minutes is None:
            shown = text.value if len(text.value) <= 40 else text.value[:37] + "..."
            reason = (
                f"session-timeout must be a whole number of minutes (a Java int), not {shown!r}"
            )
            errors.append(ParseError(text.span, reason))
        else:
            settings.timeout = Located(minutes, text.span)
    cookie = _first(session, "cookie-config")
    if cookie is None:
        return
    settings.web_cookie_name = _child_text(doc, cookie, "name")
    settings.web_cookie_path = _child_text(doc, cookie, "path")
    http_only = _child_text(doc, cookie, "http-only")
    if http_only is not None:
        settings.web_http_only = _boolean(http_only)
    secure = _child_text(doc, cookie, "secure")
    if secure is not None:
        settings.secure = _boolean(secure)


def _resolve(settings: _Settings, header: Span, root: str, conf_dir: Path) -> TomcatConf:
    """Apply Tomcat's precedence and defaults."""
    name = settings.cookie_name or settings.web_cookie_name
    if name is None:
        name = Located(_DEFAULT_COOKIE, header, True, "Tomcat default session cookie name")
    timeout = settings.timeout or Located(
        _DEFAULT_TIMEOUT, header, True, "Tomcat default: 30 minutes (no web.xml)"
    )
    http_only = settings.web_http_only or settings.http_only
    if http_only is None:
        http_only = Located(True, header, True, "Tomcat default: Context useHttpOnly=true")
    return TomcatConf(
        root=root,
        header=header,
        session_cookie_name=name,
        session_cookie_path=_cookie_path(settings),
        context_path=settings.context_path,
        session_timeout_minutes=timeout,
        cookie_secure=settings.secure,
        cookie_http_only=http_only,
        jvm_route=settings.jvm_route,
        session_id_length=settings.id_length,
        captcha_files=_captcha_files(conf_dir, root),
        has_config_dir=(conf_dir / "config").is_dir(),
    )


def _cookie_path(settings: _Settings) -> Located[str] | None:
    """Context sessionCookiePath, web.xml cookie path, else the context path ("/" for ROOT)."""
    path = settings.cookie_path or settings.web_cookie_path
    if path is not None and not path.value:
        path = None  # Tomcat treats an empty cookie path as unset
    if path is None and settings.context_path is not None:
        context = settings.context_path
        note = "Tomcat default: the context path"
        path = Located(context.value or "/", context.span, True, note)
    if path is not None and settings.trailing_slash and not path.value.endswith("/"):
        path = path._replace(value=path.value + "/")
    return path


def _captcha_files(conf_dir: Path, root: str) -> tuple[CaptchaFile, ...]:
    """Every file named exactly ``captcha`` under ``conf/config/``, in path order."""
    config = conf_dir / "config"
    found: list[CaptchaFile] = []
    for folder, dirs, files in os.walk(config):
        dirs.sort()
        for name in sorted(files):
            if name != "captcha":
                continue
            full = Path(folder) / name
            relative = full.relative_to(conf_dir).as_posix()
            display = posixpath.join(root, relative) if root else relative
            try:
                empty = full.stat().st_size == 0
            except OSError:
                continue
            found.append(CaptchaFile(display, empty))
    return tuple(found)


def _descendants(element: XmlElement, name: str) -> list[XmlElement]:
    """Descendant elements with that local name, in document order."""
    return [child for child in element.iter() if child.local == name]


def _first(element: XmlElement, name: str) -> XmlElement | None:
    """The first descendant-or-self element with that local name."""
    found = _descendants(element, name)
    return found[0] if found else None


def _child_text(doc: _Doc, element: XmlElement, name: str) -> Located[str] | None:
    """The trimmed text of the first direct child with that local name."""
    for child in element:
        if child.local == name:
            return doc.text(child)
    return None


def _boolean_text(text: str) -> bool:
    """Java ``Boolean.parseBoolean`` on trimmed text: only "true", any case, is true."""
    return text.strip().lower() == "true"


def _boolean(value: Located[str]) -> Located[bool]:
    """A located string read as a Java boolean."""
    return Located(_boolean_text(value.value), value.span)
