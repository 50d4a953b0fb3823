"""Which nginx directives of a ``server``/``location`` the compiler models, which are outside the
model (an Opaque step: the session is not evaluable, TC008), and which are ignored on purpose.

Ignored on purpose, because they cannot change the request path, the Cookie or Set-Cookie
headers, the server choice or persistence state: logging (``access_log``, ``error_log``,
``log_*``), timeouts and buffers (``*_timeout``, ``*_buffer*``, ``*_buffers``), TLS settings
(``ssl_*``, ``proxy_ssl_*``), compression (``gzip*``, ``gunzip``), the file system side
(``root``, ``alias``, ``index``, ``autoindex``, ``sendfile``, ``tcp_*``, ``open_file_cache*``),
``proxy_http_version``, ``proxy_redirect`` (the Location header), ``proxy_set_header`` of
other headers than Cookie, ``add_header`` of other headers than Set-Cookie, ``proxy_pass_header``
and ``proxy_ignore_headers`` (neither concerns Set-Cookie's passing), ``proxy_next_upstream*``
without ``http_404`` (a retry goes to another server only when the first failed; with
``http_404`` the chat's "No Session Found" is retried elsewhere: the pool's ``Retry``), ``set``
and ``map`` (their variables are read through the directives that use them), ``error_page``,
``allow``/``deny`` and ``auth_*`` (access control, the same for every request of a session),
``limit_*``,
``charset``, ``expires``, ``etag``, ``server_tokens``, ``client_*``, ``keepalive*``, ``listen``,
``server_name``, ``resolver*``, ``default_type``, ``types``.
"""

from __future__ import annotations

# Directives that can answer a request or rewrite its path or route in ways the model does
# not follow: an Opaque step where they apply (``if`` is in ``ifs.py``, ``rewrite`` in
# ``rewrites.py``, ``proxy_cache`` in ``cache.py``, ``try_files`` in the compiler).
OUTSIDE = {
    "proxy_store": "stores responses as files that later answer requests",
}

# Content handlers other than proxy_pass: the request never reaches the chat application.
OTHER_HANDLERS = frozenset(
    {
        "fastcgi_pass",
        "uwsgi_pass",
        "scgi_pass",
        "grpc_pass",
        "memcached_pass",
        "empty_gif",
        "stub_status",
        "api",
        "status",
        "perl",
        "flv",
        "mp4",
        "hls",
        "f4f",
        "random_index",
    }
)
