"""Mutation fuzzing of every reader: the harness shared by tests/test_fuzz.py (a bounded run in
CI) and benchmarks/fuzz.py (a long run that prints inputs per second and failures).

Each target reads bytes the way tcommlint reads that kind of file and judges the result by the
contract: a reader either returns (its refusals are findings whose reasons are one line) or
raises UsageError with a one-line message; anything else — another exception, a multi-line
message, more than ``HANG_SECONDS`` — is a failure. Seeds come from ``../shared/corpus`` and
the project's own examples, fixtures and rules; mutations flip, insert, delete, repeat and
splice bytes, change line ends and encodings, and nest deeply.
"""

from __future__ import annotations

import random
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "corpus"
HANG_SECONDS = 10
MAX_SEED_BYTES = 6000  # seeds are cut to this size: mutations matter, not bulk
TOKENS = (
    b"\r\n",
    b"\r",
    b"\n",
    b"\0",
    b"\t",
    b"\x1b[31m",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\\",
    b"\\u",
    b"\\uD800",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b">",
    b"&",
    b"<!ENTITY x SYSTEM 'file:///'>",
    b"<!DOCTYPE a [",
    b"*a",
    b"&a",
    b"!!python/object:os.system",
    b"%",
    b'"',
    b"'",
    b"#",
    b";",
    b"=",
    b":",
    b"${",
    b".if",
    b".endif",
    b"{ ",
    b" }",
    b"use_backend",
    b"cookie JSESSIONID",
    b"stick on req.cook(JSESSIONID)",
    b"ltm virtual /Common/v {",
    b"rule ",
    b"when HTTP_REQUEST",
    b'"class": "AS3"',
    b"AutoCallQueue=",
    b"enable.callagentMessage",
    b"9" * 40,
    b"-1",
)


class Failure(NamedTuple):
    """An input a reader mishandled."""

    target: str
    kind: str  # "crash", "hang", "multi-line"
    detail: str
    data: bytes


class Target(NamedTuple):
    """One reader: its seeds and how it reads a file (returns the messages to judge)."""

    name: str
    suffix: str
    seeds: Callable[[], list[bytes]]
    read: Callable[[Path], list[str]]


class _Hang(Exception):
    pass


# --- seeds ------------------------------------------------------------------------------------


def _files(*patterns: tuple[Path, str]) -> list[bytes]:
    found = []
    for root, pattern in patterns:
        if root.is_dir():
            found.extend(sorted(path for path in root.glob(pattern) if path.is_file()))
    return [path.read_bytes()[:MAX_SEED_BYTES] for path in found]


def _seeds(*patterns: tuple[Path, str], fallback: bytes) -> Callable[[], list[bytes]]:
    return lambda: _files(*patterns) or [fallback]


EXAMPLES = PROJECT / "examples"
FIXTURES = PROJECT / "tests" / "fixtures"


# --- readers ----------------------------------------------------------------------------------


def _deployment(relative: str, simulate: bool = False) -> Callable[[Path], list[str]]:
    """Read the input as the file ``relative`` of a deployment, through the same loading as
    ``check`` (classification, the loader, the deployment boundary), and with ``simulate``
    run a chat session through whatever load balancer it compiled to."""

    def read(path: Path) -> list[str]:
        from tcommlint.discover import DeploymentPlan
        from tcommlint.load import load_deployment
        from tcommlint.stickiness import route_verdicts

        target = path.parent / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        plan = DeploymentPlan(path.parent, None, (target,))
        deployment = load_deployment(plan, None, path.parent)
        if simulate:
            route_verdicts(deployment)
        return [error.reason for error in deployment.parse_errors]

    return read


def _read_manifest(path: Path) -> list[str]:
    from tcommlint.settings import read_config

    target = path.with_name("tcommlint.yaml")
    path.replace(target)
    read_config(target, target.parent)
    return []


def _read_rule(path: Path) -> list[str]:
    from tcommlint.ruleset import _load_rule_file  # one rule file, without the bundled ones

    _load_rule_file(path, path.name)
    return []


