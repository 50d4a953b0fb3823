"""Errors that end a run with exit code 2 and a one-line reason."""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments, an unreadable path, an invalid configuration or rule file."""

    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        return f"{where}: {self.message}" if where else self.message
