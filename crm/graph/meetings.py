"""The practitioner exchange: plan 1:1 meetings in time slots, fairly, conflict-free.

`schedule_meetings` takes the wished pairs with their weights, the ordered slots, caps
and blocked times, and returns a `MeetingSchedule`. Plain data in, plain data out; it
imports OR-Tools and the standard library only, never Flask or SQLAlchemy.

Rules of a schedule
-------------------
* a meeting is ``(slot, a, b)`` for a given pair ``(a, b)``, in a slot free for both;
* each person has at most one meeting per slot, each pair meets at most once;
* nobody has more meetings than their cap (``max_per_person``);
* every *fixed* pair (an accepted request) meets.

Objective, in this order (lexicographic)
----------------------------------------
1. **Fairness.** Every person with a usable pair has a *target*:
   ``min(min_per_person, usable partners, free slots, cap)`` (a partner is usable when
   the two share a free slot and both may meet at all). The schedule maximises
   ``sum(min(meetings, target))`` over all people, so whenever a schedule exists that
   gives everyone their target, everyone gets it. Among such schedules, more people
   with at least one meeting is better.
2. **Weight.** Within that, the total weight of the pairs that meet is maximal.

People who stay below their target are listed in `MeetingSchedule.unmet` with a reason
code (`PARTNERS_FULL`, `SLOTS_TAKEN`, `PARTNERS_BUSY`); the web layer words the code.

Fixed pairs are hard: the fairness and weight above are over the schedules in which
all of them meet. Fixed pairs that cannot all meet are a ValueError.

Solver
------
OR-Tools CP-SAT, exact within the time limit, in up to three steps:

1. A *relaxation* that keeps the degrees only (a b-matching: at most ``min(cap, free
   slots)`` meetings per person, and Hall's condition on the slots each person shares
   with their partners), solved lexicographically: fairness, then weight with that
   fairness kept. Its optimum bounds the real one, and it solves in about a second
   for 200 people.
2. Slots for the chosen pairs (an edge colouring with blocked slots). When every
   chosen pair gets one, the schedule reaches the bound: it is optimal.
3. Otherwise the full model (one variable per pair and common free slot, at most one
   meeting per person and slot), started from the best schedule so far.

A greedy schedule improved by a local search (fixed pairs first, then rounds that lift
everyone to their target, then by weight; bounded sweeps) is the hint for step 3 and the
result when the solver finds nothing better in time. Whatever the solver returns, pairs
that still fit are added at the end. Weights enter the solver as integers (the heaviest
pair 10,000), so "maximal" holds to that precision.

CP-SAT runs on one worker with ``seed`` as its random seed and a *deterministic* time
budget of ``time_limit`` units, so the same input and seed give the same schedule. A
wall-clock cap of ``time_limit`` seconds (the greedy start counts) stops it in any case;
only when that cap, not the deterministic budget, ends a search can a rerun differ.
The input order never matters: people and pairs are processed in the order of their ids.

`crm.graph` does not re-export this module, so importing the network library does not
load OR-Tools (about a second); import ``crm.graph.meetings`` where it is needed.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

from ortools.sat.python import cp_model

Id = Hashable

# Reason codes for people below their target (`Unmet.reason`).
PARTNERS_FULL = "partners_full"
"""Every partner not yet met already has as many meetings as allowed."""
SLOTS_TAKEN = "slots_taken"
"""With every partner not yet met, each slot free for both is taken by another meeting."""
PARTNERS_BUSY = "partners_busy"
"""Some partners are full, with the others every common free slot is taken."""

# Codes for why a target is below `min_per_person` (`MeetingSchedule.limited_by`).
FEW_PARTNERS = "few_partners"
FEW_FREE_SLOTS = "few_free_slots"
CAP = "cap"

# Methods (`MeetingSchedule.method`).
CP_SAT = "cp-sat"
HEURISTIC = "heuristic"

_WEIGHT_SCALE = 10_000  # the heaviest pair weighs this much in the integer model
# shares of the time left: relaxation fairness, then its weight, then its slots
_FAIRNESS_SHARE = 0.3
_RELAXATION_SHARE = 0.6
_COLOURING_SHARE = 0.9
_FULL_MODEL_SHARE = 0.25  # of the time limit at least left, else the full model is skipped
_SEARCH_ROUNDS = 5  # local-search sweeps over the unscheduled pairs


class Meeting(NamedTuple):
    """One meeting: the slot and the pair as the caller gave it."""

    slot: Id
    a: Id
    b: Id


@dataclass(frozen=True)
class Unmet:
    """A person with fewer meetings than their target, and why (a reason code)."""

    person: Id
    meetings: int
    target: int
    reason: str


@dataclass(frozen=True)
class MeetingSchedule:
    """The planned meetings with their figures.

    ``meetings`` is sorted by slot (in the given order), then by pair. ``reasons`` and
    ``weights`` are keyed by the pair ``(a, b)`` of each meeting, as the caller gave it.
    ``targets`` holds everyone's target; ``limited_by`` says for each person whose target
    is below ``min_per_person`` what limits it (`FEW_PARTNERS`, `FEW_FREE_SLOTS`, `CAP`).
    ``optimal`` is true when the solver proved both phases optimal; ``gap`` is the
    relative distance of the weight to the solver's bound (0.0 when optimal, None when
    the heuristic's schedule was kept).
    """

    meetings: list[Meeting] = field(default_factory=list)
    unmet: list[Unmet] = field(default_factory=list)
    targets: dict[Id, int] = field(default_factory=dict)
    limited_by: dict[Id, str] = field(default_factory=dict)
    reasons: dict[tuple[Id, Id], tuple[Any, ...]] = field(default_factory=dict, repr=False)
    weights: dict[tuple[Id, Id], float] = field(default_factory=dict, repr=False)
    total_weight: float = 0.0
    method: str = HEURISTIC
    optimal: bool = False
    gap: float | None = None
    seconds: float = 0.0

    def explain(self, meeting: tuple[Id, Id, Id]) -> tuple[Any, ...]:
        """The reasons the caller gave for the pair of this meeting."""
        _, a, b = meeting
        return self.reasons.get((a, b), ())

    def meetings_of(self, person: Id) -> list[Meeting]:
        """The meetings of one person, in slot order."""
        return [m for m in self.meetings if person in (m.a, m.b)]

    def count(self) -> dict[Id, int]:
        """Number of meetings per person (people with a target, zero included)."""
        counts = dict.fromkeys(self.targets, 0)
        for meeting in self.meetings:
            counts[meeting.a] = counts.get(meeting.a, 0) + 1
            counts[meeting.b] = counts.get(meeting.b, 0) + 1
        return counts


# --------------------------------------------------------------------------- input


def _sort_key(value: Any) -> tuple[str, Any]:
    """Canonical order for ids of mixed types (numbers numerically, strings alphabetically)."""
    if isinstance(value, int | float | str):
        return (type(value).__name__, value)
    return (type(value).__name__, repr(value))


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} muss eine ganze Zahl sein, nicht {value!r}")
    if value < 0:
        raise ValueError(f"{what} darf nicht negativ sein, nicht {value}")
    return value


def _reasons(value: Any) -> tuple[Any, ...]:
    """A pair's reasons as a tuple; a single string or object is one reason."""
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


