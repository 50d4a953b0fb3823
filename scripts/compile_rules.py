"""Write tcommlint/_rules_compiled.json: the bundled rules parsed, validated and compiled, for runs.

Run it after editing rules/*.yaml or the expression helpers (``tcommlint.expr.DECLARATIONS``);
tests/test_rules_compiled.py fails while it is stale (and a run falls back to reading the rule
files themselves). CEL writes a compiled program's maps in no fixed order, so a program whose
selector and helpers are unchanged is kept as the artefact already holds it: a rebuild changes
the lines of the rules that changed, no others.

    python scripts/compile_rules.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcommlint.resources import COMPILED_RULES, compiled_rules  # noqa: E402
from tcommlint.ruleset import compile_bundled  # noqa: E402

# What a rule's selector is made of (``ruleset._selector``).
SELECTOR_FIELDS = ("for_each", "when", "as")


def main() -> int:
    """Build the artefact and write it beside the package's modules."""
    artefact = _keeping_programs(compile_bundled(), compiled_rules())
    text = json.dumps(artefact, ensure_ascii=False, indent=1) + "\n"
    (ROOT / "tcommlint" / COMPILED_RULES).write_text(text, encoding="utf-8")
    return 0


def _keeping_programs(new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """``new`` with the programs of ``old`` wherever a rule's selector compiled the same."""
    if old is None or old.get("environment") != new["environment"]:
        return new
    before = {entry["path"]: entry for entry in old.get("rules", [])}
    rules = []
    for entry in new["rules"]:
        previous = before.get(entry["path"])
        if previous is not None and _selector(previous) == _selector(entry):
            entry = {**entry, "selector": previous["selector"]}
        rules.append(entry)
    return {**new, "rules": rules}


def _selector(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(entry["data"].get(field) for field in SELECTOR_FIELDS)


if __name__ == "__main__":
    sys.exit(main())
