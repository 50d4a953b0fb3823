"""nginx ``if (…) { … }`` blocks as conditional steps (ngx_http_rewrite_module).

The condition: ``$var`` (true when not empty and not "0"), ``$var = text``, ``!=``, ``~ re``,
``~* re``, ``!~``, ``!~*``, and the file tests ``-f -d -e -x`` (and ``!``). Variables the model
reads (method, URI, cookies, headers, arguments) are tested on the simulated request; others
and the file tests are tried both ways. The block's ``return`` answers under the condition;
``set``, ``break`` and the directives ignored on purpose do nothing to the session; anything
else in the block (``proxy_pass``, ``rewrite``, header edits…) makes the location outside the
model, whatever the condition.

Except the jvmRoute recipe: where every ``if`` of a location holds one ``proxy_pass`` to an
``upstream`` (no URI part, nothing else but the harmless directives) and tests a value the
model reads, the ifs are routes (``routing_ifs``, compiled in ``compile.py``). An ``if`` whose
condition holds makes its block the request's configuration (ngx_http_rewrite_module's
``ngx_http_script_if_code`` sets ``r->loc_conf``), so when several hold the last one's
``proxy_pass`` serves; the block inherits the location's other proxy directives
(``ngx_http_proxy_merge_loc_conf``); when none holds, the location's own handler serves.
"""

from __future__ import annotations

from collections.abc import Callable

from tcommlint.loaders.nginx.locations import python_regex
from tcommlint.loaders.nginx.maps import pcre_reads_alike
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.variables import single_sample
from tcommlint.pipeline.model import Answer, Condition, Opaque, Step, Term, Test
from tcommlint.records import NamedTuple

_HARMLESS_INSIDE = frozenset(
    {"set", "break", "access_log", "expires", "limit_rate", "limit_rate_after", "root"}
)


class RoutingIf(NamedTuple):
    """An ``if`` of a location that sends the request to an upstream when its term holds."""

    node: Node
    term: Term
    proxy: Node
    upstream: str  # the upstream's name as its ``upstream`` block writes it


def routing_ifs(location: Node, upstream_named: Callable[[str], str | None]) -> list[RoutingIf]:
    """The ifs of a location, in order, when every one of them routes (else none);
    ``upstream_named``: the upstream a ``proxy_pass`` URL names with no port and no URI."""
    found: list[RoutingIf] = []
    for node in location.children:
        if node.name != "if":
            continue
        routing = _routing_if(node, upstream_named)
        if routing is None:
            return []
        found.append(routing)
    return found


def _routing_if(node: Node, upstream_named: Callable[[str], str | None]) -> RoutingIf | None:
    passes = node.all("proxy_pass")
    others = [c for c in node.children if c.name != "proxy_pass" and c.name not in _HARMLESS_INSIDE]
    if len(passes) != 1 or others or not passes[0].args:
        return None
    upstream = upstream_named(passes[0].args[0])
    if upstream is None:
        return None
    term = _term(node)
    for test in term.tests:
        if test.subject == "env" or (test.op == "regex" and not pcre_reads_alike(test.values[0])):
            return None
    return RoutingIf(node, term, passes[0], upstream)


def if_steps(node: Node, when: Condition, routes: bool = False) -> list[Step]:
    """The steps of one ``if`` block, under the location's condition ``when``; ``routes``:
    the block's ``proxy_pass`` is a route of the location (``routing_ifs``), not a step."""
    term = _term(node)
    condition = _and(when, term)
    steps: list[Step] = []
    for child in node.children:
        if child.name == "return":
            first = child.args[0] if child.args else ""
            status = int(first) if first.isdigit() else 302
            kind = "redirect" if status in (301, 302, 303, 307, 308) else "return"
            steps.append(
                Answer(kind, status, child.directive.span, child.directive.text, condition)
            )
        elif (routes and child.name == "proxy_pass") or (
            child.name == "add_header" and child.args[:1] and child.args[0].lower() != "set-cookie"
        ):
            continue
        elif child.name not in _HARMLESS_INSIDE:
            # Under the location's condition, not the block's: whether a test on a cookie's
            # shape holds depends on ids the simulation makes up, and an if block is a nested
            # configuration of its own (the manual's "if is evil"): never sticky by default.
            reason = f"'{child.directive.text}' inside '{node.directive.text}': outside the model"
            steps.append(Opaque(reason, child.directive.span, child.directive.text, when))
    return steps


def _and(when: Condition, term: Term) -> Condition:
    return all_of(when, (term,))


def all_of(when: Condition, terms: tuple[Term, ...]) -> Condition:
    """``when`` and every one of ``terms``."""
    if not terms:
        return when
    branches = when.branches or ((),)
    return Condition(tuple((*branch, *terms) for branch in branches), text=when.text)


def none_of(when: Condition, terms: tuple[Term, ...]) -> Condition:
    """``when`` and none of ``terms``."""
    return all_of(when, tuple(term._replace(negate=not term.negate) for term in terms))


def _term(node: Node) -> Term:
    words = list(node.args)
    text = node.directive.text
    if words:
        words[0] = words[0].removeprefix("(")
        if not node.directive.args[-1].quoted:
            # nginx drops the condition's last ")"; after a quoted word the reader has already
            # consumed it (``if ($c ~ "(;|$)")``: the regex keeps its own ")")
            words[-1] = words[-1].removesuffix(")")
    words = [w for w in words if w]
    unknown = Term((Test("env", "found", text=text),))
    if len(words) == 1:
        sample = single_sample(words[0])
        if sample is None:
            return unknown
        return Term((Test("sample", "found", text=text, sample=sample),))
    if len(words) != 2 and len(words) != 3:
        return unknown
    if len(words) == 2:
        return unknown  # -f, -d, -e, -x and their negations: the file system is not known
    variable, op, value = words
    sample = single_sample(variable)
    if sample is None or op not in ("=", "!=", "~", "~*", "!~", "!~*"):
        return unknown
    negate = op.startswith("!")
    if op.lstrip("!") == "=":
        test = Test("sample", "exact", values=(value,), text=text, sample=sample)
    else:
        regex = python_regex(value)
        nocase = op.endswith("*")
        test = Test(
            "sample", "regex", values=(regex,), case_sensitive=not nocase, text=text, sample=sample
        )
    return Term((test,), negate=negate)
