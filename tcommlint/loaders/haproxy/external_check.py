"""Run a real ``haproxy -c`` on a configuration file (``tcommlint check --haproxy PATH``).

Only when the user names a binary: never by default, never from a manifest, so a pre-commit
hook does not depend on the machine it runs on. The binary runs without a shell, with a
minimal environment (``PATH`` and ``LC_ALL=C`` only), from an empty temporary directory and
under a timeout; its ``[ALERT]`` lines become TC001 errors at the line they name.

``haproxy -c`` checks the file as this machine would load it: certificates, map and Lua
files, ``${VARIABLES}`` and DNS names that only exist where HAProxy really runs are refusals
here. Alerts are read only when the check fails (exit status non-zero): HAProxy 2.6 also
prints ALERTs for configurations it accepts (a named ``defaults`` section used both
explicitly and implicitly), and those do not stop it from loading.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tcommlint.errors import UsageError
from tcommlint.loaders.haproxy.reader import Section, read_haproxy
from tcommlint.model import Deployment, ParseError
from tcommlint.source import Span

TIMEOUT_SECONDS = 60.0
_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL": "C",
}
_ALERT = re.compile(r"\[ALERT\]\s*(?:\(\d+\)\s*:\s*)?(?:config\s*:\s*)?(?P<text>.*)")
_SUMMARY = (
    "Error(s) found in configuration file",
    "Fatal errors found in configuration",
    "Failed to initialize server(s) addr",
)
_PROXY_NAME = re.compile(r"\b(?:[Pp]roxy|frontend|backend|listen) '([^']+)'")
_versions: dict[str, str] = {}


def resolve_binary(name: str) -> str:
    """The binary ``--haproxy`` names: a path, or a command looked up on ``PATH``."""
    if "/" not in name:
        found = shutil.which(name)
        if found is None:
            raise UsageError(f"--haproxy: '{name}' is not on PATH")
        return found
    return name


def haproxy_version(binary: str) -> str:
    """``HAProxy version 2.6.12 …``: proves the binary runs and is HAProxy (once per binary)."""
    if binary not in _versions:
        out = _run([binary, "-v"], binary)
        first = next((line for line in out.stdout.splitlines() if line.strip()), "")
        if not re.match(r"HA-?Proxy version \d", first):
            raise UsageError(
                f"--haproxy: '{binary}' is not an HAProxy binary ('-v' printed {first[:60]!r})"
            )
        _versions[binary] = first.split(" - ")[0].strip()
    return _versions[binary]


def check_file(binary: str, file: Path, display: str) -> list[ParseError]:
    """The refusals ``haproxy -c -f FILE`` reports, at ``display``'s lines; [] when it loads."""
    haproxy_version(binary)
    target = str(file.resolve())
    result = _run([binary, "-c", "-f", target], binary)
    if result.returncode == 0:
        return []
    text = file.read_text(encoding="utf-8", errors="replace")
    sections = _sections(display, text)
    errors: list[ParseError] = []
    for raw in (result.stdout + "\n" + result.stderr).splitlines():
        error = _alert(raw, target, display, sections)
        if error is not None and error not in errors:
            errors.append(error)
    if not errors:  # refused without a usable ALERT line: still a refusal
        last = next(
            (line.strip() for line in reversed(result.stderr.splitlines()) if line.strip()), ""
        )
        errors.append(
            ParseError(
                Span(display, 1, 1),
                f"haproxy -c refused the file (exit status {result.returncode}): {last}".rstrip(),
            )
        )
    return errors


def _run(argv: list[str], binary: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="tcommlint-haproxy-") as workdir:
        try:
            return subprocess.run(
                argv,
                cwd=workdir,
                env=_ENVIRONMENT,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(
                f"--haproxy: '{binary}' did not finish within {TIMEOUT_SECONDS:.0f} s"
            ) from None
        except OSError as error:
            raise UsageError(f"--haproxy: cannot run '{binary}': {error.strerror}") from None


def _alert(raw: str, target: str, display: str, sections: dict[str, Section]) -> ParseError | None:
    match = _ALERT.search(raw)
    if match is None:
        return None
    text = match.group("text").strip()
    if not text or text.startswith(_SUMMARY):
        return None
    line = _line_of(text, target)
    # "parsing [file:12] : message" / "[file:12] : message" / "Parsing [file:12]: message"
    prefix = re.compile(r"^(?:[Pp]arsing\s*)?\[" + re.escape(target) + r":\d+\]\s*:?\s*")
    exact = prefix.match(text) is not None
    text = prefix.sub("", text).replace(target, display)
    if not exact:  # e.g. "Proxy 'fe': unable to find required default_backend: 'nope'."
        line = _statement_line(text, sections) or line
    return ParseError(Span(display, line or 1, 1), f"haproxy -c: {text}")


def _line_of(text: str, target: str) -> int | None:
    """The first ``file:LINE`` of the checked file in an alert (``[…]`` or ``(…)``)."""
    found = re.search(r"[\[(]" + re.escape(target) + r":(\d+)[\])]", text)
    return int(found.group(1)) if found else None


def _sections(display: str, text: str) -> dict[str, Section]:
    """Proxy name -> its section, for alerts that name a proxy but no line."""
    sections: dict[str, Section] = {}
    for section in read_haproxy(display, text).sections:
        if section.name and section.kind in ("frontend", "backend", "listen"):
            sections.setdefault(section.name, section)
    return sections


def _statement_line(text: str, sections: dict[str, Section]) -> int | None:
    """For "Proxy 'fe': unable to find required default_backend: 'nope'": the line of the
    statement of that proxy naming 'nope', else the proxy's header."""
    proxy = next((n for n in _PROXY_NAME.findall(text) if n in sections), None)
    if proxy is None:
        return None
    section = sections[proxy]
    names = [n for n in re.findall(r"'([^']+)'", text) if n != proxy]
    for statement in section.statements:
        if any(word.text in names for word in statement.words[1:]):
            return statement.line
    return section.header.line


def with_haproxy_check(deployment: Deployment, binary: str, cwd: Path) -> Deployment:
    """The deployment with ``haproxy -c``'s refusals of its HAProxy files added (TC001).

    An alert at a line where tcommlint already reports a TC001 is dropped: one finding per
    line, tcommlint's own (with its reason and replacement) first.
    """
    taken = {(error.span.path, error.span.line) for error in deployment.parse_errors}
    added: list[ParseError] = []
    for source in deployment.files:
        if source.role != "haproxy":
            continue
        path = Path(source.path)
        for error in check_file(binary, path if path.is_absolute() else cwd / path, source.path):
            key = (error.span.path, error.span.line)
            if key not in taken:
                taken.add(key)
                added.append(error)
    if not added:
        return deployment
    return deployment._replace(parse_errors=tuple(sorted({*deployment.parse_errors, *added})))
