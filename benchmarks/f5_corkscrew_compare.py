"""Cross-check tcommlint's tmsh parser with F5's f5-corkscrew on the corpus: counts and speed.

For every ``.conf`` file of ``../shared/corpus/f5-tmsh/`` the benchmark compares the object
counts of ``tcommlint.loaders.f5.bigip.load_f5_tmsh(...).counts`` with f5-corkscrew's
``explode().stats.objects`` and both parse times (best of ``--repeat`` runs, in one process
each, so neither side pays its start-up). corkscrew reads a ``.tar.gz`` holding
``config/bigip.conf``; one is built per file in a temporary folder, and a small node script
is written next to the corkscrew install at run time.

corkscrew's own parse time (``stats.parseTime``) covers reading and unpacking its archive,
so tcommlint's parse time covers reading its file from disk: each side from its input on
disk to objects. Both are also timed on the text already in memory (corkscrew's
``parseConf``, tcommlint's ``read_tmsh``), printed for information.

corkscrew counts ``ltm profile`` and ``ltm monitor`` by *type* (its ``objCounter`` keeps only
the keys of ``ltm.profile`` / ``ltm.monitor``: ``http``, ``client-ssl``, ...), while
tcommlint counts objects (and includes ``ltm persistence`` in ``profiles``). The ``agree``
column compares like with like: virtuals, pools, policies, iRules and nodes as they are, and
the number of distinct profile and monitor types tcommlint read for the other two.

corkscrew is installed with ``npm install f5-corkscrew@0.13`` into ``--node-dir`` (default: a
cache folder outside the repository); without node or npm, or when the install fails, the
benchmark says so and exits 0.

    python benchmarks/f5_corkscrew_compare.py [--repeat N] [--largest N] [--node-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "f5-tmsh"
CORKSCREW = "f5-corkscrew@0.13"
KEYS = ("virtuals", "pools", "profiles", "policies", "irules", "monitors", "nodes")
SHORT = {"virtuals": "vs", "pools": "pool", "profiles": "prof", "policies": "pol"}
SHORT.update({"irules": "rule", "monitors": "mon", "nodes": "node"})
REQUIRED_COLD_RATIO = 1.0  # ahead of corkscrew in a fresh process, as one lint run reads
VERSION_LINE = b"#TMSH-VERSION:"
SENTINEL = b"sys folder /tcommlint_sentinel { }\n"

# Loads every archive named on stdin ``repeat`` times; prints one JSON line per archive.
NODE_SCRIPT = r"""
const BigipConfig = require('f5-corkscrew/dist/ltm').default;
const input = JSON.parse(require('fs').readFileSync(0, 'utf-8'));
async function firstContent(path) {
  const device = new BigipConfig();
  await device.loadParseAsync(path);
  return device.configFiles.length ? device.configFiles[0].content : null;
}
(async () => {
  for (const item of input.archives) {
    const row = { name: item.name, parse: [], memory: [], total: [] };
    Object.assign(row, { objects: null, error: null, note: null });
    for (let i = 0; i < input.repeat && !row.error; i++) {
      const start = process.hrtime.bigint();
      const device = new BigipConfig();
      try {
        await device.loadParseAsync(item.path);
      } catch (error) {
        row.error = String(error && error.message ? error.message : error).slice(0, 160);
        break;
      }
      let stats = device.stats;  // what explode() returns as .stats
      try {
        stats = (await device.explode()).stats;
        row.total.push(Number(process.hrtime.bigint() - start) / 1e6);
      } catch (error) {
        const message = error && error.message ? error.message : error;
        row.note = 'explode: ' + String(message).slice(0, 120);
      }
      row.parse.push(stats.parseTime);
      if (row.objects === null) row.objects = stats.objects || {};  // from the first run
    }
    // its parse of the file's text alone, without reading and unpacking the archive; twice
    // as many runs, as its best time here varies more from one process to the next
    const content = row.error ? null : await firstContent(item.path);
    for (let i = 0; content !== null && i < 2 * input.repeat; i++) {
      const device = new BigipConfig();
      const start = process.hrtime.bigint();
      try {
        await device.parseConf({ fileName: 'config/bigip.conf', size: content.length, content });
      } catch (error) {
        break;
      }
      row.memory.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    process.stdout.write(JSON.stringify(row) + '\n');
  }
})();
"""


class Ours(NamedTuple):
    """tcommlint's answer for one file."""

    counts: dict[str, int]
    comparable: dict[str, int]  # profiles and monitors counted by type, like corkscrew
    errors: int
    ms: float  # the file read from disk and decoded, then read_tmsh: every object read
    memory_ms: float  # read_tmsh alone, on the text already in memory
    model_ms: float  # the file read, then load_f5_tmsh: read_tmsh + the whole F5 model


class Theirs(NamedTuple):
    """corkscrew's answer for one file."""

    counts: dict[str, int]
    parse_ms: float  # its own stats.parseTime: the archive read and unpacked, then parsed
    total_ms: float  # loadParseAsync + explode (apps extraction), wall time
    error: str
    note: str = ""  # explode() failed after a successful parse (counts still known)
    memory_ms: float = float("nan")  # its parseConf alone, on the text already in memory


def default_node_dir() -> Path:
    """A cache folder outside the repository for the corkscrew install."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "tcommlint-bench" / "corkscrew-0.13"


def ensure_corkscrew(node_dir: Path) -> str:
    """Install corkscrew into ``node_dir`` if needed; "" when ready, else why it is not."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        return "node or npm is not installed"
    if (node_dir / "node_modules" / "f5-corkscrew" / "dist" / "ltm.js").is_file():
        return ""
    node_dir.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(node_dir), CORKSCREW]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"npm install {CORKSCREW} failed: {done.stderr.strip()[-300:]}"
    return ""


