"""A small positioned XML element tree, read with Python's expat (``xml.parsers.expat``).

expat is a C module that imports in well under a millisecond (lxml's import costs a cold
run about 12 ms). The tree keeps what the loaders read: each element's name as written,
its attributes in document order, its children, its text content, and where its start
tag's ``<`` is. Reading is safe: no DTD is loaded, no external entity is resolved, and a
document declaring any entity is refused when its DOCTYPE ends, before any reference to
one can be expanded.
"""

from __future__ import annotations

from collections.abc import Iterator

from tcommlint.model import ReadError
from tcommlint.patterns import LazyPattern

MAX_DEPTH = 256  # libxml2's limit without XML_PARSE_HUGE: deeper documents are refused
_END_TAG = LazyPattern(r"</([^\s>]*)")
_ENTITY_REF = LazyPattern(r"&[^\s;&<]*;?")


class XmlElement:
    """One element: ``name`` as written (prefix included), ``local`` without prefix,
    ``attributes`` as written in document order, ``children`` (elements only), and the
    1-based ``line`` and ``column`` of its start tag's ``<``."""

    __slots__ = ("_chunks", "_first", "_last", "attributes", "children", "column", "line", "name")

    def __init__(
        self, name: str, attributes: dict[str, str], line: int, column: int, chunks: list[str]
    ) -> None:
        self.name = name
        self.attributes = attributes
        self.children: list[XmlElement] = []
        self.line = line
        self.column = column
        self._chunks = chunks
        self._first = len(chunks)
        self._last = self._first

    @property
    def local(self) -> str:
        """The name without its namespace prefix."""
        return self.name.rpartition(":")[2]

    def get(self, name: str) -> str | None:
        """The value of the attribute written ``name``, or ``None``."""
        return self.attributes.get(name)

    def __iter__(self) -> Iterator[XmlElement]:
        return iter(self.children)

    def iter(self) -> Iterator[XmlElement]:
        """This element and every element under it, in document order."""
        stack = [self]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))

    def text(self) -> str:
        """The text content, as DOM ``getTextContent``: text and CDATA, no comments or PIs."""
        return "".join(self._chunks[self._first : self._last])


def parse(text: str) -> XmlElement:
    """The root element of ``text`` (line ends already ``\\n``), or raise ReadError."""
    return _Builder(text).run()


