"""Start-up: with warm or empty caches, ``check`` imports no heavy module it does not need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("jsonschema", "ruamel", "tomllib")
# Never needed by a plain run: tempfile and shutil (bz2, lzma) come from the cache's writes
# and argparse's terminal width; referencing/attrs from jsonschema. lxml: XML is read with
# expat (its import alone cost a cold run about 12 ms).
NEVER = (
    "jsonschema",
    "tomllib",
    "tempfile",
    "shutil",
    "bz2",
    "lzma",
    "referencing",
    "attr",
    "lxml",
)


def _run_modules(tmp_path: Path, example: str) -> set[str]:
    """Modules imported by one ``check`` of ``example`` with the cache under ``tmp_path``,
    less those the interpreter imports for ``pass`` (site hooks of the environment)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-X", "importtime", "-m", "tcommlint", "check", example]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    bare = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "pass"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return _module_names(result.stderr) - _module_names(bare.stderr)


def _module_names(importtime: str) -> set[str]:
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in importtime.splitlines()
        if line.startswith("import time:")
    }


def test_empty_cache_run_reads_no_rule_file_and_no_schema_library(tmp_path: Path) -> None:
    """The bundled rules come from tcommlint/_rules_compiled.json; a valid manifest passes the
    quick schema check. Only the manifest's YAML needs ruamel."""
    modules = _run_modules(tmp_path, "examples/chat-fixed")
    assert "tcommlint.engine" in modules
    assert sorted(m for m in modules if m.split(".")[0] in NEVER) == []


def test_warm_run_skips_tempfile_and_shutil(tmp_path: Path) -> None:
    _run_modules(tmp_path, "examples/chat-fixed")
    modules = _run_modules(tmp_path, "examples/chat-fixed")
    assert sorted(m for m in modules if m.split(".")[0] in NEVER + HEAVY) == []


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
    loaded_heavy = sorted(m for m in modules if m.split(".")[0] in (*HEAVY, "lxml"))
    assert loaded_heavy == []


def test_an_empty_cache_run_parses_tomcat_xml_with_expat_not_lxml(tmp_path: Path) -> None:
    """examples/chat-fixed has two Tomcat conf trees: an empty cache parses them."""
    modules = _run_modules(tmp_path, "examples/chat-fixed")
    assert "tcommlint.loaders.generic.xmltree" in modules
    assert "pyexpat" in modules or "xml.parsers.expat" in modules
    assert sorted(m for m in modules if m.split(".")[0] == "lxml") == []


def test_digest_is_sha256() -> None:
    import hashlib

    from tcommlint.digest import sha256_hex

    for data in (b"", b"abc", bytes(range(256)) * 100):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_a_run_without_findings_never_searches_for_secrets(tmp_path: Path) -> None:
    """Secrets are looked for only to mask output: a clean check compiles none of the
    redaction patterns; one with findings masks them (tests/test_redact.py)."""
    probe = (
        "import sys\n"
        "from tcommlint import cli, redact\n"
        "code = cli.main(['check', 'examples/chat-fixed'])\n"
        "patterns = [*redact._PATTERNS, redact._URL_PASSWORD, redact._LOOKS_SECRET]\n"
        "print(code, sum(p._compiled is not None for p in patterns))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split()[-2:] == ["0", "0"], result.stderr[-2000:]
