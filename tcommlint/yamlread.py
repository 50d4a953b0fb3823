"""Read tcommlint's own YAML files (rules, manifests) into plain data with line numbers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from tcommlint.errors import UsageError
from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP
from tcommlint.records import NamedTuple


class YamlDocument(NamedTuple):
    """Plain data and the 1-based line of every field, keyed by ``a/b/0`` paths."""

    data: Any
    lines: dict[str, int]


def read_yaml(path: str, text: str) -> YamlDocument:
    """Parse ``text``; syntax errors and duplicate keys become a UsageError naming path and line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    bound = excess(text)
    if bound is not None:
        raise UsageError(f"invalid YAML: {bound.reason}", path, bound.line)
    yaml = YAML(typ="rt", pure=False)
    lines: dict[str, int] = {}
    try:
        return YamlDocument(_plain(yaml.load(text), "", lines), lines)
    except YAMLError as error:
        where = yaml_error(error, text)
        raise UsageError(f"invalid YAML: {where.reason}", path, where.line) from None
    except RecursionError:
        raise UsageError("invalid YAML: nested too deeply", path) from None
    except ValueError as error:  # a value ruamel cannot build: an integer of 5,000 digits
        reason = "an integer too long to read" if "digits" in str(error) else str(error)
        raise UsageError(f"invalid YAML: {reason}", path) from None
    except (AttributeError, TypeError):  # ruamel building a tag on the wrong node: !!set x
        raise UsageError("invalid YAML: a tag on a value of the wrong kind", path) from None


def yaml_error(error: Exception, text: str) -> Excess:
    """A YAML library error as one line, at its 1-based line and column (0 when unknown).

    The library's own text spans lines (the reason, then ``in "<unicode string>", line 3``);
    an exit-2 message and a finding are one line, and the position is given apart.
    """
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        reason = " ".join(part for part in (error.context, error.problem) if part)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        return Excess(line, column, _one_line(reason or str(error)))
    if isinstance(error, ReaderError) and isinstance(error.position, int):
        before = text[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        return Excess(line, column, _one_line(str(error)))
    return Excess(0, 0, _one_line(str(error)))


def _one_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable"


class Excess(NamedTuple):
    """Where a YAML text goes over a bound (1-based line and column), and which."""

    line: int
    column: int
    reason: str


ALIAS_BUDGET = 10_000
ALIAS_BOMB = "too many alias expansions (a YAML alias bomb?); refused"
RECURSIVE_ALIAS = "recursive alias (a collection contains itself); refused"


def excess(text: str) -> Excess | None:
    """The first place where ``text`` goes over a bound: nested deeper than ``MAX_DEPTH``, an
    alias to the collection it is in, or aliases that expand to more than ``ALIAS_BUDGET``
    nodes beyond those written (an alias bomb: a few lines that expand to billions of nodes).

    The one YAML bound, for every YAML tcommlint reads (configurations, manifests, rule
    files), checked before anything composes or expands the document. It reads the event
    stream, whose parser keeps a stack instead of recursing, once, keeping the expanded size
    of each anchored node: linear in the text before the excess. Composers recurse per level
    (ruamel's C composer crashes the process near 30,000 levels), and building the aliases out
    takes time and memory exponential in the lines of a bomb. A syntax error is left to the
    composer, which reports it.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    scan = _Expansion()
    try:
        for event in YAML(typ="safe", pure=False).parse(text):
            found = scan.event(event)
            if found is not None:
                return found
    except (YAMLError, ValueError):
        return None
    return None


class _Expansion:
    """Depth and expanded size of a YAML event stream, as it is read."""

    def __init__(self) -> None:
        self.open: list[list[Any]] = [[None, 0]]  # per open collection: its anchor, its size
        self.sizes: dict[str, int] = {}  # anchor → expanded size of the node it names
        self.written = 0
        self.expanded = 0

    def event(self, event: Any) -> Excess | None:
        from ruamel.yaml.events import (
            AliasEvent,
            CollectionEndEvent,
            CollectionStartEvent,
            ScalarEvent,
        )

        if isinstance(event, CollectionStartEvent):
            if len(self.open) > MAX_DEPTH:
                return _at(event, NESTED_TOO_DEEP)
            self.open.append([event.anchor, 1])
            self.written += 1
        elif isinstance(event, CollectionEndEvent):
            anchor, size = self.open.pop()
            if anchor is not None:
                self.sizes[anchor] = size
            self.open[-1][1] += size
        elif isinstance(event, ScalarEvent):
            self.written += 1
            if event.anchor is not None:
                self.sizes[event.anchor] = 1
            self.open[-1][1] += 1
        elif isinstance(event, AliasEvent):
            return self._alias(event)
        return None

    def _alias(self, event: Any) -> Excess | None:
        if any(anchor == event.anchor for anchor, _ in self.open[1:]):
            return _at(event, RECURSIVE_ALIAS)
        size = self.sizes.get(event.anchor, 1)
        self.open[-1][1] += size
        self.expanded += size
        if self.expanded > self.written + ALIAS_BUDGET:
            return _at(event, ALIAS_BOMB)
        return None


def _at(event: Any, reason: str) -> Excess:
    return Excess(event.start_mark.line + 1, event.start_mark.column + 1, reason)


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
    from tcommlint.schemacheck import surely_valid

    if surely_valid(schema, document.data):
        return
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
