"""Known failure signatures in TComm proxy and server logs (``tcommlint logs``, ``check --logs``).

Logs are read line by line (plain or gzip, detected by content), decoded leniently, and
matched with tolerant regular expressions on the text: the line layout of a TComm log is
``timestamp level [thread] logger - message``, but any line is searched, so other layouts
work as long as the message and a session id are on the same line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from io import BufferedReader
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tcommlint import output
from tcommlint.errors import UsageError
from tcommlint.redact import redact_log_line

if TYPE_CHECKING:
    from tcommlint.run import RunResult

STICKY_RULES = ("TC201", "TC202", "TC203", "TC204", "TC205", "TC206", "TC209", "TC213")
NO_SESSION = "(no session id)"
SHOWN_SESSIONS = 20
EXCERPT_CHARS = 110


class Signature(NamedTuple):
    """A known failure as the logs show it, and the rules whose findings it confirms."""

    id: str
    title: str
    meaning: str
    confirms: tuple[str, ...]


SIGNATURES = {
    "session-not-found": Signature(
        "session-not-found",
        'UnOpenedSessionNotAllowed / "No Session Found"',
        "requests reached a proxy that does not hold their session: stickiness is broken",
        STICKY_RULES,
    ),
    "duplicate-queuing": Signature(
        "duplicate-queuing",
        "\"Routing to Agent via 'WorkQueue'\" twice for one session",
        "each session is queued twice: proxy and server both queue it",
        ("TC101",),
    ),
    "no-routing": Signature(
        "no-routing",
        "session started, never routed or queued",
        "sessions start on the server but nothing routes or queues them to an agent",
        ("TC102",),
    ),
}

# --- recognisers ----------------------------------------------------------------------------

_SESSION_IDS = (
    re.compile(
        r"\b(?:sid|session[_-]?id|chatSessionId|jsessionid)\s*[=:]\s*[\"']?"
        r"([A-Za-z0-9][A-Za-z0-9_-]{3,})",
        re.IGNORECASE,
    ),
    re.compile(r"\bsession\s+(?:id\s+)?#?([0-9A-Fa-f]{8,}(?:-[0-9A-Fa-f]{4,})*)\b", re.IGNORECASE),
)
_NOT_FOUND = re.compile(r"UnOpenedSessionNotAllowed|No\s+Session\s+Found", re.IGNORECASE)
_WORK_QUEUE = re.compile(r"Routing\s+to\s+Agent\s+via\s+['\"]?WorkQueue", re.IGNORECASE)
_ROUTED = re.compile(
    r"\b(?:routing\s+to\s+agent|routed\s+to\s+agent|added\s+to\s+(?:the\s+)?(?:work\s*)?queue"
    r"|queued\s+(?:to|on|in|at)\b|enqueued)",
    re.IGNORECASE,
)
_STARTED = re.compile(
    r"\bsession\s+(?:started|created|opened|start)\b"
    r"|\b(?:starting|new|creating|opening)\s+(?:chat\s+)?session\b",
    re.IGNORECASE,
)
# Possessive quantifiers: each run is taken whole, as a match needs anyway, so a long run that
# fails to match costs linear time, not quadratic (``[\d:.,]+\S*`` could split it n ways).
_LAYOUT = re.compile(
    r"^\s*+\d{4}-\d\d-\d\d[ T][\d:.,]++\S*+\s++(?P<level>[A-Za-z]++)\s++\[[^\]]*+\]\s++"
    r"(?P<logger>\S++)"
)
# Cheap substring tests first: most lines of a busy log match nothing.
_KEYWORDS = ("session", "routing", "routed", "queue", "unopened", "sid=", "sid:")


def session_id(line: str) -> str:
    """The session id named on the line, or ``""``."""
    for pattern in _SESSION_IDS:
        found = pattern.search(line)
        if found:
            return found.group(1)
    return ""


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

    def __init__(self) -> None:
        self.not_found: dict[str, SessionTrack] = {}
        self.work_queue: dict[str, SessionTrack] = {}
        self.started: dict[str, SessionTrack] = {}
        self.routed: set[str] = set()
        self.files: list[FileSummary] = []

    def feed(self, path: str, lines: Iterable[str]) -> None:
        """Scan one file's lines."""
        index = len(self.files)
        role = file_role(path)
        number = 0
        for number, line in enumerate(lines, start=1):
            lowered = line.lower()
            if any(word in lowered for word in _KEYWORDS):
                self._line(Hit(path, number, line.rstrip("\r\n"), index), role)
        self.files.append(FileSummary(path, role, number))

    def _line(self, hit: Hit, role: str) -> None:
        text = hit.text
        sid = session_id(text)
        if _NOT_FOUND.search(text):
            _track(self.not_found, sid or NO_SESSION, hit)
            return
        if not sid:
            return
        if _WORK_QUEUE.search(text):
            _track(self.work_queue, sid, hit)
        if _ROUTED.search(text):
            self.routed.add(sid)
        elif _STARTED.search(text) and line_role(text, role) != "proxy":
            self.started.setdefault(sid, SessionTrack(hit))

    def reports(self) -> list[SignatureReport]:
        """The signatures found, in the order of ``SIGNATURES``."""
        unrouted = {sid: t for sid, t in self.started.items() if sid not in self.routed}
        candidates = {
            "session-not-found": self.not_found,
            "duplicate-queuing": {s: t for s, t in self.work_queue.items() if t.count >= 2},
            "no-routing": unrouted,
        }
        found = []
        for key, tracks in candidates.items():
            if tracks:
                sessions = tuple(
                    SessionReport(sid, t.first, t.last, t.count) for sid, t in tracks.items()
                )
                sessions = tuple(sorted(sessions, key=lambda s: s.first.order()))
                found.append(SignatureReport(SIGNATURES[key], sessions))
        return found


