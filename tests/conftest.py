"""Shared test helpers: build deployments in temporary folders and run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tcommlint.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``relative path -> content`` under root."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``tcommlint argv`` in-process; returns (exit code, stdout, stderr)."""
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """Run ``check --format json`` and parse the report."""
    code, out, err = run_cli([*argv, "--format", "json"], capsys)
    assert code in (0, 1), err
    report: dict[str, Any] = json.loads(out)
    return code, report


def tcommlint_process(
    args: list[str], cwd: Path, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    """``tcommlint args`` in a fresh process (this checkout's package, a cache under ``cwd``);
    ``timeout`` is far above a normal run and far below "forever"."""
    project = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(project), "XDG_CACHE_HOME": str(cwd / ".cache")}
    command = [sys.executable, "-m", "tcommlint", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    """A usage error: exit 2, one line on stderr naming ``message``, no traceback."""
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with an isolated cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path
