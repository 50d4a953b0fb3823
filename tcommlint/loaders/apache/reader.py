"""httpd.conf syntax with positions: directives, ``<Section>`` containers, includes, defines.

As httpd 2.4 reads a configuration (``server/util.c`` ``ap_cfg_getline``, ``ap_getword_conf``;
``server/config.c`` ``ap_build_config``): a line ending in a backslash continues on the next
one (a comment too); a line whose first non-blank character is ``#`` is a comment (a ``#``
later on a line is an argument); an argument in double or single quotes may hold blanks
(``\\"`` inside is a quote); ``${VAR}`` is replaced by a ``Define`` made earlier (left as it is,
with httpd's warning, when undefined). ``<IfModule>``, ``<IfDefine>``, ``<IfVersion>``,
``<IfDirective>``, ``<IfSection>`` and ``<IfFile>`` are decided while reading, as httpd does;
``Include``/``IncludeOptional`` read their files in place, inside the deployment only.
Everything is bounded: a file is read once per include, at most ``Includes.MAX_INCLUDED``
files, nesting at most ``MAX_DEPTH`` sections deep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tcommlint.model import ParseError
from tcommlint.records import NamedTuple
from tcommlint.source import Span

if TYPE_CHECKING:
    from tcommlint.includes import Includes

MAX_DEPTH = 64
MAX_EXPANDED = 100_000  # lines of macro bodies read in place, per configuration
HTTPD_VERSION = (2, 4, 62)  # Debian's 2.4: what <IfVersion> compares with
# Modules compiled into Debian's apache2 (``apache2 -l``): always present.
STATIC_MODULES = frozenset(
    {"core", "so", "watchdog", "http", "log_config", "logio", "version", "unixd"}
)
CONDITIONALS = frozenset(
    {"ifmodule", "ifdefine", "ifversion", "ifdirective", "ifsection", "iffile"}
)
_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_:.-]+)\}")


class Word(NamedTuple):
    """One argument, unquoted, with the position of its first character."""

    text: str
    span: Span


class Node(NamedTuple):
    """A directive, or a section (``children`` not None) with its arguments."""

    name: str  # as written, without ``<``
    args: tuple[Word, ...]
    span: Span
    raw: str  # the argument text as written (RAW_ARGS directives read it)
    children: tuple[Node, ...] | None = None
    defines: tuple[tuple[str, str], ...] = ()  # the Defines in force here (for Use/macros)

    @property
    def key(self) -> str:
        """The lower-cased name."""
        return self.name.lower()

    def values(self) -> list[str]:
        """The arguments' texts."""
        return [word.text for word in self.args]


class ReadResult(NamedTuple):
    """A configuration read: its top-level nodes, errors (TC001) and notes."""

    nodes: tuple[Node, ...]
    errors: tuple[ParseError, ...]
    notes: tuple[str, ...]
    full: bool  # LoadModule lines seen: the loaded modules are known
    modules: frozenset[str]
    files: tuple[str, ...]  # display paths read, the top file first


class _Line(NamedTuple):
    text: str  # the logical line, stripped
    span: Span
    columns: tuple[tuple[int, int, int], ...]  # (offset in text, line, column)

    def span_at(self, offset: int) -> Span:
        line, column = self.span.line, self.span.column
        for start, at_line, at_column in self.columns:
            if start > offset:
                break
            line, column = at_line, at_column + offset - start
        return Span(self.span.path, line, column)


