"""One nginx configuration as nginx reads it: includes spliced in, every directive checked
against the directive table in its context, as ``ngx_conf_parse``/``ngx_conf_handler`` do.

``include`` paths that are relative are resolved against the directory of the main (top-level)
file, nginx's configuration prefix for ``nginx -c <file>``; wildcards are expanded in sorted
order and may match nothing, a plain path must exist (``open() … failed``). A file included
from outside the deployment is not read: that is noted. A file whose top level holds only
``http``-level directives (``server``, ``upstream``, ``map``…) is a fragment meant to be
included inside ``http``; one holding ``location``/``listen`` is a ``server``-level fragment.
A fragment's main file is unknown, so a dynamic or third-party module may be loaded there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.duplicates import BlockFields
from tcommlint.loaders.nginx.reader import MAX_DEPTH, Directive, read_nginx
from tcommlint.loaders.nginx.table import Definition, arguments_fit, definitions
from tcommlint.loaders.nginx.values import value_error
from tcommlint.memo import IdentityMemo
from tcommlint.model import ParseError, ReadError
from tcommlint.records import NamedTuple
from tcommlint.source import Span

MAX_INCLUDE_DEPTH = 16
# Files nginx's packages ship next to nginx.conf: a deployment that keeps only its own files
# may leave them out, and they hold nothing that concerns sessions.
STANDARD_FILES = frozenset(
    {
        "mime.types",
        "fastcgi_params",
        "fastcgi.conf",
        "scgi_params",
        "uwsgi_params",
        "koi-utf",
        "koi-win",
        "win-utf",
        "proxy_params",
    }
)

# Blocks whose contents are not directives (a map's pairs, a types list…): nginx hands them
# to the module's own handler.
RAW_BLOCKS = frozenset({"map", "geo", "split_clients", "types", "charset_map", "match"})

_CHILD_CONTEXT = {
    ("events", "main"): "events",
    ("http", "main"): "http",
    ("stream", "main"): "stream",
    ("mail", "main"): "mail",
    ("server", "http"): "server",
    ("server", "stream"): "stream-server",
    ("server", "mail"): "mail-server",
    ("upstream", "http"): "upstream",
    ("upstream", "stream"): "stream-upstream",
    ("location", "server"): "location",
    ("location", "location"): "location",
    ("if", "server"): "if-server",
    ("if", "location"): "if-location",
    ("limit_except", "location"): "limit_except",
}


class Node(NamedTuple):
    """A directive in its context, with its block's directives (includes spliced in)."""

    directive: Directive
    context: str
    children: tuple[Node, ...]
    plus: bool = False  # an NGINX Plus directive
    foreign: bool = False  # a directive of a third-party module (load_module)

    @property
    def name(self) -> str:
        """The directive's name."""
        return self.directive.name.text

    @property
    def args(self) -> tuple[str, ...]:
        """The arguments' texts."""
        return self.directive.values

    def all(self, name: str) -> list[Node]:
        """The child directives of that name, in order."""
        return [child for child in self.children if child.name == name]


class Tree(NamedTuple):
    """One main file read with its includes."""

    path: str
    context: str  # "main", or "http"/"server" for a fragment
    nodes: tuple[Node, ...]
    errors: tuple[ParseError, ...]
    notes: tuple[str, ...]
    files: tuple[str, ...]  # the files read, the main one first
    plus: bool = False  # read as NGINX Plus reads it (the manifest's ``nginx_plus: true``)
    modules: frozenset[str] | None = None  # what load_module loads (None: unknown)


# Open-source nginx refuses NGINX Plus's directives and parameters with its usual words; this
# hint follows them (docs/nginx.md, "NGINX Plus").
PLUS_HINT = "NGINX Plus only: set `nginx_plus: true` in tcommlint.yaml if this runs on NGINX Plus"


def plus_only(reason: str) -> str:
    """nginx's refusal of an NGINX Plus directive or parameter, with the hint."""
    return f"{reason} ({PLUS_HINT})"


