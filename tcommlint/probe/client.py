"""One HTTP exchange of the probe: a fresh connection per request (so the load balancer
balances every request), TLS with ``--cacert`` or ``--insecure``, the ``HTTP(S)_PROXY`` /
``NO_PROXY`` of the environment (an https target through a CONNECT tunnel), redirects followed
only on the same origin. Bodies are read (bounded) only to look for "No Session Found" and the
captcha switch; they are never kept or logged."""

from __future__ import annotations

import http.client
import os
import ssl
from urllib.parse import urljoin, urlsplit

from tcommlint.errors import UsageError
from tcommlint.probe.jar import CookieJar
from tcommlint.probe.options import MAX_REDIRECTS, Options
from tcommlint.records import NamedTuple

MAX_BODY = 64 * 1024  # bytes of a body read to look for the markers below
NO_SESSION = "no session found"
REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "tcommlint-probe"


class Exchange(NamedTuple):
    """What one request got back. ``status`` 0 with ``error`` set: no HTTP answer."""

    method: str
    path: str
    status: int
    headers: tuple[tuple[str, str], ...]
    set_cookies: tuple[str, ...]
    no_session: bool
    foreign_redirect: str  # the origin of a redirect to another host, not followed
    error: str
    body: str = ""  # only when asked for (captcha); never reported
    sent: tuple[str, ...] = ()  # the names of the cookies sent (never their values)

    def header(self, name: str) -> str:
        """The first value of a response header ("" when absent)."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), "")


class Proxy(NamedTuple):
    """A forward proxy from the environment, with its Basic credentials when its URL has some."""

    host: str
    port: int
    authorization: str = ""

    def headers(self) -> dict[str, str]:
        """``Proxy-Authorization`` when the proxy's URL carries a user."""
        return {"Proxy-Authorization": self.authorization} if self.authorization else {}


def tls_context(options: Options) -> ssl.SSLContext:
    """The TLS context: the system's roots, or ``--cacert``'s, or none with ``--insecure``."""
    if options.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=options.cacert)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(f"cannot read the CA file: {reason}", options.cacert or "") from None


def proxy_for(scheme: str, host: str) -> Proxy | None:
    """The proxy ``HTTPS_PROXY`` / ``HTTP_PROXY`` names for ``scheme``, unless ``NO_PROXY``
    (comma-separated hosts or domain suffixes, ``*`` for all) exempts ``host``."""
    value = _env(f"{scheme}_proxy")
    if not value or _bypassed(host):
        return None
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme != "http" or not parts.hostname:
        raise UsageError(f"{scheme.upper()}_PROXY must be an http:// proxy, not {value!r}")
    try:
        return Proxy(parts.hostname, parts.port or 8080, _basic(parts.username, parts.password))
    except ValueError:
        raise UsageError(f"invalid port in {scheme.upper()}_PROXY {value!r}") from None


def _basic(user: str | None, password: str | None) -> str:
    if not user:
        return ""
    import base64
    from urllib.parse import unquote

    pair = f"{unquote(user)}:{unquote(password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _env(name: str) -> str:
    return os.environ.get(name.lower()) or os.environ.get(name.upper()) or ""


def _bypassed(host: str) -> bool:
    host = host.lower()
    for entry in _env("no_proxy").split(","):
        entry = entry.strip().lower().lstrip(".")
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False


class Client:
    """Sends the probe's requests to one origin."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.context = tls_context(options) if options.secure else None
        self.proxy = proxy_for(options.scheme, options.host)

    def _connection(self) -> http.client.HTTPConnection:
        options, timeout = self.options, self.options.timeout
        if self.proxy is None:
            if self.context is not None:
                return http.client.HTTPSConnection(
                    options.host, options.port, timeout=timeout, context=self.context
                )
            return http.client.HTTPConnection(options.host, options.port, timeout=timeout)
        if self.context is not None:
            conn = http.client.HTTPSConnection(
                self.proxy.host, self.proxy.port, timeout=timeout, context=self.context
            )
            # CONNECT: TLS runs end to end, the proxy sees only host and port
            conn.set_tunnel(options.host, options.port, headers=self.proxy.headers())
            return conn
        return http.client.HTTPConnection(self.proxy.host, self.proxy.port, timeout=timeout)

    def _target(self, path: str) -> str:
        """The request target: the path, or the absolute URL for a plain-http proxy."""
        if self.proxy is not None and self.context is None:
            return self.options.origin + path
        return path

    def fetch(self, method: str, path: str, jar: CookieJar, keep_body: bool = False) -> Exchange:
        """One request with the jar's cookies, following same-origin redirects; every
        Set-Cookie of every hop goes into the jar."""
        set_cookies: list[str] = []
        for _ in range(MAX_REDIRECTS + 1):
            exchange = self._once(method, path, jar, keep_body)
            set_cookies.extend(exchange.set_cookies)
            location = exchange.header("Location") if exchange.status in REDIRECTS else ""
            if not location:
                break
            target = urlsplit(urljoin(self.options.origin + path, location))
            origin = f"{target.scheme}://{target.netloc}"
            if not self._same_origin(target.scheme, target.hostname, target.port):
                return exchange._replace(set_cookies=tuple(set_cookies), foreign_redirect=origin)
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            method = "GET" if exchange.status == 303 else method
        return exchange._replace(set_cookies=tuple(set_cookies))

    def _same_origin(self, scheme: str, host: str | None, port: int | None) -> bool:
        default = 443 if scheme == "https" else 80
        options = self.options
        return (scheme, (host or "").lower(), port or default) == (
            options.scheme,
            options.host.lower(),
            options.port,
        )

    def _once(self, method: str, path: str, jar: CookieJar, keep_body: bool) -> Exchange:
        headers = {"User-Agent": USER_AGENT, "Connection": "close", **dict(self.options.headers)}
        cookie = jar.header(path.split("?", 1)[0])
        if cookie:
            headers["Cookie"] = cookie
        if self.proxy is not None and self.context is None:
            headers.update(self.proxy.headers())
        body = b"" if method == "POST" else None
        conn = self._connection()
        try:
            conn.request(method, self._target(path), body=body, headers=headers)
            response = conn.getresponse()
            content = response.read(MAX_BODY) if method != "HEAD" else b""
            set_cookies = tuple(response.msg.get_all("Set-Cookie") or [])
            for header in set_cookies:
                jar.receive(header, path)
            text = content.decode("utf-8", errors="replace")
            return Exchange(
                method,
                path,
                response.status,
                tuple(response.getheaders()),
                set_cookies,
                NO_SESSION in text.lower(),
                "",
                "",
                text if keep_body else "",
                _names(cookie),
            )
        except (OSError, http.client.HTTPException, ValueError) as error:
            return Exchange(method, path, 0, (), (), False, "", _reason(error), "", _names(cookie))
        finally:
            conn.close()


def _names(cookie_header: str) -> tuple[str, ...]:
    return tuple(part.split("=", 1)[0].strip() for part in cookie_header.split(";") if part)


def _reason(error: BaseException) -> str:
    """A transport failure in a few words (never the request or a cookie)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or error})"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, ValueError):  # http.client refusing what it was asked to send
        return "request refused by the HTTP library (an invalid header or path)"
    return type(error).__name__
