"""Scale of ``tcommlint check`` in the size of its input: F5 tmsh, AS3, HAProxy, properties, fleets.

Each kind is generated at four sizes N (``--factor`` multiplies them):

- ``tmsh``, ``as3``, ``haproxy``: the chat example (manifest, two proxies, the chat server)
  whose load balancer has N routes that serve the app path: a ``bigip.conf`` with N virtuals,
  each with its own pool of the two proxies and its own cookie persistence profile; the same as
  an AS3 declaration; an ``haproxy.cfg`` with N frontends, each routing ``/api`` by a path ACL
  to its own backend with a cookie. Every fourth route's cookie expires after 10 minutes,
  shorter than the example's 45-minute chat session, so a quarter of the routes break (TC205)
  and the findings' path is measured too (``--broken-every 0``: every route sticky);
- ``properties``: one ``proxy.properties`` of N ``keyN=valueN`` lines and a few known keys;
- ``fleet``: N copies of the chat example checked in one run (``--jobs`` for that run).

Every size runs ``python -m tcommlint check DIR --format json`` in a fresh process (whose
``PYTHONPATH`` is this checkout); the table shows the wall time, the peak RSS of that process,
the growth exponent from the size before, log(t2/t1) / log(n2/n1) (1 is linear, 2 quadratic),
and for HAProxy the time of ``haproxy -c`` on the same file and tcommlint's ratio to it (when
``haproxy`` is on PATH or given with ``--haproxy``). The last line of each kind gives the
exponent from the smallest size to the largest.

    python benchmarks/scale.py [--factor 1] [--kinds tmsh,as3,haproxy,properties,fleet]
                               [--broken-every 4] [--jobs 2] [--haproxy PATH]

The default run takes a few minutes on 2 cores; ``--factor 10`` gives the issue's sizes
(HAProxy 10,000 routes, properties 1,000,000 lines ~ 800,000, fleets of 1,000).
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
SIZES = {  # four sizes of each kind, before ``--factor``
    "tmsh": (125, 250, 500, 1000),
    "as3": (125, 250, 500, 1000),
    "haproxy": (125, 250, 500, 1000),
    "properties": (12_500, 25_000, 50_000, 100_000),
    "fleet": (12, 25, 50, 100),
}
KNOWN_KEYS = "ProxyName=chat-proxy-1\nAutoCallQueue=true\nEnableCaptcha=yes\nEnableSSL=true\n"
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


def make_properties(scratch: Path, n: int) -> Path:
    """One ``proxy.properties`` of N plain lines after a few known keys (size limit raised)."""
    root = scratch / f"properties-{n}"
    root.mkdir()
    lines = "".join(f"key{i}=value{i}\n" for i in range(n))
    (root / "proxy.properties").write_text(KNOWN_KEYS + lines, encoding="utf-8")
    (root / "tcommlint.yaml").write_text("max_file_size: 1GiB\n", encoding="utf-8")
    return root


def make_fleet(scratch: Path, n: int) -> Path:
    """N copies of the chat example, each a deployment of its own."""
    root = scratch / f"fleet-{n}"
    root.mkdir()
    for i in range(n):
        shutil.copytree(EXAMPLE, root / f"chat-{i:04d}")
    return root


def make(scratch: Path, kind: str, n: int, every: int) -> Path:
    """The input of one kind and size."""
    if kind == "properties":
        return make_properties(scratch, n)
    if kind == "fleet":
        return make_fleet(scratch, n)
    return make_deployment(scratch, kind, n, every)


# --- one run -----------------------------------------------------------------------------------


class Run(NamedTuple):
    seconds: float
    rss_mb: float
    exit_code: int
    findings: int


def timed(command: list[str], cwd: Path, sink_path: Path) -> tuple[float, float, int]:
    """Wall time, peak RSS (MB) and exit code of one process, its output to ``sink_path``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    with sink_path.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    rss_kb = usage.ru_maxrss  # kilobytes on Linux
    if sys.platform == "darwin":
        rss_kb //= 1024
    return seconds, rss_kb / 1024, os.waitstatus_to_exitcode(status)


