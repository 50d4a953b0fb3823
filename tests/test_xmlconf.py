"""XML key/value files: Java properties XML, element-per-key XML, and parser safety."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from tcommlint.loaders.generic.xmlconf import (
    element_text,
    parse_keyvalue_xml,
    parse_xml,
    sniff_root,
)
from tcommlint.source import Span

PROPERTIES_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">
<properties>
  <comment>TComm proxy, node 1</comment>
  <entry key="AutoCallQueue">true</entry>
  <!-- <entry key="AutoCallQueue">false</entry> -->
  <entry key="proxy.url">https://chat.example.com/api  </entry>
  <entry
      key="empty"/>
  <entry key="AutoCallQueue">false</entry>
</properties>
"""

ELEMENT_XML = b"""<?xml version="1.0"?>
<config>
    <AutoCallQueue>true</AutoCallQueue>
    <enable>
        <callagentMessage>false</callagentMessage>
        <chat><history> yes </history></chat>
    </enable>
    <empty/>
</config>
"""


def _rows(data: bytes) -> list[tuple[str, str, int, int, int, int]]:
    document = parse_keyvalue_xml("cfg.xml", data)
    assert document.error is None
    return [
        (
            e.key.value,
            e.value.value,
            e.key.span.line,
            e.key.span.column,
            e.value.span.line,
            e.value.span.column,
        )
        for e in document.entries
    ]


def test_java_properties_xml_entries_and_positions() -> None:
    assert _rows(PROPERTIES_XML) == [
        ("AutoCallQueue", "true", 5, 15, 5, 30),
        ("proxy.url", "https://chat.example.com/api  ", 7, 15, 7, 26),
        ("empty", "", 9, 12, 9, 20),
        ("AutoCallQueue", "false", 10, 15, 10, 30),
    ]


def test_element_per_key_xml_dotted_keys_and_positions() -> None:
    assert _rows(ELEMENT_XML) == [
        ("AutoCallQueue", "true", 3, 6, 3, 20),
        ("enable.callagentMessage", "false", 5, 10, 5, 27),
        ("enable.chat.history", " yes ", 6, 16, 6, 24),
        ("empty", "", 8, 6, 8, 13),
    ]


def test_element_xml_with_crlf_and_namespace_prefix() -> None:
    data = b'<c:config xmlns:c="urn:x">\r\n  <c:AutoCallQueue>true</c:AutoCallQueue>\r\n</c:config>'
    assert _rows(data) == [("AutoCallQueue", "true", 2, 4, 2, 20)]


def test_xml_suppression_comment() -> None:
    data = (
        b"<config>\n"
        b"  <!-- tcommlint: disable=TC208 - queue handled upstream -->\n"
        b"  <AutoCallQueue>true</AutoCallQueue> <!-- tcommlint: disable=TC212 -->\n"
        b"</config>\n"
    )
    document = parse_keyvalue_xml("cfg.xml", data)
    assert [(s.span, s.rule_ids, s.reason, s.applies_to) for s in document.suppressions] == [
        (Span("cfg.xml", 2, 3), ("TC208",), "queue handled upstream", 3),
        (Span("cfg.xml", 3, 39), ("TC212",), "", 3),
    ]


def test_comments_cdata_and_processing_instructions_hide_lookalike_tags() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<?report fields="<AutoCallQueue>"?>\n'
        b"<config>\n"
        b"  <!-- <AutoCallQueue>false</AutoCallQueue> --><![CDATA[<AutoCallQueue>]]>\n"
        b"  <?skip <AutoCallQueue> ?><AutoCallQueue>true</AutoCallQueue>\n"
        b"</config>\n"
    )
    assert _rows(data) == [("AutoCallQueue", "true", 5, 29, 5, 43)]


@pytest.mark.parametrize(
    "opener",
    [b"<!--", b"<?", b"<![CDATA[", b"<!--<?<![CDATA["],
    ids=["comments", "processing-instructions", "cdata", "mixed"],
)
def test_many_unclosed_openers_are_a_parse_error(opener: bytes) -> None:
    data = b"<!-- tcommlint: disable=TC001 - fuzzed -->\n" + opener * 20000
    document = parse_keyvalue_xml("cfg.xml", data)
    assert document.entries == ()
    assert document.error is not None
    assert [(s.span, s.rule_ids) for s in document.suppressions] == [
        (Span("cfg.xml", 1, 1), ("TC001",))
    ]


DECLARED = (
    '<?xml version="1.0" encoding="{}"?>\n'
    "<!-- tcommlint: disable=TC001 - legacy export -->\n"
    '<properties><entry key="AutoCallQueue">true</entry></properties>\n'
)