def build_archive(conf: Path, scratch: Path, sentinel: bool) -> Path:
    """A ``.tar.gz`` holding ``config/bigip.conf`` with the content of ``conf``.

    corkscrew 0.13 throws (uncaught, in a stream handler) on a file without the
    ``#TMSH-VERSION`` line that every saved ``bigip.conf`` starts with; corpus snippets
    taken from test suites often lack it, so it is added to the archived copy. Its object
    regex only ends an object where the next top-level object starts, so the last object of
    a file is dropped; with ``sentinel`` an empty ``sys`` object is appended (not counted).
    """
    text = conf.read_bytes()
    if not text.lstrip().startswith(VERSION_LINE):
        text = VERSION_LINE + b" 15.1.0\n" + text
    if sentinel:
        text = text.rstrip(b"\n") + b"\n" + SENTINEL
    source = scratch / f"{conf.stem}.conf"
    source.write_bytes(text)
    target = scratch / f"{conf.stem}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        archive.add(source, arcname="config/bigip.conf")
    return target


def run_corkscrew(
    node_dir: Path, confs: list[Path], repeat: int, sentinel: bool
) -> dict[str, Theirs]:
    """corkscrew's counts and best times for every file, in as few node processes as it
    takes: when corkscrew crashes on a file, that file is recorded and the rest go on."""
    script = node_dir / "tcommlint_compare.js"
    script.write_text(NODE_SCRIPT, encoding="utf-8")
    results: dict[str, Theirs] = {}
    with tempfile.TemporaryDirectory() as scratch:
        pending = [
            {"name": conf.name, "path": str(build_archive(conf, Path(scratch), sentinel))}
            for conf in confs
        ]
        while pending:
            stdout, stderr = _node(node_dir, script, pending, repeat)
            rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
            for row in rows:
                results[row["name"]] = _theirs(row)
            if len(rows) < len(pending):
                crashed = pending[len(rows)]["name"]
                results[crashed] = Theirs({}, float("nan"), float("nan"), _crash(stderr))
            pending = pending[len(rows) + 1 :]
    return results


