"""HAProxy sample expressions (``req.cook(JSESSIONID),lower``) as pipeline samples.

Fetches are mapped to the canonical names of ``pipeline.model.Sample`` with their direction:
``req.cook``/``cook`` read the request's Cookie header, ``res.cook``/``scook`` the response's
Set-Cookie, the deprecated ``cookie()``/``hdr()`` read whichever message the rule runs on
(configuration manual §7.3.6). A fetch or converter the simulation does not know gives None
and a reason: the directive using it is outside the model.
"""

from __future__ import annotations

from tcommlint.pipeline.evaluate import CONVERTERS
from tcommlint.pipeline.model import Sample, Template
from tcommlint.pipeline.regex import bounded
from tcommlint.records import NamedTuple

_REQUEST_COOKIE = frozenset({"req.cook", "cook", "req.cook_val", "cook_val"})
_RESPONSE_COOKIE = frozenset({"res.cook", "scook", "res.cook_val", "scook_val"})
_REQUEST_HEADER = frozenset({"req.hdr", "req.fhdr"})
_RESPONSE_HEADER = frozenset({"res.hdr", "shdr", "res.fhdr"})
_PLAIN = {
    "src": "src",
    "path": "path",
    "url": "url",
    "pathq": "url",
    "uri": "url",
    "base": "url",
    "method": "method",
    "url_param": "query",
    "urlp": "query",
    "str": "const",
    "var": "var",
}


class ParsedSample(NamedTuple):
    """A sample, or the reason it is outside the model."""

    sample: Sample | None
    reason: str = ""


def split_top(text: str, separator: str = ",") -> list[str]:
    """Split at ``separator`` outside parentheses."""
    if "(" not in text and ")" not in text:  # every separator is at depth 0: most words
        return text.split(separator)
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def call(text: str) -> tuple[str, tuple[str, ...]]:
    """``name(a,b)`` → (``name``, (``a``, ``b``)); arguments unquoted."""
    name, paren, rest = text.partition("(")
    if not paren:
        return text.strip(), ()
    inner = rest[: rest.rfind(")")] if ")" in rest else rest
    args = tuple(arg.strip().strip("'\"") for arg in split_top(inner))
    return name.strip(), args if inner.strip() else ()


def parse_sample(text: str, response: bool = False) -> ParsedSample:
    """A sample expression as read in a request rule, or a response rule (``response``)."""
    parts = split_top(text)
    fetch, args = call(parts[0])
    canonical = _canonical(fetch, args, response)
    if canonical is None:
        return ParsedSample(None, f"the sample fetch {fetch} is outside the model")
    converters = []
    for part in parts[1:]:
        name, conv_args = call(part)
        if name not in CONVERTERS:
            return ParsedSample(None, f"the converter {name} is outside the model")
        if name == "regsub" and conv_args and not bounded(conv_args[0]):
            return ParsedSample(None, "the regex of regsub can take exponential time")
        converters.append((name, conv_args))
    name, arg = canonical
    delimiter = args[1] if name == "query" and len(args) > 1 else ""
    return ParsedSample(Sample(name, arg, tuple(converters), text, delimiter))


def _canonical(fetch: str, args: tuple[str, ...], response: bool) -> tuple[str, str] | None:
    arg = args[0] if args else ""
    if fetch in _REQUEST_COOKIE or (fetch == "cookie" and not response):
        return "req.cook", arg  # no name: the first cookie's value
    if fetch in _RESPONSE_COOKIE or (fetch == "cookie" and response):
        return "res.cook", arg
    if fetch in _REQUEST_HEADER or (fetch in ("hdr", "fhdr") and not response):
        return ("req.cookies", "") if arg.lower() == "cookie" else ("req.hdr", arg)
    if fetch in _RESPONSE_HEADER or (fetch in ("hdr", "fhdr") and response):
        return "res.hdr", arg
    if fetch in _PLAIN:
        return _PLAIN[fetch], arg
    return None


def log_format(text: str, response: bool = False) -> Template | None:
    """A log-format string (``be_%[req.cook(X),field(2,.)]``) as a template, or None when
    it uses anything but literal text and samples the model knows (``%ci``, ``%{+Q}r``…)."""
    parts: list[str | Sample] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            literal.append(char)
            index += 1
            continue
        if text.startswith("%%", index):
            literal.append("%")
            index += 2
            continue
        if not text.startswith("%[", index):
            return None
        end = _closing_bracket(text, index + 2)
        if end < 0:
            return None
        parsed = parse_sample(text[index + 2 : end], response)
        if parsed.sample is None:
            return None
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(parsed.sample)
        index = end + 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "]" and depth == 0:
            return index
    return -1


def response_fetch(text: str) -> bool:
    """Whether a sample can only be read on a response (``res.*``, ``s*``, ``set-cookie``)."""
    fetch = call(split_top(text)[0])[0]
    return fetch in _RESPONSE_COOKIE or fetch in _RESPONSE_HEADER or fetch == "set-cookie"
