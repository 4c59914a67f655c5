"""Neighbouring Bundesländer, keyed by the two-digit AGS code of each Land.

Two Länder are neighbours when they share a land border. Used by the suggestion
module for the "Nachbarregion" evidence; plain data, no imports beyond the stdlib.
"""

from __future__ import annotations

from collections.abc import Iterable

#: AGS code → (ISO 3166-2 suffix, name) of the 16 Bundesländer.
LAENDER: dict[str, tuple[str, str]] = {
    "01": ("SH", "Schleswig-Holstein"),
    "02": ("HH", "Hamburg"),
    "03": ("NI", "Niedersachsen"),
    "04": ("HB", "Bremen"),
    "05": ("NW", "Nordrhein-Westfalen"),
    "06": ("HE", "Hessen"),
    "07": ("RP", "Rheinland-Pfalz"),
    "08": ("BW", "Baden-Württemberg"),
    "09": ("BY", "Bayern"),
    "10": ("SL", "Saarland"),
    "11": ("BE", "Berlin"),
    "12": ("BB", "Brandenburg"),
    "13": ("MV", "Mecklenburg-Vorpommern"),
    "14": ("SN", "Sachsen"),
    "15": ("ST", "Sachsen-Anhalt"),
    "16": ("TH", "Thüringen"),
}

BORDERS_BY_ISO: dict[str, tuple[str, ...]] = {
    "SH": ("HH", "NI", "MV"),
    "HH": ("SH", "NI"),
    "NI": ("SH", "HH", "HB", "MV", "BB", "ST", "TH", "HE", "NW"),
    "HB": ("NI",),
    "NW": ("NI", "HE", "RP"),
    "HE": ("NI", "NW", "RP", "BW", "BY", "TH"),
    "RP": ("NW", "HE", "BW", "SL"),
    "BW": ("RP", "HE", "BY"),
    "BY": ("BW", "HE", "TH", "SN"),
    "SL": ("RP",),
    "BE": ("BB",),
    "BB": ("BE", "MV", "NI", "ST", "SN"),
    "MV": ("SH", "NI", "BB"),
    "SN": ("BB", "ST", "TH", "BY"),
    "ST": ("NI", "BB", "SN", "TH"),
    "TH": ("NI", "ST", "SN", "BY", "HE"),
}

_AGS_BY_ISO: dict[str, str] = {iso: ags for ags, (iso, _name) in LAENDER.items()}

#: AGS code → AGS codes of the Länder sharing a border with it.
NEIGHBOURS: dict[str, frozenset[str]] = {
    _AGS_BY_ISO[iso]: frozenset(_AGS_BY_ISO[other] for other in others)
    for iso, others in BORDERS_BY_ISO.items()
}


def are_neighbours(a: str, b: str) -> bool:
    """Return whether the Länder with AGS codes `a` and `b` share a border."""
    return b in NEIGHBOURS.get(a, frozenset())


def neighbours_of(laender: Iterable[str]) -> frozenset[str]:
    """Return the AGS codes bordering any of `laender`, without `laender` themselves."""
    codes = frozenset(laender)
    found: set[str] = set()
    for code in codes:
        found |= NEIGHBOURS.get(code, frozenset())
    return frozenset(found - codes)
