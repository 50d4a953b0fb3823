"""nginx loader: a deployment's nginx files → one load balancer per main configuration file.

Every file is read (``reader``); a file that another file of the deployment includes is part of
that file's configuration, not a configuration of its own. Each remaining file is a main file
(or a fragment meant for ``http`` or ``server``, read in that context): its includes are
spliced in and every directive checked as ``nginx -t`` checks it (``tree``), then it is compiled
(``compile``). A configuration nginx would refuse yields ParseErrors (TC001) and no load
balancer: findings on a half-read configuration would mislead.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.includes import Includes
from tcommlint.loaders.generic.suppressions import find_suppressions
from tcommlint.loaders.nginx.compile import compile_tree
from tcommlint.loaders.nginx.reader import Directive, read_nginx
from tcommlint.loaders.nginx.tree import included_paths, read_tree
from tcommlint.loaders.registry import LoadResult
from tcommlint.model import ParseError, ReadError, Suppression
from tcommlint.pipeline.model import LoadBalancer


def load_nginx(
    sources: Sequence[tuple[str, str]], includes: Includes, plus: bool = False
) -> LoadResult:
    """Load every nginx file of a deployment, as open-source nginx reads them or, with
    ``plus`` (the manifest's ``deployment.nginx_plus``), as NGINX Plus does."""
    balancers: list[LoadBalancer] = []
    errors: list[ParseError] = []
    suppressions: list[Suppression] = []
    parsed: list[tuple[str, str, tuple[Directive, ...]]] = []
    for display, text in sources:
        suppressions.extend(find_suppressions(display, text, ("#",)))
        try:
            parsed.append((display, text, read_nginx(display, text)))
        except ReadError as error:
            errors.append(error.parse_error(display))
    included: set[object] = set()
    for display, _, directives in parsed:
        included.update(included_paths(display, directives, includes))
    for display, text, directives in parsed:
        if includes.path_of(display) in included:
            continue
        tree = read_tree(display, text, directives, includes, plus)
        lb, refused = compile_tree(tree)
        found = [*tree.errors, *refused]
        if found:
            errors.extend(found)
        else:
            balancers.append(lb)
    return LoadResult(tuple(balancers), tuple(errors), tuple(suppressions))
