"""``tcommlint show``: the load-balancer model of each deployment as text, JSON or Mermaid."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from tcommlint import output
from tcommlint.discover import planned
from tcommlint.expr import human_duration
from tcommlint.load import load_deployment
from tcommlint.model import Deployment, LoadBalancer, Persistence, Pool, Service
from tcommlint.settings import find_config, read_config
from tcommlint.topology import app_routes, pool_ha_mode


def run(args: argparse.Namespace) -> int:
    """Print the model of every deployment under the paths."""
    cwd = Path.cwd()
    config_path = find_config(cwd)
    config = read_config(config_path, cwd) if config_path else None
    deployments = [
        load_deployment(deployment_plan, manifest, cwd)
        for deployment_plan, manifest in planned(args.paths, cwd, config)
    ]
    render = {"text": render_text, "json": render_json, "mermaid": render_mermaid}[args.format]
    output.write(render(deployments), json_text=args.format == "json")
    return 0


# --- facts shared by every format --------------------------------------------------------


def _app_pools(deployment: Deployment, lb: LoadBalancer) -> dict[str, set[str]]:
    """Service name → names of the pools that serve the app path through it."""
    served: dict[str, set[str]] = {}
    for route in app_routes(lb, deployment.manifest.app_path):
        served.setdefault(route.service.name, set()).add(route.pool_name)
    return served


def describe_persistence(p: Persistence) -> str:
    """One line: method, key, learning, lifetime, problems."""
    parts = [p.kind]
    if p.cookie_name is not None:
        parts.append(f"cookie {p.cookie_name.value}")
    else:
        parts.append(f"by {p.keyed_on}")
    if p.keyed_on == "cookie" and not p.own_cookie:
        parts.append("learned from responses" if p.learns_from_response else "NOT learned")
    if p.lifetime_seconds is not None:
        lifetime = p.lifetime_seconds.value
        parts.append("no expiry" if lifetime is None else f"lifetime {human_duration(lifetime)}")
    if p.condition:
        parts.append(f"only when {p.condition}")
    if p.fallback:
        parts.append("fallback")
    if p.ineffective:
        parts.append(f"INEFFECTIVE: {p.ineffective}")
    return ", ".join(parts)


# --- text --------------------------------------------------------------------------------


def render_text(deployments: list[Deployment]) -> str:
    """An indented outline: deployment → LB → services → routes → pools → members."""
    lines = []
    for deployment in deployments:
        lines.append(f"deployment {deployment.name} ({deployment.root})")
        if not deployment.load_balancers:
            lines.append("  no load-balancer configuration found")
        for lb in deployment.load_balancers:
            lines.extend(_lb_text(deployment, lb))
    return "\n".join(lines) + "\n"


def _lb_text(deployment: Deployment, lb: LoadBalancer) -> list[str]:
    served = _app_pools(deployment, lb)
    app_pools = {name for names in served.values() for name in names}
    lines = [f"  {lb.vendor} {', '.join(lb.paths)}"]
    for service in lb.services:
        lines.extend(_service_text(service, served.get(service.name, set()), deployment))
    for pool in lb.pools:
        lines.extend(_pool_text(pool, pool.name in app_pools, deployment.manifest.app_path))
    return lines


def _service_text(service: Service, app_pools: set[str], deployment: Deployment) -> list[str]:
    scheme = "https" if service.https else "http" if service.http else "tcp"
    lines = [f"    service {service.name} [{scheme}] {service.span}"]
    for route in service.routes:
        negate = "not " if route.negate else ""
        values = " ".join(route.values)
        lines.append(f"      route {negate}{route.match} {values} -> {route.pool} ({route.span})")
    if service.default_pool is not None:
        pool = service.default_pool
        lines.append(f"      default -> {pool.value} ({pool.span})")
    for persistence in service.persistences:
        lines.append(f"      persistence {describe_persistence(persistence)} ({persistence.span})")
    if app_pools:
        app_path = deployment.manifest.app_path
        lines.append(f"      {app_path} is served by {', '.join(sorted(app_pools))}")
    return lines


def _pool_text(pool: Pool, serves_app: bool, app_path: str) -> list[str]:
    marker = f"  <- serves {app_path}" if serves_app else ""
    lines = [f"    pool {pool.name} [{pool_ha_mode(pool)}] {pool.span}{marker}"]
    for member in pool.members:
        flags = [f for f, on in (("backup", member.backup), ("disabled", member.disabled)) if on]
        if member.priority_group:
            flags.append(f"priority-group {member.priority_group}")
        port = f":{member.port}" if member.port is not None else ""
        extra = f" ({', '.join(flags)})" if flags else ""
        lines.append(f"      member {member.name} {member.address}{port}{extra}")
    for persistence in pool.persistences:
        lines.append(f"      persistence {describe_persistence(persistence)} ({persistence.span})")
    return lines


# --- JSON --------------------------------------------------------------------------------


def render_json(deployments: list[Deployment]) -> str:
    """The load-balancer model as JSON (spans as ``path:line:col``)."""
    data = [
        {
            "name": d.name,
            "root": d.root,
            "app_path": d.manifest.app_path,
            "load_balancers": [_lb_json(d, lb) for lb in d.load_balancers],
        }
        for d in deployments
    ]
    return json.dumps(data, indent=2) + "\n"


def _lb_json(deployment: Deployment, lb: LoadBalancer) -> dict[str, Any]:
    served = _app_pools(deployment, lb)
    return {
        "vendor": lb.vendor,
        "paths": list(lb.paths),
        "services": [
            {
                "name": s.name,
                "at": str(s.span),
                "https": s.https,
                "routes": [
                    {"match": r.match, "values": list(r.values), "pool": r.pool, "at": str(r.span)}
                    for r in s.routes
                ],
                "default_pool": s.default_pool.value if s.default_pool else None,
                "app_path_pools": sorted(served.get(s.name, set())),
                "persistences": [_persistence_json(p) for p in s.persistences],
            }
            for s in lb.services
        ],
        "pools": [
            {
                "name": p.name,
                "at": str(p.span),
                "ha_mode": pool_ha_mode(p),
                "members": [
                    {"name": m.name, "address": m.address, "port": m.port, "backup": m.backup}
                    for m in p.members
                ],
                "persistences": [_persistence_json(x) for x in p.persistences],
            }
            for p in lb.pools
        ],
    }


def _persistence_json(p: Persistence) -> dict[str, Any]:
    return {"summary": describe_persistence(p), "kind": p.kind, "at": str(p.span)}


# --- Mermaid -----------------------------------------------------------------------------


def render_mermaid(deployments: list[Deployment]) -> str:
    """A Mermaid flowchart: services → pools → members; the app path's edges are thick."""
    lines = ["flowchart LR"]
    for index, deployment in enumerate(deployments):
        lines.append(f'  subgraph d{index}["{_label(deployment.name)}"]')
        for lb_index, lb in enumerate(deployment.load_balancers):
            lines.extend(_lb_mermaid(deployment, lb, f"d{index}l{lb_index}"))
        lines.append("  end")
    return "\n".join(lines) + "\n"


