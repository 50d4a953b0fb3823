"""Persistence described in one line per mechanism, for ``show``, reports and ``diff``."""

from __future__ import annotations

from tcommlint.durations import human_duration
from tcommlint.pipeline.model import LbCookie, Persistence, Table


def describe_persistence(persistence: Persistence, tables: dict[str, Table]) -> list[str]:
    """One line per mechanism, in lookup order."""
    lines = [
        f"use-server {rule.server} {rule.when.text}".rstrip() for rule in persistence.server_rules
    ]
    lines += [
        f"{rule.kind}-persist {rule.when.text}".rstrip() for rule in persistence.persist_rules
    ]
    if persistence.cookie is not None:
        lines.append(_cookie_text(persistence.cookie))
    for rule in persistence.stick_rules:
        table = tables.get(rule.table)
        lines.append(f"stick {rule.action} {rule.key.text} in {_table_text(rule.table, table)}")
    return lines


def _cookie_text(cookie: LbCookie) -> str:
    options = [
        name
        for name, on in (
            ("indirect", cookie.indirect),
            ("postonly", cookie.postonly),
            ("preserve", cookie.preserve),
            ("dynamic", cookie.dynamic),
        )
        if on
    ]
    for name, value in (("maxidle", cookie.max_idle), ("maxlife", cookie.max_life)):
        if value is not None:
            options.append(f"{name} {human_duration(value.value)}")
    return f"cookie {cookie.name.value} {cookie.mode.value} {' '.join(options)}".rstrip()


def _table_text(name: str, table: Table | None) -> str:
    if table is None:
        return f"table {name} (not defined)"
    expire = table.expire.value if table.expire is not None else None
    life = "no expiry" if expire is None else f"expire {human_duration(expire)}"
    size = "unbounded" if table.size is None else f"size {table.size}"
    length = f" len {table.key_len}" if table.key_len else ""
    return f"table {name} ({table.key_type}{length}, {size}, {life})"
