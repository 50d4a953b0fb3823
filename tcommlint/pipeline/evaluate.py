"""Conditions and samples evaluated on a simulated request or response.

A test on something the simulation cannot know (``env``) takes its value from the run's
assignment: the simulator runs once per assignment of those tests, so every branch is tried.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping

from tcommlint.memo import IdentityMemo
from tcommlint.pipeline.http import Request, Response
from tcommlint.pipeline.model import Condition, PlaceSearch, Sample, Template, Term, Test
from tcommlint.pipeline.regex import compiled

Env = Mapping[str, bool]

# A chat client sends every request of a session to the deployment's own host name. A test of
# the Host header is taken to name it where a rule routes (the rule exists for the chat's
# host), and not to name it where the load balancer answers itself (a redirect from ``www.``,
# a deny for other hosts): the simulation judges the configuration as it serves the chat.
HOST = "@host"


def _field(value: str, args: tuple[str, ...]) -> str | None:
    if len(args) < 2 or not args[0].lstrip("-").isdigit() or not args[1]:
        return None
    index = int(args[0])
    parts = re.split("[" + re.escape(args[1]) + "]", value)
    count = int(args[2]) if len(args) > 2 and args[2].isdigit() else 1
    if index > 0:
        chosen = parts[index - 1 : index - 1 + count] if index <= len(parts) else []
    elif index < 0:
        end = len(parts) + index + 1
        chosen = parts[max(0, end - count) : end] if -index <= len(parts) else []
    else:
        return None
    return args[1][0].join(chosen) if chosen else None


def _word(value: str, args: tuple[str, ...]) -> str | None:
    if len(args) < 2:
        return None
    words = [w for w in re.split("[" + re.escape(args[1]) + "]", value) if w]
    return _field(args[1][0].join(words), args)


def _bytes(value: str, args: tuple[str, ...]) -> str | None:
    if not args or not args[0].isdigit():
        return None
    start = int(args[0])
    if len(args) > 1 and args[1].isdigit():
        return value[start : start + int(args[1])]
    return value[start:]


def _regsub(value: str, args: tuple[str, ...]) -> str | None:
    if len(args) < 2:
        return None
    flags = args[2] if len(args) > 2 else ""
    try:
        pattern = re.compile(args[0], re.IGNORECASE if "i" in flags else 0)
    except re.error:
        return None
    return pattern.sub(args[1].replace("\\", "\\\\"), value, count=0 if "g" in flags else 1)


def _uri_depth(value: str, args: tuple[str, ...]) -> str | None:
    """The URI up to its ``args[0]``-th slash after the first (HAProxy ``balance uri depth``)."""
    if not args or not args[0].isdigit():
        return None
    depth, slashes = int(args[0]), 0
    for index, char in enumerate(value):
        if char == "/":
            slashes += 1
            if slashes > depth:
                return value[:index]
    return value


def _hash(name: str) -> Callable[[str, tuple[str, ...]], str | None]:
    return lambda value, _args: f"{name}:{zlib.crc32(value.encode()):08x}"


CONVERTERS: dict[str, Callable[[str, tuple[str, ...]], str | None]] = {
    "lower": lambda value, _args: value.lower(),
    "upper": lambda value, _args: value.upper(),
    "ltrim": lambda value, args: value.lstrip(args[0] if args else None),
    "rtrim": lambda value, args: value.rstrip(args[0] if args else None),
    "field": _field,
    "word": _word,
    "bytes": _bytes,
    "regsub": _regsub,
    "url_dec": lambda value, _args: value,
    "uri_depth": _uri_depth,
    **{name: _hash(name) for name in ("crc32", "djb2", "sdbm", "wt6", "xxh32", "xxh64", "xxh3")},
    **{name: _hash(name) for name in ("sha1", "sha2", "base64", "hex", "md5")},
}


def render(template: Template, request: Request, response: Response | None) -> str:
    """A computed value: literal parts and sample values (an absent sample renders empty)."""
    return "".join(
        part if isinstance(part, str) else sample_value(part, request, response) or ""
        for part in template
    )


def sample_value(sample: Sample, request: Request, response: Response | None) -> str | None:
    """The value of a sample, or None when it has none (the key is absent)."""
    value = _fetch(sample, request, response)
    for name, args in sample.converters:
        if value is None:
            return None
        converter = CONVERTERS.get(name)
        value = converter(value, args) if converter is not None else None
    return value


def _fetch(sample: Sample, request: Request, response: Response | None) -> str | None:
    fetch, arg = sample.fetch, sample.arg
    if sample.nocase and arg and fetch in ("req.cook", "res.cook"):
        return _first_nocase(sample, request, response)
    if fetch == "req.cook":
        return request.cookie(arg) if arg else _first(request.cookies())
    if fetch == "res.cook":
        if response is None:
            return None
        return (
            response.cookie(arg)
            if arg
            else _first([(c.name, c.value) for c in response.set_cookies()])
        )
    if fetch == "req.hdr":
        values = request.values(arg.lower())
        return values[-1] if values else None
    if fetch == "res.hdr":
        values = response.values(arg.lower()) if response is not None else []
        return values[-1] if values else None
    if fetch == "req.cookies":
        values = request.values("cookie")
        return ", ".join(values) if values else None
    if fetch == "src":
        return request.client
    if fetch == "path":
        return request.path
    if fetch == "url":
        return request.url
    if fetch == "query":
        return request.query_param(arg, sample.delimiter)
    if fetch == "method":
        return request.method
    if fetch == "var":
        return _variable(request, arg)
    if fetch in ("const", "env"):
        return arg
    return None


class UnknownVariable(Exception):
    """A rule read a variable whose value comes from outside the model."""

    def __init__(self, step: object) -> None:
        super().__init__("unknown variable")
        self.step = step


def _variable(request: Request, name: str) -> str | None:
    if name in request.unknown_vars:
        raise UnknownVariable(request.unknown_vars[name])
    return request.vars.get(name)


def _first_nocase(sample: Sample, request: Request, response: Response | None) -> str | None:
    """nginx's ``$cookie_NAME``/``$upstream_cookie_NAME``: the first cookie whose name equals
    NAME ignoring case (``ngx_http_parse_multi_header_lines`` compares with ``strncasecmp``)."""
    wanted = sample.arg.lower()
    if sample.fetch == "req.cook":
        pairs = request.cookies()
    elif response is not None:
        pairs = [(c.name, c.value) for c in response.set_cookies()]
    else:
        return None
    return next((value for name, value in pairs if name.lower() == wanted), None)


def _first(pairs: list[tuple[str, str]]) -> str | None:
    return pairs[0][1] if pairs else None


_REQUEST_SUBJECTS = frozenset({"path", "url", "query", "cookie", "header", "place"})
_REQUEST_FETCHES = frozenset({"req.cook", "req.hdr", "req.cookies", "path", "url", "query"})


def condition_holds(
    condition: Condition, request: Request, response: Response | None, env: Env
) -> bool:
    """Whether the condition holds (``env`` decides what the simulation cannot know)."""
    # Loops, not nested any/all: a routing table of thousands of rules asks this for each.
    for branch in condition.branches:
        if _branch_holds(branch, request, response, env):
            return not condition.negate
    return condition.negate != (not condition.branches)


def _branch_holds(
    branch: tuple[Term, ...], request: Request, response: Response | None, env: Env
) -> bool:
    """Whether every term of an AND-ed branch holds (a term: any of its tests, maybe negated)."""
    for tests, negate in branch:
        if any(test_holds(test, request, response, env) for test in tests) == negate:
            return False
    return True


def test_holds(test: Test, request: Request, response: Response | None, env: Env) -> bool:
    """Whether one test holds."""
    if test.op == "always":
        return True
    if test.op == "never":
        return False
    if test.subject == "env":
        return env.get(test.text, False)
    if test.subject == "tls":
        return request.https
    if test.subject == "host":
        return env.get(HOST, True)
    if response is not None and (
        test.subject in _REQUEST_SUBJECTS
        or (test.sample is not None and test.sample.fetch in _REQUEST_FETCHES)
    ):
        # HAProxy 2.6 warns that such a test "will never match" in a response rule, and it
        # never does (observed with stick store-response conditions).
        return False
    if test.subject == "place":
        return test.search is not None and chosen_place(test.search, request.path) in test.values
    candidates = _subject_values(test, request, response)
    if test.op == "found":
        return bool(candidates)
    return any(_matches(test, value) for value in candidates)


# The place each search chose for each path asked so far: a session asks a handful of paths,
# each of every place's condition.
_CHOSEN: IdentityMemo[PlaceSearch, dict[str, str | None]] = IdentityMemo(lambda _: {}, most=64)


def chosen_place(search: PlaceSearch, path: str) -> str | None:
    """The place ``search`` chooses for ``path`` (None: none), found once per path."""
    memo = _CHOSEN(search)
    if path not in memo:
        memo[path] = _choose(search, path)
    return memo[path]


def _choose(search: PlaceSearch, path: str) -> str | None:
    for exact, place in search.exact:
        if path == exact:
            return place
    longest = next((p for p in search.prefixes if path.startswith(p[0])), None)
    if longest is not None:
        # of the longest prefixes that match (several only when written twice), one that stops
        size = len(longest[0])
        matching = [p for p in search.prefixes if len(p[0]) == size and path.startswith(p[0])]
        stop = next((p for p in matching if p[2]), None)
        if stop is not None:
            return stop[1]
    for pattern, case_sensitive, within, place in search.patterns:
        if path.startswith(within) and _search(
            pattern, path, 0 if case_sensitive else re.IGNORECASE
        ):
            return place
    return longest[1] if longest is not None else None


def _subject_values(test: Test, request: Request, response: Response | None) -> list[str]:
    subject, name = test.subject, test.name
    if subject == "sample":
        value = sample_value(test.sample, request, response) if test.sample else None
        return [] if value is None else [value]
    if subject == "path":
        return [request.path]
    if subject == "url":
        return [request.url]
    if subject == "method":
        return [request.method]
    if subject == "var":
        found = _variable(request, name)
        return [] if found is None else [found]
    if subject == "query":
        found = request.query_param(name)
        return [] if found is None else [found]
    if subject == "cookie":
        return [value for key, value in request.cookies() if key == name]
    if subject == "header":
        return request.values(name.lower())
    if response is None:
        return []
    if subject == "res-cookie":
        return [c.value for c in response.set_cookies() if c.name == name]
    if subject == "res-header":
        return response.values(name.lower())
    if subject == "status":
        return [str(response.status)]
    return []


def _matches(test: Test, value: str) -> bool:
    folded = value if test.case_sensitive else value.lower()
    values = test.values if test.case_sensitive else tuple(v.lower() for v in test.values)
    op = test.op
    if op == "exact":
        return folded in values
    if op == "prefix":
        return folded.startswith(values)  # any of them (a tuple)
    if op == "suffix":
        return folded.endswith(values)
    if op == "substring":
        return any(v in folded for v in values)
    if op == "dir":
        return any(f"/{v.strip('/')}/" in f"/{folded.strip('/')}/" for v in values)
    if op == "regex":
        flags = 0 if test.case_sensitive else re.IGNORECASE
        return any(_search(v, value, flags) for v in test.values)
    if op == "int":
        return _int_match(value, test.values)
    return False


_COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _int_match(value: str, values: tuple[str, ...]) -> bool:
    """HAProxy's integer match: ``eq|ne|lt|le|gt|ge N``, or numbers and ``low:high`` ranges."""
    if not value.lstrip("-").isdigit():
        return False
    number = int(value)
    if len(values) == 2 and values[0] in _COMPARISONS and values[1].lstrip("-").isdigit():
        return bool(_COMPARISONS[values[0]](number, int(values[1])))
    for pattern in values:
        low, colon, high = pattern.partition(":")
        if not colon and low.lstrip("-").isdigit() and number == int(low):
            return True
        if colon and (not low or number >= int(low)) and (not high or number <= int(high)):
            return True
    return False


def _search(pattern: str, value: str, flags: int) -> bool:
    regex = compiled(pattern, flags)
    return regex is not None and regex.search(value) is not None