class _Walk:
    def __init__(
        self, includes: Includes, prefix: Path, modules: frozenset[str] | None, plus: bool
    ) -> None:
        self.includes = includes
        self.plus = plus  # NGINX Plus: its directives exist
        self.prefix = prefix
        self.modules = modules  # None: unknown (any dynamic or third-party module may be loaded)
        self.errors: list[ParseError] = []
        self.notes: list[str] = []
        self.files: list[str] = []
        self.stack: list[Path] = []
        self.depth = 0  # blocks open, across included files
        self.fragment = False  # a file meant to be included: its main file is unknown
        self.fields = BlockFields()  # what each open block has set ("is duplicate")

    def error(self, directive: Directive, reason: str) -> None:
        line = directive.end_line
        column = directive.name.column if line == directive.name.line else 1
        self.errors.append(ParseError(Span(directive.path, line, column), reason))

    def nodes(self, directives: tuple[Directive, ...], context: str) -> tuple[Node, ...]:
        found: list[Node] = []
        for directive in directives:
            if context == "raw":
                found.append(Node(directive, context, ()))
            elif directive.name.text == "include":
                found.extend(self.include(directive, context))
            else:
                node = self.node(directive, context)
                if node is not None:
                    found.append(node)
        return tuple(found)

    def node(self, directive: Directive, context: str) -> Node | None:
        name = directive.name.text
        known = definitions().get(name, ())
        usable = [d for d in known if not d.load_module or self.loaded(d.load_module)]
        if not self.plus and any(d.plus for d in usable):
            open_source = [d for d in usable if not d.plus]
            # a third-party module that load_module names may define the name (a ``sticky``)
            if open_source or not self.foreign_modules():
                return self.refuse_plus(directive, context, open_source)
            usable = []
        if not usable:
            if self.modules is None or self.foreign_modules():
                self.notes.append(
                    f"{directive.span}: '{name}' belongs to a module nginx 1.22 does not "
                    "build in (loaded with load_module): not evaluated"
                )
                children = self.nodes(directive.block or (), "raw")
                return Node(directive, context, children, foreign=True)
            self.error(directive, f'unknown directive "{name}"')
            return None
        fitting = [d for d in usable if context in d.contexts or "any" in d.contexts]
        if not fitting:
            self.error(directive, f'"{name}" directive is not allowed here')
            return None
        return self.checked(directive, context, fitting[0])

    def checked(self, directive: Directive, context: str, definition: Definition) -> Node | None:
        """A known directive in a context that allows it: its shape, then its block."""
        name = directive.name.text
        if not self.shape_fits(directive, definition):
            return None
        # the handler tests its field before it reads the values
        refused = self.fields.refusal(name, definition.field)
        if refused is None:
            refused = value_error(name, definition, directive.values)
        if refused is not None:
            self.error(directive, refused)
            return None
        if definition.plus:
            self.notes.append(f"{directive.span}: '{name}' is an NGINX Plus directive")
        child_context = "raw" if name in RAW_BLOCKS else _CHILD_CONTEXT.get((name, context), "")
        if name.endswith("_by_lua_block"):
            child_context = "raw"
        if directive.block and self.depth >= MAX_DEPTH:
            self.error(directive, f"more than {MAX_DEPTH} nested blocks")
            return None
        self.depth += 1
        self.fields.enter()
        try:
            children = self.nodes(directive.block or (), child_context or context)
        finally:
            self.fields.leave()
            self.depth -= 1
        return Node(directive, context, children, plus=definition.plus)

    def refuse_plus(
        self, directive: Directive, context: str, open_source: list[Definition]
    ) -> Node | None:
        """An NGINX Plus directive on open-source nginx: unknown, or (when open-source nginx
        has it elsewhere, as ``resolver`` outside ``upstream``) not allowed here."""
        name = directive.name.text
        if not open_source:
            self.error(directive, plus_only(f'unknown directive "{name}"'))
            return None
        fitting = [d for d in open_source if context in d.contexts or "any" in d.contexts]
        if fitting:
            return self.checked(directive, context, fitting[0])
        self.error(directive, plus_only(f'"{name}" directive is not allowed here'))
        return None

    def shape_fits(self, directive: Directive, definition: Definition) -> bool:
        """Block or ``;`` and the number of arguments (``ngx_conf_handler``); the values are
        the slot's (``values.value_error``)."""
        name = directive.name.text
        block = "block" in definition.args
        if block and directive.block is None:
            self.error(directive, f'directive "{name}" has no opening "{{"')
            return False
        if not block and directive.block is not None:
            self.error(directive, f'directive "{name}" is not terminated by ";"')
            return False
        if not arguments_fit(definition, len(directive.args)):
            self.error(directive, f'invalid number of arguments in "{name}" directive')
            return False
        return True

    def loaded(self, shared: str) -> bool:
        return self.modules is None or shared in self.modules

    def foreign_modules(self) -> bool:
        """Whether a load_module names a module that is not one of Debian's."""
        known = {d.load_module for entries in definitions().values() for d in entries}
        return any(module not in known for module in self.modules or ())

    def include(self, directive: Directive, context: str) -> list[Node]:
        if len(directive.args) != 1:
            self.error(directive, 'invalid number of arguments in "include" directive')
            return []
        pattern = directive.args[0].text
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            self.error(directive, f"includes nested more than {MAX_INCLUDE_DEPTH} deep")
            return []
        wild = any(mark in pattern for mark in "*?[")
        paths, copy = include_targets(pattern, self.prefix, self.includes)
        if paths is None:
            self.notes.append(
                f"{directive.span}: include {pattern} is outside the deployment: not read"
            )
            return []
        if copy:
            self.notes.append(f"{directive.span}: include {pattern} read from {copy}")
        nodes: list[Node] = []
        for path in paths:
            nodes.extend(self.file(directive, path.resolve(), context, wild))
        return nodes

    def file(self, directive: Directive, path: Path, context: str, wild: bool) -> list[Node]:
        if path in self.stack:
            self.error(directive, f'include cycle: "{directive.args[0].text}" includes itself')
            return []
        included = self.includes.read(path)
        if included.text is None:
            if not path.exists() and (self.fragment or path.name in STANDARD_FILES):
                self.notes.append(
                    f"{directive.span}: include {directive.args[0].text} is not in the "
                    "deployment (a file nginx ships, or one next to the unknown main file): "
                    "not read"
                )
                return []
            if not wild or included.problem != "outside the deployment":
                reason = included.problem
                if not path.exists():
                    reason = "2: No such file or directory"
                self.error(directive, f'open() "{path}" failed ({reason})')
            return []
        self.files.append(included.display)
        try:
            directives = read_nginx(included.display, included.text)
        except ReadError as error:
            self.errors.append(error.parse_error(included.display))
            return []
        self.stack.append(path)
        try:
            return list(self.nodes(directives, context))
        finally:
            self.stack.pop()


