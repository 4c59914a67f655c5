"""The slots of the exchange, the blocked slots and the ranking of partners: pure logic."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.matchmaking import proposals
from crm.matchmaking import slots

UTC = dt.UTC
T0 = dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("minutes", "window", "expected"),
    [
        (20, 60, [0, 20, 40]),
        (15, 60, [0, 15, 30, 45]),
        (30, 60, [0, 30]),
        (30, 50, [0]),  # a rest too short for a meeting is left out
        (20, 10, []),
        (20, 0, []),
        (20, -30, []),  # a reversed window has no slots
    ],
)
def test_meeting_slots(minutes, window, expected):
    assert slots.meeting_slots(T0, at(window), minutes) == [at(m) for m in expected]


@pytest.mark.parametrize("minutes", [0, -5, True, 2.5, "20"])
def test_meeting_slots_refuse_a_bad_length(minutes):
    with pytest.raises(ValueError):
        slots.meeting_slots(T0, at(60), minutes)


def test_meeting_slots_refuse_a_window_of_days():
    with pytest.raises(ValueError):
        slots.meeting_slots(T0, T0 + dt.timedelta(days=3), 15)


def test_blocked_slots_overlap_even_by_a_minute_but_not_when_touching():
    window = slots.meeting_slots(T0, at(120), 20)  # 13:00 … 14:40
    busy = [(at(30), at(61))]  # 13:30–14:01
    assert slots.blocked_slots(window, 20, busy) == {at(20), at(40), at(60)}
    touching = [(at(-60), at(0)), (at(120), at(180))]
    assert slots.blocked_slots(window, 20, touching) == set()


def test_unavailable_slots_per_person_only_non_empty():
    window = slots.meeting_slots(T0, at(60), 20)
    result = slots.unavailable_slots(
        window, 20, {1: [(at(0), at(20))], 2: [(at(100), at(120))], 3: []}
    )
    assert result == {1: {at(0)}}


# -- ranking


def test_rank_partners_reasons_and_order():
    me = proposals.Profile(1, frozenset({"Wasserstoff", "Fachkräfte"}), "05", "kommune")
    theme_twice = proposals.Profile(2, frozenset({"Wasserstoff", "Fachkräfte"}), "05", "kommune")
    neighbour = proposals.Profile(3, frozenset({"Wasserstoff"}), "06", "gewerkschaft")
    nothing = proposals.Profile(4)
    known = proposals.Profile(5, frozenset({"Wasserstoff", "Fachkräfte"}), "05", "unternehmen")
    ranked = proposals.rank_partners(me, [nothing, known, neighbour, theme_twice, me], linked={5})
    assert [p.id for p in ranked] == [2, 3, 4, 5]  # never oneself; the known one last
    codes = {p.id: [r.code for r in p.reasons] for p in ranked}
    assert codes[2] == ["shared_theme", "shared_theme", "same_region"]
    assert codes[3] == ["shared_theme", "complementary_sector", "neighbouring_region"]
    assert codes[4] == []
    assert codes[5][0] == "already_linked"
    assert ranked[1].reasons[1].data == {"types": ["gewerkschaft"]}
    assert all(p.score == pytest.approx(sum(r.weight for r in p.reasons)) for p in ranked)


def test_rank_partners_scales_structure_to_its_weight():
    from crm.graph import Reason

    me = proposals.Profile(1)
    strong = [Reason("shared_neighbour", "o:1", 4.0, "x", "same_employer", {"label": "X"})]
    weak = [Reason("path", "i:1", 1.0, "y", "path", {"label": "Y"})]
    ranked = proposals.rank_partners(
        me, [proposals.Profile(2), proposals.Profile(3)], structural={2: weak, 3: strong}
    )
    assert [p.id for p in ranked] == [3, 2]
    assert ranked[0].score == pytest.approx(proposals.STRUCTURE_WEIGHT)
    assert ranked[1].score == pytest.approx(proposals.STRUCTURE_WEIGHT / 4)
