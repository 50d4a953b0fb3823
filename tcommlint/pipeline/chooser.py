"""The server of one request: persistence lookup in HAProxy's order, then balancing; and what
the response stores in the persistence tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcommlint.pipeline.balance import balance
from tcommlint.pipeline.causes import (
    absent_key_cause,
    collision_cause,
    table_miss_cause,
)
from tcommlint.pipeline.cookies import read_request_cookie, write_response_cookie
from tcommlint.pipeline.evaluate import (
    condition_holds,
    render,
    sample_value,
)
from tcommlint.pipeline.http import (
    Request,
    Response,
)
from tcommlint.pipeline.idroute import read_id_route
from tcommlint.pipeline.model import (
    Persistence,
    Pool,
    Server,
    StickRule,
    Table,
)
from tcommlint.pipeline.outcome import Cause
from tcommlint.pipeline.state import StoredServer, TableMiss
from tcommlint.pipeline.world import ServerIndex, node_of

if TYPE_CHECKING:
    from tcommlint.pipeline.run import Run, SessionState


class Chooser:
    """Persistence lookup then balancing for one request, in HAProxy's order."""

    def __init__(
        self,
        run: Run,
        pool: Pool,
        persistence: Persistence,
        session: SessionState,
        request: Request,
    ) -> None:
        self.run = run
        self.pool = pool
        self.persistence = persistence
        self.session = session
        self.request = request
        self.misses: list[Cause] = []
        self.decided_by = ""  # what kind of key placed it (kept_by): cookie, client-address...
        self.how = ""  # the mechanism that placed it, for the trace
        self.direct = False
        self.target: Server | None = None
        self.ignore = False
        self.force = False
        self.stores: list[tuple[StickRule, str]] = []
        self.cookie_found = False
        self.cookie_first: float | None = None
        self.refused = False  # the route's member is unusable and failover is off: 503

    def choose(self) -> Server | None:
        run, _pool, request = self.run, self.pool, self.request
        for rule in self.persistence.persist_rules:
            if condition_holds(rule.when, request, None, run.env):
                self.ignore = self.ignore or rule.kind == "ignore"
                self.force = self.force or rule.kind == "force"
        self._use_server()
        self._cookie()
        self._id_route()
        self._stick_match()
        if self.target is None and not self.refused:
            self.target = self._balance()
        elif not self.decided_by:
            self.decided_by = "rule"
        return self.target

    def usable(self, server: Server) -> bool:
        return not server.disabled or self.pool.persist_to_down or self.force

    def _use_server(self) -> None:
        for rule in self.persistence.server_rules:
            if self.target is not None:
                return
            if not condition_holds(rule.when, self.request, None, self.run.env):
                continue
            name = render(rule.template, self.request, None) if rule.template else rule.server
            server = self.run.world.servers(self.pool).by_name.get(name)
            if server is not None and self.usable(server):
                self.target, self.direct, self.decided_by = server, True, "rule"
                self.how = "use-server"
                self.run.note(rule.span, f"use-server {server.name}")

    # -- the load balancer's cookie, request side

    def _cookie(self) -> None:
        cookie = self.persistence.cookie
        if cookie is None:
            return
        if not self.pool.http:
            self.misses.append(
                Cause(
                    "ineffective",
                    cookie.span,
                    f"cookie {cookie.name.value}: {self.pool.name} is in tcp mode, so the load "
                    "balancer never reads or writes cookies",
                )
            )
            return
        read_request_cookie(self, cookie)

    # -- the route in the application's session id (Apache stickysession, NGINX sticky route)

    def _id_route(self) -> None:
        rule = self.persistence.id_route
        if rule is None or self.target is not None or not self.pool.http:
            return
        read_id_route(self, rule)

    # -- stick tables, request side

    def _stick_match(self) -> None:
        run, request = self.run, self.request
        stored_tables: set[str] = set()
        for rule in self.persistence.stick_rules:
            if rule.action == "store-response":
                continue
            if rule.action in ("store-request", "on") and rule.table in stored_tables:
                continue
            if not condition_holds(rule.when, request, None, run.env):
                if rule.action in ("match", "on"):
                    self.misses.append(conditional_miss(rule))
                continue
            key = self._key(rule, None)
            if key is None:
                if rule.action in ("match", "on"):
                    self.misses.append(self._absent_key(rule))
                continue
            if rule.action in ("match", "on"):
                self._match(rule, key)
            if rule.action in ("store-request", "on"):
                stored_tables.add(rule.table)
                self.stores.append((rule, key))

    def _key(self, rule: StickRule, response: Response | None) -> str | None:
        if not self.pool.http and rule.key.fetch not in ("src", "const", "env"):
            return None
        value = sample_value(rule.key, self.request, response)
        table = self.run.world.tables.get(rule.table)
        if value is None or table is None:
            return None
        return self.run.tables.key(table, value)

    def _match(self, rule: StickRule, key: str) -> None:
        run = self.run
        table = run.world.tables.get(rule.table)
        if table is None:
            return
        found = run.tables.lookup(table, key, run.clock)
        if isinstance(found, TableMiss):
            self.misses.append(table_miss(rule, table, found, key))
            return
        if self.target is not None:
            return
        server = stored_server(run.world.servers(self.pool), table, found)
        if server is None:
            self.misses.append(
                Cause(
                    "ineffective",
                    table.span,
                    f"table {table.name} names server {found.name} (id {found.number}), which "
                    f"{self.pool.name} has neither by {table.server_key} nor by id: a table "
                    "shared by backends needs the same server names (or ids)",
                    ((rule.span, f"'{rule.text}'"),),
                )
            )
        elif self.usable(server):
            self.target, self.direct = server, True
            self.decided_by = key_kind(rule.key.fetch)
            self.how = f"stick table {table.name}"
            run.note(rule.span, f"found in table {table.name}: server {server.name}")
            stored = run.tables.stored_raw(table, key)
            if stored and stored != sample_value(rule.key, self.request, None):
                self.misses.insert(0, collision_cause(rule, table))

    def _absent_key(self, rule: StickRule) -> Cause:
        table = self.run.world.tables.get(rule.table)
        value = sample_value(rule.key, self.request, None) if self.pool.http else None
        if table is not None and value is not None:
            return Cause(
                "ineffective",
                table.span,
                f"table {table.name} is of type {table.key_type}, which cannot hold the value of "
                f"{rule.key.text or rule.key.fetch}: '{rule.text}' never finds an entry",
                ((rule.span, f"'{rule.text}'"),),
            )
        return absent_key_cause(rule, self.run.app, self.pool.http)

    # -- balancing

    def _balance(self) -> Server | None:
        return balance(self)

    # -- the response

    def store(self, response: Response) -> None:
        """``stick store-response`` rules, then every store of the request and response."""
        run = self.run
        stored_tables: set[str] = set()
        for rule in self.persistence.stick_rules:
            if rule.action != "store-response" or rule.table in stored_tables:
                continue
            if not condition_holds(rule.when, self.request, response, run.env):
                continue
            key = self._key(rule, response)
            if key is None:
                continue
            stored_tables.add(rule.table)
            self.stores.append((rule, key))
        if self.target is None:
            return
        for rule, key in self.stores:
            table = run.world.tables.get(rule.table)
            if table is not None:
                stored = StoredServer(self.target.number, self.target.name, node_of(self.target))
                run.tables.store(table, key, stored, run.clock, rule)
                run.note(rule.span, f"learned {key[:24]} → {self.target.name} in {table.name}")

    def server_side_cookies(self, response: Response) -> None:
        """The load balancer's cookie in the response (rewritten, prefixed, inserted)."""
        cookie = self.persistence.cookie
        if cookie is not None:
            write_response_cookie(self, cookie, response)