def _read_har(path: Path) -> list[str]:
    from tcommlint.har import analyse, read_har

    analyse(read_har(path, path.name), "/api", "JSESSIONID")
    return []


def _read_baseline(path: Path) -> list[str]:
    from tcommlint.baseline import read_baseline

    read_baseline(str(path))
    return []


def _classify(path: Path) -> list[str]:
    from tcommlint.classify import part_of

    for name in ("haproxy.cfg", "bigip.conf", "proxy.properties", "x.json", "x.yaml"):
        path = path.rename(path.with_name(name))
        part_of(path)
    return []


TARGETS = (
    Target(
        "properties",
        ".properties",
        _seeds((EXAMPLES, "**/*.properties"), (FIXTURES, "**/*.properties"), fallback=b"a=b\n"),
        _deployment("proxy/conf/config/proxy.properties"),
    ),
    Target(
        "yaml",
        ".yaml",
        _seeds((FIXTURES, "**/*.yaml"), (EXAMPLES, "**/*.yaml"), fallback=b"AutoCallQueue: true\n"),
        _deployment("server/rconfig.yaml"),
    ),
    Target(
        "json",
        ".json",
        _seeds((FIXTURES, "**/*.json"), fallback=b'{"AutoCallQueue": true}\n'),
        _deployment("server/rconfig.json"),
    ),
    Target(
        "xml",
        ".xml",
        _seeds((FIXTURES, "**/*.xml"), (CORPUS / "tomcat", "*.xml"), fallback=b"<a><b>c</b></a>"),
        _deployment("proxy/proxy-config.xml"),
    ),
    Target(
        "tomcat",
        ".xml",
        _seeds((CORPUS / "tomcat", "*.xml"), (EXAMPLES, "**/conf/*.xml"), fallback=b"<Server/>"),
        _deployment("proxy/conf/server.xml"),
    ),
    Target(
        "haproxy",
        ".cfg",
        _seeds(
            (CORPUS / "haproxy", "*"), (EXAMPLES, "**/*.cfg"), fallback=b"defaults\n    mode http\n"
        ),
        _deployment("lb/haproxy.cfg", simulate=True),
    ),
    Target(
        "f5-tmsh",
        ".conf",
        _seeds(
            (CORPUS / "f5-tmsh", "*"),
            (FIXTURES / "f5", "**/*.conf"),
            fallback=b"ltm pool /Common/p { }\n",
        ),
        _deployment("lb/bigip.conf", simulate=True),
    ),
    Target(
        "f5-as3",
        ".json",
        _seeds((CORPUS / "f5-as3", "*"), fallback=b'{"class": "AS3"}'),
        _deployment("lb/as3.json", simulate=True),
    ),
    Target(
        "manifest",
        ".yaml",
        _seeds((EXAMPLES, "*/tcommlint.yaml"), fallback=b"deployment: {name: x}\n"),
        _read_manifest,
    ),
    Target(
        "rule",
        ".yaml",
        _seeds((PROJECT / "rules", "TC*.yaml"), fallback=b"id: XX001\n"),
        _read_rule,
    ),
    Target("har", ".har", _seeds((FIXTURES / "har", "*.har"), fallback=b"{}"), _read_har),
    Target(
        "baseline",
        ".json",
        _seeds((FIXTURES, "**/baseline*.json"), fallback=b'{"version": 1, "findings": []}'),
        _read_baseline,
    ),
    Target(
        "classify", ".txt", _seeds((EXAMPLES, "**/*"), fallback=b"AutoCallQueue=true\n"), _classify
    ),
)


# --- mutations --------------------------------------------------------------------------------


def mutate(data: bytes, other: bytes, rng: random.Random) -> bytes:
    """One to four random mutations of ``data`` (``other`` is another seed, for splices)."""
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(_MUTATORS)(bytearray(data), other, rng)
    return data[: 4 * MAX_SEED_BYTES] if rng.random() < 0.9 else data


