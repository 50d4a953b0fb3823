"""HAProxy rules that act on a request or a response, as pipeline steps (manual §4.2).

``http-request``/``http-response`` actions on headers and paths, the answers HAProxy gives
itself (``deny``, ``return``, ``redirect``, ``tarpit``, ``auth``), ``tcp-request`` rejections,
``filter`` lines and the legacy ``redirect`` keyword. Actions that cannot change the path, the
cookies, the server choice or persistence (logging, variables, captures, counters, timeouts)
are left out on purpose; an action that can and that the model does not understand (Lua,
SPOE, services, caches, a computed Cookie) becomes an ``Opaque`` step: a session reaching
it is not evaluable.
"""

from __future__ import annotations

from collections.abc import Sequence

from tcommlint.loaders.haproxy.acl import Acls, compile_condition
from tcommlint.loaders.haproxy.reader import Statement
from tcommlint.loaders.haproxy.samples import log_format, parse_sample
from tcommlint.pipeline.model import (
    Answer,
    Condition,
    HeaderEdit,
    Opaque,
    SetPath,
    SetVar,
    Step,
    Term,
    Test,
)
from tcommlint.pipeline.regex import bounded
from tcommlint.source import Span

_HEADER_ACTIONS = {
    "del-header": "del",
    "set-header": "set",
    "add-header": "add",
    "replace-header": "replace-header",
    "replace-value": "replace-value",
}
_PATH_ACTIONS = frozenset({"set-path", "set-uri", "set-pathq", "replace-path", "replace-uri"})
_ANSWERS = {
    "deny": 403,
    "reject": 0,
    "silent-drop": 0,
    "tarpit": 500,
    "auth": 401,
    "return": 200,
    "redirect": 302,
}
# Actions that touch neither the path, the cookies, the server choice nor persistence.
_HARMLESS = frozenset(
    {
        "allow",
        "set-log-level",
        "set-nice",
        "set-tos",
        "set-mark",
        "set-fc-mark",
        "set-fc-tos",
        "capture",
        "track-sc0",
        "track-sc1",
        "track-sc2",
        "sc-inc-gpc",
        "sc-inc-gpc0",
        "sc-inc-gpc1",
        "sc-set-gpt",
        "sc-set-gpt0",
        "sc-add-gpc",
        "add-acl",
        "del-acl",
        "set-map",
        "del-map",
        "set-timeout",
        "early-hint",
        "normalize-uri",
        "strict-mode",
        "disable-l7-retry",
        "do-resolve",
        "wait-for-handshake",
        "wait-for-body",
        "set-bandwidth-limit",
        "set-query",
        "set-priority-class",
        "set-priority-offset",
        "set-method",
        "set-status",
        "set-dst",
        "set-dst-port",
        "cache-store",
        "inspect-delay",
        "accept",
        "expect-proxy",
        "expect-netscaler-cip",
        "switch-mode",
    }
)
_OPAQUE_PREFIXES = ("lua.", "use-service", "send-spoe-group", "cache-use", "set-src")
# HAProxy's cache stores only responses with an explicit expiry or a validator (manual §6.1);
# the chat application sends none, so a cache matters only where a rule adds one.
CACHE_HEADERS = frozenset({"cache-control", "expires", "etag", "last-modified"})
_HARMLESS_FILTERS = frozenset({"compression", "trace", "bwlim-in", "bwlim-out"})


def condition_start(words: Sequence[str], start: int) -> int:
    """The index of the ``if``/``unless`` that begins the rule's condition (len when none)."""
    for index in range(start, len(words)):
        if words[index] in ("if", "unless"):
            return index
    return len(words)


def _dynamic(value: str) -> bool:
    return "%" in value.replace("%%", "")


def http_rule(
    path: str, statement: Statement, acls: Acls, response: bool, cacheable: bool = True
) -> Step | None:
    """One ``http-request``/``http-response``/``http-after-response`` rule as a step."""
    args = statement.args
    if not args:
        return None
    action = args[0].partition("(")[0]  # set-var(txn.x), track-sc0, lua.name…
    end = condition_start(args, 1)
    params = args[1:end]
    when = compile_condition(args[end:], acls)
    span = statement.span(path)
    text = " ".join(statement.words[i].text for i in range(len(statement.words)))
    after = statement.keyword == "http-after-response"
    pattern_index = 1 if action in ("replace-header", "replace-value") else 0
    if (
        action.startswith("replace")
        and len(params) > pattern_index
        and not bounded(params[pattern_index])
    ):
        reason = f"the regex of '{action}' can take exponential time: tcommlint does not run it"
        return Opaque(reason, span, text, when)
    if action in _HEADER_ACTIONS and params:
        header = params[0].lower()
        if after and header in ("set-cookie", "cookie"):
            return Opaque("http-after-response edits of cookies are outside the model", span, text)
        value = params[-1] if len(params) >= 2 else ""
        pattern = params[1] if action.startswith("replace") and len(params) >= 3 else ""
        dynamic = _dynamic(value)
        template = (log_format(value, response) or ()) if dynamic else ()
        return HeaderEdit(
            _HEADER_ACTIONS[action], header, span, text, value, pattern, dynamic, when, template
        )
    if action in _PATH_ACTIONS and params and not response:
        pattern = params[0] if action.startswith("replace") and len(params) >= 2 else ""
        value = params[-1]
        dynamic = _dynamic(value)
        template = (log_format(value) or ()) if dynamic else ()
        return SetPath(value, span, text, pattern, dynamic, when, template)
    if action in _VARIABLE_ACTIONS:
        return variable_step(args[0], params, span, text, when, response)
    if action in _ANSWERS and not response and not after:
        return Answer(action, _status(action, params), span, text, when)
    if action in _HARMLESS or action.startswith(("track-sc", "sc-")):
        return None
    if action == "cache-use" and not cacheable:
        return None
    if after and not action.startswith(_OPAQUE_PREFIXES):
        return None
    return Opaque(f"the action '{action}' is outside the model", span, text, when)


