"""nginx 1.22's directives as Debian builds them, with NGINX Plus's: where each is allowed and
how many arguments it takes, and what nginx's own slot handler checks of its values.

The data (``directives.json``) is generated from the ``ngx_command_t`` arrays of the nginx
sources by ``scripts/nginx_directives.py``; a directive of a dynamic module (``stream``,
``mail``, geoip, perl…) counts only when a ``load_module`` names its shared object.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from tcommlint.records import NamedTuple


class Definition(NamedTuple):
    """One module's definition of a directive."""

    contexts: frozenset[str]
    args: frozenset[str]  # "0".."7" counts, "flag", "any", "1more", "2more", "block"
    load_module: str  # the shared object that must be loaded ("" when built in)
    plus: bool  # NGINX Plus only
    slot: str = ""  # nginx's slot handler: "flag", "num", "size", "off", "msec", "sec", "enum"…
    values: tuple[str, ...] = ()  # an "enum" or "bitmask" slot's names
    # the field its handler refuses to set twice in one block ("is duplicate"), or ""
    field: str = ""


@cache
def data() -> dict[str, Any]:
    """``directives.json``, read once: its ``directives`` and its ``variables``."""
    raw = resources.files("tcommlint.loaders.nginx").joinpath("directives.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(raw)
    return document


@cache
def definitions() -> dict[str, tuple[Definition, ...]]:
    """Every directive name → its definitions."""
    table = data()["directives"]
    return {
        name: tuple(
            Definition(
                frozenset(entry["contexts"]),
                frozenset(_counts(entry["args"])),
                entry.get("load_module", ""),
                bool(entry.get("plus", False)),
                entry.get("slot", ""),
                tuple(entry.get("values", ())),
                entry.get("field", ""),
            )
            for entry in entries
        )
        for name, entries in table.items()
    }


def _counts(args: str) -> list[str]:
    found: list[str] = []
    for part in args.split(","):
        found.extend(part if part.isdigit() else [part])
    return found


def arguments_fit(definition: Definition, count: int) -> bool:
    """Whether ``count`` arguments are allowed (``ngx_conf_handler``'s test)."""
    args = definition.args
    if "any" in args:
        return True
    if "flag" in args:
        return count == 1
    if "1more" in args:
        return count >= 1
    if "2more" in args:
        return count >= 2
    return str(count) in args
