"""Steps 2 and 3, the mixing: soft quotas for ``mix[0]``, local search for the rest.

`_mixed_flow` re-solves the flow of `crm.graph.assign.flow` with quotas, scaling the
penalty up a short ladder until the mix reaches its target. `_Search` spreads each flow
group over its seats and then improves ``mix[1:]`` and the acquaintances placed together
with Pareto moves and swaps (see the package docstring for the rules).
"""

from __future__ import annotations

import random
from collections import Counter
from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm.graph.assign.flow import _Group
from crm.graph.assign.flow import _solve_flow
from crm.graph.assign.model import UNLISTED_COST
from crm.graph.assign.model import _Participant
from crm.graph.assign.model import _value

_PENALTY_LADDER = (0.4, 0.6, 0.8, 1.0, 1.3)
_MIX_TARGET_SHARE = 0.5
_MIX_TARGET_TVD = 0.08
_MAX_FIRST_LOSS = 0.11
_MAX_TOP3_LOSS = 0.015
_MIX_ROUNDS = 3
_SIZE_TOLERANCE = 0.05

# Local search bounds: candidate partners per target workshop, total evaluations, passes.
_PARTNERS_PER_WORKSHOP = 24
_SEARCH_BUDGET = 60_000
_SEARCH_PASSES = 6
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class _FlowQuality:
    tvd: float
    first_rate: float
    top3_rate: float


def _mixed_flow(
    groups: Sequence[_Group],
    free_seats: Sequence[int],
    first_values: Sequence[int],
    fixed_of: Mapping[int, int],
    costs: Sequence[Mapping[int, int]],
    seats: list[dict[int, int]],
) -> list[dict[int, int]]:
    """Re-solve with soft quotas, raising the penalty until the mix target is reached.

    The target is ``_MIX_TARGET_SHARE`` of the preferences-only TVD, and at most
    ``_MIX_TARGET_TVD``. The weakest penalty on the ladder that reaches it wins, which is
    the least rank cost for that mix; a stronger one is never taken if it would cost more
    than ``_MAX_FIRST_LOSS`` of first choices or ``_MAX_TOP3_LOSS`` of top-three places.
    """
    n_workshops = len(free_seats)
    n_values = max(first_values, default=-1) + 1
    fixed_load = [[0] * n_values for _ in range(n_workshops)]
    for p, w in fixed_of.items():
        fixed_load[w][first_values[p]] += 1
    fixed_first = sum(1 for p, w in fixed_of.items() if costs[p].get(w) == 0)
    fixed_top3 = sum(1 for p, w in fixed_of.items() if costs[p].get(w, UNLISTED_COST) <= 3)
    with_wishes = sum(1 for c in costs if c)

    def loads_of(current: Sequence[dict[int, int]]) -> list[list[int]]:
        loads = [list(row) for row in fixed_load]
        for group, group_seats in zip(groups, current, strict=True):
            for w, count in group_seats.items():
                loads[w][group.value] += count
        return loads

    def quality(current: Sequence[dict[int, int]]) -> _FlowQuality:
        loads = loads_of(current)
        placed = sum(map(sum, loads))
        event = [sum(loads[w][v] for w in range(n_workshops)) for v in range(n_values)]
        distances = [
            0.5 * sum(abs(row[v] / sum(row) - event[v] / placed) for v in range(n_values))
            for row in loads
            if sum(row)
        ]
        first, top3 = fixed_first, fixed_top3
        for group, group_seats in zip(groups, current, strict=True):
            if group.preferences:
                first += group_seats.get(group.preferences[0], 0)
                top3 += sum(group_seats.get(w, 0) for w in group.preferences[:3])
        return _FlowQuality(
            sum(distances) / len(distances) if distances else 0.0,
            first / with_wishes if with_wishes else 0.0,
            top3 / with_wishes if with_wishes else 0.0,
        )

    sizes = [sum(row) for row in loads_of(seats)]
    if not sum(sizes):
        return seats
    optimum = quality(seats)
    target = min(_MIX_TARGET_SHARE * optimum.tvd, _MIX_TARGET_TVD)
    best = seats
    for strength in _PENALTY_LADDER:
        current = seats
        for _ in range(_MIX_ROUNDS):
            loads = loads_of(current)
            placed = sum(map(sum, loads))
            shares = [
                sum(loads[w][v] for w in range(n_workshops)) / placed for v in range(n_values)
            ]
            quotas = [
                [shares[v] * sizes[w] - fixed_load[w][v] for v in range(n_values)]
                for w in range(n_workshops)
            ]
            current = _solve_flow(groups, free_seats, quotas, sizes, strength)
            new_sizes = [sum(row) for row in loads_of(current)]
            # targets follow the sizes; a shift of a seat or two does not change them materially
            settled = all(
                abs(new - old) <= max(1, _SIZE_TOLERANCE * old)
                for new, old in zip(new_sizes, sizes, strict=True)
            )
            sizes = new_sizes
            if settled:
                break
        result = quality(current)
        if (
            optimum.first_rate - result.first_rate > _MAX_FIRST_LOSS
            or optimum.top3_rate - result.top3_rate > _MAX_TOP3_LOSS
        ):
            break
        best = current
        if result.tvd <= target:
            break
    return best


