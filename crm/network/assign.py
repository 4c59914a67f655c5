"""Assign an event's participants to its workshops: capacities, ranked wishes, mixing, overrides.

Pure function over plain data; imports networkx and the standard library only.

Model
-----
*Rank cost* of a placement: first wish 0, second 1, third 3, fourth 5, fifth 7, any later
wish 9, a workshop not on the list 10. A participant who gave no wishes costs 0 anywhere:
they have no preference we could fail, so they are the free material for capacity and mix.

1. **Preferences** are solved exactly as a min-cost flow (``networkx.network_simplex``):
   participant group (identical wishes and ``mix[0]`` value, supply = group size) →
   (workshop, value) cell → workshop (capacity) → sink. Unlisted workshops are reached
   through one hub node per value, so the graph stays sparse; a very expensive hub → sink
   arc leaves someone without a seat only when no seat is left. With ``mix=()`` the
   result is the exact rank-cost optimum.
2. **Mix** (``mix[0]``) is a soft quota in the same flow: each cell has a zero-cost arc up
   to its proportional target (event share × workshop size) and parallel arcs with an
   increasing (convex, piecewise-linear) penalty per unit beyond it. One unit of excess
   raises a workshop's total-variation distance by 1/size, so the tiers are fractions of
   the workshop size, which keeps the trade-off the same for 170 or 5,000 participants.
   Sizes come from the previous solution (re-solved while they still move). The penalty
   is scaled up a short ladder until the mix reaches half the preferences-only distance
   (and at most 0.08); the weakest penalty that does so is kept, i.e. the least rank cost
   for that mix. A step that would lose more than 11 points of first choices or 1.5
   points of top-three places is not taken.
3. **Further mix attributes** (``mix[1:]``) and **acquaintances** (explicit pairs plus
   everyone from the same organisation) are handled by a bounded local search: moves into
   free seats and swaps of two participants with the same ``mix[0]`` value. A step is taken
   only if it worsens neither the rank cost, nor any attribute's mix, nor the number of
   acquaintance pairs placed together, and improves at least one of them (a Pareto step,
   so the search cannot cycle). The order of the search comes from ``seed``. Groups are
   first spread greedily over their seats so that colleagues land apart. ``mix[1:]`` only
   gets the freedom that rank cost and ``mix[0]`` leave: put the attribute that matters
   most first.

Participants and workshops are processed in the order of their ids, so the result depends
on the seed only, never on the order of the input.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

__all__ = [
    "MIX_ATTRIBUTES",
    "UNLISTED_COST",
    "Assignment",
    "AssignmentMetrics",
    "assign_workshops",
    "first_come_first_served",
    "metrics_of",
    "random_assignment",
    "rank_cost",
]

MIX_ATTRIBUTES: tuple[str, ...] = ("sector", "land", "initiative")
"""Participant attributes whose composition a workshop can be asked to mirror."""

UNLISTED_COST = 10
"""Rank cost of a workshop that is not on a participant's list of wishes."""

_WISH_COSTS = (0, 1, 3, 5, 7)
_LATE_WISH_COST = 9
_MIX_LABELS = {"sector": "Organisationstyp", "land": "Bundesland", "initiative": "Initiative"}
_ORDINALS = ("Erstwunsch", "Zweitwunsch", "Drittwunsch", "Viertwunsch", "Fünftwunsch")

# Flow costs are integers: rank costs are scaled so that mix penalties can be finer.
_SCALE = 100
# Mix penalty tiers: (width as a fraction of the workshop size, cost per unit of excess).
# Scaled by a strength from the ladder until the mix target is met (see `_mixed_flow`).
_PENALTY_TIERS: tuple[tuple[float, int], ...] = ((0.02, 150), (0.04, 220))
_LAST_PENALTY = 330
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

Id = Hashable


def rank_cost(preferences: Sequence[Id], workshop_id: Id | None) -> int:
    """Rank cost of placing someone with these wishes in a workshop (None = not placed)."""
    if not preferences:
        return 0
    if workshop_id is None:
        return UNLISTED_COST
    for position, wish in enumerate(preferences):
        if wish == workshop_id:
            return _wish_cost(position)
    return UNLISTED_COST