def _lb_mermaid(deployment: Deployment, lb: LoadBalancer, prefix: str) -> list[str]:
    served = _app_pools(deployment, lb)
    app_path = deployment.manifest.app_path
    lines = []
    pool_ids = {pool.name: f"{prefix}p{i}" for i, pool in enumerate(lb.pools)}
    for s_index, service in enumerate(lb.services):
        service_id = f"{prefix}s{s_index}"
        lines.append(f'    {service_id}(["{_label(service.name)}"])')
        for pool_name in sorted(served.get(service.name, set())):
            if pool_name in pool_ids:
                lines.append(f'    {service_id} == "{_label(app_path)}" ==> {pool_ids[pool_name]}')
        others = {r.pool for r in service.routes}
        if service.default_pool is not None:
            others.add(service.default_pool.value)
        for pool_name in sorted(others - served.get(service.name, set())):
            if pool_name in pool_ids:
                lines.append(f"    {service_id} --> {pool_ids[pool_name]}")
    for pool in lb.pools:
        lines.extend(_pool_mermaid(pool, pool_ids[pool.name]))
    return lines


def _pool_mermaid(pool: Pool, pool_id: str) -> list[str]:
    sticky = "; ".join(describe_persistence(p) for p in pool.persistences) or "no persistence"
    label = f"{pool.name}<br/>{pool_ha_mode(pool)}<br/>{sticky}"
    lines = [f'    {pool_id}["{_label(label)}"]']
    for m_index, member in enumerate(pool.members):
        port = f":{member.port}" if member.port is not None else ""
        role = " (backup)" if member.backup else ""
        member_id = f"{pool_id}m{m_index}"
        lines.append(
            f'    {member_id}[/"{_label(member.name + " " + member.address + port + role)}"/]'
        )
        lines.append(f"    {pool_id} {'-.->' if member.backup else '-->'} {member_id}")
    return lines


def _label(text: str) -> str:
    """Mermaid-safe label text (quotes and brackets become entities)."""
    text = re.sub(r'["]', "#quot;", text)
    return text.replace("[", "#91;").replace("]", "#93;")