@dataclass
class _Instance:
    """The input in index form: people 0..n-1, pairs 0..m-1, slots as bits."""

    people: list[Id]
    slots: list[Id]
    pair_ids: list[tuple[Id, Id]]
    ends: list[tuple[int, int]]
    weights: list[float]
    reasons: list[tuple[Any, ...]]
    common: list[int]  # bit mask of the slots free for both
    caps: list[int]
    free: list[int]  # bit mask of a person's free slots
    fixed: list[bool]
    scaled: list[int] = field(default_factory=list)  # integer weights for the solver
    incident: list[list[int]] = field(default_factory=list)
    usable: list[bool] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    limits: list[str | None] = field(default_factory=list)


def _read(
    pairs: Iterable[Sequence[Any]],
    slots: Sequence[Id],
    max_per_person: int | Mapping[Any, int] | None,
    unavailable: Mapping[Any, Iterable[Any]] | None,
    min_per_person: int,
    fixed: Iterable[tuple[Id, Id]],
) -> _Instance:
    slot_list = list(slots)
    slot_index: dict[Id, int] = {}
    for slot in slot_list:
        if slot in slot_index:
            raise ValueError(f"Zeitfenster {slot!r} ist doppelt angegeben")
        slot_index[slot] = len(slot_index)
    all_slots = (1 << len(slot_list)) - 1

    raw: list[tuple[Id, Id, float, tuple[Any, ...]]] = []
    seen: set[frozenset[Id]] = set()
    for item in pairs:
        if len(item) not in (3, 4):
            raise ValueError(f"Ein Paar ist (a, b, Gewicht) oder (a, b, Gewicht, Gründe): {item!r}")
        a, b, weight = item[0], item[1], item[2]
        reasons = _reasons(item[3]) if len(item) == 4 else ()
        if a == b:
            raise ValueError(f"Ein Paar braucht zwei verschiedene Personen: {item!r}")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"Gewicht {weight!r} des Paars ({a!r}, {b!r}) ist keine Zahl")
        if not math.isfinite(weight) or weight <= 0:
            raise ValueError(f"Gewicht des Paars ({a!r}, {b!r}) muss positiv sein, nicht {weight}")
        key = frozenset((a, b))
        if key in seen:
            raise ValueError(f"Paar ({a!r}, {b!r}) ist doppelt angegeben")
        seen.add(key)
        raw.append((a, b, float(weight), reasons))

    people = sorted({p for a, b, _, _ in raw for p in (a, b)}, key=_sort_key)
    index = {p: i for i, p in enumerate(people)}

    blocked = [0] * len(people)
    for person, person_slots in (unavailable or {}).items():
        mask = 0
        for slot in person_slots:
            if slot not in slot_index:
                raise ValueError(f"Unbekanntes Zeitfenster {slot!r} bei Person {person!r}")
            mask |= 1 << slot_index[slot]
        if person in index:
            blocked[index[person]] = mask
    free = [all_slots & ~mask for mask in blocked]

    n_slots = len(slot_list)
    if max_per_person is None:
        caps = [n_slots] * len(people)
    elif isinstance(max_per_person, Mapping):
        caps = [n_slots] * len(people)
        for person, cap in max_per_person.items():
            cap = _count(cap, f"Höchstzahl der Treffen von {person!r}")
            if person in index:
                caps[index[person]] = min(cap, n_slots)
    else:
        caps = [min(_count(max_per_person, "max_per_person"), n_slots)] * len(people)

    # pairs in canonical order, so the result never depends on the order of the input
    raw.sort(key=lambda r: (_sort_key(r[0]), _sort_key(r[1])))
    pair_of = {frozenset((a, b)): e for e, (a, b, _, _) in enumerate(raw)}
    is_fixed = [False] * len(raw)
    for pair in fixed:
        a, b = pair
        e_or_none = pair_of.get(frozenset((a, b)))
        if e_or_none is None:
            raise ValueError(f"Festes Paar ({a!r}, {b!r}) ist nicht unter den Paaren")
        is_fixed[e_or_none] = True

    ends = [(index[a], index[b]) for a, b, _, _ in raw]
    instance = _Instance(
        people=people,
        slots=slot_list,
        pair_ids=[(a, b) for a, b, _, _ in raw],
        ends=ends,
        weights=[w for _, _, w, _ in raw],
        reasons=[r for _, _, _, r in raw],
        common=[free[i] & free[j] for i, j in ends],
        caps=caps,
        free=free,
        fixed=is_fixed,
    )
    top = max(instance.weights, default=1.0)
    instance.scaled = [max(1, round(w / top * _WEIGHT_SCALE)) for w in instance.weights]
    _derive(instance, min_per_person)
    return instance


