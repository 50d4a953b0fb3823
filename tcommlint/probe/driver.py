"""Plays the simulated chat sessions: each with its own jar, one after another or ``C`` at a
time, every request start spaced by the rate limit, the whole probe bounded by the time limit
(sessions not finished by then are reported as cut short, not dropped)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tcommlint.probe.client import Client, Exchange
from tcommlint.probe.jar import CookieJar
from tcommlint.probe.options import Options
from tcommlint.records import NamedTuple


class SessionRun(NamedTuple):
    """One simulated session: its exchanges in order, and whether it ran to the end."""

    number: int
    exchanges: tuple[Exchange, ...]
    completed: bool


class Limiter:
    """Spaces request starts ``1/rate`` seconds apart across all threads, until a deadline."""

    def __init__(self, rate: float, deadline: float, clock: Callable[[], float]) -> None:
        self._interval = 1.0 / rate
        self._deadline = deadline
        self._clock = clock
        self._next = clock()
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        """Wait for the next slot; False when it would fall after the deadline."""
        with self._lock:
            slot = max(self._next, self._clock())
            if slot >= self._deadline:
                return False
            self._next = slot + self._interval
        delay = slot - self._clock()
        if delay > 0:
            time.sleep(delay)
        return True

    def sleep(self, seconds: float) -> bool:
        """Idle ``seconds`` (a ``--pause``); False when the deadline comes first."""
        if self._clock() + seconds >= self._deadline:
            return False
        time.sleep(seconds)
        return True


def _method(options: Options, path: str) -> str:
    """GET, or POST (empty body) on the one path ``--post`` names."""
    return "POST" if options.post and path == options.post else "GET"


def play_session(number: int, options: Options, client: Client, limiter: Limiter) -> SessionRun:
    """One session: ``--requests`` requests, the pause before the last one when asked."""
    jar = CookieJar(secure_channel=options.secure, host=options.host)
    exchanges: list[Exchange] = []
    for request in range(1, options.requests + 1):
        if options.pause and request == options.requests and not limiter.sleep(options.pause):
            return SessionRun(number, tuple(exchanges), False)
        if not limiter.acquire():
            return SessionRun(number, tuple(exchanges), False)
        path = options.path_for(request)
        exchanges.append(client.fetch(_method(options, path), path, jar))
    return SessionRun(number, tuple(exchanges), True)


def play(
    options: Options,
    client: Client,
    progress: Callable[[int, int], None] = lambda done, total: None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[SessionRun, ...]:
    """All sessions, ``--concurrency`` at a time; results in session order."""
    limiter = Limiter(options.rate, clock() + options.time_limit, clock)
    results: dict[int, SessionRun] = {}
    pending = list(range(options.sessions, 0, -1))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                number = pending.pop()
            run = play_session(number, options, client, limiter)
            with lock:
                results[number] = run
                progress(len(results), options.sessions)

    threads = [
        threading.Thread(target=worker, name=f"probe-{index}", daemon=True)
        for index in range(min(options.concurrency, options.sessions))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tuple(results[number] for number in sorted(results))
