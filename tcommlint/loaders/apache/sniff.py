"""Whether a text is an httpd configuration: cheap, imported for every file a run reads."""

from __future__ import annotations

import re

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
    if "<" not in text and " " not in text and "\t" not in text:
        return False  # a section needs "<", a directive line a blank after its name
    if _SECTION.search(text) is not None or _directives(text, _CAMEL):
        return True
    # A file whose every directive is commented out (Debian's mods-available/dav_svn.conf,
    # a ModSecurity rule set) is still httpd's.
    return _COMMENTED_SECTION.search(text) is not None or _directives(text, _COMMENTED)


def _directives(text: str, pattern: re.Pattern[str]) -> bool:
    count = 0
    for match in pattern.finditer(text):
        from tcommlint.loaders.apache.directives import spec, third_party

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