def _derive(inst: _Instance, min_per_person: int) -> None:
    """Incidence lists, targets and what limits them; checks what fixed pairs need."""
    n = len(inst.people)
    inst.incident = [[] for _ in range(n)]
    inst.usable = [False] * len(inst.ends)
    for e, (i, j) in enumerate(inst.ends):
        if inst.common[e] and inst.caps[i] and inst.caps[j]:
            inst.usable[e] = True
            inst.incident[i].append(e)
            inst.incident[j].append(e)
        elif inst.fixed[e]:
            a, b = inst.pair_ids[e]
            raise ValueError(
                f"Festes Paar ({a!r}, {b!r}) kann sich nicht treffen: "
                "kein gemeinsames freies Zeitfenster oder Höchstzahl 0"
            )
    inst.targets, inst.limits = [], []
    for p in range(n):
        partners, slots, cap = len(inst.incident[p]), inst.free[p].bit_count(), inst.caps[p]
        target = min(min_per_person, partners, slots, cap)
        inst.targets.append(target)
        limit = None
        if target < min_per_person:
            limit = FEW_PARTNERS if partners == target else CAP if cap == target else None
            limit = limit or FEW_FREE_SLOTS
        inst.limits.append(limit)
        n_fixed = sum(inst.fixed[e] for e in inst.incident[p])
        if n_fixed > min(cap, slots):
            raise ValueError(
                f"Person {inst.people[p]!r} hat {n_fixed} feste Treffen, "
                f"aber nur Platz für {min(cap, slots)}"
            )


