"""nginx's choice of a ``location`` as an ordered list of exclusive conditions.

``ngx_http_core_find_location``: an exact ``=`` location that equals the URI wins; else the
longest matching prefix is found (nested prefix locations inside it included); if it is
``^~`` the search stops; else the regex locations nested in the prefixes on the way (the
innermost first), then the server's regex locations in order of appearance, are tried; the
first that matches wins; else the longest prefix. Two prefixes that both match one URI are a
prefix of each other, so "longest" is an order by length. Each location's condition says
"this location and no location before it in that order": the conditions exclude each other,
so any order of the routes is right. Matching is on the normalized URI (decoded, slashes
merged); ``;jsessionid=…`` stays in it. Named locations (``@x``) are never matched.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tcommlint.loaders.nginx.tree import Node
from tcommlint.pipeline.model import Condition, Term, Test

MAX_LOCATIONS = 300  # conditions grow with the square of the count


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


def _test(location: Location) -> Test:
    modifier, pattern = location.modifier, location.pattern
    if modifier == "=":
        return Test("path", "exact", values=(pattern,), text=f"location = {pattern}")
    if modifier in ("~", "~*"):
        return Test(
            "path",
            "regex",
            values=(python_regex(pattern),),
            case_sensitive=modifier == "~",
            text=f"location {modifier} {pattern}",
        )
    return Test("path", "prefix", values=(pattern,), text=location_text(location))


def python_regex(pattern: str) -> str:
    """A PCRE pattern as Python reads it (``(?<name>…)`` is ``(?P<name>…)``)."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)


def _overlaps(first: Location, second: Location) -> bool:
    """Whether one URI could select both (a regex could match anything)."""
    if "~" in (first.modifier[:1], second.modifier[:1]):
        return True
    a, b = first.pattern, second.pattern
    return a.startswith(b) or b.startswith(a)


def ordered(locations: list[Location]) -> list[tuple[Location, tuple[Term, ...]]]:
    """Each matchable location with the terms that must hold besides its own test, in nginx's
    order of precedence."""
    exact = [loc for loc in locations if loc.modifier == "="]
    prefixes = sorted(
        (loc for loc in locations if loc.modifier in ("", "^~")),
        key=lambda loc: len(loc.pattern),
        reverse=True,
    )
    stops = [loc for loc in prefixes if loc.modifier == "^~"]
    regexes = [loc for loc in locations if loc.modifier in ("~", "~*")]
    nested = sorted(
        (loc for loc in regexes if loc.prefix_parent),
        key=lambda loc: len(loc.parents),
        reverse=True,
    )
    outer = [loc for loc in regexes if not loc.prefix_parent]
    result: list[tuple[Location, tuple[Term, ...]]] = [(loc, ()) for loc in exact]
    for stop in stops:
        longer = [p for p in prefixes if len(p.pattern) > len(stop.pattern)]
        terms = tuple(Term((_test(p),), negate=True) for p in longer if _overlaps(p, stop))
        result.append((stop, terms))
    for regex in nested:
        parent = Test("path", "prefix", values=(regex.prefix_parent,))
        result.append((regex, (Term((parent,)),)))
    result.extend((loc, ()) for loc in outer)
    result.extend((loc, ()) for loc in prefixes if loc.modifier == "")
    return result


MAX_BRANCHES = 64


def conditions(locations: list[Location]) -> list[tuple[Location, Condition]] | None:
    """Every matchable location with the condition under which nginx selects it: its own test,
    and no earlier location in the order selected. None for more than ``MAX_LOCATIONS``
    locations or when a condition takes more than ``MAX_BRANCHES`` alternatives."""
    if len(locations) > MAX_LOCATIONS:
        return None
    chosen: list[tuple[Location, Condition]] = []
    earlier: list[tuple[Location, tuple[Term, ...]]] = []
    for location, extra in ordered(locations):
        branches: list[tuple[Term, ...]] = [(Term((_test(location),)), *extra)]
        for before, before_extra in earlier:
            if not _overlaps(before, location):
                continue
            # not (own and extras) = (not own) or (not extra₁) or …
            alternatives = [Term((_test(before),), negate=True)]
            alternatives += [term._replace(negate=not term.negate) for term in before_extra]
            branches = [(*branch, alt) for branch in branches for alt in alternatives]
            if len(branches) > MAX_BRANCHES:
                return None
        text = location_text(location)
        chosen.append((location, Condition(tuple(branches), text=text)))
        earlier.append((location, extra))
    return chosen
