"""Find, read and validate ``tcommlint.yaml`` and ``[tool.tcommlint]``; merge them with the CLI."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tcommlint import cache
from tcommlint.durations import duration_hint, manifest_seconds
from tcommlint.errors import UsageError
from tcommlint.inputs import (
    MAX_FILE_BYTES,
    MAX_SETTABLE_BYTES,
    SIZE_KEY,
    describe_size,
    parse_size,
    read_bytes,
    read_input,
)
from tcommlint.model import Manifest, ProxyAddress
from tcommlint.records import NamedTuple
from tcommlint.resources import schema
from tcommlint.source import Span
from tcommlint.yamlread import YamlDocument, read_yaml, validate

MANIFEST_NAME = "tcommlint.yaml"
# The ``rules:`` fields that name rules, and whether they take prefixes as ``--select`` does.
RULE_ID_FIELDS = (("select", True), ("ignore", True), ("severity", False), ("mandatory", False))


class ConfigFile(NamedTuple):
    """A validated ``tcommlint.yaml`` (or ``[tool.tcommlint]`` table) and where it is."""

    path: Path
    display: str
    data: dict[str, Any]
    lines: dict[str, int]

    def rules(self) -> dict[str, Any]:
        """The ``rules:`` table (select, ignore, mandatory, severity)."""
        rules: dict[str, Any] = self.data.get("rules", {})
        return rules

    def check_rule_ids(self, known: Collection[str]) -> None:
        """Every rule ID of the ``rules:`` table names a rule of ``known`` (else exit 2); select
        and ignore may give prefixes."""
        from tcommlint.engine import unknown_rule

        rules = self.rules()
        problems = []  # the first in the file is reported
        for field, prefix in RULE_ID_FIELDS:
            for index, pattern in enumerate(rules.get(field, ())):
                reason = unknown_rule(pattern, known, prefix=prefix)
                if reason:
                    item = pattern if field == "severity" else index
                    line = self.lines.get(f"rules/{field}/{item}", 0)
                    problems.append((line, f"field 'rules/{field}': {reason}"))
        if problems:
            line, message = min(problems)
            raise UsageError(message, self.display, line)


def display_path(path: Path, cwd: Path) -> str:
    """A path relative to the working directory when below it, with ``/`` separators."""
    try:
        return path.resolve().relative_to(_resolved(cwd)).as_posix() or "."
    except ValueError:
        return path.resolve().as_posix()


@functools.lru_cache(maxsize=16)
def _resolved(directory: Path) -> Path:
    """The working directory resolved once, not once per file shown."""
    return directory.resolve()


def read_config(path: Path, cwd: Path) -> ConfigFile:
    """Read and validate a manifest; YAML parsing and validation are cached by content."""
    display = display_path(path, cwd)
    what = "settings" if path.name == "pyproject.toml" else "manifest"
    content = read_input(path, display, what, MAX_FILE_BYTES)
    if path.name == "pyproject.toml":
        return _read_pyproject(path, display, content)
    cached = cache.get("manifest", content)
    if cached is not None:
        return ConfigFile(path, display, cached["data"], cached["lines"])
    document = read_yaml(display, content.decode("utf-8", errors="replace"))
    if document.data is None:
        document = YamlDocument({}, {})
    _check_durations(display, document)
    validate(display, document, schema("manifest.schema.json"))
    _check_size(display, document)
    cache.put("manifest", content, {"data": document.data, "lines": document.lines})
    return ConfigFile(path, display, document.data, document.lines)


def _read_pyproject(path: Path, display: str, content: bytes) -> ConfigFile:
    import tomllib

    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"invalid TOML: {error}", display) from None
    except RecursionError:
        raise UsageError("invalid TOML: nested too deeply", display) from None
    except ValueError:  # tomllib's own limit: an integer of more than 4,300 digits
        raise UsageError("invalid TOML: an integer too long to read", display) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise UsageError("invalid TOML: 'tool' is not a table", display)
    table = tool.get("tcommlint", {})
    document = YamlDocument(table, {})
    _check_durations(display, document)
    validate(f"{display} [tool.tcommlint]", document, schema("manifest.schema.json"))
    _check_size(display, document)
    return ConfigFile(path, display, table, {})


def _check_durations(display: str, document: YamlDocument) -> None:
    """A duration in words says how to write it (before the schema, which would only say that
    it does not match a pattern); numbers and other types are left to the schema."""
    deployment = document.data.get("deployment") if isinstance(document.data, dict) else None
    value = deployment.get("average_session_duration") if isinstance(deployment, dict) else None
    if not isinstance(value, str):
        return
    hint = duration_hint(value)
    try:
        if hint:
            raise ValueError(f"{value!r} is not a duration: write {hint}")
        manifest_seconds(value)
    except ValueError as error:
        line = document.lines.get("deployment/average_session_duration", 0)
        raise UsageError(
            f"field 'deployment/average_session_duration': {error}", display, line
        ) from None


def _check_size(display: str, document: YamlDocument) -> None:
    """``max_file_size`` reads as a size of at most 1 GiB (the schema checks only its shape)."""
    value = document.data.get(SIZE_KEY)
    if value is None:
        return
    line = document.lines.get(SIZE_KEY, 0)
    try:
        size = parse_size(value)
    except ValueError as error:
        raise UsageError(f"field '{SIZE_KEY}': {error}", display, line) from None
    if not 0 < size <= MAX_SETTABLE_BYTES:
        most = describe_size(MAX_SETTABLE_BYTES)
        reason = f"field '{SIZE_KEY}': {value!r} is not between 1 byte and {most}"
        raise UsageError(reason, display, line)


def find_config(start: Path) -> Path | None:
    """The nearest ``tcommlint.yaml``, or ``pyproject.toml`` with ``[tool.tcommlint]``, upward."""
    for directory in (start.resolve(), *start.resolve().parents):
        manifest = directory / MANIFEST_NAME
        if manifest.is_file():
            return manifest
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


# ``[tool.tcommlint]``, ``[tool.tcommlint.x]`` or dotted ``tool.tcommlint.x = ...`` keys; the
# rare ``[tool]`` + ``tcommlint = {...}`` spelling is not looked for (it would cost every run a
# TOML parse of every pyproject.toml that merely names tcommlint as a dependency).
_TOOL_TABLE = re.compile(
    rb"(?m)^[ \t]*(?:\[[ \t]*tool[ \t]*\.[ \t]*tcommlint\b|tool[ \t]*\.[ \t]*tcommlint[ \t]*\.)"
)


def _has_tool_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml has ``[tool.tcommlint]`` (in any TOML spelling).

    A file that mentions tcommlint but is not valid TOML counts, so the run reports the error.
    """
    content = read_bytes(pyproject, MAX_FILE_BYTES, settable=False).data
    if content is None:
        return True  # it is reported when read as the run's settings
    if not _TOOL_TABLE.search(content):
        return False
    import tomllib

    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):  # TOMLDecodeError is a ValueError
        return True
    tool = data.get("tool", {})
    return isinstance(tool, dict) and "tcommlint" in tool


