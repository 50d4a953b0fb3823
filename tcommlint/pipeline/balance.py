"""The balance algorithm: which servers may take a request that persistence did not place.

Servers that take balanced traffic: the active ones (not ``backup``, not ``disabled``, weight
above 0; F5 priority groups with ``min-active-members``), else the first backup (all backups
with ``allbackups``). ``first`` takes the first of them, and the next once its ``maxconn``
slots are full, which concurrent sessions make chance; a hashing algorithm maps each
key to one server and keeps it (a key not seen before is placed adversarially); the others are
chance, and the simulation plays it adversarially (another node than the session's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcommlint.pipeline.evaluate import sample_value
from tcommlint.pipeline.model import Pool, Server
from tcommlint.pipeline.outcome import Cause

if TYPE_CHECKING:
    from tcommlint.pipeline.chooser import Chooser

HASHING = frozenset({"source", "uri", "url_param", "hdr", "hash", "rdp-cookie"})


def candidates(pool: Pool) -> list[Server]:
    """The servers that take balanced requests, in id order."""
    usable = [s for s in pool.servers if not s.disabled and s.weight > 0]
    active = [s for s in usable if not s.backup]
    if pool.min_active_members > 0 and active:
        active = _priority_groups(active, pool.min_active_members)
    if active:
        return active
    backups = [s for s in usable if s.backup]
    return backups if pool.all_backups else backups[:1]


def _priority_groups(servers: list[Server], minimum: int) -> list[Server]:
    """F5: the highest priority groups whose members add up to ``min-active-members``."""
    chosen: list[Server] = []
    for group in sorted({s.priority_group for s in servers}, reverse=True):
        chosen.extend(s for s in servers if s.priority_group == group)
        if len(chosen) >= minimum:
            break
    return chosen


def balance(chooser: Chooser) -> Server | None:
    """The server the algorithm gives this request."""
    pool = chooser.pool
    servers = candidates(pool)
    if not servers:
        return None
    algorithm = pool.balance.algorithm.value
    if len(servers) == 1 or (algorithm == "first" and not _first_spills(chooser, servers[0])):
        return servers[0]
    if algorithm in HASHING and pool.balance.key is not None:
        key = _hash_key(chooser)
        if key is not None:
            return _hashed(chooser, servers, key)
    if not chooser.misses:
        chooser.misses.append(_unpersisted(chooser))
    return _adversary(chooser, servers)


def _first_spills(chooser: Chooser, first: Server) -> bool:
    """``first`` moves on once the first server's ``maxconn`` slots are taken: sessions played
    at once that outnumber those slots may overlap, and which server gets the overflow is
    chance."""
    run = chooser.run
    concurrent = run.app.concurrent_sessions if run.scenario.interleaved else 1
    return bool(first.maxconn) and (first.maxconn or 0) < concurrent


def _hash_key(chooser: Chooser) -> str | None:
    key = chooser.pool.balance.key
    if key is None or (not chooser.pool.http and key.fetch not in ("src", "const", "env")):
        return None
    return sample_value(key, chooser.request, None)


def _hashed(chooser: Chooser, servers: list[Server], key: str) -> Server:
    run, pool = chooser.run, chooser.pool
    mapped = run.hashes.get((pool.name, key))
    chosen = next((s for s in servers if s.name == mapped), None)
    if chosen is not None:
        chooser.decided_by = _kind(pool)
        chooser.how = f"hash of {pool.balance.key.text if pool.balance.key else 'the key'}"
    else:
        chosen = _adversary(chooser, servers)
        run.hashes[(pool.name, key)] = chosen.name
    owner = chooser.session.owner
    if owner and (chosen.node or chosen.name) != owner:
        chooser.misses.append(_hash_cause(chooser))
    return chosen


def _adversary(chooser: Chooser, servers: list[Server]) -> Server:
    """Another node than the session's when there is one, else the next in turn."""
    owner = chooser.session.owner
    others = [s for s in servers if (s.node or s.name) != owner] if owner else servers
    pool_turn = chooser.run.turn.get(chooser.pool.name, 0)
    chooser.run.turn[chooser.pool.name] = pool_turn + 1
    choice = others or servers
    return choice[pool_turn % len(choice)]


def _kind(pool: Pool) -> str:
    key = pool.balance.key
    fetch = key.fetch if key is not None else ""
    if fetch == "src":
        return "client-address"
    if fetch in ("req.cook", "req.cookies"):
        return "cookie"
    if fetch in ("path", "url", "query"):
        return "url"
    return "other"


def _hash_cause(chooser: Chooser) -> Cause:
    pool = chooser.pool
    balance = pool.balance
    key_text = balance.key.text if balance.key is not None else ""
    algorithm = balance.algorithm.value
    text = key_text if key_text.startswith(algorithm) else f"{algorithm} {key_text}".strip()
    quoted = f"'{balance.statement}'" if balance.statement else f"'balance {text}'"
    span = balance.algorithm.span
    kind = _kind(pool)
    key = balance.key
    session_cookie = chooser.run.app.session_cookie.lower()
    if key is not None and key.fetch == "query" and key.arg.lower() == session_cookie:
        kind = "cookie"  # the session id as a URL parameter: also unknown when it is created
    if kind == "cookie":
        return Cause(
            "not-learned",
            span,
            f"{quoted} hashes the session id, which the request creating the session "
            "did not carry (and which changes at login): later requests hash to another server",
        )
    if kind == "url":
        return Cause(
            "no-persistence",
            span,
            f"{quoted} hashes the request URL; the requests of one chat session use "
            "several URLs, so they reach different servers",
        )
    return Cause(
        "no-persistence",
        span,
        f"{quoted} hashes a value that changes between the requests of one session",
    )


def _algorithm(pool: Pool) -> str:
    algorithm = pool.balance.algorithm.value
    servers = candidates(pool)
    if algorithm != "first" or not servers:
        return algorithm
    first = servers[0]
    return f"first, then the next server once {first.name}'s maxconn {first.maxconn} is reached"


def _unpersisted(chooser: Chooser) -> Cause:
    pool = chooser.pool
    persistence = chooser.persistence
    if persistence.empty and persistence.inert:
        inert = persistence.inert[0]
        return Cause("ineffective", inert.span, inert.reason)
    if persistence.empty:
        service = chooser.run.service
        on_service = chooser.run.world.lb.persistence_at == "service"
        home = service.span if on_service else pool.span
        what = f"{service.name} (pool {pool.name})" if on_service else pool.name
        return Cause(
            "no-persistence",
            home,
            f"{what} balances every request ({_algorithm(pool)}) and has no session persistence",
            ((pool.balance.algorithm.span, "the balance algorithm"),),
        )
    return Cause(
        "session-breaks",
        pool.span,
        f"no persistence of {pool.name} applied to this request: it was balanced",
    )
