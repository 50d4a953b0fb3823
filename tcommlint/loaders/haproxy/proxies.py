"""HAProxy proxies with their effective settings after ``defaults`` inheritance.

Every frontend/backend/listen starts from the last ``defaults`` section before it, or the
one named with ``from``; a ``defaults`` section resets to the built-in defaults unless it
uses ``from`` itself. Statements inside ``.if`` blocks are not evaluated: a setting keeps
every statement that may be the effective one (a later statement only overrides an
earlier one when it runs whenever the earlier one does). Branches the reader decided are
already resolved: only undecidable ones are recorded on statements.
"""

from __future__ import annotations

from typing import TypeVar

from tcommlint.loaders.haproxy.reader import Block, Section, Statement, Word
from tcommlint.model import ParseError
from tcommlint.records import NamedTuple
from tcommlint.source import Located, Span

INHERITED_OPTIONS = frozenset({"allbackups", "persist", "redispatch"})
_SINGLE_KEYWORDS = frozenset(
    {"mode", "balance", "cookie", "default_backend", "hash-type", "dynamic-cookie-key"}
)
T = TypeVar("T")


class Origin(NamedTuple):
    """A statement that sets a setting, and the ``defaults`` section it comes from."""

    statement: Statement
    defaults: Section | None  # None: the proxy's own statement


Settings = dict[str, tuple[Origin, ...]]


class Proxy(NamedTuple):
    """A frontend, backend or listen section with its effective inheritable settings."""

    section: Section
    settings: Settings  # key -> every statement that may be the effective one, in order
    defaults: Section | None = None  # the defaults section it inherits from

    @property
    def name(self) -> str:
        """The proxy name."""
        return self.section.name or ""

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The proxy's own statements."""
        return self.section.statements

    def header(self, path: str) -> Span:
        """The span of the section header."""
        return self.section.header.span(path)

    def origins(self, key: str) -> tuple[Origin, ...]:
        """The statements that may set ``key`` (empty: the built-in default)."""
        return self.settings.get(key, ())

    def mode(self) -> str:
        """The effective ``mode`` (HAProxy's built-in default is tcp)."""
        origins = self.origins("mode")
        if not origins or not origins[-1].statement.args:
            return "tcp"
        return origins[-1].statement.args[0]


# Every proxy of a file, and the errors of its ``from`` references: resolved once per set of
# sections and shared by the compiler and the refusals.
Resolved = tuple[list[Proxy], list[ParseError]]


def setting_key(statement: Statement) -> str | None:
    """The inheritable setting a statement sets, if any."""
    keyword, args = statement.keyword, statement.args
    if keyword in _SINGLE_KEYWORDS or keyword == "default-server":
        return keyword
    if keyword == "option" and args and args[0] in INHERITED_OPTIONS:
        return f"option {args[0]}"
    if keyword == "no" and len(args) >= 2 and args[0] == "option" and args[1] in INHERITED_OPTIONS:
        return f"option {args[1]}"
    return None


def _always_with(later: tuple[Block, ...], earlier: tuple[Block, ...]) -> bool:
    """Whether a statement in ``later`` blocks runs whenever one in ``earlier`` blocks does."""
    return earlier[: len(later)] == later


def _apply(settings: Settings, statement: Statement, defaults: Section | None) -> None:
    key = setting_key(statement)
    if key is None:
        return
    origin = Origin(statement, defaults)
    kept = settings.get(key, ())
    if key != "default-server":  # default-server lines accumulate, the others replace
        kept = tuple(o for o in kept if not _always_with(statement.blocks, o.statement.blocks))
    settings[key] = (*kept, origin)


def resolve_proxies(path: str, sections: tuple[Section, ...]) -> Resolved:
    """Every frontend/backend/listen with its effective settings; errors for bad ``from``."""
    proxies: list[Proxy] = []
    errors: list[ParseError] = []
    named: dict[str, tuple[Settings, Section]] = {}
    last: Settings = {}
    last_section: Section | None = None
    for section in sections:
        if section.kind not in ("defaults", "frontend", "backend", "listen"):
            continue
        base = {} if section.kind == "defaults" else last
        parent = None if section.kind == "defaults" else last_section
        if section.from_name is not None:
            found = named.get(section.from_name.text)
            if found is None:
                errors.append(_missing_defaults(path, section.from_name))
            base = found[0] if found else {}
            parent = found[1] if found else None
        settings = dict(base)
        own_defaults = section if section.kind == "defaults" else None
        for statement in section.statements:
            _apply(settings, statement, own_defaults)
        if section.kind == "defaults":
            last, last_section = settings, section
            if section.name:
                named[section.name] = (settings, section)
        else:
            proxies.append(Proxy(section, settings, parent))
    return proxies, errors


def _missing_defaults(path: str, word: Word) -> ParseError:
    return ParseError(
        Span(path, word.line, word.column),
        f"no defaults section named '{word.text}' is defined before this 'from'",
    )


def describe_defaults(section: Section) -> str:
    """``defaults 'name' at line N`` or ``defaults at line N``."""
    named = f" '{section.name}'" if section.name else ""
    return f"defaults{named} at line {section.header.line}"


def inherited_note(origin: Origin) -> str:
    """The note for a value a proxy inherits; "" for the proxy's own statement."""
    if origin.defaults is None:
        return ""
    return (
        f"inherited from {describe_defaults(origin.defaults)} "
        f"('{origin.statement.keyword}' at line {origin.statement.line})"
    )


def located(
    path: str, proxy: Proxy, origin: Origin, value: T, word: Word | None = None
) -> Located[T]:
    """A value set by ``origin``: its own span, or the proxy header when inherited."""
    if origin.defaults is not None:
        return Located(value, proxy.header(path), True, inherited_note(origin))
    if word is not None:
        return Located(value, Span(path, word.line, word.column))
    return Located(value, origin.statement.span(path))


def block_notes(statement: Statement) -> tuple[str, ...]:
    """A note when the statement sits inside ``.if`` blocks."""
    if not statement.blocks:
        return ()
    lines = ", ".join(str(block.line) for block in statement.blocks)
    plural = "s" if len(statement.blocks) > 1 else ""
    return (f"line {statement.line} is inside .if at line{plural} {lines}; every branch analysed",)


def block_condition(*statements: Statement) -> str:
    """What must hold for every statement to run ("" when they run unconditionally)."""
    parts: list[str] = []
    for statement in statements:
        parts.extend(b.condition for b in statement.blocks if b.condition not in parts)
    return " and ".join(part for part in parts if part)


def env_notes(words: tuple[Word, ...]) -> tuple[str, ...]:
    """A note for each word that holds an unresolved environment variable."""
    return tuple(
        f"line {word.line}: '{word.text}' uses {', '.join(word.env)}: environment variable "
        "not resolved"
        for word in words
        if word.env
    )
