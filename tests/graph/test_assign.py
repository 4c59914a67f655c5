"""Tests for the workshop assignment (crm.graph.assign)."""

from __future__ import annotations

import itertools
import random
from types import SimpleNamespace
from typing import Any

import pytest

from benchmarks.bench_assign import synthetic_event
from crm.graph.assign import UNLISTED_COST
from crm.graph.assign import Assignment
from crm.graph.assign import AssignmentMetrics
from crm.graph.assign import assign_workshops
from crm.graph.assign import first_come_first_served
from crm.graph.assign import metrics_of
from crm.graph.assign import random_assignment
from crm.graph.assign import rank_cost


def person(pid: Any, prefs: tuple[Any, ...] = (), **extra: Any) -> dict[str, Any]:
    """A participant mapping with defaults for the optional fields."""
    return {"id": pid, "preferences": list(prefs), **extra}


def workshop(wid: Any, capacity: int, title: str | None = None) -> dict[str, Any]:
    """A workshop mapping."""
    return {"id": wid, "capacity": capacity, "themes": (), "title": title}


def random_instance(rng: random.Random, n: int, k: int, shortage: bool = False) -> tuple:
    """Random small instance; with `shortage` the capacity may be below the head count."""
    ids = [f"W{w}" for w in range(k)]
    caps = [rng.randint(0, n) for _ in range(k)]
    if not shortage:
        while sum(caps) < n:
            caps[rng.randrange(k)] += 1
    participants = [
        person(p, tuple(rng.sample(ids, rng.randint(0, min(3, k)))), sector=rng.choice("ABC"))
        for p in range(n)
    ]
    return participants, [workshop(w, c) for w, c in zip(ids, caps, strict=True)]


def brute_force(participants: list[dict], workshops: list[dict]) -> tuple[int, int]:
    """(most people placed, least total rank cost among those) by enumeration."""
    options = [w["id"] for w in workshops] + [None]
    best: tuple[int, int] | None = None
    for combo in itertools.product(options, repeat=len(participants)):
        load: dict[Any, int] = {}
        for w in combo:
            if w is not None:
                load[w] = load.get(w, 0) + 1
        if any(load.get(w["id"], 0) > w["capacity"] for w in workshops):
            continue
        unplaced = combo.count(None)
        cost = sum(rank_cost(p["preferences"], w) for p, w in zip(participants, combo, strict=True))
        if best is None or (unplaced, cost) < best:
            best = (unplaced, cost)
    assert best is not None
    return best


def test_rank_cost_table() -> None:
    prefs = ("a", "b", "c", "d")
    assert [rank_cost(prefs, w) for w in prefs] == [0, 1, 3, 5]
    assert rank_cost(prefs, "z") == UNLISTED_COST == 10
    assert rank_cost(prefs, None) == UNLISTED_COST
    assert rank_cost((), "a") == 0  # no wishes: nothing to fail


# --- guarantee 1: capacities and fixed placements --------------------------------------


@pytest.mark.parametrize("mix", [(), ("sector",), ("sector", "land")])
def test_capacity_and_fixed_are_respected_and_everyone_placed(mix: tuple[str, ...]) -> None:
    rng = random.Random(7)
    for _ in range(15):
        participants, workshops = random_instance(rng, 30, 4)
        for p in participants:
            p["land"] = rng.choice(["BY", "NW", "SN"])
        open_ws = [w["id"] for w in workshops if w["capacity"] > 0]
        fixed = {0: open_ws[0], 1: open_ws[-1]}
        result = assign_workshops(participants, workshops, fixed=fixed, mix=mix, seed=3)
        assert result.metrics.capacity_violations == 0
        assert result.unassigned == ()
        assert all(result.workshop_of[p] == w for p, w in fixed.items())
        load: dict[Any, int] = {}
        for w in result.workshop_of.values():
            load[w] = load.get(w, 0) + 1
        assert all(load.get(w["id"], 0) <= w["capacity"] for w in workshops)


def test_shortage_leaves_exactly_the_excess_unassigned() -> None:
    participants = [person(p, ("A",)) for p in range(7)]
    result = assign_workshops(participants, [workshop("A", 3), workshop("B", 2)])
    assert len(result.unassigned) == 2
    assert result.metrics.assigned == 5 and result.metrics.unassigned == 2
    assert result.metrics.capacity_violations == 0
    assert result.explain(result.unassigned[0]) == "Kein Platz frei: alle Workshops sind voll."


