"""``--deployment PATH``: the verdict of ``check`` on the deployment's files, beside the
observed one. A disagreement means the files do not describe what runs (another config is
deployed, a node is down, a device in between), or a mechanism the model misreads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tcommlint.records import NamedTuple

# The rules whose error means "sessions will not stay on their node" (SPEC §3); TC205 only
# when the probe pauses (without a pause no persistence lifetime is crossed).
STICKINESS_RULES = frozenset(
    {"TC001", "TC201", "TC202", "TC203", "TC204", "TC206", "TC209", "TC213", "TC214", "TC215"}
)
LIFETIME_RULE = "TC205"
OUTSIDE_RULE = "TC008"


class Checked(NamedTuple):
    """What ``check`` says of the deployment."""

    path: str
    sticky: bool
    evaluable: bool
    rules: tuple[str, ...]  # the stickiness rules that fired
    ha_mode: str
    captcha: str  # "enabled", "disabled", or "" when no proxy config says


def check_deployment(path: str, paused: bool) -> Checked:
    """Run ``check`` on ``path`` (its own settings and manifest) and read its verdict."""
    from tcommlint.engine import Selection
    from tcommlint.run import check, configure

    cwd = Path.cwd()
    config, _, rules = configure(None, [], cwd)
    result = check([path], cwd, rules, Selection(), config)
    blocking = STICKINESS_RULES | ({LIFETIME_RULE} if paused else set())
    fired = sorted(
        {f.rule for f in result.findings if f.rule in blocking and f.severity == "error"}
    )
    outside = any(f.rule == OUTSIDE_RULE for f in result.findings)
    modes = {d.ha_mode for d in result.deployments}
    return Checked(
        path,
        not fired,
        not outside,
        tuple(fired),
        modes.pop() if len(modes) == 1 else "unknown",
        _captcha(result),
    )


def _captcha(result: Any) -> str:
    values = {
        entry.value.value.strip().lower() == "true"
        for item in result.deployments
        for config in item.deployment.configs
        if config.role == "proxy"
        for key, entry in config.effective().items()
        if key == "EnableCaptcha"
    }
    if not values:
        return ""
    return "enabled" if True in values else "disabled"


def comparison(checked: Checked, probe_sticky: bool, loc: str) -> dict[str, Any]:
    """The comparison facts."""
    return {
        "checked": True,
        "loc": loc,
        "deployment": checked.path,
        "check_sticky": checked.sticky,
        "check_verdict": _verdict(checked),
        "probe_sticky": probe_sticky,
        "probe_verdict": "sticky" if probe_sticky else "not sticky",
        "evaluable": checked.evaluable,
        "rules": ", ".join(checked.rules) or "none",
        "disagree": checked.evaluable and checked.sticky != probe_sticky,
    }


def _verdict(checked: Checked) -> str:
    if not checked.evaluable:
        return "not evaluable (TC008)"
    if checked.sticky:
        return "sticky"
    return f"not sticky ({', '.join(checked.rules)})"
