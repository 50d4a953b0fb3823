"""The session simulator: chat sessions played through a load balancer's pipeline.

For every service that serves the app path, the canonical chat session is played in several
scenarios (``scenarios.py``): the creating request without a cookie, the application's
``Set-Cookie`` with Tomcat's id shape, later requests carrying what the browser holds, a
request after an idle pause, concurrent sessions against the persistence tables, an id change
at login. The outcome is **sticky**, **breaks** (the scenario, the request, what the client
saw, why, and the line to change) or **not evaluable** (a directive outside the model was on
the way).

Where the load balancer's choice is left to chance (round robin, random, least connections,
a hash of a value not seen before), the simulation chooses adversarially: another node than
the one holding the session whenever there is one. A real load balancer makes that choice for
some session soon enough; a gate must not pass on luck.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from tcommlint.pipeline.balance import balance
from tcommlint.pipeline.causes import (
    absent_key_cause,
    collision_cause,
    most_telling,
    table_miss_cause,
)
from tcommlint.pipeline.cookies import read_request_cookie, write_response_cookie
from tcommlint.pipeline.evaluate import (
    HOST,
    Env,
    UnknownVariable,
    condition_holds,
    render,
    sample_value,
)
from tcommlint.pipeline.http import (
    CookieJar,
    Request,
    Response,
    parse_cookie_header,
    parse_set_cookie,
)
from tcommlint.pipeline.model import (
    Answer,
    Condition,
    HeaderEdit,
    LbCookie,
    LoadBalancer,
    Opaque,
    Persistence,
    Pool,
    Server,
    Service,
    SetPath,
    SetVar,
    Step,
    StickRule,
    Table,
)
from tcommlint.pipeline.outcome import Break, Cause, Outcome, RequestTrace, TraceStep
from tcommlint.pipeline.scenarios import ENDPOINTS, AppModel, Scenario, scenarios
from tcommlint.pipeline.state import StoredServer, TableMiss, Tables
from tcommlint.source import Span

UNEXPLAINED = "session-breaks"
REDIRECTS = "redirects"  # a verdict only while services are compared
MAX_ENV_TESTS = 6  # 2**6 runs at most; more undecidable tests make the route not evaluable


class _Outside(Exception):
    def __init__(self, step: Opaque) -> None:
        super().__init__(step.reason)
        self.step = step


class _Session:
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


class _Result(NamedTuple):
    status: int
    node: str
    session_id: str
    created: bool
    cause: Cause | None  # what broke it for certain: an answer, a rule that changed the cookie
    misses: tuple[Cause, ...]
    decided_by: str


def simulate(lb: LoadBalancer, app: AppModel, trace: bool = False) -> list[Outcome]:
    """The outcome of every service of a load balancer that serves the app path.

    A service that answers the app path with a redirect (to HTTPS, say) is left out when
    another service serves it; when none does, the redirect is where the session breaks.
    """
    world = _World(lb)
    outcomes = []
    for service in lb.services:
        outcome = _simulate_service(world, service, app, trace)
        if outcome is not None:
            outcomes.append(outcome)
    served = [o for o in outcomes if o.verdict != REDIRECTS]
    if served:
        return served
    return [o._replace(verdict="breaks") for o in outcomes]


def _simulate_service(
    world: _World, service: Service, app: AppModel, trace: bool
) -> Outcome | None:
    if not _serves(world, service, app):
        return None
    env_tests = _env_tests(world, service)
    if len(env_tests) > MAX_ENV_TESTS:
        step = Opaque(
            f"{len(env_tests)} conditions depend on what the simulation cannot know "
            f"(more than {MAX_ENV_TESTS})",
            service.span,
            service.name,
        )
        return Outcome(service, (), "not-evaluable", outside=(step,))
    breaks: list[Break] = []
    pools: dict[str, None] = {}
    kept_by: dict[str, None] = {}
    traced: tuple[RequestTrace, ...] = ()
    redirects = False
    for env in _assignments(env_tests):
        for scenario in scenarios(app):
            run = _Run(world, service, app, scenario, env, trace and not traced)
            try:
                found = run.play()
            except _Outside as outside:
                return Outcome(service, tuple(pools), "not-evaluable", outside=(outside.step,))
            except UnknownVariable as unknown:
                assert isinstance(unknown.step, SetVar)
                step = Opaque(
                    f"the variable {unknown.step.name} is read, and its value is computed "
                    "outside the model",
                    unknown.step.span,
                    unknown.step.text,
                )
                return Outcome(service, tuple(pools), "not-evaluable", outside=(step,))
            redirects = redirects or run.redirected
            pools.update(dict.fromkeys(run.pools))
            kept_by.update(dict.fromkeys(run.kept_by))
            breaks.extend(item._replace(assumption=_describe(env)) for item in found)
            if run.traces and not traced:
                traced = tuple(run.traces)
    verdict = REDIRECTS if redirects else ("breaks" if breaks else "sticky")
    distinct = {(b.scenario, b.cause.code, b.cause.span, b.assumption): b for b in reversed(breaks)}
    kept = tuple(reversed(distinct.values()))
    return Outcome(service, tuple(pools), verdict, kept, (), tuple(kept_by), traced)


# --- the world of one load balancer ---------------------------------------------------------


class _World:
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
                self.node_order.setdefault(_node(server), len(self.node_order))
        self._servers: dict[int, _Servers] = {}

    def servers(self, pool: Pool) -> _Servers:
        """A pool's servers by name, node and id (the first of each), indexed on first use."""
        found = self._servers.get(id(pool))
        if found is None:
            found = self._servers[id(pool)] = _Servers(pool)
        return found


