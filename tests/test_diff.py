"""``tcommlint diff OLD NEW``: introduced and fixed findings, risky transitions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def in_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES)


def test_fixed_to_broken_lists_introduced_errors_and_transitions(
    in_examples: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["diff", "chat-fixed", "chat-broken", "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert {f["rule"] for f in report["introduced"]} == {
        "TC005",
        "TC101",
        "TC104",
        "TC205",
        "TC209",
        "TC211",
        "TC301",
    }
    assert report["fixed"] == []
    transitions = report["transitions"]
    assert any(
        t.startswith("persistence of fe_chat -> be_chat_api changes from") for t in transitions
    )
    assert any(
        t.startswith("AutoCallQueue in proxy-2/conf/config/proxy.properties changes")
        for t in transitions
    )
    assert any(
        t.startswith("enable.callagentMessage in server/rconfig.properties") for t in transitions
    )


def test_broken_to_fixed_fixes_everything_and_exits_zero(
    in_examples: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["diff", "chat-broken", "chat-fixed"], capsys)
    assert code == 0
    assert "introduced: 0\n" in out
    assert "fixed: 8\n" in out


def test_moving_lines_introduces_nothing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "old")
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "new")
    for file in (in_tmp / "new").rglob("*.properties"):
        file.write_text("# moved down by a comment\n" + file.read_text())
    code, out, _ = run_cli(["diff", "old", "new"], capsys)
    assert code == 0
    assert "introduced: 0\nfixed: 0\nrisky transitions: 0\n" in out


def test_clean_but_risky_member_change(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "old")
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "new")
    config = in_tmp / "new" / "lb" / "haproxy.cfg"
    config.write_text(
        config.read_text().replace(
            "    server proxy-2 10.20.1.12:8443 check ssl verify none\n",
            "    server proxy-2 10.20.1.12:8443 check ssl verify none\n"
            "    server proxy-3 10.20.1.13:8443 check ssl verify none\n",
        )
    )
    code, out, _ = run_cli(["diff", "old", "new"], capsys)
    assert "be_chat_api: members added: 10.20.1.13:8443" in out
    assert code == 0  # only a warning (TC211) is introduced


def test_diff_needs_directories(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["diff", "a", "b"], capsys)
    assert code == 2 and "a: not a directory" in err


def _introduced(argv: list[str], capsys: pytest.CaptureFixture[str]) -> set[str]:
    _, out, _ = run_cli(["diff", *argv, "--format", "json"], capsys)
    return {f["rule"] for f in json.loads(out)["introduced"]}


def test_rules_of_a_rules_directory_take_part(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``diff`` checks each snapshot as ``check`` does: ``--rules`` and ``rule_dirs`` count."""
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "old")
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "new")
    rule = in_tmp / "extra" / "XX005-boolean.yaml"
    rule.parent.mkdir()
    source = (EXAMPLES.parent / "rules" / "TC005-non-canonical-boolean.yaml").read_text()
    rule.write_text(source.replace("id: TC005", "id: XX005"))
    assert "XX005" not in _introduced(["old", "new"], capsys)
    assert "XX005" in _introduced(["old", "new", "--rules", "extra"], capsys)
    (in_tmp / "settings.yaml").write_text("rule_dirs: [extra]\n")
    assert "XX005" in _introduced(["old", "new", "--config", "settings.yaml"], capsys)


def test_a_snapshots_manifest_ignores_rules(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES / "chat-fixed", in_tmp / "old")
    shutil.copytree(EXAMPLES / "chat-broken", in_tmp / "new")
    assert "TC101" in _introduced(["old", "new"], capsys)
    manifest = in_tmp / "new" / "tcommlint.yaml"
    manifest.write_text(manifest.read_text() + "rules:\n  ignore: [TC101]\n")
    assert "TC101" not in _introduced(["old", "new"], capsys)
