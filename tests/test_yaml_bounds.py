"""Every YAML tcommlint reads is bounded in one place (yamlread.excess): alias bombs in manifests
and rule files; and YAML errors are one line. Bombs run in a subprocess with a timeout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import assert_refused, run_cli, run_json, tcommlint_process, write_tree

PROXY = {"d/proxy.properties": "AutoCallQueue=true\n"}
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


ALIAS_BOMB = "".join(
    f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True)
)
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + ALIAS_BOMB


# --- YAML alias bombs in tcommlint's own files ----------------------------------------------


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"d/tcommlint.yaml": "deployment: {name: x}\n" + ALIAS_BOMB},
            ["check", "d"],
            "d/tcommlint.yaml:6: invalid YAML: too many alias expansions",
        ),
        (
            {"r/X001.yaml": ALIAS_BOMB},
            ["rules", "--rules", "r"],
            "r/X001.yaml:",
        ),
        (
            {"d/tcommlint.yaml": "deployment: &d {name: [*d]}\n"},
            ["check", "d"],
            "d/tcommlint.yaml:1: invalid YAML: recursive alias",
        ),
    ],
    ids=["manifest", "rule-file", "manifest-recursive"],
)
def test_alias_bomb_in_our_own_yaml_is_refused(
    tmp_path: Path, files: dict[str, str], args: list[str], message: str
) -> None:
    write_tree(tmp_path, {**PROXY, **files})
    done = tcommlint_process(args, tmp_path)
    assert_refused(done, message)
    assert "alias" in done.stderr


# --- one-line errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"d/tcommlint.yaml": "deployment:\n  name: a\x07b\n"},
            ["check", "d"],
            "d/tcommlint.yaml:2: invalid YAML: unacceptable character #x0007",
        ),
        (
            {"r/X001.yaml": "id: X\x01\n"},
            ["rules", "--rules", "r"],
            "r/X001.yaml:1: invalid YAML: unacceptable character #x0001",
        ),
    ],
    ids=["manifest", "rule-file"],
)
def test_control_character_is_a_one_line_error(
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    write_tree(in_tmp, {**PROXY, **files})
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1


def test_control_character_in_a_yaml_config_is_a_one_line_tc001(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"d/proxy.yaml": "AutoCallQueue: a\x07b\n"})
    _, report = run_json(["check", "d", "--select", "TC001"], capsys)
    [finding] = report["findings"]
    assert (finding["location"]["line"], finding["location"]["column"]) == (1, 17)
    assert "\n" not in finding["message"]
