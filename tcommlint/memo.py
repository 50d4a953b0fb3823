"""Values worked out once per object, for a bounded number of objects at a time.

For records that are equal by value but must be told apart by identity (a service, a search,
a block of directives), and that do not hold the value themselves: keyed by ``id``, with the
object held so that its id cannot be reused by another while the entry lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``make(key)`` once per key object; all entries are dropped when ``most`` are held."""

    __slots__ = ("_entries", "_make", "_most")

    def __init__(self, make: Callable[[K], V], most: int) -> None:
        self._make = make
        self._most = most
        self._entries: dict[int, tuple[K, V]] = {}

    def __call__(self, key: K) -> V:
        entry = self._entries.get(id(key))
        if entry is None or entry[0] is not key:
            if len(self._entries) >= self._most:
                self._entries.clear()
            entry = self._entries[id(key)] = (key, self._make(key))
        return entry[1]
