"""Read tcommlint's own YAML files (rules, manifests) into plain data with line numbers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from tcommlint.errors import UsageError
from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP


class YamlDocument(NamedTuple):
    """Plain data and the 1-based line of every field, keyed by ``a/b/0`` paths."""

    data: Any
    lines: dict[str, int]


def read_yaml(path: str, text: str) -> YamlDocument:
    """Parse ``text``; syntax errors and duplicate keys become a UsageError naming path and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    deep = too_deep(text)
    if deep is not None:
        raise UsageError(f"invalid YAML: {NESTED_TOO_DEEP}", path, deep[0])
    yaml = YAML(typ="rt", pure=False)
    lines: dict[str, int] = {}
    try:
        return YamlDocument(_plain(yaml.load(text), "", lines), lines)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise UsageError(f"invalid YAML: {error.problem or error.context}", path, line) from None
    except YAMLError as error:
        raise UsageError(f"invalid YAML: {error}", path) from None
    except RecursionError:
        raise UsageError("invalid YAML: nested too deeply", path) from None
    except ValueError as error:  # a value ruamel cannot build: an integer of 5,000 digits
        reason = "an integer too long to read" if "digits" in str(error) else str(error)
        raise UsageError(f"invalid YAML: {reason}", path) from None
    except (AttributeError, TypeError):  # ruamel building a tag on the wrong node: !!set x
        raise UsageError("invalid YAML: a tag on a value of the wrong kind", path) from None


def too_deep(text: str) -> tuple[int, int] | None:
    """The 1-based line and column of the collection that opens level ``MAX_DEPTH + 1``.

    The one YAML depth bound, for every YAML tcommlint reads. It reads the event stream, whose
    parser keeps a stack instead of recursing, and stops there: linear in the text before
    that point. Composers recurse per level, and ruamel's C composer crashes the process
    near 30,000 levels. A syntax error is left to the composer, which reports it.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, ValueError):
        return None
    return None


def _plain(node: Any, where: str, lines: dict[str, int]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            child = f"{where}/{key}" if where else str(key)
            position = node.lc.key(key)  # None for a key merged in by "<<"
            lines[child] = (position[0] if position else node.lc.line) + 1
            result[str(key)] = _plain(value, child, lines)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = f"{where}/{index}" if where else str(index)
            lines[child] = node.lc.item(index)[0] + 1
            items.append(_plain(value, child, lines))
        return items
    if isinstance(node, bool | int | float) or node is None:
        return node
    return str(node)


def validate(path: str, document: YamlDocument, schema: dict[str, Any]) -> None:
    """Validate against a JSON Schema; the first error names the field and its line."""
    import jsonschema

    validator = _validator_class()(schema)
    errors = sorted(validator.iter_errors(document.data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors) or errors[0]
    field = "/".join(str(part) for part in error.absolute_path)
    line = _nearest_line(document.lines, "/".join(filter(None, (field, _unknown_key(error)))))
    label = f"field '{field}'" if field else "top level"
    raise UsageError(f"{label}: {_reason(error)}", path, line)


@cache
def _validator_class() -> Any:
    """Draft 2020-12 with JSON Schema's own ``$`` in patterns: the end of the text, not also
    before a newline that ends it (``session_cookie: "JSESSIONID\\n"`` is no cookie name)."""
    import jsonschema

    def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not re.search(_ecma_end(regex), instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {regex!r}")

    extend: Any = jsonschema.validators.extend  # untyped in the stubs
    return extend(jsonschema.Draft202012Validator, {"pattern": pattern})


def _ecma_end(regex: str) -> str:
    """``regex`` with a final ``$`` that matches only at the very end, as in JavaScript."""
    if regex.endswith("$") and not regex.endswith("\\$"):
        return regex[:-1] + r"\Z"
    return regex


def _nearest_line(lines: dict[str, int], field: str) -> int:
    while field:
        if field in lines:
            return lines[field]
        field = field.rpartition("/")[0]
    return 0


def _reason(error: Any) -> str:
    if error.validator == "pattern" and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    if error.validator == "additionalProperties":
        from tcommlint.expr import closest_within

        known = sorted(error.schema.get("properties", {}))
        extra = []
        for key in sorted(set(error.instance) - set(known)):
            guess = closest_within(key, known, 2)
            extra.append(f"{key!r} (did you mean {guess!r}?)" if guess else repr(key))
        return f"unknown key {', '.join(extra)}"
    return str(error.message)


def _unknown_key(error: Any) -> str:
    """The first key that ``additionalProperties`` refuses, else ""."""
    if error.validator != "additionalProperties":
        return ""
    known = error.schema.get("properties", {})
    return min((str(key) for key in error.instance if key not in known), default="")