def effective(levels: Sequence[Node], name: str) -> list[Node]:
    """An array-type directive's values (``proxy_set_header``, ``add_header``…): those of the
    innermost level that has any; an inner level with none inherits the outer level's."""
    for level in reversed(levels):
        found = named_children(level, name)
        if found:
            return found
    return []


_SCANNED = 16  # a block of at most this many directives is scanned


def named_children(node: Node, name: str) -> list[Node]:
    """``node.all(name)``, in time independent of the size of the block once it is indexed."""
    if len(node.children) <= _SCANNED:
        return node.all(name)
    return list(_by_name(node).get(name, ()))


def _index(node: Node) -> dict[str, list[Node]]:
    index: dict[str, list[Node]] = {}
    for child in node.children:
        index.setdefault(child.name, []).append(child)
    return index


# Blocks of many directives indexed by name, each once: every location of a server asks the
# server's level for its directives, and a scan of a server of thousands of locations for
# each of them would grow with the square of their number.
_by_name: IdentityMemo[Node, dict[str, list[Node]]] = IdentityMemo(_index, most=256)


def fragment_context(directives: tuple[Directive, ...]) -> str:
    """The context a file is meant for, by its top-level directives."""
    table = definitions()
    names = {d.name.text for d in directives} - {"include"}
    contexts = [set().union(*(e.contexts for e in table.get(n, ()))) for n in names]
    if any("main" in c and "http" not in c for c in contexts if c):
        return "main"
    if any("server" in c and "http" not in c for c in contexts if c):
        return "server"
    if any("location" in c and "server" not in c and "http" not in c for c in contexts if c):
        return "location"
    if any("upstream" in c and "http" not in c and "server" not in c for c in contexts if c):
        return "upstream"
    return "http" if directives else "main"


