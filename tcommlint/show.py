"""``tcommlint show``: each deployment's load-balancer pipeline and stickiness verdict.

Text, JSON or Mermaid; ``--trace`` prints the simulated chat session request by request: the
cookies sent, the rule that chose the pool and the server, what the backend received, what the
response set, what the load balancer learned.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from tcommlint import output
from tcommlint.discover import planned
from tcommlint.errors import UsageError
from tcommlint.load import load_deployment
from tcommlint.loaders import registry
from tcommlint.model import Deployment
from tcommlint.pipeline.describe import describe_persistence
from tcommlint.pipeline.model import LoadBalancer, Pool, Service, Table
from tcommlint.pipeline.outcome import RequestTrace
from tcommlint.redact import Redactor
from tcommlint.route_facts import ha_mode_of
from tcommlint.settings import find_config, read_config
from tcommlint.source import loc
from tcommlint.stickiness import RouteVerdict, route_verdicts


def run(args: argparse.Namespace) -> int:
    """Print the model of every deployment under the paths; 1 when an LB file did not load."""
    cwd = Path.cwd()
    config_path = find_config(cwd)
    config = read_config(config_path, cwd) if config_path else None
    deployments = [
        load_deployment(deployment_plan, manifest, cwd)
        for deployment_plan, manifest in planned(args.paths, cwd, config)
    ]
    if not any(deployment.files for deployment in deployments):  # as ``check`` says it
        raise UsageError(f"no configuration found in {' '.join(args.paths) or '.'}")
    trace = bool(getattr(args, "trace", False))
    views = [(d, route_verdicts(d, trace)) for d in deployments]
    if args.format == "json":
        output.write(render_json(views, trace), json_text=True)
    elif args.format == "mermaid":
        output.write(render_mermaid(views))
    else:
        output.write(render_text(views, trace))
    return 1 if any(d.parse_errors for d in deployments) else 0


View = tuple[Deployment, list[RouteVerdict]]


def _redactor(views: list[View]) -> Redactor:
    """Masks the credentials of the shown deployments, wherever a name or reason quotes one."""
    return Redactor(secret for deployment, _ in views for secret in deployment.secrets)


# --- text ---------------------------------------------------------------------------------


def render_text(views: list[View], trace: bool = False) -> str:
    """An outline: deployment → LB → services → pools → servers, each route's verdict."""
    lines: list[str] = []
    for deployment, verdicts in views:
        lines.append(f"deployment {deployment.name} ({deployment.root})")
        for error in deployment.parse_errors:
            lines.append(f"  {error.span}: TC001 {error.reason}")
        if not deployment.load_balancers and not _lb_file_errors(deployment):
            lines.append("  no load-balancer configuration found")
        for lb in deployment.load_balancers:
            mine = [v for v in verdicts if v.load_balancer is lb]
            lines.extend(_lb_text(lb, mine, deployment.manifest.app_path, trace))
    return output.text_block(lines, _redactor(views))


def _lb_file_errors(deployment: Deployment) -> bool:
    """Whether a file that was meant to be a load-balancer configuration failed to load."""
    lb_roles = {*registry.BY_ROLE, "lb"}
    lb_files = {file.path for file in deployment.files if file.role in lb_roles}
    return any(error.span.path in lb_files for error in deployment.parse_errors)


def _lb_text(
    lb: LoadBalancer, verdicts: list[RouteVerdict], app_path: str, trace: bool
) -> list[str]:
    head = f"  load balancer {lb.vendor} ({', '.join(lb.paths)})"
    lines = [head + (f" when {lb.assumption}" if lb.assumption else "")]
    lines.extend(f"    note: {note}" for note in lb.notes)
    tables = {table.name: table for table in lb.tables}
    by_service = {v.service.name: v for v in verdicts}
    for service in lb.services:
        lines.extend(_service_text(service, by_service.get(service.name), tables, app_path, trace))
    served = {name for v in verdicts for name in v.outcome.pools}
    for pool in lb.pools:
        lines.extend(_pool_text(pool, pool.name in served, app_path, tables))
    return lines