def stored_server(servers: ServerIndex, table: Table, stored: StoredServer) -> Server | None:
    """The pool's server an entry names: by name or address (``srvkey``), else by id."""
    found = None
    if table.server_key == "name":
        found = servers.by_name.get(stored.name)
    elif table.server_key == "addr":
        found = servers.by_node.get(stored.node)
    return found if found is not None else servers.by_number.get(stored.number)


def conditional_miss(rule: StickRule) -> Cause:
    return Cause(
        "conditional-persistence",
        rule.span,
        f"'{rule.text}' applies only {rule.when.text}: this request is not matched",
    )


def table_miss(rule: StickRule, table: Table, miss: TableMiss, key: str) -> Cause:
    return table_miss_cause(rule, table, miss, key)


def key_kind(fetch: str) -> str:
    if fetch in ("req.cook", "res.cook", "req.cookies"):
        return "cookie"
    if fetch == "src":
        return "client-address"
    if fetch in ("path", "url", "query"):
        return "url"
    return "other"


def merged(first: Persistence, second: Persistence) -> Persistence:
    if first.empty and not first.persist_rules and not first.inert:
        return second
    return Persistence(
        first.server_rules + second.server_rules,
        first.persist_rules + second.persist_rules,
        first.cookie or second.cookie,
        first.stick_rules + second.stick_rules,
        first.inert + second.inert,
        first.id_route or second.id_route,
    )
