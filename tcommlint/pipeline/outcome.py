"""What a simulation finds: the verdict on a service, its breaks and their causes, the trace."""

from __future__ import annotations

from tcommlint.pipeline.model import Opaque, Service
from tcommlint.records import NamedTuple
from tcommlint.source import Span


class Cause(NamedTuple):
    """Why a session broke: a cause code (the rule that names it), the line, the mechanism."""

    code: str
    span: Span
    reason: str
    related: tuple[tuple[Span, str], ...] = ()
    cookie: str = ""  # the misspelt cookie name of ``cookie-name-case`` / ``cookie-name-typo``


class Break(NamedTuple):
    """The first request at which a session of one scenario broke."""

    scenario: str
    request: int
    seen: str  # what the client saw
    cause: Cause
    assumption: str = ""  # the undecidable conditions of this run, e.g. "hdr(host) -i a is false"


class TraceStep(NamedTuple):
    """One thing that happened to one request, for ``show --trace``."""

    span: Span | None
    text: str


class RequestTrace(NamedTuple):
    """One request of the traced session: what was sent and what happened to it."""

    number: int
    method: str
    path: str
    cookies_sent: str
    steps: tuple[TraceStep, ...]
    result: str


class Outcome(NamedTuple):
    """The verdict on one service."""

    service: Service
    pools: tuple[str, ...]  # the pools that served the app path, in order of first use
    verdict: str  # "sticky", "breaks", "not-evaluable"
    breaks: tuple[Break, ...] = ()
    outside: tuple[Opaque, ...] = ()
    kept_by: tuple[str, ...] = ()  # what decided the server of later requests: "cookie", ...
    trace: tuple[RequestTrace, ...] = ()
