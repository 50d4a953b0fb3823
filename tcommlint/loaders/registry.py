"""The load-balancer loaders: one contract, one registry.

Every vendor is a ``LoadBalancerLoader``: a cheap ``sniff`` of a file's text (no heavy import)
and a ``load`` of all of a deployment's files of that vendor at once (an F5 device's
configuration spans several files). ``load`` gives the same ``LoadResult`` for every vendor:
the pipeline model of each load balancer, the refusals (TC001) and the inline suppressions.
A file another file includes is read through ``Includes`` (inside the deployment only);
``LoadOptions`` carries what the manifest says about the software (``deployment.nginx_plus``).
The dispatcher (``load.py``) knows no vendor: it asks the registry, in order, which loader
claims a file. A new vendor is a new package with a loader here, not a change elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tcommlint.includes import Includes
from tcommlint.model import ParseError, Suppression
from tcommlint.patterns import LazyPattern
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.records import NamedTuple

Source = tuple[str, str]  # (display path, text)
TEXT, JSON, MARKUP = "text", "json", "markup"  # what a text opens as (``kind_of``)


class LoadOptions(NamedTuple):
    """What the manifest tells a loader about the deployment's software (not its files)."""

    nginx_plus: bool = False  # nginx is NGINX Plus: its commercial directives are accepted


class LoadResult(NamedTuple):
    """What a loader made of its files."""

    load_balancers: tuple[LoadBalancer, ...]
    errors: tuple[ParseError, ...]
    suppressions: tuple[Suppression, ...]


class LoadBalancerLoader(NamedTuple):
    """One load-balancer vendor: its file role, how to recognise its files, how to load them."""

    role: str  # the role a file gets in the report: "haproxy", "f5-tmsh", "f5-as3"
    sniff: Callable[[str], bool]
    load: Callable[[Sequence[Source], Includes, LoadOptions], LoadResult]
    kinds: frozenset[str] = frozenset({"text"})  # what its files open as (``kind_of``)

    @property
    def json(self) -> bool:
        """Whether its files are JSON documents."""
        return JSON in self.kinds


# --- HAProxy --------------------------------------------------------------------------------

# Any line end (a lone "\r" too: such a file is meant as HAProxy's, and its reader says
# why HAProxy would not read it). One spelling per line end, or blank lines backtrack.
_EOL = r"(?:\r\n|\r(?!\n)|\n)"
_HAPROXY_SECTION = re.compile(
    r"(?:^|(?<=[\r\n]))[ \t]*(?:global|defaults|frontend|backend|listen)(?:[ \t]+[^\s#]+)?"
    rf"[ \t]*(?:#[^\r\n]*)?(?:{_EOL}[ \t]*(?:#[^\r\n]*)?)*{_EOL}[ \t]+[a-z]"
)


_SECTION_WORDS = ("global", "defaults", "frontend", "backend", "listen")


def _sniff_haproxy(text: str) -> bool:
    if not any(word in text for word in _SECTION_WORDS):
        return False  # the pattern needs one: a search for a word is far cheaper than for it
    if _HAPROXY_SECTION.search(text) is None:
        return False
    from tcommlint.loaders.haproxy.loader import looks_like_haproxy

    return looks_like_haproxy(text)


def _load_haproxy(
    sources: Sequence[Source], includes: Includes, options: LoadOptions
) -> LoadResult:
    from tcommlint.loaders.haproxy.loader import load_haproxy

    balancers: list[LoadBalancer] = []
    errors: list[ParseError] = []
    suppressions: list[Suppression] = []
    for display, text in sources:
        result = load_haproxy(display, text)
        balancers.extend(result.load_balancers)
        errors.extend(result.errors)
        suppressions.extend(result.suppressions)
    return LoadResult(tuple(balancers), tuple(errors), tuple(suppressions))


# --- F5 BIG-IP tmsh -----------------------------------------------------------------------------


def _sniff_tmsh(text: str) -> bool:
    from tcommlint.loaders.f5.sniff import looks_like_tmsh

    return looks_like_tmsh(text)


