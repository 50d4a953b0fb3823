"""Deeply nested input is refused where the bound is crossed, never a crash (SPEC §2).

Run as a real process: a C composer overflowing its stack kills the process (exit 139),
which no in-process test can observe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tcommlint.nesting import MAX_DEPTH, NESTED_TOO_DEEP

from conftest import write_tree

ROOT = Path(__file__).resolve().parents[1]


def _cases(n: int) -> dict[str, tuple[dict[str, str], str]]:
    return {
        "yaml-flow": ({"proxy.yaml": "AutoCallQueue: " + "[" * n + "]" * n + "\n"}, "TC001"),
        "yaml-map": ({"proxy.yaml": "AutoCallQueue: " + "{a: " * n + "1" + "}" * n}, "TC001"),
        "json": ({"proxy.json": '{"AutoCallQueue": ' + "[" * n + "]" * n + "}\n"}, "TC001"),
        "as3": ({"as3.json": '{"class": "AS3", "x": ' + "[" * n + "]" * n + "}\n"}, "TC001"),
        "tmsh": ({"bigip.conf": "ltm pool /C/p {\n" + "a {\n" * n + "}\n" * n + "}\n"}, "TC001"),
        "haproxy-if": (
            {"haproxy.cfg": "defaults\n    mode http\n" + ".if defined(X)\n" * n + ".endif\n" * n},
            "TC001",
        ),
        "xml": (
            {"proxy.xml": "<config><AutoCallQueue/>" + "<a>" * n + "</a>" * n + "</config>"},
            "TC001",
        ),
        "manifest": ({"tcommlint.yaml": "name: " + "[" * n + "]" * n + "\n"}, "exit 2"),
    }


def _run(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(cwd / ".cache"))
    command = [sys.executable, "-m", "tcommlint", "--debug", *argv]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("levels", [30_000, 100_000])
@pytest.mark.parametrize("kind", list(_cases(1)))
def test_deep_nesting_is_refused_without_a_crash(kind: str, levels: int, tmp_path: Path) -> None:
    files, expected = _cases(levels)[kind]
    write_tree(tmp_path / "d", files)
    done = _run(tmp_path, "check", "d", "--format", "json", "--fail-on", "never")
    if expected == "exit 2":
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and NESTED_TOO_DEEP in done.stderr
        return
    assert done.returncode == 0, done.stderr
    errors = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "TC001"]
    assert len(errors) == 1, errors
    assert "nested" in errors[0]["message"] or "depth" in errors[0]["message"]


def test_yaml_depth_is_refused_at_the_collection_that_crosses_the_bound() -> None:
    from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml

    text = "AutoCallQueue: true\nx:\n" + "".join(" " * i + "- \n" for i in range(MAX_DEPTH + 5))
    error = parse_keyvalue_yaml("p.yaml", text).error
    assert error is not None and error.reason == NESTED_TOO_DEEP
    assert error.span.line == MAX_DEPTH + 2


def test_yaml_at_the_bound_is_read() -> None:
    from tcommlint.loaders.generic.yamlconf import parse_keyvalue_yaml

    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    document = parse_keyvalue_yaml("p.yaml", f"AutoCallQueue: true\nx: {inner}\n")
    assert document.error is None


def test_rule_file_nested_too_deeply_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path / "rules", {"X001.yaml": "id: " + "[" * 30_000 + "]" * 30_000 + "\n"})
    done = _run(tmp_path, "rules", "--rules", "rules")
    assert done.returncode == 2
    assert done.stderr.startswith("tcommlint: error: rules/X001.yaml:1:")
    assert NESTED_TOO_DEEP in done.stderr and done.stderr.count("\n") == 1


def test_haproxy_refuses_the_100th_nested_if_like_haproxy() -> None:
    from tcommlint.loaders.haproxy.reader import read_haproxy

    for depth, errors in ((99, []), (100, [(101, "too many nested '.if', max is 100")])):
        text = "global\n" + ".if 1\n" * depth + ".endif\n" * depth
        result = read_haproxy("h.cfg", text)
        assert [(e.span.line, e.reason) for e in result.errors] == errors
