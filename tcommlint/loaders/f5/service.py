"""One virtual's compiled parts put together in BIG-IP's order: the same for tmsh and AS3.

Routes, the choice that stands first: the iRules' ``HTTP_REQUEST`` ``pool`` commands (they run
after the policies), the policies' forwards, then the iRules' ``CLIENT_ACCEPTED`` commands.
Request steps: the policies', the iRules', the front end's own, then those persistence needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.loaders.f5.compile import CompiledPolicy, IRuleCompiler, PersistenceBuilder
from tcommlint.pipeline.model import Inert, Service, Step, Table
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span


class CompiledService(NamedTuple):
    """One compiled virtual: the service, its tables, the pools it sends requests to."""

    service: Service
    tables: dict[str, Table]
    pools: tuple[str, ...]


class Front(NamedTuple):
    """What the front end (tmsh ``ltm virtual``, AS3 ``Service_*``) read itself."""

    name: str
    span: Span
    http: bool
    https: bool
    binds: tuple[str, ...]
    default_pool: Located[str] | None
    steps: Sequence[Step]
    notes: Sequence[str]
    closing_notes: Sequence[str] = ()
    inert: Sequence[Inert] = ()


def assemble_service(
    front: Front,
    policies: Sequence[CompiledPolicy],
    compiler: IRuleCompiler,
    builder: PersistenceBuilder,
) -> CompiledService:
    """The Service of ``front`` with its policies, iRules and persistence, in BIG-IP's order."""
    routes = [
        *compiler.late_routes(),
        *(route for policy in policies for route in policy.routes),
        *compiler.first_routes(),
    ]
    if front.default_pool is None and routes:
        builder.name_cookie_after(routes[0].pool)
    request_steps = [
        *(step for policy in policies for step in policy.request_steps),
        *compiler.request_steps(),
        *front.steps,
        *builder.steps,
    ]
    response_steps = [
        *(step for policy in policies for step in policy.response_steps),
        *compiler.response_steps(),
    ]
    notes = [
        *front.notes,
        *(note for policy in policies for note in policy.notes),
        *compiler.notes,
        *builder.notes,
        *front.closing_notes,
    ]
    service = Service(
        name=front.name,
        span=front.span,
        http=front.http,
        https=front.https,
        binds=front.binds,
        request_steps=tuple(request_steps),
        routes=tuple(routes),
        default_pool=front.default_pool,
        response_steps=tuple(response_steps),
        persistence=builder.persistence(),
        notes=tuple(notes),
        inert=tuple(front.inert),
    )
    used = dict.fromkeys(route.pool for route in routes)
    if front.default_pool is not None:
        used[front.default_pool.value] = None
    return CompiledService(service, builder.tables, tuple(used))