def _wish_cost(position: int) -> int:
    return _WISH_COSTS[position] if position < len(_WISH_COSTS) else _LATE_WISH_COST


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class AssignmentMetrics:
    """Quality figures of an assignment; comparable across algorithms.

    Rates count participants who gave at least one wish (0.0 when nobody did).
    ``mean_rank_cost`` averages over all participants; a participant with wishes who got
    no seat counts as ``UNLISTED_COST``. The ``*_tvd`` fields are the mean total-variation
    distance between each non-empty workshop's composition and that of all placed
    participants (a missing value is a category of its own). ``acquaintance_pairs``
    counts pairs placed together who know each other (given pairs or same organisation);
    ``same_org_pairs`` is the part of them from the same organisation.
    """

    participants: int = 0
    assigned: int = 0
    unassigned: int = 0
    capacity_violations: int = 0
    first_choice_rate: float = 0.0
    top3_rate: float = 0.0
    total_rank_cost: int = 0
    mean_rank_cost: float = 0.0
    sector_tvd: float = 0.0
    land_tvd: float = 0.0
    initiative_tvd: float = 0.0
    acquaintance_pairs: int = 0
    same_org_pairs: int = 0

    def as_dict(self) -> dict[str, float]:
        """The metrics as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class Assignment:
    """Result of a workshop assignment: placements, the unplaced, metrics and reasons."""

    workshop_of: dict[Id, Id | None] = field(default_factory=dict)
    unassigned: tuple[Id, ...] = ()
    metrics: AssignmentMetrics = field(default_factory=AssignmentMetrics)
    explanations: dict[Id, str] = field(default_factory=dict, repr=False)

    def explain(self, participant_id: Id) -> str:
        """A German sentence saying why this participant got this workshop."""
        try:
            return self.explanations[participant_id]
        except KeyError:
            raise KeyError(f"Unbekannter Teilnehmer {participant_id!r}") from None


# --------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class _Participant:
    id: Id
    preferences: tuple[Id, ...]
    sector: Any
    organisation: Any
    land: Any
    initiative: Any


@dataclass(frozen=True, slots=True)
class _Workshop:
    id: Id
    capacity: int
    title: str


_MISSING = object()


def _get(item: Any, name: str, default: Any = _MISSING) -> Any:
    value = item.get(name, default) if isinstance(item, Mapping) else getattr(item, name, default)
    if value is _MISSING:
        raise ValueError(f"Feld '{name}' fehlt in {item!r}")
    return value


def _sort_key(value: Any) -> tuple[str, Any]:
    """Canonical order for ids of mixed types (numbers numerically, strings alphabetically)."""
    if isinstance(value, int | float | str):
        return (type(value).__name__, value)
    return (type(value).__name__, repr(value))


def _read_workshops(workshops: Iterable[Any]) -> list[_Workshop]:
    result: list[_Workshop] = []
    seen: set[Id] = set()
    for item in workshops:
        workshop_id = _get(item, "id")
        if workshop_id in seen:
            raise ValueError(f"Workshop {workshop_id!r} ist doppelt angegeben")
        seen.add(workshop_id)
        capacity = _get(item, "capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise ValueError(f"Workshop {workshop_id!r}: Kapazität {capacity!r} ist keine Zahl")
        if capacity < 0:
            raise ValueError(f"Workshop {workshop_id!r}: negative Kapazität {capacity}")
        title = _get(item, "title", None)
        result.append(_Workshop(workshop_id, capacity, title if title else str(workshop_id)))
    result.sort(key=lambda w: _sort_key(w.id))
    return result


def _read_participants(participants: Iterable[Any], workshop_ids: set[Id]) -> list[_Participant]:
    result: list[_Participant] = []
    seen: set[Id] = set()
    for item in participants:
        participant_id = _get(item, "id")
        if participant_id in seen:
            raise ValueError(f"Teilnehmer {participant_id!r} ist doppelt angegeben")
        seen.add(participant_id)
        preferences = tuple(_get(item, "preferences", None) or ())
        wished: set[Id] = set()
        for wish in preferences:
            if wish not in workshop_ids:
                raise ValueError(
                    f"Unbekannter Workshop {wish!r} in den Wünschen von "
                    f"Teilnehmer {participant_id!r}"
                )
            if wish in wished:
                raise ValueError(
                    f"Workshop {wish!r} steht mehrfach in den Wünschen von "
                    f"Teilnehmer {participant_id!r}"
                )
            wished.add(wish)
        result.append(
            _Participant(
                participant_id,
                preferences,
                _get(item, "sector", None),
                _get(item, "organisation", None),
                _get(item, "land", None),
                _get(item, "initiative", None),
            )
        )
    result.sort(key=lambda p: _sort_key(p.id))
    return result


def _read_mix(mix: Iterable[str] | str) -> tuple[str, ...]:
    attributes = (mix,) if isinstance(mix, str) else tuple(mix)
    for attribute in attributes:
        if attribute not in MIX_ATTRIBUTES:
            raise ValueError(
                f"Unbekanntes Mischungsmerkmal {attribute!r} (erlaubt: {', '.join(MIX_ATTRIBUTES)})"
            )
    return tuple(dict.fromkeys(attributes))


def _read_acquaintances(
    acquaintances: Iterable[tuple[Id, Id]], index_of: Mapping[Id, int]
) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for pair in acquaintances:
        first, second = pair
        for participant_id in (first, second):
            if participant_id not in index_of:
                raise ValueError(
                    f"Unbekannter Teilnehmer {participant_id!r} in den Bekanntschaften {pair!r}"
                )
        a, b = index_of[first], index_of[second]
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return pairs


def _read_fixed(
    fixed: Mapping[Id, Id] | None,
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
) -> dict[int, int]:
    if not fixed:
        return {}
    p_index = {p.id: i for i, p in enumerate(participants)}
    w_index = {w.id: i for i, w in enumerate(workshops)}
    result: dict[int, int] = {}
    for participant_id, workshop_id in fixed.items():
        if participant_id not in p_index:
            raise ValueError(f"Unbekannter Teilnehmer {participant_id!r} in den festen Zuordnungen")
        if workshop_id not in w_index:
            raise ValueError(
                f"Unbekannter Workshop {workshop_id!r} in der festen Zuordnung von "
                f"Teilnehmer {participant_id!r}"
            )
        result[p_index[participant_id]] = w_index[workshop_id]
    load = Counter(result.values())
    for w, count in sorted(load.items()):
        if count > workshops[w].capacity:
            raise ValueError(
                f"Workshop {workshops[w].id!r} hat {count} feste Zuordnungen, "
                f"aber nur {workshops[w].capacity} Plätze"
            )
    return result


# --------------------------------------------------------------------------- metrics


def _value(participant: _Participant, attribute: str) -> Any:
    return getattr(participant, attribute)


def _mean_tvd(
    participants: Sequence[_Participant],
    placement: Sequence[int],
    n_workshops: int,
    attribute: str,
) -> float:
    event: Counter[Any] = Counter()
    per_workshop: list[Counter[Any]] = [Counter() for _ in range(n_workshops)]
    for participant, w in zip(participants, placement, strict=True):
        if w >= 0:
            value = _value(participant, attribute)
            event[value] += 1
            per_workshop[w][value] += 1
    placed = sum(event.values())
    if not placed:
        return 0.0
    distances = []
    for counts in per_workshop:
        size = sum(counts.values())
        if size:
            distances.append(0.5 * sum(abs(counts[v] / size - event[v] / placed) for v in event))
    return sum(distances) / len(distances)


def _compute_metrics(
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
    placement: Sequence[int],
    pairs: set[tuple[int, int]],
) -> AssignmentMetrics:
    n = len(participants)
    if not n:
        return AssignmentMetrics()
    load = Counter(w for w in placement if w >= 0)
    violations = sum(max(0, load[w] - ws.capacity) for w, ws in enumerate(workshops))
    with_wishes = first = top3 = total_cost = 0
    for participant, w in zip(participants, placement, strict=True):
        workshop_id = workshops[w].id if w >= 0 else None
        cost = rank_cost(participant.preferences, workshop_id)
        total_cost += cost
        if participant.preferences:
            with_wishes += 1
            if workshop_id is not None:
                first += workshop_id == participant.preferences[0]
                top3 += workshop_id in participant.preferences[:3]
    same_org = 0
    org_load: Counter[tuple[int, Any]] = Counter(
        (w, p.organisation)
        for p, w in zip(participants, placement, strict=True)
        if w >= 0 and p.organisation is not None
    )
    for count in org_load.values():
        same_org += count * (count - 1) // 2
    explicit = sum(
        1
        for a, b in pairs
        if placement[a] >= 0
        and placement[a] == placement[b]
        and not _same_org(participants[a], participants[b])
    )
    assigned = sum(1 for w in placement if w >= 0)
    return AssignmentMetrics(
        participants=n,
        assigned=assigned,
        unassigned=n - assigned,
        capacity_violations=violations,
        first_choice_rate=first / with_wishes if with_wishes else 0.0,
        top3_rate=top3 / with_wishes if with_wishes else 0.0,
        total_rank_cost=total_cost,
        mean_rank_cost=total_cost / n,
        sector_tvd=_mean_tvd(participants, placement, len(workshops), "sector"),
        land_tvd=_mean_tvd(participants, placement, len(workshops), "land"),
        initiative_tvd=_mean_tvd(participants, placement, len(workshops), "initiative"),
        acquaintance_pairs=same_org + explicit,
        same_org_pairs=same_org,
    )


def _same_org(a: _Participant, b: _Participant) -> bool:
    return a.organisation is not None and a.organisation == b.organisation


def metrics_of(
    participants: Iterable[Any],
    workshops: Iterable[Any],
    workshop_of: Mapping[Id, Id | None],
    acquaintances: Iterable[tuple[Id, Id]] = (),
) -> AssignmentMetrics:
    """Metrics of any placement (participant id → workshop id or None; missing = unplaced)."""
    ws = _read_workshops(workshops)
    w_index = {w.id: i for i, w in enumerate(ws)}
    ps = _read_participants(participants, set(w_index))
    p_index = {p.id: i for i, p in enumerate(ps)}
    placement = [-1] * len(ps)
    for participant_id, workshop_id in workshop_of.items():
        if participant_id not in p_index:
            raise ValueError(f"Unbekannter Teilnehmer {participant_id!r} in der Zuordnung")
        if workshop_id is None:
            continue
        if workshop_id not in w_index:
            raise ValueError(
                f"Unbekannter Workshop {workshop_id!r} in der Zuordnung von "
                f"Teilnehmer {participant_id!r}"
            )
        placement[p_index[participant_id]] = w_index[workshop_id]
    pairs = _read_acquaintances(acquaintances, p_index)
    return _compute_metrics(ps, ws, placement, pairs)


# --------------------------------------------------------------------------- baselines


def first_come_first_served(
    participants: Iterable[Any], workshops: Iterable[Any]
) -> dict[Id, Id | None]:
    """Baseline: in the given order, the first wish with a free seat, else any free seat."""
    participant_list = list(participants)
    workshop_list = list(workshops)
    ws = _read_workshops(workshop_list)
    _read_participants(participant_list, {w.id for w in ws})
    # keep the caller's order: that order *is* the algorithm
    order = [_get(w, "id") for w in workshop_list]
    free = {w.id: w.capacity for w in ws}
    result: dict[Id, Id | None] = {}
    for item in participant_list:
        wishes = tuple(_get(item, "preferences", None) or ())
        chosen = next((w for w in wishes if free[w] > 0), None)
        if chosen is None:
            chosen = next((w for w in order if free[w] > 0), None)
        if chosen is not None:
            free[chosen] -= 1
        result[_get(item, "id")] = chosen
    return result


def random_assignment(
    participants: Iterable[Any], workshops: Iterable[Any], seed: int = 0
) -> dict[Id, Id | None]:
    """Baseline: every participant gets a uniformly random free seat, ignoring wishes."""
    ws = _read_workshops(workshops)
    ps = _read_participants(participants, {w.id for w in ws})
    rng = random.Random(seed)  # noqa: S311 - seeded for reproducibility, not security
    seats = [w.id for w in ws for _ in range(w.capacity)]
    rng.shuffle(seats)
    order = [p.id for p in ps]
    rng.shuffle(order)
    return {pid: (seats[i] if i < len(seats) else None) for i, pid in enumerate(order)}


# --------------------------------------------------------------------------- flow


@dataclass(slots=True)
class _Group:
    preferences: tuple[int, ...]  # workshop indices, best first
    value: int  # index of the mix[0] value (0 without mixing)
    members: list[int] = field(default_factory=list)


def _group_costs(group: _Group) -> dict[int, int]:
    return {w: _wish_cost(k) for k, w in enumerate(group.preferences)}


def _solve_flow(
    groups: Sequence[_Group],
    free_seats: Sequence[int],
    quotas: Sequence[Sequence[float]] | None,
    sizes: Sequence[float],
    strength: float = 1.0,
) -> list[dict[int, int]]:
    """Min-cost flow; returns per group its seats per workshop (the rest has no seat)."""
    graph = nx.MultiDiGraph()
    n_workshops = len(free_seats)
    tiers = [(fraction, round(cost * strength)) for fraction, cost in _PENALTY_TIERS]
    last_penalty = round(_LAST_PENALTY * strength)
    # nobody is left without a seat while one is free: no placement costs this much
    unplaced_cost = _SCALE * UNLISTED_COST + last_penalty + 1
    total = 0
    values_used = sorted({g.value for g in groups})
    for gi, group in enumerate(groups):
        size = len(group.members)
        total += size
        node = ("g", gi)
        graph.add_node(node, demand=-size)
        for w, cost in _group_costs(group).items():
            graph.add_edge(node, ("c", w, group.value), weight=cost * _SCALE)
        hub_cost = UNLISTED_COST * _SCALE if group.preferences else 0
        graph.add_edge(node, ("h", group.value), weight=hub_cost)
    graph.add_node("sink", demand=total)
    for v in values_used:
        graph.add_edge(("h", v), "sink", weight=unplaced_cost)
        for w in range(n_workshops):
            graph.add_edge(("h", v), ("c", w, v), weight=0)
            cell, target = ("c", w, v), ("w", w)
            if quotas is None:
                graph.add_edge(cell, target, weight=0)
                continue
            base = max(0.0, quotas[w][v])
            # the unit that crosses a fractional target exceeds it by only part of a unit
            crossing = round(tiers[0][1] * (1 - (base - int(base))))
            graph.add_edge(cell, target, capacity=int(base), weight=0)
            graph.add_edge(cell, target, capacity=1, weight=crossing)
            for fraction, cost in tiers:
                width = max(1, round(fraction * sizes[w]))
                graph.add_edge(cell, target, capacity=width, weight=cost)
            graph.add_edge(cell, target, weight=last_penalty)
    for w in range(n_workshops):
        graph.add_edge(("w", w), "sink", capacity=free_seats[w], weight=0)
    _, flow = nx.network_simplex(graph)

    # flow through a hub is shared by its groups; any split has the same cost
    hub_out: dict[int, list[int]] = {
        v: [flow[("h", v)][("c", w, v)][0] for w in range(n_workshops)]
        + [flow[("h", v)]["sink"][0]]
        for v in values_used
    }
    seats: list[dict[int, int]] = []
    for gi, group in enumerate(groups):
        node = ("g", gi)
        placed: dict[int, int] = {}
        for w in _group_costs(group):
            amount = flow[node][("c", w, group.value)][0]
            if amount:
                placed[w] = amount
        via_hub = flow[node][("h", group.value)][0]
        out = hub_out[group.value]
        for w in range(n_workshops + 1):
            take = min(via_hub, out[w])
            if take and w < n_workshops:
                placed[w] = placed.get(w, 0) + take
            out[w] -= take
            via_hub -= take
        seats.append(placed)
    return seats


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


# --------------------------------------------------------------------------- main


def assign_workshops(
    participants: Iterable[Any],
    workshops: Iterable[Any],
    *,
    acquaintances: Iterable[tuple[Id, Id]] = (),
    fixed: Mapping[Id, Id] | None = None,
    mix: Iterable[str] | str = ("sector",),
    seed: int = 0,
) -> Assignment:
    """Place participants within capacities: best wishes, good mix, few acquaintances together."""
    ws = _read_workshops(workshops)
    w_index = {w.id: i for i, w in enumerate(ws)}
    ps = _read_participants(participants, set(w_index))
    p_index = {p.id: i for i, p in enumerate(ps)}
    mix_attributes = _read_mix(mix)
    pairs = _read_acquaintances(acquaintances, p_index)
    fixed_of = _read_fixed(fixed, ps, ws)
    if not ps:
        return Assignment()

    n, n_workshops = len(ps), len(ws)
    rng = random.Random(seed)  # noqa: S311 - seeded for reproducibility, not security
    placement = [-1] * n
    for p, w in fixed_of.items():
        placement[p] = w
    movable = [p not in fixed_of for p in range(n)]
    free_seats = [w.capacity for w in ws]
    for w in fixed_of.values():
        free_seats[w] -= 1

    search = _Search(
        ps, n_workshops, [w.capacity for w in ws], mix_attributes, pairs, placement, movable, rng
    )
    costs = [{w_index[wish]: _wish_cost(k) for k, wish in enumerate(p.preferences)} for p in ps]
    search.set_costs(costs, [UNLISTED_COST if p.preferences else 0 for p in ps])

    # groups: identical wishes and identical mix[0] value
    first_values = search.values[0] if mix_attributes else [0] * n
    by_key: dict[tuple[tuple[int, ...], int], _Group] = {}
    for p in range(n):
        if not movable[p]:
            continue
        prefs = tuple(w_index[wish] for wish in ps[p].preferences)
        key = (prefs, first_values[p])
        group = by_key.get(key)
        if group is None:
            group = by_key[key] = _Group(prefs, first_values[p])
        group.members.append(p)
    groups = list(by_key.values())

    seats = _solve_flow(groups, free_seats, None, [])
    if mix_attributes and groups:
        seats = _mixed_flow(groups, free_seats, first_values, fixed_of, costs, seats)

    for gi, (group, group_seats) in enumerate(zip(groups, seats, strict=True)):
        search.place_group(gi, group.members, group_seats)
    search.start()
    search.run()

    return _build_result(ps, ws, placement, pairs, fixed_of, mix_attributes)


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


# --------------------------------------------------------------------------- explanations


def _build_result(
    participants: Sequence[_Participant],
    workshops: Sequence[_Workshop],
    placement: Sequence[int],
    pairs: set[tuple[int, int]],
    fixed_of: Mapping[int, int],
    mix: tuple[str, ...],
) -> Assignment:
    first_wishes: Counter[Id] = Counter(p.preferences[0] for p in participants if p.preferences)
    load = Counter(w for w in placement if w >= 0)
    by_id = {w.id: (i, w) for i, w in enumerate(workshops)}
    mix_label = " und ".join(_MIX_LABELS[a] for a in mix)

    def reason(workshop_id: Id) -> str:
        i, workshop = by_id[workshop_id]
        name = f"Workshop „{workshop.title}“"
        if first_wishes[workshop_id] > workshop.capacity:
            demand = first_wishes[workshop_id]
            return f"{name} hatte {demand} Erstwünsche für {workshop.capacity} Plätze"
        if load[i] >= workshop.capacity:
            return f"{name} war mit {workshop.capacity} Plätzen voll"
        if mix:
            return f"{name} wurde für die Mischung nach {mix_label} anders besetzt"
        return f"{name} war nicht frei"

    def explain(p: int) -> str:
        participant = participants[p]
        if p in fixed_of:
            return "Fest zugeordnet (manuell)."
        if placement[p] < 0:
            return "Kein Platz frei: alle Workshops sind voll."
        if not participant.preferences:
            if mix:
                return (
                    "Keine Wünsche angegeben: zugeordnet, wo Platz war "
                    "und die Mischung es verlangte."
                )
            return "Keine Wünsche angegeben: zugeordnet, wo Platz war."
        workshop_id = workshops[placement[p]].id
        wishes = participant.preferences
        if workshop_id == wishes[0]:
            return "Erstwunsch erhalten."
        if workshop_id in wishes:
            k = wishes.index(workshop_id)
            ordinal = _ORDINALS[k] if k < len(_ORDINALS) else f"{k + 1}. Wunsch"
            reasons = "; ".join(reason(w) for w in wishes[:k])
            return f"{ordinal} erhalten: {reasons}."
        reasons = "; ".join(reason(w) for w in wishes)
        return f"Keiner der Wünsche war möglich: {reasons}. Zugeordnet, wo Platz war."

    workshop_of = {
        p.id: (workshops[w].id if w >= 0 else None)
        for p, w in zip(participants, placement, strict=True)
    }
    return Assignment(
        workshop_of=workshop_of,
        unassigned=tuple(p.id for p, w in zip(participants, placement, strict=True) if w < 0),
        metrics=_compute_metrics(participants, workshops, placement, pairs),
        explanations={participants[p].id: explain(p) for p in range(len(participants))},
    )