def _flip(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _insert(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return bytes(data[:at] + rng.choice(TOKENS) * rng.choice((1, 1, 2, 64)) + data[at:])


def _delete(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    if not data:
        return b""
    start = rng.randrange(len(data))
    return bytes(data[:start] + data[start + rng.randint(1, 200) :])


def _repeat(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    if not data:
        return b""
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 120)]
    return bytes(data[:start] + chunk * rng.choice((2, 10, 300)) + data[start:])


def _splice(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    return bytes(data[: rng.randint(0, len(data))]) + other[rng.randint(0, len(other)) :]


def _line_ends(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    return bytes(data).replace(b"\n", rng.choice((b"\r\n", b"\r", b"\n\n", b"\x0b", b"\x85")))


def _encoding(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    text = bytes(data).decode("utf-8", errors="replace")
    return rng.choice(
        (b"\xef\xbb\xbf" + bytes(data), text.encode("utf-16"), text.encode("latin-1", "replace"))
    )


def _nest(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    opening, closing = rng.choice(
        ((b"[", b"]"), (b"{", b"}"), (b"<a>", b"</a>"), (b"- ", b""), (b".if 1\n", b".endif\n"))
    )
    depth = rng.choice((50, 300, 5000))
    at = rng.randint(0, len(data))
    return bytes(data[:at]) + opening * depth + closing * depth + bytes(data[at:])


def _truncate(data: bytearray, other: bytes, rng: random.Random) -> bytes:
    return bytes(data[: rng.randint(0, len(data))])


_MUTATORS = (
    _flip,
    _flip,
    _insert,
    _insert,
    _delete,
    _repeat,
    _splice,
    _line_ends,
    _encoding,
    _nest,
    _truncate,
)


# --- running ----------------------------------------------------------------------------------


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def judge(target: Target, data: bytes, workdir: Path) -> Failure | None:
    """Read ``data`` as ``target`` reads a file; a Failure if the contract was broken."""
    from tcommlint.errors import UsageError

    for stale in workdir.rglob("*"):
        if stale.is_file():
            stale.unlink()
    path = workdir / f"input{target.suffix}"
    path.write_bytes(data)
    try:
        with _deadline(HANG_SECONDS):
            messages = target.read(path)
    except UsageError as error:
        messages = [str(error)]
    except _Hang:
        return Failure(target.name, "hang", f"over {HANG_SECONDS} s", data)
    except Exception as error:  # the failure this harness exists to find
        return Failure(target.name, "crash", f"{type(error).__name__}: {error}"[:300], data)
    for message in messages:
        if "\n" in message or "\r" in message:
            return Failure(target.name, "multi-line", message[:300], data)
    return None


class Tally(NamedTuple):
    """What a run did."""

    inputs: int
    seconds: float
    failures: list[Failure]


SLICE_SECONDS = 0.25  # each target in turn gets this long: slow readers do not starve fast ones


def run(seconds: float, seed: int = 0, targets: tuple[Target, ...] = TARGETS) -> Tally:
    """Fuzz ``targets`` in turn, a time slice each, for ``seconds``; the inputs drawn depend only
    on ``seed`` and on how many fit in each slice."""
    from tcommlint import cache

    with cache.disabled():
        return _run(seconds, seed, targets)


def _run(seconds: float, seed: int, targets: tuple[Target, ...]) -> Tally:
    rng = random.Random(seed)
    seeds = {target.name: target.seeds() for target in targets}
    failures: list[Failure] = []
    count, started, turn = 0, time.monotonic(), 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        while time.monotonic() - started < seconds:
            target = targets[turn % len(targets)]
            pool = seeds[target.name]
            slice_end = min(time.monotonic() + SLICE_SECONDS, started + seconds)
            while time.monotonic() < slice_end:
                data = mutate(rng.choice(pool), rng.choice(pool), rng)
                failure = judge(target, data, workdir)
                if failure is not None:
                    failures.append(failure)
                count += 1
            turn += 1
    return Tally(count, time.monotonic() - started, failures)