# --------------------------------------------------------------------------- state


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _State:
    """A schedule under construction: the slot of each pair (-1: not scheduled)."""

    def __init__(self, inst: _Instance) -> None:
        self.inst = inst
        self.slot_of = [-1] * len(inst.ends)
        self.busy = [0] * len(inst.people)  # bit mask of taken slots
        self.count = [0] * len(inst.people)
        self.at: list[dict[int, int]] = [{} for _ in inst.people]  # slot -> pair

    def place(self, e: int, s: int) -> None:
        self.slot_of[e] = s
        for p in self.inst.ends[e]:
            self.busy[p] |= 1 << s
            self.count[p] += 1
            self.at[p][s] = e

    def remove(self, e: int) -> None:
        s = self.slot_of[e]
        self.slot_of[e] = -1
        for p in self.inst.ends[e]:
            self.busy[p] &= ~(1 << s)
            self.count[p] -= 1
            del self.at[p][s]

    def room(self, e: int) -> bool:
        """Both may have one more meeting."""
        return all(self.count[p] < self.inst.caps[p] for p in self.inst.ends[e])

    def open_slots(self, e: int) -> int:
        i, j = self.inst.ends[e]
        return self.inst.common[e] & ~self.busy[i] & ~self.busy[j]

    def insert(self, e: int) -> bool:
        """Schedule pair e if both have room: in a common idle slot, else by moving one
        meeting of either person to another slot (a single relocation)."""
        if self.slot_of[e] >= 0 or not self.room(e):
            return False
        slots = self.open_slots(e)
        if slots:
            self.place(e, next(iter(_bits(slots))))
            return True
        i, j = self.inst.ends[e]
        for s in _bits(self.inst.common[e]):
            blockers = {self.at[p][s] for p in (i, j) if s in self.at[p]}
            if len(blockers) != 1:
                continue
            f = blockers.pop()
            self.remove(f)
            targets = self.open_slots(f) & ~(1 << s)
            if targets:
                self.place(f, next(iter(_bits(targets))))
                self.place(e, s)
                return True
            self.place(f, s)
        return False

    def fairness(self) -> tuple[int, int]:
        """(sum of min(meetings, target), people with a target and a meeting)."""
        t, c = self.inst.targets, self.count
        return (
            sum(min(c[p], t[p]) for p in range(len(t))),
            sum(1 for p in range(len(t)) if t[p] and c[p]),
        )

    def weight(self) -> float:
        return math.fsum(self.inst.weights[e] for e, s in enumerate(self.slot_of) if s >= 0)

    def scaled_weight(self) -> int:
        return sum(self.inst.scaled[e] for e, s in enumerate(self.slot_of) if s >= 0)

    def scheduled(self) -> list[int]:
        return [e for e, s in enumerate(self.slot_of) if s >= 0]


def _gain(state: _State, p: int, delta: int) -> int:
    """Change of min(meetings, target) of p when its count changes by delta."""
    target, count = state.inst.targets[p], state.count[p]
    return min(count + delta, target) - min(count, target)


# --------------------------------------------------------------------------- heuristic


