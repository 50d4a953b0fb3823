"""A deployment plan → the Deployment model: classify each file by content, call its loader.

Names only break ties (SPEC §2); a manifest's ``roles`` assign files explicitly. Loaders are
imported when a file of their kind appears, so a run pays only for the formats it meets.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from tcommlint.discover import MAX_FILE_BYTES, DeploymentPlan, excluded
from tcommlint.model import (
    Deployment,
    KeyValueConfig,
    ParseError,
    SourceFile,
    Suppression,
    TomcatConf,
)
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.resources import known_keys
from tcommlint.settings import ConfigFile, display_path, manifest_of
from tcommlint.source import Span

TOMCAT_FILES = ("server.xml", "context.xml", "web.xml")
TOMCAT_ROOTS = {"Server": "server.xml", "Context": "context.xml", "web-app": "web.xml"}
ROLE_ALIASES = {"lb": ("haproxy", "f5-tmsh", "f5-as3")}


class _Parts:
    """What the loaders produced so far for one deployment."""

    def __init__(self) -> None:
        self.files: list[SourceFile] = []
        self.errors: list[ParseError] = []
        self.configs: list[KeyValueConfig] = []
        self.tomcats: list[TomcatConf] = []
        self.balancers: list[LoadBalancer] = []
        self.suppressions: list[Suppression] = []
        self.tmsh: list[tuple[str, str]] = []
        self.loose_tomcat: list[tuple[_Input, str]] = []  # Tomcat files outside a conf/ tree


class _Input(NamedTuple):
    path: Path
    display: str
    data: bytes


def load_deployment(plan: DeploymentPlan, config: ConfigFile | None, cwd: Path) -> Deployment:
    """Read every file of the plan into one Deployment."""
    root_display = display_path(plan.root, cwd)
    manifest = manifest_of(config, _default_name(plan.root, root_display))
    data = config.data if config else {}
    roles = _explicit_roles(plan.root, data.get("deployment", {}).get("roles", {}))
    patterns = list(data.get("exclude", []))
    parts = _Parts()
    tomcat_roots = _tomcat_roots(plan, patterns)
    for file in plan.files:
        relative = file.relative_to(plan.root).as_posix()
        if excluded(relative, patterns):
            continue
        _load_file(file, display_path(file, cwd), roles.get(file.resolve()), parts, tomcat_roots)
    for root in sorted(tomcat_roots):
        _load_tomcat(root, display_path(root, cwd), parts)
    for source, part in parts.loose_tomcat:
        _record(parts, source, "tomcat")
        parent = source.path.parent
        _load_tomcat(parent, display_path(parent, cwd), parts, {part: source.path})
    if parts.tmsh:
        _load_tmsh(parts)
    return Deployment(
        name=manifest.name,
        root=root_display,
        manifest=manifest,
        files=tuple(sorted(parts.files)),
        parse_errors=tuple(sorted(set(parts.errors))),
        configs=tuple(sorted(parts.configs, key=lambda c: c.path)),
        tomcats=tuple(sorted(parts.tomcats, key=lambda t: t.root)),
        load_balancers=tuple(parts.balancers),
        suppressions=tuple(sorted(set(parts.suppressions))),
    )


def _default_name(root: Path, display: str) -> str:
    return root.name if display in (".", "") else display


def _explicit_roles(root: Path, roles: dict[str, list[str]]) -> dict[Path, str]:
    assigned = {}
    for role, paths in roles.items():
        for relative in paths:
            assigned[(root / relative).resolve()] = role
    return assigned


def _tomcat_roots(plan: DeploymentPlan, patterns: list[str]) -> set[Path]:
    roots = set()
    for file in plan.files:
        relative = file.relative_to(plan.root).as_posix()
        if excluded(relative, patterns):
            continue
        parent = file.parent
        if parent.name == "conf" and file.name in TOMCAT_FILES:
            roots.add(parent)
        elif parent.name == "config" and parent.parent.name == "conf":
            roots.add(parent.parent)
    return roots


def _read(file: Path, display: str, parts: _Parts) -> bytes | None:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return None
        data = file.read_bytes()
    except OSError as error:
        parts.errors.append(ParseError(Span(display, 1, 1), f"cannot read: {error.strerror}"))
        return None
    if b"\0" in data[:8192] and not data.startswith(_UTF16_MARKS):  # binary, not text
        return None
    return data


def _record(parts: _Parts, source: _Input, role: str) -> None:
    digest = hashlib.sha256(source.data).hexdigest()
    parts.files.append(SourceFile(source.display, role, digest, len(source.data)))


def _load_file(
    file: Path, display: str, role: str | None, parts: _Parts, tomcat_roots: set[Path]
) -> None:
    if file.name == "captcha" and file.parent.name == "config":
        _record(parts, _Input(file, display, b""), "captcha")
        return
    data = _read(file, display, parts)
    if data is None:
        return
    source = _Input(file, display, data)
    if file.parent in tomcat_roots and file.name in TOMCAT_FILES:
        _record(parts, source, "tomcat")
        return
    text = _text_of(data)
    kind = role or _sniff(file, text)
    if kind is not None:
        _LOADERS[kind](source, text, parts, role)


# --- classification ----------------------------------------------------------------------


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _text_of(data: bytes) -> str:
    """The bytes as text to classify: UTF-16 after its byte-order mark (an XML file saved
    by a Windows editor), else UTF-8."""
    if data.startswith(_UTF16_MARKS):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def _sniff(file: Path, text: str) -> str | None:
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head == "<":
        return "xml"
    if head in "{[" and head:
        return "json"
    from tcommlint.loaders.f5 import sniff as tmsh

    if tmsh.looks_like_tmsh(text):
        return "f5-tmsh"
    if _HAPROXY_SECTION.search(text) and _looks_like_haproxy(text):
        return "haproxy"
    if file.suffix in (".yaml", ".yml"):
        return "yaml" if _mentions_known_key(text) else None
    if _mentions_known_key(text):
        return "properties"
    return None


_HAPROXY_SECTION = re.compile(
    r"^[ \t]*(?:global|defaults|frontend|backend|listen)(?:[ \t]+[^\s#]+)?[ \t]*(?:#.*)?$"
    r"(?:\r?\n[ \t]*(?:#.*)?)*\r?\n[ \t]+[a-z]",
    re.MULTILINE,
)


def _looks_like_haproxy(text: str) -> bool:
    """The loader's own sniff, imported only once the cheap pattern matched."""
    from tcommlint.loaders.haproxy.loader import looks_like_haproxy

    return looks_like_haproxy(text)


