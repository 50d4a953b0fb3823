"""Services that differ only in their names and positions share one simulation.

A configuration generated from a template (a frontend and a backend per site, say) has
thousands of services whose pipelines are the same but for the section names and the lines
they stand on. The simulation reads a name only to look a pool up, to compare it with another
name and to quote it in a message, and a position (``Span``) only to compare it with another
and to hand it on: it never orders, measures or takes apart either. So a service is first
rewritten into its **canonical** form, with

- every position replaced by a placeholder numbered in order of first appearance (equal
  positions get the same placeholder);
- the service's name and every pool name its routes and default pool give replaced by a token
  (equal names, the same token), also where a routing rule's text quotes its own pool;
- what the simulation never reads left out (``binds``, ``notes``);

and everything else kept as it is. The canonical form is the key: it holds everything the
run reads of the service, its reachable pools and the tables their stick rules name (the
load balancer's node order and ``persistence_at`` are the same for every service of one
load balancer, and the memo lives no longer than one load balancer's simulation). Two services
of equal keys play the same runs step by step, so the canonical outcome of the first is
turned back into the second's by putting its own positions and names where the placeholders
and tokens stand.

Tokens and placeholders use characters no configuration contains (NUL and two control
characters). A service is simulated on its own when a NUL is anywhere in what the run reads,
when a routing rule computes the pool's name (it can reach any pool), when route persistence
(``IdRoute``) is on its way (its messages quote line numbers, ``idroute.py``) or when a value
is of a type this module does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tcommlint.patterns import LazyPattern
from tcommlint.pipeline.model import Pool, Service, Table
from tcommlint.pipeline.outcome import Outcome
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.world import World, reachable
from tcommlint.records import NamedTuple
from tcommlint.source import Span

_MARK = "\x00"  # opens and closes a token; the path of a placeholder position
_TOKEN = LazyPattern("\x00[\x01\x02]+\x00")
_BITS = str.maketrans("01", "\x01\x02")
_SCALARS = frozenset({int, float, bool, type(None)})

Simulated = Callable[[World, Service], "Outcome | None"]


class _Unshared(Exception):
    """The service is simulated on its own."""


class _PoolForm(NamedTuple):
    """A pool without its name and notes, its positions numbered in order of first appearance
    (``form``; None when it cannot be shared), and the position each number stands for."""

    pool: Pool  # held, so that its id names no other pool
    form: Pool | None
    spans: tuple[Span, ...]


class Sharing:
    """The canonical outcomes of one load balancer's services, by canonical form."""

    def __init__(self, world: World, app: AppModel) -> None:
        self.world = world
        self.usable = not _marked(app)  # what the runs write of the application is kept too
        self.outcomes: dict[tuple[Any, ...], Outcome | None] = {}
        self.forms: dict[int, _PoolForm] = {}  # by id of the pool: a pool is walked once
        self.interned: dict[Pool, Pool] = {}  # equal forms are one object, named by its id
        self.sizes: set[tuple[int, ...]] = set()

    def outcome(self, service: Service, simulated: Simulated) -> Outcome | None:
        """The outcome of ``service``: ``simulated`` once per canonical form. A service of
        a size no service before it had is simulated as it is: its canonical form would cost
        a walk over it and its pools (one frontend routing to 60,000 backends) for nothing."""
        size = (len(service.routes), len(service.request_steps), len(service.response_steps))
        if size not in self.sizes:
            self.sizes.add(size)
            return simulated(self.world, service)
        return self.canonical_outcome(service, simulated)

    def canonical_outcome(self, service: Service, simulated: Simulated) -> Outcome | None:
        """The outcome of ``service`` through its canonical form (as it is when it has none)."""
        canonical = self._canonical(service) if self.usable else None
        if canonical is None:
            return simulated(self.world, service)
        key, relabel = canonical
        if key in self.outcomes:
            found = self.outcomes[key]
        else:
            pools = relabel.pools()
            seen = self.world.seen_as(pools, key[2])
            found = self.outcomes[key] = simulated(seen, key[0])
        return None if found is None else relabel.outcome(found, service)

    def _canonical(self, service: Service) -> tuple[tuple[Any, ...], _Relabel] | None:
        """The canonical form of a service, its reachable pools and their tables, and how to
        turn a canonical outcome back."""
        if any(rule.template for rule in service.routes):
            return None
        served = reachable(self.world, service)
        if service.persistence.id_route or any(pool.persistence.id_route for pool in served):
            return None  # route persistence quotes lines in its messages (idroute.py)
        forms = [self._form(pool) for pool in served]
        if any(form.form is None for form in forms):
            return None
        relabel = _Relabel()
        try:
            canonical = relabel.service(service)
            pools = tuple(relabel.pool(form) for form in forms)
            tables = _tables(self.world, service, served)
            canonical_tables = tuple(relabel.value(table) for table in tables)
        except _Unshared:
            return None
        return (canonical, pools, canonical_tables), relabel

    def _form(self, pool: Pool) -> _PoolForm:
        found = self.forms.get(id(pool))
        if found is None:
            relabel = _Relabel()
            try:
                form: Pool | None = relabel.value(pool._replace(name="", notes=()))
            except _Unshared:
                form = None
            if form is not None:
                form = self.interned.setdefault(form, form)
            found = self.forms[id(pool)] = _PoolForm(pool, form, tuple(relabel.spans))
        return found


