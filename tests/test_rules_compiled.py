"""The shipped artefact of the bundled rules matches rules/*.yaml and is what a run uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcommlint import cache, resources, ruleset
from tcommlint.ruleset import compile_bundled, load_rules


def test_artefact_matches_the_rule_files() -> None:
    """Stale after an edit of rules/*.yaml: run ``python scripts/compile_rules.py``."""
    assert resources.compiled_rules() == compile_bundled()


def test_rules_from_the_artefact_equal_rules_read_from_their_files() -> None:
    with cache.disabled():
        shipped = load_rules()
    with cache.disabled(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(ruleset, "compiled_rules", lambda: None)
        parsed = load_rules()
    assert [(r.path, r.data, r.lines) for r in shipped] == [
        (r.path, r.data, r.lines) for r in parsed
    ]
    assert [r.selector.source for r in shipped] == [r.selector.source for r in parsed]


def test_a_stale_artefact_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    artefact = resources.compiled_rules()
    assert artefact is not None
    stale = {**artefact, "digest": "0" * 64, "rules": []}
    monkeypatch.setattr(ruleset, "compiled_rules", lambda: stale)
    with cache.disabled():
        assert len(load_rules()) == len(artefact["rules"])


def test_a_missing_artefact_is_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path)
    assert resources.compiled_rules() is None