class _Builder:
    """Builds the tree from expat's events and turns its errors into readable reasons."""

    def __init__(self, text: str) -> None:
        from xml.parsers import expat

        self.text = text
        self.chunks: list[str] = []
        self.stack: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.doctype_line = 1
        self.prefixes: dict[str, int] = {"xml": 1}
        self.parser = parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.ordered_attributes = True
        parser.specified_attributes = True  # no defaults from an ATTLIST, as lxml read
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chunks.append
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity

    def run(self) -> XmlElement:
        from xml.parsers import expat

        try:
            self.parser.Parse(self.text, True)
        except expat.ExpatError:
            raise self._explained() from None
        if self.root is None:  # expat reports this itself; kept for the type checker
            raise ReadError(1, 1, "no root element")
        return self.root

    def start(self, name: str, flat: list[str]) -> None:
        parser = self.parser
        line, column = parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        if len(self.stack) >= MAX_DEPTH:
            raise ReadError(line, column, f"elements nested deeper than {MAX_DEPTH} levels")
        attributes = dict(zip(flat[::2], flat[1::2], strict=True))
        element = XmlElement(name, attributes, line, column, self.chunks)
        self._bind(element)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, name: str) -> None:
        element = self.stack.pop()
        element._last = len(self.chunks)
        for attribute in element.attributes:
            if attribute.startswith("xmlns:"):
                self.prefixes[attribute[6:]] -= 1

    def _bind(self, element: XmlElement) -> None:
        """Count the prefixes ``element`` declares; refuse a prefix declared nowhere in scope,
        as a namespace-aware reader (lxml, Tomcat's digester) does."""
        for attribute in element.attributes:
            if attribute.startswith("xmlns:"):
                prefix = attribute[6:]
                self.prefixes[prefix] = self.prefixes.get(prefix, 0) + 1
        for name in (element.name, *element.attributes):
            prefix, colon, _ = name.partition(":")
            if colon and prefix != "xmlns" and not self.prefixes.get(prefix):
                where = "" if name == element.name else f" of <{element.name}>"
                reason = f"namespace prefix {prefix!r} of {name}{where} is not declared"
                raise ReadError(element.line, element.column, reason)

    def doctype(self, *args: object) -> None:
        self.doctype_line = self.parser.CurrentLineNumber

    def entity(self, name: str, *args: object) -> None:
        """Refuse at the first declaration, before an ATTLIST default can expand one; the
        reason names it and up to two more declared after it (found in the text)."""
        parser = self.parser
        at = self._offset(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        names = [name]
        for later in _ENTITY_DECL.finditer(self.text, at + 1):
            if len(names) == 3 or self.text.find("]>", at, later.start()) >= 0:
                break
            names.append(later.group(1))
        reason = f"the document declares XML entities ({', '.join(names)}); refused"
        raise ReadError(self.doctype_line, 1, reason)

    def _explained(self) -> ReadError:
        """expat's error at its position, with a clearer reason where this builder knows more."""
        from xml.parsers.expat import errors

        parser = self.parser
        message = errors.messages[parser.ErrorCode]
        line, column = parser.ErrorLineNumber, parser.ErrorColumnNumber + 1
        offset = self._offset(line, column)
        stepped = offset > 0 and self.text[offset - 1] in "&<"
        if message == errors.XML_ERROR_INVALID_TOKEN and stepped:
            offset, column = offset - 1, column - 1  # expat points past a bare '&' or '<'
        at, reason = self._reason(message, offset)
        return ReadError(line, column + at - offset, reason or _MESSAGES.get(message, message))

    def _reason(self, message: str, offset: int) -> tuple[int, str | None]:
        """The offending token's offset and a reason for expat's ``message`` there."""
        from xml.parsers.expat import errors

        if message == errors.XML_ERROR_NO_ELEMENTS:
            if not self.stack:
                empty = not self.text.strip()
                return offset, "no root element: the document is empty" if empty else None
            open_ = self.stack[-1]
            return offset, f"document ends inside <{open_.name}> opened at line {open_.line}"
        if message == errors.XML_ERROR_TAG_MISMATCH:
            start = max(self.text.rfind("</", 0, offset + 1), 0)
            found = _END_TAG.match(self.text, start)
            written = f"</{found.group(1)}>" if found else "the end tag"
            open_ = self.stack[-1]
            opened = f"<{open_.name}> opened at line {open_.line}"
            return start, f"end tag {written} does not match {opened}"
        if self.root is not None and not self.stack:
            return offset, self._after_root(offset)
        if message == errors.XML_ERROR_SYNTAX and not self.text.startswith("<", offset):
            return offset, "text before the root element (a document starts with a tag)"
        return offset, _token_reason(message, self.text, offset)

    def _after_root(self, offset: int) -> str | None:
        """What follows the root element's end: a second element, an end tag, or text."""
        root = self.root.name if self.root is not None else ""
        if self.text.startswith("</", offset):
            return f"end tag after the root element <{root}> ended"
        if self.text.startswith(("<!", "<?"), offset):
            return None
        if self.text.startswith("<", offset):
            return f"a second root element after <{root}> (a document has one)"
        return f"text after the root element <{root}> ended"

    def _offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and column."""
        start = 0
        for _ in range(line - 1):
            start = self.text.find("\n", start) + 1
        return start + column - 1


_UNCLOSED = (
    ("<!--", "comment <!-- is never closed by -->"),
    ("<![CDATA[", "CDATA section is never closed by ]]>"),
    ("<?", "processing instruction <? is never closed by ?>"),
    ("<!", "declaration <! is never closed by >"),
)
_MESSAGES = {"no element found": "no root element"}  # expat's wording where it is unclear
_ENTITY_DECL = LazyPattern(r"<!ENTITY\s+(?:%\s+)?([^\s\"'>]+)")
_CHAR_REF = LazyPattern(r"&#[^;<\s]*;?")
_NAME = LazyPattern(r"[^\s=/>\"']+")


def _token_reason(message: str, text: str, offset: int) -> str | None:
    """A reason naming the token expat stopped at, for the errors where that helps."""
    from xml.parsers.expat import errors

    if message == errors.XML_ERROR_UNCLOSED_TOKEN:
        return _unclosed(text, offset)
    if message == errors.XML_ERROR_DUPLICATE_ATTRIBUTE:
        name = _NAME.match(text, offset)
        return f"attribute {name.group() if name else '?'} is written twice in this tag"
    if message == errors.XML_ERROR_UNDEFINED_ENTITY:
        found = _ENTITY_REF.match(text, offset)
        return f"undefined entity {found.group()} (no DTD is read)" if found else None
    if message == errors.XML_ERROR_BAD_CHAR_REF:
        found = _CHAR_REF.match(text, offset)
        return f"reference to an invalid character: {found.group()}" if found else None
    if message != errors.XML_ERROR_INVALID_TOKEN or offset >= len(text):
        return None
    char = text[offset]
    if char == "&":
        return "'&' that starts no entity reference (write &amp;)"
    if text.startswith("</", offset):
        found = _END_TAG.match(text, offset)
        return f"end tag {found.group() if found else '</'}> closes no open element"
    if char == "<":
        return "'<' where no tag may start (write &lt;)"
    if text[:offset].rstrip().endswith("="):
        return "an attribute value must be quoted"
    return f"not well-formed (invalid token): {char!r}"


def _unclosed(text: str, offset: int) -> str:
    """The reason for a token the document ends inside."""
    for opener, reason in _UNCLOSED:
        if text.startswith(opener, offset):
            return reason
    end = "/" if text.startswith("</", offset) else ""
    name = _NAME.match(text, offset + 1 + len(end))
    return f"tag <{end}{name.group() if name else ''} is never closed by >"