def _node(
    node_dir: Path, script: Path, pending: list[dict[str, str]], repeat: int
) -> tuple[str, str]:
    request = json.dumps({"archives": pending, "repeat": repeat})
    done = subprocess.run(
        ["node", str(script)],
        input=request,
        capture_output=True,
        text=True,
        cwd=node_dir,
        check=False,
    )
    return done.stdout, done.stderr


def _theirs(row: dict[str, Any]) -> Theirs:
    objects = row["objects"] or {}
    return Theirs(
        {key: int(objects.get(key, 0)) for key in KEYS},
        min(row["parse"], default=float("nan")),
        min(row["total"], default=float("nan")),
        row["error"] or "",
        row["note"] or "",
        min(row["memory"], default=float("nan")),
    )


def _crash(stderr: str) -> str:
    """The error line of a node crash."""
    lines = [line for line in stderr.splitlines() if "Error" in line]
    return "crashed: " + (lines[0].strip()[:160] if lines else stderr.strip()[-160:])


def run_ours(conf: Path, repeat: int) -> Ours:
    """tcommlint's counts (as reported and as corkscrew counts) and best times for one file,
    its runs in a row like corkscrew's in the node script."""
    from tcommlint.loaders.f5.bigip import load_f5_tmsh
    from tcommlint.loaders.f5.tmsh import read_tmsh

    text = conf.read_text(encoding="utf-8", errors="replace")

    def read() -> str:
        """The file as tcommlint's loader reads it (corkscrew's parse time covers reading its
        archive)."""
        return conf.read_bytes().decode("utf-8", "replace")

    parse_ms = _best_ms(lambda: read_tmsh("config/bigip.conf", read()), repeat)
    memory_ms = _best_ms(lambda: read_tmsh("config/bigip.conf", text), repeat)
    model_ms = _best_ms(lambda: load_f5_tmsh([("config/bigip.conf", read())]), repeat)
    result = load_f5_tmsh([("config/bigip.conf", text)])
    objects, _ = read_tmsh("config/bigip.conf", text)
    comparable = dict(result.counts)
    for key, prefix in (("profiles", "ltm profile "), ("monitors", "ltm monitor ")):
        comparable[key] = len({obj.kind for obj in objects if obj.kind.startswith(prefix)})
    return Ours(result.counts, comparable, len(result.errors), parse_ms, memory_ms, model_ms)