def _load_tmsh(sources: Sequence[Source], includes: Includes, options: LoadOptions) -> LoadResult:
    from tcommlint.loaders.f5.bigip import load_f5_tmsh
    from tcommlint.loaders.generic.suppressions import find_suppressions

    result = load_f5_tmsh(list(sources))
    suppressions = [
        suppression
        for display, text in sources
        for suppression in find_suppressions(display, text, ("#",))
    ]
    balancers = (result.load_balancer,) if result.load_balancer is not None else ()
    return LoadResult(balancers, result.errors, tuple(suppressions))


# --- F5 AS3 ---------------------------------------------------------------------------------------

_AS3_CLASS = LazyPattern(r'"class"\s*:\s*"(?:AS3|ADC)"')


def _sniff_as3(text: str) -> bool:
    return _AS3_CLASS.search(text) is not None


def _load_as3(sources: Sequence[Source], includes: Includes, options: LoadOptions) -> LoadResult:
    from tcommlint.loaders.f5.as3 import load_as3

    balancers: list[LoadBalancer] = []
    errors: list[ParseError] = []
    for display, text in sources:
        result = load_as3(display, text)
        errors.extend(result.errors)
        if result.load_balancer is not None:
            balancers.append(result.load_balancer)
    return LoadResult(tuple(balancers), tuple(errors), ())


# --- Apache httpd ------------------------------------------------------------------------------


def _sniff_apache(text: str) -> bool:
    if text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        return False
    from tcommlint.loaders.apache.sniff import looks_like_apache

    return looks_like_apache(text)


def _load_apache(sources: Sequence[Source], includes: Includes, options: LoadOptions) -> LoadResult:
    from tcommlint.loaders.apache.loader import load_apache

    return LoadResult(*load_apache(sources, includes))


# --- nginx ----------------------------------------------------------------------------------


def _sniff_nginx(text: str) -> bool:
    from tcommlint.loaders.nginx.sniff import looks_like_nginx

    return looks_like_nginx(text)


def _load_nginx(sources: Sequence[Source], includes: Includes, options: LoadOptions) -> LoadResult:
    from tcommlint.loaders.nginx.loader import load_nginx

    return load_nginx(sources, includes, plus=options.nginx_plus)


# --- the registry -----------------------------------------------------------------------------

LOADERS: tuple[LoadBalancerLoader, ...] = (
    LoadBalancerLoader("f5-as3", _sniff_as3, _load_as3, frozenset({JSON})),
    LoadBalancerLoader("f5-tmsh", _sniff_tmsh, _load_tmsh),
    LoadBalancerLoader("haproxy", _sniff_haproxy, _load_haproxy),
    # Apache after HAProxy: its sniff looks for httpd sections and directives.
    LoadBalancerLoader("apache", _sniff_apache, _load_apache, frozenset({TEXT, MARKUP})),
    # nginx last: tmsh, HAProxy and Apache files hold braces and ``server`` lines too, and their
    # sniffs are stricter.
    LoadBalancerLoader("nginx", _sniff_nginx, _load_nginx),
)
BY_ROLE = {loader.role: loader for loader in LOADERS}


def kind_of(text: str) -> str:
    """What a text opens as: a JSON document, markup ("<": XML, or an httpd section such as
    ``<VirtualHost>``) or plain text. A loader is asked only about the kinds its files are."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in ("{", "["):
        return JSON
    return MARKUP if head == "<" else TEXT


def claim(text: str, kind: str | None = None) -> LoadBalancerLoader | None:
    """The loader whose files look like ``text`` (of ``kind``, else ``kind_of(text)``), if any."""
    kind = kind or kind_of(text)
    return next((lb for lb in LOADERS if kind in lb.kinds and lb.sniff(text)), None)


def claim_any(text: str) -> LoadBalancerLoader:
    """For a file the manifest names a load-balancer config: the loader that claims it, else
    AS3's for JSON and HAProxy's for the rest (whose readers then say what is wrong)."""
    kind = kind_of(text)
    return claim(text, kind) or BY_ROLE["f5-as3" if kind == JSON else "haproxy"]
