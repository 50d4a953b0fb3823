"""HAProxy ACLs and ``if``/``unless`` conditions as pipeline conditions (manual §7).

A condition is an OR (``||``, ``or``) of AND-ed terms, each ``[!]name`` or an inline
``{ criterion [flags] values }``; several ``acl`` lines of one name are OR-ed. Criteria the
simulation can evaluate (path, URL, method, query parameters, request cookies, the Cookie
header, response cookies and status) become tests with their match method (``-m`` or the
derivative suffix: ``_beg``, ``_end``, ``_sub``, ``_reg``, ``_dir``); anything else (the Host
header, the client address, TLS, ACL files, numeric comparisons) is an ``env`` test, for which
the simulator tries both values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tcommlint.loaders.haproxy.samples import call, parse_sample, split_top
from tcommlint.pipeline.model import ALWAYS, Condition, Sample, Term, Test
from tcommlint.pipeline.regex import bounded
from tcommlint.records import NamedTuple

_SUFFIXES = {
    "beg": "prefix",
    "end": "suffix",
    "sub": "substring",
    "reg": "regex",
    "dir": "dir",
    "str": "exact",
    "found": "found",
}
_SUBJECTS = {
    "path": "path",
    "url": "url",
    "base": "url",
    "pathq": "url",
    "uri": "url",
    "method": "method",
    "url_param": "query",
    "urlp": "query",
    "cook": "cookie",
    "req.cook": "cookie",
    "hdr": "header",
    "req.hdr": "header",
    "req.fhdr": "header",
    "fhdr": "header",
    "scook": "res-cookie",
    "res.cook": "res-cookie",
    "shdr": "res-header",
    "res.hdr": "res-header",
    "res.fhdr": "res-header",
    "status": "status",
    "ssl_fc": "tls",
    "var": "var",
}
_EVALUATED_HEADERS = frozenset({"cookie", "set-cookie"})

_FLAGS_WITH_VALUE = frozenset({"-f", "-m", "-u", "-M"})
_METHODS = {
    "METH_CONNECT": ("CONNECT",),
    "METH_DELETE": ("DELETE",),
    "METH_GET": ("GET", "HEAD"),
    "METH_HEAD": ("HEAD",),
    "METH_OPTIONS": ("OPTIONS",),
    "METH_POST": ("POST",),
    "METH_PUT": ("PUT",),
    "METH_TRACE": ("TRACE",),
}
_ALWAYS_TRUE = frozenset({"TRUE", "HTTP", "HTTP_1.1", "HTTP_URL_SLASH", "WAIT_END"})
_ALWAYS_FALSE = frozenset({"FALSE", "HTTP_CONTENT", "HTTP_URL_ABS", "HTTP_URL_STAR"})


class Acls(NamedTuple):
    """What a condition of a proxy can name: its ACLs, and how many servers each backend has
    up (the simulated deployment is healthy: every server not in maintenance is up)."""

    named: Mapping[str, Sequence[Test]]
    servers_up: Mapping[str, int]


def compile_acl(words: Sequence[str], servers_up: Mapping[str, int] | None = None) -> Test:
    """``<criterion> [flags] <values…>`` as a test."""
    text = " ".join(words)
    if not words:
        return Test("env", "found", text=text)
    pieces = split_top(words[0])
    criterion, args = call(pieces[0])
    index, case_sensitive, method, from_file = 1, True, "", False
    while index < len(words) and words[index].startswith("-"):
        flag = words[index]
        index += 1
        if flag == "--":
            break
        if flag == "-i":
            case_sensitive = False
        elif flag in _FLAGS_WITH_VALUE and index < len(words):
            method = words[index] if flag == "-m" else method
            from_file = from_file or flag == "-f"
            index += 1
    values = tuple(words[index:])
    if criterion in _HEALTH:
        return _health_test(criterion, args, values, servers_up or {}, text)
    subject, op = _subject_and_op(criterion, method)
    if len(pieces) > 1:
        return _sample_test(words[0], subject, args, method, values, case_sensitive, text)
    if subject == "tls":
        return Test("tls", "found", text=text)
    name = args[0] if args else ""
    if subject == "header" and name.lower() == "host":
        return Test("host", "found", text=text)
    if subject in ("header", "res-header") and name.lower() not in _EVALUATED_HEADERS:
        subject = "env"
    if subject == "header" and name.lower() == "cookie":
        name = "cookie"
    if subject == "env" or op == "" or from_file or (not values and op != "found"):
        return Test("env", "found", text=text)
    if op == "regex" and not all(bounded(value) for value in values):
        return Test("env", "found", text=text)  # a regex not run: its result is unknown
    return Test(
        subject, op, name.lower() if "header" in subject else name, values, case_sensitive, text
    )


_HEALTH = frozenset({"nbsrv", "srv_is_up"})


def _health_test(
    criterion: str,
    args: tuple[str, ...],
    values: tuple[str, ...],
    servers_up: Mapping[str, int],
    text: str,
) -> Test:
    """``nbsrv(backend)`` and ``srv_is_up(backend/server)`` in a healthy deployment: the number of
    usable servers, and 1 (manual §7.3.2). Such tests switch to a fallback when servers fail,
    which a session on a healthy deployment never meets."""
    target = args[0] if args else ""
    if criterion == "srv_is_up":
        value, values = "1", values or ("1",)
    elif target in servers_up:
        value = str(servers_up[target])
    else:
        return Test("env", "found", text=text)
    return Test("sample", "int", values=values, text=text, sample=Sample("const", value))


def _sample_test(
    expression: str,
    subject: str,
    args: tuple[str, ...],
    method: str,
    values: tuple[str, ...],
    case_sensitive: bool,
    text: str,
) -> Test:
    """A criterion with converters (``req.hdr(host),field(1,:) -m str x``) tests a sample."""
    if subject == "header" and args and args[0].lower() == "host":
        return Test("host", "found", text=text)
    parsed = parse_sample(expression)
    op = _SUFFIXES.get(method or "str", "")
    if parsed.sample is None or not op or (op == "regex" and not all(map(bounded, values))):
        return Test("env", "found", text=text)
    return Test("sample", op, "", values, case_sensitive, text, parsed.sample)


def _subject_and_op(criterion: str, method: str) -> tuple[str, str]:
    subject = _SUBJECTS.get(criterion)
    op = "exact"
    if subject is None:
        base, _, suffix = criterion.rpartition("_")
        subject = _SUBJECTS.get(base)
        op = _SUFFIXES.get(suffix, "")
    if subject is None:
        return "env", ""
    if method:
        op = _SUFFIXES.get(method, "")
    return subject, op


def predefined(name: str) -> Test | None:
    """The test of a predefined ACL (manual §7.4), or None."""
    if name in _ALWAYS_TRUE:
        return Test("path", "always", text=name)
    if name in _ALWAYS_FALSE:
        return Test("path", "never", text=name)
    if name in _METHODS:
        return Test("method", "exact", values=_METHODS[name], text=name)
    return None


def named_acls(statements: Sequence[Sequence[str]], servers_up: Mapping[str, int]) -> Acls:
    """Named ACLs from ``acl`` lines' arguments (name first); one name may have several lines."""
    named: dict[str, list[Test]] = {}
    for args in statements:
        if len(args) >= 2:
            named.setdefault(args[0], []).append(compile_acl(list(args[1:]), servers_up))
    return Acls(named, servers_up)


