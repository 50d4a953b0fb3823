"""Reporters: ``render(result, cwd) -> str`` per output format; they never decide exit codes."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "html")


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of a format, imported on demand."""
    module: Any = import_module(f"tcommlint.reporters.{name}_report")
    render: Callable[..., str] = module.render
    return render
