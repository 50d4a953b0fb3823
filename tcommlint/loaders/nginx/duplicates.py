"""A directive set twice in one block: ``"keepalive_timeout" directive is duplicate``.

nginx's slot handlers (``ngx_conf_set_flag_slot``, ``…_str_slot``, ``…_num_slot``,
``…_msec_slot``, ``…_enum_slot``…) and a few handlers of their own (``proxy_pass``,
``keepalive_timeout``, ``root``/``alias``…) test their field before setting it and refuse it
when it is set already; the table names that field (``Definition.field``). Each ``http``,
``server``, ``location``, ``if``, ``limit_except`` and ``upstream`` block has configuration
structures of its own, so the test is per block: a value of an enclosing block is inherited
later (at merge), never a duplicate, and an ``include`` adds to the block it stands in. The
handler tests the field before it reads the values: a second occurrence with a bad value is
"is duplicate", not "invalid value". Array directives (``proxy_set_header``, ``add_header``,
``proxy_next_upstream``…) add to what is set and have no field.
"""

from __future__ import annotations

_ROOT_FIELD = "ngx_http_core_loc_conf_t.root"


class BlockFields:
    """The fields set so far in each open block, innermost last."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, str]] = [{}]

    def enter(self) -> None:
        """A block opens: its structures are new."""
        self.blocks.append({})

    def leave(self) -> None:
        """The innermost block closes."""
        self.blocks.pop()

    def refusal(self, name: str, field: str) -> str | None:
        """nginx's words when ``field`` is set already in this block; else it is now set."""
        if not field:
            return None
        first = self.blocks[-1].get(field)
        if first is None:
            self.blocks[-1][field] = name
            return None
        if field == _ROOT_FIELD and first != name:
            # ngx_http_core_root names the other directive in its own message
            return f'"{name}" directive is duplicate, "{first}" directive was specified earlier'
        return f'"{name}" directive is duplicate'