def _best_ms(run: Callable[[], object], repeat: int) -> float:
    """The best of ``repeat`` timed calls of ``run``, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def differences(ours: Ours, theirs: Theirs) -> list[str]:
    """The comparable counts on which the two disagree, as ``key ours/theirs``."""
    return [
        f"{key} {ours.comparable.get(key, 0)}/{theirs.counts.get(key, 0)}"
        for key in KEYS
        if ours.comparable.get(key, 0) != theirs.counts.get(key, 0)
    ]


def compact(counts: dict[str, int]) -> str:
    """``vs9 pool9 ...`` for a table cell."""
    return " ".join(f"{SHORT[key]}{counts.get(key, 0)}" for key in KEYS)


def print_table(confs: list[Path], ours: dict[str, Ours], theirs: dict[str, Theirs]) -> None:
    """One row per file: counts, agreement and times."""
    print(f"{'file':<58} | {'ours (prof/mon by type)':<44} | {'corkscrew':<44} | agree | ", end="")
    print(f"{'parse ms':>8} | {'cs parse ms':>11} | {'model ms':>8} | {'cs total ms':>11}")
    for conf in confs:
        mine, other = ours[conf.name], theirs.get(conf.name)
        name = conf.name.removeprefix("f5devcentral__")[-58:]
        if other is None or other.error:
            reason = other.error if other else "no answer"
            print(f"{name:<58} | {compact(mine.comparable):<44} | corkscrew error: {reason}")
            continue
        diff = differences(mine, other)
        agree = "yes" if not diff else "NO"
        print(
            f"{name:<58} | {compact(mine.comparable):<44} | {compact(other.counts):<44} | "
            f"{agree:<5} | {mine.ms:8.2f} | {other.parse_ms:11.2f} | {mine.model_ms:8.2f} | "
            f"{other.total_ms:11.2f}"
        )


def print_summary(
    confs: list[Path], ours: dict[str, Ours], theirs: dict[str, Theirs], largest: int
) -> bool:
    """Totals, every disagreement, and the speed on the largest files (for information)."""
    answered = [c for c in confs if c.name in theirs and not theirs[c.name].error]
    agreeing = [c for c in answered if not differences(ours[c.name], theirs[c.name])]
    print(f"\nfiles: {len(confs)}; corkscrew answered {len(answered)}; counts agree on ", end="")
    print(f"{len(agreeing)} of {len(answered)}")
    explode_failed = [c for c in answered if theirs[c.name].note]
    if explode_failed:
        print(f"  corkscrew explode() threw on {len(explode_failed)} of them (first: ", end="")
        print(f"{theirs[explode_failed[0].name].note}); their counts are its parse stats")
    for key in KEYS:
        mine = sum(ours[c.name].comparable.get(key, 0) for c in answered)
        other = sum(theirs[c.name].counts.get(key, 0) for c in answered)
        raw = sum(ours[c.name].counts.get(key, 0) for c in answered)
        print(f"  {key:<9} ours {mine:>5} (as reported {raw:>5})  corkscrew {other:>5}")
    for conf in answered:
        diff = differences(ours[conf.name], theirs[conf.name])
        if diff:
            print(f"  differs: {conf.name}: {', '.join(diff)} (ours/corkscrew)")
    for conf in confs:
        if conf.name not in theirs or theirs[conf.name].error:
            reason = theirs[conf.name].error if conf.name in theirs else "no answer"
            print(f"  corkscrew failed: {conf.name}: {reason}")
    our_total = sum(ours[c.name].ms for c in answered)
    model_total = sum(ours[c.name].model_ms for c in answered)
    parse_total = sum(theirs[c.name].parse_ms for c in answered)
    print(f"\ntotal ms: parse: ours {our_total:.1f}, corkscrew {parse_total:.1f}; ", end="")
    print(f"our parse + F5 model {model_total:.1f}")
    print_speed(answered, ours, theirs, largest)


def print_speed(
    answered: list[Path], ours: dict[str, Ours], theirs: dict[str, Theirs], largest: int
) -> None:
    """Parse against parse on the largest files, the same with neither side reading its
    input, and our whole F5 model against corkscrew's parse + explode(), all warm: for
    information (the comparison that matters to a lint run is the cold one)."""
    big = sorted(answered, key=lambda c: c.stat().st_size, reverse=True)[:largest]
    print(f"\nwarm: speed on the {len(big)} largest files, best of each side's runs:")
    print("  parse: the file read and read_tmsh / corkscrew's stats.parseTime (archive")
    print("         read and unpacked, then parsed)")
    print("  in memory: read_tmsh / corkscrew's parseConf, both on the text in memory")
    print("  model: our load_f5_tmsh (parse + F5 model) / corkscrew's parse + explode()")
    ratios = []
    for conf in big:
        mine, other = ours[conf.name], theirs[conf.name]
        ratio = other.parse_ms / mine.ms
        ratios.append(ratio)
        print(f"  {conf.name.removeprefix('f5devcentral__')} ({conf.stat().st_size // 1024} KiB):")
        print(
            f"    parse {_compare(mine.ms, other.parse_ms)}; "
            f"in memory {_compare(mine.memory_ms, other.memory_ms)}; "
            f"model {_compare(mine.model_ms, other.total_ms)}"
        )
    worst = min(ratios, default=0.0)
    print(f"  parse: median {statistics.median(ratios) if ratios else 0:.1f}x, ", end="")
    print(f"worst {worst:.1f}x (for information)")


def _compare(mine: float, other: float) -> str:
    """``ours / theirs ms = ratio``: how many times faster tcommlint is."""
    return f"{mine:.2f} / {other:.2f} ms = {other / mine:.1f}x"


# One parse in a fresh process, as one lint run reads a file: the time is printed in ms.
COLD_PYTHON = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tcommlint.loaders.f5.tmsh import read_tmsh
start = time.perf_counter()
read_tmsh("config/bigip.conf", Path(sys.argv[2]).read_bytes().decode("utf-8", "replace"))
print((time.perf_counter() - start) * 1000)
"""
COLD_NODE = """
const BigipConfig = require('f5-corkscrew/dist/ltm').default;
(async () => {
  const device = new BigipConfig();
  await device.loadParseAsync(process.argv[1]);
  process.stdout.write(String(device.stats.parseTime) + '\\n');
})();
"""


