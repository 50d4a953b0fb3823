"""``<Proxy balancer://…>``, ``BalancerMember``, ``ProxySet`` and the balancer parameters of
``ProxyPass`` lines → pools with their servers, balance method and route persistence.

mod_proxy_balancer (``find_session_route``): with ``stickysession=COOKIE|URLPARAM`` (one name
is both) the balancer reads the URL parameter first, then the cookie, both by exact,
case-sensitive name; the route is what follows the first ``stickysessionsep`` (".") of the
value; the member whose ``route=`` is exactly that takes the request (non-standby members
looked at first). A route no usable member has is balanced again, unless ``nofailover=On``
and a member has that route (503). ``status=+H`` (hot standby) and ``+R`` (hot spare) take
traffic only when the others cannot; ``+D``, ``+S``, ``+E``, ``+C`` are not usable; ``+N``
(drain) takes only requests routed to it. ``lbset`` groups members, the lowest set first.

``lbmethod=heartbeat`` (mod_lbmethod_heartbeat) chooses by the heartbeats mod_heartmonitor
records (``HeartbeatListen``) from mod_heartbeat, an httpd module each origin server must run;
Tomcat sends none, and with no heartbeat data the real apache2 answers every request the
method has to place 503 (AH01213, "All workers are in error state"): that choice is ``Opaque``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tcommlint.loaders.apache.reader import Node, Word
from tcommlint.pipeline.model import Balance, IdRoute, Opaque, Persistence, Pool, Server
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

BALANCER = "balancer://"
HEARTBEAT = (
    "lbmethod=heartbeat places a request by the heartbeats mod_heartmonitor records from "
    "mod_heartbeat on each origin server; Tomcat sends none, and without them apache2 answers "
    '503 ("All workers are in error state"): the balancer\'s choice is outside the model'
)


class Member(NamedTuple):
    url: str
    span: Span
    params: dict[str, Word]


class BalancerDecl:
    """Everything said about one balancer, in configuration order."""

    def __init__(self, name: str, span: Span) -> None:
        self.name = name
        self.span = span
        self.members: list[Member] = []
        self.params: dict[str, Word] = {}
        self.param_spans: dict[str, Span] = {}
        self.notes: list[str] = []


def balancer_name(url: str) -> str:
    """``balancer://Chat/x`` → ``chat`` (httpd lower-cases the scheme and host)."""
    rest = url[len(BALANCER) :] if url.lower().startswith(BALANCER) else url
    return rest.split("/", 1)[0].lower()


def is_balancer(url: str) -> bool:
    return url.lower().startswith(BALANCER)


class Balancers:
    """The balancers of one configuration, by name."""

    def __init__(self) -> None:
        self.by_name: dict[str, BalancerDecl] = {}

    def get(self, url: str, span: Span) -> BalancerDecl:
        name = balancer_name(url)
        found = self.by_name.get(name)
        if found is None:
            found = self.by_name[name] = BalancerDecl(name, span)
        return found

    def member(self, balancer_url: str, words: Iterable[Word], span: Span) -> None:
        decl = self.get(balancer_url, span)
        url = ""
        params: dict[str, Word] = {}
        for word in words:
            key, sep, _ = word.text.partition("=")
            if sep:
                params[key.lower()] = word
            elif not url:
                url = word.text
        decl.members.append(Member(url, span, params))

    def set_params(self, balancer_url: str, words: Iterable[Word], span: Span) -> None:
        decl = self.get(balancer_url, span)
        for word in words:
            key, sep, _ = word.text.partition("=")
            if sep:
                decl.params[key.lower()] = word


def value_of(word: Word) -> str:
    return word.text.partition("=")[2]


def pool_of(decl: BalancerDecl) -> Pool:
    """The pool of one balancer."""
    servers = tuple(_server(member, index) for index, member in enumerate(decl.members))
    lbsets = {int(_int(value_of(m.params["lbset"]))) for m in decl.members if "lbset" in m.params}
    method = decl.params.get("lbmethod")
    algorithm = (
        Located(value_of(method).lower(), method.span)
        if method is not None
        else Located("byrequests", decl.span, True, "mod_proxy_balancer default: byrequests")
    )
    opaque: tuple[Opaque, ...] = ()
    if method is not None and algorithm.value == "heartbeat":
        opaque = (Opaque(HEARTBEAT, method.span, method.text),)
    notes = []
    if any(server.backup for server in servers):
        notes.append("hot standby members (status=+H) take traffic only when no other can")
    return Pool(
        name=decl.name,
        span=decl.span,
        servers=servers,
        balance=Balance(algorithm),
        persistence=Persistence(id_route=id_route(decl)),
        all_backups=True,
        min_active_members=1 if len(lbsets) > 1 else 0,
        notes=tuple(notes),
        request_steps=opaque,
    )


