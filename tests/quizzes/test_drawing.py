"""Tests for quizzes.drawing: the issue's examples, then properties checked against brute force.

Pure functions only: no database, no Django.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import drawing
from quizzes.drawing import Demand, DrawImpossible, Shortfall, draw, shortfall

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

Assignment = tuple[frozenset[int], ...]


def demand(count: int, *pool: int) -> Demand:
    return Demand(count, frozenset(pool))


def valid_assignments(demands: Sequence[Demand]) -> Iterator[Assignment]:
    """Every way to fill the slots with distinct questions, by brute force."""

    def extend(index: int, taken: frozenset[int]) -> Iterator[Assignment]:
        if index == len(demands):
            yield ()
            return
        free = sorted(demands[index].pool - taken)
        for pick in itertools.combinations(free, demands[index].count):
            for rest in extend(index + 1, taken | set(pick)):
                yield (frozenset(pick), *rest)

    return extend(0, frozenset())


def assert_valid(demands: Sequence[Demand], picks: list[list[int]]) -> None:
    assert len(picks) == len(demands)
    for pick, wanted in zip(picks, demands, strict=True):
        assert len(pick) == wanted.count
        assert set(pick) <= wanted.pool
    drawn = [question for pick in picks for question in pick]
    assert len(drawn) == len(set(drawn))


def as_assignment(picks: list[list[int]]) -> Assignment:
    return tuple(frozenset(pick) for pick in picks)


# --- the examples -------------------------------------------------------------------

# Bank {q1: a+b, q2: a, q3: b}: "1 from a" and "2 from b" fit only as q2 / q1+q3.
OVERLAPPING_TAGS = [demand(1, 1, 2), demand(2, 1, 3)]
# Bank {q1: a+b, q2: a, q3: c}: "2 from a" and "1 from b" need three questions from {q1, q2}.
OVERSUBSCRIBED_TAGS = [demand(2, 1, 2), demand(1, 1)]


def test_overlapping_tags_are_feasible_and_draw_for_every_seed() -> None:
    assert shortfall(OVERLAPPING_TAGS) is None
    for seed in range(200):
        assert draw(OVERLAPPING_TAGS, random.Random(seed)) in ([[2], [1, 3]], [[2], [3, 1]])


def test_oversubscribed_tags_report_both_slots_three_places_two_questions() -> None:
    assert shortfall(OVERSUBSCRIBED_TAGS) == Shortfall(slots=(0, 1), places=3, questions=2)


def test_draw_refuses_an_infeasible_quiz_with_the_shortfall() -> None:
    with pytest.raises(DrawImpossible, match="ask for 3 questions") as refused:
        draw(OVERSUBSCRIBED_TAGS, random.Random(0))

    assert refused.value.shortfall == Shortfall(slots=(0, 1), places=3, questions=2)
    assert refused.value.shortfall.missing == 1


def test_shortfall_names_only_the_oversubscribed_slots() -> None:
    demands = [
        demand(2, 10, 11, 12, 13),  # fine on its own and beside the others
        demand(2, 1, 2),
        demand(1, 2, 3),
        demand(1, 1, 3),  # slots 1-3 want 4 of {1, 2, 3}
        demand(1, 3, 20),  # competes for 3 but can always take 20
    ]

    assert shortfall(demands) == Shortfall(slots=(1, 2, 3), places=4, questions=3)


def test_a_slot_larger_than_its_own_pool_is_named_alone() -> None:
    demands = [demand(1, 1, 2, 3), demand(3, 4, 5)]

    assert shortfall(demands) == Shortfall(slots=(1,), places=3, questions=2)


def test_no_demands_and_empty_slots_are_trivially_feasible() -> None:
    assert shortfall([]) is None
    assert draw([], random.Random(0)) == []
    assert draw([demand(0), demand(0, 1)], random.Random(0)) == [[], []]


def test_demand_rejects_a_negative_count_and_freezes_its_pool() -> None:
    with pytest.raises(ValueError, match="negative"):
        Demand(-1, frozenset({1}))
    assert Demand(1, {1, 2}).pool == frozenset({1, 2})  # type: ignore[arg-type]


# --- distribution and determinism -----------------------------------------------------------


@pytest.mark.parametrize(
    "demands",
    [
        pytest.param([demand(1, 1, 2, 3), demand(2, 2, 3, 4, 5), demand(1, 1, 5, 6)], id="tags"),
        pytest.param(
            [demand(1, 1, 2), demand(2, *range(1, 6)), demand(1, *range(1, 6))], id="shared-bank"
        ),
    ],
)
def test_draw_is_uniform_over_valid_assignments_when_pools_overlap(
    demands: list[Demand],
) -> None:
    assignments = set(valid_assignments(demands))
    rng = random.Random(20240601)
    draws = 20_000

    seen = Counter(as_assignment(draw(demands, rng)) for _ in range(draws))

    assert set(seen) == assignments
    expected = draws / len(assignments)
    chi_square = sum((seen[a] - expected) ** 2 / expected for a in assignments)
    # Normal approximation to the chi-square quantile, about p = 1e-4: loose but a biased draw
    # (the old narrowest-first fill, say) exceeds it many times over.
    freedom = len(assignments) - 1
    assert chi_square < freedom + 5.3 * math.sqrt(2 * freedom)


def test_same_seed_gives_the_same_draw() -> None:
    demands = [demand(2, *range(1, 9)), demand(3, *range(5, 15)), demand(1, 3, 7)]

    first = draw(demands, random.Random(7))
    again = draw(demands, random.Random(7))
    fallback = draw(demands, random.Random(7), tries=0)

    assert first == again
    assert fallback == draw(demands, random.Random(7), tries=0)


def test_set_iteration_order_does_not_change_the_draw() -> None:
    # Ids that collide in a set's hash table iterate in insertion order, so these pools hold
    # the same ids but iterate differently.
    ids = [k * 1024 + 3 for k in range(12)]
    forward = [Demand(3, frozenset(ids)), Demand(2, frozenset(ids[4:]))]
    backward = [Demand(3, frozenset(reversed(ids))), Demand(2, frozenset(reversed(ids[4:])))]
    assert list(forward[0].pool) != list(backward[0].pool)

    for tries in (drawing.REJECTION_TRIES, 0):
        assert draw(forward, random.Random(3), tries=tries) == draw(
            backward, random.Random(3), tries=tries
        )


def test_pathological_overlap_falls_back_to_a_valid_sequential_draw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slot A draws 10 of 20; slots B1..B10 each need one particular question A could take.
    # Independent draws collide unless A avoids all ten: 1 in 184 756.
    demands = [demand(10, *range(1, 21)), *(demand(1, i) for i in range(1, 11))]
    fallbacks = []
    sequential = drawing._Matching.draw_sequentially

    def counting(matching: drawing._Matching, rng: random.Random) -> list[list[int]]:
        fallbacks.append(True)
        return sequential(matching, rng)

    monkeypatch.setattr(drawing._Matching, "draw_sequentially", counting)

    picks = draw(demands, random.Random(1))

    assert fallbacks == [True]
    assert_valid(demands, picks)
    assert set(picks[0]) == set(range(11, 21))


def test_fallback_can_reach_every_valid_assignment() -> None:
    demands = [demand(2, 1, 2, 3, 4), demand(1, 2, 3), demand(1, 3, 4, 5)]
    assignments = set(valid_assignments(demands))
    rng = random.Random(5)

    seen = {as_assignment(draw(demands, rng, tries=0)) for _ in range(2_000)}

    assert seen == assignments


def test_a_large_quiz_is_matched_and_drawn() -> None:
    # 60 places over a 500-question bank with overlapping tag pools.
    rng = random.Random(11)
    tags = [frozenset(rng.sample(range(500), 40)) for _ in range(20)]
    demands = [Demand(3, tag) for tag in tags]

    assert shortfall(demands) is None
    assert_valid(demands, draw(demands, rng))
    assert_valid(demands, draw(demands, rng, tries=0))


# --- properties against brute force ---------------------------------------------------------


@st.composite
def quizzes(draw_from: st.DrawFn) -> list[Demand]:
    """Slots over a small bank (ids 1..N, each with random tags): a tag's pool or the bank."""
    size = draw_from(st.integers(min_value=1, max_value=7))
    bank = range(1, size + 1)
    tag_sets = draw_from(st.lists(st.sets(st.sampled_from("abc")), min_size=size, max_size=size))
    pools = {
        tag: frozenset(q for q, tags in zip(bank, tag_sets, strict=True) if tag in tags)
        for tag in "abc"
    }
    pools["*"] = frozenset(bank)
    slots = draw_from(
        st.lists(
            st.tuples(st.integers(min_value=1, max_value=3), st.sampled_from("abc*")),
            min_size=1,
            max_size=4,
        )
    )
    return [Demand(count, pools[tag]) for count, tag in slots]


