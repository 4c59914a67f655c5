"""Postcode look-ups against the reference tables: PLZ → place, Kreis, Land, position.

136 PLZ span several Kreise and 11 span several Länder: we return every candidate
and let the person choose, never guessing silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from crm.extensions import db
from crm.models import Bundesland
from crm.models import Kreis
from crm.models import Postcode

PLZ_PATTERN = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class PlaceCandidate:
    """One possible place for a PLZ."""

    plz: str
    place: str
    kreis_ags: str | None
    kreis_name: str | None
    land_ags: str | None
    land_name: str | None
    lat: float
    lon: float


def is_valid_plz(plz: str) -> bool:
    """Five digits (the format; whether it exists is `resolve_plz`'s question)."""
    return bool(PLZ_PATTERN.match(plz))


def resolve_plz(plz: str) -> list[PlaceCandidate]:
    """All places, Kreise and Länder a PLZ may mean (empty for unknown or malformed PLZ)."""
    plz = plz.strip()
    if not is_valid_plz(plz):
        return []
    rows = db.session.execute(
        select(Postcode, Kreis.name, Bundesland.name)
        .outerjoin(Kreis, Kreis.ags == Postcode.kreis_ags)
        .outerjoin(Bundesland, Bundesland.ags == Postcode.land_ags)
        .where(Postcode.plz == plz)
        .order_by(Postcode.place, Postcode.kreis_ags)
    )
    return [
        PlaceCandidate(
            plz=p.plz,
            place=p.place,
            kreis_ags=p.kreis_ags,
            kreis_name=kreis_name,
            land_ags=p.land_ags,
            land_name=land_name,
            lat=p.lat,
            lon=p.lon,
        )
        for p, kreis_name, land_name in rows
    ]


def spans_several(candidates: list[PlaceCandidate]) -> tuple[bool, bool]:
    """(several Kreise?, several Länder?) among the candidates."""
    return (
        len({c.kreis_ags for c in candidates}) > 1,
        len({c.land_ags for c in candidates}) > 1,
    )
