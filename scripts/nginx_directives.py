"""Generate ``tcommlint/loaders/nginx/directives.json``: nginx 1.22's directives and variables,
Debian's build.

Reads the ``ngx_command_t`` arrays of the nginx sources (``fetch github:nginx/nginx``; tag
``release-1.22.1``) and records, for every directive, the contexts it is allowed in and how
many arguments it takes, with the module that defines it. The module list is Debian's
``nginx -V`` (1.22.1): the default modules, the ``--with-…`` ones, and the dynamic modules
(``--with-…=dynamic``: usable only after ``load_module``) marked with their ``.so``. NGINX Plus
directives come from nginx.org's documentation (they are not in the open source tree) and are
listed below by hand, marked ``plus``.

For the directives whose handler is one of nginx's own slot functions (``ngx_conf_set_flag_slot``,
``…_num_slot``, ``…_size_slot``, ``…_off_slot``, ``…_msec_slot``, ``…_sec_slot``,
``…_enum_slot``, ``…_bitmask_slot`` of ``src/core/ngx_conf_file.c``), the entry records the
slot's kind (``slot``) and, for an enum or a bitmask, the names of the ``ngx_conf_enum_t`` /
``ngx_conf_bitmask_t`` array the command's ``post`` points to (``values``): what
``nginx -t`` checks of the values. Another handler checks its values its own way: not recorded.

A handler that refuses to set its field a second time in one block (``"…" directive is
duplicate``) gives the entry that field (``field``: ``struct.member``, the struct naming the
module and its level): nginx's slots do (``_ONCE``), and a few handlers of their own
(``_OWN_ONCE``); ``bitmask``, ``str_array``, ``keyval`` and the ``…_param``/``…_cache_valid``
slots add to what is set. Each was observed with Debian's ``nginx -t`` 1.22 twice in one block
of every context it allows; the dynamic modules (``stream``, ``mail``…) are not installed here
to observe, so their entries have no ``field``.

The variables are those the modules register (their ``ngx_http_variable_t`` /
``ngx_stream_variable_t`` arrays and the names they pass to ``ngx_http_add_variable``), each
with the shared object that must be loaded, and the prefixes (``NGX_HTTP_VAR_PREFIX``:
``http_``, ``cookie_``, ``arg_``…). A variable a configuration makes (``set``, ``map``…) is
the loader's business.

    python scripts/nginx_directives.py /work/.mirror/nginx+nginx/repo release-1.22.1
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tcommlint/loaders/nginx/directives.json"

# Sources not in Debian's build (other platforms, modules it does not configure).
_NOT_BUILT = (
    "src/event/modules/ngx_devpoll_module.c",
    "src/event/modules/ngx_eventport_module.c",
    "src/event/modules/ngx_iocp_module.c",
    "src/event/modules/ngx_kqueue_module.c",
    "src/event/modules/ngx_win32_",
    "src/http/modules/ngx_http_degradation_module.c",
    "src/misc/",
    "src/os/win32/",
)
# Dynamic modules of Debian's build: source prefix → the shared object load_module names.
_DYNAMIC = (
    ("src/http/modules/ngx_http_geoip_module.c", "ngx_http_geoip_module.so"),
    ("src/http/modules/ngx_http_image_filter_module.c", "ngx_http_image_filter_module.so"),
    ("src/http/modules/ngx_http_xslt_filter_module.c", "ngx_http_xslt_filter_module.so"),
    ("src/http/modules/perl/", "ngx_http_perl_module.so"),
    ("src/stream/ngx_stream_geoip_module.c", "ngx_stream_geoip_module.so"),
    ("src/stream/", "ngx_stream_module.so"),
    ("src/mail/", "ngx_mail_module.so"),
)
_CONTEXTS = {
    "NGX_MAIN_CONF": "main",
    "NGX_ANY_CONF": "any",
    "NGX_EVENT_CONF": "events",
    "NGX_HTTP_MAIN_CONF": "http",
    "NGX_HTTP_SRV_CONF": "server",
    "NGX_HTTP_LOC_CONF": "location",
    "NGX_HTTP_UPS_CONF": "upstream",
    "NGX_HTTP_SIF_CONF": "if-server",
    "NGX_HTTP_LIF_CONF": "if-location",
    "NGX_HTTP_LMT_CONF": "limit_except",
    "NGX_STREAM_MAIN_CONF": "stream",
    "NGX_STREAM_SRV_CONF": "stream-server",
    "NGX_STREAM_UPS_CONF": "stream-upstream",
    "NGX_MAIL_MAIN_CONF": "mail",
    "NGX_MAIL_SRV_CONF": "mail-server",
}
_ARGS = {
    "NGX_CONF_NOARGS": "0",
    "NGX_CONF_TAKE1": "1",
    "NGX_CONF_TAKE2": "2",
    "NGX_CONF_TAKE3": "3",
    "NGX_CONF_TAKE4": "4",
    "NGX_CONF_TAKE5": "5",
    "NGX_CONF_TAKE6": "6",
    "NGX_CONF_TAKE7": "7",
    "NGX_CONF_TAKE12": "12",
    "NGX_CONF_TAKE13": "13",
    "NGX_CONF_TAKE23": "23",
    "NGX_CONF_TAKE123": "123",
    "NGX_CONF_TAKE1234": "1234",
    "NGX_CONF_FLAG": "flag",
    "NGX_CONF_ANY": "any",
    "NGX_CONF_1MORE": "1more",
    "NGX_CONF_2MORE": "2more",
    "NGX_CONF_BLOCK": "block",
}
_COMMAND = re.compile(r'\{\s*ngx_string\("([a-z0-9_]+)"\),\s*([A-Z0-9_|\s]+?),', re.S)
# The whole command: its handler and its ``post`` (the offset may hold commas: ``offsetof``).
_HANDLER = re.compile(
    r'\{\s*ngx_string\("([a-z0-9_]+)"\),\s*[A-Z0-9_|\s]+?,\s*(\w+),[^{}]*?,\s*(&?\w+)\s*\}', re.S
)
_SLOTS = {
    "ngx_conf_set_flag_slot": "flag",
    "ngx_conf_set_num_slot": "num",
    "ngx_conf_set_size_slot": "size",
    "ngx_conf_set_off_slot": "off",
    "ngx_conf_set_msec_slot": "msec",
    "ngx_conf_set_sec_slot": "sec",
    "ngx_conf_set_enum_slot": "enum",
    "ngx_conf_set_bitmask_slot": "bitmask",
}
# Slot handlers that test their field before setting it and answer "is duplicate".
_ONCE = frozenset(
    {
        "ngx_conf_set_flag_slot",
        "ngx_conf_set_str_slot",
        "ngx_conf_set_num_slot",
        "ngx_conf_set_size_slot",
        "ngx_conf_set_off_slot",
        "ngx_conf_set_msec_slot",
        "ngx_conf_set_sec_slot",
        "ngx_conf_set_bufs_slot",
        "ngx_conf_set_enum_slot",
        "ngx_conf_set_path_slot",
        "ngx_conf_set_access_slot",
        "ngx_http_set_complex_value_slot",
        "ngx_http_set_complex_value_zero_slot",
        "ngx_http_set_complex_value_size_slot",
        "ngx_http_set_charset_slot",
        "ngx_http_upstream_bind_set_slot",
    }
)
# Handlers of their own that test a field the same way (read in the 1.22.1 sources, observed
# with nginx -t): (source, directive) → the field. ``root`` and ``alias`` share theirs.
_CORE = "src/http/ngx_http_core_module.c"
_EVENT = "src/event/ngx_event.c"
_HTTP_MODULES = "src/http/modules/ngx_http_"
_OWN_ONCE = {
    (_CORE, "keepalive_timeout"): "ngx_http_core_loc_conf_t.keepalive_timeout",
    (_CORE, "root"): "ngx_http_core_loc_conf_t.root",
    (_CORE, "alias"): "ngx_http_core_loc_conf_t.root",
    (_EVENT, "events"): "ngx_cycle_t.conf_ctx.events",
    (_EVENT, "worker_connections"): "ngx_event_conf_t.connections",
    (_EVENT, "use"): "ngx_event_conf_t.use",
    ("src/http/ngx_http.c", "http"): "ngx_cycle_t.conf_ctx.http",
    (f"{_HTTP_MODULES}proxy_module.c", "proxy_pass"): "ngx_http_proxy_loc_conf_t.upstream",
    (f"{_HTTP_MODULES}fastcgi_module.c", "fastcgi_pass"): "ngx_http_fastcgi_loc_conf_t.upstream",
    (f"{_HTTP_MODULES}grpc_module.c", "grpc_pass"): "ngx_http_grpc_loc_conf_t.upstream",
    (f"{_HTTP_MODULES}uwsgi_module.c", "uwsgi_pass"): "ngx_http_uwsgi_loc_conf_t.upstream",
    (f"{_HTTP_MODULES}scgi_module.c", "scgi_pass"): "ngx_http_scgi_loc_conf_t.upstream",
    (f"{_HTTP_MODULES}memcached_module.c", "memcached_pass"): (
        "ngx_http_memcached_loc_conf_t.upstream"
    ),
    (f"{_HTTP_MODULES}upstream_keepalive_module.c", "keepalive"): (
        "ngx_http_upstream_keepalive_srv_conf_t.max_cached"
    ),
    (_CORE, "internal"): "ngx_http_core_loc_conf_t.internal",
    (_CORE, "aio"): "ngx_http_core_loc_conf_t.aio",
    (_CORE, "directio"): "ngx_http_core_loc_conf_t.directio",
    (_CORE, "resolver"): "ngx_http_core_loc_conf_t.resolver",
    (_CORE, "open_file_cache"): "ngx_http_core_loc_conf_t.open_file_cache",
    (f"{_HTTP_MODULES}headers_filter_module.c", "expires"): "ngx_http_headers_conf_t.expires",
    (f"{_HTTP_MODULES}try_files_module.c", "try_files"): "ngx_http_try_files_loc_conf_t.try_files",
    (f"{_HTTP_MODULES}auth_basic_module.c", "auth_basic_user_file"): (
        "ngx_http_auth_basic_loc_conf_t.user_file"
    ),
    (f"{_HTTP_MODULES}auth_request_module.c", "auth_request"): "ngx_http_auth_request_conf_t.uri",
    # ngx_http_ssl_enable hands the value to ngx_conf_set_flag_slot first
    (f"{_HTTP_MODULES}ssl_module.c", "ssl"): "ngx_http_ssl_srv_conf_t.enable",
    (f"{_HTTP_MODULES}proxy_module.c", "proxy_cache_key"): "ngx_http_proxy_loc_conf_t.cache_key",
    (f"{_HTTP_MODULES}fastcgi_module.c", "fastcgi_cache_key"): (
        "ngx_http_fastcgi_loc_conf_t.cache_key"
    ),
    (f"{_HTTP_MODULES}uwsgi_module.c", "uwsgi_cache_key"): "ngx_http_uwsgi_loc_conf_t.cache_key",
    (f"{_HTTP_MODULES}scgi_module.c", "scgi_cache_key"): "ngx_http_scgi_loc_conf_t.cache_key",
}
# A command's handler and the field its offset names.
_FIELD = re.compile(
    r'\{\s*ngx_string\("([a-z0-9_]+)"\),\s*[A-Z0-9_|\s]+?,\s*(\w+),\s*\w+,'
    r"\s*offsetof\((\w+),\s*([\w.]+)\)",
    re.S,
)
_NAMES = re.compile(r"ngx_conf_(?:enum|bitmask)_t\s+(\w+)\[\]\s*=\s*\{(.*?)ngx_null_string", re.S)
_NAME = re.compile(r'ngx_string\("([^"]*)"\)')

H, S, L, U = "http", "server", "location", "upstream"
SIF, LIF, LMT = "if-server", "if-location", "limit_except"
# NGINX Plus directives (nginx.org/en/docs, the "commercial subscription" ones): name,
# contexts, arguments. Only ``load_module``-free directives of the Plus build are listed.
_PLUS = (
    ("sticky", (U,), "1more"),
    ("sticky_cookie_insert", (U,), "1more"),
    ("ntlm", (U,), "0"),
    ("queue", (U,), "12"),
    ("state", (U,), "1"),
    ("least_time", (U,), "12"),
    ("health_check", (L, "stream-server"), "any"),
    ("health_check_timeout", ("stream", "stream-server"), "1"),
    ("match", (H, "stream"), "1,block"),
    ("api", (L,), "any"),
    ("status", (L,), "0"),
    ("status_format", (H, S, L), "12"),
    ("status_zone", (S, L, LIF, "stream-server"), "1"),
    ("keyval", (H, "stream"), "3"),
    ("keyval_zone", (H, "stream"), "1more"),
    ("session_log", (H, S, L), "1"),
    ("session_log_format", (H,), "2more"),
    ("session_log_zone", (H,), "2more"),
    ("auth_jwt", (H, S, L, LMT), "12"),
    ("auth_jwt_claim_set", (H,), "2more"),
    ("auth_jwt_header_set", (H,), "2more"),
    ("auth_jwt_key_file", (H, S, L, LMT), "1"),
    ("auth_jwt_key_request", (H, S, L, LMT), "1"),
    ("auth_jwt_leeway", (H, S, L), "1"),
    ("auth_jwt_require", (H, S, L, LMT), "1more"),
    ("auth_jwt_type", (H, S, L, LMT), "1"),
    ("f4f", (L,), "0"),
    ("f4f_buffer_size", (H, S, L), "1"),
    ("hls", (L,), "0"),
    ("hls_buffers", (H, S, L), "2"),
    ("hls_forward_args", (H, S, L), "flag"),
    ("hls_fragment", (H, S, L), "1"),
    ("hls_mp4_buffer_size", (H, S, L), "1"),
    ("hls_mp4_max_buffer_size", (H, S, L), "1"),
    ("internal_redirect", (S, L), "1"),
    ("proxy_cache_purge", (H, S, L), "1more"),
    ("fastcgi_cache_purge", (H, S, L), "1more"),
    ("uwsgi_cache_purge", (H, S, L), "1more"),
    ("scgi_cache_purge", (H, S, L), "1more"),
    ("zone_sync", ("stream-server",), "0"),
    ("zone_sync_server", ("stream-server",), "12"),
    ("mqtt", ("stream", "stream-server"), "flag"),
    ("mqtt_preread", ("stream", "stream-server"), "flag"),
    ("mqtt_set_connect", ("stream", "stream-server"), "2"),
    ("resolver", (U, "stream-upstream"), "1more"),
    ("resolver_timeout", (U, "stream-upstream"), "1"),
    ("ssl_ntls", (H, S), "flag"),
    ("upstream_conf", (L,), "0"),
)


def _files(git_dir: str, tag: str) -> list[str]:
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", tag, "src"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [p for p in listing.split() if p.endswith(".c") and not p.startswith(_NOT_BUILT)]


def _module(path: str) -> str:
    for prefix, shared in _DYNAMIC:
        if path.startswith(prefix):
            return shared
    return ""


def _entry(flags: str, module: str, source: str) -> dict[str, object]:
    words = [w.strip() for w in flags.split("|")]
    contexts = sorted({_CONTEXTS[w] for w in words if w in _CONTEXTS})
    args = sorted({_ARGS[w] for w in words if w in _ARGS})
    return {"contexts": contexts, "args": ",".join(args), "load_module": module, "source": source}


_VARIABLE = re.compile(
    r'\{\s*ngx_string\("([a-z0-9_]+)"\),\s*(?:NULL|ngx_\w+),\s*ngx_\w+,[^}]*\}', re.S
)
_ARRAY = re.compile(r"ngx_(?:http|stream)_variable_t\s+\w+\[\]\s*=\s*\{(.*?)_null_variable", re.S)
_NAMED = re.compile(r'ngx_str_t\s+(\w+)\s*=\s*ngx_string\("([a-z0-9_]+)"\);')


def _show(git_dir: str, tag: str, path: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{tag}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def variables(git_dir: str, tag: str) -> dict[str, dict[str, str]]:
    """``http``/``stream`` (names) and ``http_prefixes``/``stream_prefixes`` → the shared
    object each needs ("" when built in)."""
    found: dict[str, dict[str, str]] = {
        "http": {},
        "http_prefixes": {},
        "stream": {},
        "stream_prefixes": {},
    }
    for path in _files(git_dir, tag):
        level = "http" if path.startswith("src/http/") else "stream"
        if not path.startswith(("src/http/", "src/stream/")):
            continue
        text = _show(git_dir, tag, path)
        module = _module(path)
        arrays = "".join(_ARRAY.findall(text))  # not the SSI commands' arrays, same shape
        for match in _VARIABLE.finditer(arrays):
            kind = f"{level}_prefixes" if "VAR_PREFIX" in match.group(0) else level
            found[kind].setdefault(match.group(1), module)
        for ident, name in _NAMED.findall(text):
            if f"add_variable(cf, &{ident}" in text:
                found[level].setdefault(name, module)
    return {kind: dict(sorted(names.items())) for kind, names in found.items()}


def value_lists(texts: dict[str, str]) -> dict[str, list[str]]:
    """Every ``ngx_conf_enum_t``/``ngx_conf_bitmask_t`` array of the sources → its names."""
    found: dict[str, list[str]] = {}
    for text in texts.values():
        for ident, body in _NAMES.findall(text):
            found[ident] = _NAME.findall(body)
    return found


def _slot(text: str, name: str, lists: dict[str, list[str]]) -> dict[str, object]:
    """What a command's handler checks of its values, when it is one of nginx's slots."""
    for found, handler, post in _HANDLER.findall(text):
        if found != name or handler not in _SLOTS:
            continue
        kind = _SLOTS[handler]
        if kind in ("enum", "bitmask"):
            return {"slot": kind, "values": lists[post.lstrip("&")]}
        return {"slot": kind}
    return {}


def _field(text: str, path: str, name: str) -> dict[str, object]:
    """The field a built-in command's handler refuses to set twice, when it does."""
    if _module(path):
        return {}
    own = _OWN_ONCE.get((path, name))
    if own:
        return {"field": own}
    for found, handler, struct, member in _FIELD.findall(text):
        if found == name and handler in _ONCE:
            return {"field": f"{struct}.{member}"}
    return {}


