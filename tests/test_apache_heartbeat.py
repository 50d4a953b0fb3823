"""``lbmethod=heartbeat`` (mod_lbmethod_heartbeat) chooses among members by the heartbeats
mod_heartmonitor records from mod_heartbeat on each origin server; Tomcat sends none, and the
real apache2 then answers every new session 503 ("All workers are in error state", blind trial
na2, file 07). The balancer's choice is outside the model: TC008 at the lbmethod's word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint.loaders.apache.loader import load_apache
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.simulate import simulate

from conftest import run_json, write_tree

FIXTURE = Path(__file__).parent / "fixtures" / "blind2" / "apache2-07.conf"
MANIFEST = "deployment:\n  name: chat\n  app_path: /api\n  session_cookie: JSESSIONID\n"


def test_blind_07_heartbeat_is_not_evaluable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"lb/httpd.conf": FIXTURE.read_text(), "tcommlint.yaml": MANIFEST})
    _, report = run_json(["check", str(tmp_path), "--fail-on", "never"], capsys)
    found = [
        (f["rule"], f["location"]["line"], f["location"]["column"]) for f in report["findings"]
    ]
    assert ("TC008", 20, 14) in found
    message = next(f["message"] for f in report["findings"] if f["rule"] == "TC008")
    assert "heartbeat" in message and "mod_heartmonitor" in message


@pytest.mark.parametrize(
    ("place", "line"),
    [
        ('    ProxySet lbmethod=heartbeat\n</Proxy>\nProxyPass "/api" "balancer://hb/api"', 4),
        ('</Proxy>\nProxyPass "/api" "balancer://hb/api" lbmethod=heartbeat', 5),
        ('</Proxy>\nProxyPass "/api" "balancer://hb/api" lbmethod=HeartBeat', 5),
    ],
)
def test_every_place_of_the_lbmethod_is_not_evaluable(place: str, line: int) -> None:
    text = (
        '<Proxy "balancer://hb">\n'
        '    BalancerMember "http://10.0.0.1:8080" route=p1\n'
        '    BalancerMember "http://10.0.0.2:8080" route=p2\n'
        f"{place} stickysession=JSESSIONID\n"
    )
    (lb,) = load_apache([("httpd.conf", text)], None)[0]  # type: ignore[arg-type]
    found = simulate(lb, AppModel())
    assert found and all(o.verdict == "not-evaluable" for o in found)
    assert {o.outside[0].span.line for o in found} == {line}


def test_another_lbmethod_keeps_its_verdict() -> None:
    text = FIXTURE.read_text().replace("lbmethod=heartbeat", "lbmethod=bybusyness")
    text = text.replace("heartbeat_module", "bybusyness_module").replace(
        "mod_lbmethod_heartbeat", "mod_lbmethod_bybusyness"
    )
    (lb,) = load_apache([("httpd.conf", text)], None)[0]  # type: ignore[arg-type]
    assert all(o.verdict != "not-evaluable" for o in simulate(lb, AppModel()))
