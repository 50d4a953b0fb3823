"""What nginx checks in a directive's values (the ``ngx_conf_set_*_slot`` handlers) and in the
entries of a ``map``/``geo``/``charset_map`` block: refused as ``nginx -t`` refuses them, with
its words, at the line it names (blind trial na2, files 11, 14 and 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.loaders.nginx.table import definitions

FIXTURES = Path(__file__).parent / "fixtures" / "blind2"


def _errors(root: Path, text: str) -> list[str]:
    target = root / "lb" / "nginx.conf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    result = load_nginx([(str(target), text)], Includes(root, root))
    return [f"{e.span.line}:{e.span.column}: {e.reason}" for e in result.errors]


def _http(root: Path, http: str) -> list[str]:
    return _errors(root, f"events {{}}\nhttp {{\n{http}\n}}\n")


def test_blind_11_a_misspelt_next_upstream_value_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "nginx2-11.conf").read_text()
    assert _errors(tmp_path, text) == ['17:13: invalid value "non_idempotant"']


def test_blind_14_a_map_entry_cut_by_an_unquoted_semicolon_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "nginx2-14.conf").read_text()
    assert _errors(tmp_path, text) == ["9:9: invalid number of the map parameters"]


def test_blind_16_the_quoted_regex_is_accepted(tmp_path: Path) -> None:
    assert _errors(tmp_path, (FIXTURES / "nginx2-16.conf").read_text()) == []


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ("hostnames;\n volatile;\n default 0;\n include maps.conf;", []),
        ("~a b c;", ["4:2: invalid number of the map parameters"]),
        ("default;", ["4:2: invalid number of the map parameters"]),
        ("include;", ["4:2: invalid number of the map parameters"]),
        ("volatile 1;", []),  # two parameters: a key "volatile"
        ("default 0;\n default 1;", ["5:2: duplicate default map parameter"]),
    ],
)
def test_map_entries_take_two_parameters(tmp_path: Path, entries: str, expected: list[str]) -> None:
    (tmp_path / "lb").mkdir()
    (tmp_path / "lb" / "maps.conf").write_text("a b;\n")
    http = f"map $uri $m {{\n {entries}\n}}\nserver {{ listen 80; }}"
    assert _http(tmp_path, http) == expected


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("geo $g {\n ranges;\n proxy_recursive;\n default 0;\n}", []),
        ("geo $g {\n 10.0.0.0/8;\n}", ["4:2: invalid number of the geo parameters"]),
        ("charset_map a b {\n 80 81 82;\n}", ["4:2: invalid parameters number"]),
        ("charset_map a b {\n 80 81;\n}", []),
    ],
)
def test_other_blocks_count_their_entries(tmp_path: Path, block: str, expected: list[str]) -> None:
    assert _http(tmp_path, f"{block}\nserver {{ listen 80; }}") == expected


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        ("proxy_next_upstream error timeout http_404 non_idempotent;", []),
        ("proxy_next_upstream ERROR Off;", []),  # ngx_strcasecmp
        ("proxy_next_upstream bogus;", ['invalid value "bogus"']),
        ("proxy_next_upstream_tries 3;", []),
        (
            "proxy_next_upstream_tries three;",
            ['"proxy_next_upstream_tries" directive invalid number'],
        ),
        ("proxy_next_upstream_tries -1;", ['"proxy_next_upstream_tries" directive invalid number']),
        ("proxy_read_timeout 1m30s;", []),
        ("proxy_read_timeout 500ms;", []),
        ("proxy_read_timeout 1y;", ['"proxy_read_timeout" directive invalid value']),
        ('proxy_read_timeout "1m 30s";', []),
        ('proxy_read_timeout "30 s";', ['"proxy_read_timeout" directive invalid value']),
        ('proxy_read_timeout "30 ";', []),
        ("proxy_read_timeout s;", ['"proxy_read_timeout" directive invalid value']),
        ("proxy_read_timeout 10x;", ['"proxy_read_timeout" directive invalid value']),
        ("proxy_buffer_size 8k;", []),
        ("proxy_buffer_size 8g;", ['"proxy_buffer_size" directive invalid value']),
        ("client_max_body_size 1g;", []),  # ngx_conf_set_off_slot
        ("client_max_body_size 1t;", ['"client_max_body_size" directive invalid value']),
        (
            "proxy_buffering yes;",
            ['invalid value "yes" in "proxy_buffering" directive, it must be "on" or "off"'],
        ),
        ("proxy_http_version 1.1;", []),  # ngx_conf_set_enum_slot
        ("proxy_http_version 2.0;", ['invalid value "2.0"']),
        (
            "proxy_next_upstream_tries $tries;",
            ['"proxy_next_upstream_tries" directive invalid number'],
        ),
    ],
)
def test_slot_values_are_checked_as_nginx_checks_them(
    tmp_path: Path, directive: str, expected: list[str]
) -> None:
    http = f"server {{\n listen 80;\n location / {{\n  {directive}\n }}\n}}"
    assert [e.split(": ", 1)[1] for e in _http(tmp_path, http)] == expected


def test_keepalive_timeout_is_a_handler_of_its_own(tmp_path: Path) -> None:
    # ngx_http_core_keepalive: not a slot handler, its values are not checked here
    assert all(not d.values for d in definitions()["keepalive_timeout"])
    assert definitions()["proxy_next_upstream"][0].slot == "bitmask"
    assert "non_idempotent" in definitions()["proxy_next_upstream"][0].values


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        # NGX_CONF_FLAG only counts one argument; ssl_ocsp's slot is an enum: off, on, leaf
        ("ssl_ocsp leaf;", []),
        ("ssl_ocsp bogus;", ['invalid value "bogus"']),
        # ``ssl`` has a handler of its own, which reads on/off as ngx_conf_set_flag_slot does
        ("ssl bogus;", ['invalid value "bogus" in "ssl" directive, it must be "on" or "off"']),
    ],
)
def test_a_flag_directive_reads_the_values_of_its_slot(
    tmp_path: Path, directive: str, expected: list[str]
) -> None:
    """As nginx -t 1.22 answers each of them."""
    http = f"server {{\n listen 80;\n {directive}\n location / {{\n  return 200;\n }}\n}}"
    assert [e.split(": ", 1)[1] for e in _http(tmp_path, http)] == expected
