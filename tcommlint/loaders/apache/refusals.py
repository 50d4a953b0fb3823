"""What ``apache2 -t`` refuses, with httpd's own reason (server/config.c, mod_proxy.c).

Unknown directives ("Invalid command"), directives where their context does not allow them,
wrong argument counts, and the proxy directives' parameters: ``ProxyPass``, ``BalancerMember``
and ``ProxySet`` check every ``key=value`` when the configuration is read. A directive of a
module that is not loaded, standard or third-party (mod_jk, mod_security, ...), is refused only
when the whole configuration is known (LoadModule lines seen); a fragment meant to be included
cannot know its modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tcommlint.expr_cost import distance_within
from tcommlint.loaders.apache.directives import (
    ARITY,
    DIRECTORY_OVERRIDE,
    SERVER_OVERRIDE,
    module_loaded,
    spec,
    standard_modules,
    table,
    third_party,
)
from tcommlint.loaders.apache.reader import (
    CONDITIONALS,
    Node,
    ReadResult,
    Word,
)
from tcommlint.model import ParseError

DIRECTORY_SECTIONS = frozenset(
    {
        "location",
        "locationmatch",
        "directory",
        "directorymatch",
        "files",
        "filesmatch",
        "proxy",
        "proxymatch",
        "if",
        "elseif",
        "else",
    }
)
_SECTION_NAMES = {
    "location": "Location",
    "locationmatch": "LocationMatch",
    "directory": "Directory",
    "directorymatch": "DirectoryMatch",
    "files": "Files",
    "filesmatch": "FilesMatch",
    "proxy": "Proxy",
    "proxymatch": "ProxyMatch",
    "if": "If",
    "elseif": "ElseIf",
    "else": "Else",
}
WORKER_PARAMETERS = frozenset(
    [
        "loadfactor",
        "retry",
        "ttl",
        "min",
        "max",
        "smax",
        "acquire",
        "timeout",
        "iobuffersize",
        "receivebuffersize",
        "keepalive",
        "disablereuse",
        "enablereuse",
        "addressttl",
        "route",
        "redirect",
        "status",
        "flushpackets",
        "flushwait",
        "ping",
        "lbset",
        "connectiontimeout",
        "flusher",
        "upgrade",
        "responsefieldsize",
        "secret",
        "hcmethod",
        "hcinterval",
        "hcpasses",
        "hcfails",
        "hcuri",
        "hcexpr",
        "hctemplate",
        "mapping",
    ]
)
BALANCER_PARAMETERS = frozenset(
    [
        "stickysession",
        "stickysessionsep",
        "nofailover",
        "timeout",
        "maxattempts",
        "lbmethod",
        "scolonpathdelim",
        "failonstatus",
        "failontimeout",
        "nonce",
        "growth",
        "forcerecovery",
    ]
)
LBMETHODS = frozenset({"byrequests", "bytraffic", "bybusyness", "heartbeat"})
STATUS_FLAGS = frozenset("OINGUDSEHRFC")
_ON_OFF = ("on", "off")


def refusals(read: ReadResult) -> list[ParseError]:
    """Every directive of the configuration httpd would refuse, in file order."""
    found: list[ParseError] = []
    _walk(read.nodes, "", "", read, found, set())
    return found


def _walk(
    nodes: Iterable[Node],
    section: str,
    proxy: str,
    read: ReadResult,
    found: list[ParseError],
    balancers: set[str],
) -> None:
    for node in nodes:
        if node.key == "macro":
            continue  # a macro's body is checked where it is used
        error = _check(node, section, proxy, read, balancers)
        if error is not None:
            found.append(ParseError(node.span, error))
            continue
        if node.children is not None:
            inner = section
            if node.key in DIRECTORY_SECTIONS or node.key == "virtualhost":
                inner = node.key
            inner_proxy = node.args[0].text if inner != section and node.args else proxy
            _walk(node.children, inner, inner_proxy, read, found, balancers)


def _check(
    node: Node, section: str, proxy: str, read: ReadResult, balancers: set[str]
) -> str | None:
    name = ("<" if node.children is not None else "") + node.name
    declared = spec(name)
    foreign = third_party(name) if declared is None else None
    if foreign is not None and (not read.full or module_loaded(foreign[0], read.modules)):
        return None  # a fragment's modules are not known; a whole one loads this module
    if declared is None or (read.full and declared.module not in read.modules):
        if declared is None and foreign is not None:
            return _invalid(name)  # a whole configuration that does not load its module
        if declared is None and name.lower().removeprefix("<") in CONDITIONALS:
            return None
        if declared is None and not _misspelt(name, read):
            return None  # a module tcommlint does not know may be loaded
        return _invalid(name)
    override = DIRECTORY_OVERRIDE if section in DIRECTORY_SECTIONS else SERVER_OVERRIDE
    if not declared.overrides & override:
        if section in DIRECTORY_SECTIONS:
            return f"{name} not allowed in <{_SECTION_NAMES[section]}> context"
        return f"{name} not allowed here"
    if node.key == "virtualhost" and section:
        return "<VirtualHost> cannot occur within <VirtualHost> section"
    arity = ARITY.get(declared.kind)
    if arity is not None and node.children is None:
        error = _arity(node, declared.name, arity, declared.kind)
        if error is not None:
            return error
    proxy_check = _PROXY_CHECKS.get(node.key)
    if proxy_check is not None:
        error = proxy_check(node, section, proxy, balancers, read)
        if error is not None and "unknown lbmethod" in error and read.modules - standard_modules():
            return None  # a module httpd does not ship (mod_lbmethod_cluster) may provide it
        return error
    return None


def _invalid(name: str) -> str:
    return (
        f"Invalid command '{name}', perhaps misspelled or defined by a module not included in "
        "the server configuration"
    )


def _misspelt(name: str, read: ReadResult) -> bool:
    """Whether httpd surely refuses a name no standard module declares: the configuration is
    whole and loads no module outside httpd's, or the name is a known directive misspelt."""
    if read.full and read.modules <= standard_modules():
        return True
    lower = name.lower()
    if not lower.lstrip("<").replace("_", "").isalnum():
        return True  # "@@LoadModule@@", "<?php": no module declares such a name
    return any(
        abs(len(known) - len(lower)) <= 2 and distance_within(lower, known, 2) <= 2
        for known in table()
    )


