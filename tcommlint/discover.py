"""Paths → deployments (SPEC §2).

A directory argument is one deployment, unless it or a directory below it holds a
``tcommlint.yaml``: then each directory holding one is a deployment, and the files no manifest
covers are grouped by the smallest directory whose files make a complete deployment (a proxy
config, a server rconfig and a load-balancer config), the rest forming the argument's own
deployment. A file argument stands for the deployment that holds it: its nearest enclosing
manifest, else the smallest enclosing directory holding a complete deployment, else its own
directory; never the working directory merely because the command ran there.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

from tcommlint.classify import part_of
from tcommlint.errors import UsageError
from tcommlint.records import NamedTuple
from tcommlint.settings import MANIFEST_NAME, ConfigFile, read_config
from tcommlint.temporaries import is_temporary

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
)
COMPLETE = frozenset({"proxy", "server", "lb"})
# How many files the search for a file argument's deployment classifies before it settles for
# the file's own directory: a file under /tmp must not make tcommlint read all of /tmp.
SEARCH_BUDGET = 5000


class DeploymentPlan(NamedTuple):
    """A deployment root, its manifest if any, its files (sorted) and what was passed over."""

    root: Path
    manifest: Path | None
    files: tuple[Path, ...]
    skipped: tuple[tuple[Path, str], ...] = ()  # (file, why it was not read)


class _Directory(NamedTuple):
    files: tuple[Path, ...]
    subdirs: tuple[Path, ...]
    skipped: tuple[tuple[Path, str], ...]
    has_manifest: bool


class _OverBudget(Exception):
    """The search for a file argument's deployment looked at more than SEARCH_BUDGET files."""


Groups = list[tuple[Path, tuple[Path, ...]]]


class _Tree:
    """The directories under consideration, each listed once and classified at most once."""

    def __init__(self) -> None:
        self._listed: dict[Path, _Directory] = {}
        self._parts: dict[Path, str | None] = {}
        self._groups: dict[Path, tuple[Groups, list[Path]]] = {}
        self.budget: int | None = None  # files left to look at, when the search is bounded

    def listing(self, directory: Path) -> _Directory:
        if directory not in self._listed:
            listing = _list(directory)
            self._spend(len(listing.files))
            self._listed[directory] = listing
        return self._listed[directory]

    def part(self, file: Path) -> str | None:
        if file not in self._parts:
            self._spend(1)
            self._parts[file] = part_of(file)
        return self._parts[file]

    def _spend(self, count: int) -> None:
        if self.budget is not None:
            self.budget -= count
            if self.budget < 0:
                raise _OverBudget

    def _unmanaged_subdirs(self, directory: Path) -> list[Path]:
        return [d for d in self.listing(directory).subdirs if not self.listing(d).has_manifest]

    def grouped(self, directory: Path) -> tuple[Groups, list[Path]]:
        """The complete deployments found below ``directory`` (deepest first, each with its
        files) and the files left over, outside every manifest's directory."""
        order, stack = [], [directory]
        while stack:  # depth-first without recursion: directory trees can be deep
            current = stack.pop()
            if current not in self._groups:
                order.append(current)
                stack.extend(self._unmanaged_subdirs(current))
        for current in reversed(order):  # children before their parents
            self._groups[current] = self._group(current)
        return self._groups[directory]

    def _group(self, directory: Path) -> tuple[Groups, list[Path]]:
        groups: Groups = []
        pending = list(self.listing(directory).files)
        for subdir in self._unmanaged_subdirs(directory):
            inner, left = self._groups[subdir]
            groups.extend(inner)
            pending.extend(left)
        if {self.part(file) for file in pending} >= COMPLETE:
            return [*groups, (directory, tuple(sorted(pending)))], []
        return groups, pending

    def files_below(self, root: Path) -> list[Path]:
        """Every file below ``root``, minus those of directories holding their own manifest."""
        found: list[Path] = []
        stack = [root]
        while stack:
            directory = stack.pop()
            found.extend(self.listing(directory).files)
            stack.extend(self._unmanaged_subdirs(directory))
        return sorted(found)

    def skipped_in(self, root: Path, files: tuple[Path, ...]) -> tuple[tuple[Path, str], ...]:
        """What the listing passed over in the directories of ``files``."""
        directories = {file.parent for file in files} | {root}
        return tuple(entry for d in sorted(directories) for entry in self.listing(d).skipped)


