"""Static evaluation of HAProxy ``.if``/``.elif`` conditions in three-valued logic.

tcommlint does not know the environment, the build features or the exact version of the
haproxy that will read the file, so most predicates are ``UNKNOWN``. What it does know:
conditional blocks exist only since HAProxy 2.4, so ``version_atleast(V)`` with V <= 2.4 is
always true and ``version_before(V)`` with V <= 2.4 always false; HAProxy itself defines
``HAPROXY_LOCALPEER`` and ``HAPROXY_CFGFILES`` at startup (manual §2.3), so ``defined()`` of
them is always true; numbers are true unless zero, and the empty condition is false. Terms
combine with ``!``, ``&&``, ``||`` and parentheses (``&&`` binds tighter), like HAProxy's own
parser.
"""

from __future__ import annotations

import re

from tcommlint.patterns import LazyPattern

ALWAYS = "always"
NEVER = "never"
UNKNOWN = "unknown"
MIN_VERSION = (2, 4)  # the first HAProxy version with conditional blocks
_TOKEN = LazyPattern(r"\s*(\|\||&&|!|\(|\)|-?\d+|[A-Za-z_][A-Za-z0-9_]*\((?:[^()]|\([^()]*\))*\))")
_PREDICATE = LazyPattern(r"([A-Za-z_][A-Za-z0-9_]*)\((.*)\)", re.DOTALL)
_VERSION = LazyPattern(r"\d+(?:\.\d+)*")
# Set by HAProxy before it reads the configuration, whatever the environment (manual §2.3;
# HAPROXY_MWORKER only in master-worker mode and only from the first reload: unknown).
_ALWAYS_DEFINED = frozenset({"HAPROXY_LOCALPEER", "HAPROXY_CFGFILES"})


def negate(value: str) -> str:
    """Three-valued NOT."""
    return {ALWAYS: NEVER, NEVER: ALWAYS}.get(value, UNKNOWN)


def both(left: str, right: str) -> str:
    """Three-valued AND."""
    if NEVER in (left, right):
        return NEVER
    return ALWAYS if left == right == ALWAYS else UNKNOWN


def either(left: str, right: str) -> str:
    """Three-valued OR."""
    if ALWAYS in (left, right):
        return ALWAYS
    return NEVER if left == right == NEVER else UNKNOWN


def _version(text: str) -> tuple[int, ...] | None:
    text = text.strip().strip("'\"")
    if not _VERSION.fullmatch(text):
        return None
    return tuple(int(part) for part in text.split("."))


def _at_most_min(version: tuple[int, ...]) -> bool:
    """Whether ``version`` <= 2.4, comparing dotted numbers (2.4 == 2.4.0)."""
    width = max(len(version), len(MIN_VERSION))
    padded = version + (0,) * (width - len(version))
    return padded <= MIN_VERSION + (0,) * (width - len(MIN_VERSION))


def predicate(token: str) -> str:
    """The value of one ``name(args)`` term."""
    match = _PREDICATE.fullmatch(token)
    if match is None:
        return UNKNOWN
    name, arg = match.groups()
    if name == "defined" and arg.strip() in _ALWAYS_DEFINED:
        return ALWAYS
    version = _version(arg)
    if version is None or not _at_most_min(version):
        return UNKNOWN
    if name == "version_atleast":
        return ALWAYS
    if name == "version_before":
        return NEVER
    return UNKNOWN


class _Parser:
    """Recursive descent over the tokens of one condition."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def take(self) -> str:
        token = self.peek()
        self.pos += 1
        return token

    def expr(self) -> str:
        value = self.conjunction()
        while self.peek() == "||":
            self.take()
            value = either(value, self.conjunction())
        return value

    def conjunction(self) -> str:
        value = self.unary()
        while self.peek() == "&&":
            self.take()
            value = both(value, self.unary())
        return value

    def unary(self) -> str:
        token = self.take()
        if token == "!":
            return negate(self.unary())
        if token == "(":
            value = self.expr()
            if self.take() != ")":
                raise ValueError("unbalanced parenthesis")
            return value
        if re.fullmatch(r"-?\d+", token):
            return NEVER if int(token) == 0 else ALWAYS
        if token and token not in ("||", "&&", ")"):
            return predicate(token)
        raise ValueError(f"unexpected '{token}'")


def _tokens(text: str) -> list[str] | None:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None if text[pos:].strip() else tokens
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


def evaluate(condition: str) -> str:
    """ALWAYS, NEVER or UNKNOWN for the text after ``.if``/``.elif`` (words joined by spaces).

    A condition tcommlint cannot parse is UNKNOWN: haproxy may know syntax it does not.
    """
    if not condition.strip():
        return NEVER
    tokens = _tokens(condition)
    if tokens is None:
        return UNKNOWN
    parser = _Parser(tokens)
    try:
        value = parser.expr()
    except ValueError:
        return UNKNOWN
    return value if parser.pos == len(tokens) else UNKNOWN