class _Servers:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool  # held, so that its id names no other pool
        self.by_name: dict[str, Server] = {}
        self.by_node: dict[str, Server] = {}
        self.by_number: dict[int, Server] = {}
        for server in pool.servers:
            self.by_name.setdefault(server.name, server)
            self.by_node.setdefault(_node(server), server)
            self.by_number.setdefault(server.number, server)


def _serves(world: _World, service: Service, app: AppModel) -> bool:
    """Whether some request of a chat session is routed to a pool by this service (a pool's
    name computed from the request is taken to be one)."""
    if any(rule.template for rule in service.routes):
        return True
    for number in range(1, len(ENDPOINTS) + 1):
        request = Request("GET", app.path(number), "198.51.100.1", service.https)
        for env in _assignments(_env_tests(world, service)):
            name, _ = _route(service, request, env)
            if name is not None and name in world.pools and world.pools[name].servers:
                return True  # (a pool without servers, as a stats listener, serves nothing)
    return False


def _route(service: Service, request: Request, env: Env) -> tuple[str | None, Span | None]:
    for rule in service.routes:
        if condition_holds(rule.when, request, None, env):
            pool = render(rule.template, request, None) if rule.template else rule.pool
            return pool, rule.span
    if service.default_pool is not None:
        return service.default_pool.value, service.default_pool.span
    return None, None


def _conditions(world: _World, service: Service) -> Iterator[Condition]:
    """The conditions whose unknown tests the runs branch on (not those of answers: see
    ``_answers``)."""
    steps = (*service.request_steps, *service.response_steps)
    yield from (step.when for step in steps if not isinstance(step, Answer))
    yield from (rule.when for rule in service.routes)
    for pool in _reachable(world, service):
        steps = (*pool.request_steps, *pool.response_steps)
        yield from (step.when for step in steps if not isinstance(step, Answer))
        persistence = pool.persistence
        yield from (rule.when for rule in persistence.stick_rules)
        yield from (rule.when for rule in persistence.server_rules)
        yield from (rule.when for rule in persistence.persist_rules)


def _reachable(world: _World, service: Service) -> list[Pool]:
    """The pools a service can send a request to (every pool when a name is computed)."""
    if any(rule.template for rule in service.routes):
        return list(world.pools.values())
    names = [rule.pool for rule in service.routes]
    if service.default_pool is not None:
        names.append(service.default_pool.value)
    return [world.pools[name] for name in dict.fromkeys(names) if name in world.pools]


