"""What a file is (SPEC §2): classified by its content; its name and place only break ties.

``format_of`` says how a file is read (a load-balancer vendor's role, or a generic key-value
format); ``identify`` is the one decision of what a file is, which the loader (``load.py``)
follows and from which ``part_of`` says which part of a deployment it is (``proxy``,
``server``, ``lb``, ``tomcat``, ``captcha``), what deployment discovery groups files by. A file
whose content cannot be read as text still has the part its name or place gives it, so that it
is reported (TC001) rather than dropped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from tcommlint.inputs import UTF16_MARKS, has_config_extension, read_content
from tcommlint.loaders import registry
from tcommlint.records import NamedTuple
from tcommlint.resources import known_keys

TOMCAT_ROOTS = {"Server": "server.xml", "Context": "context.xml", "web-app": "web.xml"}
NO_CONTENT_READ = "holds no known proxy or server key and no load-balancer configuration"

# File names that say what a file is meant to be: (the lower-cased name's start, its end,
# role), as the glob ``haproxy*.cfg``.
_NAMED_ROLES = (
    ("haproxy", ".cfg", "haproxy"),
    ("bigip", ".conf", "f5-tmsh"),
    ("nginx", ".conf", "nginx"),
    ("httpd", ".conf", "apache"),
    ("apache2", ".conf", "apache"),
    ("rconfig", "", "server"),
    ("proxy", ".properties", "proxy"),
)
KEYVALUE_ROLES = ("proxy", "server")
ROLE_PARTS = {role: "lb" for role in registry.BY_ROLE} | {role: role for role in KEYVALUE_ROLES}
# What a file of each role is called, the one place that names them: "cannot be read as an
# HAProxy configuration" (TC001), and without the article in the file listing.
ROLE_TITLES = {
    "haproxy": "an HAProxy configuration",
    "f5-tmsh": "a BIG-IP tmsh configuration",
    "f5-as3": "an AS3 declaration",
    "nginx": "an nginx configuration",
    "apache": "an Apache httpd configuration",
    "lb": "a load-balancer configuration",
    "proxy": "a proxy config",
    "server": "a server rconfig",
    "tomcat": "a Tomcat configuration file",
    "captcha": "a captcha file",
    "unparsed": "a configuration file",
}


def role_title(role: str) -> str:
    """What a file of ``role`` is called in a sentence: "an HAProxy configuration"."""
    return ROLE_TITLES.get(role, role)


def role_label(role: str) -> str:
    """What a file of ``role`` is called in a list: "HAProxy configuration"."""
    title = ROLE_TITLES.get(role)
    return title.split(" ", 1)[1] if title else role


def text_of(data: bytes) -> str:
    """The bytes as text to classify: UTF-16 after its byte-order mark (an XML file saved by a
    Windows editor), else UTF-8."""
    if data.startswith(UTF16_MARKS):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def named_role(file: Path) -> str | None:
    """The role a file's name or place claims (``haproxy.cfg``, ``conf/config/*.properties``)."""
    name = file.name.lower()
    for start, end, role in _NAMED_ROLES:
        if name.startswith(start) and name.endswith(end) and len(name) >= len(start + end):
            return role
    if file.suffix == ".properties" and file.parent.name == "config":
        return "proxy" if file.parent.parent.name == "conf" else None
    return None


def format_of(file: Path, text: str) -> str | None:
    """How a file is read: a load-balancer vendor's role, or a generic format holding known keys."""
    kind = registry.kind_of(text)
    loader = registry.claim(text, kind)
    if loader is not None:
        return loader.role
    if kind == registry.MARKUP:
        return "xml"
    if kind == registry.JSON:
        return "json"
    if file.suffix in (".yaml", ".yml"):
        return "yaml" if mentions_known_key(text) else None
    if mentions_known_key(text):
        return "properties"
    return None


@cache
def _known_key_pattern() -> re.Pattern[str]:
    keys = sorted({key for role in known_keys().values() for key in role}, key=len, reverse=True)
    return re.compile("|".join(re.escape(key) for key in keys), re.IGNORECASE)


def mentions_known_key(text: str) -> bool:
    """Whether a known proxy or server key occurs anywhere in the text (any case)."""
    return _known_key_pattern().search(text) is not None


def config_role(document: Any) -> str | None:
    """``proxy`` or ``server`` by the known keys a document holds (case-insensitive)."""
    keys = known_keys()
    roles_of: dict[str, list[str]] = {}  # a folded known key -> the roles that know it
    for role, role_keys in keys.items():
        for folded in {key.lower() for key in role_keys}:
            roles_of.setdefault(folded, []).append(role)
    counts = {role: 0 for role in keys}
    for entry in document.entries:
        for role in roles_of.get(entry.key.value.lower(), ()):
            counts[role] += 1
    best = max(counts, key=lambda role: (counts[role], role == "proxy"))
    return best if counts[best] else None