def compile_condition(words: Sequence[str], acls: Acls) -> Condition:
    """``if|unless <terms>`` (the keyword included) as a condition; ALWAYS for no words."""
    if len(words) < 2 or words[0] not in ("if", "unless"):
        return ALWAYS
    text = " ".join(words)
    branches: list[list[Term]] = [[]]
    negate, index = False, 1
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("||", "or"):
            branches.append([])
            continue
        while word.startswith("!"):
            negate, word = not negate, word[1:]
        if not word:
            continue
        if word == "{":
            end = _closing(words, index)
            test = compile_acl(list(words[index:end]), acls.servers_up)
            branches[-1].append(Term((test,), negate))
            index = end + 1
        else:
            branches[-1].append(Term(_named(word, acls), negate))
        negate = False
    kept = tuple(tuple(branch) for branch in branches if branch)
    return Condition(kept, words[0] == "unless", text)


def _closing(words: Sequence[str], start: int) -> int:
    for index in range(start, len(words)):
        if words[index] == "}":
            return index
    return len(words)


def _named(name: str, acls: Acls) -> tuple[Test, ...]:
    if name in acls.named:
        return tuple(acls.named[name])
    known = predefined(name)
    if known is not None:
        return (known,)
    return (Test("env", "found", text=f"acl {name}"),)
