"""The pure parts of the meeting plan (crm/matchmaking/schedule.py): moves, free slots,
the grid, video links and the figures."""

from __future__ import annotations

import itertools

from crm.matchmaking import schedule as s
from crm.matchmaking.schedule import Planned

SLOTS = ["13:00", "13:20", "13:40", "14:00"]
MEETINGS = [Planned(1, "13:00", 10, 11), Planned(2, "13:00", 12, 13), Planned(3, "13:20", 10, 12)]


def test_a_meeting_moves_to_a_slot_free_for_both():
    assert s.move_problem(MEETINGS[0], "13:40", SLOTS, MEETINGS) is None
    assert s.free_slots(MEETINGS[0], SLOTS, MEETINGS) == ["13:40", "14:00"]


def test_a_busy_slot_is_refused_for_either_person():
    # person 10 meets 12 at 13:20
    assert s.move_problem(MEETINGS[0], "13:20", SLOTS, MEETINGS) == s.PERSON_BUSY
    # person 13 (second of meeting 2) is free at 13:20, but 12 is not
    assert s.move_problem(MEETINGS[1], "13:20", SLOTS, MEETINGS) == s.PERSON_BUSY


def test_blocked_unknown_and_same_slots_are_refused():
    blocked = {11: {"14:00"}}
    assert s.move_problem(MEETINGS[0], "14:00", SLOTS, MEETINGS, blocked) == s.PERSON_BLOCKED
    assert s.move_problem(MEETINGS[0], "15:00", SLOTS, MEETINGS) == s.UNKNOWN_SLOT
    assert s.move_problem(MEETINGS[0], "13:00", SLOTS, MEETINGS) == s.SAME_SLOT
    assert s.free_slots(MEETINGS[0], SLOTS, MEETINGS, blocked) == ["13:40"]


def test_grid_has_every_slot_in_order():
    rows = s.grid(SLOTS, [*MEETINGS, Planned(9, "09:00", 1, 2)])
    assert [slot for slot, _ in rows] == SLOTS
    assert [[m.id for m in ms] for _, ms in rows] == [[1, 2], [3], [], []]


def test_pattern_links_are_unguessable_and_kept():
    links = s.assign_video_links(
        MEETINGS, mode="pattern", pattern="https://meet.example.org/in-{token}", tables=[]
    )
    assert len(set(links.values())) == 3
    token = links[1].removeprefix("https://meet.example.org/in-")
    assert len(token) == 32 and token.isalnum()
    again = s.assign_video_links(
        MEETINGS, mode="pattern", pattern="https://other.example.org/{token}", tables=[],
        current={1: links[1]},
    )  # fmt: skip
    assert again[1] == links[1] and again[2].startswith("https://other.example.org/")


def test_a_pattern_without_placeholder_gets_the_token_as_path():
    assert s.pattern_link("https://bbb.example.org/rooms/", "abc") == (
        "https://bbb.example.org/rooms/abc"
    )


def test_tables_are_taken_in_turn_per_slot_and_run_out():
    tables = s.table_lines(
        "https://t.example.org/1\n\n https://t.example.org/2 \nhttps://t.example.org/1"
    )
    assert tables == ["https://t.example.org/1", "https://t.example.org/2"]
    crowded = [*MEETINGS, Planned(4, "13:00", 14, 15)]
    links = s.assign_video_links(crowded, mode="tables", pattern=None, tables=tables)
    assert links[1] == tables[0] and links[2] == tables[1] and links[4] is None
    assert links[3] == tables[0]
    # a meeting keeps its table while it is free in its slot
    kept = s.assign_video_links(
        crowded, mode="tables", pattern=None, tables=tables, current={2: tables[0], 1: tables[0]}
    )
    assert kept[1] == tables[0] and kept[2] == tables[1]


def test_no_mode_no_links():
    counter = itertools.count()
    links = s.assign_video_links(
        MEETINGS, mode="", pattern="x", tables=[], token=lambda: str(next(counter))
    )
    assert set(links.values()) == {None}


def test_figures_count_meetings_people_without_and_weight():
    weights = {frozenset((10, 11)): 3.0, frozenset((12, 13)): 1.0, frozenset((14, 15)): 2.0}
    result = s.figures(MEETINGS[:2], [10, 11, 12, 13, 14, 15], weights)
    assert result.meetings == 2
    assert result.without == [14, 15]
    assert result.total_weight == 4.0 and result.possible_weight == 6.0
    assert result.per_person[10] == 1
