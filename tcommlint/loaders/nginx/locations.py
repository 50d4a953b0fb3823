"""nginx's choice of a ``location`` as an ordered list of exclusive conditions.

``ngx_http_core_find_location``: an exact ``=`` location that equals the URI wins; else the
longest matching prefix is found (nested prefix locations inside it included); if it is
``^~`` the search stops; else the regex locations nested in the prefixes on the way (the
innermost first), then the server's regex locations in order of appearance, are tried; the
first that matches wins; else the longest prefix. Two prefixes that both match one URI are a
prefix of each other, so "longest" is an order by length. The search is made at simulation
time, once per path (``PlaceSearch``); each location's condition says "the search chooses this
location": the conditions exclude each other, so any order of the routes is right, and each
is one test however many locations the server has (a condition that denied every location
before it in the order grew with the square of their number). Matching is on the normalized
URI (decoded, slashes merged); ``;jsessionid=…`` stays in it. Named locations (``@x``) are
never matched.
"""

from __future__ import annotations

import re

from tcommlint.loaders.nginx.tree import Node
from tcommlint.pipeline.model import Condition, PlaceSearch, Term, Test
from tcommlint.records import NamedTuple


class Location(NamedTuple):
    """One ``location`` with its modifier, its pattern and the locations around it."""

    node: Node
    modifier: str  # "=", "^~", "~", "~*", "" (prefix) or "@" (named)
    pattern: str
    parents: tuple[Node, ...]  # enclosing locations, outermost first
    prefix_parent: str  # the pattern of the innermost enclosing prefix location ("" none)


def location_text(location: Location) -> str:
    """``location = /x``, ``location /x``, ``location @name`` as written."""
    if location.modifier in ("", "@"):
        return f"location {location.pattern}"
    return f"location {location.modifier} {location.pattern}"


def location_of(node: Node, parents: tuple[Node, ...], prefix_parent: str) -> Location:
    """A ``location`` directive's modifier and pattern (``=/x`` and ``= /x`` alike)."""
    args = node.args
    if len(args) == 2:
        return Location(node, args[0], args[1], parents, prefix_parent)
    value = args[0] if args else ""
    for modifier in ("=", "~*", "~", "^~"):
        if value.startswith(modifier) and len(value) > len(modifier):
            return Location(node, modifier, value[len(modifier) :], parents, prefix_parent)
    if value.startswith("@"):
        return Location(node, "@", value, parents, prefix_parent)
    return Location(node, "", value, parents, prefix_parent)


def all_locations(server: Node) -> list[Location]:
    """Every location of a server block, nested ones included, in order of appearance."""
    found: list[Location] = []

    def walk(node: Node, parents: tuple[Node, ...], prefix_parent: str) -> None:
        for child in node.all("location"):
            location = location_of(child, parents, prefix_parent)
            found.append(location)
            inner = location.pattern if location.modifier in ("", "^~") else prefix_parent
            walk(child, (*parents, child), inner)

    walk(server, (), "")
    return found


def python_regex(pattern: str) -> str:
    """A PCRE pattern as Python reads it (``(?<name>…)`` is ``(?P<name>…)``)."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)


class _Precedence(NamedTuple):
    """A server's matchable locations grouped as nginx tries them."""

    exact: list[Location]  # in the order written
    prefixes: list[Location]  # plain and ``^~``, longest first
    patterns: list[Location]  # regexes nested in prefixes (innermost first), then the others

    def ordered(self) -> list[Location]:
        """Exact ones, ``^~`` prefixes, regexes, the other prefixes: the order of precedence."""
        stops = [loc for loc in self.prefixes if loc.modifier == "^~"]
        plain = [loc for loc in self.prefixes if loc.modifier == ""]
        return [*self.exact, *stops, *self.patterns, *plain]


def _precedence(locations: list[Location]) -> _Precedence:
    prefixes = sorted(
        (loc for loc in locations if loc.modifier in ("", "^~")),
        key=lambda loc: len(loc.pattern),
        reverse=True,
    )
    regexes = [loc for loc in locations if loc.modifier in ("~", "~*")]
    nested = sorted(
        (loc for loc in regexes if loc.prefix_parent),
        key=lambda loc: len(loc.parents),
        reverse=True,
    )
    outer = [loc for loc in regexes if not loc.prefix_parent]
    exact = [loc for loc in locations if loc.modifier == "="]
    return _Precedence(exact, prefixes, [*nested, *outer])


def _search(precedence: _Precedence, names: dict[int, str]) -> PlaceSearch:
    """The search that chooses among the locations, each named by ``names`` (by node id)."""
    return PlaceSearch(
        exact=tuple((loc.pattern, names[id(loc.node)]) for loc in precedence.exact),
        prefixes=tuple(
            (loc.pattern, names[id(loc.node)], loc.modifier == "^~") for loc in precedence.prefixes
        ),
        patterns=tuple(
            (python_regex(loc.pattern), loc.modifier == "~", loc.prefix_parent, names[id(loc.node)])
            for loc in precedence.patterns
        ),
    )


def conditions(locations: list[Location]) -> list[tuple[Location, Condition]]:
    """Every matchable location, in nginx's order of precedence, with the condition under which
    nginx selects it: that the server's search (``PlaceSearch``) chooses it for the path. One
    test each, whatever the number of locations."""
    precedence = _precedence(locations)
    names = {id(loc.node): str(number) for number, loc in enumerate(locations)}
    search = _search(precedence, names)
    chosen: list[tuple[Location, Condition]] = []
    for location in precedence.ordered():
        text = location_text(location)
        test = Test("place", "exact", values=(names[id(location.node)],), text=text, search=search)
        chosen.append((location, Condition(((Term((test,)),),), text=text)))
    return chosen
