"""Tests for the 1:1 meeting schedule of the practitioner exchange (crm.graph.meetings)."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from benchmarks.bench_meetings import synthetic_exchange
from crm.graph.meetings import CAP
from crm.graph.meetings import CP_SAT
from crm.graph.meetings import FEW_FREE_SLOTS
from crm.graph.meetings import FEW_PARTNERS
from crm.graph.meetings import HEURISTIC
from crm.graph.meetings import PARTNERS_BUSY
from crm.graph.meetings import PARTNERS_FULL
from crm.graph.meetings import SLOTS_TAKEN
from crm.graph.meetings import Meeting
from crm.graph.meetings import MeetingSchedule
from crm.graph.meetings import Unmet
from crm.graph.meetings import schedule_meetings

SLOTS = ["S1", "S2", "S3"]


def check_schedule(
    schedule: MeetingSchedule,
    pairs: Sequence[Sequence[Any]],
    slots: Sequence[Any],
    *,
    max_per_person: int | Mapping[Any, int] | None = None,
    unavailable: Mapping[Any, Iterable[Any]] | None = None,
    fixed: Iterable[tuple[Any, Any]] = (),
    min_per_person: int = 2,
) -> None:
    """Every rule of a schedule holds (takes the arguments of the call that made it)."""
    given_pairs = {(p[0], p[1]) for p in pairs}
    seen_pairs: set[frozenset[Any]] = set()
    busy: set[tuple[Any, Any]] = set()
    counts: Counter[Any] = Counter()
    for slot, a, b in schedule.meetings:
        assert slot in slots
        assert (a, b) in given_pairs, "only given pairs, in the caller's orientation"
        assert frozenset((a, b)) not in seen_pairs, "each pair at most once"
        seen_pairs.add(frozenset((a, b)))
        for person in (a, b):
            assert (person, slot) not in busy, "one meeting per person and slot"
            busy.add((person, slot))
            assert slot not in set((unavailable or {}).get(person, ())), "blocked slot"
            counts[person] += 1
    for person, count in counts.items():
        if isinstance(max_per_person, int):
            assert count <= max_per_person
        elif max_per_person is not None and person in max_per_person:
            assert count <= max_per_person[person]
    for a, b in fixed:
        assert frozenset((a, b)) in seen_pairs, "fixed pairs meet"
    order = {slot: i for i, slot in enumerate(slots)}
    assert [order[m.slot] for m in schedule.meetings] == sorted(
        order[m.slot] for m in schedule.meetings
    )
    weights = {(p[0], p[1]): p[2] for p in pairs}
    assert schedule.total_weight == pytest.approx(
        math.fsum(weights[m.a, m.b] for m in schedule.meetings)
    )
    below = {u.person for u in schedule.unmet}
    for person, target in schedule.targets.items():
        assert (counts[person] < target) == (person in below)


def test_a_simple_exchange_is_planned_without_conflicts() -> None:
    pairs = [("A", "B", 2.0), ("A", "C", 1.0), ("B", "C", 1.0), ("C", "D", 3.0)]
    schedule = schedule_meetings(pairs, SLOTS)
    check_schedule(schedule, pairs, SLOTS)
    assert len(schedule.meetings) == 4  # everyone free in three slots: all pairs fit
    assert schedule.method == CP_SAT
    assert schedule.optimal
    assert schedule.gap == 0.0
    assert schedule.unmet == []
    assert all(isinstance(m, Meeting) for m in schedule.meetings)
    assert schedule.count() == {"A": 2, "B": 2, "C": 3, "D": 1}
    assert [m.b for m in schedule.meetings_of("D")] == ["D"]


def test_one_meeting_per_person_and_slot() -> None:
    # a triangle in two slots: only two of the three pairs can meet
    pairs = [("A", "B", 1.0), ("B", "C", 1.0), ("A", "C", 5.0)]
    schedule = schedule_meetings(pairs, ["S1", "S2"], min_per_person=1)
    check_schedule(schedule, pairs, ["S1", "S2"])
    assert len(schedule.meetings) == 2
    assert ("A", "C") in {(m.a, m.b) for m in schedule.meetings}
    # the degrees allow all three: the full model, not the relaxation, proves this one
    assert schedule.optimal


def test_each_pair_meets_at_most_once_even_with_many_free_slots() -> None:
    schedule = schedule_meetings([("A", "B", 1.0)], ["S1", "S2", "S3", "S4"])
    assert schedule.meetings == [("S1", "A", "B")]


def test_cap_as_an_int() -> None:
    pairs = [("X", p, float(w)) for w, p in enumerate("ABCDE", start=1)]
    schedule = schedule_meetings(pairs, SLOTS, max_per_person=2)
    check_schedule(schedule, pairs, SLOTS, max_per_person=2)
    # the heaviest two, and nobody is below target: X's cap, the leaves' only partner
    assert {m.b for m in schedule.meetings} == {"D", "E"}
    assert {u.person for u in schedule.unmet} == {"A", "B", "C"}
    assert {u.reason for u in schedule.unmet} == {PARTNERS_FULL}


def test_cap_as_a_mapping_others_uncapped() -> None:
    pairs = [("X", "A", 1.0), ("X", "B", 1.0), ("Y", "A", 1.0), ("Y", "B", 1.0)]
    caps = {"X": 1, "A": 2}
    schedule = schedule_meetings(pairs, SLOTS, max_per_person=caps)
    check_schedule(schedule, pairs, SLOTS, max_per_person=caps)
    counts = schedule.count()
    assert counts["X"] == 1
    assert counts["Y"] == 2
    assert schedule.targets["X"] == 1
    assert schedule.limited_by["X"] == CAP


def test_cap_zero_means_no_meetings() -> None:
    schedule = schedule_meetings([("A", "B", 1.0)], SLOTS, max_per_person={"A": 0})
    assert schedule.meetings == []
    assert schedule.targets == {"A": 0, "B": 0}
    assert schedule.unmet == []


def test_blocked_slots_are_respected() -> None:
    pairs = [("A", "B", 1.0), ("A", "C", 1.0)]
    unavailable = {"A": {"S1"}, "B": {"S2"}}
    schedule = schedule_meetings(pairs, SLOTS, unavailable=unavailable)
    check_schedule(schedule, pairs, SLOTS, unavailable=unavailable)
    assert ("S3", "A", "B") in schedule.meetings  # the only slot free for both
    assert len(schedule.meetings) == 2


def test_a_pair_without_a_common_free_slot_does_not_meet() -> None:
    unavailable = {"A": {"S1"}, "B": {"S2"}}
    schedule = schedule_meetings([("A", "B", 1.0)], ["S1", "S2"], unavailable=unavailable)
    assert schedule.meetings == []
    assert schedule.targets == {"A": 0, "B": 0}
    assert schedule.limited_by == {"A": FEW_PARTNERS, "B": FEW_PARTNERS}


def test_fairness_before_weight() -> None:
    # weight alone would pick A-B (10) and leave C and D without a meeting
    pairs = [("A", "B", 10.0), ("A", "C", 1.0), ("B", "D", 1.0)]
    schedule = schedule_meetings(pairs, ["S1"], min_per_person=1)
    check_schedule(schedule, pairs, ["S1"])
    assert {(m.a, m.b) for m in schedule.meetings} == {("A", "C"), ("B", "D")}
    assert schedule.unmet == []
    assert schedule.optimal


def test_fairness_gives_everyone_two_when_possible() -> None:
    # P (cap 2) is wished heavily by H1 and H2; weight alone leaves W with one meeting
    pairs = [("W", "P", 1.0), ("W", "Q", 1.0), ("P", "H1", 9.0), ("P", "H2", 9.0)]
    pairs += [(h, g, 1.0) for h in ("H1", "H2") for g in ("G1", "G2")]
    caps = {"P": 2}
    weight_only = schedule_meetings(pairs, SLOTS, max_per_person=caps, min_per_person=0)
    assert weight_only.count()["W"] == 1
    fair = schedule_meetings(pairs, SLOTS, max_per_person=caps)
    check_schedule(fair, pairs, SLOTS, max_per_person=caps)
    assert fair.count()["W"] == 2
    assert fair.unmet == []
    assert fair.optimal
    assert fair.total_weight == 15.0 < weight_only.total_weight


def test_fairness_is_the_most_that_can_be_given_when_not_everyone_can() -> None:
    # a star: the centre can meet one of three leaves in the one slot
    pairs = [("X", "A", 1.0), ("X", "B", 3.0), ("X", "C", 2.0)]
    schedule = schedule_meetings(pairs, ["S1"])
    assert schedule.meetings == [("S1", "X", "B")]
    assert schedule.unmet == [
        Unmet("A", 0, 1, PARTNERS_FULL),
        Unmet("C", 0, 1, PARTNERS_FULL),
    ]
    assert schedule.targets == {"A": 1, "B": 1, "C": 1, "X": 1}


def test_unmet_because_the_common_slot_is_taken() -> None:
    pairs = [("A", "B", 1.0), ("B", "C", 1.0)]
    unavailable = {"A": {"S2"}, "C": {"S2"}}
    schedule = schedule_meetings(pairs, ["S1", "S2"], unavailable=unavailable, fixed=[("A", "B")])
    assert schedule.meetings == [("S1", "A", "B")]
    assert Unmet("C", 0, 1, SLOTS_TAKEN) in schedule.unmet
    assert Unmet("B", 1, 2, SLOTS_TAKEN) in schedule.unmet


def test_unmet_because_partners_are_full_and_slots_taken() -> None:
    # P needs one meeting: Q is full (cap 1, fixed with R2), R's only free slot is taken
    pairs = [("P", "Q", 1.0), ("P", "R", 1.0), ("Q", "R2", 1.0), ("R", "R3", 1.0)]
    unavailable = {"R": {"S2"}, "R3": {"S2"}, "P": set()}
    schedule = schedule_meetings(
        pairs,
        ["S1", "S2"],
        unavailable=unavailable,
        max_per_person={"Q": 1},
        fixed=[("Q", "R2"), ("R", "R3")],
    )
    check_schedule(schedule, pairs, ["S1", "S2"], unavailable=unavailable)
    assert Unmet("P", 0, 2, PARTNERS_BUSY) in schedule.unmet


def test_targets_and_what_limits_them() -> None:
    pairs = [("A", "B", 1.0), ("A", "C", 1.0), ("A", "D", 1.0), ("B", "C", 1.0)]
    schedule = schedule_meetings(
        pairs, SLOTS, unavailable={"C": {"S1", "S2"}}, max_per_person={"B": 1}
    )
    assert schedule.targets == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert schedule.limited_by == {"B": CAP, "C": FEW_FREE_SLOTS, "D": FEW_PARTNERS}


def test_fixed_pairs_meet_even_against_fairness_and_weight() -> None:
    pairs = [("A", "B", 1.0), ("A", "C", 10.0)]
    schedule = schedule_meetings(pairs, ["S1"], fixed=[("B", "A")])
    assert schedule.meetings == [("S1", "A", "B")]
    assert schedule.unmet == [Unmet("C", 0, 1, PARTNERS_FULL)]


def test_fixed_pairs_that_cannot_all_meet_are_an_error() -> None:
    pairs = [("A", "B", 1.0), ("A", "C", 1.0)]
    with pytest.raises(ValueError, match="feste Treffen"):
        schedule_meetings(pairs, ["S1"], fixed=[("A", "B"), ("A", "C")])
    with pytest.raises(ValueError, match="kein gemeinsames freies Zeitfenster"):
        schedule_meetings(pairs, ["S1"], unavailable={"B": {"S1"}}, fixed=[("A", "B")])
    triangle = [("A", "B", 1.0), ("B", "C", 1.0), ("A", "C", 1.0)]
    with pytest.raises(ValueError, match="nicht alle zugleich"):
        schedule_meetings(triangle, ["S1", "S2"], fixed=[(a, b) for a, b, _ in triangle])
    with pytest.raises(ValueError, match="nicht unter den Paaren"):
        schedule_meetings(pairs, ["S1"], fixed=[("B", "C")])


def test_each_meeting_keeps_its_reasons() -> None:
    pairs = [
        ("A", "B", 2.0, ["shared_theme", "same_region"]),
        ("C", "D", 1.0),
        ("E", "F", 1.0, "path"),
        ("G", "H", 1.0, None),
    ]
    schedule = schedule_meetings(pairs, SLOTS)
    assert schedule.explain(("S1", "A", "B")) == ("shared_theme", "same_region")
    assert schedule.explain(("S1", "C", "D")) == ()
    assert schedule.explain(("S1", "E", "F")) == ("path",)
    assert schedule.reasons[("A", "B")] == ("shared_theme", "same_region")
    assert schedule.weights == {("A", "B"): 2.0, ("C", "D"): 1.0, ("E", "F"): 1.0, ("G", "H"): 1.0}


def test_the_same_seed_gives_the_same_schedule_whatever_the_input_order() -> None:
    exchange = synthetic_exchange(40, 6, seed=3)

    def plan(pairs: list[Any], seed: int) -> MeetingSchedule:
        return schedule_meetings(**{**exchange, "pairs": pairs}, seed=seed)

    first = plan(exchange["pairs"], 7)
    check_schedule(first, **exchange)
    assert first.optimal
    assert plan(list(reversed(exchange["pairs"])), 7).meetings == first.meetings
    assert plan(exchange["pairs"], 7).meetings == first.meetings


def test_without_time_for_the_solver_the_heuristic_keeps_every_rule() -> None:
    exchange = synthetic_exchange(120, 8, seed=4)
    schedule = schedule_meetings(**exchange, time_limit=0.001)
    check_schedule(schedule, **exchange)
    assert schedule.method == HEURISTIC
    assert not schedule.optimal
    assert schedule.unmet == []
    assert schedule.meetings == schedule_meetings(**exchange, time_limit=0.001).meetings


def test_no_pairs_no_meetings() -> None:
    schedule = schedule_meetings([], SLOTS)
    assert schedule.meetings == []
    assert schedule.targets == {}
    assert schedule_meetings([("A", "B", 1.0)], []).meetings == []


@pytest.mark.parametrize(
    ("pairs", "slots", "options", "message"),
    [
        ([("A", "A", 1.0)], SLOTS, {}, "zwei verschiedene"),
        ([("A", "B", 0.0)], SLOTS, {}, "positiv"),
        ([("A", "B", -1.0)], SLOTS, {}, "positiv"),
        ([("A", "B", math.nan)], SLOTS, {}, "positiv"),
        ([("A", "B", True)], SLOTS, {}, "keine Zahl"),
        ([("A", "B", "1")], SLOTS, {}, "keine Zahl"),
        ([("A", "B")], SLOTS, {}, "Ein Paar ist"),
        ([("A", "B", 1.0), ("B", "A", 2.0)], SLOTS, {}, "doppelt"),
        ([("A", "B", 1.0)], ["S1", "S1"], {}, "doppelt"),
        ([("A", "B", 1.0)], SLOTS, {"unavailable": {"A": {"S9"}}}, "Unbekanntes Zeitfenster"),
        ([("A", "B", 1.0)], SLOTS, {"max_per_person": -1}, "negativ"),
        ([("A", "B", 1.0)], SLOTS, {"max_per_person": {"A": 1.5}}, "ganze Zahl"),
        ([("A", "B", 1.0)], SLOTS, {"min_per_person": -1}, "negativ"),
        ([("A", "B", 1.0)], SLOTS, {"time_limit": 0}, "positiv"),
        ([("A", "B", 1.0)], SLOTS, {"time_limit": "10"}, "Zahl"),
    ],
)
def test_invalid_input_is_rejected(
    pairs: list[Any], slots: list[Any], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        schedule_meetings(pairs, slots, **options)


def test_a_synthetic_exchange_keeps_every_rule() -> None:
    exchange = synthetic_exchange(80, 8, seed=2)
    schedule = schedule_meetings(**exchange, time_limit=5.0)
    check_schedule(schedule, **exchange)
    assert schedule.unmet == []
    assert schedule.gap is not None and schedule.gap < 0.01


# --------------------------------------------------------------------------- property


def brute_force(
    pairs: Sequence[tuple[str, str, float]],
    slots: Sequence[str],
    max_per_person: Mapping[str, int],
    unavailable: Mapping[str, set[str]],
    min_per_person: int,
) -> tuple[int, int, float]:
    """The best (fairness sum, people with a meeting, weight) over all schedules."""
    caps = max_per_person
    people = sorted({p for a, b, _ in pairs for p in (a, b)})
    free = {p: [s for s in slots if s not in unavailable.get(p, set())] for p in people}
    options = [[None, *(s for s in free[a] if s in free[b])] for a, b, _ in pairs]
    partners = Counter(
        p
        for a, b, _ in pairs
        for p in (a, b)
        if set(free[a]) & set(free[b]) and caps[a] and caps[b]
    )
    target = {p: min(min_per_person, partners[p], len(free[p]), caps[p]) for p in people}
    best = (-1, -1, -1.0)
    for choice in itertools.product(*options):
        busy: set[tuple[str, str]] = set()
        counts: Counter[str] = Counter()
        feasible = True
        for (a, b, _), slot in zip(pairs, choice, strict=True):
            if slot is None:
                continue
            if (a, slot) in busy or (b, slot) in busy:
                feasible = False
                break
            busy |= {(a, slot), (b, slot)}
            counts.update((a, b))
        if not feasible or any(counts[p] > caps[p] for p in people):
            continue
        value = (
            sum(min(counts[p], target[p]) for p in people),
            sum(1 for p in people if target[p] and counts[p]),
            math.fsum(w for (_, _, w), s in zip(pairs, choice, strict=True) if s is not None),
        )
        best = max(best, value)
    return best


@st.composite
def small_instances(draw: st.DrawFn) -> dict[str, Any]:
    people = ["A", "B", "C", "D", "E"]
    slots = SLOTS[: draw(st.integers(1, 3))]
    candidates = list(itertools.combinations(people, 2))
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=6, unique=True))
    pairs = [(a, b, float(draw(st.integers(1, 5)))) for a, b in chosen]
    caps = {p: draw(st.integers(0, 3)) for p in people}
    unavailable = {p: set(draw(st.lists(st.sampled_from(slots), max_size=2))) for p in people}
    return {
        "pairs": pairs,
        "slots": slots,
        "max_per_person": caps,
        "unavailable": unavailable,
        "min_per_person": draw(st.integers(0, 3)),
    }


@settings(max_examples=50, derandomize=True, deadline=None)
@given(small_instances())
def test_small_instances_are_solved_exactly(instance: dict[str, Any]) -> None:
    schedule = schedule_meetings(**instance, time_limit=5.0)
    check_schedule(schedule, **instance)
    counts = schedule.count()
    achieved = (
        sum(min(counts[p], t) for p, t in schedule.targets.items()),
        sum(1 for p, t in schedule.targets.items() if t and counts[p]),
        schedule.total_weight,
    )
    best = brute_force(**instance)
    assert achieved[:2] == best[:2]
    assert achieved[2] == pytest.approx(best[2])
    assert schedule.optimal
