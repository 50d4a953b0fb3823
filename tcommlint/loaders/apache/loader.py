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

_SECTION = re.compile(
    r"(?mi)^[ \t]*<(?:VirtualHost|Proxy|ProxyMatch|Location|LocationMatch|IfModule|IfDefine|"
    r"IfVersion|Directory|DirectoryMatch|Files|FilesMatch|Macro|If|Limit|LimitExcept|"
    r"RequireAll|RequireAny)(?:[ \t][^\r\n]*)?>[ \t]*\r?$"
)
# A line opening with a directive in httpd's own spelling (ServerName, ProxyPass…): a line
# ending in ";" or "{" is nginx's, HAProxy and tmsh keywords are lower case.
_CAMEL = re.compile(r"(?m)^[ \t]*([A-Z][A-Za-z0-9]+)[ \t]+[^\r\n]*?(?<![;{])[ \t]*\r?$")
_COMMENTED = re.compile(
    r"(?m)^[ \t]*#[ \t]*([A-Z][a-z]+[A-Z][A-Za-z0-9]*)[ \t]+[^\r\n]*?(?<![;{])\r?$"
)
_COMMENTED_SECTION = re.compile(
    r"(?m)^[ \t]*#[ \t]*<(?:VirtualHost|Proxy|Location|IfModule|Directory|LimitExcept)"
    r"[ \t][^\r\n]*>[ \t]*\r?$"
)
_STRONG = frozenset({"LoadModule", "ProxyPass", "ProxyPassMatch", "BalancerMember", "ProxySet"})


def looks_like_apache(text: str) -> bool:
    """A section httpd knows at the start of a line, one of mod_proxy's telling directives,
    or two lines of httpd directives."""
    if _SECTION.search(text) is not None or _directives(text, _CAMEL):
        return True
    # A file whose every directive is commented out (Debian's mods-available/dav_svn.conf,
    # a ModSecurity rule set) is still httpd's.
    return _COMMENTED_SECTION.search(text) is not None or _directives(text, _COMMENTED)


def _directives(text: str, pattern: re.Pattern[str]) -> bool:
    from tcommlint.loaders.apache.directives import spec, third_party

    count = 0
    for match in pattern.finditer(text):
        name = match.group(1)
        found = spec(name)
        known = (found is not None and found.name == name) or third_party(name) is not None
        if not known:
            continue
        if name in _STRONG:
            return True
        count += 1
        if count >= 2:
            return True
    return False


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
