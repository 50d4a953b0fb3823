"""The shipped artefact of the bundled rules matches rules/*.yaml and is what a run uses."""

from __future__ import annotations

import os
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


def _cached_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_rules_from_the_cache_equal_rules_read_from_the_artefact(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _cached_run(monkeypatch, tmp_path)
    with cache.disabled():
        fresh = load_rules()
    load_rules()  # fills the cache
    cached = load_rules()
    assert list((tmp_path / "cache" / "tcommlint").glob("ruleset-*.json"))

    def described(rule: ruleset.Rule) -> tuple[object, ...]:
        reads = [rule.facts_read(with_selector=s) for s in (False, True)]
        return (rule.path, rule.data, rule.lines, rule.selector.source, reads)

    assert [described(r) for r in cached] == [described(r) for r in fresh]


def test_an_edited_rule_file_is_not_read_from_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The bundled set's cache entry is found by each file's name, size and modification
    time: an edit of the same size is seen too."""
    _cached_run(monkeypatch, tmp_path)
    rules = tmp_path / "rules"
    rules.mkdir()
    source = next(ruleset.rules_dir().glob("TC001-*.yaml"))
    copy = rules / source.name
    copy.write_bytes(source.read_bytes())
    monkeypatch.setattr(ruleset, "rules_dir", lambda: rules)
    assert [rule.severity for rule in load_rules()] == ["error"]
    assert [rule.severity for rule in load_rules()] == ["error"]  # from the cache
    edited = source.read_text(encoding="utf-8").replace("severity: error", "severity: info ", 1)
    copy.write_text(edited, encoding="utf-8")
    assert copy.stat().st_size == source.stat().st_size
    stamp = source.stat().st_mtime_ns + 1_000_000_000
    os.utime(copy, ns=(stamp, stamp))
    assert [rule.severity for rule in load_rules()] == ["info"]
