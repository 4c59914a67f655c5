"""The map of Germany as plain data: Länder paths, shading classes and markers.

Pure (no Flask, no SQLAlchemy): the caller passes the counts per Land, the seats of the
initiatives and the links; `germany_map` returns everything the Jinja macro
`maps/_germany.html` needs to draw an inline SVG. The outlines come from
`crm/reference/data/laender_outlines.json` (jqvmap, MIT; see NOTICE) and are read once
per process.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from crm.reference.readers import Land
from crm.reference.readers import project
from crm.reference.readers import read_laender
from crm.reference.readers import read_outlines

#: Number of shading classes for Länder with at least one initiative (class 0 = none).
SHADES = 4
MARKER_RADIUS = 4.5
# The city states lie inside (or on) bigger Länder: draw them last so they stay clickable.
_ON_TOP = ("02", "04", "11")


class _Shaded:
    """Something filled with one of the shading classes (a Land, a legend entry)."""

    __slots__ = ()
    shade: int

    @property
    def css_class(self) -> str:
        """The CSS class that fills it (`map-fill-0` .. `map-fill-4`)."""
        return f"map-fill-{self.shade}"


@dataclass(frozen=True, slots=True)
class LandShape(_Shaded):
    """One Land on the map."""

    ags: str
    name: str
    path: str  # SVG path data on the outline canvas
    count: int
    shade: int  # 0 (none) .. SHADES
    href: str | None


@dataclass(frozen=True, slots=True)
class Marker:
    """A seat of an initiative, in canvas coordinates."""

    x: float
    y: float
    label: str
    href: str | None


@dataclass(frozen=True, slots=True)
class LegendEntry(_Shaded):
    """One shading class with the range of counts it stands for."""

    shade: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Seat:
    """Input: where an initiative sits (degrees) and where its marker links to."""

    label: str
    lat: float | None
    lon: float | None
    href: str | None = None


@dataclass(frozen=True, slots=True)
class GermanyMap:
    """Everything the SVG macro draws."""

    width: int
    height: int
    lands: tuple[LandShape, ...]
    markers: tuple[Marker, ...]
    legend: tuple[LegendEntry, ...]
    marker_radius: float = MARKER_RADIUS

    @property
    def view_box(self) -> str:
        """The SVG viewBox attribute."""
        return f"0 0 {self.width} {self.height}"

    @property
    def total(self) -> int:
        """Sum of the counts over all Länder."""
        return sum(land.count for land in self.lands)


@cache
def _outlines() -> tuple[int, int, dict[str, str]]:
    """(width, height, {jqvmap key: path}) read once per process."""
    data: dict[str, Any] = read_outlines()
    return int(data["width"]), int(data["height"]), dict(data["paths"])


@cache
def _laender() -> tuple[Land, ...]:
    return tuple(read_laender())


def step_for(maximum: int, shades: int = SHADES) -> int:
    """How many initiatives one shading class spans (at least 1)."""
    return max(1, math.ceil(maximum / shades)) if maximum > 0 else 1


def shade_for(count: int, maximum: int, shades: int = SHADES) -> int:
    """The shading class of `count`: 0 for none, else 1..`shades` in equal steps up to `maximum`."""
    if count <= 0 or maximum <= 0:
        return 0
    return min(shades, math.ceil(count / step_for(maximum, shades)))


def legend_for(maximum: int, shades: int = SHADES) -> tuple[LegendEntry, ...]:
    """The legend: class 0 (none) and the classes that can occur up to `maximum`."""
    entries = [LegendEntry(0, 0, 0)]
    if maximum <= 0:
        return tuple(entries)
    step = step_for(maximum, shades)
    for shade in range(1, shades + 1):
        low = (shade - 1) * step + 1
        if low > maximum:
            break
        entries.append(LegendEntry(shade, low, min(shade * step, maximum)))
    return tuple(entries)


def _inside(x: float, y: float, width: int, height: int) -> bool:
    return 0 <= x <= width and 0 <= y <= height


def germany_map(
    counts: Mapping[str, int],
    seats: Iterable[Seat] = (),
    land_href: Callable[[str], str | None] | None = None,
) -> GermanyMap:
    """The 16 Länder shaded by `counts` (AGS → number) and a marker per locatable seat.

    Seats without coordinates or outside the canvas are left out. `land_href(ags)` gives
    the link of a Land (e.g. the list filtered by it); None draws the Land without link.
    """
    width, height, paths = _outlines()
    maximum = max((int(counts.get(land.ags, 0)) for land in _laender()), default=0)
    ordered = sorted(_laender(), key=lambda land: (land.ags in _ON_TOP, land.ags))
    lands = tuple(
        LandShape(
            ags=land.ags,
            name=land.name,
            path=paths[land.short],
            count=int(counts.get(land.ags, 0)),
            shade=shade_for(int(counts.get(land.ags, 0)), maximum),
            href=land_href(land.ags) if land_href else None,
        )
        for land in ordered
    )
    markers = []
    for seat in seats:
        if seat.lat is None or seat.lon is None:
            continue
        x, y = project(seat.lat, seat.lon)
        if _inside(x, y, width, height):
            markers.append(Marker(round(x, 1), round(y, 1), seat.label, seat.href))
    return GermanyMap(width, height, lands, tuple(markers), legend_for(maximum))