def _service_text(
    service: Service,
    verdict: RouteVerdict | None,
    tables: dict[str, Table],
    app_path: str,
    trace: bool,
) -> list[str]:
    kind = ("https" if service.https else "http") if service.http else "tcp"
    lines = [f"    service {service.name} [{kind}] {service.span}"]
    for rule in service.routes:
        lines.append(f"      route {rule.when.text or 'always'} -> {rule.pool} {rule.span}")
    if service.default_pool is not None:
        lines.append(f"      default -> {service.default_pool.value} {service.default_pool.span}")
    for line in describe_persistence(service.persistence, tables):
        lines.append(f"      persistence: {line}")
    if verdict is None:
        lines.append(f"      does not serve {app_path}")
        return lines
    lines.extend(_verdict_text(verdict, app_path))
    if trace:
        lines.extend(_trace_text(verdict.outcome.trace))
    return lines


def _verdict_text(verdict: RouteVerdict, app_path: str) -> list[str]:
    outcome = verdict.outcome
    pools = ", ".join(outcome.pools) or "no pool"
    lines = [f"      {app_path} -> {pools}: {outcome.verdict.upper()}"]
    for found in outcome.breaks:
        lines.append(
            f"        breaks ({found.scenario}) at request {found.request}: {found.seen}; "
            f"{found.cause.code} {found.cause.span}: {found.cause.reason}"
        )
    for opaque in outcome.outside:
        lines.append(f"        outside the model {opaque.span}: {opaque.reason}")
    if outcome.kept_by:
        lines.append(f"        kept by: {', '.join(outcome.kept_by)}")
    return lines


def _trace_text(traces: tuple[RequestTrace, ...]) -> list[str]:
    lines = ["      simulated chat session:"]
    for item in traces:
        lines.append(
            f"        R{item.number} {item.method} {item.path}  cookies: {item.cookies_sent or '-'}"
        )
        for step in item.steps:
            where = f" ({step.span})" if step.span is not None else ""
            lines.append(f"           {step.text}{where}")
        lines.append(f"           -> {item.result}")
    return lines


def _pool_text(pool: Pool, serves_app: bool, app_path: str, tables: dict[str, Table]) -> list[str]:
    marker = f"  <- serves {app_path}" if serves_app else ""
    lines = [f"    pool {pool.name} [{ha_mode_of(pool)}] {pool.span}{marker}"]
    lines.append(f"      balance {pool.balance.algorithm.value}")
    for line in describe_persistence(pool.persistence, tables):
        lines.append(f"      persistence: {line}")
    for server in pool.servers:
        flags = [
            flag
            for flag, on in (
                ("backup", server.backup),
                ("disabled", server.disabled),
                (f"weight {server.weight}", server.weight != 1),
            )
            if on
        ]
        cookie = f" cookie {server.cookie.value}" if server.cookie is not None else ""
        where = f"{server.address}:{server.port}" if server.port is not None else server.address
        extra = f" ({', '.join(flags)})" if flags else ""
        lines.append(f"      server {server.name} {where}{cookie}{extra}")
    return lines


# --- JSON ---------------------------------------------------------------------------------


def render_json(views: list[View], trace: bool = False) -> str:
    """The pipeline and the verdicts as JSON (sorted keys, stable order)."""
    document = {
        "deployments": [
            {
                "name": deployment.name,
                "root": deployment.root,
                "parse_errors": [
                    {"location": loc(e.span), "reason": e.reason} for e in deployment.parse_errors
                ],
                "load_balancers": [
                    _lb_json(lb, [v for v in verdicts if v.load_balancer is lb], trace)
                    for lb in deployment.load_balancers
                ],
            }
            for deployment, verdicts in views
        ]
    }
    return json.dumps(_redactor(views).data(document), indent=2, sort_keys=True) + "\n"