def _arity(node: Node, name: str, arity: tuple[int, int, str], kind: str) -> str | None:
    low, high, words = arity
    count = len(node.args)
    if kind == "FLAG":
        if count != 1 or node.args[0].text.lower() not in _ON_OFF:
            return f"{name} {words}"
        return None
    if kind == "TAKE13" and count == 2:
        return f"{name} {words}"
    if not low <= count <= high:
        return f"{name} {words}"
    return None


def _proxy_pass(
    node: Node, section: str, proxy: str, balancers: set[str], read: ReadResult
) -> str | None:
    if section in ("directory", "directorymatch", "files", "filesmatch"):
        return f"{node.name} cannot occur within <{section.capitalize()}> section"
    words = list(node.args)
    in_location = section in ("location", "locationmatch")
    if words and words[0].text == "~" and not in_location:
        if node.key == "proxypassmatch":
            return "ProxyPassMatch invalid syntax ('~' usage)."
        words = words[1:]
    fixed = 0 if in_location else 1
    if len(words) <= fixed:
        return "ProxyPass|ProxyPassMatch needs a path when not defined in a location"
    target = words[fixed].text
    params: list[Word] = []
    for word in words[fixed + 1 :]:
        lower = word.text.lower()
        if lower in ("nocanon", "interpolate", "noquery"):
            continue
        if "=" not in word.text:
            if in_location and target.startswith("/"):
                return "ProxyPass|ProxyPassMatch can not have a path when defined in a location."
            return (
                "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form "
                "'key=value'."
            )
        key, value = word.text.split("=", 1)
        if key.lower() == "mapping":
            if value.lower() not in ("encoded", "servlet"):
                return "unknown mapping"
            continue
        params.append(word)
    if target == "!":
        return None
    if target.lower().startswith("balancer://"):
        balancers.add(_balancer_name(target))
        return _parameters(params, True, "ProxyPass ", read)
    return _parameters(params, False, "ProxyPass ", read)


