"""HAProxy loader: ``haproxy.cfg`` text → the vendor-neutral ``LoadBalancer``.

The reader (``reader``) tokenizes the file into sections of positioned statements;
``proxies`` applies ``defaults`` inheritance; ``compile`` turns them into the pipeline model,
once per combination of undecidable ``.if`` branches (``variants``); ``refusals`` finds what
``haproxy -c`` would refuse. A file HAProxy itself would refuse yields ParseErrors (TC001)
and no load balancer: findings on a half-read configuration would mislead.
"""

from __future__ import annotations

import re

from tcommlint.loaders.generic.suppressions import find_suppressions
from tcommlint.loaders.haproxy.proxies import resolve_proxies
from tcommlint.loaders.haproxy.reader import read_haproxy
from tcommlint.loaders.haproxy.refusals import missing_final_newline, refusals
from tcommlint.loaders.haproxy.variants import compile_variants
from tcommlint.model import ParseError, Suppression
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.records import NamedTuple

_HEADER = re.compile(
    r"^[ \t]*(?:global|defaults(?:[ \t]+[\w.:-]+)*|(?:frontend|backend|listen)[ \t]+[\w.:-]+"
    r"(?:[ \t]+from[ \t]+[\w.:-]+)?)[ \t]*(?:#.*)?$"
)
_LINE_END = re.compile(r"\r\n|\r|\n")
_STATEMENT = re.compile(r"^[ \t]*(?:[a-z][a-z0-9_.-]*|\.if)(?:[ \t]|$)")


class HaproxyResult(NamedTuple):
    """What loading one HAProxy file gives."""

    load_balancers: tuple[LoadBalancer, ...]  # one per combination of undecidable .if branches
    errors: tuple[ParseError, ...]
    suppressions: tuple[Suppression, ...]


def looks_like_haproxy(text: str) -> bool:
    """Cheap sniff: a section header line followed by a plausible statement. Lines end at
    any of ``\\n``, ``\\r\\n`` and ``\\r`` (not at the form feeds ``str.splitlines`` cuts at)."""
    lines = _LINE_END.split(text)
    for index, line in enumerate(lines):
        if not _HEADER.match(line):
            continue
        for following in lines[index + 1 :]:
            stripped = following.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if _STATEMENT.match(following) and not stripped.endswith(("{", "}", ";")):
                return "=" not in stripped.split()[0]
            break
    return False


def _first_per_position(errors: tuple[ParseError, ...]) -> tuple[ParseError, ...]:
    """One error per line and column: the reader's, then the builder's, then a refusal."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for error in errors:
        key = (error.span.line, error.span.column)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return tuple(kept)


def load_haproxy(path: str, text: str) -> HaproxyResult:
    """Load one HAProxy configuration file; ``path`` is the display path used in spans."""
    read = read_haproxy(path, text)
    suppressions = find_suppressions(path, text, ("#",))
    # The proxies are resolved once, for the compiler and the refusals alike.
    resolved = resolve_proxies(path, read.sections)
    balancers, errors, notes = compile_variants(path, read.sections, resolved)
    balancers = [lb._replace(notes=(*read.notes, *notes, *lb.notes)) for lb in balancers]
    refused = refusals(path, read.sections, resolved[0])
    newline = missing_final_newline(path, text)
    all_errors = _first_per_position((*read.errors, *errors, *refused, *filter(None, [newline])))
    if all_errors:
        return HaproxyResult((), all_errors, suppressions)
    return HaproxyResult(tuple(balancers), (), suppressions)
