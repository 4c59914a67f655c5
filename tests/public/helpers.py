"""The initiatives the tests of the public directory (tests/public and the browser journey)
start from."""

from __future__ import annotations

from typing import Any

THEME = "Wasserstoff"  # a seeded theme (reference data), so the filter accepts its id
OTHER_THEME = "Akzeptanz der Industrie"


def public_initiatives(make: Any, hidden: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    """Two listed initiatives, one in Köln (NRW, with coordinates) and one in München (Bayern,
    no coordinates: the map falls back to the PLZ centre), and an unlisted one, by default in
    Köln too; `hidden` changes the unlisted one (e.g. moves it elsewhere)."""
    listed = make.initiative(
        name="Zukunft durch Industrie Köln e.V.",
        public_listing=True,
        description="Wir bringen Schulen und Betriebe zusammen.",
        place="Köln",
        plz="50667",
        lat=50.9387,
        lon=6.9547,
        website="https://zdi-koeln.example.org",
        laender=["05"],
        themes=[THEME],
    )
    other = make.initiative(
        name="Industrieallianz Oberbayern",
        public_listing=True,
        description="Netzwerk für Wasserstoffprojekte.",
        place="München",
        plz="80331",
        laender=["09"],
        themes=[OTHER_THEME],
    )
    unlisted = {
        "name": "Geheimbund Maschinenbau",
        "public_listing": False,
        "description": "Köln und Umgebung",
        "place": "Köln",
        "lat": 50.94,
        "lon": 6.96,
        "laender": ["05"],
        "themes": [THEME],
    }
    return listed, other, make.initiative(**(unlisted | (hidden or {})))
