"""What httpd 2.4 knows of each directive: its module, argument kind and allowed contexts.

The table (``directive_table.py``) is generated from httpd's ``command_rec`` tables by
``scripts/apache_directives.py``. Directives of well-known third-party modules are listed
here by prefix. In a fragment they are never a refusal (its modules are not known); in a whole
configuration (LoadModule lines seen) apache2 -t refuses one whose module no LoadModule loads
("Invalid command 'JkMount', perhaps misspelled ...", as it refuses any directive no loaded
module declares; one inside a false ``<IfModule>`` is never read). Those that can route the
request (mod_jk's ``JkMount``, mod_cluster) are outside the model.
"""

from __future__ import annotations

from functools import cache

from tcommlint.records import NamedTuple

# Context flags of include/http_config.h.
OR_LIMIT, OR_OPTIONS, OR_FILEINFO, OR_AUTHCFG, OR_INDEXES = 1, 2, 4, 8, 16
OR_ALL = OR_LIMIT | OR_OPTIONS | OR_FILEINFO | OR_AUTHCFG | OR_INDEXES
ACCESS_CONF, RSRC_CONF, EXEC_ON_READ = 64, 128, 256
_FLAGS = {
    "OR_NONE": 0,
    "OR_LIMIT": OR_LIMIT,
    "OR_OPTIONS": OR_OPTIONS,
    "OR_FILEINFO": OR_FILEINFO,
    "OR_AUTHCFG": OR_AUTHCFG,
    "OR_INDEXES": OR_INDEXES,
    "OR_UNSET": 32,
    "OR_ALL": OR_ALL,
    "ACCESS_CONF": ACCESS_CONF,
    "RSRC_CONF": RSRC_CONF,
    "EXEC_ON_READ": EXEC_ON_READ,
    "NONFATAL_OVERRIDE": 512,
    "NONFATAL_UNKNOWN": 1024,
    "NONFATAL_ALL": 1536,
}
# What a directive finds allowed where it stands (server/config.c, core.c, mod_proxy.c):
# the server and virtual hosts, and the per-directory sections.
SERVER_OVERRIDE = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT)
DIRECTORY_OVERRIDE = OR_ALL | ACCESS_CONF

# Third-party modules met in front of Tomcat: (name prefix, module, routes requests).
THIRD_PARTY = (
    ("jkmount", "mod_jk", True),
    ("jkunmount", "mod_jk", True),
    ("jkautoalias", "mod_jk", True),
    ("jk", "mod_jk", False),
    ("proxyhctemplate", "mod_proxy_hcheck", False),
    ("managerbalancername", "mod_cluster", True),
    ("createbalancers", "mod_cluster", True),
    ("usealias", "mod_cluster", True),
    ("enablemcpmreceive", "mod_cluster", True),
    ("enablemcmpreceive", "mod_cluster", True),
    ("serveradvertise", "mod_cluster", False),
    ("advertise", "mod_cluster", False),
    ("memmanagerfile", "mod_cluster", False),
    ("maxcontext", "mod_cluster", False),
    ("maxnode", "mod_cluster", False),
    ("maxhost", "mod_cluster", False),
    ("maxsessionid", "mod_cluster", False),
    ("maxmcmpmaxmesssize", "mod_cluster", False),
    ("maxmcmpmessagesize", "mod_cluster", False),
    ("persistslots", "mod_cluster", False),
    ("checknonce", "mod_cluster", False),
    ("allowdisplay", "mod_cluster", False),
    ("allowcmd", "mod_cluster", False),
    ("reduceddisplay", "mod_cluster", False),
    ("modmanagerenablews", "mod_cluster", False),
    ("responsefieldsize", "mod_cluster", False),
    ("lbstatusrecalctime", "mod_cluster", False),
    ("wsupgradeheader", "mod_cluster", False),
    ("ajpsecret", "mod_cluster", False),
    ("deterministicfailover", "mod_cluster", True),
    ("sec", "mod_security", False),
    ("authopenidc", "mod_auth_openidc", False),
    ("oidc", "mod_auth_openidc", False),
    ("mellon", "mod_auth_mellon", False),
    ("krb", "mod_auth_kerb", False),
    ("gssapi", "mod_auth_gssapi", False),
    ("authcas", "mod_auth_cas", False),
    ("cas", "mod_auth_cas", False),
    ("wsgi", "mod_wsgi", True),
    ("passenger", "mod_passenger", True),
    ("php_", "mod_php", False),
    ("perl", "mod_perl", True),
    ("python", "mod_python", True),
    ("pagespeed", "mod_pagespeed", True),
    ("evasive", "mod_evasive", False),
    ("doscounter", "mod_evasive", False),
    ("rpaf", "mod_rpaf", False),
    ("fcgid", "mod_fcgid", True),
    ("fastcgi", "mod_fastcgi", True),
    ("bandwidth", "mod_bw", False),
    ("maxconnectionsperchild", "core", False),
    ("qs_", "mod_qos", False),
    ("geoip", "mod_geoip", False),
    ("maxminddb", "mod_maxminddb", False),
    ("dav_svn", "mod_dav_svn", False),
    ("svn", "mod_dav_svn", False),
    ("authzsvn", "mod_authz_svn", False),
    ("ruid", "mod_ruid2", False),
    ("suphp", "mod_suphp", False),
    ("xsendfile", "mod_xsendfile", False),
    ("shib", "mod_shib", True),
)