@pytest.mark.parametrize(
    "encoding",
    ["idna", "undefined", "punycode", "zlib_codec", "base64", "rot13", "hex", "no-such-codec"],
)
def test_unusable_declared_encoding_is_one_parse_error_at_the_declaration(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding}"'
    document = parse_keyvalue_xml("cfg.xml", DECLARED.format(encoding).encode())
    assert document.entries == ()
    assert document.error is not None
    assert document.error.span == Span("cfg.xml", 1, len(declaration) + 1)
    assert encoding in document.error.reason
    assert [(s.span, s.rule_ids) for s in document.suppressions] == [
        (Span("cfg.xml", 2, 1), ("TC001",))
    ]


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-32", "cp500"], ids=["utf16", "utf32", "ebcdic"]
)
def test_encoding_that_misreads_its_own_declaration_reads_as_utf8(encoding: str) -> None:
    document = parse_keyvalue_xml("cfg.xml", DECLARED.format(encoding).encode())
    assert document.error is not None
    assert document.error.span.line == 1
    assert [(s.span, s.rule_ids) for s in document.suppressions] == [
        (Span("cfg.xml", 2, 1), ("TC001",))
    ]


def test_declared_encoding_is_used_and_a_utf8_bom_wins_over_it() -> None:
    body = "<config><name>Zoë</name><AutoCallQueue>true</AutoCallQueue></config>"
    declaration = '<?xml version="1.0" encoding="ISO-8859-1"?>'
    latin1 = (declaration + body).encode("latin-1")
    with_bom = b"\xef\xbb\xbf" + (declaration + body).encode("utf-8")
    expected = [
        ("name", "Zoë", 1, 53, 1, 58),
        ("AutoCallQueue", "true", 1, 69, 1, 83),
    ]
    assert _rows(latin1) == expected
    assert _rows(with_bom) == expected


@pytest.mark.parametrize(
    ("data", "at"),
    [
        (b"<config>\n  <a>1</b>\n</config>", (2, 11)),
        (b"", (1, 1)),
        (b"<config>\n<a>", (2, 4)),
    ],
    ids=["mismatched-tag", "empty", "truncated"],
)
def test_malformed_xml_is_a_parse_error(data: bytes, at: tuple[int, int]) -> None:
    document = parse_keyvalue_xml("cfg.xml", data)
    assert document.entries == ()
    assert document.error is not None
    assert (document.error.span.line, document.error.span.column) == at
    assert document.error.reason


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<properties><entry key="k">&lol9;</entry></properties>
"""

EXTERNAL_ENTITIES = [
    b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<properties><entry key="k">&x;</entry></properties>',
    b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>\n'
    b'<properties><entry key="k">&x;</entry></properties>',
    b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY % d SYSTEM "http://127.0.0.1:9/d.dtd"> %d;]>\n'
    b'<properties><entry key="k">v</entry></properties>',
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    document = parse_keyvalue_xml("bomb.xml", BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05
    assert document.error is not None
    assert document.entries == ()


@pytest.mark.usefixtures("no_network")
def test_internal_entity_declarations_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY v "true">]>\n'
        b'<p><entry key="k">&v;</entry></p>'
    )
    document = parse_keyvalue_xml("e.xml", data)
    assert document.error is not None
    assert document.error.span.line == 2
    assert "entities (v)" in document.error.reason


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("data", EXTERNAL_ENTITIES, ids=["file", "http", "parameter-entity"])
def test_external_entities_are_never_resolved(data: bytes) -> None:
    started = time.perf_counter()
    root, error = parse_xml("x.xml", data)
    assert time.perf_counter() - started < 0.05
    if root is not None:
        text = element_text(root)
        assert "root:" not in text
    else:
        assert error is not None


@pytest.mark.usefixtures("no_network")
def test_properties_dtd_is_not_fetched() -> None:
    document = parse_keyvalue_xml("p.xml", PROPERTIES_XML)
    assert document.error is None
    assert len(document.entries) == 4


@pytest.mark.parametrize(
    ("data", "root"),
    [
        (PROPERTIES_XML, "properties"),
        (ELEMENT_XML, "config"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- <nope/> --><Server port='8005'/>", "Server"),
        (b'<!DOCTYPE web-app [<!ELEMENT x ANY>]>\n<j:web-app xmlns:j="urn:j"/>', "web-app"),
        ("<Context/>".encode("utf-16"), "Context"),
        (b"not xml at all", None),
        (b"<?xml version='1.0'?>", None),
    ],
    ids=["properties", "element", "bom-comment", "doctype-prefix", "utf16", "text", "no-root"],
)
def test_sniff_root(data: bytes, root: str | None) -> None:
    assert sniff_root(data) == root
