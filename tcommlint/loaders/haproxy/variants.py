"""Conditional blocks that cannot be decided statically: one compilation per branch taken.

``.if defined(X)`` depends on the environment haproxy starts in. The reader keeps the branch
of every statement inside such a block; here each combination of branches (a branch of each
undecided ``.if``, or none when it has no ``.else``) selects its statements and is compiled
apart, so the verdict holds for every way haproxy may read the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from tcommlint.loaders.haproxy.compile import compile_load_balancer
from tcommlint.loaders.haproxy.proxies import Resolved
from tcommlint.loaders.haproxy.reader import Block, Section
from tcommlint.model import ParseError
from tcommlint.pipeline.model import LoadBalancer

MAX_VARIANTS = 16
_NONE = -1


def compile_variants(
    path: str, sections: tuple[Section, ...], resolved: Resolved | None = None
) -> tuple[list[LoadBalancer], list[ParseError], list[str]]:
    """Every compilation of the file, its errors, and a note when variants were capped;
    ``resolved``: the proxies of ``sections`` when already resolved (used when there is a
    single variant: each variant's own sections are resolved apart)."""
    domains, descriptions = _domains(sections)
    if not domains:
        lb, found = compile_load_balancer(path, sections, resolved=resolved)
        return [lb], found, []
    balancers: list[LoadBalancer] = []
    errors: list[ParseError] = []
    notes: list[str] = []
    for count, assignment in enumerate(_assignments(domains)):
        if count == MAX_VARIANTS:
            notes.append(
                f"more than {MAX_VARIANTS} combinations of .if branches: the first analysed"
            )
            break
        chosen = _select(sections, assignment)
        text = _describe(assignment, descriptions)
        lb, found = compile_load_balancer(path, chosen, text)
        balancers.append(lb)
        errors.extend(e for e in found if e not in errors)
    return balancers, errors, notes


def _domains(
    sections: tuple[Section, ...],
) -> tuple[dict[int, list[int]], dict[tuple[int, int], str]]:
    branches: dict[int, set[int]] = {}
    has_else: set[int] = set()
    descriptions: dict[tuple[int, int], str] = {}
    for block in _blocks(sections):
        branches.setdefault(block.line, set()).add(block.branch)
        descriptions[(block.line, block.branch)] = block.condition
        if block.condition and " is true" not in block.condition:
            has_else.add(block.line)
    domains = {
        line: sorted(found) + ([] if line in has_else else [_NONE])
        for line, found in sorted(branches.items())
    }
    return domains, descriptions


def _blocks(sections: tuple[Section, ...]) -> Iterator[Block]:
    for section in sections:
        for statement in (section.header, *section.statements):
            yield from statement.blocks


def _assignments(domains: dict[int, list[int]]) -> Iterator[dict[int, int]]:
    lines = list(domains)
    for values in itertools.product(*(domains[line] for line in lines)):
        yield dict(zip(lines, values, strict=True))


def _select(sections: tuple[Section, ...], assignment: dict[int, int]) -> tuple[Section, ...]:
    def kept(blocks: tuple[Block, ...]) -> bool:
        return all(assignment.get(block.line) == block.branch for block in blocks)

    return tuple(
        section._replace(statements=tuple(s for s in section.statements if kept(s.blocks)))
        for section in sections
        if kept(section.header.blocks)
    )


def _describe(assignment: dict[int, int], descriptions: dict[tuple[int, int], str]) -> str:
    parts = []
    for line, branch in assignment.items():
        if branch == _NONE:
            parts.append(f"no branch of the .if at line {line} is taken")
        else:
            parts.append(descriptions.get((line, branch), "") or f".if at line {line}")
    return "; ".join(parts)
