"""A deployment plan → the Deployment model: classify each file by content, call its loader.

Names only break ties (SPEC §2); a manifest's ``roles`` assign files explicitly. Load-balancer
files go to the vendor loader of the registry (``loaders/registry.py``) that claims them, all
of one vendor's files at once; this module knows no vendor. Loaders are imported when a file of
their kind appears, so a run pays only for the formats it meets.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from tcommlint.classify import (
    NO_CONTENT_READ,
    TOMCAT_ROOTS,
    UNREADABLE,
    config_role,
    identify,
    mentions_known_key,
    role_title,
    text_of,
)
from tcommlint.digest import sha256_hex
from tcommlint.discover import DeploymentPlan, excluded
from tcommlint.includes import Includes
from tcommlint.inputs import limit_of
from tcommlint.loaders import registry
from tcommlint.model import (
    Deployment,
    Entry,
    KeyValueConfig,
    ParseError,
    SkippedFile,
    SourceFile,
    Suppression,
    TomcatConf,
)
from tcommlint.output import printable
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.records import NamedTuple
from tcommlint.redact import Secrets
from tcommlint.settings import ConfigFile, display_path, manifest_of
from tcommlint.source import Span

TOMCAT_FILES = tuple(TOMCAT_ROOTS.values())


class _Parts:
    """What the loaders produced so far for one deployment."""

    def __init__(self) -> None:
        self.files: list[SourceFile] = []
        self.errors: list[ParseError] = []
        self.configs: list[KeyValueConfig] = []
        self.tomcats: list[TomcatConf] = []
        self.balancers: list[LoadBalancer] = []
        self.suppressions: list[Suppression] = []
        self.skipped: list[SkippedFile] = []
        self.lb_sources: dict[str, list[tuple[str, str]]] = {}  # loader role → its files
        self.loose_tomcat: list[tuple[_Input, str]] = []  # Tomcat files outside a conf/ tree
        self.texts: list[str] = []  # every file's text, where output finds the secrets to mask
        self.keyed: list[tuple[Entry, ...]] = []  # key-value entries, some keyed by credentials
        self.limit = 0  # bytes: the deployment's max_file_size


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
    parts.limit = limit_of(data)
    parts.skipped.extend(SkippedFile(_unresolved(f, cwd), why) for f, why in plan.skipped)
    tomcat_roots = _tomcat_roots(plan, patterns)
    for file in plan.files:
        relative = file.relative_to(plan.root).as_posix()
        pattern = excluded(relative, patterns)
        if pattern is not None:
            parts.skipped.append(SkippedFile(display_path(file, cwd), f"excluded by '{pattern}'"))
            continue
        role = roles.get(file.resolve()) if roles else None  # resolving costs a stat per part
        _load_file(file, display_path(file, cwd), role, parts)
    for root in sorted(tomcat_roots):
        _load_tomcat(root, display_path(root, cwd), parts)
    for source, part in parts.loose_tomcat:
        _record(parts, source, "tomcat")
        parent = source.path.parent
        _load_tomcat(parent, display_path(parent, cwd), parts, {part: source.path})
    options = registry.LoadOptions(nginx_plus=manifest.nginx_plus)
    _load_balancers(parts, Includes(plan.root, cwd, parts.limit), options)
    return Deployment(
        name=manifest.name,
        root=root_display,
        manifest=manifest,
        files=tuple(sorted(parts.files)),
        parse_errors=tuple(sorted({_one_line(error) for error in parts.errors})),
        configs=tuple(sorted(parts.configs, key=lambda c: c.path)),
        tomcats=tuple(sorted(parts.tomcats, key=lambda t: t.root)),
        load_balancers=tuple(parts.balancers),
        suppressions=tuple(sorted(set(parts.suppressions))),
        skipped=tuple(sorted(parts.skipped)),
        secrets=Secrets(parts.texts, _pairs(parts.keyed)),
    )


def _pairs(documents: list[tuple[Entry, ...]]) -> Iterator[tuple[str, str]]:
    return ((e.key.value, e.value.value) for entries in documents for e in entries)


def _one_line(error: ParseError) -> ParseError:
    """A loader's reason may quote the file (a keyword, a library's excerpt): its control
    characters and line breaks are escaped once here, for every format and every rule."""
    return error._replace(reason=printable(error.reason))


def _unresolved(path: Path, cwd: Path) -> str:
    """A symbolic link's own display path, not its target's."""
    return f"{display_path(path.parent, cwd)}/{path.name}".removeprefix("./")


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


def _record(parts: _Parts, source: _Input, role: str) -> None:
    digest = sha256_hex(source.data)
    text = text_of(source.data)
    parts.texts.append(text)
    size, lines = len(source.data), _line_bound(source.data, text)
    parts.files.append(SourceFile(source.display, role, digest, size, lines))


# Where ``str.splitlines`` ends a line besides "\n" and "\r" (and "\r\n", one end).
_OTHER_LINE_ENDS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _line_bound(data: bytes, text: str) -> int:
    """At most this many lines, however the loader of the file counts them: each ``\\r`` and
    ``\\n`` may end one, and so may the other line separators of Unicode (YAML's U+2028).
    ``text`` is ``data`` as ``text_of`` reads it."""
    ends = data.count(b"\n") + data.count(b"\r")
    return max(ends, _line_count(text)) + 1


def _line_count(text: str) -> int:
    """``len(text.splitlines())``, counted without making the lines."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    ends += sum(text.count(end) for end in _OTHER_LINE_ENDS)
    unended = text[-1:] not in ("", "\n", "\r", *_OTHER_LINE_ENDS)
    return ends + int(unended)


def _load_file(file: Path, display: str, role: str | None, parts: _Parts) -> None:
    found = identify(file, role, parts.limit)
    source = _Input(file, display, found.data)
    if found.kind == UNREADABLE:
        _unreadable(source, found.claimed, found.problem, parts)
    elif found.kind is None:
        parts.skipped.append(SkippedFile(display, NO_CONTENT_READ))
    else:
        _LOADERS[found.kind](source, found.text, parts, found.role)


def _unreadable(source: _Input, claimed: str | None, problem: str, parts: _Parts) -> None:
    """A file that is not text: TC001 when its name, extension or the manifest says it is a
    config."""
    if claimed is None:
        parts.skipped.append(SkippedFile(source.display, problem))
        return
    message = f"cannot be read as {role_title(claimed)}: {problem}"
    parts.errors.append(ParseError(Span(source.display, 1, 1), message))
    _record(parts, source, claimed)


# --- loaders per kind --------------------------------------------------------------------


NO_KNOWN_KEY = "holds no known proxy or server key"


def _add_keyvalue(source: _Input, fmt: str, document: Any, parts: _Parts, role: str | None) -> None:
    parts.suppressions.extend(document.suppressions)
    part = role if role in ("proxy", "server") else config_role(document)
    if document.error is not None and (part or mentions_known_key(text_of(source.data))):
        parts.errors.append(document.error)
        if part is None:
            _record(parts, source, "unparsed")
            return
    if part is None:
        parts.skipped.append(SkippedFile(source.display, f"read as {fmt}: {NO_KNOWN_KEY}"))
        return
    _record(parts, source, part)
    parts.keyed.append(document.entries)
    header = Span(source.display, 1, 1)
    parts.configs.append(KeyValueConfig(source.display, part, fmt, document.entries, header))


def _load_properties(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.generic.properties import parse_properties

    _add_keyvalue(source, "properties", parse_properties(source.display, text), parts, role)


def _load_yaml(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml

    _add_keyvalue(source, "yaml", parse_keyvalue_yaml(source.display, text), parts, role)


def _load_json(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
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


def _queue_lb(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    """A file the manifest calls a load-balancer config: of the vendor whose files it looks
    like, loaded with that vendor's other files at the end."""
    _queue(registry.claim_any(text), source, text, parts)


def _queue_vendor(vendor: str, source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    """A file of a load-balancer ``vendor`` (by its content or the manifest), queued as above;
    its content was sniffed once, by ``identify``."""
    _queue(registry.BY_ROLE[vendor], source, text, parts)


def _queue(loader: registry.LoadBalancerLoader, source: _Input, text: str, parts: _Parts) -> None:
    _record(parts, source, loader.role)
    parts.lb_sources.setdefault(loader.role, []).append((source.display, text))


def _load_balancers(parts: _Parts, includes: Includes, options: registry.LoadOptions) -> None:
    for loader in registry.LOADERS:
        sources = parts.lb_sources.get(loader.role)
        if sources:
            result = loader.load(sources, includes, options)
            parts.balancers.extend(result.load_balancers)
            parts.errors.extend(result.errors)
            parts.suppressions.extend(result.suppressions)


def _load_tomcat_file(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    _record(parts, source, "tomcat")  # read, and reported when it cannot be, with its conf tree


def _load_captcha(source: _Input, text: str, parts: _Parts, role: str | None) -> None:
    _record(parts, source, "captcha")  # its bytes do not matter


def _load_tomcat(
    root: Path, display: str, parts: _Parts, files: dict[str, Path] | None = None
) -> None:
    """A Tomcat conf tree, or Tomcat files found elsewhere (``files``: part name → file)."""
    from tcommlint.loaders.tomcat import load_tomcat_conf

    tomcat, errors, suppressions = load_tomcat_conf(root, display, files, parts.limit)
    parts.tomcats.append(tomcat)
    parts.errors.extend(errors)
    parts.suppressions.extend(suppressions)


_LOADERS: dict[str, Any] = {
    "properties": _load_properties,
    "yaml": _load_yaml,
    "json": _load_json,
    "xml": _load_xml,
    "lb": _queue_lb,
    **{vendor: partial(_queue_vendor, vendor) for vendor in registry.BY_ROLE},
    "tomcat": _load_tomcat_file,
    "captcha": _load_captcha,
}
