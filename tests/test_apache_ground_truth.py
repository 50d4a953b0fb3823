"""Ground truth: tcommlint's Apache httpd stickiness verdicts against a real apache2 on loopback.

Every configuration of ``matrix_apache`` is checked with ``apache2 -t`` and run (``apache2 -X``)
in front of the chat nodes; the observed verdict must equal what was recorded from the real
server, and tcommlint's verdict (no error from a stickiness rule; TC001 for what ``apache2 -t``
refuses) must equal the observation. The comparison skips while tcommlint has no Apache loader.
"""

from __future__ import annotations

import http.client
from pathlib import Path

from tests.groundtruth.harness import (
    APACHE,
    Ports,
    Scenario,
    chat_backends,
    differential_tests,
    write_deployment,
)
from tests.groundtruth.matrix import recording_problems
from tests.groundtruth.matrix_apache import ENTRIES


def test_matrix_covers_every_family_with_predictions() -> None:
    assert len(ENTRIES) >= 45
    assert recording_problems(ENTRIES) == []


def test_matrix_renders_complete_configurations() -> None:
    ports = Ports(8080, (9001, 9002, 9003))
    for entry in ENTRIES:
        text = entry.render(ports) + "".join(t for _, t in entry.render_files(ports))
        assert "@" not in text, entry.id
        assert "Listen 127.0.0.1:8080" in text and "PidFile" in text, entry.id


def test_node_without_jvm_route_issues_bare_ids() -> None:
    with chat_backends(1, jvm_routes=False) as (node,):
        conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=5)
        conn.request("GET", "/api/chat")
        session = conn.getresponse().getheader("X-Session") or ""
        conn.close()
    assert len(session) == 32 and "." not in session and node.route == "p1"


def test_deployment_without_jvm_routes_and_with_included_files(tmp_path: Path) -> None:
    files = (("conf.d/chat.conf", "ProxySet balancer://chat stickysession=X\n"),)
    write_deployment(
        tmp_path,
        "Include conf.d/chat.conf\n",
        Scenario(),
        "JSESSIONID",
        APACHE.config_name,
        jvm_routes=False,
        files=files,
    )
    assert (tmp_path / "lb" / "conf.d" / "chat.conf").read_text() == files[0][1]
    server_xml = (tmp_path / "proxy-1" / "conf" / "server.xml").read_text()
    assert "<Engine " in server_xml and "jvmRoute" not in server_xml


APACHE_SUITE = differential_tests(APACHE, ENTRIES, "apache", "Apache")
observe = APACHE_SUITE.observe  # each entry observed once, shared by both tests
test_apache_observation_matches_recorded = APACHE_SUITE.observation_matches_recorded
test_tcommlint_verdict_matches_apache = APACHE_SUITE.tcommlint_verdict_matches