@cache
def _known_key_pattern() -> re.Pattern[str]:
    keys = sorted({key for role in known_keys().values() for key in role}, key=len, reverse=True)
    return re.compile("|".join(re.escape(key) for key in keys), re.IGNORECASE)


def _mentions_known_key(text: str) -> bool:
    return _known_key_pattern().search(text) is not None


def _config_role(document: Any) -> str | None:
    """``proxy`` or ``server`` by the known keys a document holds (case-insensitive)."""
    keys = known_keys()
    folded = {role: {key.lower() for key in role_keys} for role, role_keys in keys.items()}
    counts = {role: 0 for role in keys}
    for entry in document.entries:
        for role, names in folded.items():
            if entry.key.value.lower() in names:
                counts[role] += 1
    best = max(counts, key=lambda role: (counts[role], role == "proxy"))
    return best if counts[best] else None


# --- loaders per kind --------------------------------------------------------------------


def _add_keyvalue(source: _Input, fmt: str, document: Any, parts: _Parts, role: str | None) -> None:
    parts.suppressions.extend(document.suppressions)
    config_role = role if role in ("proxy", "server") else _config_role(document)
    if document.error is not None and (config_role or _mentions_known_key(_text_of(source.data))):
        parts.errors.append(document.error)
        if config_role is None:
            _record(parts, source, "unparsed")
    if config_role is None:
        return
    _record(parts, source, config_role)
    header = Span(source.display, 1, 1)
    parts.configs.append(KeyValueConfig(source.display, config_role, fmt, document.entries, header))


