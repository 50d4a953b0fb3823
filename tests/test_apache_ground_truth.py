"""Ground truth: tcommlint's Apache httpd stickiness verdicts against a real apache2 on loopback.

Every configuration of ``matrix_apache`` is checked with ``apache2 -t`` and run (``apache2 -X``)
in front of the chat nodes; the observed verdict must equal what was recorded from the real
server, and tcommlint's verdict (no error from a stickiness rule; TC001 for what ``apache2 -t``
refuses) must equal the observation. The comparison skips while tcommlint has no Apache loader.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.groundtruth.harness import (
    APACHE,
    Observation,
    Ports,
    Scenario,
    binary_of,
    chat_backends,
    entry_observer,
    explain,
    tcommlint_available,
    tcommlint_disagreement,
    write_deployment,
)
from tests.groundtruth.matrix import Entry
from tests.groundtruth.matrix_apache import ENTRIES

needs_apache = pytest.mark.skipif(
    binary_of(APACHE) is None, reason="apache2 binary not installed (apt-get install apache2)"
)
IDS = [entry.id for entry in ENTRIES]


def _apache_loader_missing() -> str:
    """Why tcommlint cannot give an Apache verdict yet ("" when it can)."""
    if not tcommlint_available():
        return "tcommlint/__main__.py not present: `python -m tcommlint check` cannot run"
    from tcommlint.loaders import registry

    if "apache" not in registry.BY_ROLE:
        return "tcommlint has no Apache loader yet (registry.BY_ROLE has no 'apache' role)"
    return ""


def test_matrix_covers_every_family_with_predictions() -> None:
    assert len(ENTRIES) >= 45 and len(set(IDS)) == len(IDS)
    families: dict[str, int] = {}
    for entry in ENTRIES:
        families[entry.id.split("-")[0]] = families.get(entry.id.split("-")[0], 0) + 1
        assert entry.description and entry.predicted_sticky is not None, entry.id
        if entry.predicted_sticky is not entry.expected_sticky:
            assert entry.note, f"{entry.id}: a surprise without a note"
    assert all(count >= 3 for count in families.values()), families


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


@pytest.fixture(scope="module")
def observe() -> Iterator[Callable[[Entry], Observation]]:
    """Each entry observed once against apache2, on chat nodes shared by the module."""
    with entry_observer(APACHE) as run:
        yield run


@pytest.mark.apache
@needs_apache
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_apache_observation_matches_recorded(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    observation = observe(entry)
    assert observation.sticky is entry.expected_sticky, explain(observation)


@pytest.mark.apache
@needs_apache
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_tcommlint_verdict_matches_apache(
    entry: Entry, observe: Callable[[Entry], Observation]
) -> None:
    missing = _apache_loader_missing()
    if missing:
        pytest.skip(missing)
    if entry.client_differs:
        pytest.skip(entry.client_differs)
    disagreement = tcommlint_disagreement(entry, observe(entry), APACHE)
    assert not disagreement, disagreement
