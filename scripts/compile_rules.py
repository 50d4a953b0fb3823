"""Write tcommlint/_rules_compiled.json: the bundled rules parsed and validated, for runs.

Run it after editing rules/*.yaml; tests/test_rules_compiled.py fails while it is stale (and
a run falls back to reading the rule files themselves).

    python scripts/compile_rules.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcommlint.resources import COMPILED_RULES  # noqa: E402
from tcommlint.ruleset import compile_bundled  # noqa: E402


def main() -> int:
    """Build the artefact and write it beside the package's modules."""
    text = json.dumps(compile_bundled(), ensure_ascii=False, indent=1) + "\n"
    (ROOT / "tcommlint" / COMPILED_RULES).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
