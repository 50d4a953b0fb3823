"""docs/rules.md is generated from the rule files and must not drift from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tcommlint.docs import DOCS_PATH, generate, main
from tcommlint.ruleset import load_rules


def test_rules_md_is_up_to_date() -> None:
    assert DOCS_PATH.is_file(), "docs/rules.md missing: run python -m tcommlint.docs"
    assert DOCS_PATH.read_text(encoding="utf-8") == generate(), (
        "docs/rules.md is out of date: run python -m tcommlint.docs"
    )


def test_every_rule_has_a_section_and_an_index_row() -> None:
    text = generate()
    for rule in load_rules():
        assert f"\n## {rule.id} {rule.name}\n" in text
        assert f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | {rule.name} |" in text


def test_headings_are_demoted_but_code_is_untouched() -> None:
    text = generate()
    assert text.startswith("# Rules\n")
    assert len(re.findall(r"^# ", text, flags=re.M)) == 1 + _hash_lines_in_code(text)
    assert "\n### How to fix\n" in text


def _hash_lines_in_code(text: str) -> int:
    count, fenced = 0, False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced and line.startswith("# "):
            count += 1
    return count


def test_check_mode_reports_drift(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tcommlint.docs

    stale = tmp_path / "rules.md"
    stale.write_text("# Rules\n", encoding="utf-8")
    monkeypatch.setattr(tcommlint.docs, "DOCS_PATH", stale)
    assert main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([]) == 0
    assert main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == generate()