def id_route(decl: BalancerDecl) -> IdRoute | None:
    """The route persistence ``stickysession`` declares, if any."""
    sticky = decl.params.get("stickysession")
    if sticky is None:
        return None
    value = value_of(sticky)
    cookie, bar, parameter = value.partition("|")
    if not cookie:
        return None
    separator_word = decl.params.get("stickysessionsep")
    separator = "."
    if separator_word is not None:
        text = value_of(separator_word)
        separator = "" if text.lower() == "off" else text[:1]
    nofailover = decl.params.get("nofailover")
    failover = nofailover is None or value_of(nofailover).lower() != "on"
    name_column = sticky.span.column + len("stickysession=")
    return IdRoute(
        cookie=Located(cookie, Span(sticky.span.path, sticky.span.line, name_column)),
        span=sticky.span,
        text=sticky.text,
        url_parameter=parameter if bar else cookie,
        separator=separator,
        failover=failover,
    )


def _server(member: Member, index: int) -> Server:
    parts = urlsplit(member.url)
    host = parts.hostname or member.url
    try:
        port = parts.port
    except ValueError:
        port = None
    status = value_of(member.params["status"]).upper() if "status" in member.params else ""
    flags = _flags(status)
    route = member.params.get("route")
    weight = _int(value_of(member.params["loadfactor"])) if "loadfactor" in member.params else 1
    lbset = _int(value_of(member.params["lbset"])) if "lbset" in member.params else 0
    drain = "N" in flags
    route_value = value_of(route) if route is not None else ""
    return Server(
        name=member.url,
        address=host,
        port=port,
        span=member.span,
        weight=0 if drain else max(weight, 1),
        backup=bool(flags & {"H", "R"}),
        disabled=bool(flags & {"D", "S", "E", "C"}),
        priority_group=99 - lbset,
        number=index + 1,
        node=f"{host}:{port}" if port else host,
        route=Located(route_value, _value_span(route))
        if route is not None and route_value
        else None,
    )


def _value_span(word: Word | None) -> Span:
    assert word is not None
    key = word.text.partition("=")[0]
    return Span(word.span.path, word.span.line, word.span.column + len(key) + 1)


def _flags(status: str) -> set[str]:
    flags: set[str] = set()
    adding = True
    for char in status:
        if char == "+":
            adding = True
        elif char == "-":
            adding = False
        elif adding:
            flags.add(char)
        else:
            flags.discard(char)
    return flags


def _int(text: str) -> int:
    digits = ""
    for char in text.strip():
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


def collect(nodes: Iterable[Node], balancers: Balancers, proxy: str = "") -> None:
    """Every balancer declaration among ``nodes`` (sections included), in order."""
    for node in nodes:
        key = node.key
        if key == "proxy" and node.children is not None and node.args:
            target = node.args[0].text
            if is_balancer(target):
                balancers.get(target, node.span)
            collect(node.children, balancers, target if is_balancer(target) else "")
        elif node.children is not None:
            if key != "macro":
                collect(node.children, balancers, proxy)
        elif key in ("balancermember", "proxyset"):
            named = _of_balancer(list(node.args), proxy)
            if named is not None:
                add = balancers.member if key == "balancermember" else balancers.set_params
                add(*named, node.span)
        elif key in ("proxypass", "proxypassmatch"):
            words = [w for w in node.args if w.text != "~"]
            targets = [w for w in words if is_balancer(w.text)]
            if targets:
                balancers.set_params(targets[0].text, words, node.span)


def _of_balancer(words: list[Word], proxy: str) -> tuple[str, list[Word]] | None:
    """The balancer a ``BalancerMember``/``ProxySet`` line is for and its other words: the
    enclosing ``<Proxy balancer://…>``'s, else its first word when that names a balancer."""
    if proxy:
        return proxy, words
    if words and is_balancer(words[0].text):
        return words[0].text, words[1:]
    return None
