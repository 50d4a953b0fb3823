"""What the simulation cannot know, tried every way.

A test on something outside the simulation (the client address, an ACL file, a request rate)
is an ``env`` test: the runs of a service branch on every assignment of the ones on its path,
and a route breaks if any assignment breaks. Rules that make the load balancer answer itself
are the exception: they apply to a chat request only when they hold whatever is unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from tcommlint.pipeline.evaluate import (
    HOST,
    Env,
    condition_holds,
)
from tcommlint.pipeline.http import (
    Request,
    Response,
)
from tcommlint.pipeline.model import (
    Answer,
    Condition,
    Service,
)
from tcommlint.pipeline.world import World, reachable


def conditions(world: World, service: Service) -> Iterator[Condition]:
    """The conditions whose unknown tests the runs branch on (not those of answers: see
    ``answers``)."""
    steps = (*service.request_steps, *service.response_steps)
    yield from (step.when for step in steps if not isinstance(step, Answer))
    yield from (rule.when for rule in service.routes)
    for pool in reachable(world, service):
        steps = (*pool.request_steps, *pool.response_steps)
        yield from (step.when for step in steps if not isinstance(step, Answer))
        persistence = pool.persistence
        yield from (rule.when for rule in persistence.stick_rules)
        yield from (rule.when for rule in persistence.server_rules)
        yield from (rule.when for rule in persistence.persist_rules)


def undecided_tests(world: World, service: Service) -> list[str]:
    found: dict[str, None] = {}
    for condition in conditions(world, service):
        found.update(dict.fromkeys(unknown_tests(condition)))
    return sorted(found)


def unknown_tests(condition: Condition) -> list[str]:
    return [
        test.text
        for branch in condition.branches
        for tests, _ in branch
        for test in tests
        if test.subject == "env"
    ]


def answers(step: Answer, request: Request, response: Response | None, env: Env) -> bool:
    """Whether the load balancer answers this request itself.

    A chat client's request meets an answer rule only when the rule holds whatever the
    simulation cannot know: a ``deny`` on a request rate, a client address list or a bot
    check, or a redirect of ``www.`` hosts, is written against other traffic than a chat
    session, and judging it by every branch would call every protected site broken.
    """
    unknown = sorted(set(unknown_tests(step.when)))
    if names_host(step.when):
        unknown.append(HOST)  # a deny for other hosts, a redirect of www.: not the chat's
    return all(
        condition_holds(step.when, request, response, {**env, **assignment})
        for assignment in assignments(unknown)
    )


def names_host(condition: Condition) -> bool:
    return any(
        test.subject == "host"
        for branch in condition.branches
        for tests, _ in branch
        for test in tests
    )


def assignments(tests: list[str]) -> Iterator[dict[str, bool]]:
    for values in itertools.product((False, True), repeat=len(tests)):
        yield dict(zip(tests, values, strict=True))


def describe(env: Env) -> str:
    return "; ".join(f"{test} is {'true' if value else 'false'}" for test, value in env.items())
