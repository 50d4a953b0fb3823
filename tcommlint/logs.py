"""Known failure signatures in TComm proxy and server logs (``tcommlint logs``, ``check --logs``).

The signatures are data: ``rules/logs/signatures.yaml`` declares what each looks like, and a
rule names the signatures that confirm its findings (``log_signatures``). Logs are read line by
line (plain or gzip, detected by content), decoded leniently, and matched with tolerant regular
expressions on the text: the line layout of a TComm log is ``timestamp level [thread] logger -
message``, but any line is searched, so other layouts work as long as the message and a
session id are on the same line. Session ids are recognised in the shapes TComm writes them
(``sessionId=…``, ``sid:…``, ``session 4711``, ``[123456]``, UUIDs); one id is one session
whatever its shape.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from tcommlint import cache, output
from tcommlint.errors import UsageError
from tcommlint.inputs import MAX_LOG_BYTES, MAX_LOG_LINES, describe_size, open_regular
from tcommlint.records import NamedTuple
from tcommlint.redact import Redactor, redact_line

if TYPE_CHECKING:
    from tcommlint.ruleset import Rule
    from tcommlint.run import RunResult

SIGNATURES_FILE = "logs/signatures.yaml"  # under the rules folder
NO_SESSION = "(no session id)"
SHOWN_SESSIONS = 20
EXCERPT_CHARS = 110
# Only the start of a line is searched: the time of every pattern stays bounded however long a
# line is (a stack trace folded into one line, a binary file given by mistake).
MAX_LINE_CHARS = 4096
_MAX_LINE_BYTES = 4 * MAX_LINE_CHARS  # read of a line; the rest is skipped unread


class Signature(NamedTuple):
    """A known failure as the logs show it, and the rules whose findings it confirms."""

    id: str
    title: str
    meaning: str
    confirms: tuple[str, ...]
    keywords: tuple[str, ...]  # lower case; a line without one of them is not searched
    match: re.Pattern[str]
    roles: frozenset[str] = frozenset()  # empty: lines of every role count
    min_lines: int = 1
    unless: re.Pattern[str] | None = None

    @property
    def per_session(self) -> bool:
        """Judged on a session's lines together: a line without a session id cannot count."""
        return self.min_lines > 1 or self.unless is not None


# --- the signatures, from rules/logs/signatures.yaml ------------------------------------------


def load_signatures(rules: Iterable[Rule]) -> tuple[Signature, ...]:
    """The declared signatures, each with the rules that name it in ``log_signatures``."""
    declared = _declared()
    known = {entry["id"] for entry in declared}
    confirms: dict[str, list[str]] = {}
    for rule in rules:
        for name in rule.log_signatures:
            if name not in known:
                line = rule.lines.get("log_signatures", 0)
                raise UsageError(f"unknown log signature '{name}'", rule.path, line)
            confirms.setdefault(name, []).append(rule.id)
    return tuple(_signature(entry, tuple(confirms.get(entry["id"], ()))) for entry in declared)


def _declared() -> list[dict[str, Any]]:
    """The validated entries of the signatures file (cached by content, like the rules)."""
    from tcommlint.resources import rules_dir

    path = rules_dir() / SIGNATURES_FILE
    display = f"rules/{SIGNATURES_FILE}"
    try:
        content = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read log signatures: {error.strerror}", display) from None
    cached = cache.get("log-signatures", content)
    if cached is not None:
        entries: list[dict[str, Any]] = cached
        return entries
    from tcommlint.resources import schema
    from tcommlint.yamlread import read_yaml, validate

    document = read_yaml(display, content.decode("utf-8", errors="replace"))
    validate(display, document, schema("log-signatures.schema.json"))
    entries = document.data["signatures"]
    _check_declared(entries, document.lines, display)
    cache.put("log-signatures", content, entries)
    return entries


