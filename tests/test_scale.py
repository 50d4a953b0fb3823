"""The fact view and the simulation are linear in the number of routes (SPEC: no stage worse
than linear in its input), counted in operations rather than timed.

A deployment of the chat example gets a load balancer of N routes (F5 tmsh virtuals, HAProxy
frontends), each to its own pool, with persistence of several kinds and a break on every fourth
route. It is checked in-process at N = 100 and N = 400 while counters record the work: requests
the simulator plays, route maps built, every element read from a load-balancer-wide list (pools,
services, tables, cookie mentions) and every fact handed to CEL per evaluation. Linear work
grows 4 times from 100 to 400; the test fails at 5.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tcommlint import engine, expr, route_facts
from tcommlint.discover import planned
from tcommlint.engine import Selection, evaluate
from tcommlint.expr import Compiled
from tcommlint.load import load_deployment
from tcommlint.model import Deployment
from tcommlint.pipeline import run
from tcommlint.pipeline.model import LoadBalancer
from tcommlint.ruleset import load_rules

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chat-fixed"
MEMBERS = ("10.20.1.11", "10.20.1.12")  # the example's proxies
SMALL, LARGE = 100, 400
MOST = 5.0  # linear work grows LARGE / SMALL = 4 times


def _tmsh(n: int) -> str:
    """Virtuals with their own pool: cookie insert (every fourth expiring before the session
    ends), or universal persistence through their own iRule on JSESSIONID."""
    members = "".join(
        f"        /Common/{a}:8443 {{\n            address {a}\n        }}\n" for a in MEMBERS
    )
    parts = []
    for i in range(n):
        if i % 3 == 2:
            parts.append(
                f"ltm rule /Common/r_{i} {{\nwhen HTTP_REQUEST {{\n"
                '    if { [HTTP::cookie exists "JSESSIONID"] } {\n'
                '        persist uie [HTTP::cookie "JSESSIONID"]\n    }\n}\n'
                "when HTTP_RESPONSE {\n"
                '    if { [HTTP::cookie exists "JSESSIONID"] } {\n'
                '        persist add uie [HTTP::cookie "JSESSIONID"]\n    }\n}\n}\n'
                f"ltm persistence universal /Common/persist_{i} {{\n"
                f"    defaults-from /Common/universal\n    rule /Common/r_{i}\n"
                "    timeout 7200\n}\n"
            )
        else:
            expiration = "    expiration 0:10:0\n" if i % 4 == 3 else ""
            parts.append(
                f"ltm persistence cookie /Common/persist_{i} {{\n"
                f"    defaults-from /Common/cookie\n{expiration}}}\n"
            )
        parts.append(
            f"ltm pool /Common/pool_{i} {{\n    members {{\n{members}    }}\n}}\n"
            f"ltm virtual /Common/vs_{i} {{\n"
            f"    destination /Common/203.0.113.10:{10000 + i}\n"
            f"    persist {{\n        /Common/persist_{i} {{\n            default yes\n"
            "        }\n    }\n"
            f"    pool /Common/pool_{i}\n"
            "    profiles {\n        /Common/http { }\n        /Common/tcp { }\n    }\n}\n"
        )
    return "".join(parts)


def _haproxy(n: int) -> str:
    """Frontends routing /api by a path ACL to their own backend: a cookie (every fourth with
    a lifetime shorter than the session) or a stick table learning JSESSIONID."""
    servers = "".join(
        f"    server proxy-{k} {a}:8443 check cookie p{k}\n" for k, a in enumerate(MEMBERS, 1)
    )
    parts = [
        "defaults\n    mode http\n    timeout client 60s\n    timeout server 60s\n"
        "    timeout connect 5s\n\n",
        "backend be_web\n    server web-1 10.20.2.21:80 check\n\n",
    ]
    for i in range(n):
        if i % 2:
            persistence = (
                "    stick-table type string len 52 size 200k expire 2h\n"
                "    stick on req.cook(JSESSIONID)\n"
                "    stick store-response res.cook(JSESSIONID)\n"
            )
        else:
            lifetime = " maxlife 10m" if i % 4 == 0 else ""
            persistence = f"    cookie SRV insert indirect nocache{lifetime}\n"
        parts.append(
            f"frontend fe_{i}\n    bind :{10000 + i}\n    acl is_api path_beg /api/ /api\n"
            f"    use_backend be_{i} if is_api\n    default_backend be_web\n\n"
            f"backend be_{i}\n    balance roundrobin\n{persistence}{servers}\n"
        )
    return "".join(parts)


CONFIGS: dict[str, tuple[str, Callable[[int], str]]] = {
    "tmsh": ("bigip.conf", _tmsh),
    "haproxy": ("haproxy.cfg", _haproxy),
}


class _Counted(tuple):  # type: ignore[type-arg]
    """A load balancer's list that counts every element anything reads from it."""

    counter: Counter[str]
    label: str

    def __iter__(self) -> Iterator[Any]:
        for element in tuple.__iter__(self):
            self.counter[self.label] += 1
            yield element