def _track(tracks: dict[str, SessionTrack], sid: str, hit: Hit) -> None:
    track = tracks.get(sid)
    if track is None:
        tracks[sid] = SessionTrack(hit)
    else:
        track.add(hit)


def read_lines(path: Path, display: str) -> Iterator[str]:
    """The lines of a plain or gzip file, decoded leniently; unreadable → UsageError."""
    try:
        handle = _open(path)
    except OSError as error:
        raise UsageError(f"cannot read log file: {error.strerror or error}", display) from None
    with handle:
        try:
            for raw in handle:
                yield raw.decode("utf-8", errors="replace")
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise UsageError(f"cannot read log file: {error}", display) from None


def _open(path: Path) -> gzip.GzipFile | BufferedReader:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return path.open("rb")


def scan(paths: list[tuple[Path, str]]) -> tuple[list[SignatureReport], list[FileSummary]]:
    """Scan ``(path, display name)`` pairs in order; returns the signatures and the files."""
    state = Scan()
    for path, display in paths:
        if path.is_dir():
            raise UsageError("is a directory (give log files, or use check --logs DIR)", display)
        state.feed(display, read_lines(path, display))
    return state.reports(), state.files


# --- the ``logs`` command -------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """``tcommlint logs FILE…``: 1 when a signature is found, 0 otherwise."""
    reports, files = scan([(Path(name), Path(name).as_posix()) for name in args.files])
    if args.format == "json":
        text = json.dumps(as_data(reports, files), indent=2, ensure_ascii=False) + "\n"
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
    return "\n".join(out) + "\n"


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
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
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
    message = redact_log_line(text[layout.end() :].lstrip(" -:") if layout else text.strip())
    if len(message) <= EXCERPT_CHARS:
        return message
    return message[: EXCERPT_CHARS - 1].rstrip() + "…"


def attach_evidence(result: RunResult, log_dir: str) -> RunResult:
    """The result with log evidence on every finding whose rule a found signature confirms."""
    reports, _ = scan(log_files(log_dir))
    by_rule: dict[str, list[str]] = {}
    for report in reports:
        for rule in report.signature.confirms:
            by_rule.setdefault(rule, []).append(evidence_line(report))
    findings = [
        f._replace(evidence=f.evidence + tuple(by_rule[f.rule])) if f.rule in by_rule else f
        for f in result.findings
    ]
    return result._replace(findings=findings)