def _check_declared(entries: list[dict[str, Any]], lines: dict[str, int], display: str) -> None:
    """Unique ids, and patterns that compile, match something and run in bounded time."""
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry["id"] in seen:
            where = lines.get(f"signatures/{index}/id", 0)
            raise UsageError(f"log signature '{entry['id']}' is declared twice", display, where)
        seen.add(entry["id"])
        for field in ("match", "unless"):
            for number, pattern in enumerate(entry.get(field, ())):
                reason = pattern_problem(pattern, entry["keywords"])
                if reason:
                    key = f"signatures/{index}/{field}/{number}"
                    raise UsageError(f"field '{key}': {reason}", display, lines.get(key, 0))


def pattern_problem(pattern: str, keywords: list[str]) -> str:
    """Why a signature pattern is refused, or ``""``."""
    if not any(word in pattern.lower() for word in keywords):
        return f"{pattern!r} names none of the keywords {', '.join(keywords)}"
    from tcommlint.pipeline.regex import bounded

    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        return f"not a valid regular expression: {error}"
    if not bounded(pattern):
        return (
            f"{pattern!r} can take exponential time (a repeated group that repeats or alternates)"
        )
    if compiled.search("") is not None:
        return f"{pattern!r} matches an empty line, so it would match every line"
    return ""


def _signature(entry: dict[str, Any], confirms: tuple[str, ...]) -> Signature:
    unless = entry.get("unless")
    return Signature(
        entry["id"],
        entry["title"],
        entry["meaning"],
        confirms,
        tuple(entry["keywords"]),
        _any_of(entry["match"]),
        frozenset(entry.get("roles", ())),
        entry.get("min_lines", 1),
        _any_of(unless) if unless else None,
    )


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


# --- session ids and roles --------------------------------------------------------------------

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# An id standing alone: a UUID, a hex id (Tomcat's) or a number; not the start of a longer word.
_BARE_ID = rf"({_UUID}|[0-9a-f]{{8,128}}|[0-9]{{4,32}})(?![\w-])"
_SESSION_IDS = (
    # sid=…, sessionId=…, sessionID: …, session_id="…"; a jvmRoute suffix (".proxy1") is not kept.
    re.compile(
        r"\b(?:sid|session[_-]?id|chatSessionId|jsessionid)\s*[=:]\s*[\"']?"
        r"([A-Za-z0-9][A-Za-z0-9_-]{3,127})",
        re.IGNORECASE,
    ),
    # session 4711, session: <uuid>, session id #A72E5D4B748F263C
    re.compile(rf"\bsession\s*[:=]?\s*(?:id\s*[:=]?\s*)?#?{_BARE_ID}", re.IGNORECASE),
    # [123456], [<uuid>]: a bracketed id, not a bracketed duration ("[4183] milliseconds")
    re.compile(
        rf"(?<!\w)\[\s*{_BARE_ID}\s*\](?!\s*(?:ms|millis\w*|s|secs?|seconds?|bytes?)\b)",
        re.IGNORECASE,
    ),
)
_ANY_UUID = re.compile(rf"\b{_UUID}\b", re.IGNORECASE)
# A UUID after one of these keys names something else than the session.
_OTHER_KEY = re.compile(
    r"\b(?:request|correlation|trace|span|message|msg|transaction|tx|user|agent|tenant)"
    r"[_-]?id\s*[=:]\s*[\"']?$",
    re.IGNORECASE,
)
_WHOLE_UUID = re.compile(_UUID, re.IGNORECASE)
# Possessive quantifiers: each run is taken whole, as a match needs anyway, so a long run that
# fails to match costs linear time, not quadratic (``[\d:.,]+\S*`` could split it n ways).
_LAYOUT = re.compile(
    r"^\s*+\d{4}-\d\d-\d\d[ T][\d:.,]++\S*+\s++(?P<level>[A-Za-z]++)\s++\[[^\]]*+\]\s++"
    r"(?P<logger>\S++)"
)


def session_id(line: str) -> str:
    """The session id named on the line, or ``""``; a UUID in lower case, as it is one id
    whatever the case it is written in."""
    line = line[:MAX_LINE_CHARS]
    for pattern in _SESSION_IDS:
        found = pattern.search(line)
        if found:
            return _canonical(found.group(1))
    for found in _ANY_UUID.finditer(line):
        if not _OTHER_KEY.search(line, max(0, found.start() - 40), found.start()):
            return found.group(0).lower()
    return ""