# The LoadModule names of a third-party module, where they are not its name without ``mod_``
# (a loaded name starting with one of them counts: ``security2``, ``php7``, ``evasive20``).
LOAD_NAMES = {
    "mod_cluster": ("manager", "proxy_cluster", "advertise", "cluster_slotmem"),
}


class Spec(NamedTuple):
    """One directive as httpd declares it."""

    name: str
    module: str
    kind: str  # TAKE1, TAKE12, FLAG, RAW_ARGS, ITERATE, ... (AP_INIT_<kind>)
    overrides: int


@cache
def table() -> dict[str, Spec]:
    """Every httpd 2.4 directive by its lower-cased name (sections with their ``<``)."""
    from tcommlint.loaders.apache.directive_table import TABLE

    found: dict[str, Spec] = {}
    for line in TABLE.splitlines():
        if not line.strip():
            continue
        name, module, kind, flags = line.split()
        found[name.lower()] = Spec(name, module, kind, _flags(flags))
    return found


@cache
def standard_modules() -> frozenset[str]:
    """Every module httpd 2.4 ships, and those compiled into Debian's apache2."""
    from tcommlint.loaders.apache.directive_table import MODULES

    return frozenset(MODULES.split()) | {"core", "http", "so"}


def _flags(text: str) -> int:
    value = 0
    for part in text.strip("()").split("|"):
        value |= _FLAGS.get(part.strip("()"), 0)
    return value


def spec(name: str) -> Spec | None:
    """The directive ``name`` (any case; sections as ``<Name``), if httpd has it."""
    return table().get(name.lower())


def third_party(name: str) -> tuple[str, bool] | None:
    """(module, routes requests) of a well-known third-party module's directive, else None."""
    lower = name.lower()
    for prefix, module, routes in THIRD_PARTY:
        if lower.startswith(prefix):
            return module, routes
    return None


def module_loaded(module: str, loaded: frozenset[str]) -> bool:
    """Whether a LoadModule line loads the third-party ``module`` (``mod_jk``): ``loaded``
    holds the module names as the reader keeps them (``jk``, ``security2``, ``mod_shib``)."""
    stems = LOAD_NAMES.get(module, (module.removeprefix("mod_"),))
    return any(name.removeprefix("mod_").startswith(stems) for name in loaded)


# How many arguments each kind takes, and Apache's words for it (server/config.c).
ARITY = {
    "NO_ARGS": (0, 0, "takes no arguments"),
    "TAKE1": (1, 1, "takes one argument"),
    "TAKE2": (2, 2, "takes two arguments"),
    "TAKE3": (3, 3, "takes three arguments"),
    "TAKE12": (1, 2, "takes one or two arguments"),
    "TAKE23": (2, 3, "takes two or three arguments"),
    "TAKE123": (1, 3, "takes one, two or three arguments"),
    "TAKE13": (1, 3, "takes one or three arguments"),
    "ITERATE": (1, 10**9, "requires at least one argument"),
    "ITERATE2": (2, 10**9, "requires at least two arguments"),
    "FLAG": (1, 1, "must be On or Off"),
}
