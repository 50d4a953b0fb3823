"""What a request or response rule does to a message: header edits, regex replacements,
variables, and whether a path is still the application's."""

from __future__ import annotations

import re

from tcommlint.cookie_syntax import cookie_pairs
from tcommlint.pipeline.evaluate import (
    render,
)
from tcommlint.pipeline.http import (
    Request,
    Response,
)
from tcommlint.pipeline.model import (
    HeaderEdit,
    SetVar,
)
from tcommlint.pipeline.regex import compiled


def apply_edit(step: HeaderEdit, message: Request | Response) -> None:
    """Apply one header edit to a message."""
    name = step.header
    if step.action == "del":
        message.delete(name)
    elif step.action == "set":
        message.replace_all(name, [step.value])
    elif step.action == "add":
        message.add(name, step.value)
    elif step.action in ("substitute", "substitute-all"):
        count = 1 if step.action == "substitute" else 0
        regex = compiled(step.pattern)
        if regex is not None:
            message.replace_all(
                name, [_substituted(regex, step.value, v, count) for v in message.values(name)]
            )
    elif step.action in ("replace-header", "replace-value"):
        edited = []
        for value in message.values(name):
            if step.action == "replace-header":
                edited.append(replaced(step.pattern, step.value, value))
            else:
                parts = [replaced(step.pattern, step.value, p.strip()) for p in value.split(",")]
                edited.append(", ".join(parts))
        message.replace_all(name, edited)


def _substituted(regex: re.Pattern[str], replacement: str, value: str, count: int) -> str:
    """Apache ``Header edit`` (``count`` 1) and ``edit*`` (0: every match): the matched part
    only is replaced, ``\\g<N>`` references expanded."""
    try:
        return regex.sub(replacement, value, count=count)
    except (re.error, IndexError):
        return value


def replaced(pattern: str, replacement: str, value: str) -> str:
    """HAProxy's regex replacement (``replace-header``, ``replace-value``, ``replace-path``):
    when the regex matches anywhere in the value, the whole value becomes the replacement with
    its ``\\N`` references expanded (``exp_replace`` in src/regex.c)."""
    regex = compiled(pattern)
    match = regex.search(value) if regex is not None else None
    if match is None:
        return value
    try:
        return match.expand(java_groups(replacement))
    except (re.error, IndexError):
        return value


def java_groups(text: str) -> str:
    """HAProxy's ``\\1`` back-references as Python's ``\\g<1>``."""
    return re.sub(r"\\(\d)", r"\\g<\1>", text)


def set_var(step: SetVar, request: Request, response: Response | None) -> None:
    if step.value is None:
        request.vars.pop(step.name, None)
    elif not step.known:
        request.unknown_vars[step.name] = step
    else:
        request.vars[step.name] = render(step.value, request, response)


def in_app(path: str, app_path: str) -> bool:
    """Whether a request path is one of the application's (under the app path)."""
    path = path.partition(";")[0]
    return path == app_path or path.startswith(app_path.rstrip("/") + "/")


def cookie_values(headers: list[str], name: str) -> list[str]:
    return [value for header in headers for key, value in cookie_pairs(header) if key == name]
