"""XML key/value configurations and the safe XML parser every XML loader uses.

Two key/value shapes are read: Java properties XML (``<properties><entry key="k">v</entry>``,
what ``Properties.loadFromXML`` reads) and element-per-key XML (leaf elements under the
root, nested elements giving dotted keys). The parser never touches the network, never
loads a DTD and never expands entities; a document declaring entities is refused.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

from tcommlint.loaders.generic.properties import KeyValueDocument
from tcommlint.loaders.generic.suppressions import find_xml_suppressions
from tcommlint.model import Entry, ParseError
from tcommlint.patterns import LazyPattern
from tcommlint.source import Located, Span

if TYPE_CHECKING:
    from lxml.etree import XMLParser, _Element

_MASK_OPENER = LazyPattern(r"<!--|<!\[CDATA\[|<\?")
_MASK_CLOSER = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>"}
_TAG_REST = LazyPattern(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ENCODING = LazyPattern(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SNIFF_LIMIT = 65536


def safe_parser() -> XMLParser:
    """An lxml parser with no network, no DTD loading, no entity expansion, no huge trees."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(path: str, data: bytes) -> tuple[_Element | None, ParseError | None]:
    """Parse ``data`` safely: the root element, or a ParseError with line and column."""
    from lxml import etree

    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (1, 1)
        # libxml2 quotes the offending text, which may span lines: its first line is the reason
        reason = ((exc.msg or "").split(", line ")[0].splitlines() or ["not well-formed XML"])[0]
        return None, ParseError(Span(path, max(line, 1), max(column, 1)), reason)
    if root is None:
        return None, ParseError(Span(path, 1, 1), "Document is empty")
    dtd: Any = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        names = [entity.name for entity in dtd.iterentities()]
        if names:
            line = decode_xml(data)[: _doctype_offset(data)].count("\n") + 1
            reason = f"the document declares XML entities ({', '.join(names[:3])}); refused"
            return None, ParseError(Span(path, line, 1), reason)
    return root, None


def _doctype_offset(data: bytes) -> int:
    """Character offset of ``<!DOCTYPE`` in the decoded document (0 if absent)."""
    return max(decode_xml(data).find("<!DOCTYPE"), 0)


def decode_xml(data: bytes) -> str:
    """The document as text (BOM, usable declared encoding, else UTF-8), line ends as ``\\n``."""
    return _decoded(data).replace("\r\n", "\n").replace("\r", "\n")


def _decoded(data: bytes) -> str:
    """The document as text, line ends as written."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        # A UTF-8 byte order mark wins over the declaration, as it does for lxml.
        declared = None if data.startswith(b"\xef\xbb\xbf") else _decode_declared(data)
        text = data.decode("utf-8", errors="replace") if declared is None else declared
    return text.removeprefix("\ufeff")


def _decode_declared(data: bytes) -> str | None:
    """``data`` decoded with the encoding its XML declaration names, or ``None``.

    ``None`` when nothing is declared or the encoding is unusable here: unknown to Python,
    not a text encoding (``bytes.decode`` refuses ``zlib_codec``, ``base64``, ``rot13``
    before decoding anything), failing whatever the error handler (``idna``,
    ``undefined``), or misreading the declaration's own bytes (``utf-16``, EBCDIC). The
    text is then read as UTF-8, the XML default: it only places columns and finds
    comments, and lxml, parsing the same bytes, reports such an encoding itself as a parse
    error at the declaration ("Unsupported encoding: idna"). For the few it knows and
    Python does not (VISCII), columns after non-ASCII text can be off.
    """
    match = _ENCODING.match(data)
    if match is None:
        return None
    encoding = match.group(1).decode("ascii")
    declaration = match.group(0)
    try:
        if declaration.decode(encoding) != declaration.decode("latin-1"):
            return None
        return data.decode(encoding, errors="replace")
    except (LookupError, UnicodeError):
        return None


def sniff_root(data: bytes) -> str | None:
    """The local name of the root element, read cheaply from the start of ``data``."""
    text = decode_xml(data[:_SNIFF_LIMIT])
    index = 0
    while True:
        index = text.find("<", index)
        if index < 0:
            return None
        if text.startswith(("<?", "<!--"), index):
            end = text.find("?>" if text[index + 1] == "?" else "-->", index)
            if end < 0:
                return None
            index = end + 2
            continue
        if text.startswith("<!", index):
            index = _skip_declaration(text, index)
            if index < 0:
                return None
            continue
        match = re.match(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)", text[index:])
        return match.group(1).rsplit(":", 1)[-1] if match else None


def _skip_declaration(text: str, index: int) -> int:
    """The offset after a ``<!DOCTYPE ...>`` (with an internal subset) or -1."""
    close = text.find(">", index)
    bracket = text.find("[", index)
    if 0 <= bracket < close:
        end = text.find("]", bracket)
        close = text.find(">", end) if end >= 0 else -1
    return close + 1 if close >= 0 else -1


class XmlSource:
    """The text of an XML document, to find columns lxml does not report.

    lxml gives an element's line (that of the ``>`` ending its start tag); the start tag is
    found by searching forward, in document order, for ``<name`` with comments, CDATA and
    processing instructions masked out.
    """

    __slots__ = ("_cursor", "_line_starts", "_masked", "_sourcelines_agree", "path", "text")

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        decoded = _decoded(data)
        self.text = decoded.replace("\r\n", "\n").replace("\r", "\n")
        # libxml2 does not count a "\r" alone as a line end: its sourceline cannot then be
        # compared with these lines (which do, as XML's own line-end rule says).
        self._sourcelines_agree = "\r" not in decoded.replace("\r\n", "")
        self._masked = _mask(self.text)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self._cursor = 0

    def span(self, offset: int) -> Span:
        """The 1-based line and column of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return Span(self.path, line, offset - self._line_starts[line - 1] + 1)

    def start_tag(self, element: _Element) -> int:
        """Offset of the ``<`` of the element's start tag (elements in document order)."""
        name = _source_name(element)
        pattern = re.compile("<" + re.escape(name) + r"(?=[\s/>])")
        match = pattern.search(self._masked, self._cursor)
        line = element.sourceline if isinstance(element.sourceline, int) else 1
        if match is None or (self._sourcelines_agree and self.span(match.start()).line > line):
            offset = self._line_starts[min(line, len(self._line_starts)) - 1]
            match = pattern.search(self._masked, offset)
            if match is None:
                return offset
        self._cursor = match.end()
        return match.start()

    def tag_offsets(self, root: _Element) -> dict[_Element, int]:
        """Start-tag offsets of every element under (and including) ``root``."""
        return {
            element: self.start_tag(element)
            for element in root.iter()
            if isinstance(element.tag, str)
        }

    def content_start(self, tag_offset: int) -> int:
        """Offset right after the ``>`` (or ``/>``) that ends the start tag at ``tag_offset``."""
        match = _TAG_REST.match(self._masked, tag_offset + 1)
        return match.end() if match else tag_offset

    def attribute_value(self, tag_offset: int, name: str) -> int:
        """Offset of the first character of attribute ``name``'s value in that start tag."""
        end = self.content_start(tag_offset)
        pattern = re.compile(r"\s" + re.escape(name) + r"""\s*=\s*["']""")
        match = pattern.search(self._masked, tag_offset, end)
        return match.end() if match else tag_offset