def _greedy(inst: _Instance, rng: random.Random) -> _State | None:
    """Fixed pairs, then rounds that lift everyone to their target, then by weight."""
    state = _State(inst)
    fixed = [e for e in range(len(inst.ends)) if inst.fixed[e]]
    fixed.sort(key=lambda e: (inst.common[e].bit_count(), e))
    for e in fixed:
        if not state.insert(e):
            return None
    tie = [rng.random() for _ in inst.people]
    for level in range(1, max(inst.targets, default=0) + 1):
        order = [p for p in range(len(inst.people)) if inst.targets[p] >= level]
        order.sort(key=lambda p: (len(inst.incident[p]), inst.free[p].bit_count(), tie[p]))
        for p in order:
            if state.count[p] >= level:
                continue
            candidates = [e for e in inst.incident[p] if state.slot_of[e] < 0 and state.room(e)]
            candidates.sort(key=lambda e: (-_need(state, e), -inst.weights[e], e))
            for e in candidates:
                if state.insert(e):
                    break
    _fill(state, rng)
    _improve(state, rng)
    return state


def _need(state: _State, e: int) -> int:
    """How many of the pair are still below their target."""
    return sum(state.count[p] < state.inst.targets[p] for p in state.inst.ends[e])


def _fill(state: _State, rng: random.Random) -> None:
    """Add every pair that still fits, heaviest first."""
    tie = [rng.random() for _ in state.inst.ends]
    order = sorted(range(len(state.inst.ends)), key=lambda e: (-state.inst.weights[e], tie[e]))
    for e in order:
        if state.slot_of[e] < 0 and state.inst.usable[e]:
            state.insert(e)


def _improve(state: _State, rng: random.Random) -> None:
    """Local search: swap one meeting out for an unscheduled pair when that raises
    (fairness, weight) lexicographically; a bounded number of sweeps."""
    inst = state.inst
    usable = [e for e in range(len(inst.ends)) if inst.usable[e]]
    for _ in range(_SEARCH_ROUNDS):
        rng.shuffle(usable)
        improved = False
        for e in usable:
            if state.slot_of[e] < 0 and _try_swap(state, e):
                improved = True
        if not improved:
            break


def _try_swap(state: _State, e: int) -> bool:
    inst = state.inst
    i, j = inst.ends[e]
    # the meetings whose removal could make room: at the cap, or in a common slot
    blockers: set[int] = set()
    for p in (i, j):
        if state.count[p] >= inst.caps[p]:
            blockers.update(state.at[p].values())
    for s in _bits(inst.common[e]):
        blockers.update(state.at[p][s] for p in (i, j) if s in state.at[p])
    best: tuple[tuple[int, float], int] | None = None
    for f in sorted(blockers):
        if inst.fixed[f]:
            continue
        s = state.slot_of[f]
        state.remove(f)
        if state.room(e) and state.open_slots(e):
            fair = sum(_gain(state, p, 1) for p in (i, j))
            fair -= sum(_gain(state, p, 1) for p in inst.ends[f])
            score = (fair, inst.weights[e] - inst.weights[f])
            if score > (0, 1e-12) and (best is None or score > best[0]):
                best = (score, f)
        state.place(f, s)
    if best is None:
        return False
    state.remove(best[1])
    state.insert(e)
    _refill(state, best[1])
    return True


def _refill(state: _State, f: int) -> None:
    """After a swap, the removed pair's people may have room for another meeting."""
    inst = state.inst
    for p in inst.ends[f]:
        for g in sorted(inst.incident[p], key=lambda g: -inst.weights[g]):
            state.insert(g)


# --------------------------------------------------------------------------- exact model


