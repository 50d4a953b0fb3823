"""The values nginx's own slot handlers check (``src/core/ngx_conf_file.c``), with their words.

``ngx_conf_set_num_slot`` takes ``ngx_atoi`` (digits only: no sign, no variable);
``…_size_slot`` ``ngx_parse_size`` (digits, then ``k`` or ``m``); ``…_off_slot``
``ngx_parse_offset`` (``k``, ``m`` or ``g``); ``…_msec_slot`` and ``…_sec_slot``
``ngx_parse_time`` (``durations.nginx_time``); ``…_enum_slot`` one name of the module's
``ngx_conf_enum_t`` array and ``…_bitmask_slot`` names of its ``ngx_conf_bitmask_t`` array,
both matched without regard to case. No slot expands variables: nginx refuses a ``$name`` in
these values as it refuses any other word (``proxy_next_upstream_tries $n;`` is "invalid
number"). A directive with a handler of its own is not checked here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.durations import nginx_time
from tcommlint.loaders.nginx.table import Definition

MAX_INT = 2**63 - 1  # NGX_MAX_INT_T_VALUE, NGX_MAX_SIZE_T_VALUE, NGX_MAX_OFF_T_VALUE (64 bits)
_SIZE_UNITS = {"k": 1024, "m": 1024**2}
_OFFSET_UNITS = {**_SIZE_UNITS, "g": 1024**3}


def value_error(name: str, definition: Definition, args: Sequence[str]) -> str | None:
    """nginx's refusal of a directive's values, or None when its slot accepts them."""
    # A one-argument (NGX_CONF_FLAG) directive whose handler is its own (``ssl``) hands the
    # value to ngx_conf_set_flag_slot; one with another slot (``ssl_ocsp``: an enum) does not.
    slot = definition.slot or ("flag" if "flag" in definition.args else "")
    if not slot or not args:
        return None
    if slot == "bitmask":
        names = {value.lower() for value in definition.values}
        wrong = [value for value in args if value.lower() not in names]
        return f'invalid value "{wrong[0]}"' if wrong else None
    value = args[0]
    if slot == "enum":
        known = value.lower() in {v.lower() for v in definition.values}
        return None if known else f'invalid value "{value}"'
    if slot == "flag":
        if value.lower() in ("on", "off"):
            return None
        return f'invalid value "{value}" in "{name}" directive, it must be "on" or "off"'
    if slot == "num":
        return None if _number(value) is not None else f'"{name}" directive invalid number'
    if _PARSERS[slot](value) is None:
        return f'"{name}" directive invalid value'
    return None


def _number(text: str) -> int | None:
    """``ngx_atoi``: decimal digits only, at most NGX_MAX_INT_T_VALUE."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_INT else None


def _scaled(text: str, units: dict[str, int]) -> int | None:
    """``ngx_parse_size``/``ngx_parse_offset``: a number with an optional unit letter."""
    scale = units.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    number = _number(digits)
    if number is None or number > MAX_INT // scale:
        return None
    return number * scale


def _size(text: str) -> int | None:
    return _scaled(text, _SIZE_UNITS)


def _offset(text: str) -> int | None:
    return _scaled(text, _OFFSET_UNITS)


def _msec(text: str) -> int | None:
    return nginx_time(text, seconds=False)


def _sec(text: str) -> int | None:
    return nginx_time(text, seconds=True)


_PARSERS = {"size": _size, "off": _offset, "msec": _msec, "sec": _sec}