def _mask(text: str) -> str:
    """``text`` with comments, CDATA sections and processing instructions blanked out.

    A closer missing after one opener is missing after every later one of its kind, so
    those are skipped at once: searching for it again from each of thousands of unclosed
    ``<!--`` (as a lazy regex does) is quadratic.
    """
    chunks: list[str] = []
    done = 0
    unclosed: set[str] = set()
    opener = _MASK_OPENER.search(text)
    while opener is not None:
        closer = _MASK_CLOSER[opener.group()]
        end = -1 if closer in unclosed else text.find(closer, opener.end())
        if end < 0:
            unclosed.add(closer)
            opener = _MASK_OPENER.search(text, opener.end())
            continue
        end += len(closer)
        chunks += (text[done : opener.start()], _blank(text[opener.start() : end]))
        done = end
        opener = _MASK_OPENER.search(text, end)
    chunks.append(text[done:])
    return "".join(chunks)


def _blank(text: str) -> str:
    """Same-length filler keeping newlines, so offsets stay valid."""
    return re.sub(r"[^\n]", " ", text)


def _source_name(element: _Element) -> str:
    """The element name as written in the source (prefix included)."""
    from lxml import etree

    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def local_name(element: _Element) -> str:
    """An element's name without namespace (comments and PIs give "")."""
    from lxml import etree

    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def element_text(element: _Element) -> str:
    """All text inside an element, as DOM ``getTextContent`` gives it (no comments)."""
    return "".join(text for text in element.itertext() if isinstance(text, str))


def parse_keyvalue_xml(path: str, data: bytes) -> KeyValueDocument:
    """Read a Java properties XML or an element-per-key XML file."""
    root, error = parse_xml(path, data)
    source = XmlSource(path, data)
    suppressions = find_xml_suppressions(path, source.text)
    if root is None:
        return KeyValueDocument((), suppressions, error)
    if local_name(root) == "properties":
        entries = _java_properties_entries(source, root)
    else:
        source.start_tag(root)
        entries = _element_entries(source, root, "")
    return KeyValueDocument(tuple(entries), suppressions, None)


def _java_properties_entries(source: XmlSource, root: _Element) -> list[Entry]:
    """``<entry key="k">v</entry>`` elements, as ``Properties.loadFromXML`` reads them."""
    entries: list[Entry] = []
    for element in root.iter():
        if local_name(element) not in ("properties", "comment", "entry"):
            continue
        tag = source.start_tag(element)
        key = element.get("key")
        if local_name(element) != "entry" or key is None:
            continue
        key_span = source.span(source.attribute_value(tag, "key"))
        value_span = source.span(source.content_start(tag))
        entries.append(Entry(Located(key, key_span), Located(element_text(element), value_span)))
    return entries


def _element_entries(source: XmlSource, parent: _Element, prefix: str) -> list[Entry]:
    """Leaf elements below ``parent`` as dotted keys, in document order."""
    entries: list[Entry] = []
    for element in parent:
        name = local_name(element)
        if not name:
            continue
        tag = source.start_tag(element)
        key = f"{prefix}{name}"
        if any(local_name(child) for child in element):
            entries.extend(_element_entries(source, element, key + "."))
            continue
        key_span = source.span(tag + 1)
        value_span = source.span(source.content_start(tag))
        entries.append(Entry(Located(key, key_span), Located(element_text(element), value_span)))
    return entries
