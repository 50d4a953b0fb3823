"""nginx ``if (…) { … }`` blocks as conditional steps (ngx_http_rewrite_module).

The condition: ``$var`` (true when not empty and not "0"), ``$var = text``, ``!=``, ``~ re``,
``~* re``, ``!~``, ``!~*``, and the file tests ``-f -d -e -x`` (and ``!``). Variables the model
reads (method, URI, cookies, headers, arguments) are tested on the simulated request; others
and the file tests are tried both ways. The block's ``return`` answers under the condition;
``set``, ``break`` and the directives ignored on purpose do nothing to the session; anything
else in the block (``proxy_pass``, ``rewrite``, header edits…) makes the location outside the
model, whatever the condition.
"""

from __future__ import annotations

from tcommlint.loaders.nginx.locations import python_regex
from tcommlint.loaders.nginx.tree import Node
from tcommlint.loaders.nginx.variables import single_sample
from tcommlint.pipeline.model import Answer, Condition, Opaque, Step, Term, Test

_HARMLESS_INSIDE = frozenset(
    {"set", "break", "access_log", "expires", "limit_rate", "limit_rate_after", "root"}
)


def if_steps(node: Node, when: Condition) -> list[Step]:
    """The steps of one ``if`` block, under the location's condition ``when``."""
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
        elif (
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
    branches = when.branches or ((),)
    return Condition(tuple((*branch, term) for branch in branches), text=when.text)


def _term(node: Node) -> Term:
    words = list(node.args)
    text = node.directive.text
    if words:
        words[0] = words[0].removeprefix("(")
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
