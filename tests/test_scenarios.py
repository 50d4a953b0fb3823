"""The canonical chat scenarios: how alike the concurrent sessions' ids are."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from tcommlint.pipeline.scenarios import AppModel, scenarios, typical_id_prefixes


def _shared(first: str, second: str) -> int:
    """How many leading characters two ids share."""
    differs = (index for index, (a, b) in enumerate(zip(first, second, strict=False)) if a != b)
    return next(differs, min(len(first), len(second)))


@pytest.mark.parametrize(
    ("population", "shared"), [(2, 0), (5, 0), (6, 1), (20, 2), (30, 2), (1000, 4)]
)
def test_two_ids_share_what_two_of_that_many_random_ids_more_likely_than_not_share(
    population: int, shared: int
) -> None:
    """The birthday bound: some pair of N random hex ids shares L leading digits more likely
    than not when the pairs outnumber ln 2 x 16^L."""
    first, second, *others = typical_id_prefixes(6, population, 32)
    assert _shared(first, second) == shared
    assert all(other[0] not in (first[0], second[0]) for other in others)
    assert len({other[0] for other in others}) == len(others)
    pairs = population * (population - 1) / 2
    assert pairs >= math.log(2) * 16**shared and pairs < math.log(2) * 16 ** (shared + 1)


def test_the_bound_agrees_with_random_ids() -> None:
    """Drawn ids: with 20 sessions two share 2 leading digits in about half the draws, and
    share 3 in few."""
    draws = random.Random(7)

    def longest(population: int) -> int:
        ids = sorted(f"{draws.getrandbits(128):032X}" for _ in range(population))
        return max(_shared(a, b) for a, b in itertools.pairwise(ids))

    longest_of = [longest(20) for _ in range(400)]
    assert 0.4 < sum(n >= 2 for n in longest_of) / 400 < 0.65
    assert sum(n >= 3 for n in longest_of) / 400 < 0.1


@pytest.mark.parametrize(("population", "letters"), [(4, False), (5, True), (1000, True)])
def test_from_five_sessions_two_ids_start_with_a_letter(population: int, letters: bool) -> None:
    """An id that starts with a letter is 0 cast to an integer; two of five random ids do,
    more likely than not (1 - 0.625^5 - 5 x 0.375 x 0.625^4 = 0.62)."""
    first, second, *_ = typical_id_prefixes(6, population, 32)
    assert (first[0].isalpha() and second[0].isalpha()) is letters


def test_ids_shorter_than_the_shared_prefix_still_differ() -> None:
    first, second = typical_id_prefixes(2, 10**9, 4)
    assert first != second and _shared(first, second) == 3


def test_only_the_concurrent_scenario_has_alike_ids() -> None:
    found = {s.name: s for s in scenarios(AppModel(concurrent_sessions=1000))}
    assert found["concurrent"].id_prefixes == typical_id_prefixes(6, 1000, 32)
    assert all(not s.id_prefixes for name, s in found.items() if name != "concurrent")