class _Model:
    """A CP-SAT model over some pairs.

    ``slotted``: one variable per (pair, common free slot), at most one meeting per person
    and slot: the real problem. Otherwise one variable per pair (slot -1) and only the
    degrees are bounded, by ``min(cap, free slots)``: a relaxation (a b-matching) whose
    optimum bounds the real one. Fixed pairs must meet in both.
    """

    def __init__(
        self, inst: _Instance, pairs: Iterable[int], *, slotted: bool, forced: bool = False
    ) -> None:
        self.inst = inst
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        per_person: list[list[cp_model.IntVar]] = [[] for _ in inst.people]
        by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        pairs_list = list(pairs)
        for e in pairs_list:
            row = []
            for s in _bits(inst.common[e]) if slotted else (-1,):
                var = self.x[e, s] = self.model.new_bool_var(f"x{e}_{s}")
                row.append(var)
                for p in inst.ends[e]:
                    per_person[p].append(var)
                    by_person_slot.setdefault((p, s), []).append(var)
            if forced or inst.fixed[e]:
                self.model.add_exactly_one(row)
            elif len(row) > 1:
                self.model.add_at_most_one(row)
        if slotted:
            for group in by_person_slot.values():
                if len(group) > 1:
                    self.model.add_at_most_one(group)
        else:
            self._add_slot_limits(pairs_list)
        # fairness: u_p = min(meetings, target), v_p = has a meeting (for p with a target)
        self.fair_terms: list[tuple[int, cp_model.IntVar]] = []
        self.counts: list[cp_model.LinearExprT] = []
        self.fair_vars: list[tuple[int, cp_model.IntVar, cp_model.IntVar]] = []
        n = len(inst.people)
        for p, variables in enumerate(per_person):
            count = sum(variables)
            self.counts.append(count)
            most = min(inst.caps[p], inst.free[p].bit_count())
            if most < len(variables):
                self.model.add(count <= most)
            if inst.targets[p] > 0 and not forced:
                u = self.model.new_int_var(0, inst.targets[p], f"u{p}")
                v = self.model.new_bool_var(f"v{p}")
                self.model.add(u <= count)
                self.model.add(v <= count)
                self.fair_terms += [(n + 1, u), (1, v)]
                self.fair_vars.append((p, u, v))
        self.scaled = inst.scaled
        self.slotted = slotted
        self.optimal = False

    def _add_slot_limits(self, pairs: list[int]) -> None:
        """Hall's condition for the relaxation: the pairs of a person whose common free
        slots all lie in a set of k slots can have at most k meetings."""
        inst = self.inst
        of_person: list[list[int]] = [[] for _ in inst.people]
        for e in pairs:
            for p in inst.ends[e]:
                of_person[p].append(e)
        for incident in of_person:
            for mask in sorted({inst.common[e] for e in incident}):
                inside = [self.x[e, -1] for e in incident if inst.common[e] & ~mask == 0]
                if len(inside) > mask.bit_count():
                    self.model.add(sum(inside) <= mask.bit_count())

    def fairness(self) -> cp_model.LinearExprT:
        return sum(c * t for c, t in self.fair_terms)

    def weight(self) -> cp_model.LinearExprT:
        return sum(self.scaled[e] * var for (e, _), var in self.x.items())

    def hint(self, state: _State) -> None:
        self.model.clear_hints()
        for (e, s), var in self.x.items():
            self.model.add_hint(var, state.slot_of[e] == s if s >= 0 else state.slot_of[e] >= 0)
        for p, u, v in self.fair_vars:
            self.model.add_hint(u, min(state.count[p], self.inst.targets[p]))
            self.model.add_hint(v, state.count[p] > 0)

    def solve(
        self, objective: cp_model.LinearExprT | None, budget: _Budget, share: float = 1.0
    ) -> cp_model.CpSolver | None:
        """Maximise (or only find a solution); the solver when it found one, else None."""
        self.optimal = False
        if budget.wall() <= 0:
            return None
        if objective is not None:
            self.model.maximize(objective)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = budget.seed
        solver.parameters.max_deterministic_time = max(budget.deterministic * share, 0.01)
        solver.parameters.max_time_in_seconds = max(budget.wall() * share, 0.01)
        status = solver.solve(self.model)
        budget.deterministic -= solver.response_proto.deterministic_time
        if status == cp_model.INFEASIBLE and objective is not None:
            raise ValueError("Die festen Paare lassen sich nicht alle zugleich einplanen")
        self.optimal = status == cp_model.OPTIMAL
        return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    def selected(self, solver: cp_model.CpSolver) -> list[tuple[int, int]]:
        return [key for key, var in self.x.items() if solver.boolean_value(var)]


@dataclass
class _Budget:
    """What is left of the time: deterministic units for CP-SAT, and the wall clock."""

    seed: int
    limit: float
    deterministic: float
    deadline: float

    def wall(self) -> float:
        return self.deadline - time.perf_counter()