def _balancer_member(
    node: Node, section: str, proxy: str, balancers: set[str], read: ReadResult
) -> str | None:
    path = proxy if section in DIRECTORY_SECTIONS else ""  # the section's path
    name = ""
    params: list[Word] = []
    for word in node.args:
        if "=" not in word.text:
            if not path:
                path = word.text
            elif not name:
                name = word.text
            elif section:
                return "BalancerMember can not have a balancer name when defined in a location"
            else:
                return "Invalid BalancerMember parameter. Parameter must be in the form 'key=value'"
        else:
            params.append(word)
    if not path:
        return "BalancerMember must define balancer name when outside <Proxy > section"
    if not name:
        return "BalancerMember must define remote proxy server"
    if not path.lower().startswith("balancer://") or len(path) <= len("balancer://"):
        return f"BalancerMember Bad syntax for a balancer name ({path})"
    balancers.add(_balancer_name(path))
    return _parameters(params, False, "BalancerMember ", read)


def _proxy_set(
    node: Node, section: str, proxy: str, balancers: set[str], read: ReadResult
) -> str | None:
    words = list(node.args)
    if section in ("proxy", "proxymatch"):
        name = proxy
    else:
        if not words:
            return "ProxySet needs a balancer or worker name"
        name, words = words[0].text, words[1:]
        if name.lower().startswith("balancer://") and _balancer_name(name) not in balancers:
            return f"ProxySet can not find '{name}' Balancer."
        if "://" not in name:  # no worker is named without a scheme
            return f"ProxySet can not find '{name}' Worker."
    balancer = name.lower().startswith("balancer://")
    for word in words:
        if "=" not in word.text:
            return "Invalid ProxySet parameter. Parameter must be in the form 'key=value'"
    error = _parameters(words, balancer, "ProxySet: ", read)
    if error is not None:
        return f"{error}; {name}"
    if balancer:
        balancers.add(_balancer_name(name))
    return None


def _proxy_section(
    node: Node, section: str, proxy: str, balancers: set[str], read: ReadResult
) -> str | None:
    if node.args and node.args[0].text.lower().startswith("balancer://"):
        balancers.add(_balancer_name(node.args[0].text))
    return None


def _parameters(words: list[Word], balancer: bool, prefix: str, read: ReadResult) -> str | None:
    for word in words:
        key, _, value = word.text.partition("=")
        error = _balancer_parameter(key.lower(), value, read) if balancer else _worker(key, value)
        if error is not None:
            return prefix + error + (f" {word.text}" if prefix == "ProxySet: " else "")
    return None


def _worker(key: str, value: str) -> str | None:
    lower = key.lower()
    if lower not in WORKER_PARAMETERS:
        return "unknown Worker parameter"
    if lower == "status":
        flags = [c for c in value if c not in "+-"]
        if any(flag.upper() not in STATUS_FLAGS for flag in flags):
            return "Unknown status parameter option"
    if lower == "loadfactor" and not 100 <= int(_atof(value) * 100) <= 10000:
        return "LoadFactor must be a number between 1..100"
    if lower == "lbset" and not (value.strip().isdigit() and 0 <= int(value) <= 99):
        return "lbset must be between 0 and 99"
    return None


def _balancer_parameter(key: str, value: str, read: ReadResult) -> str | None:
    if key not in BALANCER_PARAMETERS:
        return "unknown Balancer parameter"
    lower = value.lower()
    if key == "stickysessionsep" and len(value) != 1 and lower != "off":
        return "stickysessionsep must be a single character or Off"
    if key == "nofailover" and lower not in _ON_OFF:
        return "failover must be On|Off"
    if key == "scolonpathdelim" and lower not in _ON_OFF:
        return "scolonpathdelim must be On|Off"
    if key == "lbmethod" and lower not in LBMETHODS:
        return "unknown lbmethod"
    if key == "lbmethod" and read.full and f"lbmethod_{lower}" not in read.modules:
        return "unknown lbmethod"  # its provider is a module: mod_lbmethod_<name>
    if key == "timeout" and _atoi(value) < 1:
        return "timeout must be at least one second"
    return None


def _atof(text: str) -> float:
    """C's ``atof``: the longest leading number, 0 when there is none."""
    match = re.match(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text)
    return float(match.group(0)) if match else 0.0


def _atoi(text: str) -> int:
    digits = ""
    for char in text.strip():
        if not char.isdigit() and not (char in "+-" and not digits):
            break
        digits += char
    try:
        return int(digits)
    except ValueError:
        return 0


def _balancer_name(url: str) -> str:
    return url.lower().split("/", 3)[2] if url.count("/") >= 2 else url.lower()


_PROXY_CHECKS = {
    "proxypass": _proxy_pass,
    "proxypassmatch": _proxy_pass,
    "balancermember": _balancer_member,
    "proxyset": _proxy_set,
    "proxy": _proxy_section,
}
