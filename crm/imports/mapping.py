"""Which column holds which field: headers mapped by name and synonym, or by a saved mapping.

Headers are compared after folding case, blanks, punctuation and umlaut spellings, so
"E-Mail", "e mail" and "EMail" are one header, as are "Straße", "Strasse" and "STRASSE".
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from crm.imports.matching import fold_key

KINDS = ("organisations", "persons", "initiatives", "memberships", "attendance")
KIND_LABELS: dict[str, LazyString] = {
    "organisations": _l("Organisationen"),
    "persons": _l("Personen"),
    "initiatives": _l("Initiativen"),
    "memberships": _l("Mitgliedschaften"),
    "attendance": _l("Teilnahmen an Veranstaltungen"),
}
MODES = ("both", "create", "update")
MODE_LABELS: dict[str, LazyString] = {
    "both": _l("Neue anlegen und bestehende aktualisieren"),
    "create": _l("Nur neue anlegen"),
    "update": _l("Nur bestehende aktualisieren"),
}

# field → (label, synonyms); the label and the field name count as synonyms too
_COMMON: dict[str, tuple[LazyString, tuple[str, ...]]] = {
    "street": (_l("Straße"), ("Strasse", "Adresse", "Anschrift", "Street", "Address")),
    "plz": (_l("PLZ"), ("Postleitzahl", "Zip", "Zip Code", "Postal Code", "Postcode")),
    "place": (_l("Ort"), ("Stadt", "City", "Town", "Gemeinde")),
    "website": (_l("Webseite"), ("Website", "Homepage", "URL", "Internet", "Web")),
}
FIELDS: dict[str, dict[str, tuple[LazyString, tuple[str, ...]]]] = {
    "organisations": {
        "name": (_l("Name"), ("Organisation", "Firma", "Unternehmen", "Company", "Organization")),
        "legal_name": (_l("Rechtlicher Name"), ("Firmierung", "Legal Name")),
        "other_names": (_l("Andere Namen"), ("Alias", "Other Names")),
        "type": (_l("Art"), ("Typ", "Type", "Organisationstyp", "Kategorie")),
        "size_class": (_l("Größenklasse"), ("Größe", "Size", "Size Class")),
        "ags": (
            _l("AGS"),
            ("Gemeindeschlüssel", "Amtlicher Gemeindeschlüssel", "Municipality Key"),
        ),
        **_COMMON,
    },
    "persons": {
        "salutation": (_l("Anrede"), ("Salutation",)),
        "title": (_l("Titel"), ("Title", "Akad. Titel")),
        "first_name": (_l("Vorname"), ("First Name", "Given Name", "Firstname")),
        "last_name": (_l("Nachname"), ("Name", "Last Name", "Surname", "Familienname")),
        "email": (_l("E-Mail"), ("Mail", "Email", "E-Mail-Adresse", "Email Address")),
        "phone": (_l("Telefon"), ("Tel", "Tel.", "Phone", "Telefonnummer", "Mobil")),
        "organisation": (
            _l("Organisation"),
            ("Firma", "Unternehmen", "Company", "Organization", "Arbeitgeber"),
        ),
        "function": (_l("Funktion"), ("Position", "Job Title", "Rolle", "Stellung")),
        "notes": (_l("Notizen"), ("Notiz", "Bemerkung", "Notes", "Kommentar")),
        "source": (_l("Quelle"), ("Source", "Herkunft")),
    },
    "initiatives": {
        "name": (_l("Name"), ("Initiative", "Bündnis")),
        "short_name": (_l("Kurzname"), ("Kürzel", "Short Name", "Abkürzung")),
        "type": (_l("Art"), ("Typ", "Type")),
        "status": (_l("Status"), ()),
        "founded_year": (_l("Gründungsjahr"), ("Gegründet", "Founded", "Founding Year")),
        "region_label": (_l("Region"), ()),
        "description": (_l("Beschreibung"), ("Description",)),
        "goals": (_l("Ziele"), ("Goals",)),
        "themes": (_l("Themen"), ("Thema", "Themes", "Topics")),
        "public_listing": (_l("Öffentlich"), ("Öffentlich gelistet", "Public")),
        "member_count": (_l("Mitgliederzahl"), ("Mitglieder", "Members")),
        **_COMMON,
    },
    "memberships": {
        "initiative": (_l("Initiative"), ("Bündnis", "Netzwerk")),
        "organisation": (
            _l("Organisation"),
            ("Mitglied", "Firma", "Unternehmen", "Company", "Organization"),
        ),
        "role": (_l("Rolle"), ("Role", "Art der Mitgliedschaft")),
        "since": (_l("Seit"), ("Mitglied seit", "Since", "Beitritt", "Von")),
        "until": (_l("Bis"), ("Until", "Austritt")),
    },
    "attendance": {
        "first_name": (_l("Vorname"), ("First Name", "Given Name")),
        "last_name": (_l("Nachname"), ("Name", "Last Name", "Surname", "Teilnehmer:in")),
        "email": (_l("E-Mail"), ("Mail", "Email", "E-Mail-Adresse")),
        "organisation": (_l("Organisation"), ("Firma", "Unternehmen", "Company", "Institution")),
        "function": (_l("Funktion"), ("Position", "Job Title")),
        "event": (_l("Veranstaltung"), ("Event", "Termin", "Treffen")),
        "attended": (_l("Teilgenommen"), ("Anwesend", "Attended", "Teilnahme")),
        "status": (_l("Status"), ("Anmeldestatus",)),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": ("name",),
    "persons": ("last_name",),
    "initiatives": ("name",),
    "memberships": ("initiative", "organisation"),
    "attendance": ("last_name", "event"),
}


def _synonyms(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for field, (label, synonyms) in FIELDS[kind].items():
        for word in (field, str(label), *synonyms):
            table.setdefault(fold_key(word), field)
    return table


def field_for(kind: str, header: str) -> str | None:
    """The field a header names (None for an unknown header)."""
    return _synonyms(kind).get(fold_key(header)) if header else None


def header_score(kind: str) -> Callable[[list[str]], int]:
    """A scoring function for header-row detection: how many cells name a field."""
    table = _synonyms(kind)

    def score(cells: list[str]) -> int:
        return len({table[k] for k in (fold_key(c) for c in cells) if k in table})

    return score


def auto_mapping(kind: str, headers: list[str]) -> dict[int, str]:
    """Column index → field, by header; each field taken by its first column only."""
    table = _synonyms(kind)
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        field = table.get(fold_key(header))
        if field and field not in mapping.values():
            mapping[index] = field
    return mapping


def apply_saved(kind: str, headers: list[str], saved: dict[str, str]) -> dict[int, str]:
    """Column index → field from a saved {header: field} mapping (headers folded)."""
    folded = {fold_key(h): f for h, f in saved.items() if f in FIELDS[kind]}
    return {i: folded[fold_key(h)] for i, h in enumerate(headers) if h and fold_key(h) in folded}


def as_saved(headers: list[str], mapping: dict[int, str]) -> dict[str, str]:
    """{header: field} of a column mapping, for saving by name or as a JSON file."""
    return {headers[i]: f for i, f in mapping.items() if i < len(headers) and headers[i]}


def missing_required(kind: str, mapping: dict[int, str]) -> list[str]:
    """Labels of required fields no column maps to."""
    present = set(mapping.values())
    if kind == "attendance" and "last_name" not in present and "email" in present:
        return []
    return [str(FIELDS[kind][f][0]) for f in REQUIRED[kind] if f not in present]


def field_label(kind: str, field: str) -> str:
    """The label of a field."""
    entry = FIELDS[kind].get(field)
    return str(entry[0]) if entry else field
