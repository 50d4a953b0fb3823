"""Services that differ only in names and positions share one simulation (``pipeline/shared.py``)
and every service still gets exactly the outcome its own simulation gives.

Every load balancer of the real-world corpus (``../shared/corpus``, every vendor) and of the
HAProxy ground-truth matrix is simulated under several application models, once with sharing
and once without: the outcomes are equal. Each service is also played alone through its
canonical form (a fresh memo: always a first run, then turned back), which exercises the
relabelling of every position and name on every configuration, not only on those whose
services repeat. A generated configuration of identical routes shows that the routes share.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcommlint.includes import Includes
from tcommlint.loaders import registry
from tcommlint.pipeline import run
from tcommlint.pipeline.model import LoadBalancer, Service
from tcommlint.pipeline.outcome import Outcome
from tcommlint.pipeline.scenarios import AppModel
from tcommlint.pipeline.shared import Sharing
from tcommlint.pipeline.simulate import _simulate_service, simulate
from tcommlint.pipeline.world import World

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
VENDORS = ("haproxy", "nginx", "apache", "f5-tmsh", "f5-as3")
APPS = (
    AppModel(),
    AppModel(jvm_routes=("node1", "node2"), concurrent_sessions=3, tomcat_timeout_seconds=3600),
    AppModel(id_in_url=True, login_changes_id=False, session_cookie="jsessionid"),
)


def _corpus() -> Iterator[tuple[str, LoadBalancer]]:
    for vendor in VENDORS:
        folder = CORPUS / vendor
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            text = path.read_text(encoding="utf-8", errors="replace")
            loader = registry.claim(text)
            if loader is None:
                continue
            includes = Includes(folder, folder)
            result = loader.load([(path.name, text)], includes, registry.LoadOptions())
            for lb in result.load_balancers:
                yield f"{vendor}/{path.name}", lb


def _matrix() -> Iterator[tuple[str, LoadBalancer]]:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from groundtruth.matrix import MATRIX
    finally:
        sys.path.remove(str(ROOT / "tests"))
    for entry in MATRIX:
        for lb in _haproxy("haproxy.cfg", entry.sample()):
            yield f"matrix/{entry.id}", lb


def _haproxy(path: str, text: str) -> tuple[LoadBalancer, ...]:
    result = registry.claim_any(text).load(
        [(path, text)], Includes(ROOT, ROOT), registry.LoadOptions()
    )
    return result.load_balancers


def _balancers() -> list[tuple[str, LoadBalancer]]:
    found = [*_corpus(), *_matrix()]
    if not found:
        pytest.skip("no corpus and no matrix")
    return found


def _alone(lb: LoadBalancer, app: AppModel) -> list[Outcome | None]:
    """Every service through its canonical form, each in a memo of its own."""
    world = World(lb)

    def simulated(seen: World, service: Service) -> Outcome | None:
        return _simulate_service(seen, service, app, False)

    return [Sharing(world, app).canonical_outcome(s, simulated) for s in lb.services]


def test_sharing_changes_no_outcome() -> None:
    balancers = _balancers()
    compared = 0
    for name, lb in balancers:
        for app in APPS:
            own = simulate(lb, app, share=False)
            assert simulate(lb, app) == own, name
            world = World(lb)
            direct = [_simulate_service(world, s, app, False) for s in lb.services]
            assert _alone(lb, app) == direct, name
            compared += len(lb.services)
    assert compared > 1000


def _routes(n: int) -> str:
    parts = ["defaults\n    mode http\n\nbackend be_web\n    server web-1 10.0.0.9:80\n\n"]
    for i in range(n):
        life = " maxlife 10m" if i % 2 else ""
        parts.append(
            f"frontend fe_{i}\n    bind :{10000 + i}\n    acl is_api path_beg /api\n"
            f"    use_backend be_{i} if is_api\n    default_backend be_web\n\n"
            f"backend be_{i}\n    cookie SRV insert indirect nocache{life}\n"
            f"    server a 10.0.0.1:80 cookie a\n    server b 10.0.0.2:80 cookie b\n\n"
        )
    return "".join(parts)


def test_identical_routes_are_played_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _routes(40)
    (lb,) = _haproxy("lb/haproxy.cfg", text)
    plays = []
    play = run.Run.play
    monkeypatch.setattr(run.Run, "play", lambda self: plays.append(1) or play(self))
    shared = simulate(lb, AppModel())
    shared_plays = len(plays)
    own = simulate(lb, AppModel(), share=False)
    assert shared == own
    # Two kinds of route among forty: the first route played as it is, then once each kind.
    assert len(plays) - shared_plays == 40 / 3 * shared_plays
    broken = [o for o in shared if o.verdict == "breaks"]
    assert [o.service.name for o in broken] == [f"fe_{i}" for i in range(1, 40, 2)]
    lines = {o.breaks[0].cause.span.line for o in broken}
    assert len(lines) == 20 and all(o.pools == (f"be_{o.service.name[3:]}",) for o in shared)