def logical_lines(path: str, text: str) -> Iterator[_Line]:
    """The file's logical lines (continuations joined), comments and blank lines left out."""
    physical = text.split("\n")
    index = 0
    while index < len(physical):
        pieces: list[tuple[str, int, int]] = []
        while True:
            raw = physical[index].rstrip("\r")
            number = index + 1
            index += 1
            continued = raw.endswith("\\") and index < len(physical)
            body = raw[:-1] if continued else raw
            if not pieces:
                stripped = body.lstrip()
                pieces.append((stripped, number, len(body) - len(stripped) + 1))
            else:
                pieces.append((body, number, 1))
            if not continued:
                break
        joined = ""
        columns: list[tuple[int, int, int]] = []
        for body, number, column in pieces:
            columns.append((len(joined), number, column))
            joined += body
        joined = joined.rstrip()
        if not joined or joined.startswith("#"):
            continue
        first = columns[0]
        yield _Line(joined, Span(path, first[1], first[2]), tuple(columns))


def split_words(line: _Line, start: int) -> list[Word]:
    """``ap_getword_conf`` over the line from ``start``: blank-separated words, quotes removed."""
    text = line.text
    words: list[Word] = []
    index = start
    length = len(text)
    while True:
        while index < length and text[index] in " \t\f\v":
            index += 1
        if index >= length:
            return words
        begin = index
        quote = text[index]
        if quote in "\"'":
            index += 1
            chars: list[str] = []
            while index < length and text[index] != quote:
                if text[index] == "\\" and index + 1 < length and text[index + 1] == quote:
                    index += 1
                chars.append(text[index])
                index += 1
            index += 1  # the closing quote (an unterminated one runs to the end)
            words.append(Word("".join(chars), line.span_at(begin + 1)))
        else:
            while index < length and text[index] not in " \t\f\v":
                index += 1
            words.append(Word(text[begin:index], line.span_at(begin)))


class _Frame(NamedTuple):
    name: str
    span: Span
    args: tuple[Word, ...]
    raw: str
    children: list[Node]
    active: bool  # False inside a conditional section that does not hold
    macro: bool = False  # inside a <Macro> body: kept as written, expanded by Use
    lines: list[_Line] | None = None  # a <Macro>'s body, line by line


