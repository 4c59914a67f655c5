"""Read the shipped reference data files; standard library only (no Flask, no SQLAlchemy).

The data files live in `crm/reference/data/` and are made by
`scripts/extract_reference_data.py`:

- `laender.csv`: the 16 Länder (AGS, ISO 3166-2, name, jqvmap key);
- `kreise.csv`: the 400 current Kreise with Destatis name, a friendly label, Kreistyp,
  NUTS-3, area and population (Destatis, 31.12.2018; Eisenach folded into Wartburgkreis);
- `postcodes.csv`: one row per (PLZ, place, Kreis) from GeoNames; a PLZ that spans several
  Kreise or Länder has several rows (16 misassigned Hamburg/Kiel/Kaiserslautern rows
  corrected, 87491 Jungholz assigned to Oberallgäu by postal convention);
- `laender_outlines.json`: SVG paths of the Länder on jqvmap's canvas plus a linear fit
  from longitude/latitude to that canvas.

`PostcodeIndex` is the pure counterpart of the database look-up in `crm.reference.geo`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = "crm.reference"
_PLZ = re.compile(r"[0-9]{5}")


@dataclass(frozen=True, slots=True)
class Land:
    """One of the 16 Länder."""

    ags: str  # two digits, "05"
    iso: str  # ISO 3166-2, "DE-NW"
    name: str  # "Nordrhein-Westfalen"
    short: str  # jqvmap key, "nw"


@dataclass(frozen=True, slots=True)
class Kreis:
    """A Landkreis or kreisfreie Stadt (status 31.12.2018 plus the 2021 Eisenach merger)."""

    ags: str  # five digits, "05315"
    name: str  # official Destatis name, "Köln, Stadt"
    land_ags: str  # "05"
    label: str  # human-friendly and unique, "Köln" / "Landkreis Hof"
    type: str  # Destatis Kreistyp: Kreisfreie Stadt, Stadtkreis, Landkreis, Kreis, ...
    nuts3: str | None = None  # "DEA23"
    area_km2: float | None = None
    population: int | None = None


@dataclass(frozen=True, slots=True)
class Postcode:
    """One place of a PLZ, with the Kreis and Land it lies in."""

    plz: str  # five digits, "50667"
    place: str
    kreis_ags: str
    land_ags: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Projection:
    """Linear fit from longitude/latitude to the outline canvas (good to a few pixels)."""

    west: float
    lon_span: float
    x_scale: float
    x_offset: float
    north: float
    lat_span: float
    y_scale: float
    y_offset: float

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        x = (lon - self.west) / self.lon_span * self.x_scale + self.x_offset
        y = (self.north - lat) / self.lat_span * self.y_scale + self.y_offset
        return x, y


def _read_text(filename: str) -> str:
    """Text of one file in the package's data directory."""
    source = resources.files(_PACKAGE).joinpath("data", filename)
    return source.read_text(encoding="utf-8")


def _rows(filename: str) -> Iterator[dict[str, str]]:
    """The rows of one CSV data file as dicts."""
    yield from csv.DictReader(io.StringIO(_read_text(filename), newline=""))


def _optional(value: str) -> str | None:
    return value or None


def read_laender() -> list[Land]:
    """The 16 Länder, ordered by AGS."""
    return [Land(r["ags"], r["iso"], r["name"], r["short"]) for r in _rows("laender.csv")]


def read_kreise() -> list[Kreis]:
    """The current Kreise, ordered by AGS."""
    return [
        Kreis(
            ags=r["ags"],
            name=r["name"],
            land_ags=r["land_ags"],
            label=r["label"],
            type=r["type"],
            nuts3=_optional(r["nuts3"]),
            area_km2=float(r["area_km2"]) if r["area_km2"] else None,
            population=int(r["population"]) if r["population"] else None,
        )
        for r in _rows("kreise.csv")
    ]


def read_postcodes() -> list[Postcode]:
    """All postcode rows, ordered by PLZ, Kreis AGS and place."""
    return [
        Postcode(
            plz=r["plz"],
            place=r["place"],
            kreis_ags=r["kreis_ags"],
            land_ags=r["land_ags"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
        )
        for r in _rows("postcodes.csv")
    ]


def read_outlines() -> dict[str, Any]:
    """`{"width", "height", "projection": {...}, "paths": {"bw": "m...", ...}}` (a fresh copy)."""
    outlines: dict[str, Any] = json.loads(_read_text("laender_outlines.json"))
    return outlines


@cache
def _projection() -> Projection:
    constants = read_outlines()["projection"]
    return Projection(**{k: float(v) for k, v in constants.items() if k != "formula"})


def project(lat: float, lon: float) -> tuple[float, float]:
    """Map coordinates (x, y) on the outline canvas for a point given in degrees.

    Not georeferenced: a linear fit, good to a few pixels. Points outside Germany land
    outside the canvas; nothing is clamped. Never derive a Land from the map position.
    """
    return _projection()(lat, lon)


def normalize_plz(plz: str) -> str:
    """The PLZ without surrounding blanks; ValueError unless it is exactly five digits."""
    if not isinstance(plz, str):
        raise TypeError(f"Postleitzahl muss als Text angegeben werden, nicht {type(plz).__name__}")
    value = plz.strip()
    if not _PLZ.fullmatch(value):
        raise ValueError(
            f"Ungültige Postleitzahl {plz!r}: eine Postleitzahl besteht aus genau fünf Ziffern "
            "(z. B. 01067 oder 50667)."
        )
    return value


class PostcodeIndex:
    """Look up the candidates (place, Kreis, Land) for a PLZ.

    A PLZ may span several Kreise (138 in the data) or even Länder (12): `candidates`
    then returns every row, so the user can choose.
    """

    def __init__(self, postcodes: Iterable[Postcode] | None = None) -> None:
        by_plz: dict[str, list[Postcode]] = defaultdict(list)
        for postcode in read_postcodes() if postcodes is None else postcodes:
            by_plz[postcode.plz].append(postcode)
        self._by_plz = {plz: tuple(rows) for plz, rows in by_plz.items()}

    def __len__(self) -> int:
        """Number of distinct PLZ."""
        return len(self._by_plz)

    def __contains__(self, plz: object) -> bool:
        return isinstance(plz, str) and plz.strip() in self._by_plz

    def candidates(self, plz: str) -> list[Postcode]:
        """Every row for this PLZ (empty list if unknown); ValueError if not five digits."""
        return list(self._by_plz.get(normalize_plz(plz), ()))

    def kreise(self, plz: str) -> list[str]:
        """The distinct Kreis AGS of a PLZ, sorted."""
        return sorted({p.kreis_ags for p in self.candidates(plz)})

    def laender(self, plz: str) -> list[str]:
        """The distinct Land AGS of a PLZ, sorted."""
        return sorted({p.land_ags for p in self.candidates(plz)})