def _env_tests(world: _World, service: Service) -> list[str]:
    found: dict[str, None] = {}
    for condition in _conditions(world, service):
        found.update(dict.fromkeys(_unknown_tests(condition)))
    return sorted(found)


def _unknown_tests(condition: Condition) -> list[str]:
    return [
        test.text
        for branch in condition.branches
        for tests, _ in branch
        for test in tests
        if test.subject == "env"
    ]


def _answers(step: Answer, request: Request, response: Response | None, env: Env) -> bool:
    """Whether the load balancer answers this request itself.

    A chat client's request meets an answer rule only when the rule holds whatever the
    simulation cannot know: a ``deny`` on a request rate, a client address list or a bot
    check, or a redirect of ``www.`` hosts, is written against other traffic than a chat
    session, and judging it by every branch would call every protected site broken.
    """
    unknown = sorted(set(_unknown_tests(step.when)))
    if _names_host(step.when):
        unknown.append(HOST)  # a deny for other hosts, a redirect of www.: not the chat's
    return all(
        condition_holds(step.when, request, response, {**env, **assignment})
        for assignment in _assignments(unknown)
    )


def _names_host(condition: Condition) -> bool:
    return any(
        test.subject == "host"
        for branch in condition.branches
        for tests, _ in branch
        for test in tests
    )


def _assignments(tests: list[str]) -> Iterator[dict[str, bool]]:
    for values in itertools.product((False, True), repeat=len(tests)):
        yield dict(zip(tests, values, strict=True))


def _describe(env: Env) -> str:
    return "; ".join(f"{test} is {'true' if value else 'false'}" for test, value in env.items())


# --- one run: one scenario under one assignment -------------------------------------------------