def _canonical(sid: str) -> str:
    return sid.lower() if _WHOLE_UUID.fullmatch(sid) else sid


def line_role(line: str, file_role: str) -> str:
    """``proxy`` or ``server`` from the logger name, else the file's role."""
    layout = _LAYOUT.match(line)
    if layout:
        logger = layout.group("logger").lower()
        if ".server." in logger or logger.startswith("server"):
            return "server"
        if ".proxy." in logger or logger.startswith("proxy"):
            return "proxy"
    return file_role


def file_role(path: str) -> str:
    """A guess from the file name, used when a line does not name its logger."""
    name = Path(path).name.lower()
    if "server" in name:
        return "server"
    if "proxy" in name:
        return "proxy"
    return "unknown"


# --- scanning -------------------------------------------------------------------------------


class Hit(NamedTuple):
    """One matching line."""

    path: str
    line: int
    text: str
    file_index: int = 0  # the file's position in the scan, for ordering across files

    def order(self) -> tuple[int, int]:
        """Sort key: files in the order scanned, then line."""
        return (self.file_index, self.line)

    @property
    def loc(self) -> str:
        """``path:line``."""
        return f"{self.path}:{self.line}"


class SessionTrack:
    """The lines of one session under one signature: first, last and how many."""

    __slots__ = ("count", "first", "last")

    def __init__(self, hit: Hit) -> None:
        self.first = hit
        self.last = hit
        self.count = 1

    def add(self, hit: Hit) -> None:
        """Record one more line."""
        self.last = hit
        self.count += 1


class SessionReport(NamedTuple):
    """A session as reported under a signature."""

    session: str
    first: Hit
    last: Hit
    lines: int


class SignatureReport(NamedTuple):
    """A signature that was found, with its sessions in order of first appearance."""

    signature: Signature
    sessions: tuple[SessionReport, ...]

    @property
    def session_count(self) -> int:
        """Distinct session ids (lines without one are not counted)."""
        return sum(1 for s in self.sessions if s.session != NO_SESSION)

    @property
    def line_count(self) -> int:
        """All lines that matched."""
        return sum(s.lines for s in self.sessions)

    @property
    def first(self) -> Hit:
        """The earliest matching line (files in the order given)."""
        return min((s.first for s in self.sessions), key=Hit.order)

    @property
    def last(self) -> Hit:
        """The latest matching line."""
        return max((s.last for s in self.sessions), key=Hit.order)


class FileSummary(NamedTuple):
    """A scanned file."""

    path: str
    role: str
    lines: int


class Scan:
    """Signature state over all files of one run; memory grows with sessions, not lines."""

    def __init__(self, signatures: tuple[Signature, ...]) -> None:
        self.signatures = signatures
        self.tracks: list[dict[str, SessionTrack]] = [{} for _ in signatures]
        self.cleared: list[set[str]] = [set() for _ in signatures]  # sessions an `unless` saw
        self.files: list[FileSummary] = []
        self.keywords = tuple(dict.fromkeys(w for s in signatures for w in s.keywords))

    def feed(self, path: str, lines: Iterable[str]) -> None:
        """Scan one file's lines."""
        index = len(self.files)
        role = file_role(path)
        number = 0
        keywords = self.keywords
        for number, line in enumerate(lines, start=1):
            text = line[:MAX_LINE_CHARS]
            lowered = text.lower()
            if any(word in lowered for word in keywords):
                self._line(Hit(path, number, text.rstrip("\r\n"), index), lowered, role)
        self.files.append(FileSummary(path, role, number))

    def _line(self, hit: Hit, lowered: str, file_role: str) -> None:
        text = hit.text
        sid: str | None = None  # found on first need: most lines match no signature
        for signature, tracks, cleared in zip(
            self.signatures, self.tracks, self.cleared, strict=True
        ):
            if not any(word in lowered for word in signature.keywords):
                continue
            clears = signature.unless is not None and signature.unless.search(text) is not None
            if not clears and signature.match.search(text) is None:
                continue
            if sid is None:
                sid = session_id(text)
            if clears:
                if sid:
                    cleared.add(sid)
            elif _counts(signature, sid, line_role(text, file_role)):
                _track(tracks, sid or NO_SESSION, hit)

    def reports(self) -> list[SignatureReport]:
        """The signatures found, in the order they are declared."""
        found = []
        for signature, tracks, cleared in zip(
            self.signatures, self.tracks, self.cleared, strict=True
        ):
            sessions = sorted(
                (
                    SessionReport(sid, track.first, track.last, track.count)
                    for sid, track in tracks.items()
                    if track.count >= signature.min_lines and sid not in cleared
                ),
                key=lambda s: s.first.order(),
            )
            if sessions:
                found.append(SignatureReport(signature, tuple(sessions)))
        return found