def _fairness_value(state: _State) -> int:
    total, with_meeting = state.fairness()
    return (len(state.inst.people) + 1) * total + with_meeting


def _rank(state: _State) -> tuple[int, int]:
    return (_fairness_value(state), state.scaled_weight())


def _lexicographic(
    model: _Model, start: _State | None, budget: _Budget, share: float = 1.0
) -> tuple[cp_model.CpSolver | None, bool, int]:
    """Fairness, then weight with that fairness kept: (solver, both proven, fairness)."""
    best_fairness = sum(c * (len(model.inst.people) + 1) + 1 for c in model.inst.targets if c > 0)
    fairness_proven = start is not None and _fairness_value(start) >= best_fairness
    fairness = _fairness_value(start) if start is not None else 0
    if start is not None and model.slotted:
        # the relaxation is faster without: CP-SAT's search around a hint costs seconds
        model.hint(start)
    if not fairness_proven:
        solver = model.solve(model.fairness(), budget, _FAIRNESS_SHARE)
        if solver is not None:
            fairness_proven = model.optimal
            fairness = max(fairness, round(solver.objective_value))
    if fairness >= best_fairness:  # everyone reaches the target: say so directly
        for count, target in zip(model.counts, model.inst.targets, strict=True):
            if target > 0:
                model.model.add(count >= target)
    else:
        model.model.add(model.fairness() >= fairness)
    solver = model.solve(model.weight(), budget, share)
    return solver, fairness_proven and model.optimal, fairness


def _solve_exact(
    inst: _Instance, start: _State | None, budget: _Budget
) -> tuple[_State, str, bool, float | None]:
    """Relaxation, slots for its pairs, the full model if slots were missing.

    The relaxation (degrees only) is solved lexicographically; its pairs are then given
    slots. When every chosen pair gets one, the schedule is optimal for the real problem
    too (when the relaxation was proven). Otherwise the full model starts from the best
    schedule so far. Returns the schedule, the method, whether it is proven optimal, and
    the gap of its weight to the relaxation's bound.
    """
    usable = [e for e in range(len(inst.ends)) if inst.usable[e]]
    relaxation = _Model(inst, usable, slotted=False)
    solver, proven, fairness = _lexicographic(relaxation, start, budget, _RELAXATION_SHARE)
    best, method = start, HEURISTIC
    bound = None
    if solver is not None:
        bound = solver.best_objective_bound
        chosen = [e for e, _ in relaxation.selected(solver)]
        colouring = _Model(inst, chosen, slotted=True, forced=True)
        found_solver = colouring.solve(None, budget, _COLOURING_SHARE)
        if found_solver is not None:
            found = _State(inst)
            for e, s in colouring.selected(found_solver):
                found.place(e, s)
            if best is None or _rank(found) >= _rank(best):
                return found, CP_SAT, proven, _gap(found, [(fairness, bound)])
        else:  # not all of them fit: as many as fit, then whatever else still fits
            partial = _Model(inst, chosen, slotted=True)
            partial_solver, _, _ = _lexicographic(partial, None, budget, _COLOURING_SHARE / 2)
            if partial_solver is not None:
                found = _State(inst)
                for e, s in partial.selected(partial_solver):
                    found.place(e, s)
                _fill(found, random.Random(budget.seed))  # noqa: S311 - seeded on purpose
                _improve(found, random.Random(budget.seed))  # noqa: S311
                if best is None or _rank(found) > _rank(best):
                    best, method = found, CP_SAT
    bounds = [] if bound is None else [(fairness, bound)]
    if budget.wall() > _FULL_MODEL_SHARE * budget.limit:
        full = _Model(inst, usable, slotted=True)
        solver, full_proven, full_fairness = _lexicographic(full, best, budget)
        if solver is not None:
            found = _State(inst)
            for e, s in full.selected(solver):
                found.place(e, s)
            if best is None or _rank(found) > _rank(best):
                best, method = found, CP_SAT
            if full_proven:
                return best, method, True, 0.0
            bounds.append((full_fairness, solver.best_objective_bound))
    if best is None:
        raise ValueError("Die festen Paare ließen sich in der Zeitgrenze nicht einplanen")
    return best, method, False, _gap(best, bounds)


