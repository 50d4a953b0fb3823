"""Paths → deployments (SPEC §2): a directory holding ``tcommlint.yaml`` is a deployment."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import NamedTuple

from tcommlint.errors import UsageError
from tcommlint.settings import MANIFEST_NAME, ConfigFile, read_config

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
)
MAX_FILE_BYTES = 8 * 1024 * 1024


class DeploymentPlan(NamedTuple):
    """A deployment root, its manifest if any, and its files (sorted)."""

    root: Path
    manifest: Path | None
    files: tuple[Path, ...]


def plan(paths: list[str], cwd: Path) -> list[DeploymentPlan]:
    """The deployments named by command-line paths, each once, in path order."""
    roots: dict[Path, Path | None] = {}
    for argument in paths or ["."]:
        path = (cwd / argument).resolve()
        if not path.exists():
            raise UsageError("no such file or directory", argument)
        if path.is_dir():
            for root in _roots_below(path):
                roots.setdefault(root, _manifest_in(root))
        else:
            root = _enclosing_root(path, cwd.resolve())
            roots.setdefault(root, _manifest_in(root))
    nested = set(roots)
    plans = []
    for root in sorted(roots):
        files = tuple(files_below(root, nested - {root}))
        plans.append(DeploymentPlan(root, roots[root], files))
    return plans


def planned(
    paths: list[str], cwd: Path, config: ConfigFile | None
) -> list[tuple[DeploymentPlan, ConfigFile | None]]:
    """Each deployment named by ``paths`` with the manifest that describes it (its own
    ``tcommlint.yaml``, else the configuration found upward)."""
    result = []
    for deployment_plan in plan(paths, cwd):
        manifest = (
            read_config(deployment_plan.manifest, cwd) if deployment_plan.manifest else config
        )
        result.append((deployment_plan, manifest))
    return result


def _manifest_in(directory: Path) -> Path | None:
    manifest = directory / MANIFEST_NAME
    return manifest if manifest.is_file() else None


def _roots_below(path: Path) -> list[Path]:
    manifests = []
    for directory, subdirs, names in os.walk(path):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
        if MANIFEST_NAME in names:
            manifests.append(Path(directory))
    return manifests or [path]


def _enclosing_root(file: Path, cwd: Path) -> Path:
    for directory in file.parents:
        if (directory / MANIFEST_NAME).is_file():
            return directory
        if directory == cwd:
            break
    return cwd


def files_below(root: Path, other_roots: set[Path]) -> list[Path]:
    """The files of a deployment rooted at ``root``, minus those of nested deployments."""
    found = []
    for directory, subdirs, names in os.walk(root):
        here = Path(directory)
        subdirs[:] = sorted(
            d for d in subdirs if d not in SKIPPED_DIRS and (here / d) not in other_roots
        )
        for name in sorted(names):
            file = here / name
            if name != MANIFEST_NAME and file.is_file() and not file.is_symlink():
                found.append(file)
    return found


def excluded(relative: str, patterns: list[str]) -> bool:
    """Whether a deployment-relative path matches an ``exclude`` glob (``**`` spans folders)."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase("/" + relative, pattern):
            return True
    return False
