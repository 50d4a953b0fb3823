"""The ``stream`` module: TCP/UDP proxies (ngx_stream_proxy_module, ngx_stream_upstream_module).

A ``server`` of ``stream`` is a service without HTTP processing: ``proxy_pass <upstream>`` (or
``host:port``) is its one pool, balanced by round robin, ``least_conn``, ``random`` or
``hash <key>`` (``hash $remote_addr`` keeps a client on a server by its address). Nothing of
HTTP, cookies included, is seen. Upstream names of ``stream`` are their own namespace; a pool
whose name an ``http`` upstream already has is called ``<name> (stream)``. A ``proxy_pass``
computed from variables (``$ssl_preread_server_name`` maps…) is noted, not evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.upstreams import span_of, upstream_pool
from tcommlint.model import ParseError
from tcommlint.pipeline.model import Balance, Pool, Server, Service, Table
from tcommlint.source import Located


class StreamLevel:
    """The pools and services of the ``stream`` blocks of one configuration."""

    def __init__(self, taken: set[str], errors: list[ParseError], tables: list[Table]) -> None:
        self.taken = taken  # pool names already used by http
        self.errors = errors
        self.tables = tables
        self.pools: dict[str, Pool] = {}
        self.names: dict[str, str] = {}  # lower-cased upstream name → pool name
        self.notes: list[str] = []

    def compile(self, nodes: Sequence[Node]) -> list[Service]:
        for node in nodes:
            if node.name == "upstream" and node.args:
                name = node.args[0]
                pool = upstream_pool(node, self.errors, self.tables)
                pool_name = f"{name} (stream)" if name in self.taken else name
                self.pools[pool_name] = pool._replace(name=pool_name, http=False)
                self.names[name.lower()] = pool_name
        services = []
        for node in nodes:
            if node.name == "server":
                service = self._service(node)
                if service is not None:
                    services.append(service)
        return services

    def _service(self, server: Node) -> Service | None:
        listens = [n.args[0] for n in server.all("listen") if n.args]
        passes = server.all("proxy_pass")
        title = f"stream server ({', '.join(listens) or '?'}, {span_of(server)})"
        if not passes or not passes[-1].args:
            return None
        proxy = passes[-1]
        target = proxy.args[0]
        if "$" in target:
            self.notes.append(
                f"{span_of(proxy)}: '{proxy.directive.text}' computes its upstream: "
                f"{title} not evaluated"
            )
            return None
        pool = self.names.get(target.lower()) or self._single(proxy, target)
        return Service(
            name=title,
            span=span_of(server),
            http=False,
            binds=tuple(listens),
            default_pool=Located(pool, span_of(proxy)),
            notes=("a stream (TCP/UDP) proxy: no HTTP processing",),
        )

    def _single(self, proxy: Node, target: str) -> str:
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            host, port = target, ""
        name = f"{target} (stream)" if target in self.taken else target
        server = Server(target, host, int(port) if port else None, span_of(proxy), node=target)
        balance = Balance(Located("roundrobin", span_of(proxy), True, "one server"))
        self.pools[name] = Pool(name, span_of(proxy), (server,), balance, http=False)
        return name