def _load_properties(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.generic.properties import parse_properties

    _add_keyvalue(source, "properties", parse_properties(source.display, text), parts, role)


def _load_yaml(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml

    _add_keyvalue(source, "yaml", parse_keyvalue_yaml(source.display, text), parts, role)


def _load_json(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    if role in (None, "lb", "f5-as3") and re.search(r'"class"\s*:\s*"(AS3|ADC)"', text):
        from tcommlint.loaders.f5.as3 import load_as3

        result = load_as3(source.display, text)
        _record(parts, source, "f5-as3")
        parts.errors.extend(result.errors)
        if result.load_balancer is not None:
            parts.balancers.append(result.load_balancer)
        return
    from tcommlint.loaders.generic.jsonconf import parse_keyvalue_json

    _add_keyvalue(source, "json", parse_keyvalue_json(source.display, text), parts, role)


def _load_xml(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.generic import xmlconf

    root = xmlconf.sniff_root(source.data)
    if root in TOMCAT_ROOTS and role is None:
        parts.loose_tomcat.append((source, TOMCAT_ROOTS[root]))
        return
    fmt = "properties-xml" if root == "properties" else "xml"
    _add_keyvalue(source, fmt, xmlconf.parse_keyvalue_xml(source.display, source.data), parts, role)


def _load_haproxy(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.haproxy.loader import load_haproxy

    result = load_haproxy(source.display, text)
    _record(parts, source, "haproxy")
    parts.errors.extend(result.errors)
    parts.suppressions.extend(result.suppressions)
    parts.balancers.extend(result.load_balancers)


def _queue_tmsh(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    _record(parts, source, "f5-tmsh")
    parts.tmsh.append((source.display, text))


def _load_tmsh(parts: _Parts) -> None:
    from tcommlint.loaders.f5.bigip import load_f5_tmsh
    from tcommlint.loaders.generic.suppressions import find_suppressions

    result = load_f5_tmsh(parts.tmsh)
    parts.errors.extend(result.errors)
    for display, text in parts.tmsh:
        parts.suppressions.extend(find_suppressions(display, text, ("#",)))
    if result.load_balancer is not None:
        parts.balancers.append(result.load_balancer)


def _load_explicit_lb(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.f5 import sniff as tmsh

    if text.lstrip()[:1] == "{":
        _load_json(source, text, parts, "f5-as3")
    elif tmsh.looks_like_tmsh(text):
        _queue_tmsh(source, text, parts, role)
    else:
        _load_haproxy(source, text, parts, role)


def _load_as_keyvalue(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    kind = _sniff(source.path, text)
    loader = _LOADERS.get(kind or "properties", _load_properties)
    if kind in ("xml", "json", "yaml", "properties"):
        loader(source, text, parts, role)
    else:
        _load_properties(source, text, parts, role)


def _load_tomcat_file(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    _record(parts, source, "tomcat")


def _load_tomcat(
    root: Path, display: str, parts: _Parts, files: dict[str, Path] | None = None
) -> None:
    """A Tomcat conf tree, or Tomcat files found elsewhere (``files``: part name → file)."""
    from tcommlint.loaders.tomcat import load_tomcat_conf

    tomcat, errors, suppressions = load_tomcat_conf(root, display, files)
    parts.tomcats.append(tomcat)
    parts.errors.extend(errors)
    parts.suppressions.extend(suppressions)


_LOADERS: dict[str, Any] = {
    "properties": _load_properties,
    "yaml": _load_yaml,
    "json": _load_json,
    "xml": _load_xml,
    "haproxy": _load_haproxy,
    "f5-tmsh": _queue_tmsh,
    "f5-as3": _load_json,
    "lb": _load_explicit_lb,
    "proxy": _load_as_keyvalue,
    "server": _load_as_keyvalue,
    "tomcat": _load_tomcat_file,
}
