"""The shipped reference data files and the pure readers in crm.reference.readers."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

import pytest

from crm.reference import readers
from crm.reference.readers import Kreis
from crm.reference.readers import Land
from crm.reference.readers import Postcode
from crm.reference.readers import PostcodeIndex

KREISE_COUNT = 400  # GeoNames' 400 == Destatis' 401 minus 16056 Eisenach (merged 2021)
POSTCODE_ROWS = 16_477
DISTINCT_PLZ = 8_308
SHORTS = {"bw", "by", "be", "bb", "hb", "hh", "he", "mv", "ni", "nw", "rp", "sl", "sn", "st"}
SHORTS |= {"sh", "th"}


@cache
def laender() -> tuple[Land, ...]:
    return tuple(readers.read_laender())


@cache
def kreise() -> tuple[Kreis, ...]:
    return tuple(readers.read_kreise())


@cache
def postcodes() -> tuple[Postcode, ...]:
    return tuple(readers.read_postcodes())


@cache
def index() -> PostcodeIndex:
    return PostcodeIndex(postcodes())


def polygons(path: str) -> list[list[tuple[float, float]]]:
    """Vertices of each sub-path of an SVG path using only M/m, L/l, C/c and Z/z.

    Curves are reduced to their end points: plenty for a point-in-Land test at map scale.
    """
    result: list[list[tuple[float, float]]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    for command, args in re.findall(r"([MmLlCcZz])([^MmLlCcZz]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", args)]
        if command in "Zz":
            x, y = start
            continue
        step = 6 if command in "Cc" else 2
        assert len(numbers) % step == 0, (command, args)
        for i in range(0, len(numbers), step):
            dx, dy = numbers[i + step - 2], numbers[i + step - 1]
            x, y = (x + dx, y + dy) if command.islower() else (dx, dy)
            if command in "Mm" and i == 0:
                start = (x, y)
                result.append([])
            result[-1].append((x, y))
    return result


def inside(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> bool:
    """Even-odd rule over all rings."""
    px, py = point
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def test_sixteen_laender_with_ags_iso_and_jqvmap_key():
    rows = laender()
    assert len(rows) == 16
    assert [land.ags for land in rows] == [f"{n:02d}" for n in range(1, 17)]
    assert {land.short for land in rows} == SHORTS
    assert all(land.iso == f"DE-{land.short.upper()}" for land in rows)
    by_ags = {land.ags: land for land in rows}
    assert by_ags["08"].name == "Baden-Württemberg"
    assert by_ags["05"] == Land("05", "DE-NW", "Nordrhein-Westfalen", "nw")


def test_current_kreise_each_in_an_existing_land():
    rows = kreise()
    assert len(rows) == KREISE_COUNT
    assert len({k.ags for k in rows}) == KREISE_COUNT
    assert [k.ags for k in rows] == sorted(k.ags for k in rows)
    land_ags = {land.ags for land in laender()}
    assert all(re.fullmatch(r"\d{5}", k.ags) and k.ags[:2] == k.land_ags for k in rows)
    assert {k.land_ags for k in rows} == land_ags
    assert len({k.label for k in rows}) == KREISE_COUNT, "labels must be unique"
    assert all(k.nuts3 and k.area_km2 and k.population for k in rows)


def test_kreise_names_and_the_eisenach_merger():
    by_ags = {k.ags: k for k in kreise()}
    assert "16056" not in by_ags  # Eisenach, part of Wartburgkreis since 2021
    assert by_ags["16063"].name == "Wartburgkreis"
    assert by_ags["16063"].population == 123_025 + 42_370  # both 31.12.2018
    assert (by_ags["05315"].name, by_ags["05315"].label) == ("Köln, Stadt", "Köln")
    assert by_ags["05315"].nuts3 == "DEA23"
    assert (by_ags["09464"].label, by_ags["09475"].label) == ("Hof", "Landkreis Hof")
    assert by_ags["11000"].label == "Berlin"


def test_postcode_counts_and_references():
    rows = postcodes()
    assert len(rows) == POSTCODE_ROWS
    assert len(index()) == DISTINCT_PLZ
    assert len({(p.plz, p.place, p.kreis_ags) for p in rows}) == POSTCODE_ROWS
    kreis_land = {k.ags: k.land_ags for k in kreise()}
    unknown = {p.kreis_ags for p in rows} - kreis_land.keys()
    assert not unknown
    assert all(kreis_land[p.kreis_ags] == p.land_ags for p in rows)
    assert all(47.2 < p.lat < 55.1 and 5.8 < p.lon < 15.1 for p in rows)


def test_spans_match_the_documented_numbers():
    kreise_of: dict[str, set[str]] = defaultdict(set)
    laender_of: dict[str, set[str]] = defaultdict(set)
    for p in postcodes():
        kreise_of[p.plz].add(p.kreis_ags)
        laender_of[p.plz].add(p.land_ags)
    # GeoNames as shipped: 136 and 11; the corrections of Hamburg and Kiel rows (see
    # scripts/extract_reference_data.py) add 22113 (Hamburg-Billstedt etc. and Oststeinbek)
    # and 24109 (Kiel and Melsdorf) to the first, 22113 to the second.
    assert sum(len(v) > 1 for v in kreise_of.values()) == 138
    assert sorted(plz for plz, v in laender_of.items() if len(v) > 1) == [
        "07919", "12529", "14715", "17337", "19273", "19357",
        "21039", "22113", "22145", "59969", "65391", "69434",
    ]  # fmt: skip


def test_known_postcodes_resolve():
    koeln = index().candidates("50667")
    assert koeln and {(p.kreis_ags, p.land_ags) for p in koeln} == {("05315", "05")}
    assert any(p.place == "Köln" for p in koeln)
    berlin = index().candidates(" 10115 ")
    assert berlin and {(p.kreis_ags, p.land_ags) for p in berlin} == {("11000", "11")}
    dresden = index().candidates("01067")  # leading zero kept
    assert {p.kreis_ags for p in dresden} == {"14612"}


def test_plz_spanning_several_kreise_returns_every_candidate():
    candidates = index().candidates("06120")  # Halle (Saale) and Lieskau, Saalekreis
    assert {(p.place, p.kreis_ags) for p in candidates} == {
        ("Halle", "15002"),
        ("Lieskau", "15088"),
    }
    assert index().kreise("03058") == ["12052", "12071"]  # Cottbus and Spree-Neiße
    assert index().laender("03058") == ["12"]


def test_plz_spanning_laender_returns_both_laender():
    # 21039: Hamburg-Bergedorf and Börnsen etc. in Kreis Herzogtum Lauenburg (Schleswig-Holstein)
    assert index().laender("21039") == ["01", "02"]
    assert index().laender("12529") == ["11", "12"]  # Berlin and Schönefeld (Brandenburg)


def test_geonames_misassigned_city_districts_are_corrected():
    billstedt = [p for p in index().candidates("22113") if p.place == "Hamburg Billstedt"]
    assert [(p.kreis_ags, p.land_ags) for p in billstedt] == [("02000", "02")]
    oststeinbek = [p for p in index().candidates("22113") if p.place == "Oststeinbek"]
    assert [(p.kreis_ags, p.land_ags) for p in oststeinbek] == [("01062", "01")]
    assert {p.kreis_ags for p in index().candidates("24109") if p.place == "Kiel"} == {"01002"}
    assert all(p.land_ags == "02" for p in postcodes() if p.place.startswith("Hamburg"))


def test_jungholz_is_assigned_to_oberallgaeu_in_bayern():
    (jungholz,) = index().candidates("87491")
    assert (jungholz.place, jungholz.kreis_ags, jungholz.land_ags) == ("Jungholz", "09780", "09")


def test_unknown_plz_gives_no_candidates():
    assert index().candidates("00000") == []
    assert "00000" not in index()
    assert "50667" in index()


@pytest.mark.parametrize("bad", ["", "5066", "506677", "5066a", "50 667", "D-50667", "٥٠٦٦٧"])
def test_malformed_plz_is_rejected_in_german(bad):
    with pytest.raises(ValueError, match="Ungültige Postleitzahl.*fünf Ziffern"):
        index().candidates(bad)


def test_non_text_plz_is_a_type_error():
    with pytest.raises(TypeError, match="Postleitzahl"):
        index().candidates(50667)  # type: ignore[arg-type]


def test_dataclasses_are_frozen():
    land = laender()[0]
    with pytest.raises(AttributeError):
        land.name = "Dänemark"  # type: ignore[misc]


def test_outlines_have_sixteen_paths_on_the_canvas():
    outlines = readers.read_outlines()
    assert (outlines["width"], outlines["height"]) == (592, 801)
    assert set(outlines["paths"]) == SHORTS
    assert all(path.startswith(("m", "M")) for path in outlines["paths"].values())
    outlines["paths"].clear()  # a fresh copy each time
    assert len(readers.read_outlines()["paths"]) == 16


def test_projection_puts_koeln_inside_nordrhein_westfalen():
    x, y = readers.project(50.9375, 6.9603)
    assert 0 < x < 592 / 3 and 801 / 3 < y < 801 * 2 / 3  # west, middle: NW
    paths = readers.read_outlines()["paths"]
    assert inside((x, y), polygons(paths["nw"]))
    assert not any(inside((x, y), polygons(paths[s])) for s in SHORTS - {"nw"})


def distance(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> float:
    """Shortest distance in pixels from the point to any edge of the rings."""
    px, py = point
    best = float("inf")
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy or 1e-9)))
            best = min(best, ((px - x1 - t * dx) ** 2 + (py - y1 - t * dy) ** 2) ** 0.5)
    return best


def test_projection_agrees_with_the_outlines_within_a_few_pixels():
    # The fit is linear and the map is not georeferenced: about 94 % of the places fall
    # inside their own Land, the others close to its outline (worst at Usedom, ~16 px).
    paths = readers.read_outlines()["paths"]
    rings = {s: polygons(p) for s, p in paths.items()}
    short = {land.ags: land.short for land in laender()}
    sample = postcodes()[::25]
    off = []
    for p in sample:
        point = readers.project(p.lat, p.lon)
        own = rings[short[p.land_ags]]
        if not inside(point, own):
            off.append(distance(point, own))
    assert len(off) / len(sample) < 0.1
    assert max(off) < 20