_VARIABLE_ACTIONS = frozenset({"set-var", "set-var-fmt", "unset-var"})


def variable_step(
    token: str,
    params: Sequence[str],
    span: Span,
    text: str,
    when: Condition,
    response: bool = False,
) -> SetVar:
    """``set-var(name) <expr>``, ``set-var-fmt(name) <fmt>``, ``unset-var(name)``."""
    action, _, rest = token.partition("(")
    name = rest.rstrip(")").split(",")[0].strip()
    if action == "unset-var":
        return SetVar(name, None, span, text, True, when)
    if action == "set-var-fmt":
        template = log_format(params[0], response) if params else None
    else:
        parsed = parse_sample(params[0], response) if params else None
        template = (parsed.sample,) if parsed is not None and parsed.sample else None
    return SetVar(name, template or (), span, text, template is not None, when)


def _status(action: str, params: Sequence[str]) -> int:
    for index, word in enumerate(params[:-1]):
        if word in ("status", "deny_status", "code"):
            value = params[index + 1]
            return int(value) if value.isdigit() else _ANSWERS[action]
    return _ANSWERS[action]


def redirect_rule(path: str, statement: Statement, acls: Acls) -> Step:
    """The ``redirect`` keyword: HAProxy answers a redirect itself."""
    args = statement.args
    end = condition_start(args, 0)
    status = _status("redirect", args[:end])
    text = " ".join(word.text for word in statement.words)
    when = compile_condition(args[end:], acls)
    return Answer("redirect", status, statement.span(path), text, when)


def tcp_rule(path: str, statement: Statement, acls: Acls) -> Step | None:
    """``tcp-request connection|session|content`` and ``tcp-response content`` rules."""
    args = statement.args
    if len(args) < 2 or args[0] == "inspect-delay":
        return None
    action = args[1].partition("(")[0]
    end = condition_start(args, 2)
    when = compile_condition(args[end:], acls)
    span = statement.span(path)
    text = " ".join(word.text for word in statement.words)
    if action in ("reject", "silent-drop"):
        return Answer(action, 0, span, text, when)
    if action in _VARIABLE_ACTIONS:
        return variable_step(args[1], args[2:end], span, text, when)
    if action in _HARMLESS or action.startswith(("track-sc", "sc-")):
        return None
    return Opaque(f"the tcp rule action '{action}' is outside the model", span, text, when)


def filter_step(path: str, statement: Statement, cacheable: bool = True) -> Step | None:
    """A ``filter`` line: compression and tracing are harmless, the others outside the model
    (a cache only when responses can be made cacheable)."""
    args = statement.args
    if not args or args[0] in _HARMLESS_FILTERS or (args[0] == "cache" and not cacheable):
        return None
    text = " ".join(word.text for word in statement.words)
    reason = f"the filter '{args[0]}' can answer or change requests outside the model"
    return Opaque(reason, statement.span(path), text)


def uri_answer(path: str, statement: Statement, prefix: bool) -> Step | None:
    """``monitor-uri`` (exact) and ``stats uri`` (prefix): HAProxy answers these paths itself."""
    args = statement.args
    uri = args[1] if statement.keyword == "stats" and len(args) >= 2 else (args[0] if args else "")
    if not uri:
        return None
    op = "prefix" if prefix else "exact"
    test = Test("path", op, values=(uri,), text=f"path {uri}")
    when = Condition(((Term((test,)),),), text=f"if path is {uri}")
    text = " ".join(word.text for word in statement.words)
    return Answer(statement.keyword, 200, statement.span(path), text, when)


def dynamic_choice(path: str, statement: Statement, what: str) -> Step:
    """``use_backend``/``use-server`` with a computed name: outside the model."""
    text = " ".join(word.text for word in statement.words)
    return Opaque(f"the {what} is computed at run time", statement.span(path), text)


def opaque_keyword(path: str, statement: Statement, reason: str) -> Step:
    """A keyword outside the model."""
    text = " ".join(word.text for word in statement.words)
    return Opaque(reason, statement.span(path), text)