def _lb_json(lb: LoadBalancer, verdicts: list[RouteVerdict], trace: bool) -> dict[str, Any]:
    tables = {table.name: table for table in lb.tables}
    return {
        "vendor": lb.vendor,
        "paths": list(lb.paths),
        "assumption": lb.assumption,
        "notes": list(lb.notes),
        "services": [
            {
                "name": s.name,
                "location": loc(s.span),
                "http": s.http,
                "https": s.https,
                "routes": [
                    {"pool": r.pool, "when": r.when.text, "location": loc(r.span)} for r in s.routes
                ],
                "default_pool": s.default_pool.value if s.default_pool else None,
                "persistence": describe_persistence(s.persistence, tables),
            }
            for s in lb.services
        ],
        "pools": [
            {
                "name": p.name,
                "location": loc(p.span),
                "ha_mode": ha_mode_of(p),
                "balance": p.balance.algorithm.value,
                "persistence": describe_persistence(p.persistence, tables),
                "servers": [
                    {
                        "name": s.name,
                        "address": s.address,
                        "port": s.port,
                        "backup": s.backup,
                        "disabled": s.disabled,
                        "weight": s.weight,
                        "cookie": s.cookie.value if s.cookie else None,
                    }
                    for s in p.servers
                ],
            }
            for p in lb.pools
        ],
        "verdicts": [_verdict_json(v, trace) for v in verdicts],
    }


def _verdict_json(verdict: RouteVerdict, trace: bool) -> dict[str, Any]:
    outcome = verdict.outcome
    result: dict[str, Any] = {
        "service": verdict.service.name,
        "pools": list(outcome.pools),
        "verdict": outcome.verdict,
        "kept_by": list(outcome.kept_by),
        "breaks": [
            {
                "scenario": b.scenario,
                "request": b.request,
                "seen": b.seen,
                "cause": b.cause.code,
                "location": loc(b.cause.span),
                "reason": b.cause.reason,
                "assumption": b.assumption,
            }
            for b in outcome.breaks
        ],
        "outside": [{"location": loc(o.span), "reason": o.reason} for o in outcome.outside],
    }
    if trace:
        result["trace"] = [
            {
                "request": t.number,
                "method": t.method,
                "path": t.path,
                "cookies_sent": t.cookies_sent,
                "steps": [{"location": loc(s.span), "text": s.text} for s in t.steps],
                "result": t.result,
            }
            for t in outcome.trace
        ]
    return result


# --- Mermaid ------------------------------------------------------------------------------


def render_mermaid(views: list[View]) -> str:
    """A flowchart: services → pools (the app path edge bold) → servers."""
    lines = ["flowchart LR"]
    for d_index, (deployment, verdicts) in enumerate(views):
        lines.append(f'  subgraph d{d_index}["{_label(deployment.name)}"]')
        for l_index, lb in enumerate(deployment.load_balancers):
            prefix = f"d{d_index}l{l_index}"
            mine = [v for v in verdicts if v.load_balancer is lb]
            lines.extend(_lb_mermaid(lb, mine, prefix, deployment.manifest.app_path))
        lines.append("  end")
    return output.text_block(lines, _redactor(views))


def _lb_mermaid(
    lb: LoadBalancer, verdicts: list[RouteVerdict], prefix: str, app_path: str
) -> list[str]:
    pool_ids = {pool.name: f"{prefix}p{i}" for i, pool in enumerate(lb.pools)}
    served = {
        (v.service.name, name): v.outcome.verdict for v in verdicts for name in v.outcome.pools
    }
    lines = []
    for s_index, service in enumerate(lb.services):
        service_id = f"{prefix}s{s_index}"
        lines.append(f'    {service_id}["{_label(service.name)}"]')
        targets = [r.pool for r in service.routes]
        if service.default_pool is not None:
            targets.append(service.default_pool.value)
        for target in dict.fromkeys(targets):
            if target not in pool_ids:
                continue
            if (service.name, target) in served:
                lines.append(f'    {service_id} == "{_label(app_path)}" ==> {pool_ids[target]}')
            else:
                lines.append(f"    {service_id} --> {pool_ids[target]}")
    verdict_of = {name: verdict for (_, name), verdict in served.items()}
    for pool in lb.pools:
        pool_id = pool_ids[pool.name]
        verdict = verdict_of.get(pool.name, "")
        label = f"{pool.name}<br/>{ha_mode_of(pool)}" + (f"<br/>{verdict}" if verdict else "")
        lines.append(f'    {pool_id}["{_label(label)}"]')
        for m_index, server in enumerate(pool.servers):
            where = f"{server.address}:{server.port}" if server.port is not None else server.address
            lines.append(f'    {pool_id}m{m_index}["{_label(server.name + " " + where)}"]')
            lines.append(f"    {pool_id} --> {pool_id}m{m_index}")
    return lines


def _label(text: str) -> str:
    return re.sub(r'["\n\r]', "'", text)