def manifest_of(config: ConfigFile | None, default_name: str) -> Manifest:
    """The deployment description of a manifest, with the SPEC's defaults."""
    if config is None:
        return Manifest(name=default_name)
    deployment = config.data.get("deployment", {})
    duration = deployment.get("average_session_duration")
    return Manifest(
        name=deployment.get("name", default_name),
        app_path=deployment.get("app_path", "/api"),
        session_cookie=deployment.get("session_cookie", "JSESSIONID"),
        average_session_seconds=manifest_seconds(str(duration)) if duration is not None else 1800,
        concurrent_sessions=deployment.get("concurrent_sessions", 1000),
        login_changes_session_id=deployment.get("login_changes_session_id", True),
        session_id_in_url=deployment.get("session_id_in_url", False),
        ha_mode=deployment.get("ha_mode"),
        nginx_plus=deployment.get("nginx_plus", False),
        proxies=tuple(
            ProxyAddress(p.get("name", p["address"]), p["address"])
            for p in deployment.get("proxies", [])
        ),
        require=tuple(sorted(set(config.data.get("require", [])))),
        path=config.display,
        span=Span(config.display, 1, 1),
        field_spans=tuple(
            (field, Span(config.display, config.lines[f"deployment/{field}"], 1))
            for field in sorted(deployment)
            if f"deployment/{field}" in config.lines
        ),
    )
