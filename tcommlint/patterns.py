"""Regular expressions compiled on first use.

``re`` parses and compiles a pattern in Python, 30 to 150 µs each, and a module-level
``re.compile`` pays that at every start, which pre-commit makes every commit. A pattern that
a run may not need (a rare syntax, an error message, another vendor's spelling) is a
``LazyPattern``; one that every run of its module searches stays an ``re.compile``.
"""

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, AnyStr, Generic


class LazyPattern(Generic[AnyStr]):
    """``re.compile(pattern, flags)``, compiled when first searched."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern: AnyStr = pattern
        self.flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    def compiled(self) -> "re.Pattern[AnyStr]":
        """The compiled pattern."""
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> "re.Match[AnyStr] | None":
        return self.compiled().search(string, pos, endpos)

    def match(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> "re.Match[AnyStr] | None":
        return self.compiled().match(string, pos, endpos)

    def fullmatch(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> "re.Match[AnyStr] | None":
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(
        self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> "Iterator[re.Match[AnyStr]]":
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def sub(
        self,
        replacement: "AnyStr | Callable[[re.Match[AnyStr]], AnyStr]",
        string: AnyStr,
        count: int = 0,
    ) -> AnyStr:
        return self.compiled().sub(replacement, string, count)

    def split(self, string: AnyStr, maxsplit: int = 0) -> "list[AnyStr | None]":
        return self.compiled().split(string, maxsplit)
