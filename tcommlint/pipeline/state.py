"""Persistence tables during a simulation: keys as the table stores them, expiry, capacity.

Keys are converted to the table's type as HAProxy does before storing or looking up: a string
or binary key is cut to the table's length (32 by default), an integer table takes only a
value that is a whole decimal number, an address table only an address. When a table is full
the entry touched longest ago makes room (HAProxy purges the oldest), unless ``nopurge``
refuses the new entry. Each key remembers what happened to it, so a miss can say why.
"""

from __future__ import annotations

import math

from tcommlint.pipeline.model import StickRule, Table
from tcommlint.records import NamedTuple

DEFAULT_KEY_LENGTH = 32


class TableMiss(NamedTuple):
    """Why a key was not found: ``never-stored``, ``expired``, ``evicted`` or ``refused``."""

    kind: str


class StoredServer(NamedTuple):
    """What an entry remembers of a server: its id, name and node (HAProxy ``srvkey``)."""

    number: int
    name: str
    node: str


class _Entry:
    __slots__ = ("raw", "server", "touched")

    def __init__(self, server: StoredServer, touched: float, raw: str) -> None:
        self.server = server
        self.touched = touched
        self.raw = raw


class Tables:
    """The content of every table during one simulated run."""

    def __init__(self, tables: dict[str, Table], scale: float) -> None:
        self.entries: dict[str, dict[str, _Entry]] = {name: {} for name in tables}
        self.history: dict[str, dict[str, str]] = {name: {} for name in tables}
        self.raw: dict[str, str] = {}
        self.capacity = {
            name: None if table.size is None else math.floor(table.size * scale)
            for name, table in tables.items()
        }

    def key(self, table: Table, value: str) -> str | None:
        """The key a value becomes in the table, or None when the type cannot hold it."""
        key = convert_key(table, value)
        if key is not None:
            self.raw[f"{table.name}\0{key}"] = value
        return key

    def lookup(self, table: Table, key: str, now: float) -> StoredServer | TableMiss:
        """The server stored for the key, touching the entry, or why there is none."""
        entries = self.entries[table.name]
        entry = entries.get(key)
        if entry is not None and _expired(table, entry, now):
            del entries[key]
            self.history[table.name][key] = "expired"
            entry = None
        if entry is None:
            return TableMiss(self.history[table.name].get(key, "never-stored"))
        entry.touched = now
        entries[key] = entries.pop(key)  # most recently used last
        return entry.server

    def store(
        self, table: Table, key: str, server: StoredServer, now: float, rule: StickRule
    ) -> None:
        """Store (or overwrite) the server of a key."""
        entries = self.entries[table.name]
        raw = self.raw.get(f"{table.name}\0{key}", key)
        if key in entries:
            entries.pop(key)
        else:
            capacity = self.capacity[table.name]
            if capacity is not None and len(entries) >= capacity:
                if table.nopurge or not entries:
                    self.history[table.name][key] = "refused" if table.nopurge else "evicted"
                    return
                oldest = next(iter(entries))
                del entries[oldest]
                self.history[table.name][oldest] = "evicted"
        entries[key] = _Entry(server, now, raw)
        self.history[table.name][key] = "stored"

    def stored_raw(self, table: Table, key: str) -> str:
        """The value whose key was stored last (it differs from a lookup's when keys collide)."""
        entry = self.entries[table.name].get(key)
        return entry.raw if entry is not None else ""


def _expired(table: Table, entry: _Entry, now: float) -> bool:
    if table.expire is None or table.expire.value is None:
        return False
    return now - entry.touched > table.expire.value


def _leading_integer(value: str) -> str | None:
    """HAProxy's string-to-integer cast: an optional sign and the leading digits (0 when
    there are none), 32 bits wide in a table; an empty string has no integer."""
    if not value:
        return None
    sign = -1 if value[:1] == "-" else 1
    body = value[1:] if value[:1] in "+-" else value
    digits = len(body) - len(body.lstrip("0123456789"))
    number = sign * int(body[:digits] or "0")
    return str(number & 0xFFFFFFFF)


def convert_key(table: Table, value: str) -> str | None:
    """A sample's string value as a key of the table's type."""
    kind = table.key_type
    if kind in ("string", "binary"):
        return value[: table.key_len or DEFAULT_KEY_LENGTH]
    if kind == "integer":
        return _leading_integer(value)
    if kind in ("ip", "ipv4", "ipv6"):
        import ipaddress  # only address tables need it

        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return None
    return value
