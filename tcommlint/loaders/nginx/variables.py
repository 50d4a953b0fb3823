"""nginx variables the model can read, as samples.

``$cookie_NAME`` is the first cookie whose name equals NAME ignoring case (nginx 1.22
``ngx_http_variable_cookie`` → ``ngx_http_parse_multi_header_lines``, which compares with
``ngx_strncasecmp``); a variable name holds only letters, digits and ``_``, so no
``$cookie_`` variable can name a cookie with a ``-``. ``$upstream_cookie_NAME`` reads the
upstream response's Set-Cookie the same way.
"""

from __future__ import annotations

import re

from tcommlint.pipeline.model import Sample, Template

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def sample_of(name: str) -> Sample | None:
    """The sample one variable (without ``$``) reads, or None when the model cannot read it."""
    text = f"${name}"
    lowered = name.lower()
    if lowered.startswith("cookie_") and len(name) > 7:
        return Sample("req.cook", name[7:], text=text, nocase=True)
    if lowered.startswith("upstream_cookie_") and len(name) > 16:
        return Sample("res.cook", name[16:], text=text, nocase=True)
    if lowered.startswith("arg_") and len(name) > 4:
        return Sample("query", name[4:], text=text)
    if lowered.startswith("http_") and len(name) > 5:
        return Sample("req.hdr", name[5:].replace("_", "-"), text=text)
    simple = {
        "remote_addr": "src",
        "binary_remote_addr": "src",
        "uri": "path",
        "document_uri": "path",
        "request_uri": "url",
        "request_method": "method",
    }
    if lowered in simple:
        return Sample(simple[lowered], text=text)
    return None


def variables_in(text: str) -> list[str]:
    """The names of the variables a value uses."""
    return [braced or bare for braced, bare in _VARIABLE.findall(text)]


def template_of(text: str) -> Template | None:
    """A value with variables as literal parts and samples; None when a variable is outside
    the model."""
    parts: list[str | Sample] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        sample = sample_of(match.group(1) or match.group(2))
        if sample is None:
            return None
        parts.append(sample)
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def single_sample(text: str) -> Sample | None:
    """The sample of a value that is exactly one variable, else None."""
    match = _VARIABLE.fullmatch(text)
    return sample_of(match.group(1) or match.group(2)) if match else None
