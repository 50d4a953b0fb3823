"""One ``check`` run: plan deployments, load them, evaluate the rules, collect the results."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

from tcommlint.discover import DeploymentPlan, planned
from tcommlint.engine import Outcome, Selection, evaluate
from tcommlint.errors import UsageError
from tcommlint.findings import Finding, RuleStatus, sorted_findings
from tcommlint.load import load_deployment
from tcommlint.model import Deployment
from tcommlint.records import NamedTuple
from tcommlint.ruleset import Rule, load_rules
from tcommlint.settings import ConfigFile


class DeploymentResult(NamedTuple):
    """A deployment with its rule statuses."""

    deployment: Deployment
    ha_mode: str
    statuses: list[RuleStatus]


class RunResult(NamedTuple):
    """Everything a reporter needs."""

    deployments: list[DeploymentResult]
    findings: list[Finding]
    rules: list[Rule]
    suppressed: int
    mandatory: frozenset[str] = frozenset()  # rules that neither baselines nor comments suppress

    def files(self, *, manifests: bool = True) -> frozenset[str]:
        """The paths of the files the deployments read, with their manifests unless told not:
        all a report may quote and, without the manifests, all ``--fix`` may change."""
        paths = {file.path for d in self.deployments for file in d.deployment.files}
        if manifests:
            paths.update(d.deployment.manifest.path or "" for d in self.deployments)
        return frozenset(paths - {""})


class Settings(NamedTuple):
    """What a run reads before it looks at any deployment: the configuration file and the
    rules (built in, the file's ``rule_dirs``, then ``--rules``)."""

    config: ConfigFile | None
    rule_dirs: tuple[str, ...]
    rules: list[Rule]


def configure(config_arg: str | None, rule_args: list[str], cwd: Path) -> Settings:
    """Read ``--config`` (or the nearest configuration file above ``cwd``), apply its
    ``max_file_size`` and load the rules: the same for ``check`` and ``diff``."""
    from tcommlint import inputs
    from tcommlint.settings import find_config, read_config

    config_path = Path(config_arg) if config_arg else find_config(cwd)
    if config_arg and not Path(config_arg).exists():
        raise UsageError("configuration file not found", config_arg)
    config = read_config(config_path, cwd) if config_path else None
    settings = config.data if config else {}
    inputs.set_max_file_size(inputs.limit_of(settings))
    rule_dirs = (*settings.get("rule_dirs", []), *rule_args)
    return Settings(config, rule_dirs, load_rules(list(rule_dirs)))


class _Job(NamedTuple):
    """One deployment to check, with the settings that apply to it."""

    plan: DeploymentPlan
    manifest: ConfigFile | None
    selection: Selection
    haproxy: str | None = None  # ``--haproxy``: also run this binary's ``-c`` on HAProxy files
    require: frozenset[str] = frozenset()  # ``--require``: parts whose absence is an error


def check(
    paths: list[str],
    cwd: Path,
    rules: list[Rule],
    selection: Selection,
    config: ConfigFile | None,
    *,
    jobs: int = 1,
    rule_dirs: tuple[str, ...] = (),
    haproxy: str | None = None,
    require: frozenset[str] = frozenset(),
    load_only: bool = False,
) -> RunResult:
    """Check the deployments named by ``paths``; no recognised file at all is a usage error.

    With ``jobs`` > 1 and several deployments, deployments are checked in that many processes
    (forked ones share ``rules``; where processes are spawned, each loads ``rule_dirs``
    itself: compiled rules do not cross process boundaries); the result is the same, in the
    same order. With ``haproxy`` (a binary), the alerts of its
    ``-c`` on each HAProxy file are added as TC001. ``require`` adds to each manifest's
    ``require``. ``load_only`` reads the deployments and evaluates no rule (``--list-files``).
    """
    known = {rule.id for rule in rules}
    if config is not None:
        config.check_rule_ids(known)
    work = []
    for deployment_plan, manifest in planned(paths, cwd, config):
        if manifest is not None and manifest is not config:
            manifest.check_rule_ids(known)
        merged = _merge(selection, config, manifest if manifest is not config else None)
        work.append(_Job(deployment_plan, manifest, merged, haproxy, require))
    if load_only:
        outcomes = [_check_one(job, cwd, []) for job in work]
    elif jobs > 1 and len(work) > 1:
        outcomes = _in_processes(work, cwd, rules, rule_dirs, jobs)
    else:
        outcomes = [_check_one(job, cwd, rules) for job in work]
    if not any(result.deployment.files for result, _ in outcomes):
        shown = " ".join(paths) or "."
        raise UsageError(f"no configuration found in {shown}")
    findings = [finding for _, outcome in outcomes for finding in outcome.findings]
    mandatory = selection.mandatory.union(*(job.selection.mandatory for job in work))
    return RunResult(
        [result for result, _ in outcomes],
        sorted_findings(findings),
        [rule for rule in rules if rule.facts == "deployment"],  # the probe's are probe's
        sum(outcome.suppressed for _, outcome in outcomes),
        mandatory,
    )


def _check_one(job: _Job, cwd: Path, rules: list[Rule]) -> tuple[DeploymentResult, Outcome]:
    deployment = load_deployment(job.plan, job.manifest, cwd)
    if job.require:
        required = tuple(sorted(job.require.union(deployment.manifest.require)))
        deployment = deployment._replace(manifest=deployment.manifest._replace(require=required))
    if job.haproxy is not None:
        from tcommlint.loaders.haproxy.external_check import with_haproxy_check

        deployment = with_haproxy_check(deployment, job.haproxy, cwd)
    outcome = evaluate(deployment, rules, job.selection)
    return DeploymentResult(deployment, outcome.ha_mode, outcome.statuses), outcome


_WORKER_RULES: list[Rule] = []
_CHUNKS_PER_WORKER = 4  # enough to even out, few enough that each pays one round trip


def _start_worker(rule_dirs: tuple[str, ...] | None, max_file_size: int) -> None:
    """Set up one worker: a forked one has the parent's rules already (``rule_dirs`` None)."""
    from tcommlint import inputs

    inputs.set_max_file_size(max_file_size)
    if rule_dirs is not None:
        _WORKER_RULES[:] = load_rules(list(rule_dirs))


def _check_chunk(
    chunk: list[tuple[int, _Job]], cwd: Path
) -> list[tuple[int, tuple[DeploymentResult, Outcome]]]:
    return [(index, _check_one(job, cwd, _WORKER_RULES)) for index, job in chunk]


def _in_processes(
    work: list[_Job], cwd: Path, rules: list[Rule], rule_dirs: tuple[str, ...], jobs: int
) -> list[tuple[DeploymentResult, Outcome]]:
    """Check ``work`` in ``jobs`` processes, in chunks of about equal bytes, results in order.

    Where ``fork`` is available the workers inherit the compiled ``rules`` (set before the
    pool starts them), so none loads or compiles a rule; elsewhere each loads ``rule_dirs``.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tcommlint.inputs import max_file_size

    forks = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forks else None)
    if forks:
        _WORKER_RULES[:] = rules
    initargs = (None if forks else rule_dirs, max_file_size())
    chunks = by_cost([_cost(job) for job in work], jobs * _CHUNKS_PER_WORKER)
    indexed = [[(index, work[index]) for index in chunk] for chunk in chunks]
    results: list[tuple[DeploymentResult, Outcome] | None] = [None] * len(work)
    # What the parent holds (modules, rules, plans) is out of the forked workers' garbage
    # collections: walking it would copy every page it sits on, in every worker.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=initargs
        ) as pool:
            for done in pool.map(_check_chunk, indexed, [cwd] * len(indexed)):
                for index, result in done:
                    results[index] = result
    finally:
        gc.unfreeze()
    return [result for result in results if result is not None]


def _cost(job: _Job) -> int:
    """What checking a deployment costs, roughly: the bytes of its files."""
    total = 1
    for path in job.plan.files:
        with contextlib.suppress(OSError):  # reading it will say why
            total += path.stat().st_size
    return total


def by_cost(costs: list[int], count: int) -> list[list[int]]:
    """Indexes of ``costs`` in at most ``count`` chunks of about equal total cost: the largest
    first, each to the chunk that has least so far; each chunk in index order."""
    chunks: list[list[int]] = [[] for _ in range(max(1, min(count, len(costs))))]
    totals = [0] * len(chunks)
    for index in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        smallest = totals.index(min(totals))
        chunks[smallest].append(index)
        totals[smallest] += costs[index]
    # Largest chunks first, so that the longest work starts first.
    order = sorted(range(len(chunks)), key=lambda c: (-totals[c], c))
    return [sorted(chunks[c]) for c in order if chunks[c]]


def _merge(selection: Selection, *configs: ConfigFile | None) -> Selection:
    """Rule settings of the configuration files (lowest priority first) under the command line's.

    Ignores and mandatory rules add up; for ``select`` and severities the closer file wins,
    and the command line wins over both.
    """
    select: frozenset[str] = frozenset()
    severity: dict[str, str] = {}
    ignore, mandatory = selection.ignore, selection.mandatory
    for config in configs:
        if config is None:
            continue
        rules = config.rules()
        select = frozenset(rules.get("select", [])) or select
        severity.update(rules.get("severity", {}))
        ignore |= frozenset(rules.get("ignore", []))
        mandatory |= frozenset(rules.get("mandatory", []))
    severity.update(dict(selection.severity))
    return Selection(
        select=selection.select or select,
        ignore=ignore,
        severity=tuple(sorted(severity.items())),
        mandatory=mandatory,
    )
