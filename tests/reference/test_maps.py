"""The map of Germany as plain data (crm.reference.maps): no app, no database."""

from __future__ import annotations

import re

import pytest

from crm.reference import maps
from crm.reference.readers import read_laender

ALL_AGS = {land.ags for land in read_laender()}


def test_sixteen_laender_with_paths_and_names():
    m = maps.germany_map({})
    assert len(m.lands) == 16
    assert {land.ags for land in m.lands} == ALL_AGS
    for land in m.lands:
        assert land.path.lower().startswith("m")
        assert land.name
    assert m.view_box == f"0 0 {m.width} {m.height}"


def test_city_states_are_drawn_last_so_they_stay_clickable():
    m = maps.germany_map({})
    assert [land.ags for land in m.lands][-3:] == ["02", "04", "11"]


def test_no_initiatives_means_shade_zero_everywhere_and_a_one_entry_legend():
    m = maps.germany_map({})
    assert {land.shade for land in m.lands} == {0}
    assert {land.css_class for land in m.lands} == {"map-fill-0"}
    assert m.legend == (maps.LegendEntry(0, 0, 0),)
    assert m.total == 0


def test_shading_classes_follow_the_counts():
    counts = {"09": 20, "05": 10, "11": 1, "01": 15, "99": 500}  # unknown AGS is ignored
    m = maps.germany_map(counts)
    by_ags = {land.ags: land for land in m.lands}
    assert by_ags["09"].shade == 4 and by_ags["09"].css_class == "map-fill-4"
    assert by_ags["01"].shade == 3
    assert by_ags["05"].shade == 2
    assert by_ags["11"].shade == 1
    assert by_ags["14"].shade == 0 and by_ags["14"].count == 0
    assert m.total == 46
    assert [(e.shade, e.low, e.high) for e in m.legend] == [
        (0, 0, 0),
        (1, 1, 5),
        (2, 6, 10),
        (3, 11, 15),
        (4, 16, 20),
    ]
    assert all(re.fullmatch(r"map-fill-[0-4]", land.css_class) for land in m.lands)


@pytest.mark.parametrize(
    ("count", "maximum", "shade"),
    [(0, 0, 0), (0, 7, 0), (-1, 7, 0), (1, 1, 1), (1, 3, 1), (2, 3, 2), (3, 3, 3), (8, 8, 4)],
)
def test_shade_for(count, maximum, shade):
    assert maps.shade_for(count, maximum) == shade


def test_legend_with_small_maximum_has_no_empty_classes():
    assert [(e.shade, e.low, e.high) for e in maps.legend_for(2)] == [
        (0, 0, 0),
        (1, 1, 1),
        (2, 2, 2),
    ]


def test_land_links():
    m = maps.germany_map({"05": 3}, land_href=lambda ags: f"/list?land={ags}")
    assert {land.href for land in m.lands} == {f"/list?land={ags}" for ags in ALL_AGS}
    assert {land.href for land in maps.germany_map({}).lands} == {None}


def test_markers_inside_the_canvas_and_unlocatable_seats_left_out():
    seats = [
        maps.Seat("Köln", 50.9375, 6.9603, "/i/1"),
        maps.Seat("München", 48.1374, 11.5755, "/i/2"),
        maps.Seat("Flensburg", 54.7836, 9.4321, "/i/3"),
        maps.Seat("Görlitz", 51.1528, 14.9872, None),
        maps.Seat("ohne Ort", None, None, "/i/5"),
        maps.Seat("Paris", 48.8566, 2.3522, "/i/6"),
    ]
    m = maps.germany_map({}, seats)
    assert [marker.label for marker in m.markers] == ["Köln", "München", "Flensburg", "Görlitz"]
    for marker in m.markers:
        assert 0 <= marker.x <= m.width
        assert 0 <= marker.y <= m.height
    koeln, muenchen, flensburg, goerlitz = m.markers
    assert koeln.x < muenchen.x < goerlitz.x  # west to east
    assert flensburg.y < koeln.y < muenchen.y  # north to south
    assert koeln.href == "/i/1" and goerlitz.href is None


def test_outlines_are_read_once_per_process(monkeypatch):
    maps.germany_map({})

    def fail() -> None:
        raise AssertionError("outlines read again")

    monkeypatch.setattr(maps, "read_outlines", fail)
    assert len(maps.germany_map({"01": 1}).lands) == 16
