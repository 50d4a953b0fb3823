"""Scale of ``tcommlint check`` in the number of routes: F5 tmsh, AS3 and HAProxy.

Each size N is a deployment of the chat example (manifest, two proxies, the chat server) whose
load balancer has N routes that serve the app path: a ``bigip.conf`` with N virtuals, each with
its own pool of the two proxies and its own cookie persistence profile; the same as an AS3
declaration; an ``haproxy.cfg`` with N frontends, each routing ``/api`` by a path ACL to its own
backend with a cookie. Every fourth route's cookie expires after 10 minutes, shorter than the
example's 45-minute chat session, so a quarter of the routes break (TC205) and the findings'
path is measured too (``--broken-every 0``: every route sticky).

Every size runs ``python -m tcommlint check DIR --format json`` in a fresh process; the table
shows the wall time, the peak RSS of that process and the growth exponent from the size
before, log(t2/t1) / log(n2/n1): 1 is linear, 2 quadratic.

    python benchmarks/scale.py [--large] [--sizes 100,400] [--vendors tmsh,as3,haproxy]
                               [--broken-every 4]

``--large`` adds N = 2500. The default run (100, 400, 1600) takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "chat-fixed"
MEMBERS = ("10.20.1.11", "10.20.1.12")  # the proxies of the example's manifest
PORT = 8443
SIZES = (100, 400, 1600)
LARGE = 2500
SHORT_COOKIE = "0:10:0"  # 10 minutes: the example's sessions last 45


def broken(i: int, every: int) -> bool:
    """Whether route ``i`` gets a cookie that expires before the chat session ends."""
    return every > 0 and i % every == every - 1


# --- the deployments -------------------------------------------------------------------------


def tmsh(n: int, every: int) -> str:
    """``bigip.conf``: N virtuals, each with its own pool of two members and cookie profile."""
    parts = ["#TMSH-VERSION: 15.1.0\n"]
    parts += [f"ltm node /Common/{a} {{\n    address {a}\n}}\n" for a in MEMBERS]
    for i in range(n):
        members = "".join(
            f"        /Common/{a}:{PORT} {{\n            address {a}\n        }}\n" for a in MEMBERS
        )
        parts.append(
            f"ltm persistence cookie /Common/cookie_chat_{i} {{\n"
            "    defaults-from /Common/cookie\n"
            + (f"    expiration {SHORT_COOKIE}\n" if broken(i, every) else "")
            + "}\n"
            f"ltm pool /Common/pool_chat_{i} {{\n"
            f"    members {{\n{members}    }}\n"
            "    monitor /Common/https\n"
            "}\n"
            f"ltm virtual /Common/vs_chat_{i} {{\n"
            f"    destination /Common/203.0.113.10:{10000 + i}\n"
            "    ip-protocol tcp\n"
            "    mask 255.255.255.255\n"
            "    persist {\n"
            f"        /Common/cookie_chat_{i} {{\n"
            "            default yes\n"
            "        }\n"
            "    }\n"
            f"    pool /Common/pool_chat_{i}\n"
            "    profiles {\n"
            "        /Common/clientssl {\n"
            "            context clientside\n"
            "        }\n"
            "        /Common/http { }\n"
            "        /Common/tcp { }\n"
            "    }\n"
            "    source 0.0.0.0/0\n"
            "    translate-address enabled\n"
            "    translate-port enabled\n"
            "}\n"
        )
    return "".join(parts)


def as3(n: int, every: int) -> str:
    """An AS3 declaration: N HTTPS services, each with its own pool and cookie Persist."""
    application: dict[str, object] = {"class": "Application"}
    for i in range(n):
        application[f"vs_chat_{i}"] = {
            "class": "Service_HTTPS",
            "virtualAddresses": ["203.0.113.10"],
            "virtualPort": 10000 + i,
            "pool": f"pool_chat_{i}",
            "persistenceMethods": [{"use": f"cookie_chat_{i}"}],
            "serverTLS": {"bigip": "/Common/clientssl"},
        }
        application[f"cookie_chat_{i}"] = {
            "class": "Persist",
            "persistenceMethod": "cookie",
            "cookieMethod": "insert",
            **({"ttl": 600} if broken(i, every) else {}),
        }
        application[f"pool_chat_{i}"] = {
            "class": "Pool",
            "monitors": ["https"],
            "members": [{"servicePort": PORT, "serverAddresses": list(MEMBERS)}],
        }
    declaration = {
        "class": "AS3",
        "action": "deploy",
        "declaration": {
            "class": "ADC",
            "schemaVersion": "3.36.0",
            "id": "chat-scale",
            "Chat": {"class": "Tenant", "Proxy": application},
        },
    }
    return json.dumps(declaration, indent=2) + "\n"


def haproxy(n: int, every: int) -> str:
    """``haproxy.cfg``: N frontends, each routing ``/api`` by a path ACL to its own backend."""
    parts = [
        "global\n    maxconn 20000\n\n",
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n"
        "    timeout server 60s\n\n",
        "backend be_web\n    server web-1 10.20.2.21:80 check\n\n",
    ]
    for i in range(n):
        servers = "".join(
            f"    server proxy-{k + 1} {a}:{PORT} check ssl verify none cookie p{k + 1}\n"
            for k, a in enumerate(MEMBERS)
        )
        parts.append(
            f"frontend fe_chat_{i}\n"
            f"    bind :{10000 + i}\n"
            "    acl is_api path_beg /api/ /api\n"
            f"    use_backend be_chat_{i} if is_api\n"
            "    default_backend be_web\n\n"
            f"backend be_chat_{i}\n"
            "    balance roundrobin\n"
            "    cookie SRV insert indirect nocache"
            + (" maxlife 10m\n" if broken(i, every) else "\n")
            + f"{servers}\n"
        )
    return "".join(parts)


VENDORS: dict[str, tuple[str, Callable[[int, int], str]]] = {
    "tmsh": ("bigip.conf", tmsh),
    "as3": ("as3.json", as3),
    "haproxy": ("haproxy.cfg", haproxy),
}


def make_deployment(scratch: Path, vendor: str, n: int, every: int = 4) -> Path:
    """The example deployment with a generated load balancer of N routes."""
    root = scratch / f"{vendor}-{n}"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("lb"))
    name, generate = VENDORS[vendor]
    (root / "lb").mkdir()
    (root / "lb" / name).write_text(generate(n, every), encoding="utf-8")
    return root


# --- one run -----------------------------------------------------------------------------------


class Run(NamedTuple):
    seconds: float
    rss_mb: float
    exit_code: int
    findings: int


def check(root: Path, scratch: Path) -> Run:
    """``tcommlint check`` of one deployment in a fresh process: wall time and peak RSS."""
    out = scratch / "out.json"
    command = [sys.executable, "-m", "tcommlint", "check", str(root), "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    with out.open("wb") as sink:
        process = subprocess.Popen(command, cwd=scratch, env=env, stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = usage.ru_maxrss  # kilobytes on Linux
    if sys.platform == "darwin":
        rss_kb //= 1024
    try:
        findings = len(json.loads(out.read_text(encoding="utf-8")).get("findings", []))
    except (ValueError, AttributeError):
        findings = -1
    return Run(seconds, rss_kb / 1024, process.returncode, findings)


def exponent(previous: tuple[int, float] | None, n: int, value: float) -> str:
    if previous is None or previous[1] <= 0 or value <= 0:
        return ""
    return f"{math.log(value / previous[1]) / math.log(n / previous[0]):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help=f"add N = {LARGE}")
    parser.add_argument("--sizes", help="comma-separated sizes instead of the default")
    parser.add_argument("--vendors", default="tmsh,as3,haproxy")
    parser.add_argument(
        "--broken-every", type=int, default=4, help="every k-th route breaks (0: none)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    if args.large:
        sizes.append(LARGE)
    vendors = [v for v in args.vendors.split(",") if v]
    unknown = [v for v in vendors if v not in VENDORS]
    if unknown:
        parser.error(f"unknown vendor {', '.join(unknown)} (one of {', '.join(VENDORS)})")
    failed = False
    header = f"{'vendor':<8} {'N':>5} {'seconds':>8} {'x prev':>7} {'exp t':>6} {'RSS MB':>8}"
    print(header + f" {'exp RSS':>7} {'findings':>8} {'exit':>4}")
    with tempfile.TemporaryDirectory(prefix="tcommlint-scale-") as name:
        scratch = Path(name)
        # One untimed run first, as the first commit of a day fills the rule cache.
        warm_up = make_deployment(scratch, vendors[0], min(sizes), args.broken_every)
        check(warm_up, scratch)
        shutil.rmtree(warm_up)
        for vendor in vendors:
            previous: tuple[int, float] | None = None
            previous_rss: tuple[int, float] | None = None
            for n in sizes:
                root = make_deployment(scratch, vendor, n, args.broken_every)
                run = check(root, scratch)
                shutil.rmtree(root)
                ratio = f"{run.seconds / previous[1]:.1f}" if previous else ""
                print(
                    f"{vendor:<8} {n:>5} {run.seconds:8.2f} {ratio:>7} "
                    f"{exponent(previous, n, run.seconds):>6} {run.rss_mb:8.0f} "
                    f"{exponent(previous_rss, n, run.rss_mb):>7} {run.findings:>8} "
                    f"{run.exit_code:>4}",
                    flush=True,
                )
                failed = failed or run.exit_code not in (0, 1) or run.findings < 0
                previous, previous_rss = (n, run.seconds), (n, run.rss_mb)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
