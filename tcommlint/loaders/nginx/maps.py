"""nginx ``map`` blocks (ngx_http_map_module) as ordered tests on a request.

nginx computes a map's variable when a directive reads it: the source value is looked up among
the exact entries (compared ignoring case: ``ngx_hash_add_key`` lower-cases the keys and
``ngx_http_map_find`` the value), then tried against the regexes (``~`` case-sensitive, ``~*``
not) in the order written, skipped for an empty value; no match gives ``default`` (the empty
string without one). A key starting with ``\\`` is an exact key without it.

A map is modelled when its source is one variable the model reads (``variables.py``) and
every value is literal text. The rest stays outside the model, with the reason: ``hostnames``
(masks and a trailing dot), ``include`` (the entries are in a file not read here), a value
made of variables (``$1``, a named capture), a regex Python's ``re`` would read otherwise than
nginx's PCRE, or one whose run time is not bounded (``pipeline/regex.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tcommlint.loaders.nginx.locations import python_regex
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.variables import single_sample, variables_in
from tcommlint.pipeline.model import Sample, Term, Test
from tcommlint.pipeline.regex import bounded
from tcommlint.records import NamedTuple

# PCRE syntax Python's ``re`` refuses or reads otherwise: \z \Z \G \K \R \h \H \v \V \X \p \P
# \Q…\E \e \c \o{ \x{ \N \g \k, possessive quantifiers, (?| (*VERB) recursion, POSIX classes.
_PCRE_ONLY = re.compile(
    r"\\[zZGKRhHvVXpPQEecgkN]|\\[ox]\{|[*+?}]\+|\(\?[|R&+\-0-9]|\(\?P>|\(\*|\[\[:"
)


class MapEntry(NamedTuple):
    """One entry of a map: the tests that must all hold (none for the default) and the value
    it gives."""

    terms: tuple[Term, ...]
    value: str
    node: Node


class VariableMap(NamedTuple):
    """A map's entries in nginx's order of precedence, the default last; ``problem`` says why
    the map is outside the model ("" when it is modelled)."""

    variable: str  # lower case, without ``$``
    node: Node
    entries: tuple[MapEntry, ...]
    problem: str = ""
    at: Node | None = None  # the entry the problem is in (None: the map itself)


def pcre_reads_alike(pattern: str) -> bool:
    """Whether Python's ``re`` reads an nginx (PCRE) regex as PCRE does, in bounded time."""
    return not _PCRE_ONLY.search(pattern) and bounded(python_regex(pattern))


def maps_by_variable(http: Iterable[Node]) -> dict[str, VariableMap]:
    """The maps of the ``http`` level, by the (lower-cased) variable each defines."""
    found: dict[str, VariableMap] = {}
    for node in http:
        if node.name == "map" and len(node.args) == 2:
            variable = node.args[1].removeprefix("$").strip("{}").lower()
            found.setdefault(variable, _map(node, variable))
    return found


def _map(node: Node, variable: str) -> VariableMap:
    sample = single_sample(node.args[0])
    if sample is None:
        return VariableMap(variable, node, (), f"its source '{node.args[0]}' is outside the model")
    exact: dict[str, tuple[list[str], Node]] = {}  # by value: its keys, its first entry
    regexes: list[MapEntry] = []
    default: MapEntry | None = None
    for entry in node.children:
        key, values = entry.name, entry.args
        if key in ("hostnames", "include") or len(values) != 1:
            if key == "volatile" and not values:
                continue
            return VariableMap(
                variable, node, (), f"'{entry.directive.text}' is not modelled", entry
            )
        value = values[0]
        if "$" in value or variables_in(value):
            reason = f"'{entry.directive.text}': the value is computed"
            return VariableMap(variable, node, (), reason, entry)
        if key == "default":
            default = default or MapEntry((), value, entry)
        elif key.startswith("~"):
            terms = _regex_terms(key, sample, entry)
            if terms is None:
                reason = f"'{entry.directive.text}': nginx's PCRE may read this regex otherwise"
                return VariableMap(variable, node, (), reason, entry)
            regexes.append(MapEntry(terms, value, entry))
        else:
            exact.setdefault(value, ([], entry))[0].append(key[1:] if key[:1] == "\\" else key)
    default = default or MapEntry((), "", node)
    return VariableMap(variable, node, (*_exact(exact, sample), *regexes, default))


def _exact(exact: dict[str, tuple[list[str], Node]], sample: Sample) -> list[MapEntry]:
    """The exact entries, one test per value: nginx tries them before any regex, and no two
    keys are equal ignoring case (``nginx -t``: "conflicting parameter"), so their order does
    not matter."""
    entries = []
    for value, (keys, node) in exact.items():
        text = keys[0] if len(keys) == 1 else f"{keys[0]} (and {len(keys) - 1} more keys)"
        test = Test(
            "sample", "exact", values=tuple(keys), case_sensitive=False, text=text, sample=sample
        )
        entries.append(MapEntry((Term((test,)),), value, node))
    return entries


def _regex_terms(key: str, sample: Sample, entry: Node) -> tuple[Term, ...] | None:
    nocase = key.startswith("~*")
    pattern = key[2:] if nocase else key[1:]
    if not pattern or not pcre_reads_alike(pattern):
        return None
    regex = python_regex(pattern)
    text = entry.directive.text
    test = Test(
        "sample", "regex", values=(regex,), case_sensitive=not nocase, text=text, sample=sample
    )
    if re.search(regex, "", re.IGNORECASE if nocase else 0) is None:
        return (Term((test,)),)
    # nginx tries no regex on an empty value: the entry needs one character at least
    filled = Test("sample", "regex", values=("[\\s\\S]",), text=text, sample=sample)
    return (Term((filled,)), Term((test,)))
