"""``--captcha``: whether the live deployment asks for a captcha, from the page the TComm
procedure opens (``{base}/api/proxyconfig.jsp``), next to what the deployment's files say."""

from __future__ import annotations

import re
from typing import Any

from tcommlint.probe.client import Client
from tcommlint.probe.jar import CookieJar

PAGE = "/api/proxyconfig.jsp"
# ``EnableCaptcha=true``, ``"captchaEnabled": true``, ``captcha: on`` …: a key that names
# captcha, then its value. The page's exact form varies between releases.
_SWITCH = re.compile(r"""(?i)\b\w*captcha\w*["']?\s*[:=]\s*["']?(true|false|yes|no|on|off|1|0)\b""")
_ON = frozenset({"true", "yes", "on", "1"})


def read_switch(text: str) -> bool | None:
    """The captcha switch in the page's text (None when the page names none)."""
    match = _SWITCH.search(text)
    return None if match is None else match.group(1).lower() in _ON


def check_captcha(client: Client, loc: str, files_say: str) -> dict[str, Any]:
    """The captcha facts: what the page says and what the files say (``""``: no files)."""
    origin = client.options.origin
    jar = CookieJar(secure_channel=client.options.secure, host=client.options.host)
    exchange = client.fetch("GET", PAGE, jar, keep_body=True)
    enabled = read_switch(exchange.body) if 200 <= exchange.status < 300 else None
    if exchange.status == 0:
        answer = f"no answer ({exchange.error})"
    elif enabled is None:
        answer = f"status {exchange.status}, no captcha switch in the page"
    else:
        answer = "enabled" if enabled else "disabled"
    return {
        "checked": True,
        "loc": loc,
        "url": origin + PAGE,
        "known": enabled is not None,
        "enabled": bool(enabled),
        "answer": answer,
        "files": files_say,
        "disagree": bool(files_say) and enabled is not None and (files_say == "enabled") != enabled,
    }