def _gap(state: _State, bounds: list[tuple[int, float]]) -> float | None:
    """Relative distance of the weight to the tightest bound valid at its fairness.

    Each bound caps the weight of the schedules with at least that fairness.
    """
    fairness = _fairness_value(state)
    valid = [bound for level, bound in bounds if fairness >= level]
    if not valid:
        return None
    bound = min(valid)
    return max(0.0, (bound - state.scaled_weight()) / bound) if bound > 0 else 0.0


# --------------------------------------------------------------------------- result


def _unmet_reason(state: _State, p: int) -> str:
    inst = state.inst
    full = slot_blocked = False
    for e in inst.incident[p]:
        if state.slot_of[e] >= 0:
            continue
        q = inst.ends[e][0] if inst.ends[e][1] == p else inst.ends[e][1]
        if state.count[q] >= inst.caps[q]:
            full = True
        else:
            slot_blocked = True
    if full and slot_blocked:
        return PARTNERS_BUSY
    return PARTNERS_FULL if full else SLOTS_TAKEN


def _result(
    inst: _Instance, state: _State, method: str, optimal: bool, gap: float | None, started: float
) -> MeetingSchedule:
    scheduled = state.scheduled()
    scheduled.sort(key=lambda e: (state.slot_of[e], e))
    meetings = [Meeting(inst.slots[state.slot_of[e]], *inst.pair_ids[e]) for e in scheduled]
    unmet = [
        Unmet(inst.people[p], state.count[p], inst.targets[p], _unmet_reason(state, p))
        for p in range(len(inst.people))
        if state.count[p] < inst.targets[p]
    ]
    return MeetingSchedule(
        meetings=meetings,
        unmet=unmet,
        targets=dict(zip(inst.people, inst.targets, strict=True)),
        limited_by={
            inst.people[p]: limit for p, limit in enumerate(inst.limits) if limit is not None
        },
        reasons={inst.pair_ids[e]: inst.reasons[e] for e in scheduled},
        weights={inst.pair_ids[e]: inst.weights[e] for e in scheduled},
        total_weight=state.weight(),
        method=method,
        optimal=optimal,
        gap=gap,
        seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------- entry point


def schedule_meetings(
    pairs: Iterable[Sequence[Any]],
    slots: Sequence[Id],
    *,
    max_per_person: int | Mapping[Any, int] | None = None,
    unavailable: Mapping[Any, Iterable[Any]] | None = None,
    min_per_person: int = 2,
    time_limit: float = 10.0,
    seed: int = 0,
    fixed: Iterable[tuple[Id, Id]] = (),
) -> MeetingSchedule:
    """Plan 1:1 meetings of the given pairs in the slots: fair first, then heaviest.

    ``pairs`` holds ``(a, b, weight)`` or ``(a, b, weight, reasons)`` with ``a != b`` and
    ``weight > 0``; ``reasons`` (any sequence, e.g. `Reason` objects of the suggestions)
    is kept for the meeting of that pair. ``slots`` are ordered slot ids. ``max_per_person``
    is an int for everyone or a mapping id → int (people not in it: no cap);
    ``unavailable`` maps a person to the slot ids they are blocked in. ``fixed`` lists
    pairs (either orientation, each among ``pairs``) that must meet: accepted requests.
    ``time_limit`` is in seconds; the result is the same for the same input and ``seed``.

    Raises ValueError for invalid input and for fixed pairs that cannot all meet.
    """
    started = time.perf_counter()
    _count(min_per_person, "min_per_person")
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise ValueError(f"time_limit muss eine Zahl sein, nicht {time_limit!r}")
    if not time_limit > 0:
        raise ValueError(f"time_limit muss positiv sein, nicht {time_limit}")
    inst = _read(pairs, slots, max_per_person, unavailable, min_per_person, fixed)
    rng = random.Random(seed)  # noqa: S311 - seeded for reproducibility, not security
    if not any(inst.usable):
        return _result(inst, _State(inst), HEURISTIC, True, 0.0, started)
    start = _greedy(inst, rng)
    budget = _Budget(seed, time_limit, float(time_limit), started + float(time_limit))
    state, method, optimal, gap = _solve_exact(inst, start, budget)
    _fill(state, rng)
    return _result(inst, state, method, optimal, gap, started)