def _marked(value: object) -> bool:
    """Whether a NUL is in a string of the value, at any depth."""
    if isinstance(value, str):
        return _MARK in value
    return isinstance(value, tuple) and any(_marked(item) for item in value)


def _tables(world: World, service: Service, pools: list[Pool]) -> list[Table]:
    """The tables the stick rules of a service and of its pools name, in order."""
    names = [rule.table for rule in service.persistence.stick_rules]
    names += [rule.table for pool in pools for rule in pool.persistence.stick_rules]
    return [world.tables[name] for name in dict.fromkeys(names) if name in world.tables]


class _Relabel:
    """Positions and names to placeholders and tokens, and back."""

    def __init__(self) -> None:
        self.placeholders: dict[Span, Span] = {}
        self.spans: list[Span] = []
        self.tokens: dict[str, str] = {}
        self.names: list[str] = []
        self.forms: list[_PoolForm] = []

    # -- to the canonical form (the originals are walked: a NUL in one is refused)

    def service(self, service: Service) -> Service:
        names = [service.name, *(rule.pool for rule in service.routes)]
        default = service.default_pool
        if default is not None:
            names.append(default.value)
        for name in names:
            self.token(name)
        rest = service._replace(name="", binds=(), notes=(), routes=(), default_pool=None)
        routes = tuple(
            self.value(rule._replace(pool="", text=""))._replace(
                pool=self.token(rule.pool), text=self.quoted(rule.text, rule.pool)
            )
            for rule in service.routes
        )
        if default is not None:
            located = self.value(default._replace(value=""))
            default = located._replace(value=self.token(default.value))
        canonical: Service = self.value(rest)._replace(
            name=self.token(service.name), routes=routes, default_pool=default
        )
        return canonical

    def pool(self, form: _PoolForm) -> tuple[str, int, tuple[int, ...]]:
        """A pool in the key: its token, its form (by id: equal forms are one object) and the
        service-wide number of each of its positions (equal positions across the service and
        its pools keep one number)."""
        self.forms.append(form)
        numbers = tuple(self.placeholder(span).line for span in form.spans)
        return self.token(form.pool.name), id(form.form), numbers

    def pools(self) -> tuple[Pool, ...]:
        """The canonical pools of the key: each form with the service-wide numbers."""
        found = []
        for form in self.forms:
            numbers = [self.placeholders[span] for span in form.spans]
            canonical: Pool = _renumbered(form.form, numbers)
            found.append(canonical._replace(name=self.token(form.pool.name)))
        return tuple(found)

    def token(self, name: str) -> str:
        """The token of a name ("" stays "")."""
        if not name:
            return name
        token = self.tokens.get(name)
        if token is None:
            if _MARK in name:
                raise _Unshared
            bits = format(len(self.names), "b").translate(_BITS)
            token = self.tokens[name] = f"{_MARK}{bits}{_MARK}"
            self.names.append(name)
        return token

    def quoted(self, text: str, name: str) -> str:
        """A rule's text with the name it routes to tokenised (that one only: a service of
        many rules would otherwise try every name on every rule)."""
        if _MARK in text:
            raise _Unshared
        return text.replace(name, self.token(name)) if name else text

    def value(self, value: Any) -> Any:
        """A model value with its positions replaced by placeholders."""
        kind = type(value)
        if kind is str:
            if _MARK in value:
                raise _Unshared
            return value
        if kind in _SCALARS:
            return value
        if kind is Span:
            return self.placeholder(value)
        if kind is tuple:
            return tuple([self.value(item) for item in value])
        if _named(kind):
            return tuple.__new__(kind, [self.value(item) for item in value])
        raise _Unshared

    def placeholder(self, span: Span) -> Span:
        found = self.placeholders.get(span)
        if found is None:
            if _MARK in span.path:
                raise _Unshared
            found = self.placeholders[span] = Span(_MARK, len(self.spans), 0)
            self.spans.append(span)
        return found

    # -- back

    def outcome(self, outcome: Outcome, service: Service) -> Outcome:
        """A canonical outcome as the service it was relabelled from has it."""
        return Outcome(
            service,
            self.back(outcome.pools),
            outcome.verdict,
            self.back(outcome.breaks),
            self.back(outcome.outside),
            self.back(outcome.kept_by),
            self.back(outcome.trace),
        )

    def back(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return _TOKEN.sub(self._name, value) if _MARK in value else value
        if kind is Span:
            return self.spans[value.line] if value.path == _MARK else value
        if kind is tuple:
            return tuple([self.back(item) for item in value])
        if _named(kind):
            return tuple.__new__(kind, [self.back(item) for item in value])
        return value

    def _name(self, match: re.Match[str]) -> str:
        bits = match.group()[1:-1].translate({1: "0", 2: "1"})
        return self.names[int(bits, 2)]


def _renumbered(value: Any, numbers: list[Span]) -> Any:
    """A form with each placeholder numbered anew: ``numbers[k]`` for the number ``k``."""
    kind = type(value)
    if kind is Span:
        return numbers[value.line]
    if kind is tuple:
        return tuple([_renumbered(item, numbers) for item in value])
    if _named(kind):
        return tuple.__new__(kind, [_renumbered(item, numbers) for item in value])
    return value


def _named(kind: type) -> bool:
    """Whether a type is a named tuple (the model's records)."""
    found = _NAMED.get(kind)
    if found is None:
        found = _NAMED[kind] = issubclass(kind, tuple) and hasattr(kind, "_fields")
    return found


_NAMED: dict[type, bool] = {}
