"""The application as the simulation plays it, and the scenarios of the canonical chat session.

Every scenario is what a chat client really does; the numbers are the smallest that show the
failure (two sessions are enough to show a pause, four requests reach every endpoint and
come back to the first).
Concurrent sessions are played at most ``MAX_CONCURRENT`` at a time, the persistence tables
shrunk in proportion (``table_scale``), so that a table smaller than the deployment's
``concurrent_sessions`` overflows in the simulation exactly when it would in production,
at a cost that does not grow with the number of sessions. Their session ids are as alike as
the most alike of that many random ids (``typical_id_prefixes``), so that a table key that
keeps too little of an id falls together exactly when production's would.
"""

from __future__ import annotations

import math

from tcommlint.records import NamedTuple
from tcommlint.source import Span

MAX_CONCURRENT = 6
REQUESTS = 4  # every endpoint once, and the first again
LOGIN_AT = 3
PAUSE_BEFORE = 3
ENDPOINTS = ("/chat", "/chat/poll", "/chat/send")
# The chat client sends its messages with POST. The simulated requests are all plain requests
# (no method is tested elsewhere); the method counts where the load balancer treats a POST
# apart: nginx passes a failed POST to the next server only with ``non_idempotent``.
POST_ENDPOINTS = ("/chat/send",)


class AppModel(NamedTuple):
    """What the simulation knows of the application and of how it is used."""

    app_path: str = "/api"
    session_cookie: str = "JSESSIONID"
    cookie_path: str = "/api"  # Tomcat's session cookie path (sessionCookiePath, context path)
    # Where the application is deployed as its server sees requests (Tomcat's Context path),
    # when a load balancer maps the path (Apache ``ProxyPass /chat balancer://c/api``); "":
    # at the app path.
    context_path: str = ""
    id_length: int = 32  # hex characters (Tomcat's sessionIdLength 16 bytes)
    jvm_routes: tuple[str, ...] = ()  # Tomcat jvmRoute of each node, in member order
    route_spans: tuple[Span | None, ...] = ()  # where each jvmRoute is set (None: unset)
    # No Tomcat server.xml in the deployment: each node's ids are taken to end in the route the
    # load balancer gives its member (``Server.route``), said in the trace.
    assume_member_routes: bool = False
    average_session_seconds: int = 1800
    tomcat_timeout_seconds: int = 0  # 0: not known or never expires
    concurrent_sessions: int = 1000
    login_changes_id: bool = True  # Tomcat changeSessionIdOnAuthentication
    id_in_url: bool = False  # the id travels as ;jsessionid= (URL rewriting), not in a cookie

    @property
    def context(self) -> str:
        """The path the application answers under, as its server sees the request."""
        return self.context_path or self.app_path

    @property
    def first_path(self) -> str:
        """The path of the request that creates the session."""
        return self.path(1)

    def path(self, number: int) -> str:
        """The path of request ``number`` (1-based): a chat client's several endpoints."""
        return self.app_path.rstrip("/") + ENDPOINTS[(number - 1) % len(ENDPOINTS)]

    def posts(self, path: str) -> bool:
        """Whether the chat client sends the request to ``path`` with POST."""
        return path.split(";", 1)[0].endswith(POST_ENDPOINTS)

    def route_of(self, node_index: int) -> str:
        """The jvmRoute suffix of the ids a node creates ("" when Tomcat sets none)."""
        if not self.jvm_routes:
            return ""
        return self.jvm_routes[node_index % len(self.jvm_routes)]


class Scenario(NamedTuple):
    """How many sessions, in what order, with which event."""

    name: str
    sessions: int
    requests: int = REQUESTS
    interleaved: bool = False
    pause_before: int = 0  # the request number preceded by the pause
    pause_seconds: float = 0.0
    login_at: int = 0
    id_in_url: bool = False
    table_scale: float = 1.0
    id_prefixes: tuple[str, ...] = ()  # how the ids of session 0, 1, ... start (hex digits)


def scenarios(app: AppModel) -> list[Scenario]:
    """The scenarios of the canonical chat session for one application."""
    found = [Scenario("sequential", 3)]
    if app.concurrent_sessions > 1:
        count = min(app.concurrent_sessions, MAX_CONCURRENT)
        scale = count / app.concurrent_sessions
        prefixes = typical_id_prefixes(count, app.concurrent_sessions, app.id_length)
        concurrent = Scenario("concurrent", count, interleaved=True, table_scale=scale)
        found.append(concurrent._replace(id_prefixes=prefixes))
    found.append(
        Scenario(
            "pause",
            2,
            pause_before=PAUSE_BEFORE,
            pause_seconds=app.average_session_seconds,
        )
    )
    if app.tomcat_timeout_seconds > app.average_session_seconds:
        found.append(
            Scenario(
                "tomcat-pause",
                2,
                pause_before=PAUSE_BEFORE,
                pause_seconds=app.tomcat_timeout_seconds,
            )
        )
    if app.login_changes_id:
        found.append(Scenario("login", 2, requests=LOGIN_AT + 2, login_at=LOGIN_AT))
    if app.id_in_url:  # every session carries its id in the URL
        found = [scenario._replace(id_in_url=True) for scenario in found]
    return found


def typical_id_prefixes(count: int, population: int, id_length: int) -> tuple[str, ...]:
    """How the ids of ``count`` simulated sessions start, for ``population`` concurrent ones.

    Tomcat's ids are random hex. Among ``population`` of them, the two most alike share their
    first L characters, for the largest L at which that is more likely than not (the birthday
    bound: as many pairs as ln 2 times 16^L); and from five ids on, two more likely than not
    start with a letter, so that a key cast to an integer, which keeps the leading decimal
    digits, is 0 for both. Sessions 0 and 1 (created one after the other, so balanced apart)
    are that alike; every other session starts with a digit of its own. A table key that keeps
    fewer characters of the id falls together in the simulation exactly when production's
    would, and one that keeps more does not.
    """
    pairs = population * (population - 1) / 2
    shared = 0
    while shared < id_length - 1 and pairs >= math.log(2) * 16 ** (shared + 1):
        shared += 1
    if shared:
        common = "A" + "0" * (shared - 1)
        alike = (common + "1", common + "2")
    else:
        alike = ("A", "B") if population >= 5 else ("1", "2")
    others = tuple(str(digit) for digit in range(3, 10))
    return (alike + others)[:count]
