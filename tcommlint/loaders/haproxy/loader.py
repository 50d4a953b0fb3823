"""HAProxy loader: ``haproxy.cfg`` text → the vendor-neutral ``LoadBalancer``.

The reader (``haproxy_reader``) tokenizes the file into sections of positioned statements;
``haproxy_proxies`` applies ``defaults`` inheritance; ``haproxy_builder`` (with
``haproxy_routes`` and ``haproxy_persistence``) fills the model. A file HAProxy itself
would refuse yields ParseErrors (TC001) and no load balancer: findings on a half-read
configuration would mislead.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tcommlint.loaders.generic.suppressions import find_suppressions
from tcommlint.loaders.haproxy.builder import build_load_balancer
from tcommlint.loaders.haproxy.reader import read_haproxy
from tcommlint.model import LoadBalancer, ParseError, Suppression

_HEADER = re.compile(
    r"^[ \t]*(?:global|defaults(?:[ \t]+[\w.:-]+)*|(?:frontend|backend|listen)[ \t]+[\w.:-]+"
    r"(?:[ \t]+from[ \t]+[\w.:-]+)?)[ \t]*(?:#.*)?$"
)
_STATEMENT = re.compile(r"^[ \t]*(?:[a-z][a-z0-9_.-]*|\.if)(?:[ \t]|$)")


class HaproxyResult(NamedTuple):
    """What loading one HAProxy file gives."""

    load_balancer: LoadBalancer | None
    errors: tuple[ParseError, ...]
    suppressions: tuple[Suppression, ...]


def looks_like_haproxy(text: str) -> bool:
    """Cheap sniff: a section header line followed by a plausible statement."""
    lines = text.splitlines()
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


def load_haproxy(path: str, text: str) -> HaproxyResult:
    """Load one HAProxy configuration file; ``path`` is the display path used in spans."""
    read = read_haproxy(path, text)
    suppressions = find_suppressions(path, text, ("#",))
    load_balancer, errors = build_load_balancer(path, read.sections)
    load_balancer = load_balancer._replace(notes=(*read.notes, *load_balancer.notes))
    all_errors = (*read.errors, *errors)
    if all_errors:
        return HaproxyResult(None, all_errors, suppressions)
    return HaproxyResult(load_balancer, (), suppressions)
