"""Load the shipped reference data (Länder, Kreise, postcodes) and seed vocabularies.

Idempotent: rows that are already there and unchanged are left alone, so running it
on a current database changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

import crm.reference.readers as readers
from crm.extensions import db
from crm.models import Bundesland
from crm.models import Format
from crm.models import Kreis
from crm.models import Postcode
from crm.models import Theme

THEMES = (
    "Akzeptanz der Industrie",
    "Fachkräfte/Ausbildung/MINT",
    "Digitalisierung/Industrie 4.0",
    "Energiewende/Klimaschutz",
    "Wasserstoff",
    "Kreislaufwirtschaft",
    "Strukturwandel (Kohleregionen)",
    "Transformation Fahrzeugindustrie",
    "Flächen/Genehmigungen",
    "Infrastruktur",
    "Innovation/Transfer",
    "Standortmarketing",
    "Resilienz",
)
FORMATS = (
    "Lange Nacht der Industrie",
    "Woche der Industrie",
    "Schulprogramm",
    "Betriebsbesichtigung",
    "Dialogforum",
    "Zukunftswerkstatt",
    "Kampagne/Social Media",
    "Publikation",
    "Umfrage",
    "Wettbewerb",
    "Konferenz/Summit",
    "Arbeitsgruppen",
)


@dataclass
class LoadReport:
    """How many rows each step inserted or changed."""

    laender: int = 0
    kreise: int = 0
    postcodes: int = 0
    themes: int = 0
    formats: int = 0

    @property
    def changed(self) -> bool:
        """Did anything change?"""
        return any((self.laender, self.kreise, self.postcodes, self.themes, self.formats))


def load_reference_data() -> LoadReport:
    """Bring reference tables and the seed vocabularies up to date (caller commits)."""
    report = LoadReport()
    existing_laender = {b.ags: b for b in db.session.scalars(select(Bundesland))}
    for land in readers.read_laender():
        row = existing_laender.get(land.ags)
        values = {"iso": land.iso, "name": land.name, "short": land.short}
        if row is None:
            db.session.add(Bundesland(ags=land.ags, **values))
            report.laender += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.laender += 1
    db.session.flush()

    existing_kreise = {k.ags: k for k in db.session.scalars(select(Kreis))}
    for kreis in readers.read_kreise():
        row_k = existing_kreise.get(kreis.ags)
        if row_k is None:
            db.session.add(Kreis(ags=kreis.ags, name=kreis.name, land_ags=kreis.land_ags))
            report.kreise += 1
        elif (row_k.name, row_k.land_ags) != (kreis.name, kreis.land_ags):
            row_k.name, row_k.land_ags = kreis.name, kreis.land_ags
            report.kreise += 1
    db.session.flush()

    postcodes = [
        {
            "plz": p.plz,
            "place": p.place,
            "kreis_ags": p.kreis_ags,
            "land_ags": p.land_ags,
            "lat": p.lat,
            "lon": p.lon,
        }
        for p in readers.read_postcodes()
    ]
    have = db.session.scalar(select(func.count(Postcode.id))) or 0
    if have != len(postcodes):
        db.session.execute(delete(Postcode))
        db.session.execute(insert(Postcode), postcodes)
        report.postcodes = len(postcodes)

    if not db.session.scalar(select(func.count(Theme.id))):
        db.session.add_all(Theme(name=n, position=i) for i, n in enumerate(THEMES))
        report.themes = len(THEMES)
    if not db.session.scalar(select(func.count(Format.id))):
        db.session.add_all(Format(name=n, position=i) for i, n in enumerate(FORMATS))
        report.formats = len(FORMATS)
    db.session.flush()
    return report