# --------------------------------------------------------------------------- local search


def _counts(values: Sequence[int]) -> list[int]:
    counts = [0] * (max(values, default=-1) + 1)
    for v in values:
        counts[v] += 1
    return counts


class _Search:
    """State for disaggregating group flows and the acquaintance / secondary-mix local search."""

    def __init__(
        self,
        participants: Sequence[_Participant],
        n_workshops: int,
        capacities: Sequence[int],
        mix: tuple[str, ...],
        pairs: set[tuple[int, int]],
        placement: list[int],
        movable: list[bool],
        rng: random.Random,
    ) -> None:
        self.n = len(participants)
        self.n_workshops = n_workshops
        self.capacities = capacities
        self.placement = placement
        self.movable = movable
        self.rng = rng
        self.costs: list[dict[int, int]] = []
        self.default_cost: list[int] = []
        self.orgs: list[int] = []
        org_index: dict[Any, int] = {}
        for participant in participants:
            org = participant.organisation
            self.orgs.append(-1 if org is None else org_index.setdefault(org, len(org_index)))
        self.neighbours: list[list[int]] = [[] for _ in range(self.n)]
        for a, b in sorted(pairs):
            if self.orgs[a] < 0 or self.orgs[a] != self.orgs[b]:
                self.neighbours[a].append(b)
                self.neighbours[b].append(a)
        self.mix = mix
        self.values: list[list[int]] = []
        self.shares: list[list[float]] = []
        for attribute in mix:
            index: dict[Any, int] = {}
            self.values.append(
                [index.setdefault(_value(p, attribute), len(index)) for p in participants]
            )
        self.org_load: list[Counter[int]] = [Counter() for _ in range(n_workshops)]
        self.value_load: list[list[list[int]]] = [
            [[0] * (max(values, default=-1) + 1) for _ in range(n_workshops)]
            for values in self.values
        ]
        # provisional composition (everyone) until `start` knows who got a seat
        self.shares = [[count / self.n for count in _counts(values)] for values in self.values]
        self.sizes = [0] * n_workshops
        # swap partners: same flow group (rank cost cannot change) or same mix[0] value
        self.group_of = [-1] * self.n
        self.buckets: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        self.bucket_pos = [[-1, -1] for _ in range(self.n)]
        for person, w in enumerate(placement):
            if w >= 0:
                self._add(person, w)

    def set_costs(self, costs: list[dict[int, int]], default_cost: list[int]) -> None:
        self.costs = costs
        self.default_cost = default_cost

    def cost(self, p: int, w: int) -> int:
        return self.costs[p].get(w, self.default_cost[p])

    def start(self) -> None:
        """Fix the event's composition (all placed participants) before the local search."""
        placed = sum(self.sizes)
        self.shares = [
            [
                sum(load[w][v] for w in range(self.n_workshops)) / placed if placed else 0.0
                for v in range(len(load[0]) if load else 0)
            ]
            for load in self.value_load
        ]

    def conflicts(self, p: int, w: int) -> int:
        """Acquaintances of p (other than p) currently placed in workshop w."""
        org = self.orgs[p]
        here = self.placement[p] == w
        count = self.org_load[w][org] - (1 if here else 0) if org >= 0 else 0
        for q in self.neighbours[p]:
            if self.placement[q] == w:
                count += 1
        return count

    def _bucket_keys(self, p: int, w: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        return (0, w, self.group_of[p]), (1, w, self.values[0][p] if self.values else 0)

    def _add(self, p: int, w: int) -> None:
        self.placement[p] = w
        for load, values in zip(self.value_load, self.values, strict=True):
            load[w][values[p]] += 1
        self.sizes[w] += 1
        if self.orgs[p] >= 0:
            self.org_load[w][self.orgs[p]] += 1
        if self.movable[p]:
            for kind, key in enumerate(self._bucket_keys(p, w)):
                bucket = self.buckets[key]
                self.bucket_pos[p][kind] = len(bucket)
                bucket.append(p)

    def _remove(self, p: int) -> None:
        w = self.placement[p]
        self.placement[p] = -1
        for load, values in zip(self.value_load, self.values, strict=True):
            load[w][values[p]] -= 1
        self.sizes[w] -= 1
        if self.orgs[p] >= 0:
            self.org_load[w][self.orgs[p]] -= 1
        if self.movable[p]:
            for kind, key in enumerate(self._bucket_keys(p, w)):
                bucket = self.buckets[key]
                last = bucket.pop()
                if last != p:
                    bucket[self.bucket_pos[p][kind]] = last
                    self.bucket_pos[last][kind] = self.bucket_pos[p][kind]
                self.bucket_pos[p][kind] = -1

    def _workshop_tvd(self, k: int, w: int, size: int, change: dict[int, int]) -> float:
        """Total-variation distance of workshop w for attribute k after adding `change`."""
        if size <= 0:
            return 0.0
        load = self.value_load[k][w]
        shares = self.shares[k]
        return 0.5 * sum(
            abs((load[v] + change.get(v, 0)) / size - shares[v]) for v in range(len(shares))
        )

    def over_represented(self, p: int) -> bool:
        w = self.placement[p]
        for k in range(1, len(self.mix)):
            v = self.values[k][p]
            if self.value_load[k][w][v] > self.shares[k][v] * self.sizes[w] + 0.5:
                return True
        return False

    def _acquainted(self, a: int, b: int) -> bool:
        return (self.orgs[a] >= 0 and self.orgs[a] == self.orgs[b]) or b in self.neighbours[a]

    def _mix_deltas_swap(self, a: int, b: int) -> list[float]:
        w1, w2 = self.placement[a], self.placement[b]
        deltas = []
        for k, values in enumerate(self.values):
            va, vb = values[a], values[b]
            if va == vb:
                deltas.append(0.0)
                continue
            l1, l2 = self.value_load[k][w1], self.value_load[k][w2]
            s1, s2 = self.sizes[w1], self.sizes[w2]
            q = self.shares[k]
            # both workshops keep their size; each term is weighted by 1/size like the TVD
            delta = (
                abs(l1[va] - 1 - q[va] * s1)
                + abs(l1[vb] + 1 - q[vb] * s1)
                - abs(l1[va] - q[va] * s1)
                - abs(l1[vb] - q[vb] * s1)
            ) / s1 + (
                abs(l2[va] + 1 - q[va] * s2)
                + abs(l2[vb] - 1 - q[vb] * s2)
                - abs(l2[va] - q[va] * s2)
                - abs(l2[vb] - q[vb] * s2)
            ) / s2
            deltas.append(delta)
        return deltas

    def try_swap(self, a: int, b: int) -> bool:
        w1, w2 = self.placement[a], self.placement[b]
        d_rank = self.cost(a, w2) + self.cost(b, w1) - self.cost(a, w1) - self.cost(b, w2)
        if d_rank > 0:
            return False
        known = 1 if self._acquainted(a, b) else 0
        d_acq = (
            self.conflicts(a, w2)
            - known
            + self.conflicts(b, w1)
            - known
            - self.conflicts(a, w1)
            - self.conflicts(b, w2)
        )
        if d_acq > 0:
            return False
        deltas = self._mix_deltas_swap(a, b)
        if any(d > _EPS for d in deltas):
            return False
        if d_rank == 0 and d_acq == 0 and not any(d < -_EPS for d in deltas):
            return False
        self._remove(a)
        self._remove(b)
        self._add(a, w2)
        self._add(b, w1)
        return True

    def try_move(self, a: int, w2: int) -> bool:
        w1 = self.placement[a]
        if self.sizes[w1] <= 1 or self.sizes[w2] >= self.capacities[w2]:
            return False
        d_rank = self.cost(a, w2) - self.cost(a, w1)
        if d_rank > 0:
            return False
        d_acq = self.conflicts(a, w2) - self.conflicts(a, w1)
        if d_acq > 0:
            return False
        improved = d_rank < 0 or d_acq < 0
        for k, values in enumerate(self.values):
            v = values[a]
            s1, s2 = self.sizes[w1], self.sizes[w2]
            before = self._workshop_tvd(k, w1, s1, {}) + self._workshop_tvd(k, w2, s2, {})
            after = self._workshop_tvd(k, w1, s1 - 1, {v: -1}) + self._workshop_tvd(
                k, w2, s2 + 1, {v: 1}
            )
            if after > before + _EPS:
                return False
            improved = improved or after < before - _EPS
        if not improved:
            return False
        self._remove(a)
        self._add(a, w2)
        return True

    def run(self) -> None:
        """Bounded Pareto local search over moves into free seats and swaps."""
        budget = _SEARCH_BUDGET
        secondary = len(self.mix) > 1
        for _ in range(_SEARCH_PASSES):
            candidates = [
                p
                for p in range(self.n)
                if self.movable[p]
                and self.placement[p] >= 0
                and (
                    self.conflicts(p, self.placement[p]) > 0
                    or (secondary and self.over_represented(p))
                )
            ]
            self.rng.shuffle(candidates)
            improved = False
            for a in candidates:
                if budget <= 0:
                    return
                w1 = self.placement[a]
                if self.conflicts(a, w1) == 0 and not (secondary and self.over_represented(a)):
                    continue
                others = [w for w in range(self.n_workshops) if w != w1]
                self.rng.shuffle(others)
                others.sort(key=lambda w: self.conflicts(a, w))
                for w2 in others:
                    budget -= 1
                    if self.try_move(a, w2):
                        improved = True
                        break
                    done = False
                    for key in self._bucket_keys(a, w2):
                        bucket = self.buckets.get(key) or []
                        if len(bucket) > _PARTNERS_PER_WORKSHOP:
                            partners = self.rng.sample(bucket, _PARTNERS_PER_WORKSHOP)
                        else:
                            partners = bucket[:]
                            self.rng.shuffle(partners)
                        for b in partners:
                            budget -= 1
                            if self.try_swap(a, b):
                                done = True
                                break
                        if done:
                            break
                    if done:
                        improved = True
                        break
            if not improved:
                return

    def place_group(self, group: int, members: Sequence[int], seats: Mapping[int, int]) -> None:
        """Spread one flow group's members over its seats, avoiding acquaintances greedily."""
        for p in members:
            self.group_of[p] = group
        remaining = dict(seats)
        order = list(members)
        self.rng.shuffle(order)
        for p in order:
            options = [w for w, count in remaining.items() if count > 0]
            if not options:
                break
            best = min(options, key=lambda w: (self.conflicts(p, w), self._secondary_load(p, w), w))
            remaining[best] -= 1
            self._add(p, best)

    def _secondary_load(self, p: int, w: int) -> float:
        total = 0.0
        for k in range(1, len(self.mix)):
            v = self.values[k][p]
            total += self.value_load[k][w][v] + 1 - self.shares[k][v] * self.capacities[w]
        return total
