"""Start-up: with warm caches, ``check`` imports no heavy module it does not need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("jsonschema", "ruamel", "tomllib")


def _imported_modules(tmp_path: Path) -> set[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "tcommlint",
        "check",
        "examples/chat-fixed",
    ]
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)  # fills the cache
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_default_path_skips_schema_validation_yaml_and_toml(tmp_path: Path) -> None:
    modules = _imported_modules(tmp_path)
    assert "tcommlint.engine" in modules  # the probe does see our imports
    loaded_heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded_heavy == []


def test_digest_is_sha256() -> None:
    import hashlib

    from tcommlint.digest import sha256_hex

    for data in (b"", b"abc", bytes(range(256)) * 100):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
