"""How deeply nested input may be: one bound for every nested format.

Real configurations nest fewer than 20 levels. Readers of nested input (and Python's own
readers and composers) recurse, and a C one overflows the stack — a crash, not an
exception — so depth is counted with a linear, non-recursive scan before anything recurses,
and deeper input is refused where the bound is crossed: TC001 for a configuration file, a
usage error (exit 2) for tcommlint's own YAML files.
"""

from __future__ import annotations

MAX_DEPTH = 200
NESTED_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
