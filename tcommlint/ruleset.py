"""Load rule files, validate them against ``schemas/rule.schema.json`` and compile their CEL."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from tcommlint import cache
from tcommlint.digest import sha256_hex
from tcommlint.errors import UsageError
from tcommlint.expr import Compiled, ExpressionError, Template, environment_signature
from tcommlint.inputs import MAX_FILE_BYTES, read_input
from tcommlint.patterns import LazyPattern
from tcommlint.records import NamedTuple
from tcommlint.resources import compiled_rules, rules_dir, schema
from tcommlint.yamlread import read_yaml, validate

T = TypeVar("T")


class Findings(NamedTuple):
    """A rule's expressions for each element its selector picks: where the finding is, its
    message and key, its severity, related locations and fix."""

    at: Compiled
    message: Template
    key: Template | None
    severity_when: Compiled | None
    related: Compiled | None
    fix_edits: Compiled | None
    fix_description: Template | None


class Rule:
    """A rule file, compiled: the data of the YAML plus ready-to-run expressions."""

    __slots__ = (
        "_facts_read",
        "_findings",
        "data",
        "facts",
        "fix_unsafe",
        "id",
        "lines",
        "log_signatures",
        "name",
        "path",
        "requires",
        "selector",
        "severity",
        "summary",
        "variable",
        "verified",
        "walked_fact",
    )

    def __init__(
        self,
        path: str,
        data: dict[str, Any],
        lines: dict[str, int],
        *,
        selector: str = "",
    ) -> None:
        self.path = path
        self.lines = lines
        self.data = data
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.severity: str = data["severity"]
        self.summary: str = data["summary"]
        self.requires: tuple[str, ...] = tuple(data.get("requires", ()))
        # What ``deployment`` is in the rule's CEL: a deployment's facts (``check``) or a live
        # probe's (``probe``, schemas/probe-facts.schema.json). Each command runs its own kind.
        self.facts: str = data.get("facts", "deployment")
        # Ids in rules/logs/signatures.yaml; checked when logs are read (tcommlint.logs).
        self.log_signatures: tuple[str, ...] = tuple(data.get("log_signatures", ()))
        self.variable: str = data.get("as", "item")
        # Compiled cleanly before (``selector`` is its program, from the rule cache or the
        # shipped artefact): its per-finding expressions compile when it first finds something.
        self.verified = bool(selector)
        self.selector = _selector(path, lines, data, self.variable, selector)
        fix = data.get("fix")
        self.fix_unsafe: bool = fix is not None and fix.get("safety") == "unsafe"
        self._facts_read: dict[bool, frozenset[str] | None] = {}
        # The fact the selector walks first, item by item (``deployment.entries.filter(…)``).
        walk = _WALK.match(self.selector.source)
        self.walked_fact: str = walk.group(1) if walk else ""
        self._findings: Findings | None = None
        if not self.verified:  # errors are reported when the rule file is read
            self.findings()

    def findings(self) -> Findings:
        """The expressions of each finding, compiled (lazily for a verified rule)."""
        if self._findings is None:
            self._findings = _findings(
                self.path, self.lines, self.data, self.variable, self.verified
            )
        return self._findings

    @property
    def docs(self) -> dict[str, Any]:
        """What it does, why it matters, the fix and references."""
        docs: dict[str, Any] = self.data["docs"]
        return docs

    @property
    def examples(self) -> dict[str, list[dict[str, Any]]]:
        """Fail and pass example deployments, run by the test suite."""
        examples: dict[str, list[dict[str, Any]]] = self.data["examples"]
        return examples

    def facts_read(self, *, with_selector: bool) -> frozenset[str] | None:
        """The facts the rule's expressions name (``deployment.app_path``), those of its
        per-finding expressions alone unless told, or None when one names ``deployment`` as a
        whole. The engine converts only these to CEL values: a conversion costs as much as the
        facts are large."""
        if with_selector not in self._facts_read:
            self._facts_read[with_selector] = _named_facts(self._sources(with_selector))
        return self._facts_read[with_selector]

    def _sources(self, with_selector: bool) -> list[str]:
        """The CEL text of the rule's expressions and message placeholders."""
        sources = [self.selector.source] if with_selector else []
        parts = self.findings()
        for field in (parts.at, parts.severity_when, parts.related, parts.fix_edits):
            if field is not None:
                sources.append(field.source)
        for template in (parts.message, parts.key, parts.fix_description):
            if template is not None:
                sources.extend(template.expressions)
        return sources

    def cache_entry(self) -> dict[str, Any]:
        """What the rule cache keeps of the rule (``from_cache_entry`` reads it back): its data,
        the serialized program of the selector every run evaluates, and the facts it reads."""
        return {
            "path": self.path,
            "data": self.data,
            "lines": self.lines,
            "selector": self.selector.serialized(),
            "facts_read": [_listed(self.facts_read(with_selector=s)) for s in (False, True)],
        }

    @classmethod
    def from_cache_entry(cls, entry: dict[str, Any]) -> Rule:
        """The rule of a ``cache_entry``: compiled cleanly before, so nothing is compiled now."""
        rule = cls(entry["path"], entry["data"], entry["lines"], selector=entry["selector"])
        for with_selector, names in zip((False, True), entry["facts_read"], strict=True):
            rule._facts_read[with_selector] = None if names is None else frozenset(names)
        return rule