def _counts(signature: Signature, sid: str, role: str) -> bool:
    """Whether a matching line counts: its role is one the signature reads, and it names a
    session when the signature judges sessions as a whole."""
    return (sid != "" or not signature.per_session) and (
        not signature.roles or role in signature.roles
    )


def _track(tracks: dict[str, SessionTrack], sid: str, hit: Hit) -> None:
    track = tracks.get(sid)
    if track is None:
        tracks[sid] = SessionTrack(hit)
    else:
        track.add(hit)


def read_lines(path: Path, display: str) -> Iterator[str]:
    """The lines of a plain or gzip file, decoded leniently; unreadable → UsageError.

    At most ``MAX_LOG_LINES`` lines and ``MAX_LOG_BYTES`` decompressed bytes are read (a gzip
    bomb ends there), and a line is searched up to ``MAX_LINE_CHARS``; a longer log is read
    up to the limit and a warning says so.
    """
    try:
        handle = _open(path)
    except OSError as error:
        raise UsageError(f"cannot read log file: {error.strerror or error}", display) from None
    with handle:
        try:
            yield from _bounded(handle, display)
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise UsageError(f"cannot read log file: {reason}", display) from None


def _bounded(handle: BinaryIO, display: str) -> Iterator[str]:
    budget = MAX_LOG_BYTES
    for _ in range(MAX_LOG_LINES):
        raw = handle.readline(min(_MAX_LINE_BYTES, budget))
        if not raw:
            return
        budget -= len(raw)
        rest = raw
        while not rest.endswith(b"\n") and rest and budget > 0:  # the unsearched rest of a line
            rest = handle.readline(min(_MAX_LINE_BYTES, budget))
            budget -= len(rest)
        yield raw.decode("utf-8", errors="replace")
        if budget <= 0:
            break
    if handle.read(1):
        limits = f"{MAX_LOG_LINES:,} lines or {describe_size(MAX_LOG_BYTES)}"
        print(
            f"tcommlint: warning: {display}: only the first {limits} were "
            "searched (the limit per log file)",
            file=sys.stderr,
        )


def _open(path: Path) -> BinaryIO:
    handle = open_regular(path)
    try:
        magic = handle.read(2)
        handle.seek(0)
    except OSError:
        handle.close()
        raise
    if magic == b"\x1f\x8b":
        return cast(BinaryIO, gzip.GzipFile(fileobj=handle, mode="rb"))
    return handle


def scan(
    paths: list[tuple[Path, str]], signatures: tuple[Signature, ...]
) -> tuple[list[SignatureReport], list[FileSummary]]:
    """Scan ``(path, display name)`` pairs in order; returns the signatures and the files."""
    state = Scan(signatures)
    for path, display in paths:
        if path.is_dir():
            raise UsageError("is a directory (give log files, or use check --logs DIR)", display)
        state.feed(display, read_lines(path, display))
    return state.reports(), state.files


# --- the ``logs`` command -------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``tcommlint logs FILE…``: 1 when a signature is found, 0 otherwise."""
    from tcommlint.ruleset import load_rules

    paths = [(Path(name), Path(name).as_posix()) for name in args.files]
    reports, files = scan(paths, load_signatures(load_rules()))
    if args.format == "json":
        text = output.json_text(as_data(reports, files), Redactor())
    else:
        text = as_text(reports, files)
    output.write(text, json_text=args.format == "json")
    return 1 if reports else 0