def test_everything_fixed_and_full() -> None:
    participants = [person(p, ("B",)) for p in range(2)]
    result = assign_workshops(participants, [workshop("A", 2), workshop("B", 0)], fixed={0: "A"})
    assert result.workshop_of == {0: "A", 1: "A"}


# --- guarantee 2: exact optimum without mixing ----------------------------------------


def test_matches_brute_force_optimum_on_random_instances() -> None:
    rng = random.Random(2024)
    for case in range(60):
        participants, workshops = random_instance(rng, 6, 3, shortage=case % 4 == 0)
        result = assign_workshops(participants, workshops, mix=(), seed=case)
        unplaced, cost = brute_force(participants, workshops)
        assert len(result.unassigned) == unplaced
        assert result.metrics.total_rank_cost == cost, (participants, workshops)


def test_optimum_is_not_greedy() -> None:
    # greedy in id order gives 0 its first wish A, 1 must then go to C (cost 10 + 0)
    participants = [person(0, ("A", "B")), person(1, ("A",))]
    result = assign_workshops(participants, [workshop("A", 1), workshop("B", 1)], mix=())
    assert result.workshop_of == {0: "B", 1: "A"}
    assert result.metrics.total_rank_cost == 1


# --- guarantee 3: mixing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k", "seed"), [(170, 5, 1), (170, 5, 2), (170, 5, 5), (170, 5, 9), (500, 5, 5)]
)
def test_mix_approaches_event_mix_at_small_rank_cost(n: int, k: int, seed: int) -> None:
    participants, workshops, acquaintances = synthetic_event(n, k, seed)
    plain = assign_workshops(participants, workshops, mix=()).metrics
    mixed = assign_workshops(participants, workshops, acquaintances=acquaintances).metrics
    assert mixed.sector_tvd <= plain.sector_tvd / 2 or mixed.sector_tvd <= 0.08
    assert plain.top3_rate - mixed.top3_rate <= 0.02
    assert plain.first_choice_rate - mixed.first_choice_rate <= 0.12
    assert mixed.capacity_violations == 0 and mixed.unassigned == 0


def test_free_choices_are_used_for_the_mix_at_no_rank_cost() -> None:
    # 4 want A, 4 want B, 2 seats each would be enough ... every split costs the same,
    # so the mixed result must be as cheap as the optimum and perfectly mixed
    participants = [
        person(p, ("A", "B") if p % 2 else ("B", "A"), sector="X" if p < 4 else "Y")
        for p in range(8)
    ]
    participants[0]["preferences"] = ["B", "A"]
    participants[1]["preferences"] = ["B", "A"]
    workshops = [workshop("A", 4), workshop("B", 4)]
    plain = assign_workshops(participants, workshops, mix=())
    mixed = assign_workshops(participants, workshops)
    assert mixed.metrics.total_rank_cost == plain.metrics.total_rank_cost
    assert mixed.metrics.sector_tvd <= plain.metrics.sector_tvd
    assert mixed.metrics.sector_tvd == pytest.approx(0.0)


def test_second_mix_attribute_keeps_first_and_rank_cost() -> None:
    participants, workshops, acquaintances = synthetic_event(170, 5, 4)
    one = assign_workshops(participants, workshops, acquaintances=acquaintances).metrics
    two = assign_workshops(
        participants, workshops, acquaintances=acquaintances, mix=("sector", "land")
    ).metrics
    assert two.total_rank_cost == one.total_rank_cost
    assert two.sector_tvd == pytest.approx(one.sector_tvd)
    assert two.land_tvd <= one.land_tvd + 1e-9


def test_first_mix_attribute_is_mixed_in_the_flow() -> None:
    participants, workshops, _ = synthetic_event(170, 5, 3)
    plain = assign_workshops(participants, workshops, mix=()).metrics
    by_land = assign_workshops(participants, workshops, mix=("land",)).metrics
    assert by_land.land_tvd < plain.land_tvd


# --- guarantee 4: acquaintances --------------------------------------------------------


