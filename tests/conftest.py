"""Shared test helpers: build deployments in temporary folders and run the real CLI."""

from __future__ import annotations

import json
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


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with an isolated cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path