class _Run:
    """Sessions of one scenario played through the pipeline of one service."""

    def __init__(
        self,
        world: _World,
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
        sessions = [_Session(i) for i in range(self.scenario.sessions)]
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

    def _repair(self, session: _Session, result: _Result) -> None:
        """Let a broken session continue on the node it reached, to find later causes too."""
        if not result.node:
            return
        session.repaired = True
        session.owner = result.node
        if result.session_id:
            session.session_id = result.session_id
            self.nodes.setdefault(result.node, set()).add(result.session_id)

    def _order(self, sessions: list[_Session]) -> Iterator[tuple[int, _Session]]:
        numbers = range(1, self.scenario.requests + 1)
        if self.scenario.interleaved:
            for number in numbers:
                for session in sessions:
                    yield number, session
        else:
            for session in sessions:
                for number in numbers:
                    yield number, session

    def _judge(self, session: _Session, number: int, result: _Result) -> Break | None:
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

    def _break(self, number: int, seen: str, result: _Result) -> Break:
        cause = result.cause or most_telling(result.misses)
        if cause is None:
            cause = Cause(UNEXPLAINED, self.service.span, seen)
        return Break(self.scenario.name, number, seen, cause)

    # -- one request

    def _request(self, session: _Session, number: int) -> _Result:
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

    def _through(self, session: _Session, request: Request, login: bool) -> _Result:
        losses_before = len(session.losses)
        service = self.service
        answer = self._steps(service.request_steps, request, None, session, service.http)
        if answer is not None:
            return answer
        pool_name, route_span = _route(service, request, self.env)
        self._note(route_span, f"routed to {pool_name or 'no pool'}")
        pool = self.world.pools.get(pool_name or "")
        if pool is None:
            cause = Cause("session-breaks", route_span or service.span, "no pool for the request")
            return _Result(503, "", "", False, cause, (), "")
        if pool.name not in self.pools:
            self.pools.append(pool.name)
        answer = self._steps(pool.request_steps, request, None, session, pool.http)
        if answer is not None:
            return answer
        persistence = _merged(service.persistence, pool.persistence)
        altered = session.losses[losses_before:]  # a request rule changed the session cookie
        if self.path_rewrite is not None and not _in_app(request.path, self.app.app_path):
            step = self.path_rewrite
            reason = f"'{step.text}' moves the request out of {self.app.app_path}"
            altered.append(Cause("session-breaks", step.span, reason + ": the API never sees it"))
        chooser = _Chooser(self, pool, persistence, session, request)
        server = chooser.choose()
        if session.owner:
            for miss in chooser.misses:
                self._note(miss.span, f"persistence missed ({miss.code})")
        if server is None:
            cause = Cause("session-breaks", pool.span, f"no usable server in {pool.name}")
            return _Result(503, "", "", False, cause, tuple(chooser.misses), "")
        self._note(server.span, f"server {server.name} ({chooser.decided_by or 'balanced'})")
        self._note(None, f"backend received: Cookie: {'; '.join(request.values('cookie')) or '-'}")
        response, created = self._application(server, request, session, login)
        if created and not session.owner:  # a new session starts: nothing of it is lost yet
            session.losses.clear()
        self._respond(pool, persistence, chooser, request, response, session)
        node = _node(server)
        new_id = response.values("x-session")
        if response.status == 200 and (created or login) and new_id:
            session.session_id = new_id[0]
        if chooser.decided_by:
            self.kept_by.append(chooser.decided_by)
        return _Result(
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
        session: _Session,
        http: bool,
    ) -> _Result | None:
        if not http:
            return None
        for step in steps:
            if isinstance(step, Answer):
                if not _answers(step, request, response, self.answer_env):
                    continue
            elif not condition_holds(step.when, request, response, self.env):
                continue
            if isinstance(step, Opaque):
                raise _Outside(step)
            if isinstance(step, Answer):
                cause = Cause(
                    "session-breaks",
                    step.span,
                    f"'{step.text}' makes the load balancer answer {step.status} itself: "
                    "the request never reaches the application",
                )
                self._note(step.span, f"answered {step.status} by the load balancer")
                return _Result(step.status, "", "", False, cause, (), "")
            if isinstance(step, SetPath):
                self._set_path(step, request)
            elif isinstance(step, SetVar):
                _set_var(step, request, response)
            else:
                self._edit(step, request, response, session)
        return None

    def _set_path(self, step: SetPath, request: Request) -> None:
        if step.dynamic and not step.template:
            raise _Outside(Opaque("the new path is computed", step.span, step.text, step.when))
        value = render(step.template, request, None) if step.template else step.value
        if step.pattern:
            request.path = _replaced(step.pattern, value, request.path)
        else:
            request.path = value
        self.path_rewrite = step
        self._note(step.span, f"path is now {request.path}")

    def _edit(
        self, step: HeaderEdit, request: Request, response: Response | None, session: _Session
    ) -> None:
        message: Request | Response = request if response is None else response
        cookie_header = step.header in ("cookie", "set-cookie")
        if step.dynamic and cookie_header and not step.template:
            raise _Outside(Opaque("the new header value is computed", step.span, step.text))
        if step.template:
            step = step._replace(value=render(step.template, request, response))
        before = message.values(step.header)
        apply_edit(step, message)
        after = message.values(step.header)
        if before != after:
            self._note(step.span, f"{step.header}: {'; '.join(after) or '(removed)'}")
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

    def _lost_id(self, before: list[str], after: list[str], header: str) -> bool:
        name = self.app.session_cookie
        if header == "cookie":
            return _cookie_values(before, name) != _cookie_values(after, name)
        old = [c.value for v in before if (c := parse_set_cookie(v)).name == name]
        new = [c.value for v in after if (c := parse_set_cookie(v)).name == name]
        return old != new

    # -- the application

    def _application(
        self, server: Server, request: Request, session: _Session, login: bool
    ) -> tuple[Response, bool]:
        node = _node(server)
        response = Response(200, node)
        known = self.nodes.setdefault(node, set())
        path, _, url_id = request.path.partition(";")
        if not _in_app(path, self.app.app_path):
            response.status = 200
            return response, False
        ids = self._ids(request, url_id)
        valid = [i for i in ids if i in known]
        created = False
        if not ids:
            session_id = self._new_id(server)
            known.add(session_id)
            created = True
        elif not valid:
            response.status = 404
            return response, False
        else:
            session_id = valid[0]
        if login and not created:
            known.discard(session_id)
            session_id = self._new_id(server)
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

    def _new_id(self, server: Server) -> str:
        serial = next(self.serial)
        body = f"{serial * 2654435761 % (16**8):08X}" * 4
        route = self.app.route_of(self.world.node_order.get(_node(server), 0))
        return body[: self.app.id_length] + (f".{route}" if route else "")

    # -- the response

    def _respond(
        self,
        pool: Pool,
        persistence: Persistence,
        chooser: _Chooser,
        request: Request,
        response: Response,
        session: _Session,
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
                session.losses.append(_clobber_cause(cookie.mode.value, cookie))
        for value in response.values("set-cookie"):
            self._note(None, f"client got: Set-Cookie: {value}")
            session.jar.receive(parse_set_cookie(value), request.path, self.clock)

    # -- tracing

    def _note(self, span: Span | None, text: str) -> None:
        if self.tracing:
            self.steps.append(TraceStep(span, text))

    def _trace(
        self, session: _Session, number: int, method: str, path: str, sent: str, result: _Result
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


def _in_app(path: str, app_path: str) -> bool:
    """Whether a request path is one of the application's (under the app path)."""
    path = path.partition(";")[0]
    return path == app_path or path.startswith(app_path.rstrip("/") + "/")


def _set_var(step: SetVar, request: Request, response: Response | None) -> None:
    if step.value is None:
        request.vars.pop(step.name, None)
    elif not step.known:
        request.unknown_vars[step.name] = step
    else:
        request.vars[step.name] = render(step.value, request, response)


def _clobber_cause(mode: str, cookie: LbCookie) -> Cause:
    verb = {"insert": "replaces", "rewrite": "rewrites"}.get(mode, "changes")
    return Cause(
        "clobbers-session-cookie",
        cookie.mode.span,
        f"the load balancer's cookie {cookie.name.value} ({mode}) {verb} the application's "
        f"session cookie of the same name: the session id never reaches the browser",
        ((cookie.span, "the cookie directive"),),
    )


def _cookie_values(headers: list[str], name: str) -> list[str]:
    return [
        value for header in headers for key, value in parse_cookie_header(header) if key == name
    ]


def _node(server: Server) -> str:
    return server.node or server.name


def _merged(first: Persistence, second: Persistence) -> Persistence:
    if first.empty and not first.persist_rules and not first.inert:
        return second
    return Persistence(
        first.server_rules + second.server_rules,
        first.persist_rules + second.persist_rules,
        first.cookie or second.cookie,
        first.stick_rules + second.stick_rules,
        first.inert + second.inert,
    )


def apply_edit(step: HeaderEdit, message: Request | Response) -> None:
    """Apply one header edit to a message."""
    name = step.header
    if step.action == "del":
        message.delete(name)
    elif step.action == "set":
        message.replace_all(name, [step.value])
    elif step.action == "add":
        message.add(name, step.value)
    elif step.action in ("replace-header", "replace-value"):
        edited = []
        for value in message.values(name):
            if step.action == "replace-header":
                edited.append(_replaced(step.pattern, step.value, value))
            else:
                parts = [_replaced(step.pattern, step.value, p.strip()) for p in value.split(",")]
                edited.append(", ".join(parts))
        message.replace_all(name, edited)


def _replaced(pattern: str, replacement: str, value: str) -> str:
    """HAProxy's regex replacement (``replace-header``, ``replace-value``, ``replace-path``):
    when the regex matches anywhere in the value, the whole value becomes the replacement with
    its ``\\N`` references expanded (``exp_replace`` in src/regex.c)."""
    try:
        match = re.search(pattern, value)
    except re.error:
        return value
    if match is None:
        return value
    try:
        return match.expand(_java_groups(replacement))
    except (re.error, IndexError):
        return value


def _java_groups(text: str) -> str:
    """HAProxy's ``\\1`` back-references as Python's ``\\g<1>``."""
    return re.sub(r"\\(\d)", r"\\g<\1>", text)


# --- choosing the server ----------------------------------------------------------------------


class _Chooser:
    """Persistence lookup then balancing for one request, in HAProxy's order."""

    def __init__(
        self,
        run: _Run,
        pool: Pool,
        persistence: Persistence,
        session: _Session,
        request: Request,
    ) -> None:
        self.run = run
        self.pool = pool
        self.persistence = persistence
        self.session = session
        self.request = request
        self.misses: list[Cause] = []
        self.decided_by = ""
        self.direct = False
        self.target: Server | None = None
        self.ignore = False
        self.force = False
        self.stores: list[tuple[StickRule, str]] = []
        self.cookie_found = False
        self.cookie_first: float | None = None

    def choose(self) -> Server | None:
        run, _pool, request = self.run, self.pool, self.request
        for rule in self.persistence.persist_rules:
            if condition_holds(rule.when, request, None, run.env):
                self.ignore = self.ignore or rule.kind == "ignore"
                self.force = self.force or rule.kind == "force"
        self._use_server()
        self._cookie()
        self._stick_match()
        if self.target is None:
            self.target = self._balance()
        elif not self.decided_by:
            self.decided_by = "rule"
        return self.target

    def _usable(self, server: Server) -> bool:
        return not server.disabled or self.pool.persist_to_down or self.force

    def _use_server(self) -> None:
        for rule in self.persistence.server_rules:
            if self.target is not None:
                return
            if not condition_holds(rule.when, self.request, None, self.run.env):
                continue
            name = render(rule.template, self.request, None) if rule.template else rule.server
            server = self.run.world.servers(self.pool).by_name.get(name)
            if server is not None and self._usable(server):
                self.target, self.direct, self.decided_by = server, True, "rule"
                self.run._note(rule.span, f"use-server {server.name}")

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
                    self.misses.append(_conditional_miss(rule))
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
            self.misses.append(_table_miss(rule, table, found, key))
            return
        if self.target is not None:
            return
        server = _stored_server(run.world.servers(self.pool), table, found)
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
        elif self._usable(server):
            self.target, self.direct = server, True
            self.decided_by = _key_kind(rule.key.fetch)
            run._note(rule.span, f"found in table {table.name}: server {server.name}")
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
                stored = StoredServer(self.target.number, self.target.name, _node(self.target))
                run.tables.store(table, key, stored, run.clock, rule)
                run._note(rule.span, f"learned {key[:24]} → {self.target.name} in {table.name}")

    def server_side_cookies(self, response: Response) -> None:
        """The load balancer's cookie in the response (rewritten, prefixed, inserted)."""
        cookie = self.persistence.cookie
        if cookie is not None:
            write_response_cookie(self, cookie, response)


def _stored_server(servers: _Servers, table: Table, stored: StoredServer) -> Server | None:
    """The pool's server an entry names: by name or address (``srvkey``), else by id."""
    found = None
    if table.server_key == "name":
        found = servers.by_name.get(stored.name)
    elif table.server_key == "addr":
        found = servers.by_node.get(stored.node)
    return found if found is not None else servers.by_number.get(stored.number)


def _conditional_miss(rule: StickRule) -> Cause:
    return Cause(
        "conditional-persistence",
        rule.span,
        f"'{rule.text}' applies only {rule.when.text}: this request is not matched",
    )


def _table_miss(rule: StickRule, table: Table, miss: TableMiss, key: str) -> Cause:
    return table_miss_cause(rule, table, miss, key)


def _key_kind(fetch: str) -> str:
    if fetch in ("req.cook", "res.cook", "req.cookies"):
        return "cookie"
    if fetch == "src":
        return "client-address"
    if fetch in ("path", "url", "query"):
        return "url"
    return "other"