@PROPERTY_SETTINGS
@given(demands=quizzes(), seed=st.integers(min_value=0, max_value=2**32))
def test_shortfall_is_none_exactly_when_some_assignment_exists(
    demands: list[Demand], seed: int
) -> None:
    feasible = next(valid_assignments(demands), None) is not None

    assert (shortfall(demands) is None) == feasible
    if feasible:
        for offset in range(4):
            assert_valid(demands, draw(demands, random.Random(seed + offset)))
        assert_valid(demands, draw(demands, random.Random(seed), tries=0))
    else:
        with pytest.raises(DrawImpossible):
            draw(demands, random.Random(seed))


@PROPERTY_SETTINGS
@given(demands=quizzes())
def test_shortfall_is_the_smallest_set_of_slots_with_the_largest_gap(
    demands: list[Demand],
) -> None:
    found = shortfall(demands)

    def gap(slots: Sequence[int]) -> int:
        union = frozenset().union(*(demands[s].pool for s in slots))
        return sum(demands[s].count for s in slots) - len(union)

    subsets = [
        subset
        for size in range(len(demands) + 1)
        for subset in itertools.combinations(range(len(demands)), size)
    ]
    largest = max(gap(subset) for subset in subsets)
    if largest <= 0:
        assert found is None
        return
    assert found is not None
    assert gap(found.slots) == found.missing == largest
    assert found.places == sum(demands[s].count for s in found.slots)
    assert found.questions == len(frozenset().union(*(demands[s].pool for s in found.slots)))
    # Every set of slots with the largest gap contains the one reported.
    assert all(set(found.slots) <= set(s) for s in subsets if gap(s) == largest)