def print_cold(big: list[Path], node_dir: Path, processes: int, sentinel: bool) -> bool:
    """The median, over ``processes`` fresh processes per side, of the time of the first
    and only parse of each of the largest files: what one lint run pays per file. True
    when tcommlint is ahead on every one (the requirement)."""
    ahead = True
    print(f"\ncold: one parse in a fresh process (median of {processes} processes per side):")
    with tempfile.TemporaryDirectory() as scratch:
        for conf in big:
            archive = build_archive(conf, Path(scratch), sentinel)
            mine = _median_ms([sys.executable, "-c", COLD_PYTHON, str(ROOT), str(conf)], processes)
            theirs = _median_ms(["node", "-e", COLD_NODE, str(archive)], processes, node_dir)
            print(
                f"  {conf.name.removeprefix('f5devcentral__')}: parse {mine:.2f} / "
                f"{theirs:.2f} ms = {theirs / mine:.1f}x faster"
            )
            ahead = ahead and theirs / mine > REQUIRED_COLD_RATIO
    print("  ahead of corkscrew on every file: " + ("PASS" if ahead else "FAIL"))
    return ahead


def _median_ms(command: list[str], processes: int, cwd: Path | None = None) -> float:
    """The median of the last number each of ``processes`` runs of ``command`` prints."""
    times = []
    for _ in range(processes):
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)
        numbers = [line for line in done.stdout.split() if line.replace(".", "", 1).isdigit()]
        if numbers:
            times.append(float(numbers[-1]))
    return statistics.median(times) if times else float("nan")


def largest_answered(confs: list[Path], theirs: dict[str, Theirs], count: int) -> list[Path]:
    """The ``count`` largest files that corkscrew read."""
    answered = [c for c in confs if c.name in theirs and not theirs[c.name].error]
    return sorted(answered, key=lambda c: c.stat().st_size, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--node-dir", type=Path, default=default_node_dir())
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--largest", type=int, default=3)
    parser.add_argument(
        "--cold",
        type=int,
        default=5,
        metavar="N",
        help="also time one parse per fresh process, N processes per side (0: skip)",
    )
    parser.add_argument(
        "--no-sentinel",
        action="store_true",
        help="give corkscrew the files as they are (it then drops each file's last object)",
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not present: {args.corpus}; nothing to compare")
        return 0
    why = ensure_corkscrew(args.node_dir)
    if why:
        print(f"skipped: {why}")
        return 0
    sys.path.insert(0, str(ROOT))
    confs = sorted(p for p in args.corpus.iterdir() if p.is_file())
    ours = {conf.name: run_ours(conf, args.repeat) for conf in confs}
    theirs = run_corkscrew(args.node_dir, confs, args.repeat, not args.no_sentinel)
    print_table(confs, ours, theirs)
    print_summary(confs, ours, theirs, args.largest)
    if args.cold <= 0:
        return 0
    big = largest_answered(confs, theirs, args.largest)
    return 0 if print_cold(big, args.node_dir, args.cold, not args.no_sentinel) else 1


if __name__ == "__main__":
    sys.exit(main())