def _list(directory: Path) -> _Directory:
    files, subdirs, skipped = [], [], []
    has_manifest = False
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return _Directory((), (), (), False)
    for entry in entries:
        path = Path(entry.path)
        if entry.name == MANIFEST_NAME and entry.is_file():
            has_manifest = True
        elif entry.is_symlink():
            skipped.append((path, "a symbolic link (not followed)"))
        elif entry.is_dir():
            if entry.name not in SKIPPED_DIRS:
                subdirs.append(path)
        elif is_temporary(entry.name):
            skipped.append((path, "a temporary file of an interrupted --fix"))
        elif entry.is_file():
            files.append(path)
        else:
            skipped.append((path, "not a regular file"))
    return _Directory(tuple(files), tuple(subdirs), tuple(skipped), has_manifest)


def plan(paths: list[str], cwd: Path) -> list[DeploymentPlan]:
    """The deployments named by command-line paths, each once, sorted by root."""
    tree = _Tree()
    found: dict[Path, tuple[Path, ...]] = {}
    for argument in paths or ["."]:
        path = (cwd / argument).resolve()
        if not path.exists():
            raise UsageError("no such file or directory", argument)
        if path.is_dir():
            for root, files in _directory_deployments(tree, path):
                found.setdefault(root, files)
        elif not path.is_file():  # a FIFO or a device: reading it would block or never end
            raise UsageError("not a regular file", argument)
        else:
            root, files = _file_deployment(tree, path, cwd.resolve())
            found.setdefault(root, files)
    plans = []
    for root in sorted(found):
        files = found[root]
        manifest = root / MANIFEST_NAME if (root / MANIFEST_NAME).is_file() else None
        skipped = tree.skipped_in(root, files)
        plans.append(DeploymentPlan(root, manifest, files, skipped))
    return plans


def _directory_deployments(tree: _Tree, path: Path) -> list[tuple[Path, tuple[Path, ...]]]:
    manifest_roots = _manifest_roots(tree, path)
    if not manifest_roots:
        return [(path, tuple(tree.files_below(path)))]
    result = [(root, tuple(tree.files_below(root))) for root in manifest_roots]
    if path in manifest_roots:
        return result
    groups, left = tree.grouped(path)
    result.extend(groups)
    if any(tree.part(file) is not None for file in left):
        result.append((path, tuple(sorted(left))))
    return result


def _manifest_roots(tree: _Tree, path: Path) -> list[Path]:
    roots, stack = [], [path]
    while stack:
        directory = stack.pop()
        listing = tree.listing(directory)
        if listing.has_manifest:
            roots.append(directory)
        stack.extend(reversed(listing.subdirs))
    return roots


def _file_deployment(tree: _Tree, file: Path, cwd: Path) -> tuple[Path, tuple[Path, ...]]:
    manifest_root = _enclosing_manifest(file)
    if manifest_root is not None:
        return manifest_root, tuple(tree.files_below(manifest_root))
    found = _smallest_complete(tree, file, _search_top(file, cwd))
    if found is not None:
        return found
    _, left = tree.grouped(file.parent)
    return file.parent, tuple(sorted(left))


def _smallest_complete(tree: _Tree, file: Path, top: Path) -> tuple[Path, tuple[Path, ...]] | None:
    tree.budget = SEARCH_BUDGET
    try:
        for directory in _ancestors(file, top):
            groups, _ = tree.grouped(directory)
            for root, files in groups:
                if file in files:
                    return root, files
    except _OverBudget:
        pass
    finally:
        tree.budget = None
    return None


def _ancestors(file: Path, top: Path) -> Iterator[Path]:
    for directory in file.parents:
        yield directory
        if directory == top:
            return


def _enclosing_manifest(file: Path) -> Path | None:
    top = _repository_root(file) or Path(file.anchor)
    for directory in _ancestors(file, top):
        if (directory / MANIFEST_NAME).is_file():
            return directory
    return None


def _search_top(file: Path, cwd: Path) -> Path:
    """How high the search for a complete deployment goes: the repository's root, else the
    working directory when the file is below it, else the filesystem's root."""
    repository = _repository_root(file)
    if repository is not None:
        return repository
    return cwd if file.is_relative_to(cwd) else Path(file.anchor)


def _repository_root(file: Path) -> Path | None:
    for directory in file.parents:
        if (directory / ".git").exists():
            return directory
    return None


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


def excluded(relative: str, patterns: list[str]) -> str | None:
    """The ``exclude`` glob a deployment-relative path matches (``**`` spans folders), if any."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase("/" + relative, pattern):
            return pattern
    return None