def _counted(values: tuple[Any, ...], counter: Counter[str], label: str) -> _Counted:
    counted = _Counted(values)
    counted.counter, counted.label = counter, label
    return counted


def _watched(lb: LoadBalancer, counter: Counter[str]) -> LoadBalancer:
    return lb._replace(
        pools=_counted(lb.pools, counter, "lb.pools read"),
        services=_counted(lb.services, counter, "lb.services read"),
        tables=_counted(lb.tables, counter, "lb.tables read"),
        cookie_mentions=_counted(lb.cookie_mentions, counter, "lb.cookie_mentions read"),
    )


def _facts_size(data: Any) -> int:
    """What CEL converts for one evaluation: the entries of the deployment's facts."""
    if not isinstance(data, dict) or not isinstance(data.get("deployment"), dict):
        return 0
    facts = data["deployment"]
    return sum(len(v) if isinstance(v, (list, dict)) else 1 for v in facts.values())


def _deployment(root: Path, name: str, text: str) -> Deployment:
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("lb"))
    (root / "lb").mkdir()
    (root / "lb" / name).write_text(text, encoding="utf-8")
    ((plan, manifest),) = planned([str(root)], root.parent, None)
    return load_deployment(plan, manifest, root.parent)


def _count(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, rules: list[Any]
) -> tuple[Counter[str], int]:
    counter: Counter[str] = Counter()

    def counting(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            counter[label] += 1
            return function(*args, **kwargs)

        return counted

    request = run.Run._request
    evaluate_expression, bind = Compiled.evaluate, expr.bind

    def sized_evaluate(self: Compiled, data: Any = None, **kwargs: Any) -> Any:
        counter["facts handed to CEL"] += _facts_size(data)
        return evaluate_expression(self, data, **kwargs)

    def sized_bind(data: Any, *args: Any) -> Any:
        counter["facts handed to CEL"] += _facts_size(data)
        return bind(data, *args)

    watched = deployment._replace(
        load_balancers=tuple(_watched(lb, counter) for lb in deployment.load_balancers)
    )
    with monkeypatch.context() as patch:
        patch.setattr(run.Run, "_request", counting("requests simulated", request))
        patch.setattr(route_facts, "_route", counting("routes built", route_facts._route))
        patch.setattr(route_facts, "_breaks", counting("break lists", route_facts._breaks))
        patch.setattr(Compiled, "evaluate", sized_evaluate)
        patch.setattr(engine, "bind", sized_bind)
        outcome = evaluate(watched, rules, Selection())
    return counter, len(outcome.findings)


@pytest.mark.parametrize("vendor", sorted(CONFIGS))
def test_fact_view_and_simulation_are_linear(
    vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    rules = load_rules()
    name, generate = CONFIGS[vendor]
    counts = {}
    findings = {}
    for n in (SMALL, LARGE):
        deployment = _deployment(tmp_path / f"{vendor}-{n}", name, generate(n))
        counts[n], findings[n] = _count(deployment, monkeypatch, rules)
    assert counts[SMALL]["requests simulated"] > 0 and counts[SMALL]["routes built"] == SMALL
    assert findings[SMALL] > 0 and findings[LARGE] >= 3 * findings[SMALL]
    assert counts[SMALL]["lb.cookie_mentions read"] > 0 and counts[SMALL]["break lists"] > 0
    if vendor == "haproxy":
        assert counts[SMALL]["lb.tables read"] > 0
    growth = {
        label: counts[LARGE][label] / counts[SMALL][label]
        for label in counts[LARGE]
        if counts[SMALL][label]
    }
    assert set(growth) == set(counts[LARGE]), "work that only the large deployment does"
    worse = {label: round(ratio, 2) for label, ratio in growth.items() if ratio >= MOST}
    assert not worse, f"{vendor}: work growing faster than the routes ({LARGE // SMALL}x): {worse}"
