"""Apache httpd loader: every httpd file of a deployment → one load balancer per top file.

A file another file of the deployment includes is read in place there, not on its own. A
configuration httpd would refuse gives its ParseErrors (TC001) and no load balancer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tcommlint.loaders.apache.compile import compile_apache
from tcommlint.loaders.apache.reader import ReadResult, read_config
from tcommlint.loaders.apache.refusals import refusals
from tcommlint.loaders.generic.suppressions import find_suppressions
from tcommlint.model import ParseError, Suppression
from tcommlint.pipeline.model import LoadBalancer

if TYPE_CHECKING:
    from tcommlint.includes import Includes


def load_apache(
    sources: Sequence[tuple[str, str]], includes: Includes | None
) -> tuple[tuple[LoadBalancer, ...], tuple[ParseError, ...], tuple[Suppression, ...]]:
    """Load the httpd files of one deployment."""
    reads: list[tuple[str, ReadResult]] = []
    included: set[str] = set()
    for display, text in sources:
        read = read_config(display, text, includes, False, {})
        if any(module.startswith("mpm_") for module in read.modules):
            # A whole server configuration (it loads its MPM): its modules are known, and
            # <IfModule> is decided by them.
            read = read_config(display, text, includes, True, {})
        reads.append((display, read))
        included.update(read.files[1:])
    balancers: list[LoadBalancer] = []
    errors: list[ParseError] = []
    suppressions: list[Suppression] = []
    for display, text in sources:
        suppressions.extend(find_suppressions(display, text, ("#",)))
    for display, read in reads:
        if display in included:
            continue
        found = [*read.errors, *refusals(read)]
        if found:
            errors.extend(found)
            continue
        balancers.append(
            compile_apache(read.files, read.nodes, read.notes, read.full, read.modules)
        )
    return tuple(balancers), tuple(errors), tuple(suppressions)
