"""XML key/value configurations and the safe XML parser every XML loader uses.

Two key/value shapes are read: Java properties XML (``<properties><entry key="k">v</entry>``,
what ``Properties.loadFromXML`` reads) and element-per-key XML (leaf elements under the
root, nested elements giving dotted keys). The parser never touches the network, never
loads a DTD and never expands entities; a document declaring entities is refused.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from tcommlint.loaders.generic.properties import KeyValueDocument
from tcommlint.loaders.generic.suppressions import find_xml_suppressions
from tcommlint.model import Entry, ParseError, ReadError
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

if TYPE_CHECKING:
    from tcommlint.loaders.generic.xmltree import XmlElement

_TAG_REST = LazyPattern(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ENCODING = LazyPattern(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SNIFF_LIMIT = 65536


def parse_xml(path: str, data: bytes) -> tuple[XmlElement | None, ParseError | None]:
    """Parse ``data`` safely: the root element, or a ParseError with line and column."""
    return XmlSource(path, data).parse()


def decode_xml(data: bytes) -> str:
    """The document as text (BOM, usable declared encoding, else UTF-8), line ends as ``\\n``."""
    return _one_line_end(_reading(data).text)


def _one_line_end(text: str) -> str:
    """XML's line-end rule: ``\\r\\n`` and a lone ``\\r`` read as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Reading(NamedTuple):
    """How a document's bytes are read: the one decision of its encoding."""

    codec: str  # the declared encoding as written, or UTF-16 / UTF-8
    body: bytes  # the bytes decoded
    text: str  # decoded, a replacement character for each invalid sequence
    unusable: bytes  # the declaration naming an encoding not usable here, else b""


def _reading(data: bytes) -> _Reading:
    """A byte order mark's encoding, else a usable declared encoding, else UTF-8 (the XML
    default). A UTF-8 mark wins over the declaration, as the XML spec's appendix F says.

    A declared encoding is unusable when Python does not know it, when it is not a text
    encoding (``bytes.decode`` refuses ``zlib_codec``, ``base64``, ``rot13`` before decoding
    anything), when it fails whatever the error handler (``idna``, ``undefined``), or when
    it misreads the declaration's own bytes (``utf-16``, EBCDIC). The text is then read as
    UTF-8, to place columns and find comments, and the document itself is refused with one
    parse error at the declaration (``_encoding_problem``).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Reading("UTF-16", data, _text(data, "utf-16"), b"")
    if data.startswith(b"\xef\xbb\xbf"):
        return _Reading("UTF-8", data[3:], _text(data[3:], "utf-8"), b"")
    match = _ENCODING.match(data)
    if match is not None:
        encoding, declaration = match.group(1).decode("ascii"), match.group(0)
        try:
            if declaration.decode(encoding) == declaration.decode("latin-1"):
                return _Reading(encoding, data, _text(data, encoding), b"")
        except (LookupError, UnicodeError):
            pass
    unusable = match.group(0) if match is not None else b""
    return _Reading("UTF-8", data, _text(data, "utf-8"), unusable)


def _text(body: bytes, codec: str) -> str:
    """``body`` decoded, a replacement character for each invalid sequence, no leading BOM."""
    return body.decode(codec, errors="replace").removeprefix("\ufeff")


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
    """The text of an XML document (line ends as ``\\n``), parsed with positions.

    expat gives each start tag's line and column; the columns of an attribute's value and of
    where an element's content starts are found in that start tag's text.
    """

    __slots__ = ("_line_starts", "_reading", "path", "text")

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self._reading = _reading(data)
        self.text = _one_line_end(self._reading.text)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def parse(self) -> tuple[XmlElement | None, ParseError | None]:
        """The root element, or a ParseError with line and column (safe: see xmltree)."""
        from tcommlint.loaders.generic.xmltree import parse

        problem = _encoding_problem(self._reading)
        if problem is not None:
            offset, reason = problem
            return None, ParseError(self.span(offset), reason)
        try:
            return parse(self.text), None
        except ReadError as error:
            return None, error.parse_error(self.path)

    def span(self, offset: int) -> Span:
        """The 1-based line and column of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return Span(self.path, line, offset - self._line_starts[line - 1] + 1)

    def start_tag(self, element: XmlElement) -> int:
        """Offset of the ``<`` of the element's start tag."""
        return self._line_starts[element.line - 1] + element.column - 1

    def content_start(self, tag_offset: int) -> int:
        """Offset right after the ``>`` (or ``/>``) that ends the start tag at ``tag_offset``."""
        match = _TAG_REST.match(self.text, tag_offset + 1)
        return match.end() if match else tag_offset

    def attribute_value(self, tag_offset: int, name: str) -> int:
        """Offset of the first character of attribute ``name``'s value in that start tag."""
        end = self.content_start(tag_offset)
        pattern = re.compile(r"\s" + re.escape(name) + r"""\s*=\s*["']""")
        match = pattern.search(self.text, tag_offset, end)
        return match.end() if match else tag_offset