def as_data(reports: list[SignatureReport], files: list[FileSummary]) -> dict[str, Any]:
    """The JSON form: every session of every signature."""
    return {
        "files": [{"path": f.path, "role": f.role, "lines": f.lines} for f in files],
        "signatures": [
            {
                "id": r.signature.id,
                "title": r.signature.title,
                "meaning": r.signature.meaning,
                "confirms": list(r.signature.confirms),
                "sessions_count": r.session_count,
                "lines": r.line_count,
                "first": r.first.loc,
                "last": r.last.loc,
                "sessions": [
                    {
                        "session": s.session,
                        "first": s.first.loc,
                        "last": s.last.loc,
                        "lines": s.lines,
                    }
                    for s in r.sessions
                ],
            }
            for r in reports
        ],
    }


def as_text(reports: list[SignatureReport], files: list[FileSummary]) -> str:
    """The human form: per signature, its sessions (the first few) and the rules it confirms."""
    out: list[str] = []
    for report in reports:
        out.extend(_text_signature(report))
        out.append("")
    total = sum(f.lines for f in files)
    found = _plural(len(reports), "signature") if reports else "no known signature"
    out.append(f"{found} in {_plural(len(files), 'file')} ({_plural(total, 'line')})")
    return output.text_block(out, Redactor())


def _text_signature(report: SignatureReport) -> list[str]:
    signature = report.signature
    lines = [
        f"{signature.title} [{signature.id}]",
        f"  {signature.meaning}",
        f"  confirms: {', '.join(signature.confirms)}",
        f"  {_plural(report.session_count, 'session')}, {_plural(report.line_count, 'line')}; "
        f"first {report.first.loc}, last {report.last.loc}",
    ]
    width = max(len(s.session) for s in report.sessions[:SHOWN_SESSIONS])
    for session in report.sessions[:SHOWN_SESSIONS]:
        span = session.first.loc
        if session.lines > 1:
            span += f" … {session.last.loc}"
        lines.append(f"    {session.session:<{width}}  {_plural(session.lines, 'line'):>9}  {span}")
    hidden = len(report.sessions) - SHOWN_SESSIONS
    if hidden > 0:
        lines.append(f"    … and {hidden} more (--format json lists all)")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- ``check --logs DIR`` -------------------------------------------------------------------


def log_files(log_dir: str) -> list[tuple[Path, str]]:
    """Every file under ``log_dir``, sorted, with its display path."""
    root = Path(log_dir)
    if not root.is_dir():
        raise UsageError("log directory not found", log_dir)
    # A FIFO or device under the folder is listed too, and refused when read: never skipped.
    files = sorted(
        p for p in root.rglob("*") if p.exists() and not p.is_dir() and not p.name.startswith(".")
    )
    return [(path, path.as_posix()) for path in files]


def evidence_line(report: SignatureReport) -> str:
    """``path:line: <the first matching line, shortened> (N sessions)``."""
    first = report.first
    count = report.session_count
    what = _plural(count, "session") if count else _plural(report.line_count, "line")
    return f"{first.loc}: {excerpt(first.text)} ({what})"


def excerpt(text: str) -> str:
    """The message part of a log line, shortened around the signature keyword."""
    layout = _LAYOUT.match(text)
    message = redact_line(text[layout.end() :].lstrip(" -:") if layout else text.strip())
    if len(message) <= EXCERPT_CHARS:
        return message
    return message[: EXCERPT_CHARS - 1].rstrip() + "…"


def attach_evidence(result: RunResult, log_dir: str) -> RunResult:
    """The result with log evidence on every finding whose rule a found signature confirms."""
    reports, _ = scan(log_files(log_dir), load_signatures(result.rules))
    by_rule: dict[str, list[str]] = {}
    for report in reports:
        for rule in report.signature.confirms:
            by_rule.setdefault(rule, []).append(evidence_line(report))
    findings = [
        f._replace(evidence=f.evidence + tuple(by_rule[f.rule])) if f.rule in by_rule else f
        for f in result.findings
    ]
    return result._replace(findings=findings)
