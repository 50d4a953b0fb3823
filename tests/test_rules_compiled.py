"""The shipped artefact of the bundled rules matches rules/*.yaml and is what a run uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tcommlint import cache, resources, ruleset
from tcommlint.ruleset import compile_bundled, load_rules


def _without_programs(artefact: dict[str, Any] | None) -> dict[str, Any]:
    """The artefact less its programs' bytes, which differ from one build to the next."""
    assert artefact is not None
    rules = [{k: v for k, v in entry.items() if k != "selector"} for entry in artefact["rules"]]
    return {**artefact, "rules": rules}


def test_artefact_matches_the_rule_files() -> None:
    """Stale after an edit of rules/*.yaml or of the expression helpers: run
    ``python scripts/compile_rules.py``."""
    assert _without_programs(resources.compiled_rules()) == _without_programs(compile_bundled())


def test_shipped_programs_decide_as_programs_compiled_now() -> None:
    """Each shipped selector, read back, selects what its source compiled now selects, on
    the facts of every example deployment."""
    from tcommlint.discover import planned
    from tcommlint.expr import Compiled
    from tcommlint.facts import deployment_facts
    from tcommlint.load import load_deployment

    artefact = resources.compiled_rules()
    assert artefact is not None
    examples = Path(__file__).resolve().parents[1] / "examples"
    views = [
        deployment_facts(load_deployment(plan, manifest, examples))
        for name in sorted(p.name for p in examples.iterdir())
        for plan, manifest in planned([name], examples, None)
    ]
    with cache.disabled():
        rules = {rule.path: rule for rule in load_rules()}
    for entry in artefact["rules"]:
        rule = rules[entry["path"]]
        if rule.facts != "deployment":
            continue
        shipped = Compiled(rule.selector.source, ("deployment",), serialized=entry["selector"])
        fresh = Compiled(rule.selector.source, ("deployment",))
        for view in views:
            assert _decision(shipped, view) == _decision(fresh, view), rule.id


def _decision(program: Any, view: dict[str, Any]) -> object:
    """What a selector selects, or the error it stops on (a second pass's fact is absent)."""
    from tcommlint.expr import ExpressionError

    try:
        return program.evaluate({"deployment": view})
    except ExpressionError as error:
        return str(error)


def test_a_program_this_library_cannot_read_is_compiled_again() -> None:
    from tcommlint.expr import Compiled

    assert Compiled("1 + 1", ("deployment",), serialized="bm90IGEgcHJvZ3JhbQ==").evaluate() == 2


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


@pytest.mark.parametrize("field", ["digest", "environment"], ids=["other files", "other helpers"])
def test_a_stale_artefact_is_not_used(field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built from other rule files, or for other expression helpers: the rules are read from
    their files."""
    artefact = resources.compiled_rules()
    assert artefact is not None
    stale = {**artefact, field: "0" * 64, "rules": []}
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


def test_a_rebuild_keeps_the_programs_of_unchanged_selectors() -> None:
    """``scripts/compile_rules.py`` rewrites only the programs whose selector changed."""
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "scripts" / "compile_rules.py"
    spec = importlib.util.spec_from_file_location("compile_rules", script)
    assert spec is not None and spec.loader is not None
    compile_rules = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compile_rules)

    def entry(path: str, when: str, program: str) -> dict[str, Any]:
        return {
            "path": path,
            "data": {"for_each": "deployment.x", "when": when},
            "selector": program,
        }

    old = {"environment": "e", "rules": [entry("a", "true", "A"), entry("b", "true", "B")]}
    new = {"environment": "e", "rules": [entry("a", "true", "A2"), entry("b", "false", "B2")]}
    kept = compile_rules._keeping_programs(new, old)
    assert [rule["selector"] for rule in kept["rules"]] == ["A", "B2"]
    other_helpers = compile_rules._keeping_programs(new, {**old, "environment": "f"})
    assert [rule["selector"] for rule in other_helpers["rules"]] == ["A2", "B2"]


def test_a_cache_entry_naming_another_artefact_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The entry of unchanged rule files names the artefact they matched; a package upgraded
    in place (another artefact, same rule files) reads its own."""
    _cached_run(monkeypatch, tmp_path)
    count = len(load_rules())  # the entry names the installed artefact
    artefact = resources.compiled_rules()
    assert artefact is not None
    other = {**artefact, "digest": "f" * 64, "rules": []}
    monkeypatch.setattr(ruleset, "compiled_rules", lambda: other)
    assert len(load_rules()) == count  # read from the files, not the other artefact's []


def test_rules_read_from_changed_files_are_cached_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _cached_run(monkeypatch, tmp_path)
    monkeypatch.setattr(ruleset, "compiled_rules", lambda: None)
    fresh = load_rules()
    monkeypatch.setattr(ruleset, "_parsed", lambda files: pytest.fail("parsed again"))
    cached = load_rules()
    assert [(r.path, r.data) for r in cached] == [(r.path, r.data) for r in fresh]
