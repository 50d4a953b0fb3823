"""``check --format html``: a self-contained, deterministic page, also rendered in Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import run_cli

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium)"
)


class Structure(HTMLParser):
    """Collects what the structural checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: dict[str, str] = {}
        self._open_id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._open_id = attributes.get("id") or ""

    def handle_data(self, data: str) -> None:
        if self._open_id and data.strip():
            self.ids.setdefault(self._open_id, data.strip())


@pytest.fixture
def report_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """examples/chat-broken rendered to an HTML file."""
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    output = tmp_path / "report.html"
    argv = ["check", "examples/chat-broken", "--format", "html", "--output", str(output)]
    code, out, err = run_cli(argv, capsys)
    assert (code, out) == (1, ""), err
    return output


def parse(path: Path) -> Structure:
    structure = Structure()
    structure.feed(path.read_text(encoding="utf-8"))
    return structure


def test_self_contained(report_file: Path) -> None:
    structure = parse(report_file)
    tags = [tag for tag, _ in structure.tags]
    assert "script" not in tags
    for tag, attrs in structure.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
        assert tag != "link", "no external stylesheet"
    assert tags.count("style") >= 1
    assert "svg" in tags


def test_content(report_file: Path) -> None:
    text = report_file.read_text(encoding="utf-8")
    structure = parse(report_file)
    assert structure.ids["findings-count"] == "8"
    assert "Deployment prod-eu" in text
    assert "active-active" in text
    # every input file with its hash
    assert "cbd7cba00a8ed6cc0007b1e46fad1d2e28670488cf9375082165387297d21976" in text
    assert text.count('<td class="mono">examples/chat-broken/') == 12
    # the rule table: one row per rule with its status
    assert text.count('<span class="badge fail">fail</span>') == 7
    # code around a finding, escaped, with the finding's line highlighted
    assert (
        '<div class="hit"><span class="ln">25</span>    stick on req.cook(JSESSIONID)</div>' in text
    )
    assert "&lt;session-timeout&gt;30&lt;/session-timeout&gt;" in text
    assert "(empty file)" in text  # the empty captcha
    # the app path is highlighted in the topology
    assert 'stroke="#d84315" stroke-width="2.5"' in text
    assert "tcommlint 0.1.0" in text
    assert "rules hash" in text


def test_deterministic(report_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, again, _ = run_cli(["check", "examples/chat-broken", "--format", "html"], capsys)
    assert code == 1
    assert again == report_file.read_text(encoding="utf-8")


def test_escapes_hostile_text(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deployment = in_tmp / "d"
    (deployment / "proxy").mkdir(parents=True)
    (deployment / "proxy" / "proxy.properties").write_text(
        "AutoCallQueue=<script>alert(1)</script>\n", encoding="utf-8"
    )
    code, out, err = run_cli(["check", "d", "--format", "html"], capsys)
    assert code in (0, 1), err
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


# --- rendered in a browser ------------------------------------------------------------------


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def png_colours(data: bytes) -> set[bytes]:
    """The distinct pixel values of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and colour_type in (2, 6)
    pixel = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * pixel
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for row in range(height):
        start = row * (stride + 1)
        line = unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, pixel)
        colours.update(bytes(line[i : i + pixel]) for i in range(0, stride, pixel * 7))
        previous = line
    return colours


def unfilter(kind: int, line: bytearray, previous: bytearray, pixel: int) -> bytearray:
    for i in range(len(line)):
        left = line[i - pixel] if i >= pixel else 0
        up = previous[i]
        corner = previous[i - pixel] if i >= pixel else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            estimate = left + up - corner
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + predictor) & 0xFF
    return line


@pytest.mark.browser
@needs_chromium
def test_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = chromium(
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        report_file.as_uri(),
        profile=tmp_path / "profile",
    )
    assert shot.is_file(), done.stderr[-2000:]
    colours = png_colours(shot.read_bytes())
    assert len(colours) > 50  # text, badges, the coloured topology: far from a blank page


@pytest.mark.browser
@needs_chromium
def test_dom_shows_findings_count(report_file: Path, tmp_path: Path) -> None:
    done = chromium("--dump-dom", report_file.as_uri(), profile=tmp_path / "profile")
    assert done.returncode == 0, done.stderr[-2000:]
    assert '<div class="n" id="findings-count">8</div>' in done.stdout
    assert "pool-members-mismatch" in done.stdout


def test_excerpts_come_only_from_files_of_the_deployment(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defence in depth: whatever location a finding holds, the page quotes no other file."""
    from tcommlint.engine import Selection
    from tcommlint.findings import Finding, Related
    from tcommlint.reporters.html_report import render
    from tcommlint.ruleset import load_rules
    from tcommlint.run import check
    from tcommlint.source import Span

    from conftest import write_tree

    write_tree(in_tmp, {"d/proxy.properties": "ProxyName=chat-1\nAutoCallQueue=yes\n"})
    (in_tmp / "canary.txt").write_text("CANARY-outside\n")
    (in_tmp / "d" / "notes.txt").write_text("CANARY-skipped\n")
    result = check(["d"], in_tmp, load_rules(), Selection(select=frozenset({"TC005"})), None)
    outside = [
        Span("canary.txt", 1, 1),
        Span(f"{in_tmp}/canary.txt", 1, 1),
        Span("d/notes.txt", 1, 1),
    ]
    related = tuple(Related(span, "see") for span in [Span("d/proxy.properties", 1, 1), *outside])
    injected = [
        Finding("XX901", "hostile", "error", "d", "m", span, related=related) for span in outside
    ]
    page = render(result._replace(findings=[*result.findings, *injected]))
    assert "CANARY" not in page
    assert "ProxyName=chat-1" in page  # the deployment's own lines are quoted
