"""The pre-commit hook, run for real: ``pre-commit try-repo`` on a git repository of configs.

try-repo installs tcommlint from a git repository's HEAD into its own virtual environment. The
project's working tree may hold uncommitted work, so the package is copied into a temporary
repository and committed there first.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "examples"
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
PACKAGE_DIRS = ("tcommlint", "rules", "schemas")
GIT_IDENTITY = ("-c", "user.name=tcommlint tests", "-c", "user.email=tests@example.invalid")

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or importlib.util.find_spec("pre_commit") is None,
    reason="pre-commit hook test needs git and the pre-commit package (pip install -e .[test])",
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=repo, check=True, capture_output=True)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--no-verify", "-q", "-m", message)


def hook_repository(target: Path) -> Path:
    """The package and its hook definition, committed in a fresh repository."""
    target.mkdir()
    for name in PACKAGE_FILES:
        if (PROJECT / name).is_file():
            shutil.copy2(PROJECT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGE_DIRS:
        shutil.copytree(PROJECT / name, target / name, ignore=ignore)
    git(target, "init", "-q")
    commit_all(target, "tcommlint under test")
    return target


def copy_deployment(example: str, target: Path) -> None:
    shutil.copytree(EXAMPLES / example, target, dirs_exist_ok=True)


def try_repo(
    config_repo: Path, hooks: Path, home: Path, *, all_files: bool = True
) -> subprocess.CompletedProcess[str]:
    """The hook run by pre-commit on every file, or (``all_files=False``) on the staged ones,
    as a ``git commit`` runs it."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "tcommlint"]
    return subprocess.run(
        [*command, *(["--all-files"] if all_files else [])],
        cwd=config_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_fails_on_the_broken_deployment_and_passes_once_fixed(tmp_path: Path) -> None:
    hooks = hook_repository(tmp_path / "hooks")
    configs = tmp_path / "configs"
    configs.mkdir()
    git(configs, "init", "-q")
    copy_deployment("chat-broken", configs)
    commit_all(configs, "broken deployment")

    broken = try_repo(configs, hooks, tmp_path / "pre-commit-home")
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "tcommlint....." in output and "Failed" in output
    assert "proxy-1/conf/config/proxy.properties:10:1: TC101 [error]" in output

    copy_deployment("chat-fixed", configs)
    commit_all(configs, "fixed deployment")
    fixed = try_repo(configs, hooks, tmp_path / "pre-commit-home")
    output = fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, output
    assert "Passed" in output
    assert "TC101" not in output


def test_hook_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_project_config_is_valid_and_fetches_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    repos = [line.split(":", 1)[1].strip() for line in text.splitlines() if "- repo:" in line]
    assert repos == ["local"]
    assert "language: system" in text and "tcommlint check examples/chat-fixed" in text


def tcommlint_json(repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "tcommlint", "check", *args, "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return result.returncode, report


def finding_roots(report: dict[str, object]) -> set[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {finding["location"]["path"].split("/")[0] for finding in findings}


def deployment_roots(report: dict[str, object]) -> list[str]:
    deployments = report["deployments"]
    assert isinstance(deployments, list)
    return [deployment["root"] for deployment in deployments]


def three_deployments(repo: Path) -> None:
    """prod (broken, with a manifest), lab (broken, none), staging (clean, none) committed;
    scratch (broken) left untracked."""
    repo.mkdir()
    git(repo, "init", "-q")
    copy_deployment("chat-broken", repo / "prod")
    for name, example in (("lab", "chat-broken"), ("staging", "chat-fixed"), ("scratch", "")):
        copy_deployment(example or "chat-broken", repo / name)
        (repo / name / "tcommlint.yaml").unlink()
    (repo / ".gitignore").write_text("scratch/\n")
    commit_all(repo, "three deployments")


def test_each_file_is_checked_with_its_own_deployment_only(tmp_path: Path) -> None:
    repo = tmp_path / "configs"
    three_deployments(repo)

    code, report = tcommlint_json(repo, ".")
    assert code == 1
    assert deployment_roots(report) == ["lab", "prod", "scratch", "staging"]
    assert finding_roots(report) == {"lab", "prod", "scratch"}

    code, report = tcommlint_json(repo, "staging/lb/haproxy.cfg")
    assert (code, deployment_roots(report), finding_roots(report)) == (0, ["staging"], set())
    summary = report["summary"]
    assert isinstance(summary, dict) and summary["files"] == 12

    code, report = tcommlint_json(repo, "lab/server/rconfig.properties", "lab/lb/haproxy.cfg")
    assert (code, deployment_roots(report), finding_roots(report)) == (1, ["lab"], {"lab"})

    code, report = tcommlint_json(repo, "prod/server/rconfig.properties")
    assert (code, deployment_roots(report), finding_roots(report)) == (1, ["prod"], {"prod"})


def test_hook_blocks_a_commit_only_for_the_deployment_it_touches(tmp_path: Path) -> None:
    hooks = hook_repository(tmp_path / "hooks")
    repo = tmp_path / "configs"
    three_deployments(repo)
    home = tmp_path / "pre-commit-home"

    with (repo / "staging" / "lb" / "haproxy.cfg").open("a") as lb:
        lb.write("# change window 42\n")
    git(repo, "add", "staging/lb/haproxy.cfg")
    clean = try_repo(repo, hooks, home, all_files=False)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "Passed" in output and "TC" not in output
    commit_all(repo, "staging change")

    with (repo / "lab" / "server" / "rconfig.properties").open("a") as server:
        server.write("# change window 43\n")
    git(repo, "add", "lab/server/rconfig.properties")
    broken = try_repo(repo, hooks, home, all_files=False)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, output
    assert "lab/proxy-1/conf/config/proxy.properties:10:1: TC101 [error]" in output
    assert "prod/" not in output and "scratch/" not in output and "staging/" not in output