def _declared(declaration: bytes) -> str:
    """The encoding an XML declaration (``_ENCODING``'s match) names."""
    match = _ENCODING.match(declaration)
    return match.group(1).decode("ascii") if match is not None else ""


def _encoding_problem(reading: _Reading) -> tuple[int, str] | None:
    """Why a document cannot be read as text: the offset in its text (line ends as ``\\n``)
    and a reason.

    An encoding declared but unusable (``_reading``) is refused at the end of the
    declaration's encoding; bytes invalid in the encoding read, at the first of them.
    """
    if reading.unusable:
        declared = _declared(reading.unusable)
        return len(reading.unusable), _unusable(declared, reading.unusable)
    if "\ufffd" not in reading.text:
        return None  # every sequence was valid: nothing was replaced
    codec, body = reading.codec, reading.body
    try:
        body.decode(codec)
    except UnicodeDecodeError as error:
        before = body[: error.start].decode(codec, errors="replace").removeprefix("\ufeff")
        offset = len(_one_line_end(before))
        bad = " ".join(f"0x{byte:02X}" for byte in body[error.start : error.end][:4])
        return offset, f"bytes not valid in the document's encoding {codec}: {bad}"
    return None


def _unusable(encoding: str, declaration: bytes) -> str:
    """Why a declared encoding is not used (``_reading``)."""
    try:
        misread = declaration.decode(encoding) != declaration.decode("latin-1")
    except UnicodeDecodeError:  # utf-16, utf-32: the ASCII declaration is not even whole
        misread = True
    except (LookupError, UnicodeError):
        misread = False
    if misread:
        return f"encoding {encoding} does not fit: the declaration naming it is not written in it"
    return f"unsupported encoding: {encoding}"


def parse_keyvalue_xml(path: str, data: bytes) -> KeyValueDocument:
    """Read a Java properties XML or an element-per-key XML file."""
    source = XmlSource(path, data)
    root, error = source.parse()
    suppressions = find_xml_suppressions(path, source.text)
    if root is None:
        return KeyValueDocument((), suppressions, error)
    if root.local == "properties":
        entries = _java_properties_entries(source, root)
    else:
        entries = _element_entries(source, root, "")
    return KeyValueDocument(tuple(entries), suppressions, None)


def _java_properties_entries(source: XmlSource, root: XmlElement) -> list[Entry]:
    """``<entry key="k">v</entry>`` elements, as ``Properties.loadFromXML`` reads them."""
    entries: list[Entry] = []
    for element in root.iter():
        key = element.get("key")
        if element.local != "entry" or key is None:
            continue
        tag = source.start_tag(element)
        key_span = source.span(source.attribute_value(tag, "key"))
        value_span = source.span(source.content_start(tag))
        entries.append(Entry(Located(key, key_span), Located(element.text(), value_span)))
    return entries


def _element_entries(source: XmlSource, parent: XmlElement, prefix: str) -> list[Entry]:
    """Leaf elements below ``parent`` as dotted keys, in document order."""
    entries: list[Entry] = []
    for element in parent:
        tag = source.start_tag(element)
        key = f"{prefix}{element.local}"
        if element.children:
            entries.extend(_element_entries(source, element, key + "."))
            continue
        key_span = source.span(tag + 1)
        value_span = source.span(source.content_start(tag))
        entries.append(Entry(Located(key, key_span), Located(element.text(), value_span)))
    return entries
