"""One scenario played through the pipeline of one service: sessions, requests, the
application behind the servers, the response; what each request saw and why it broke."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from tcommlint.pipeline.branches import answers
from tcommlint.pipeline.causes import (
    most_telling,
)
from tcommlint.pipeline.chooser import Chooser, merged
from tcommlint.pipeline.evaluate import (
    HOST,
    Env,
    condition_holds,
    render,
)
from tcommlint.pipeline.http import (
    CookieJar,
    Request,
    Response,
    parse_set_cookie,
)
from tcommlint.pipeline.model import (
    Answer,
    HeaderEdit,
    LbCookie,
    Opaque,
    Persistence,
    Pool,
    Server,
    Service,
    SetPath,
    SetVar,
    Step,
)
from tcommlint.pipeline.outcome import Break, Cause, RequestTrace, TraceStep
from tcommlint.pipeline.rewrite import (
    apply_edit,
    cookie_values,
    in_app,
    replaced,
    set_var,
)
from tcommlint.pipeline.scenarios import AppModel, Scenario
from tcommlint.pipeline.state import Tables
from tcommlint.pipeline.world import World, node_of, route
from tcommlint.records import NamedTuple
from tcommlint.source import Span

UNEXPLAINED = "session-breaks"


class Outside(Exception):
    def __init__(self, step: Opaque) -> None:
        super().__init__(step.reason)
        self.step = step


class SessionState:
    __slots__ = (
        "client",
        "cookie_notes",
        "index",
        "jar",
        "losses",
        "owner",
        "repaired",
        "session_id",
    )

    def __init__(self, index: int) -> None:
        self.index = index
        self.jar = CookieJar()
        self.owner = ""
        self.session_id = ""
        self.client = f"198.51.100.{index + 1}"
        self.losses: list[Cause] = []  # what removed or changed the session id on its way
        self.cookie_notes: list[Cause] = []  # why the LB cookie was not given to the client
        self.repaired = False  # it broke once and goes on from where it landed


class RequestResult(NamedTuple):
    status: int
    node: str
    session_id: str
    created: bool
    cause: Cause | None  # what broke it for certain: an answer, a rule that changed the cookie
    misses: tuple[Cause, ...]
    decided_by: str


class Run:
    """Sessions of one scenario played through the pipeline of one service."""

    def __init__(
        self,
        world: World,
        service: Service,
        app: AppModel,
        scenario: Scenario,
        env: Env,
        trace: bool,
    ) -> None:
        self.world = world
        self.service = service
        self.app = app
        self.scenario = scenario
        self.env = env
        self.answer_env = {**env, HOST: False}
        self.tables = Tables(world.tables, scenario.table_scale)
        self.nodes: dict[str, set[str]] = {}
        self.hashes: dict[tuple[str, str], str] = {}
        self.turn: dict[str, int] = {}
        self.clock = 0.0
        self.serial = itertools.count(1)
        self.pools: list[str] = []
        self.kept_by: list[str] = []
        self.tracing = trace
        self.traces: list[RequestTrace] = []
        self.redirected = False
        self.path_rewrite: SetPath | None = None  # the last rewrite of this request's path
        self.steps: list[TraceStep] = []

    # -- sessions

    def play(self) -> list[Break]:
        """Play every session; every break (a broken session goes on from where it landed)."""
        sessions = [SessionState(i) for i in range(self.scenario.sessions)]
        found: list[Break] = []
        for number, session in self._order(sessions):
            if number == self.scenario.pause_before and number > 1:
                self.clock += self.scenario.pause_seconds
            result = self._request(session, number)
            broken = self._judge(session, number, result)
            if broken is not None:
                if not (session.repaired and broken.cause.code == UNEXPLAINED):
                    found.append(broken)
                self._repair(session, result)
        return found

    def _repair(self, session: SessionState, result: RequestResult) -> None:
        """Let a broken session continue on the node it reached, to find later causes too."""
        if not result.node:
            return
        session.repaired = True
        session.owner = result.node
        if result.session_id:
            session.session_id = result.session_id
            self.nodes.setdefault(result.node, set()).add(result.session_id)

    def _order(self, sessions: list[SessionState]) -> Iterator[tuple[int, SessionState]]:
        numbers = range(1, self.scenario.requests + 1)
        if self.scenario.interleaved:
            for number in numbers:
                for session in sessions:
                    yield number, session
        else:
            for session in sessions:
                for number in numbers:
                    yield number, session

    def _judge(self, session: SessionState, number: int, result: RequestResult) -> Break | None:
        if number == 1:
            if result.status == 200 and result.created:
                session.owner = result.node
                return None
            if 300 <= result.status < 400 and not result.node:
                self.redirected = True
            return self._break(number, f"request 1 got {result.status}", result)
        if result.node != session.owner:
            seen = f"request {number} reached {result.node or 'no server'}, not {session.owner}"
            return self._break(number, seen, result)
        if result.status != 200 or result.created:
            what = "No Session Found" if result.status == 404 else "a new session"
            seen = f"request {number} got {what} on {result.node}, which holds the session"
            cause = session.losses[-1] if session.losses else None
            return self._break(number, seen, result._replace(cause=result.cause or cause))
        return None

    def _break(self, number: int, seen: str, result: RequestResult) -> Break:
        cause = result.cause or most_telling(result.misses)
        if cause is None:
            cause = Cause(UNEXPLAINED, self.service.span, seen)
        return Break(self.scenario.name, number, seen, cause)

    # -- one request

    def _request(self, session: SessionState, number: int) -> RequestResult:
        self.steps = []
        self.path_rewrite = None
        login = number == self.scenario.login_at
        path = self.app.path(number) + ("/login" if login else "")
        method = "GET"
        request = Request(method, path, session.client, self.service.https)
        request.add("host", "tcomm.example")
        request.add("user-agent", f"chat-client/{session.index}")
        skip = self.app.session_cookie if self.scenario.id_in_url else ""
        cookies = session.jar.header(path, self.service.https, self.clock, skip)
        if cookies:
            request.add("cookie", cookies)
        if self.scenario.id_in_url and session.session_id:
            request.path += f";{self.app.session_cookie.lower()}={session.session_id}"
        sent = cookies
        result = self._through(session, request, login)
        if self.tracing and session.index == 0:
            self._trace(session, number, method, path, sent, result)
        return result

    def _through(self, session: SessionState, request: Request, login: bool) -> RequestResult:
        losses_before = len(session.losses)
        service = self.service
        answer = self._steps(service.request_steps, request, None, session, service.http)
        if answer is not None:
            return answer
        pool_name, route_span = route(service, request, self.env)
        if self.tracing:  # the notes' text is built only for a trace
            self.note(route_span, f"routed to {pool_name or 'no pool'}")
        pool = self.world.pools.get(pool_name or "")
        if pool is None:
            cause = Cause("session-breaks", route_span or service.span, "no pool for the request")
            return RequestResult(503, "", "", False, cause, (), "")
        if pool.name not in self.pools:
            self.pools.append(pool.name)
        answer = self._steps(pool.request_steps, request, None, session, pool.http)
        if answer is not None:
            return answer
        persistence = merged(service.persistence, pool.persistence)
        altered = session.losses[losses_before:]  # a request rule changed the session cookie
        if self.path_rewrite is not None and not in_app(request.path, self.app.context):
            step = self.path_rewrite
            reason = f"'{step.text}' moves the request out of {self.app.context}"
            altered.append(Cause("session-breaks", step.span, reason + ": the API never sees it"))
        chooser = Chooser(self, pool, persistence, session, request)
        server = chooser.choose()
        if session.owner and self.tracing:
            for miss in chooser.misses:
                self.note(miss.span, f"persistence missed ({miss.code})")
        if server is None:
            cause = Cause("session-breaks", pool.span, f"no usable server in {pool.name}")
            return RequestResult(503, "", "", False, cause, tuple(chooser.misses), "")
        if self.tracing:
            self.note(server.span, f"server {server.name} ({chooser.how or 'balanced'})")
            sent = "; ".join(request.values("cookie")) or "-"
            self.note(None, f"backend received: Cookie: {sent}")
        response, created = self._application(server, request, session, login)
        if pool.retry is not None and response.status == 404:
            failed = (server, response, created)
            server, response, created = self._retried(
                pool, chooser, failed, request, session, login
            )
        if created and not session.owner:  # a new session starts: nothing of it is lost yet
            session.losses.clear()
        self._respond(pool, persistence, chooser, request, response, session)
        node = node_of(server)
        new_id = response.values("x-session")
        if response.status == 200 and (created or login) and new_id:
            session.session_id = new_id[0]
        if chooser.decided_by:
            self.kept_by.append(chooser.decided_by)
        return RequestResult(
            response.status,
            node,
            session.session_id,
            created,
            altered[-1] if altered else None,
            tuple(chooser.misses),
            chooser.decided_by,
        )

    def _steps(
        self,
        steps: Sequence[Step],
        request: Request,
        response: Response | None,
        session: SessionState,
        http: bool,
    ) -> RequestResult | None:
        if not http:
            return None
        for step in steps:
            if isinstance(step, Answer):
                if not answers(step, request, response, self.answer_env):
                    continue
            elif not condition_holds(step.when, request, response, self.env):
                continue
            if isinstance(step, Opaque):
                raise Outside(step)
            if isinstance(step, Answer):
                cause = Cause(
                    "session-breaks",
                    step.span,
                    f"'{step.text}' makes the load balancer answer {step.status} itself: "
                    "the request never reaches the application",
                )
                self.note(step.span, f"answered {step.status} by the load balancer")
                return RequestResult(step.status, "", "", False, cause, (), "")
            if isinstance(step, SetPath):
                self._set_path(step, request)
            elif isinstance(step, SetVar):
                set_var(step, request, response)
            else:
                self._edit(step, request, response, session)
        return None

    def _set_path(self, step: SetPath, request: Request) -> None:
        if step.dynamic and not step.template:
            raise Outside(Opaque("the new path is computed", step.span, step.text, step.when))
        value = render(step.template, request, None) if step.template else step.value
        if step.pattern:
            request.path = replaced(step.pattern, value, request.path)
        else:
            request.path = value
        self.path_rewrite = step
        self.note(step.span, f"path is now {request.path}")

    def _edit(
        self, step: HeaderEdit, request: Request, response: Response | None, session: SessionState
    ) -> None:
        message: Request | Response = request if response is None else response
        cookie_header = step.header in ("cookie", "set-cookie")
        if step.dynamic and cookie_header and not step.template:
            raise Outside(Opaque("the new header value is computed", step.span, step.text))
        if step.template:
            step = step._replace(value=render(step.template, request, response))
        before = message.values(step.header)
        apply_edit(step, message)
        after = message.values(step.header)
        if before != after:
            self.note(step.span, f"{step.header}: {'; '.join(after) or '(removed)'}")
            if cookie_header and self._lost_id(before, after, step.header):
                where = "request" if step.header == "cookie" else "response"
                session.losses.append(
                    Cause(
                        "session-cookie-altered",
                        step.span,
                        f"'{step.text}' changes the {where}'s {step.header} header and with it "
                        f"the session cookie {self.app.session_cookie}",
                    )
                )
            elif step.header == "set-cookie" and self._made_secure(before, after):
                session.losses.append(
                    Cause(
                        "session-cookie-altered",
                        step.span,
                        f"'{step.text}' marks the session cookie {self.app.session_cookie} "
                        "Secure on a plain-http service: a browser neither keeps nor sends a "
                        "Secure cookie over plain http",
                    )
                )

    def _made_secure(self, before: list[str], after: list[str]) -> bool:
        """Whether an edit added Secure to the session cookie of a plain-http response."""
        if self.service.https:
            return False
        name = self.app.session_cookie
        old = [c.secure for v in before if (c := parse_set_cookie(v)).name == name]
        new = [c.secure for v in after if (c := parse_set_cookie(v)).name == name]
        return any(new) and not any(old)

    def _lost_id(self, before: list[str], after: list[str], header: str) -> bool:
        name = self.app.session_cookie
        if header == "cookie":
            return cookie_values(before, name) != cookie_values(after, name)
        old = [c.value for v in before if (c := parse_set_cookie(v)).name == name]
        new = [c.value for v in after if (c := parse_set_cookie(v)).name == name]
        return old != new

    # -- the application

    def _retried(
        self,
        pool: Pool,
        chooser: Chooser,
        failed: tuple[Server, Response, bool],
        request: Request,
        session: SessionState,
        login: bool,
    ) -> tuple[Server, Response, bool]:
        """nginx ``proxy_next_upstream http_404``: the next servers not yet tried, in order,
        until one knows the session; a POST only with ``non_idempotent``."""
        retry = pool.retry
        assert retry is not None
        server = failed[0]
        if self.app.posts(request.path) and not retry.non_idempotent:
            self.note(retry.span, "a POST is not passed to the next server")
            return failed
        left = retry.tries - 1 if retry.tries else len(pool.servers)
        for other in pool.servers:
            if left <= 0:
                break
            if other is server or other.disabled or other.backup:
                continue
            left -= 1
            response, created = self._application(other, request, session, login)
            if response.status != 404:
                self.note(retry.span, f"404 retried: {other.name} answered")
                chooser.target, chooser.decided_by, chooser.how = other, "other", retry.text
                return other, response, created
        return failed

    def _application(
        self, server: Server, request: Request, session: SessionState, login: bool
    ) -> tuple[Response, bool]:
        node = node_of(server)
        response = Response(200, node)
        known = self.nodes.setdefault(node, set())
        path, _, url_id = request.path.partition(";")
        if not in_app(path, self.app.context):
            response.status = 200
            return response, False
        ids = self._ids(request, url_id)
        valid = [i for i in ids if i in known]
        created = False
        if not ids:
            session_id = self._new_id(server, session.index)
            known.add(session_id)
            created = True
        elif not valid:
            response.status = 404
            return response, False
        else:
            session_id = valid[0]
        if login and not created:
            known.discard(session_id)
            session_id = self._new_id(server, session.index)
            known.add(session_id)
        if created or login:
            cookie = f"{self.app.session_cookie}={session_id}; Path={self.app.cookie_path}"
            response.add("set-cookie", cookie + "; HttpOnly")
        response.add("x-session", session_id)
        return response, created

    def _ids(self, request: Request, url_id: str) -> list[str]:
        name = self.app.session_cookie
        key, sep, value = url_id.partition("=")
        if sep and key == name.lower():
            return [value]
        return [value for cookie, value in request.cookies() if cookie == name]

    def _new_id(self, server: Server, session: int) -> str:
        serial = next(self.serial)
        prefixes = self.scenario.id_prefixes
        prefix = prefixes[session] if session < len(prefixes) else ""
        body = prefix + f"{serial * 2654435761 % (16**8):08X}" * 4
        route = self.app.route_of(self.world.node_order.get(node_of(server), 0))
        if not route and self.app.assume_member_routes and server.route is not None:
            route = server.route.value
            self.note(
                server.route.span,
                f"assumed: the node's Tomcat jvmRoute is {route} (no server.xml in the deployment)",
            )
        return body[: self.app.id_length] + (f".{route}" if route else "")

    # -- the response

    def _respond(
        self,
        pool: Pool,
        persistence: Persistence,
        chooser: Chooser,
        request: Request,
        response: Response,
        session: SessionState,
    ) -> None:
        app_set = response.cookie(self.app.session_cookie)
        chooser.store(response)
        self._steps(pool.response_steps, request, response, session, pool.http)
        self._steps(self.service.response_steps, request, response, session, self.service.http)
        if pool.http and persistence.cookie is not None:
            chooser.server_side_cookies(response)
        if app_set is not None and response.cookie(self.app.session_cookie) != app_set:
            cookie = persistence.cookie
            clobbering = cookie is not None and cookie.mode.value in ("insert", "rewrite")
            if cookie is not None and clobbering and cookie.name.value == self.app.session_cookie:
                session.losses.append(clobber_cause(cookie.mode.value, cookie))
        for value in response.values("set-cookie"):
            if self.tracing:
                self.note(None, f"client got: Set-Cookie: {value}")
            session.jar.receive(parse_set_cookie(value), request.path, self.clock)

    # -- tracing

    def note(self, span: Span | None, text: str) -> None:
        if self.tracing:
            self.steps.append(TraceStep(span, text))

    def _trace(
        self,
        session: SessionState,
        number: int,
        method: str,
        path: str,
        sent: str,
        result: RequestResult,
    ) -> None:
        kept = result.status == 200 and not (number > 1 and result.created)
        outcome = (
            ("kept (the session broke before)" if session.repaired else "kept") if kept else ""
        )
        self.traces.append(
            RequestTrace(
                number,
                method,
                path,
                sent,
                tuple(self.steps),
                outcome or f"status {result.status} from {result.node or 'the load balancer'}",
            )
        )


def clobber_cause(mode: str, cookie: LbCookie) -> Cause:
    verb = {"insert": "replaces", "rewrite": "rewrites"}.get(mode, "changes")
    return Cause(
        "clobbers-session-cookie",
        cookie.mode.span,
        f"the load balancer's cookie {cookie.name.value} ({mode}) {verb} the application's "
        f"session cookie of the same name: the session id never reaches the browser",
        ((cookie.span, "the cookie directive"),),
    )
