"""The cost side of rule expressions: string functions and distances with bounded work.

CEL bounds its comprehensions (10,000 iterations), not the size of what a function returns:
``x.replace("a", "aaaaaaaaaa")`` chained a few times asks for gigabytes. The string methods
rules may call (the names and meanings of CEL's strings extension) are therefore provided
here, each refusing a result beyond ``MAX_TEXT`` characters or ``MAX_PARTS`` list items, and
the edit distances refuse more than ``MAX_CELLS`` cells of work. A refusal raises
``CostExceeded``; the rule is then not evaluable on that deployment, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_TEXT = 1_000_000  # characters in any string a helper returns
MAX_PARTS = 10_000  # items of a list a helper returns (CEL iterates at most this many)
MAX_CELLS = 4_000_000  # cells of an edit-distance table
COST_MARK = "cost budget exceeded"


class CostExceeded(ValueError):
    """A helper would do or return more than its budget allows; ``reason`` says what."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{COST_MARK}: {what}")
        self.reason = what


def _text(result: str, function: str) -> str:
    if len(result) > MAX_TEXT:
        raise CostExceeded(f"{function} would return {len(result):,} characters (> {MAX_TEXT:,})")
    return result


def replace(text: str, old: str, new: str, count: int = -1) -> str:
    """``text.replace(old, new[, count])``: at most ``count`` replacements (all when < 0)."""
    occurrences = text.count(old) if old else len(text) + 1
    if count >= 0:
        occurrences = min(occurrences, count)
    size = len(text) + occurrences * (len(new) - len(old))
    if size > MAX_TEXT:
        raise CostExceeded(f"replace would return {size:,} characters (> {MAX_TEXT:,})")
    return text.replace(old, new, count)


def split(text: str, separator: str, limit: int = -1) -> list[str]:
    """``text.split(separator[, limit])``: CEL's ``limit`` counts parts (0 gives none)."""
    if limit == 0:
        return []
    if limit > 0:
        parts = text.split(separator, limit - 1) if separator else _chars(text, limit)
    else:
        parts = _split_all(text, separator)
    if len(parts) > MAX_PARTS:
        raise CostExceeded(f"split would return {len(parts):,} parts (> {MAX_PARTS:,})")
    return parts


def _split_all(text: str, separator: str) -> list[str]:
    if separator:
        if text.count(separator) >= MAX_PARTS:
            raise CostExceeded(f"split would return more than {MAX_PARTS:,} parts")
        return text.split(separator)
    if len(text) > MAX_PARTS:
        raise CostExceeded(f"split would return {len(text):,} parts (> {MAX_PARTS:,})")
    return list(text)


def _chars(text: str, limit: int) -> list[str]:
    head = list(text[: limit - 1])
    return [*head, text[limit - 1 :]] if len(text) >= limit else head


def join(parts: Sequence[str], separator: str = "") -> str:
    """``list.join([separator])``."""
    size = sum(len(part) for part in parts) + max(len(parts) - 1, 0) * len(separator)
    if size > MAX_TEXT:
        raise CostExceeded(f"join would return {size:,} characters (> {MAX_TEXT:,})")
    return separator.join(parts)


def substring(text: str, start: int, end: int | None = None) -> str:
    """``text.substring(start[, end])``; an index outside the text is an error, as in CEL."""
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"substring({start}, {stop}) outside a text of {len(text)} characters")
    return text[start:stop]


def char_at(text: str, index: int) -> str:
    """``text.charAt(index)``: "" at the end, an error beyond it."""
    if not 0 <= index <= len(text):
        raise ValueError(f"charAt({index}) outside a text of {len(text)} characters")
    return text[index : index + 1]


def index_of(text: str, part: str, start: int = 0) -> int:
    """``text.indexOf(part[, start])``; -1 when absent."""
    return text.find(part, start)


def last_index_of(text: str, part: str, end: int | None = None) -> int:
    """``text.lastIndexOf(part[, end])``; -1 when absent."""
    return text.rfind(part) if end is None else text.rfind(part, 0, end + len(part))


def edit_distance(left: str, right: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    if len(left) * len(right) > MAX_CELLS:
        raise CostExceeded(
            f"edit_distance of texts of {len(left):,} and {len(right):,} characters "
            f"(> {MAX_CELLS:,} cells)"
        )
    return _distance(left, right, len(left) + len(right))


def distance_within(left: str, right: str, most: int) -> int:
    """The edit distance when it is at most ``most``, else ``most + 1``, in O(n·most) work:
    only the diagonal band a distance of ``most`` can reach is computed."""
    if abs(len(left) - len(right)) > most:
        return most + 1
    return min(_distance(left, right, most), most + 1)


def _distance(left: str, right: str, band: int) -> int:
    """Optimal string alignment distance, computing only cells within ``band`` of the
    diagonal (the rest count as ``band + 1``)."""
    far = band + 1
    previous2: list[int] = []
    previous = [j if j <= band else far for j in range(len(right) + 1)]
    for i, left_char in enumerate(left, 1):
        current = [i if i <= band else far] + [far] * len(right)
        for j in range(max(1, i - band), min(len(right), i + band) + 1):
            right_char = right[j - 1]
            cost = 0 if left_char == right_char else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                best = min(best, previous2[j - 2] + 1)
            current[j] = min(best, far)
        previous2, previous = previous, current
    return previous[-1]