def _listed(names: frozenset[str] | None) -> list[str] | None:
    return None if names is None else sorted(names)


def _findings(
    path: str, lines: dict[str, int], data: dict[str, Any], variable: str, verified: bool
) -> Findings:
    variables = ("deployment", variable)

    def expression(field: str, source: str | None) -> Compiled | None:
        if source is None:
            return None
        return _expression(path, lines, field, source, variables, verified)

    def template(field: str, source: str | None) -> Template | None:
        if source is None:
            return None
        return _template(path, lines, field, source, variables, verified)

    fix = data.get("fix") or {}
    return Findings(
        at=_expression(path, lines, "at", data["at"], variables, verified),
        message=_template(path, lines, "message", data["message"], variables, verified),
        key=template("key", data.get("key")),
        severity_when=expression("severity_when", data.get("severity_when")),
        related=expression("related", data.get("related")),
        fix_edits=expression("fix/edits", fix.get("edits")),
        fix_description=template("fix/description", fix.get("description")),
    )


_DEPLOYMENT = LazyPattern(r"\bdeployment\b(\s*\.\s*([A-Za-z_]\w*))?")
# A selector that starts with a comprehension over a fact that walks all of it (``filter``,
# ``map``), as ``deployment.entries.filter(e, ...)``: the fact is evaluated first, whatever
# follows, and the comprehension takes one iteration per item of the list (or key of the map).
# ``_selector`` wraps a selector, as in ``(deployment.entries.filter(...)).filter(...)``;
# parentheses around the fact alone, ``(deployment.parse_errors).filter(...)``, change nothing.
_WALK = re.compile(r"[\s(]*deployment\s*\.\s*([A-Za-z_]\w*)[\s)]*\.\s*(?:filter|map)\s*\(")


def _named_facts(sources: list[str]) -> frozenset[str] | None:
    """The facts ``sources`` name, or None when one names ``deployment`` as a whole."""
    names = set()
    for source in sources:
        for match in _DEPLOYMENT.finditer(source):
            if match.group(2) is None:
                return None
            names.add(match.group(2))
    return frozenset(names)


def _selector(
    path: str,
    lines: dict[str, int],
    data: dict[str, Any],
    variable: str,
    serialized: str,
) -> Compiled:
    """``for_each`` and ``when`` as one program over ``deployment`` alone: the elements that fire.

    Every rule's selector binds the same single variable, so one conversion of the deployment
    to CEL values serves all rules. When it does not compile, the two fields are compiled on
    their own so that the error names the field and its position. ``serialized``: the program
    as the rule cache or the shipped artefact keeps it, read back on first use.
    """
    source = f"({data.get('for_each', '[null]')}).filter({variable}, {data['when']})"
    if serialized:
        return Compiled(source, ("deployment",), serialized=serialized)
    try:
        return Compiled(source, ("deployment",))
    except ExpressionError as error:
        for field in ("for_each", "when"):
            if field in data:
                _checked(
                    path, lines, field, partial(Compiled, data[field], ("deployment", variable))
                )
        return _checked(path, lines, "when", partial(_raise, error))


def _raise(error: ExpressionError) -> Compiled:
    raise error


def _expression(
    path: str,
    lines: dict[str, int],
    field: str,
    source: str,
    variables: tuple[str, ...],
    verified: bool,
) -> Compiled:
    """A compiled expression; a verified one (a cache entry, a bundled rule) compiles on first
    use."""
    if verified:
        return Compiled(source, variables, lazy=True)
    return _checked(path, lines, field, lambda: Compiled(source, variables))


def _template(
    path: str,
    lines: dict[str, int],
    field: str,
    source: str,
    variables: tuple[str, ...],
    verified: bool,
) -> Template:
    return _checked(path, lines, field, lambda: Template(source, variables, lazy=verified))


