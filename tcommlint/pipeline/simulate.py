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

from tcommlint.pipeline.branches import assignments, describe, undecided_tests
from tcommlint.pipeline.evaluate import (
    UnknownVariable,
    condition_holds,
)
from tcommlint.pipeline.http import (
    Request,
)
from tcommlint.pipeline.model import (
    LoadBalancer,
    Opaque,
    Service,
    SetVar,
)
from tcommlint.pipeline.outcome import Break, Outcome, RequestTrace
from tcommlint.pipeline.run import Outside, Run
from tcommlint.pipeline.scenarios import ENDPOINTS, AppModel, scenarios
from tcommlint.pipeline.shared import Sharing
from tcommlint.pipeline.world import World, route

REDIRECTS = "redirects"  # a verdict only while services are compared
MAX_ENV_TESTS = 6  # 2**6 runs at most; more undecidable tests make the route not evaluable


def simulate(
    lb: LoadBalancer, app: AppModel, trace: bool = False, share: bool = True
) -> list[Outcome]:
    """The outcome of every service of a load balancer that serves the app path.

    A service that answers the app path with a redirect (to HTTPS, say) is left out when
    another service serves it; when none does, the redirect is where the session breaks.
    Services that differ only in names and positions are played once (``shared.py``; not
    while tracing: a trace is the traced service's own).
    """
    world = World(lb)
    outcomes = []
    sharing = Sharing(world, app) if share and not trace else None

    def simulated(seen: World, service: Service) -> Outcome | None:
        return _simulate_service(seen, service, app, trace)

    for service in lb.services:
        if sharing is None:
            outcome = simulated(world, service)
        else:
            outcome = sharing.outcome(service, simulated)
        if outcome is not None:
            outcomes.append(outcome)
    served = [o for o in outcomes if o.verdict != REDIRECTS]
    if served:
        return served
    return [o._replace(verdict="breaks") for o in outcomes]


def _simulate_service(world: World, service: Service, app: AppModel, trace: bool) -> Outcome | None:
    if not serves(world, service, app):
        return None
    env_tests = undecided_tests(world, service)
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
    for env in assignments(env_tests):
        for scenario in scenarios(app):
            run = Run(world, service, app, scenario, env, trace and not traced)
            try:
                found = run.play()
            except Outside as outside:
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
            breaks.extend(item._replace(assumption=describe(env)) for item in found)
            if run.traces and not traced:
                traced = tuple(run.traces)
    verdict = REDIRECTS if redirects else ("breaks" if breaks else "sticky")
    distinct = {(b.scenario, b.cause.code, b.cause.span, b.assumption): b for b in reversed(breaks)}
    kept = tuple(reversed(distinct.values()))
    return Outcome(service, tuple(pools), verdict, kept, (), tuple(kept_by), traced)


def serves(world: World, service: Service, app: AppModel) -> bool:
    """Whether some request of a chat session is routed to a pool by this service (a pool's
    name computed from the request is taken to be one), or meets a directive outside the model
    that can route it (``Opaque.serves``)."""
    if any(rule.template for rule in service.routes):
        return True
    routing = [s for s in service.request_steps if isinstance(s, Opaque) and s.serves]
    for number in range(1, len(ENDPOINTS) + 1):
        request = Request("GET", app.path(number), "198.51.100.1", service.https)
        for env in assignments(undecided_tests(world, service)):
            name, _ = route(service, request, env)
            if name is not None and name in world.pools and world.pools[name].servers:
                return True  # (a pool without servers, as a stats listener, serves nothing)
            if any(condition_holds(step.when, request, None, env) for step in routing):
                return True
    return False
