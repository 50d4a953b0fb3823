"""Scaffold a rule file: ``python scripts/new_rule.py TC214 cookie-domain-mismatch``.

Writes ``rules/<ID>-<name>.yaml`` with the required fields, the documentation headings and
example stubs, then reminds you to fill them in and regenerate ``docs/rules.md``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "rules"

TEMPLATE = """\
id: {rule_id}
name: {name}
severity: warning
summary: TODO one sentence, as in SPEC section 3.
requires: [lb]
for_each: deployment.app_persistences
as: p
when: "false"  # TODO a CEL condition over the facts (docs/facts.md)
at: p.loc
message: "TODO what is wrong here, and what the user will see"
key: "{{p.service}}/{{p.pool}}/TODO"
docs:
  what: TODO what the rule checks.
  why: TODO why it matters, with the symptom the user sees.
  fix: TODO how to fix it.
  references: []
examples:
  fail:
    - title: TODO
      files:
        lb/haproxy.cfg: |
          defaults
              mode http
      findings: ["lb/haproxy.cfg:1"]
  pass:
    - files:
        lb/haproxy.cfg: |
          defaults
              mode http
"""


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not re.fullmatch(r"[A-Z]{2,5}\d{3}", argv[0]):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    rule_id, name = argv
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        print(f"rule names are kebab-case, not {name!r}", file=sys.stderr)
        return 2
    if any(RULES.glob(f"{rule_id}-*.yaml")):
        print(f"{rule_id} exists already", file=sys.stderr)
        return 2
    target = RULES / f"{rule_id}-{name}.yaml"
    target.write_text(TEMPLATE.format(rule_id=rule_id, name=name), encoding="utf-8")
    print(
        f"wrote {target}; fill in the TODOs, then run: python -m tcommlint.docs"
        " and python scripts/compile_rules.py"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