def check(root: Path, scratch: Path, jobs: int = 1) -> Run:
    """``tcommlint check`` of one input in a fresh process: wall time and peak RSS."""
    out = scratch / "out.json"
    command = [sys.executable, "-m", "tcommlint", "check", str(root), "--format", "json"]
    if jobs > 1:
        command += ["--jobs", str(jobs)]
    seconds, rss_mb, code = timed(command, scratch, out)
    try:
        findings = len(json.loads(out.read_text(encoding="utf-8")).get("findings", []))
    except (ValueError, AttributeError):
        findings = -1
    return Run(seconds, rss_mb, code, findings)


def haproxy_check(binary: str, root: Path, scratch: Path) -> float:
    """Seconds of ``haproxy -c`` on the generated file."""
    command = [binary, "-c", "-f", str(root / "lb" / "haproxy.cfg")]
    return timed(command, scratch, scratch / "haproxy.out")[0]


def exponent(previous: tuple[int, float] | None, n: int, value: float) -> str:
    if previous is None or previous[1] <= 0 or value <= 0:
        return ""
    return f"{math.log(value / previous[1]) / math.log(n / previous[0]):.2f}"


HEADER = (
    f"{'kind':<10} {'N':>8} {'seconds':>8} {'x prev':>7} {'exp t':>6} {'RSS MB':>7} "
    f"{'exp RSS':>7} {'findings':>8} {'exit':>4}  haproxy -c"
)


def measure(kind: str, sizes: list[int], scratch: Path, args: argparse.Namespace) -> bool:
    """Print one line per size and the overall exponent; whether every run succeeded."""
    ok = True
    first: tuple[int, float] | None = None
    previous: tuple[int, float] | None = None
    previous_rss: tuple[int, float] | None = None
    for n in sizes:
        root = make(scratch, kind, n, args.broken_every)
        run = check(root, scratch, args.jobs if kind == "fleet" else 1)
        reference = ""
        if kind == "haproxy" and args.haproxy:
            base = haproxy_check(args.haproxy, root, scratch)
            reference = f"{base:.2f} s, ratio {run.seconds / base:.1f}x" if base else ""
        shutil.rmtree(root)
        ratio = f"{run.seconds / previous[1]:.1f}" if previous else ""
        print(
            f"{kind:<10} {n:>8} {run.seconds:8.2f} {ratio:>7} "
            f"{exponent(previous, n, run.seconds):>6} {run.rss_mb:7.0f} "
            f"{exponent(previous_rss, n, run.rss_mb):>7} {run.findings:>8} "
            f"{run.exit_code:>4}  {reference}",
            flush=True,
        )
        ok = ok and run.exit_code in (0, 1) and run.findings >= 0
        first = first or (n, run.seconds)
        previous, previous_rss = (n, run.seconds), (n, run.rss_mb)
    if first and previous and previous[0] != first[0]:
        print(f"{kind:<10} exponent {sizes[0]}..{sizes[-1]}: {exponent(first, *previous)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=1.0, help="multiplies every size")
    parser.add_argument("--sizes", help="comma-separated sizes for every kind instead")
    parser.add_argument("--kinds", "--vendors", default=",".join(SIZES))
    parser.add_argument(
        "--broken-every", type=int, default=4, help="every k-th route breaks (0: none)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="--jobs of the fleet runs")
    parser.add_argument("--haproxy", default=shutil.which("haproxy"), help="haproxy binary")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in SIZES]
    if unknown:
        parser.error(f"unknown kind {', '.join(unknown)} (one of {', '.join(SIZES)})")
    ok = True
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="tcommlint-scale-") as name:
        scratch = Path(name)
        # One untimed run first, as the first run of a day fills the rule cache.
        warm_up = make_fleet(scratch, 1)
        check(warm_up, scratch)
        shutil.rmtree(warm_up)
        for kind in kinds:
            if args.sizes:
                sizes = [int(s) for s in args.sizes.split(",")]
            else:
                sizes = [max(1, round(n * args.factor)) for n in SIZES[kind]]
            ok = measure(kind, sizes, scratch, args) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
