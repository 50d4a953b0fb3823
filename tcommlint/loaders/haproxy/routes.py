"""HAProxy ``acl`` definitions and ``use_backend`` rules resolved to neutral ``Route`` facts.

Path criteria map to match kinds (``path_beg`` → prefix, ``path`` → exact, ``path_dir`` →
dir, ``path_reg`` → regex, or ``path -m beg|str|dir|reg``); anything else is ``other``
with the raw ACL text as its value. A condition is an OR of AND-ed terms: each OR branch
becomes routes from its first path term; the other AND-ed terms are named in a note.
"""

from __future__ import annotations

from typing import NamedTuple

from tcommlint.loaders.haproxy.proxies import Proxy, block_notes
from tcommlint.loaders.haproxy.reader import Statement
from tcommlint.model import Route
from tcommlint.source import Span

_PATH_CRITERIA = {"path_beg": "prefix", "path": "exact", "path_dir": "dir", "path_reg": "regex"}
_PATH_METHODS = {"beg": "prefix", "str": "exact", "dir": "dir", "reg": "regex"}
_FLAGS_WITH_VALUE = frozenset({"-f", "-m", "-u"})


class Acl(NamedTuple):
    """One ACL definition (a named ``acl`` line or an inline ``{ … }`` block)."""

    match: str  # "prefix", "exact", "dir", "regex", "other"
    values: tuple[str, ...]
    case_sensitive: bool
    raw: str


class Term(NamedTuple):
    """One term of a condition: ``[!]name`` or ``[!]{ criterion values }``."""

    negated: bool
    name: str  # the ACL name, or the inline text
    inline: Acl | None


def parse_acl(words: list[str]) -> Acl:
    """Parse ``<criterion> [flags] <values…>``."""
    criterion, i = (words[0] if words else ""), 1
    case_sensitive, method, from_file = True, "", False
    while i < len(words) and words[i].startswith("-"):
        flag = words[i]
        i += 1
        if flag == "--":
            break
        if flag == "-i":
            case_sensitive = False
        elif flag in _FLAGS_WITH_VALUE and i < len(words):
            method = words[i] if flag == "-m" else method
            from_file = from_file or flag == "-f"
            i += 1
    match = _PATH_CRITERIA.get(criterion, "other") if not method else "other"
    if method and criterion == "path":
        match = _PATH_METHODS.get(method, "other")
    raw = " ".join(words)
    if match == "other" or from_file:
        return Acl("other", (raw,), case_sensitive, raw)
    return Acl(match, tuple(words[i:]), case_sensitive, raw)


def proxy_acls(proxy: Proxy) -> dict[str, list[Acl]]:
    """Named ACLs of a proxy; several lines with one name are OR-ed."""
    acls: dict[str, list[Acl]] = {}
    for statement in proxy.statements:
        if statement.keyword == "acl" and len(statement.args) >= 2:
            acls.setdefault(statement.args[0], []).append(parse_acl(list(statement.args[1:])))
    return acls


def parse_condition(words: list[str]) -> list[list[Term]]:
    """Split a condition into OR branches of AND-ed terms."""
    branches: list[list[Term]] = [[]]
    negated, i = False, 0
    while i < len(words):
        word = words[i]
        i += 1
        if word in ("||", "or"):
            branches.append([])
            continue
        while word.startswith("!"):
            negated, word = not negated, word[1:]
        if not word:
            continue
        if word == "{":
            end = words.index("}", i) if "}" in words[i:] else len(words)
            inner = words[i:end]
            branches[-1].append(Term(negated, "{ " + " ".join(inner) + " }", parse_acl(inner)))
            i = end + 1
        else:
            branches[-1].append(Term(negated, word, None))
        negated = False
    return [branch for branch in branches if branch]


def service_routes(path: str, proxy: Proxy) -> tuple[list[Route], list[str]]:
    """The proxy's ``use_backend`` rules in order, and notes on what is approximated."""
    acls = proxy_acls(proxy)
    routes: list[Route] = []
    notes: list[str] = []
    for statement in proxy.statements:
        if statement.keyword == "use_backend" and statement.args:
            found, found_notes = _use_backend(path, statement, acls)
            routes.extend(found)
            notes.extend(found_notes)
            notes.extend(block_notes(statement))
    return routes, notes


def _use_backend(
    path: str, statement: Statement, acls: dict[str, list[Acl]]
) -> tuple[list[Route], list[str]]:
    pool, rest = statement.args[0], list(statement.args[1:])
    span = statement.span(path)
    notes: list[str] = []
    if "%[" in pool:
        notes.append(f"line {statement.line}: use_backend {pool} picks the backend dynamically")
    if len(rest) < 2 or rest[0] not in ("if", "unless"):
        return [Route(pool, span, "always", (), via="acl")], notes
    unless = rest[0] == "unless"
    branches = parse_condition(rest[1:])
    if unless and (len(branches) > 1 or any(len(b) > 1 for b in branches)):
        notes.append(f"line {statement.line}: 'unless' with several terms is approximated")
    routes: list[Route] = []
    for branch in branches:
        path_terms = [t for t in branch if any(a.match != "other" for a in _resolve(t, acls))]
        if not path_terms:
            text = " ".join(("!" if t.negated else "") + t.name for t in branch)
            routes.append(Route(pool, span, "other", (text,), negate=unless, via="acl"))
            continue
        term = path_terms[0]
        routes.extend(_term_routes(pool, span, term, acls, negate=unless != term.negated))
        others = [("!" if t.negated else "") + t.name for t in branch if t is not term]
        if others:
            notes.append(
                f"line {statement.line}: use_backend {pool} also requires {' '.join(others)}; "
                f"only {term.name} is modelled"
            )
    return routes, notes


def _resolve(term: Term, acls: dict[str, list[Acl]]) -> list[Acl]:
    if term.inline is not None:
        return [term.inline]
    return acls.get(term.name, [])


def _term_routes(
    pool: str, span: Span, term: Term, acls: dict[str, list[Acl]], negate: bool
) -> list[Route]:
    """One route per ACL definition of the term (definitions of one name are OR-ed)."""
    return [
        Route(pool, span, acl.match, acl.values, acl.case_sensitive, negate, "acl")
        for acl in _resolve(term, acls)
    ]
