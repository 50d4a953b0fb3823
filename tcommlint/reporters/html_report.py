"""One self-contained HTML page: deployments, topology, findings with code, rule table, inputs.

Inline CSS and inline SVG only — no script, no external asset, nothing fetched — so the file
can be attached to a ticket or a change request and opened anywhere. The output is
deterministic (no timestamps): the same run gives byte-identical HTML.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import Path
from typing import Any

from tcommlint import __version__
from tcommlint.findings import Finding, Related
from tcommlint.model import Deployment
from tcommlint.output import printable
from tcommlint.pipeline.describe import describe_persistence
from tcommlint.pipeline.model import LoadBalancer, Pool, Server, Service, Table
from tcommlint.records import NamedTuple
from tcommlint.redact import Redactor
from tcommlint.run import DeploymentResult, RunResult
from tcommlint.source import Span

CONTEXT_LINES = 2
MAX_LINE_CHARS = 240

CSS = """
:root { --err:#c62828; --warn:#b26a00; --info:#1565c0; --ok:#2e7d32; --mute:#667; --line:#dde;
  --app:#d84315; --bg:#fafbfc; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1d2330;
  margin:0; background:var(--bg); }
header { background:#1f2a44; color:#fff; padding:18px 28px; }
header h1 { margin:0 0 4px; font-size:22px; }
header .meta { color:#c7cfe2; font-size:12px; }
main { padding:8px 28px 40px; max-width:1200px; }
h2 { margin:28px 0 10px; font-size:18px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { margin:18px 0 8px; font-size:15px; }
.summary { display:flex; gap:12px; margin-top:16px; flex-wrap:wrap; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 16px;
  min-width:120px; }
.card .n { font-size:26px; font-weight:700; }
.card.error .n { color:var(--err); } .card.warning .n { color:var(--warn); }
.card.info .n { color:var(--info); }
table { border-collapse:collapse; width:100%; background:#fff; font-size:13px; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line);
  vertical-align:top; }
th { background:#eef1f6; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size:12px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px;
  font-weight:600; }
.badge.error, .badge.fail { background:var(--err); } .badge.warning { background:var(--warn); }
.badge.info { background:var(--info); } .badge.pass { background:var(--ok); }
.badge.not-evaluable { background:#8a8fa0; }
.finding { background:#fff; border:1px solid var(--line); border-left:5px solid var(--mute);
  border-radius:6px; padding:10px 14px; margin:12px 0; }
.finding.error { border-left-color:var(--err); } .finding.warning { border-left-color:var(--warn); }
.finding.info { border-left-color:var(--info); }
.finding .head { font-weight:600; } .finding .where { color:var(--mute); font-size:12px; }
.code { margin:8px 0 4px; border:1px solid var(--line); border-radius:4px; overflow-x:auto;
  background:#f6f8fa; }
.code div { white-space:pre; padding:0 8px; }
.code .ln { display:inline-block; width:4em; color:#99a; user-select:none; }
.code .hit { background:#fff1c2; }
.related { margin:6px 0 0 18px; font-size:13px; }
.evidence { margin:8px 0 0; padding:6px 10px; background:#fdf3f3; border-radius:4px;
  font-size:12px; }
.topology { background:#fff; border:1px solid var(--line); border-radius:8px; padding:8px; }
.topology svg { width:100%; height:auto; }
.dl { display:grid; grid-template-columns:max-content auto; gap:2px 16px; }
.dl dt { color:var(--mute); } .dl dd { margin:0; }
.none { color:var(--mute); font-style:italic; }
"""


# --- the page -------------------------------------------------------------------------------


def render(result: RunResult, **_: Any) -> str:
    """The report as one HTML document."""
    sources = _Sources(Path.cwd(), result.files(), Redactor.of_result(result))
    names = {rule.id: rule.name for rule in result.rules}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>tcommlint report</title>",
        f"<style>{CSS}</style></head><body>",
        _header(result),
        "<main>",
        _summary(result),
        *_sections(result, names, sources),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _sections(result: RunResult, names: dict[str, str], sources: _Sources) -> list[str]:
    """One section per deployment with its own findings; findings of no deployment last."""
    by_deployment: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_deployment.setdefault(finding.deployment, []).append(finding)
    sections = [
        _deployment(d, names, by_deployment.pop(d.deployment.name, []), sources)
        for d in result.deployments
    ]
    rest = [finding for findings in by_deployment.values() for finding in findings]
    if rest:
        sections.append(f"<section><h2>Other findings</h2>{_findings(rest, sources)}</section>")
    return sections


def rules_digest(result: RunResult) -> str:
    """A short hash of the rules' content: which rule set produced the report."""
    digest = hashlib.sha256()
    for rule in sorted(result.rules, key=lambda r: r.id):
        digest.update(rule.id.encode())
        digest.update(json.dumps(rule.data, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _header(result: RunResult) -> str:
    names = ", ".join(d.deployment.name for d in result.deployments)
    return (
        "<header><h1>tcommlint report</h1>"
        f'<div class="meta">deployments: {_e(names)} · tcommlint {_e(__version__)} · '
        f'{len(result.rules)} rules, rules hash <span class="mono">{rules_digest(result)}</span>'
        "</div></header>"
    )


def _summary(result: RunResult) -> str:
    count = {s: sum(1 for f in result.findings if f.severity == s) for s in _SEVERITIES}
    files = sum(len(d.deployment.files) for d in result.deployments)
    cards = [
        f'<div class="card"><div class="n" id="findings-count">{len(result.findings)}</div>'
        "findings</div>",
        *(f'<div class="card {s}"><div class="n">{count[s]}</div>{s}s</div>' for s in _SEVERITIES),
        f'<div class="card"><div class="n">{len(result.deployments)}</div>deployments</div>',
        f'<div class="card"><div class="n">{files}</div>input files</div>',
    ]
    if result.suppressed:
        cards.append(f'<div class="card"><div class="n">{result.suppressed}</div>suppressed</div>')
    return f'<div class="summary">{"".join(cards)}</div>'


_SEVERITIES = ("error", "warning", "info")


def _e(value: object) -> str:
    """Text for the page: control characters shown escaped (XML forbids most of them even as
    references), then ``<``, ``&`` and quotes as entities."""
    return escape(printable(str(value)), quote=True)


# --- deployments ----------------------------------------------------------------------------


def _deployment(
    result: DeploymentResult, names: dict[str, str], findings: list[Finding], sources: _Sources
) -> str:
    deployment = result.deployment
    manifest = deployment.manifest
    facts = [
        ("root", deployment.root),
        ("HA mode", result.ha_mode),
        ("expected HA mode", manifest.ha_mode or "(not set)"),
        ("app path", manifest.app_path),
        ("session cookie", manifest.session_cookie),
        ("manifest", manifest.path or "(none)"),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    return "\n".join(
        [
            f'<section id="deployment-{_e(deployment.name)}">',
            f"<h2>Deployment {_e(deployment.name)}</h2>",
            f'<dl class="dl">{rows}</dl>',
            "<h3>Topology</h3>",
            _topology(deployment),
            f"<h3>Findings ({len(findings)})</h3>",
            _findings(findings, sources),
            "<h3>Rules</h3>",
            _statuses(result, names),
            "<h3>Input files</h3>",
            _files(result),
            "</section>",
        ]
    )


def _statuses(result: DeploymentResult, names: dict[str, str]) -> str:
    rows = [
        f'<tr><td class="mono">{_e(s.rule)}</td><td>{_e(names.get(s.rule, ""))}</td>'
        f'<td><span class="badge {_e(s.status)}">{_e(s.status)}</span></td>'
        f"<td>{_e(s.reason)}</td></tr>"
        for s in result.statuses
    ]
    head = "<tr><th>rule</th><th>name</th><th>status</th><th>reason</th></tr>"
    return f'<table class="rules">{head}{"".join(rows)}</table>'


def _files(result: DeploymentResult) -> str:
    rows = [
        f'<tr><td class="mono">{_e(f.path)}</td><td>{_e(f.role)}</td><td>{f.size}</td>'
        f'<td class="mono">{_e(f.sha256)}</td></tr>'
        for f in result.deployment.files
    ]
    head = "<tr><th>path</th><th>role</th><th>bytes</th><th>sha256</th></tr>"
    return f'<table class="files">{head}{"".join(rows)}</table>'


# --- topology (inline SVG) ------------------------------------------------------------------

BOX_W, BOX_H, ROW_H, GAP = 230, 40, 52, 170
COL_X = (16, 16 + BOX_W + GAP, 16 + 2 * (BOX_W + GAP) - 90)
APP_COLOUR, EDGE_COLOUR = "#d84315", "#8a93a8"


class _Box(NamedTuple):
    x: int
    y: int
    title: str
    subtitle: str
    kind: str  # "service", "pool", "member", "missing", "standby"
    highlight: bool = False


def _topology(deployment: Deployment) -> str:
    from tcommlint.stickiness import route_verdicts

    load_balancers = deployment.load_balancers
    app_path = deployment.manifest.app_path
    verdicts = route_verdicts(deployment)
    if not load_balancers:
        return '<p class="none">no load-balancer configuration in this deployment</p>'
    boxes: list[_Box] = []
    edges: list[str] = []
    y = 52
    for lb in load_balancers:
        app = {
            (v.service.name, pool)
            for v in verdicts
            if v.load_balancer is lb
            for pool in v.outcome.pools
        }
        y = _lb_layout(lb, app, y, boxes, edges) + 40
    width = COL_X[2] + BOX_W + 16
    legend = (
        f'<text x="{COL_X[0]}" y="18" class="h">services</text>'
        f'<text x="{COL_X[1]}" y="18" class="h">pools</text>'
        f'<text x="{COL_X[2]}" y="18" class="h">members</text>'
        f'<text x="{width - 16}" y="18" class="h" text-anchor="end" fill="{APP_COLOUR}">'
        f"━ serves {_e(app_path)}</text>"
    )
    style = (
        "<style>.h{font:600 12px sans-serif;fill:#556}.t{font:600 12px sans-serif;fill:#1d2330}"
        ".s{font:11px monospace;fill:#556}.lbl{font:11px monospace;fill:#445}</style>"
    )
    body = "".join(edges) + "".join(_box_svg(b) for b in boxes)
    return (
        f'<div class="topology"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="topology" viewBox="0 0 {width} {y}" width="{width}" height="{y}">'
        f"{style}{legend}{body}</svg></div>"
    )


def _lb_layout(
    lb: LoadBalancer, app: set[tuple[str, str]], top: int, boxes: list[_Box], edges: list[str]
) -> int:
    """Place one load balancer's boxes from ``top``; returns the bottom."""
    pools = {pool.name: pool for pool in lb.pools}
    tables = {table.name: table for table in lb.tables}
    app_pools = {pool for _, pool in app}
    pool_names = [p.name for p in lb.pools] + sorted(
        {name for s in lb.services for name in _targets(s)} - {p.name for p in lb.pools}
    )
    pool_y: dict[str, int] = {}
    y = top + 14
    label = f"{lb.vendor}: {', '.join(lb.paths)}"
    boxes.append(_Box(COL_X[0], top - 12, label, "", "caption"))
    for name in pool_names:
        pool = pools.get(name)
        members = pool.servers if pool else ()
        pool_y[name] = y
        boxes.append(_pool_box(name, pool, y, name in app_pools, tables))
        for index, member in enumerate(members):
            member_y = y + index * ROW_H
            boxes.append(_member_box(member, member_y))
            edges.append(_edge(COL_X[1] + BOX_W, y, COL_X[2], member_y, name in app_pools, ""))
        y += max(1, len(members)) * ROW_H
    service_step = (y - top - 14) / max(1, len(lb.services))
    for index, service in enumerate(lb.services):
        service_y = top + 14 + int(index * service_step)
        serves_app = any(s == service.name for s, _ in app)
        boxes.append(_service_box(service, service_y, serves_app))
        for pool_name, label in _targets(service).items():
            target_y = pool_y.get(pool_name, service_y)
            hot = (service.name, pool_name) in app
            edges.append(_edge(COL_X[0] + BOX_W, service_y, COL_X[1], target_y, hot, label))
    return y


def _targets(service: Service) -> dict[str, str]:
    """Pool name → edge label, routes first, then the default pool."""
    targets: dict[str, str] = {}
    for route in service.routes:
        label = route.when.text.removeprefix("if ") or "always"
        targets.setdefault(route.pool, _clip(label, 24))
    if service.default_pool is not None:
        targets.setdefault(service.default_pool.value, "default")
    return targets


def _service_box(service: Service, y: int, highlight: bool) -> _Box:
    scheme = "https" if service.https else ("http" if service.http else "tcp")
    binds = " ".join(service.binds)
    return _Box(COL_X[0], y, service.name, f"{scheme} {binds}".strip(), "service", highlight)


def _pool_box(
    name: str, pool: Pool | None, y: int, highlight: bool, tables: dict[str, Table]
) -> _Box:
    if pool is None:
        return _Box(COL_X[1], y, name, "not defined", "missing", highlight)
    persist = ", ".join(describe_persistence(pool.persistence, tables))
    return _Box(COL_X[1], y, name, persist or "no persistence", "pool", highlight)


def _member_box(member: Server, y: int) -> _Box:
    address = member.address + (f":{member.port}" if member.port is not None else "")
    flags = [flag for flag, on in (("backup", member.backup), ("disabled", member.disabled)) if on]
    if member.priority_group:
        flags.append(f"prio {member.priority_group}")
    subtitle = address + (f" ({', '.join(flags)})" if flags else "")
    kind = "standby" if member.backup or member.disabled else "member"
    return _Box(COL_X[2], y, member.name, subtitle, kind)


_FILL = {
    "service": "#e8eefc",
    "pool": "#eef7ee",
    "member": "#f4f4f8",
    "standby": "#fbfbfb",
    "missing": "#fdecea",
}


def _box_svg(box: _Box) -> str:
    if box.kind == "caption":
        return f'<text x="{box.x}" y="{box.y + 6}" class="h">{_e(_clip(box.title, 90))}</text>'
    stroke = APP_COLOUR if box.highlight else "#9aa3b5"
    width = 2.5 if box.highlight else 1
    dash = ' stroke-dasharray="4 3"' if box.kind in ("standby", "missing") else ""
    return (
        f'<g><rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        f'fill="{_FILL[box.kind]}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
        f'<text x="{box.x + 8}" y="{box.y + 16}" class="t">{_e(_clip(box.title, 30))}</text>'
        f'<text x="{box.x + 8}" y="{box.y + 31}" class="s">{_e(_clip(box.subtitle, 34))}</text>'
        "</g>"
    )


def _edge(x1: int, y1: int, x2: int, y2: int, hot: bool, label: str) -> str:
    a, b = y1 + BOX_H // 2, y2 + BOX_H // 2
    middle = (x1 + x2) // 2
    colour, width = (APP_COLOUR, 3) if hot else (EDGE_COLOUR, 1.2)
    path = (
        f'<path d="M{x1},{a} C{middle},{a} {middle},{b} {x2},{b}" fill="none" '
        f'stroke="{colour}" stroke-width="{width}"/>'
    )
    if not label:
        return path
    return path + f'<text x="{x2 - 8}" y="{b - 6}" class="lbl" text-anchor="end">{_e(label)}</text>'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- findings with their code ---------------------------------------------------------------


class _Sources:
    """Input files read once each, for the code around a finding (missing files are skipped).

    Only the files of the deployments are ever read: a location comes from a rule file, which a
    pull request can change, and must not put another file's lines into the report.
    """

    def __init__(self, cwd: Path, files: frozenset[str], redactor: Redactor) -> None:
        self.cwd = cwd
        self.files = files
        self.redactor = redactor
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self.files:
            return None
        if path not in self.cache:
            try:
                text = (self.cwd / path).read_bytes().decode("utf-8", errors="replace")
                self.cache[path] = [self.redactor.text(line) for line in text.splitlines()]
            except OSError:
                self.cache[path] = None
        return self.cache[path]


def _findings(findings: list[Finding], sources: _Sources) -> str:
    if not findings:
        return '<p class="none">no findings</p>'
    items = "\n".join(_finding(f, sources) for f in findings)
    return f'<div class="findings">{items}</div>'


def _finding(finding: Finding, sources: _Sources) -> str:
    severity = _e(finding.severity)
    parts = [
        f'<div class="finding {severity}">',
        f'<div class="head"><span class="badge {severity}">{severity}</span> '
        f"<code>{_e(finding.rule)}</code> {_e(finding.name)} — {_e(finding.message)}</div>",
        f'<div class="where mono">{_e(finding.span)} · deployment {_e(finding.deployment)}</div>',
        _excerpt(finding.span, sources, CONTEXT_LINES),
        *(_related(r, sources) for r in finding.related),
    ]
    if finding.evidence:
        lines = "".join(f"<div>{_e(line)}</div>" for line in finding.evidence)
        parts.append(f'<div class="evidence mono"><strong>log evidence</strong>{lines}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _related(related: Related, sources: _Sources) -> str:
    return (
        f'<div class="related"><span class="mono">{_e(related.span)}</span>: '
        f"{_e(related.message)}{_excerpt(related.span, sources, 0)}</div>"
    )


_EMPTY_FILE = (
    '<div class="code mono"><div class="hit"><span class="ln">1</span>(empty file)</div></div>'
)


def _excerpt(span: Span, sources: _Sources, context: int) -> str:
    lines = sources.lines(span.path)
    if lines == []:
        return _EMPTY_FILE
    if lines is None or not 1 <= span.line <= len(lines):
        return ""
    first = max(1, span.line - context)
    last = min(len(lines), span.line + context)
    rows = []
    for number in range(first, last + 1):
        text = _clip(lines[number - 1].expandtabs(4), MAX_LINE_CHARS)
        hit = ' class="hit"' if number == span.line else ""
        rows.append(f'<div{hit}><span class="ln">{number}</span>{_e(text)}</div>')
    return f'<div class="code mono">{"".join(rows)}</div>'
