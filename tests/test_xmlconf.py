"""XML key/value files: Java properties XML, element-per-key XML, and parser safety."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from tcommlint.loaders.generic.xmlconf import (
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
    ("data", "at", "reason"),
    [
        # at the offending end tag's '<' (libxml2 gave the column after its '>')
        (
            b"<config>\n  <a>1</b>\n</config>",
            (2, 7),
            "end tag </b> does not match <a> opened at line 2",
        ),
        (b"", (1, 1), "no root element: the document is empty"),
        (b" \n ", (2, 2), "no root element: the document is empty"),
        (b"<?xml version='1.0'?>\n<!-- x -->\n", (3, 1), "no root element"),
        (b"<config>\n<a>", (2, 4), "document ends inside <a> opened at line 2"),
        (
            b"<config>\n  <a>\n  <c/>\n  </b>\n</config>",
            (4, 3),
            "end tag </b> does not match <a> opened at line 2",
        ),
        (b"<a/>\n<b/>", (2, 1), "a second root element after <a> (a document has one)"),
        (b"<a/>junk", (1, 5), "text after the root element <a> ended"),
        (b"<a></a></a>", (1, 8), "end tag after the root element <a> ended"),
        (b"hello", (1, 1), "text before the root element (a document starts with a tag)"),
        (b"<a b=c/>", (1, 6), "an attribute value must be quoted"),
        (b'<a b="1" b="2"/>', (1, 10), "attribute b is written twice in this tag"),
        (b"<a>&foo;</a>", (1, 4), "undefined entity &foo; (no DTD is read)"),
        (b"<a>a & b</a>", (1, 6), "'&' that starts no entity reference (write &amp;)"),
        (b'<a b="<"/>', (1, 7), "'<' where no tag may start (write &lt;)"),
        (b"<a>&#0;</a>", (1, 4), "reference to an invalid character: &#0;"),
        (b"<a>\x01</a>", (1, 4), "not well-formed (invalid token): '\\x01'"),
        (b"\x01<a/>", (1, 1), "not well-formed (invalid token): '\\x01'"),
        (b"</a>", (1, 1), "end tag </a> closes no open element"),
        (b"<a><!-- x</a>", (1, 4), "comment <!-- is never closed by -->"),
        (b"<config><a b='1", (1, 9), "tag <a is never closed by >"),
        (b"<x:a/>", (1, 1), "namespace prefix 'x' of x:a is not declared"),
        (b'<a xmlns:y="u"><b z:k="1"/></a>', (1, 16), "namespace prefix 'z' of z:k of <b>"),
        (b"<a>\n  caf\xe9</a>", (2, 6), "bytes not valid in the document's encoding UTF-8: 0xE9"),
        (b"<a>" * 257 + b"</a>" * 257, (1, 769), "elements nested deeper than 256 levels"),
        # expat's own message where the builder knows no better
        (b'\n<?xml version="1.0"?><a/>', (2, 1), "XML or text declaration not at start"),
    ],
    ids=[
        "mismatched-tag",
        "empty",
        "blank",
        "comment-only",
        "truncated",
        "mismatch-far",
        "two-roots",
        "text-after-root",
        "end-tag-after-root",
        "text-only",
        "unquoted-attribute",
        "duplicate-attribute",
        "undefined-entity",
        "bare-ampersand",
        "lt-in-attribute",
        "bad-char-ref",
        "control-char",
        "control-char-first",
        "end-tag-first",
        "unclosed-comment",
        "unclosed-tag",
        "unbound-prefix",
        "unbound-attribute-prefix",
        "invalid-utf8",
        "too-deep",
        "late-declaration",
    ],
)
def test_malformed_xml_is_a_parse_error(data: bytes, at: tuple[int, int], reason: str) -> None:
    document = parse_keyvalue_xml("cfg.xml", data)
    assert document.entries == ()
    assert document.error is not None
    assert (document.error.span.line, document.error.span.column) == at
    assert document.error.reason.startswith(reason)
    assert "\n" not in document.error.reason


def test_namespace_prefixes_declared_on_an_ancestor_are_in_scope() -> None:
    data = b'<c:config xmlns:c="urn:x"><c:a xml:lang="en">1</c:a></c:config><!-- c:b -->'
    assert _rows(data) == [("a", "1", 1, 28, 1, 46)]


def test_an_unusable_or_misread_encoding_says_which() -> None:
    unknown = parse_keyvalue_xml("x.xml", DECLARED.format("no-such-codec").encode())
    misread = parse_keyvalue_xml("x.xml", DECLARED.format("utf-16").encode())
    assert unknown.error is not None and misread.error is not None
    assert unknown.error.reason == "unsupported encoding: no-such-codec"
    assert misread.error.reason.startswith("encoding utf-16 does not fit")


def test_bytes_invalid_in_a_declared_encoding_are_refused_where_they_are() -> None:
    data = '<?xml version="1.0" encoding="ascii"?>\n<a>\xe9</a>'.encode("latin-1")
    document = parse_keyvalue_xml("x.xml", data)
    assert document.error is not None
    assert document.error.span == Span("x.xml", 2, 4)
    assert document.error.reason == "bytes not valid in the document's encoding ascii: 0xE9"


def test_attribute_defaults_of_an_internal_subset_are_not_applied() -> None:
    data = b'<!DOCTYPE p [<!ATTLIST entry key CDATA "k">]>\n<properties><entry>v</entry>'
    assert _rows(data + b"</properties>") == []


def test_text_content_joins_text_and_cdata_without_comments() -> None:
    root, error = parse_xml("x.xml", b"<a>1<!-- 2 --><b>3<?p 4?></b><![CDATA[<5>]]>&amp;</a>")
    assert error is None and root is not None
    assert root.text() == "13<5>&"
    assert [element.name for element in root.iter()] == ["a", "b"]


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
def test_billion_laughs_in_an_attribute_default_is_refused_quickly() -> None:
    """expat expands an ATTLIST default inside the DTD: refused at the first entity."""
    bomb = BILLION_LAUGHS.replace(b"]>", b' <!ATTLIST properties a CDATA "&lol9;">\n]>')
    started = time.perf_counter()
    document = parse_keyvalue_xml("bomb.xml", bomb)
    assert time.perf_counter() - started < 0.05
    assert document.error is not None
    assert document.error.span == Span("bomb.xml", 2, 1)
    assert document.error.reason == "the document declares XML entities (lol, lol1, lol2); refused"


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
        text = root.text()
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
