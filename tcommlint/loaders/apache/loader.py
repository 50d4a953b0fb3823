"""Apache httpd loader: every httpd file of a deployment → one load balancer per top file.

A file another file of the deployment includes is read in place there, not on its own. A
configuration httpd would refuse gives its ParseErrors (TC001) and no load balancer.
"""

from __future__ import annotations

import re
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

_LOAD_MODULE = re.compile(r"(?mi)^[ \t]*LoadModule[ \t]")
_SECTION = re.compile(
    r"(?mi)^[ \t]*<(?:VirtualHost|Proxy|ProxyMatch|Location|LocationMatch|IfModule|IfDefine|"
    r"IfVersion|Directory|DirectoryMatch|Files|FilesMatch|Macro|If|Limit|LimitExcept|"
    r"RequireAll|RequireAny)(?:[ \t][^\r\n]*)?>[ \t]*\r?$"
)
_DIRECTIVE = re.compile(  # httpd's own spelling; a line ending in ";" is nginx's
    r"(?m)^[ \t]*(?:ProxyPass|ProxyPassMatch|ProxyPassReverse|BalancerMember|ProxySet|LoadModule|"
    r"ServerRoot|ServerName|DocumentRoot|Listen|RewriteEngine|ProxyRequests|ProxyPreserveHost|"
    r"IncludeOptional|Include|ErrorLog|CustomLog|JkMount|JkWorkersFile|SSLEngine)"
    r"[ \t]+[^\r\n;]*\r?$"
)


def looks_like_apache(text: str) -> bool:
    """A section httpd knows at the start of a line, or two of its telling directives."""
    if _SECTION.search(text) is not None:
        return True
    return len({m.group(0).split()[0].lower() for m in _DIRECTIVE.finditer(text)}) >= 2


def load_apache(
    sources: Sequence[tuple[str, str]], includes: Includes | None
) -> tuple[tuple[LoadBalancer, ...], tuple[ParseError, ...], tuple[Suppression, ...]]:
    """Load the httpd files of one deployment."""
    full = any(_LOAD_MODULE.search(text) for _, text in sources)
    reads: list[tuple[str, ReadResult]] = []
    included: set[str] = set()
    for display, text in sources:
        read = read_config(display, text, includes, full, {})
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
        balancers.append(compile_apache(read.files, read.nodes, read.notes))
    return tuple(balancers), tuple(errors), tuple(suppressions)