class Reader:
    """Reads one top file and what it includes into a tree of nodes."""

    def __init__(self, includes: Includes | None, full: bool, defines: dict[str, str]) -> None:
        self.includes = includes
        self.full = full
        self.defines = dict(defines)
        self.modules: set[str] = set(STATIC_MODULES)
        self.errors: list[ParseError] = []
        self.unterminated: list[ParseError] = []  # sections whose line lacks ">"
        self.notes: list[str] = []
        self.files: list[str] = []
        self.server_root: str = ""
        self.base: Path | None = None  # where relative include paths are looked for
        self.depth = 0
        self.macros: dict[str, tuple[tuple[Word, ...], list[_Line]]] = {}
        self.expanding: list[str] = []  # the macros being expanded (recursion is refused)
        self.expanded_lines = 0

    def read(self, path: str, text: str) -> ReadResult:
        """Read the top file ``path`` (display path) with its includes."""
        if self.includes is not None:
            self.base = self.includes.path_of(path).parent
        nodes = self._file(path, text, ())
        return ReadResult(
            tuple(nodes),
            tuple(self.errors or self.unterminated),
            tuple(dict.fromkeys(self.notes)),
            self.full,
            frozenset(self.modules),
            tuple(self.files),
        )

    # -- one file

    def _file(self, path: str, text: str, parents: tuple[str, ...]) -> list[Node]:
        self.files.append(path)
        root = _Frame("", Span(path, 1, 1), (), "", [], True)
        stack = [root]
        for line in logical_lines(path, text):
            if not self._line(line, stack, parents):
                return root.children
        if len(stack) > 1:
            open_frame = stack[-1]
            self.errors.append(ParseError(open_frame.span, f"<{open_frame.name}> was not closed."))
        return root.children

    def _line(self, line: _Line, stack: list[_Frame], parents: tuple[str, ...]) -> bool:
        """One logical line; False when httpd would stop reading the file here."""
        body = next((frame for frame in stack if frame.lines is not None), None)
        if body is not None and not self._closes_macro(line, stack):
            body.lines.append(line)  # type: ignore[union-attr]
        if line.text.startswith("</"):
            # httpd goes on past the first closing tag of a line: "</VirtualHost>
            # </IfModule>" closes both (certbot's two-blocks-one-line test, apache2 -t).
            closings = [w for w in line.text.split() if w.startswith("</")]
            return all(self._close(line, stack, word) for word in closings)
        if line.text.startswith("<"):
            return self._open(line, stack)
        frame = stack[-1]
        if frame.active and not frame.macro:
            self._directive(line, frame, stack, parents)
        return True

    def _closes_macro(self, line: _Line, stack: list[_Frame]) -> bool:
        words = line.text.split()
        return (
            len([frame for frame in stack if frame.macro]) == 1
            and bool(words)
            and words[0].lower().rstrip(">") == "</macro"
        )

    def _open(self, line: _Line, stack: list[_Frame]) -> bool:
        text = line.text
        if not text.endswith(">"):
            # httpd pairs sections first: an unclosed "<?php" is "<?php> was not closed.";
            # a closed section without ">" is the section's own error.
            name = split_words(line, 0)[0].text
            self.unterminated.append(
                ParseError(line.span, f"{name}> directive missing closing '>'")
            )
            text += ">"
            line = line._replace(text=text)
        if len(stack) > MAX_DEPTH:
            self.errors.append(ParseError(line.span, f"sections nested more than {MAX_DEPTH} deep"))
            return False
        inner = _Line(text[:-1].rstrip(), line.span, line.columns)
        words = split_words(inner, 1)
        name = words[0].text if words else ""
        args = tuple(self._expanded(word) for word in words[1:])
        raw = inner.text[1 + len(name) :].strip()
        parent = stack[-1]
        macro = parent.macro or (parent.active and name.lower() == "macro")
        active = parent.active and not macro
        if active and name.lower() in CONDITIONALS:
            active = self._holds(name.lower(), args, line)
        lines: list[_Line] | None = [] if macro and not parent.macro else None
        stack.append(_Frame(name, line.span, args, raw, [], active, macro, lines))
        return True

    def _close(self, line: _Line, stack: list[_Frame], word: str) -> bool:
        name = word[2:].rstrip(">")
        if len(stack) == 1:
            self.errors.append(
                ParseError(line.span, f"</{name}> without matching <{name}> section")
            )
            return False
        frame = stack.pop()
        if frame.name.lower() != name.lower():
            self.errors.append(ParseError(line.span, f"Expected </{frame.name}> but saw </{name}>"))
            return False
        parent = stack[-1]
        if frame.lines is not None and frame.args:
            self.macros[frame.args[0].text.lower()] = (frame.args, frame.lines)
        if frame.name.lower() in CONDITIONALS and not frame.macro:
            if frame.active:
                parent.children.extend(frame.children)
            return True
        if parent.active or parent.macro:
            defines = tuple(self.defines.items()) if frame.name.lower() == "macro" else ()
            parent.children.append(
                Node(frame.name, frame.args, frame.span, frame.raw, tuple(frame.children), defines)
            )
        return True

    def _node(self, line: _Line) -> Node:
        words = split_words(line, 0)
        name = words[0].text
        raw = line.text[len(line.text) - len(line.text.lstrip()) :][len(name) :].strip()
        return Node(name, tuple(words[1:]), line.span, raw)

    def _expanded(self, word: Word) -> Word:
        if "${" not in word.text:
            return word
        return Word(_VARIABLE.sub(self._variable, word.text), word.span)

    def _variable(self, match: re.Match[str]) -> str:
        name = match.group(1)
        if name in self.defines:
            return self.defines[name]
        self.notes.append(f"Config variable ${{{name}}} is not defined (httpd leaves it as is)")
        return match.group(0)

    # -- directives read at read time

    def _directive(
        self, line: _Line, frame: _Frame, stack: list[_Frame], parents: tuple[str, ...]
    ) -> None:
        node = self._node(line)
        node = node._replace(args=tuple(self._expanded(word) for word in node.args))
        if "${" in node.raw:
            node = node._replace(raw=_VARIABLE.sub(self._variable, node.raw))
        key = node.key
        if key == "define" and node.args:
            name = node.args[0].text
            self.defines[name] = node.args[1].text if len(node.args) > 1 else ""
        elif key == "undefine" and node.args:
            self.defines.pop(node.args[0].text, None)
        elif key == "loadmodule" and len(node.args) == 2:
            self.modules.add(_module_name(node.args[0].text))
        elif key == "serverroot" and node.args:
            self.server_root = node.args[0].text
        elif key == "undefmacro" and node.args:
            self.macros.pop(node.args[0].text.lower(), None)
        elif key == "use":
            self._use(node, stack, parents)
            return
        elif key in ("include", "includeoptional") and node.args:
            frame.children.append(node)
            frame.children.extend(self._include(node, parents, len(stack)))
            return
        frame.children.append(node)

    def _use(self, node: Node, stack: list[_Frame], parents: tuple[str, ...]) -> None:
        """mod_macro's ``Use``: the macro's body, its parameters replaced, read in place."""
        if not self.macros:
            self.errors.append(ParseError(node.span, "no macro defined before Use"))
            return
        if not node.args:
            self.errors.append(ParseError(node.span, "no macro name specified in Use"))
            return
        name = node.args[0].text
        found = self.macros.get(name.lower())
        if found is None:
            self.errors.append(ParseError(node.span, f"macro '{name}' undefined"))
            return
        params, lines = found
        values = [word.text for word in node.args[1:]]
        names = [word.text for word in params[1:]]
        if len(values) != len(names):
            self.errors.append(
                ParseError(
                    node.span,
                    f"macro '{name}' (defined on line {params[0].span.line} of "
                    f'"{params[0].span.path}") used with {len(values)} arguments instead of '
                    f"{len(names)}",
                )
            )
            return
        if name.lower() in self.expanding:
            self.errors.append(ParseError(node.span, f"recursive use of macro '{name}' is invalid"))
            return
        self.expanded_lines += len(lines)
        if self.expanded_lines > MAX_EXPANDED:
            self.errors.append(
                ParseError(node.span, f"macros expand to more than {MAX_EXPANDED} lines")
            )
            return
        order = sorted(zip(names, values, strict=True), key=lambda pair: -len(pair[0]))
        self.expanding.append(name.lower())
        for line in lines:
            text = line.text
            for param, value in order:
                text = text.replace(param, value)
            self._line(line._replace(text=text), stack, parents)
        self.expanding.pop()

    def _holds(self, name: str, args: tuple[Word, ...], line: _Line) -> bool:
        if not args:
            return True
        text = args[0].text
        negate = text.startswith("!")
        text = text[1:] if negate else text
        if name == "ifmodule":
            module = _module_name(text)
            result = module in self.modules or not self.full
            if not self.full and negate:
                self.notes.append(
                    f"{line.span}: <IfModule !{text}> taken as false: a fragment's modules "
                    "are not known, they are assumed loaded"
                )
        elif name == "ifdefine":
            result = text in self.defines
        elif name == "ifversion":
            result = _version_holds([word.text for word in args])
            negate = False
        elif name in ("ifdirective", "ifsection"):
            from tcommlint.loaders.apache.directives import spec

            result = spec(("<" if name == "ifsection" else "") + text) is not None
        else:  # IfFile: whether the file exists is not known here
            result = True
        return result != negate

    def _include(self, node: Node, parents: tuple[str, ...], depth: int) -> list[Node]:
        optional = node.key == "includeoptional"
        pattern = node.args[0].text
        if self.includes is None or self.base is None:
            self.notes.append(f"{node.span}: {node.name} {pattern} not read")
            return []
        resolved = self._resolve(pattern)
        if resolved is None:
            self.notes.append(
                f"{node.span}: {node.name} {pattern}: outside the deployment, not read"
            )
            return []
        full = Path(resolved)
        if full.is_dir():
            full = full / "*"
        matches = self.includes.glob(full)
        if matches is None:
            self.notes.append(f"{node.span}: {node.name} {pattern}: outside the deployment")
            return []
        if not matches:
            if optional:
                return []
            # httpd refuses an Include of nothing (IncludeOptional is the tolerant one): the
            # deployment holds the server root, so what it does not hold httpd does not either.
            written = PurePosixPath(pattern)
            wild = any(mark in pattern for mark in "*?[")
            if not wild:
                reason = f"Could not open configuration file {pattern}: No such file or directory"
            elif not _fixed_part(full).is_dir():
                reason = (
                    f"Could not open config directory {_fixed_part_text(written)}: "
                    "No such file or directory"
                )
            else:
                reason = (
                    f"No matches for the wildcard '{written.name}' in '{written.parent}', failing"
                )
            self.errors.append(ParseError(node.span, reason))
            return []
        nodes: list[Node] = []
        for match in matches:
            included = self.includes.read(match)
            if included.text is None:
                self.errors.append(
                    ParseError(node.span, f"cannot read {included.display}: {included.problem}")
                )
                continue
            if included.display in parents or depth + len(parents) > MAX_DEPTH:
                self.errors.append(
                    ParseError(node.span, f"{node.name} of {included.display} loops back to it")
                )
                continue
            nodes.extend(self._file(included.display, included.text, (*parents, included.display)))
        return nodes

    def _resolve(self, pattern: str) -> str | None:
        """The include pattern as a path of this machine: relative to ServerRoot, which is
        taken to be the top file's folder (a deployment holds a copy of the server root)."""
        assert self.base is not None
        posix = PurePosixPath(pattern)
        if posix.is_absolute():
            root = self.server_root.rstrip("/")
            if root and pattern.startswith(root + "/"):
                return str(self.base / pattern[len(root) + 1 :])
            return None
        for base in (self.base, self.base.parent):
            candidate = base / pattern
            if _fixed_part(candidate).exists():
                return str(candidate)
        return str(self.base / pattern)