def generate(git_dir: str, tag: str) -> dict[str, list[dict[str, object]]]:
    """Every directive name → its definitions (one per module that defines it)."""
    table: dict[str, list[dict[str, object]]] = {}
    texts = {path: _show(git_dir, tag, path) for path in _files(git_dir, tag)}
    lists = value_lists(texts)
    for path, text in texts.items():
        for name, flags in _COMMAND.findall(text):
            entry = _entry(flags, _module(path), path)
            if entry["contexts"] and entry["args"]:  # not a variable or an SSI parameter
                entry.update(_slot(text, name, lists))
                entry.update(_field(text, path, name))
                table.setdefault(name, []).append(entry)
    for name, contexts, args in _PLUS:
        entry = {"contexts": sorted(contexts), "args": args, "load_module": "", "plus": True}
        table.setdefault(name, []).append(entry)
    return dict(sorted(table.items()))


def main() -> None:
    """Write the table."""
    git_dir, tag = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "release-1.22.1"
    table = generate(git_dir, tag)
    known = variables(git_dir, tag)
    document = {"nginx": tag, "build": "Debian nginx 1.22.1 (nginx -V)", "variables": known}
    lines = [f"  {json.dumps(name)}: {json.dumps(entries)}" for name, entries in table.items()]
    head = json.dumps(document)[:-1]
    body = ",\n".join(lines)
    OUT.write_text(f'{head}, "directives": {{\n{body}\n}}}}\n', encoding="utf-8")
    count = sum(len(names) for names in known.values())
    print(f"{len(table)} directives and {count} variables written to {OUT}")


if __name__ == "__main__":
    main()