def _checked(path: str, lines: dict[str, int], field: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except ExpressionError as error:
        line = lines.get(field, 0)
        where = f" (expression line {error.line}, column {error.column})" if error.line else ""
        raise UsageError(f"field '{field}': {error.message}{where}", path, line) from None


def _load_rule_file(path: Path, display: str) -> Rule:
    """Read, validate and compile a rule file; a cached file was validated and compiled before."""
    content = read_input(path, display, "rule file", MAX_FILE_BYTES)
    cached = cache.get("rule", content)
    if cached is not None:
        return Rule.from_cache_entry({**cached, "path": display})
    document = read_yaml(display, content.decode("utf-8", errors="replace"))
    validate(display, document, schema("rule.schema.json"))
    rule = Rule(display, document.data, document.lines)
    cache.put("rule", content, rule.cache_entry())
    return rule


def load_rules(extra_dirs: list[str] | None = None) -> list[Rule]:
    """The bundled rules plus those of ``extra_dirs``, sorted by ID; duplicate IDs are an error."""
    directories = [(rules_dir(), True)] + [(Path(d), False) for d in extra_dirs or []]
    rules: dict[str, Rule] = {}
    for directory, bundled in directories:
        if not directory.is_dir():
            raise UsageError("rule directory not found", str(directory))
        files = sorted(directory.glob("*.yaml"))
        found = _bundled(files) if bundled else [_load_rule_file(f, f.as_posix()) for f in files]
        for rule in found:
            if rule.id in rules:
                raise UsageError(
                    f"rule {rule.id} is also defined in {rules[rule.id].path}", rule.path
                )
            rules[rule.id] = rule
    return [rules[rule_id] for rule_id in sorted(rules)]


def _bundled(files: list[Path]) -> list[Rule]:
    """The bundled rule set, found by one cache entry keyed by each rule file's name, size
    and modification time (as Python knows a module's source unchanged): a run reads no rule
    file. The entry names the shipped artefact when the files are those it was built from
    (then no rule file is parsed or validated and no expression compiled, even with an empty
    cache), else holds the rules read from the files (a checkout whose rules changed)."""
    stamp = _stamp(files)
    entries = _entries(cache.get("ruleset", stamp))
    if entries is None:
        digest = sha256_hex(_ruleset_key(files))
        entries = _shipped(digest)
        if entries is not None:
            cache.put("ruleset", stamp, {"artefact": digest})
        else:
            entries = _parsed(files)
            cache.put("ruleset", stamp, {"rules": entries})
    return [Rule.from_cache_entry(entry) for entry in entries]


def _entries(cached: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """The rule entries a ruleset cache entry holds or names; None when it names an artefact
    other than the one installed now."""
    if cached is None:
        return None
    if "rules" in cached:
        held: list[dict[str, Any]] = cached["rules"]
        return held
    return _shipped(cached.get("artefact", ""))


def _stamp(files: list[Path]) -> bytes:
    stamps = []
    for file in files:
        status = file.stat()
        stamps.append(f"{file.name}\0{status.st_size}\0{status.st_mtime_ns}")
    return "\0".join(stamps).encode()


def _ruleset_key(files: list[Path]) -> bytes:
    """The bundled rule files' names and contents, as the artefact's digest covers them."""
    return b"\0".join(f"rules/{f.name}".encode() + b"\0" + f.read_bytes() for f in files)


def _parsed(files: list[Path]) -> list[dict[str, Any]]:
    """Each bundled rule file read, validated and compiled, as its cache entry."""
    return [_load_rule_file(file, f"rules/{file.name}").cache_entry() for file in files]


def _shipped(digest: str) -> list[dict[str, Any]] | None:
    """The rule entries of the shipped artefact when it was built from the rule files of
    this ``digest`` (``_ruleset_key``) and for these expression helpers, else None (a
    checkout whose rule files changed since ``scripts/compile_rules.py`` last ran)."""
    artefact = compiled_rules()
    if artefact is None or artefact.get("digest") != digest:
        return None
    if artefact.get("environment") != environment_signature():
        return None
    entries: list[dict[str, Any]] = artefact["rules"]
    return entries


def compile_bundled() -> dict[str, Any]:
    """The artefact of the bundled rules (``tcommlint/_rules_compiled.json``): the digest of
    the rule files it was built from, the signature of the expression helpers, and each
    rule's ``cache_entry``: its validated data and field lines, the facts it reads and its
    compiled selector (whose bytes differ from one build to the next: CEL writes maps in no
    fixed order)."""
    files = sorted(rules_dir().glob("*.yaml"))
    with cache.disabled():
        entries = _parsed(files)
    return {
        "digest": sha256_hex(_ruleset_key(files)),
        "environment": environment_signature(),
        "rules": entries,
    }