def is_captcha(file: Path) -> bool:
    """The proxy Tomcat's captcha switch file: ``conf/config/captcha`` (its bytes do not matter)."""
    return file.name == "captcha" and file.parent.name == "config"


def is_tomcat_file(file: Path) -> bool:
    """A file of a Tomcat ``conf/`` tree: ``server.xml``, ``context.xml``, ``web.xml``."""
    return file.name in TOMCAT_ROOTS.values() and file.parent.name == "conf"


UNREADABLE = "unreadable"  # the kind of a file whose content cannot be read as text


class Identity(NamedTuple):
    """What a file is, as the loader reads it and as deployment discovery counts it.

    ``kind`` is how it is read: ``captcha``, ``tomcat``, ``unreadable``, a load-balancer role
    (or the manifest's ``lb``), ``properties``, ``yaml``, ``json`` or ``xml``; None when
    nothing says it is a configuration. ``role`` is the role it is read in, when not its
    content's: the manifest's, else its name's when its content says nothing. ``claimed`` is
    what the manifest or its name says it is (for an unreadable file, ``unparsed`` when only
    its extension does): an unreadable file is reported as that.
    """

    kind: str | None
    role: str | None = None
    claimed: str | None = None
    data: bytes = b""
    text: str = ""
    problem: str = ""  # why an unreadable file cannot be read


def identify(file: Path, role: str | None = None, limit: int | None = None) -> Identity:
    """The one decision of what a file is: by its place (a captcha switch, a Tomcat conf tree's
    file), then the manifest's ``role``, then its content, then its name. ``limit``: the
    deployment's size limit (bytes), else the run's."""
    if is_captcha(file):
        return Identity("captcha")
    content = read_content(file, limit)
    if is_tomcat_file(file):
        return Identity("tomcat", data=content.data or b"")  # read with its conf tree
    claimed = role or named_role(file)
    if content.data is None:
        return Identity(
            UNREADABLE, claimed=claimed or unreadable_part(file), problem=content.problem
        )
    text = text_of(content.data)
    if role in KEYVALUE_ROLES:  # the manifest says which part; its content, how it is read
        return Identity(_keyvalue_format(file, text), role, claimed, content.data, text)
    kind = role or format_of(file, text)
    if kind is None and claimed is not None:
        kind = role = claimed  # its content says nothing: its name says what it should be
        if kind in KEYVALUE_ROLES:
            kind = "properties"
    return Identity(kind, role, claimed, content.data, text)


def _keyvalue_format(file: Path, text: str) -> str:
    """How a file the manifest calls a proxy config or server rconfig is read."""
    kind = format_of(file, text)
    if kind in registry.BY_ROLE:  # a load-balancer-looking file
        return "json" if registry.BY_ROLE[kind].json else "properties"
    return kind or "properties"


def part_of(file: Path) -> str | None:
    """Which part of a deployment a file is, as ``identify`` finds it; None for other files."""
    found = identify(file)
    kind = found.kind
    if kind in ("captcha", "tomcat"):
        return kind
    if kind == UNREADABLE:
        return ROLE_PARTS.get(found.claimed or "", found.claimed)
    if kind is None:
        return None
    if kind in registry.BY_ROLE:
        return "lb"
    if found.role in KEYVALUE_ROLES:
        return found.role
    named = ROLE_PARTS.get(found.claimed or "")
    return _keyvalue_part(file, kind, found.data, found.text) or named


def unreadable_part(file: Path) -> str | None:
    """``unparsed`` for a configuration file that cannot be read, so that it is reported."""
    return "unparsed" if has_config_extension(file) else None


def _keyvalue_part(file: Path, kind: str, data: bytes, text: str) -> str | None:
    if kind == "xml":
        from tcommlint.loaders.generic import xmlconf

        if xmlconf.sniff_root(data) in TOMCAT_ROOTS:
            return "tomcat"
        return config_role(xmlconf.parse_keyvalue_xml(str(file), data))
    if kind == "yaml":
        from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml

        return config_role(parse_keyvalue_yaml(str(file), text))
    if kind == "json":
        from tcommlint.loaders.generic.jsonconf import parse_keyvalue_json

        return config_role(parse_keyvalue_json(str(file), text))
    from tcommlint.loaders.generic.properties import parse_properties

    return config_role(parse_properties(str(file), text))
