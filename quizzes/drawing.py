"""Random slots: whether a quiz's random slots can be filled, and a fair draw to fill them.

Kept free of Django. The caller turns each random slot into a `Demand`: how many questions it
draws and the ids of the questions it may draw (the quiz's fixed questions already removed).

Contracts:

* Feasibility is exact. `shortfall` returns None exactly when every slot can be filled with
  distinct questions: a slot's ``count`` places each take a different question and no question
  is used by two slots. Pools may overlap in any way (tags are not nested).
* Otherwise the `Shortfall` names slots a teacher can act on. By Hall's theorem some set of
  slots asks for more places than the distinct questions in their pools together; the set
  reported is the smallest one with the largest gap (found from a maximum matching by
  alternating paths, as in König's theorem): exactly the slots that some best possible fill
  leaves short. It does not depend on which maximum matching was found, and a slot that every
  best fill completes is never named.
* `draw` returns, for each demand in order, ``count`` distinct ids from its pool, no id twice
  overall, in random order. It raises `DrawImpossible` exactly when `shortfall` is not None.
* Distribution: the draw first tries rejection sampling: every slot drawn independently with
  ``rng.sample`` (slots with the same pool as one sample), kept only if no question is drawn
  twice. Accepted draws are exactly uniform over all valid assignments (each slot's set of
  questions; the order within a slot is a uniform shuffle). If ``tries`` attempts all collide
  (heavily overlapping pools, where valid assignments are rare among independent draws), a
  sequential draw takes over. It is NOT exactly uniform: each place in turn picks uniformly
  among the questions that keep the rest feasible, so an assignment's chance is the product of
  1 / (usable questions) over its places. Every valid assignment keeps a positive chance.
* Deterministic: the same demands and the same ``rng`` state give the same result. Pools are
  visited in sorted order, so set iteration order never matters.
* Cost: the matching treats a slot's places together (a b-matching of slots to questions):
  a greedy start, narrowest pool first (already maximum when pools are nested), then one
  breadth-first augmenting search per missing place, each O(sum of pool sizes): well under a
  millisecond for 60 places over 500 questions. Rejection sampling costs at most ``tries``
  samples of every slot. The fallback is O(places x sum of pool sizes) at worst; about 20 ms
  for 60 one-question slots over different 450-question pools.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# With acceptance probability p, all tries fail with probability (1 - p) ** 64: below 0.2% for
# p = 0.1, and the uniform draw is kept whenever valid assignments are not rare.
REJECTION_TRIES = 64


@dataclass(frozen=True)
class Demand:
    """One random slot: draw ``count`` distinct questions from ``pool`` (question ids)."""

    count: int
    pool: frozenset[int]

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"a slot cannot draw a negative number of questions: {self.count}")
        if not isinstance(self.pool, frozenset):
            object.__setattr__(self, "pool", frozenset(self.pool))


@dataclass(frozen=True)
class Shortfall:
    """Slots (indexes into the demands) that ask for more places than their pools can fill."""

    slots: tuple[int, ...]
    places: int
    questions: int

    @property
    def missing(self) -> int:
        """How many places cannot be filled, however the draw goes."""
        return self.places - self.questions


class DrawImpossible(Exception):
    """The demands cannot be filled with distinct questions; ``shortfall`` says why."""

    def __init__(self, shortfall: Shortfall) -> None:
        self.shortfall = shortfall
        slots = ", ".join(str(index) for index in shortfall.slots)
        super().__init__(
            f"slots {slots} ask for {shortfall.places} questions but their pools hold only "
            f"{shortfall.questions} distinct questions"
        )


def shortfall(demands: Sequence[Demand]) -> Shortfall | None:
    """None when every slot can be filled with distinct questions, else why not."""
    return _matching(demands).shortfall()


def draw(
    demands: Sequence[Demand], rng: random.Random, *, tries: int = REJECTION_TRIES
) -> list[list[int]]:
    """For each demand, ``count`` distinct question ids from its pool; none used twice.

    Exactly uniform when one of ``tries`` rejection-sampling attempts succeeds, otherwise the
    sequential fallback (see the module docstring). Raises `DrawImpossible` when infeasible.
    """
    matching = _matching(demands)
    problem = matching.shortfall()
    if problem is not None:
        raise DrawImpossible(problem)
    groups = _same_pool_groups(demands)
    for _ in range(tries):
        picks = _draw_independently(groups, rng)
        if picks is not None:
            return picks
    return matching.draw_sequentially(rng)


def _same_pool_groups(demands: Sequence[Demand]) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """(sorted pool, [(demand index, count)]) for each distinct pool, in first-seen order."""
    groups: dict[frozenset[int], list[tuple[int, int]]] = {}
    for index, demand in enumerate(demands):
        groups.setdefault(demand.pool, []).append((index, demand.count))
    return [(sorted(pool), members) for pool, members in groups.items()]


def _draw_independently(
    groups: Sequence[tuple[list[int], list[tuple[int, int]]]], rng: random.Random
) -> list[list[int]] | None:
    """One rejection-sampling attempt; None on a collision.

    Slots sharing a pool are drawn as one sample, split in order: that is the independent draw
    conditioned on their not colliding, so it stays exactly uniform and several whole-bank
    slots never collide with each other. Stopping at the first collision changes nothing about
    which attempts are accepted.
    """
    taken: set[int] = set()
    picks: dict[int, list[int]] = {}
    for pool, members in groups:
        sample = rng.sample(pool, sum(count for _, count in members))
        if not taken.isdisjoint(sample):
            return None
        taken.update(sample)
        for index, count in members:
            picks[index], sample = sample[:count], sample[count:]
    return [picks[index] for index in range(len(picks))]


class _Matching:
    """A maximum assignment of questions to slots, each slot holding at most ``count``."""

    def __init__(self, demands: Sequence[Demand]) -> None:
        self.demands = demands
        self.pools = [sorted(demand.pool) for demand in demands]
        self.needed = [demand.count for demand in demands]
        self.holder: dict[int, int] = {}
        self.held: list[set[int]] = [set() for _ in demands]

    def fill(self) -> None:
        # Narrowest first is exact for nested pools, so the searches below are usually few.
        order = sorted(range(len(self.pools)), key=lambda slot: (len(self.pools[slot]), slot))
        for slot in order:
            for question in self.pools[slot]:
                if len(self.held[slot]) == self.needed[slot]:
                    break
                if question not in self.holder:
                    self._give(question, slot)
        # A slot with no augmenting path never gets one later, so one pass is maximum.
        for slot in order:
            while len(self.held[slot]) < self.needed[slot] and self._augment(slot):
                pass

    def shortfall(self) -> Shortfall | None:
        unfilled = [s for s, held in enumerate(self.held) if len(held) < self.needed[s]]
        if not unfilled:
            return None
        # Every question an unfilled slot reaches is held (or it would have augmented), so the
        # slots reached hold all of their pools' questions. That makes them a Hall violator with
        # the largest gap, and the smallest: it lies inside every set with that gap.
        reached = self._reach(unfilled, forward=True)
        slots = tuple(sorted(reached))
        questions = frozenset().union(*(self.demands[slot].pool for slot in slots))
        places = sum(self.needed[slot] for slot in slots)
        return Shortfall(slots=slots, places=places, questions=len(questions))

    def draw_sequentially(self, rng: random.Random) -> list[list[int]]:
        """Fill place after place, each uniformly among the questions that keep the rest
        feasible; the matching (complete on entry) is repaired after each pick."""
        picks: list[list[int]] = [[] for _ in self.pools]
        for slot in range(len(self.pools)):
            while self.needed[slot]:
                question = rng.choice(self._usable(slot))
                picks[slot].append(question)
                self._commit(slot, question)
        return picks

    def _usable(self, slot: int) -> list[int]:
        # A held question can move to `slot` exactly when its holder can make up for it: by an
        # alternating path to a free question, or to `slot` itself (which then gives one up).
        pool = self.pools[slot]
        holders = {self.holder[q] for q in pool if q in self.holder}
        # Usually every holder has a free question of its own, and the full search is skipped.
        able = {slot} | {other for other in holders if self._has_free(other)}
        if not able >= holders:
            sources = [other for other in range(len(self.pools)) if self._has_free(other)]
            able = self._reach([slot, *sources], forward=False)
        return [q for q in pool if self.holder.get(q, slot) in able]

    def _has_free(self, slot: int) -> bool:
        return any(question not in self.holder for question in self.pools[slot])

    def _commit(self, slot: int, question: int) -> None:
        holder = self.holder.pop(question, None)
        if holder is not None:
            self.held[holder].discard(question)
        for pool in self.pools:
            if question in pool:
                pool.remove(question)
        self.needed[slot] -= 1
        if holder != slot:
            spare = min(self.held[slot])
            del self.holder[spare]
            self.held[slot].discard(spare)
        if holder is not None and holder != slot and not self._augment(holder):
            raise RuntimeError("a question judged usable broke the matching")  # a bug, not input

    def _give(self, question: int, slot: int) -> None:
        previous = self.holder.get(question)
        if previous is not None:
            self.held[previous].discard(question)
        self.holder[question] = slot
        self.held[slot].add(question)

    def _augment(self, start: int) -> bool:
        """Give `start` one more question, passing held ones along a shortest alternating path."""
        # came_from[slot] = (the slot that takes one of its questions, that question)
        came_from: dict[int, tuple[int, int]] = {}
        queue = deque([start])
        seen = {start}
        while queue:
            slot = queue.popleft()
            for question in self.pools[slot]:
                holder = self.holder.get(question)
                if holder is None:
                    while True:
                        self._give(question, slot)
                        if slot == start:
                            return True
                        slot, question = came_from[slot]
                elif holder not in seen:
                    seen.add(holder)
                    came_from[holder] = (slot, question)
                    queue.append(holder)
        return False

    def _reach(self, starts: Iterable[int], *, forward: bool) -> set[int]:
        """Slots reachable from `starts` (forward) or reaching them (backward), where a slot
        leads to the holder of any question in its pool that it does not hold itself."""
        leads_to: list[set[int]] = [set() for _ in self.pools]
        for slot, pool in enumerate(self.pools):
            for question in pool:
                holder = self.holder.get(question)
                if holder is not None and holder != slot:
                    leads_to[slot if forward else holder].add(holder if forward else slot)
        reached = set(starts)
        queue = deque(reached)
        while queue:
            for other in leads_to[queue.popleft()] - reached:
                reached.add(other)
                queue.append(other)
        return reached


def _matching(demands: Sequence[Demand]) -> _Matching:
    matching = _Matching(demands)
    matching.fill()
    return matching