def _fixed_part(path: Path) -> Path:
    parts = path.parts
    fixed = Path(parts[0])
    for part in parts[1:]:
        if any(mark in part for mark in "*?["):
            break
        fixed /= part
    return fixed


def _fixed_part_text(path: PurePosixPath) -> str:
    parts = []
    for part in path.parts:
        if any(mark in part for mark in "*?["):
            break
        parts.append(part)
    return str(PurePosixPath(*parts)) if parts else "."


def _module_name(text: str) -> str:
    """``proxy_module`` and ``mod_proxy.c`` both name the module ``proxy``."""
    text = text.strip()
    if text.endswith(".c"):
        return text[:-2].removeprefix("mod_")
    return text.removesuffix("_module")


def _version_holds(args: list[str]) -> bool:
    operator, version = ("=", args[0]) if len(args) == 1 else (args[0], args[1])
    if (operator in ("~", "=") and version.startswith("/")) or operator == "~":
        return bool(re.search(version.strip("/"), ".".join(map(str, HTTPD_VERSION))))
    negate = operator.startswith("!")
    operator = operator.lstrip("!")
    wanted = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    have = HTTPD_VERSION[: len(wanted)]
    result = {
        "=": have == wanted,
        "==": have == wanted,
        ">": have > wanted,
        ">=": have >= wanted,
        "<": have < wanted,
        "<=": have <= wanted,
    }.get(operator, True)
    return result != negate


def read_config(
    path: str, text: str, includes: Includes | None, full: bool, defines: dict[str, str]
) -> ReadResult:
    """Read one top-level configuration file and everything it includes."""
    return Reader(includes, full, defines).read(path, text)
