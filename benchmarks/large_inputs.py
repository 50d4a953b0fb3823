"""Reading-stage scale: one very large properties file, one HAProxy file with very many backends.

Two deployments are generated in a scratch folder and checked with ``python -m tcommlint check
DIR --format json`` in a fresh process each:

- ``properties``: one ``proxy.properties`` of N ``keyN=valueN`` lines plus a few known keys
  (target: 800,000 lines in at most 5 s);
- ``haproxy``: one ``haproxy.cfg`` whose frontend routes N paths, ``use_backend bN if
  { path_beg /pN }``, to N backends of two servers each, the last one on ``/api`` with cookie
  persistence (target: 60,000 backends in at most 4 times ``haproxy -c`` of the same file).

The table gives the input size, tcommlint's wall time and peak RSS, and for HAProxy the time of
``haproxy -c`` and the ratio (when ``haproxy`` is on PATH or given with ``--haproxy``).

    python benchmarks/large_inputs.py [--properties 800000] [--backends 60000] [--haproxy PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "ProxyName=chat-proxy-1\nAutoCallQueue=true\nEnableCaptcha=yes\nEnableSSL=true\n"


class Run(NamedTuple):
    seconds: float
    rss_mb: float
    exit_code: int


def properties(n: int) -> str:
    """N plain ``keyN=valueN`` lines with a few known keys at the start."""
    return KNOWN + "".join(f"key{i}=value{i}\n" for i in range(n))


def haproxy(n: int) -> str:
    """A frontend routing N paths to N backends of two servers; ``/api`` gets a cookie."""
    parts = [
        "global\n    maxconn 20000\n\n",
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n"
        "    timeout server 60s\n\n",
        "frontend fe_main\n    bind :8080\n",
    ]
    parts += [f"    use_backend b{i} if {{ path_beg /p{i} }}\n" for i in range(n)]
    parts.append("    use_backend be_api if { path_beg /api }\n    default_backend b0\n\n")
    parts.append(
        "backend be_api\n    balance roundrobin\n    cookie SRV insert indirect nocache\n"
        "    server a1 10.0.0.1:8443 check cookie a1\n"
        "    server a2 10.0.0.2:8443 check cookie a2\n\n"
    )
    for i in range(n):
        parts.append(
            f"backend b{i}\n    server s{i}a 10.1.{i // 250 % 250}.{i % 250 + 1}:80 check\n"
            f"    server s{i}b 10.2.{i // 250 % 250}.{i % 250 + 1}:80 check\n"
        )
    return "".join(parts)


def timed(command: list[str], cwd: Path) -> Run:
    """Wall time and peak RSS of one process (its output is discarded)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    return Run(seconds, rss_kb / 1024, os.waitstatus_to_exitcode(status))


def check(root: Path, scratch: Path) -> Run:
    command = [sys.executable, "-m", "tcommlint", "check", str(root), "--format", "json"]
    return timed([*command, "--no-cache"], scratch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=800_000, help="lines (0: skip)")
    parser.add_argument("--backends", type=int, default=60_000, help="backends (0: skip)")
    parser.add_argument("--haproxy", default=shutil.which("haproxy"), help="haproxy binary")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tcommlint-large-") as name:
        scratch = Path(name)
        print(f"{'input':<11} {'size':>14} {'MB':>6} {'seconds':>8} {'RSS MB':>7}  haproxy -c")
        if args.properties:
            folder = scratch / "props"
            folder.mkdir()
            file = folder / "proxy.properties"
            file.write_text(properties(args.properties), encoding="utf-8")
            # Over the default 8 MiB limit: raised, so that the file is read, not refused.
            (folder / "tcommlint.yaml").write_text("max_file_size: 1GiB\n", encoding="utf-8")
            run = check(folder, scratch)
            size = f"{args.properties:,} lines"
            mb = file.stat().st_size / 2**20
            print(f"{'properties':<11} {size:>14} {mb:6.1f} {run.seconds:8.2f} {run.rss_mb:7.0f}")
        if args.backends:
            folder = scratch / "lb"
            folder.mkdir()
            file = folder / "haproxy.cfg"
            file.write_text(haproxy(args.backends), encoding="utf-8")
            (folder / "tcommlint.yaml").write_text("max_file_size: 1GiB\n", encoding="utf-8")
            run = check(folder, scratch)
            reference = ""
            if args.haproxy:
                base = timed([args.haproxy, "-c", "-f", str(file)], scratch)
                ratio = run.seconds / base.seconds if base.seconds else float("inf")
                reference = f"{base.seconds:.2f} s (exit {base.exit_code}), ratio {ratio:.1f}x"
            size = f"{args.backends:,} backends"
            mb = file.stat().st_size / 2**20
            print(
                f"{'haproxy':<11} {size:>14} {mb:6.1f} {run.seconds:8.2f} {run.rss_mb:7.0f}  "
                f"{reference}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