def load_modules(directives: tuple[Directive, ...]) -> frozenset[str] | None:
    """The shared objects ``load_module`` lines name; None when an include that may hold more
    of them is not read (Debian's ``include /etc/nginx/modules-enabled/*.conf``)."""
    found: set[str] = set()
    for directive in directives:
        name = directive.name.text
        if name == "load_module" and directive.args:
            found.add(directive.args[0].text.rsplit("/", 1)[-1])
        if name == "include" and directive.args and "module" in directive.args[0].text:
            return None
    return frozenset(found)


def uses_plus(directives: tuple[Directive, ...]) -> bool:
    """Whether a file uses an NGINX Plus directive: it is meant for NGINX Plus, whose build
    has the stream module and others built in."""
    table = definitions()
    pending = list(directives)
    while pending:
        directive = pending.pop()
        pending.extend(directive.block or ())
        entries = table.get(directive.name.text, ())
        if entries and all(entry.plus for entry in entries):
            return True
    return False


def read_tree(
    path: str,
    text: str,
    directives: tuple[Directive, ...],
    includes: Includes,
    plus: bool = False,
) -> Tree:
    """The main file ``path`` (already read into ``directives``) with everything it includes,
    read by open-source nginx or, with ``plus``, by NGINX Plus."""
    context = fragment_context(directives)
    plus_build = plus and uses_plus(directives)
    modules = load_modules(directives) if context == "main" and not plus_build else None
    main = includes.path_of(path)
    walk = _Walk(includes, main.parent, modules, plus)
    walk.fragment = context != "main"
    walk.stack.append(main)
    nodes = walk.nodes(directives, context)
    files = (path, *walk.files)
    errors, notes = tuple(walk.errors), tuple(walk.notes)
    return Tree(path, context, nodes, errors, notes, files, plus, modules)


def include_targets(
    pattern: str, prefix: Path, includes: Includes
) -> tuple[list[Path] | None, str]:
    """The files an ``include`` names (a plain path even when missing), and the deployment's
    copy they were read from when the pattern is an absolute path outside the deployment: a
    deployment holds ``/etc/nginx`` as the main file's folder, so ``/etc/nginx/sites-enabled/*``
    is read as ``<folder>/sites-enabled/*`` when that exists. None when nothing inside it fits."""
    wild = any(mark in pattern for mark in "*?[")
    target = Path(pattern) if pattern.startswith("/") else prefix / pattern
    paths = includes.glob(target) if wild else [target]
    if paths is not None and (wild or includes.inside(target.parent)):
        return paths, ""
    if not pattern.startswith("/"):
        return None, ""
    parts = Path(pattern).parts[1:]
    # a wildcard keeps its folder (``conf.d/*.conf``, not ``*.conf`` beside the main file)
    for start in range(1, len(parts) - (1 if wild else 0)):
        candidate = prefix.joinpath(*parts[start:])
        found = includes.glob(candidate) if wild else [candidate]
        if found and (wild or candidate.is_file()) and includes.inside(candidate.parent):
            return found, str(candidate.relative_to(prefix))
    return None, ""


def included_paths(path: str, directives: tuple[Directive, ...], includes: Includes) -> set[Path]:
    """The files a file's own ``include`` lines name (resolved against its directory)."""
    prefix = includes.path_of(path).parent
    found: set[Path] = set()
    pending = list(directives)
    while pending:
        directive = pending.pop()
        pending.extend(directive.block or ())
        if directive.name.text != "include" or len(directive.args) != 1:
            continue
        paths, _ = include_targets(directive.args[0].text, prefix, includes)
        found.update(p.resolve() for p in paths or ())
    found.discard(includes.path_of(path))  # a file that includes itself is refused, not hidden
    return found
