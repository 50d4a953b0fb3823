"""One load balancer indexed for the simulation: pools, tables, servers; routing a request."""

from __future__ import annotations

from tcommlint.memo import IdentityMemo
from tcommlint.pipeline.evaluate import (
    Env,
    condition_holds,
    render,
)
from tcommlint.pipeline.http import (
    Request,
)
from tcommlint.pipeline.model import (
    LoadBalancer,
    Pool,
    Server,
    Service,
    Table,
)
from tcommlint.source import Span


class World:
    """Indexes over one load balancer, built once."""

    def __init__(self, lb: LoadBalancer) -> None:
        self.lb = lb
        self.pools = {pool.name: pool for pool in lb.pools}
        self.tables = {table.name: table for table in lb.tables}
        # Tomcat's jvmRoute of a node: the proxies' routes in the order their nodes first
        # appear in the configuration (proxy 1 is the first member listed).
        self.node_order: dict[str, int] = {}
        for pool in lb.pools:
            for server in pool.servers:
                self.node_order.setdefault(node_of(server), len(self.node_order))
        self._servers: dict[int, ServerIndex] = {}

    def seen_as(self, pools: tuple[Pool, ...], tables: tuple[Table, ...]) -> World:
        """The same load balancer (its node order, where it declares persistence) with other
        pools and tables: those one service reaches, in canonical form (``shared.py``)."""
        import copy  # only where services are shared, not at every start

        seen = copy.copy(self)
        seen.pools = {pool.name: pool for pool in pools}
        seen.tables = {table.name: table for table in tables}
        seen._servers = {}
        return seen

    def servers(self, pool: Pool) -> ServerIndex:
        """A pool's servers by name, node and id (the first of each), indexed on first use."""
        found = self._servers.get(id(pool))
        if found is None:
            found = self._servers[id(pool)] = ServerIndex(pool)
        return found


class ServerIndex:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool  # held, so that its id names no other pool
        self.by_name: dict[str, Server] = {}
        self.by_node: dict[str, Server] = {}
        self.by_number: dict[int, Server] = {}
        for server in pool.servers:
            self.by_name.setdefault(server.name, server)
            self.by_node.setdefault(node_of(server), server)
            self.by_number.setdefault(server.number, server)


def node_of(server: Server) -> str:
    return server.node or server.name


Routed = tuple[str | None, Span | None]
# Services whose routing reads the request's path alone, each with the route of every path
# asked so far: a simulated session sends dozens of requests through tens of thousands of
# routes, on a handful of paths. None for a service whose routing reads more than the path.
_PATH_SUBJECTS = frozenset({"path", "place"})  # a place is chosen by the path alone
_CONSTANT_OPS = frozenset({"always", "never"})


def route(service: Service, request: Request, env: Env) -> Routed:
    """The pool a request is routed to, and the line that routes it."""
    memo = _routes_by_path(service)
    if memo is None:
        return _route(service, request, env)
    routed = memo.get(request.path)
    if routed is None:
        routed = memo[request.path] = _route(service, request, env)
    return routed


def _path_only(service: Service) -> bool:
    """Whether every route of the service reads nothing but the request's path."""
    return all(
        not rule.template
        and all(
            test.op in _CONSTANT_OPS or (test.subject in _PATH_SUBJECTS and test.sample is None)
            for branch in rule.when.branches
            for tests, _ in branch
            for test in tests
        )
        for rule in service.routes
    )


def _route(service: Service, request: Request, env: Env) -> Routed:
    for rule in service.routes:
        if condition_holds(rule.when, request, None, env):
            pool = render(rule.template, request, None) if rule.template else rule.pool
            return pool, rule.span
    if service.default_pool is not None:
        return service.default_pool.value, service.default_pool.span
    return None, None


_routes_by_path: IdentityMemo[Service, dict[str, Routed] | None] = IdentityMemo(
    lambda service: {} if _path_only(service) else None, most=64
)


def reachable(world: World, service: Service) -> list[Pool]:
    """The pools a service can send a request to (every pool when a name is computed)."""
    if any(rule.template for rule in service.routes):
        return list(world.pools.values())
    names = [rule.pool for rule in service.routes]
    if service.default_pool is not None:
        names.append(service.default_pool.value)
    return [world.pools[name] for name in dict.fromkeys(names) if name in world.pools]
