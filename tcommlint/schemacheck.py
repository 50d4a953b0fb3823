"""A quick yes for valid data against the JSON Schema keywords tcommlint's own schemas use.

``jsonschema`` takes longer to import than a small run takes; most manifests are valid, so
``surely_valid`` answers True only when the data certainly passes (the same ``$`` rule as
``yamlread``'s validator). False means "ask jsonschema", which finds and words the error.
"""

from __future__ import annotations

import re
from typing import Any

_ANNOTATIONS = frozenset(("$schema", "$id", "$defs", "$comment", "title", "description"))
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "object": (dict,),
    "array": (list,),
    "boolean": (bool,),
    "null": (type(None),),
}


class _Unsure(Exception):
    """A keyword or value outside what this module decides exactly."""


def surely_valid(schema: dict[str, Any], data: Any) -> bool:
    """True when ``data`` is valid against ``schema``; False when invalid or undecided."""
    try:
        return _valid(schema, data, schema)
    except (_Unsure, RecursionError):
        return False


def _valid(schema: Any, data: Any, root: dict[str, Any]) -> bool:
    if not isinstance(schema, dict):
        raise _Unsure
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "additionalProperties":
            valid = _additional(value, schema.get("properties", {}), data, root)
        elif keyword in _KEYWORDS:
            valid = _KEYWORDS[keyword](value, data, root)
        else:
            raise _Unsure
        if not valid:
            return False
    return True


def _type(name: Any, data: Any, root: dict[str, Any]) -> bool:
    if name == "integer":
        if isinstance(data, float):
            raise _Unsure  # 1.0 is an integer to JSON Schema
        return isinstance(data, int) and not isinstance(data, bool)
    if not isinstance(name, str) or name not in _TYPES:
        raise _Unsure
    return isinstance(data, _TYPES[name])


def _enum(values: Any, data: Any, root: dict[str, Any]) -> bool:
    if not isinstance(data, str) or not all(isinstance(v, str) for v in values):
        raise _Unsure  # 1 == True == 1.0 in Python, not in JSON Schema
    return data in values


def _ref(target: Any, data: Any, root: dict[str, Any]) -> bool:
    prefix = "#/$defs/"
    if not isinstance(target, str) or not target.startswith(prefix):
        raise _Unsure
    name = target[len(prefix) :]
    if "/" in name or "~" in name or name not in root.get("$defs", {}):
        raise _Unsure
    return _valid(root["$defs"][name], data, root)


def _object(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    if not all(isinstance(key, str) for key in data):
        raise _Unsure
    return data


def _properties(properties: Any, data: Any, root: dict[str, Any]) -> bool:
    found = _object(data)
    if found is None:
        return True
    return all(_valid(properties[k], v, root) for k, v in found.items() if k in properties)


def _additional(schema: Any, known: Any, data: Any, root: dict[str, Any]) -> bool:
    """``additionalProperties``: keys that its sibling ``properties`` does not name."""
    found = _object(data)
    if found is None:
        return True
    extra = [value for key, value in found.items() if key not in known]
    if schema is False:
        return not extra
    return all(_valid(schema, value, root) for value in extra)


def _required(names: Any, data: Any, root: dict[str, Any]) -> bool:
    found = _object(data)
    return found is None or all(name in found for name in names)


def _property_names(schema: Any, data: Any, root: dict[str, Any]) -> bool:
    found = _object(data)
    return found is None or all(_valid(schema, key, root) for key in found)


def _pattern(regex: Any, data: Any, root: dict[str, Any]) -> bool:
    if not isinstance(data, str):
        return True
    if regex.endswith("$") and not regex.endswith("\\$"):
        regex = regex[:-1] + r"\Z"
    return re.search(regex, data) is not None


def _min_length(size: Any, data: Any, root: dict[str, Any]) -> bool:
    return not isinstance(data, str) or len(data) >= size


def _number(data: Any) -> bool:
    return isinstance(data, int | float) and not isinstance(data, bool)


def _minimum(bound: Any, data: Any, root: dict[str, Any]) -> bool:
    return not _number(data) or data >= bound


def _maximum(bound: Any, data: Any, root: dict[str, Any]) -> bool:
    return not _number(data) or data <= bound


def _items(schema: Any, data: Any, root: dict[str, Any]) -> bool:
    return not isinstance(data, list) or all(_valid(schema, item, root) for item in data)


def _unique(unique: Any, data: Any, root: dict[str, Any]) -> bool:
    if unique is not True or not isinstance(data, list):
        return True
    if not all(isinstance(item, str) for item in data):
        raise _Unsure
    return len(set(data)) == len(data)


def _one_of(schemas: Any, data: Any, root: dict[str, Any]) -> bool:
    return sum(_valid(schema, data, root) for schema in schemas) == 1


_KEYWORDS = {
    "type": _type,
    "enum": _enum,
    "$ref": _ref,
    "properties": _properties,
    "required": _required,
    "propertyNames": _property_names,
    "pattern": _pattern,
    "minLength": _min_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "items": _items,
    "uniqueItems": _unique,
    "oneOf": _one_of,
}
