"""``proxy_cache`` on the app path (ngx_http_proxy_module, ngx_http_file_cache).

nginx caches a response only when ``proxy_cache_valid`` gives its status a time, or the
server's Cache-Control/Expires does (the chat application sends neither), and never a response
with Set-Cookie unless ``proxy_ignore_headers Set-Cookie``. The default key
``$scheme$proxy_host$request_uri`` holds nothing of the session: a poll that one session's
request left in the cache answers another session's — the load balancer answers a request that
carries a session cookie itself. A key that holds the cookie keeps sessions apart (nothing is
modelled then); ``proxy_cache_bypass``/``proxy_no_cache`` and keys of other variables are
outside the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tcommlint.loaders.nginx.tree import Node, effective
from tcommlint.pipeline.model import Answer, Condition, Opaque, Step, Term, Test

_CACHED_STATUSES = ("200", "any")


def cache_steps(levels: Sequence[Node], when: Condition) -> list[Step]:
    """What the cache of a location does to a chat session's requests."""
    cache = effective(levels, "proxy_cache")
    if not cache or cache[-1].args[:1] == ("off",):
        return []
    node = cache[-1]
    span, text = node.directive.span, node.directive.text
    valid = effective(levels, "proxy_cache_valid")
    caches_200 = any(
        len(v.args) == 1 or any(code in _CACHED_STATUSES for code in v.args[:-1]) for v in valid
    )
    if not caches_200:
        return []
    keys = effective(levels, "proxy_cache_key")
    key = keys[-1].args[0] if keys and keys[-1].args else "$scheme$proxy_host$request_uri"
    if "$cookie_" in key.lower() or "$http_cookie" in key.lower():
        return []
    bypass = effective(levels, "proxy_cache_bypass") + effective(levels, "proxy_no_cache")
    if bypass or any(
        v not in ("$scheme", "$proxy_host", "$request_uri", "$uri", "$host", "$is_args", "$args")
        for v in _variables(key)
    ):
        return [
            Opaque(f"'{text}': which responses are shared is outside the model", span, text, when)
        ]
    has_cookie = Term((Test("header", "found", name="cookie", text="a Cookie header"),))
    branches = tuple((*branch, has_cookie) for branch in (when.branches or ((),)))
    reason = f"{text} (answers from its cache a response another session's request left there)"
    return [Answer("cache", 200, span, reason, Condition(branches, when.negate, when.text))]


def _variables(key: str) -> list[str]:
    return [f"${name}" for name in re.findall(r"\$\{?([A-Za-z0-9_]+)\}?", key)]
