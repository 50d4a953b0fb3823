"""Whether a text is an nginx configuration: cheap, imported only when a file is sniffed."""

from __future__ import annotations

import re

# A block nginx opens (``http {``, ``server {``, ``upstream name {``, ``location /x {``), or a
# directive line only nginx writes: a well-known directive, or two snake_case directive lines
# (``fastcgi_param …;``), words ended by ``;`` with no ``=`` (HAProxy, tmsh and Apache lines
# do not end in ``;``; a properties line has ``=`` or ``:``).
_BLOCK = re.compile(
    r"(?:^|(?<=[\r\n;{}]))[ \t]*(?:http|server|events|stream|upstream[ \t]+[^\s{;#]+|"
    r"location[ \t]+[^{;#\r\n]+|if[ \t]*\([^\r\n{]*\)|map[ \t]+\S+[ \t]+\S+)[ \t]*\{"
)
_KNOWN = re.compile(
    r"(?m)^[ \t]*(?:proxy_pass|proxy_set_header|server_name|worker_processes|load_module|"
    r"ip_hash|least_conn|sticky)[ \t]+[^\r\n=]*;[ \t]*(?:#.*)?$"
)
_LINE = re.compile(r"(?m)^[ \t]*[a-z]+_[a-z0-9_]+[ \t]+[^\r\n=]*;[ \t]*(?:#.*)?$")


def looks_like_nginx(text: str) -> bool:
    """A block nginx opens, a directive only nginx writes, or two nginx directive lines."""
    if "{" not in text and ";" not in text:
        return False  # every pattern needs one of them: no pass over a large file
    if _BLOCK.search(text) is not None or _KNOWN.search(text) is not None:
        return True
    lines = _LINE.finditer(text)
    return next(lines, None) is not None and next(lines, None) is not None
