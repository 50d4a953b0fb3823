"""nginx's choice of a location at scale: thousands of locations load, route as nginx does,
and cost work in proportion to their number (counted in operations, not timed).

Each location's condition is one test of the server's search (``PlaceSearch``); a condition
that denied every location winning before it grew with the square of their number, and the
loader gave up on a server of more than 300 locations (TC008).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tcommlint.includes import Includes
from tcommlint.loaders.nginx.loader import load_nginx
from tcommlint.pipeline import evaluate
from tcommlint.pipeline.evaluate import condition_holds
from tcommlint.pipeline.http import Request
from tcommlint.pipeline.model import Service

from conftest import run_json, write_tree

MANIFEST = "deployment:\n  name: chat\n  app_path: /api\n  session_cookie: JSESSIONID\n"
KINDS = 4  # a prefix, an exact location, a ^~ prefix and a regex, in turn


def _locations(n: int) -> str:
    """N locations of every kind (every regex could match any path: each overlaps them all),
    then the app's ``/api/`` and a longer prefix inside it that answers itself."""
    lines = []
    for i in range(n):
        kind = i % KINDS
        if kind == 0:
            lines.append(f"        location /p{i}/ {{ proxy_pass http://other; }}")
        elif kind == 1:
            lines.append(f"        location = /e{i} {{ return 204; }}")
        elif kind == 2:
            lines.append(f"        location ^~ /s{i}/ {{ proxy_pass http://other; }}")
        else:
            lines.append(f"        location ~ ^/r{i}/ {{ proxy_pass http://other; }}")
    lines.append("        location /api/ { proxy_pass http://chat; }")
    lines.append("        location /api/chat/closed { return 404; }")
    return "\n".join(lines)


def _conf(n: int) -> str:
    return f"""events {{}}
http {{
    upstream chat {{
        hash $cookie_JSESSIONID;
        server 10.0.0.11:8080;
        server 10.0.0.12:8080;
    }}
    upstream other {{
        server 10.0.0.21:8080;
    }}
    server {{
        listen 80;
{_locations(n)}
    }}
}}
"""


def _service(tmp_path: Path, n: int) -> Service:
    path = tmp_path / "nginx.conf"
    text = _conf(n)
    path.write_text(text)
    result = load_nginx([(str(path), text)], Includes(tmp_path, tmp_path), False)
    assert result.errors == ()
    (lb,) = result.load_balancers
    (service,) = lb.services
    return service


def _held(service: Service, path: str) -> list[str]:
    """The texts of the routes and steps whose condition holds for a request of ``path``."""
    request = Request("GET", path, "198.51.100.1", False)
    held = [r.text for r in service.routes if condition_holds(r.when, request, None, {})]
    held += [s.text for s in service.request_steps if condition_holds(s.when, request, None, {})]
    return held


def test_two_thousand_locations_route_as_nginx_does(tmp_path: Path) -> None:
    service = _service(tmp_path, 2000)
    assert len(service.routes) == 2000 // KINDS * 3 + 1
    assert _held(service, "/p1000/x") == ["location /p1000/ { proxy_pass http://other }"]
    assert _held(service, "/p100/x") == ["location /p100/ { proxy_pass http://other }"]
    assert _held(service, "/e1001") == ["return 204"]
    assert _held(service, "/e1001/x") == []  # an exact location only
    assert _held(service, "/s1002/r1003/") == ["location ^~ /s1002/ { proxy_pass http://other }"]
    assert _held(service, "/r1003/p1000/") == ["location ~ ^/r1003/ { proxy_pass http://other }"]
    assert _held(service, "/api/chat/poll") == ["location /api/ { proxy_pass http://chat }"]
    assert _held(service, "/api/chat/closed") == ["return 404"]
    assert _held(service, "/elsewhere") == []


def test_two_thousand_locations_are_simulated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"lb/nginx.conf": _conf(2000), "tcommlint.yaml": MANIFEST})
    _, report = run_json(["check", str(tmp_path), "--fail-on", "never"], capsys)
    found = sorted(
        (f["rule"], f["location"]["line"]) for f in report["findings"] if f["rule"] != "TC006"
    )
    assert found == [("TC209", 4)]  # the app's pool hashes the session id: simulated, not TC008


@contextmanager
def _calls(counter: Counter[str]) -> Iterator[None]:
    """Count every Python and C function call made inside the block."""

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            counter["calls"] += 1

    sys.setprofile(hook)
    try:
        yield
    finally:
        sys.setprofile(None)


def _work(tmp_path: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The calls made to load N locations and to decide, for a few paths, every condition."""
    counter: Counter[str] = Counter()
    test_holds = evaluate.test_holds

    def counted(*args: Any) -> bool:
        counter["tests evaluated"] += 1
        return test_holds(*args)

    folder = tmp_path / str(n)
    folder.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(evaluate, "test_holds", counted)
        with _calls(counter):
            service = _service(folder, n)
            for path in ("/api/chat", "/api/chat/poll", "/p0/x", "/r3/x", "/elsewhere"):
                _held(service, path)
    counter["condition terms"] = sum(
        len(branch)
        for item in (*service.routes, *service.request_steps)
        for branch in item.when.branches
    )
    return counter


def test_locations_cost_work_in_proportion_to_their_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = _work(tmp_path, 500, monkeypatch), _work(tmp_path, 2000, monkeypatch)
    for what in ("calls", "tests evaluated", "condition terms"):
        ratio = large[what] / small[what]
        assert ratio < 5.5, f"{what}: {small[what]} → {large[what]} (linear: 4, square: 16)"
