"""A non-editable install ships rules/ and schemas/ inside the package and finds them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{build.stderr}")
    (built,) = out.glob("tcommlint-*.whl")
    return built


def test_wheel_contains_rules_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    schemas = {p.name for p in (ROOT / "schemas").glob("*.json")}
    assert {f"tcommlint/_rules/{name}" for name in rules} <= names
    assert {f"tcommlint/_schemas/{name}" for name in schemas} <= names
    assert "tcommlint/_rules/logs/signatures.yaml" in names


def test_installed_package_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    shutil.copytree(ROOT / "examples" / "chat-broken", tmp_path / "chat-broken")
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    probe = subprocess.run(
        [sys.executable, "-c", "import tcommlint.resources as r; print(r.rules_dir())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == site / "tcommlint" / "_rules"
    result = subprocess.run(
        [sys.executable, "-m", "tcommlint", "check", "chat-broken"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "TC101 [error]" in result.stdout
    assert result.stderr == ""
