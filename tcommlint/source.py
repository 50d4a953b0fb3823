"""Positions: every value in the model knows the file, line and column it came from."""

from __future__ import annotations

from typing import Generic, TypeVar

from tcommlint.records import NamedTuple

T = TypeVar("T")


class Span(NamedTuple):
    """A 1-based position in a source file; ``path`` is relative to the working directory."""

    path: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @classmethod
    def parse(cls, text: str) -> Span:
        """Read back the ``path:line:col`` form produced by ``str()``."""
        path, line, column = text.rsplit(":", 2)
        return cls(path, int(line), int(column))


class Located(NamedTuple, Generic[T]):
    """A value with the span of the text that set it.

    ``inherited`` marks a value the product would take from a default (HAProxy ``defaults``,
    an F5 ``defaults-from`` parent, a built-in default); the span then points at the line
    that inherited it, and ``note`` says where the value came from.
    """

    value: T
    span: Span
    inherited: bool = False
    note: str = ""


def loc(span: Span | None) -> str:
    """The ``path:line:col`` string of a span ("" when there is none)."""
    return str(span) if span is not None else ""
