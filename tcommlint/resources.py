"""Where the bundled rules and schemas live: beside the package, or inside it once installed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(checkout_name: str, installed_name: str) -> Path:
    installed = _PACKAGE / installed_name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / checkout_name


def rules_dir() -> Path:
    """The folder of the bundled rule files."""
    return _data_dir("rules", "_rules")


def schemas_dir() -> Path:
    """The folder of the published JSON Schemas."""
    return _data_dir("schemas", "_schemas")


COMPILED_RULES = "_rules_compiled.json"


def compiled_rules() -> dict[str, Any] | None:
    """The shipped artefact of the bundled rules (see ``ruleset.compile_bundled``), or None."""
    try:
        loaded: dict[str, Any] = json.loads((_PACKAGE / COMPILED_RULES).read_bytes())
    except (OSError, ValueError):
        return None
    return loaded


@cache
def schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by file name, e.g. ``rule.schema.json``."""
    loaded: dict[str, Any] = json.loads((schemas_dir() / name).read_text(encoding="utf-8"))
    return loaded


@cache
def known_keys() -> dict[str, dict[str, str]]:
    """Role → key → JSON type, from the proxy and server config schemas."""
    keys = {}
    for role in ("proxy", "server"):
        properties = schema(f"{role}-config.schema.json")["properties"]
        keys[role] = {key: spec["type"] for key, spec in properties.items()}
    return keys
