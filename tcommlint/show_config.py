"""``check --show-config``: the effective settings, each with where it came from."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from tcommlint.durations import human_duration
from tcommlint.engine import Selection
from tcommlint.settings import ConfigFile, display_path, manifest_of

COMMAND_LINE = "command line"
_EMPTY = {"select": "(all)", "ignore": "(none)", "severity": "(defaults)", "mandatory": "(none)"}


def render(
    args: Any, config: ConfigFile | None, selection: Selection, cwd: Path, known: Collection[str]
) -> str:
    """The run's settings, then, when ``args.paths`` names deployments, each one's manifest
    settings and the rule settings that apply to it."""
    data = config.data if config else {}
    origin = config.display if config else "default"
    lines = [
        f"config: {config.display if config else '(none)'}",
        _setting("format", args.format, data.get("format"), "text", origin),
        _setting("fail_on", args.fail_on, data.get("fail_on"), "warning", origin),
        _rule_dirs(data.get("rule_dirs", []), args.rules, origin),
        *_rule_settings(selection, [config], ""),
    ]
    if args.paths:
        lines.extend(_deployments(args.paths, cwd, config, selection, known))
    return "\n".join(lines) + "\n"


def _setting(name: str, given: str | None, in_file: str | None, default: str, origin: str) -> str:
    if given is not None:
        return f"{name}: {given} ({COMMAND_LINE})"
    if in_file is not None:
        return f"{name}: {in_file} ({origin})"
    return f"{name}: {default} (default)"


def _rule_dirs(in_file: list[str], given: list[str], origin: str) -> str:
    groups = [(in_file, origin), (given, COMMAND_LINE)]
    shown = [f"{', '.join(dirs)} ({source})" for dirs, source in groups if dirs]
    return f"rule_dirs: {'; '.join(shown) or '(bundled only)'}"


def _rule_settings(
    selection: Selection, configs: list[ConfigFile | None], indent: str
) -> list[str]:
    """select, ignore, severity and mandatory as the run merges them, each value with the
    closest source that sets it (the command line, then the nearest file)."""
    from tcommlint.run import _merge  # the merge the run itself applies

    merged = _merge(selection, *configs)
    sources = [(COMMAND_LINE, _as_table(selection))]
    sources += [(c.display, c.rules()) for c in reversed(configs) if c is not None]
    values: dict[str, Iterable[str]] = {
        "select": sorted(merged.select),
        "ignore": sorted(merged.ignore),
        "severity": [rule_id for rule_id, _ in merged.severity],
        "mandatory": sorted(merged.mandatory),
    }
    levels = dict(merged.severity)
    lines = []
    for field, rule_ids in values.items():
        groups: dict[str, list[str]] = {name: [] for name, _ in sources}
        for rule_id in rule_ids:
            source = next(name for name, table in sources if rule_id in table.get(field, ()))
            shown = f"{rule_id}={levels[rule_id]}" if field == "severity" else rule_id
            groups.setdefault(source, []).append(shown)
        text = "; ".join(f"{', '.join(ids)} ({source})" for source, ids in groups.items() if ids)
        lines.append(f"{indent}{field}: {text or _EMPTY[field]}")
    return lines


def _as_table(selection: Selection) -> dict[str, Collection[str]]:
    return {
        "select": selection.select,
        "ignore": selection.ignore,
        "severity": dict(selection.severity),
        "mandatory": selection.mandatory,
    }


def _deployments(
    paths: list[str],
    cwd: Path,
    config: ConfigFile | None,
    selection: Selection,
    known: Collection[str],
) -> list[str]:
    from tcommlint.discover import planned

    lines = []
    for plan, manifest in planned(paths, cwd, config):
        own = manifest if manifest is not config else None
        if own is not None:
            own.check_rule_ids(known)
        root = display_path(plan.root, cwd)
        described = manifest_of(manifest, plan.root.name if root in (".", "") else root)
        lines.append(f"deployment {described.name}: {root}")
        lines.append(f"  manifest: {manifest.display if manifest else '(none)'}")
        lines.extend(_described(described, manifest))
        lines.extend(_rule_settings(selection, [config, own], "  "))
    return lines


def _described(described: Any, manifest: ConfigFile | None) -> list[str]:
    """The ``deployment:`` fields, with the defaults of those the manifest leaves out."""
    written = manifest.data.get("deployment", {}) if manifest else {}
    proxies = ", ".join(f"{p.name}={p.address}" for p in described.proxies)
    fields = {
        "app_path": described.app_path,
        "session_cookie": described.session_cookie,
        "average_session_duration": written.get(
            "average_session_duration", human_duration(described.average_session_seconds)
        ),
        "concurrent_sessions": described.concurrent_sessions,
        "login_changes_session_id": str(described.login_changes_session_id).lower(),
        "session_id_in_url": str(described.session_id_in_url).lower(),
        "ha_mode": described.ha_mode or "(not stated)",
        "proxies": proxies or "(not stated)",
    }
    unset = {"ha_mode", "proxies"} - set(written)
    return [
        f"  {field}: {value}{'' if field in written or field in unset else ' (default)'}"
        for field, value in fields.items()
    ]
