"""The application as the simulation plays it, and the scenarios of the canonical chat session.

Every scenario is what a chat client really does; the numbers are the smallest that show the
failure (three sessions are enough to show a table key shared by sessions, two a pause,
four requests reach every endpoint and come back to the first).
Concurrent sessions are played at most ``MAX_CONCURRENT`` at a time, the persistence tables
shrunk in proportion (``table_scale``), so that a table smaller than the deployment's
``concurrent_sessions`` overflows in the simulation exactly when it would in production,
at a cost that does not grow with the number of sessions.
"""

from typing import NamedTuple

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


def scenarios(app: AppModel) -> list[Scenario]:
    """The scenarios of the canonical chat session for one application."""
    found = [Scenario("sequential", 3)]
    if app.concurrent_sessions > 1:
        count = min(app.concurrent_sessions, MAX_CONCURRENT)
        scale = count / app.concurrent_sessions
        found.append(Scenario("concurrent", count, interleaved=True, table_scale=scale))
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