def colleagues_instance(seed: int) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """80 people, half of them from 4 firms; firms often delegate staff without wishes."""
    rng = random.Random(seed)
    ids = ["A", "B", "C", "D", "E"]
    participants = []
    for p in range(80):
        firm = f"Firma {p % 4}" if p < 40 else None
        prefs = () if firm and rng.random() < 0.5 else tuple(rng.sample(ids, 3))
        participants.append(person(p, prefs, organisation=firm, sector=rng.choice("XYZ")))
    acquaintances = [(p, p + 1) for p in range(40, 78, 2)]
    return participants, [workshop(w, 18) for w in ids], acquaintances


@pytest.mark.parametrize("mix", [(), ("sector",)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_acquaintances_are_separated_without_rank_or_mix_cost(
    mix: tuple[str, ...], seed: int
) -> None:
    participants, workshops, acquaintances = colleagues_instance(seed)
    strangers = [{**p, "organisation": None} for p in participants]
    before = assign_workshops(strangers, workshops, mix=mix)
    after = assign_workshops(participants, workshops, mix=mix, acquaintances=acquaintances)
    baseline = metrics_of(participants, workshops, before.workshop_of, acquaintances)
    assert after.metrics.total_rank_cost == baseline.total_rank_cost
    if mix:  # the mix is protected only where it was asked for
        assert after.metrics.sector_tvd <= baseline.sector_tvd + 1e-9
    assert after.metrics.acquaintance_pairs <= 0.9 * baseline.acquaintance_pairs
    assert after.metrics.same_org_pairs <= after.metrics.acquaintance_pairs


def test_acquaintance_metrics_count_pairs() -> None:
    participants = [
        person(0, organisation="X"),
        person(1, organisation="X"),
        person(2, organisation="X"),
        person(3),
    ]
    m = metrics_of(participants, [workshop("A", 4)], dict.fromkeys(range(4), "A"), [(0, 3), (0, 1)])
    assert m.same_org_pairs == 3
    assert m.acquaintance_pairs == 4  # (0, 1) is already counted as colleagues


# --- guarantee 5: determinism ------------------------------------------------------------


def test_deterministic_and_independent_of_input_order() -> None:
    participants, workshops, acquaintances = synthetic_event(170, 5, 6)
    kwargs: dict[str, Any] = {"acquaintances": acquaintances, "mix": ("sector", "land")}
    reference = assign_workshops(participants, workshops, seed=11, **kwargs)
    assert assign_workshops(participants, workshops, seed=11, **kwargs) == reference
    rng = random.Random(5)
    for _ in range(3):
        shuffled_p, shuffled_w = participants[:], workshops[:]
        rng.shuffle(shuffled_p)
        rng.shuffle(shuffled_w)
        again = assign_workshops(shuffled_p, shuffled_w, seed=11, **kwargs)
        assert again.workshop_of == reference.workshop_of


# --- explanations -----------------------------------------------------------------------


def test_explanations() -> None:
    participants = [
        person(0, ("A", "B")),
        person(1, ("A", "B")),
        person(2, ("A", "B")),
        person(3, ()),
        person(4, ("B",)),
    ]
    workshops = [workshop("A", 2, "Wasserstoff"), workshop("B", 3)]
    result = assign_workshops(participants, workshops, fixed={4: "A"}, mix=())
    assert result.explain(4) == "Fest zugeordnet (manuell)."
    texts = {result.explain(p) for p in (0, 1, 2)}
    assert texts == {
        "Erstwunsch erhalten.",
        "Zweitwunsch erhalten: Workshop „Wasserstoff“ hatte 3 Erstwünsche für 2 Plätze.",
    }
    assert result.explain(3) == "Keine Wünsche angegeben: zugeordnet, wo Platz war."
    mixed = assign_workshops(participants, workshops, fixed={4: "A"})
    assert mixed.explain(3) == (
        "Keine Wünsche angegeben: zugeordnet, wo Platz war und die Mischung es verlangte."
    )
    with pytest.raises(KeyError):
        result.explain(99)


# --- input forms and bad input -----------------------------------------------------------


def test_attribute_objects_and_mappings_give_the_same_result() -> None:
    participants, workshops, acquaintances = synthetic_event(60, 3, 2)
    as_objects = [SimpleNamespace(**p) for p in participants]
    workshop_objects = [SimpleNamespace(id=w["id"], capacity=w["capacity"]) for w in workshops]
    a = assign_workshops(participants, workshops, acquaintances=acquaintances)
    b = assign_workshops(as_objects, workshop_objects, acquaintances=acquaintances)
    assert a.workshop_of == b.workshop_of


def test_empty_input() -> None:
    result = assign_workshops([], [workshop("A", 3)])
    assert result == Assignment()
    assert result.metrics == AssignmentMetrics()
    assert result.metrics.first_choice_rate == 0.0 and result.metrics.sector_tvd == 0.0
    assert metrics_of([], [], {}) == AssignmentMetrics()
    nobody_fits = assign_workshops([person(1, ())], [])
    assert nobody_fits.unassigned == (1,)


BAD_INPUTS = [
    ({"participants": [person(7, ("x",))]}, "Unbekannter Workshop 'x'.*Teilnehmer 7"),
    ({"fixed": {1: "x"}}, "Unbekannter Workshop 'x'"),
    ({"fixed": {99: "A"}}, "Unbekannter Teilnehmer 99"),
    ({"acquaintances": [(1, 42)]}, "Unbekannter Teilnehmer 42"),
    ({"workshops": [workshop("A", -1)]}, "'A'.*negative Kapazität"),
    ({"participants": [person(1), person(1)]}, "Teilnehmer 1 ist doppelt"),
    ({"workshops": [workshop("A", 1), workshop("A", 2)]}, "Workshop 'A' ist doppelt"),
    ({"fixed": {1: "A", 2: "A"}, "workshops": [workshop("A", 1)]}, "'A' hat 2 feste"),
    ({"participants": [person(3, ("A", "A"))]}, "'A' steht mehrfach.*Teilnehmer 3"),
    ({"mix": ("branche",)}, "Mischungsmerkmal 'branche'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUTS)
def test_bad_input_is_rejected_with_the_offending_item(change: dict, message: str) -> None:
    kwargs: dict[str, Any] = {
        "participants": [person(1, ("A",)), person(2, ("A",))],
        "workshops": [workshop("A", 2)],
    }
    kwargs.update(change)
    with pytest.raises(ValueError, match=message):
        assign_workshops(kwargs.pop("participants"), kwargs.pop("workshops"), **kwargs)


# --- baselines and metrics_of ------------------------------------------------------------


def test_first_come_first_served_follows_the_given_order() -> None:
    participants = [person(2, ("A", "B")), person(1, ("A",)), person(3, ())]
    result = first_come_first_served(participants, [workshop("B", 1), workshop("A", 1)])
    assert result == {2: "A", 1: "B", 3: None}


def test_random_assignment_is_seeded_and_within_capacity() -> None:
    participants, workshops, _ = synthetic_event(100, 4, 1)
    a = random_assignment(participants, workshops, seed=3)
    assert a == random_assignment(list(reversed(participants)), workshops, seed=3)
    assert metrics_of(participants, workshops, a).capacity_violations == 0
    assert None not in a.values()


def test_metrics_of_compares_algorithms() -> None:
    participants, workshops, acquaintances = synthetic_event(170, 5, 1)
    optimal = assign_workshops(participants, workshops, mix=())
    fcfs = metrics_of(
        participants, workshops, first_come_first_served(participants, workshops), acquaintances
    )
    rand = metrics_of(participants, workshops, random_assignment(participants, workshops))
    assert optimal.metrics.mean_rank_cost <= fcfs.mean_rank_cost <= rand.mean_rank_cost
    assert metrics_of(participants, workshops, optimal.workshop_of) == optimal.metrics
    over = metrics_of([person(1), person(2)], [workshop("A", 1)], {1: "A", 2: "A"})
    assert over.capacity_violations == 1
    with pytest.raises(ValueError, match="Unbekannter Workshop 'Z'"):
        metrics_of([person(1)], [workshop("A", 1)], {1: "Z"})
    with pytest.raises(ValueError, match="Unbekannter Teilnehmer 5"):
        metrics_of([person(1)], [workshop("A", 1)], {5: "A"})
