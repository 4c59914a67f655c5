"""Cells → typed values, each with a German message when a cell does not fit.

Dates as DD.MM.YYYY, D.M.YY, ISO or Excel serial numbers; yes/no as ja/nein/x/1/0/
true/false; enum values and themes by their German or English label; e-mails
normalised; phone numbers checked but kept as written; PLZ → place, Kreis and Land.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Any
from typing import Protocol
from typing import TypeVar

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import force_locale
from flask_babel import gettext as _

from crm.imports.matching import fold_key
from crm.imports.matching import fold_name
from crm.web.labels import LABELS

E = TypeVar("E", bound=enum.Enum)
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_PHONE = re.compile(r"^\+?[0-9 ()/\-.]{5,40}$")
YES = frozenset({"ja", "j", "x", "1", "true", "yes", "y", "wahr", "ok"})
NO = frozenset({"nein", "n", "0", "false", "no", "falsch", ""})


class BadValue(ValueError):
    """A cell that does not fit its field (the message is German)."""


def text(cell: Any) -> str:
    """A cell as stripped text."""
    from crm.formats.readers import cell_text

    return cell_text(cell)


def parse_date(cell: Any) -> dt.date | None:
    """A date from a date cell, DD.MM.YYYY, D.M.YY, ISO or an Excel serial number."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = text(cell)
    if not value:
        return None
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            if len(match.group(3)) == 2:
                year += 2000 if year < 70 else 1900
            return dt.date(year, month, day)
        match = _ISO.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if re.fullmatch(r"\d{4,5}(\.0+)?", value):
            serial = int(float(value))
            if 1 <= serial <= 2958465:
                return EXCEL_EPOCH + dt.timedelta(days=serial)
    except ValueError:
        pass
    raise BadValue(_("„%(value)s“ ist kein Datum (erwartet z. B. 31.12.2024).", value=value))


def parse_bool(cell: Any) -> bool | None:
    """ja/nein, x, 1/0, true/false (empty: no value)."""
    value = text(cell).lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise BadValue(_("„%(value)s“ ist weder ja noch nein.", value=text(cell)))


def parse_int(cell: Any, *, minimum: int = 0, maximum: int = 2_000_000_000) -> int | None:
    """A whole number within bounds."""
    value = text(cell)
    if not value:
        return None
    try:
        number = int(value.replace(".", "").replace(" ", ""))
    except ValueError as exc:
        raise BadValue(_("„%(value)s“ ist keine ganze Zahl.", value=value)) from exc
    if not minimum <= number <= maximum:
        raise BadValue(_("„%(value)s“ liegt außerhalb des erlaubten Bereichs.", value=value))
    return number


_ENUM_CACHE: dict[type[enum.Enum], dict[str, enum.Enum]] = {}


def _enum_table(enum_cls: type[enum.Enum]) -> dict[str, enum.Enum]:
    table = _ENUM_CACHE.get(enum_cls)
    if table is None:
        table = {}
        for member in enum_cls:
            table[fold_key(str(member.value))] = member
            label = LABELS.get(member)
            if label is not None:
                with force_locale("de"):
                    table.setdefault(fold_key(str(label)), member)
                with force_locale("en"):
                    table.setdefault(fold_key(str(label)), member)
        _ENUM_CACHE[enum_cls] = table
    return table


def parse_enum(enum_cls: type[E], cell: Any) -> E | None:
    """An enum member by its value or its German or English label."""
    value = text(cell)
    if not value:
        return None
    member = _enum_table(enum_cls).get(fold_key(value))
    if member is None:
        raise BadValue(_("„%(value)s“ ist kein bekannter Wert.", value=value))
    return member  # type: ignore[return-value]


def parse_email(cell: Any) -> str | None:
    """A checked e-mail address in lower case (no look-up of the domain)."""
    value = text(cell)
    if not value:
        return None
    value = value.removeprefix("mailto:").strip("<> ")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadValue(_("„%(value)s“ ist keine gültige E-Mail-Adresse.", value=value)) from exc
    return checked.normalized.lower()


def parse_phone(cell: Any) -> str | None:
    """A phone number as written, if it looks like one."""
    value = text(cell)
    if not value:
        return None
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 5:
        raise BadValue(_("„%(value)s“ ist keine Telefonnummer.", value=value))
    return value


def parse_plz(cell: Any) -> str | None:
    """Five digits (a number cell that lost its leading zero gets it back)."""
    value = text(cell)
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) == 4:
        value = "0" + value
    if not re.fullmatch(r"\d{5}", value):
        raise BadValue(_("„%(value)s“ ist keine Postleitzahl (fünf Ziffern).", value=value))
    return value


def parse_ags(cell: Any) -> str | None:
    """An Amtlicher Gemeindeschlüssel: eight digits (Gemeinde) or five (Kreis); a number
    cell that lost its leading zero gets it back."""
    value = "".join(text(cell).split())
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) in (4, 7):
        value = "0" + value
    if not (value.isascii() and value.isdigit() and len(value) in (5, 8)):
        raise BadValue(
            _(
                "„%(value)s“ ist kein Gemeindeschlüssel (acht Ziffern, für einen Kreis fünf).",
                value=value,
            )
        )
    return value


def parse_text(cell: Any, max_length: int) -> str | None:
    """Text within the column's length."""
    value = text(cell)
    if not value:
        return None
    if len(value) > max_length:
        raise BadValue(_("Der Text ist länger als %(length)s Zeichen.", length=max_length))
    return value


def parse_website(cell: Any) -> str | None:
    """A web address, https:// added where it is missing."""
    value = parse_text(cell, 300)
    if value is None:
        return None
    if " " in value or "." not in value:
        raise BadValue(_("„%(value)s“ ist keine Webadresse.", value=value))
    return value if "://" in value else "https://" + value


def split_list(cell: Any) -> list[str]:
    """Several values in one cell, separated by ; , | or line breaks."""
    return [p.strip() for p in re.split(r"[;,|\n]", text(cell)) if p.strip()]


# The English names of the shipped themes (crm/reference/loader.py THEMES); the UI shows
# theme names as entered, so these are the names an English list is likely to use.
THEME_ENGLISH: dict[str, tuple[str, ...]] = {
    "Akzeptanz der Industrie": ("Acceptance of industry", "Industry acceptance"),
    "Fachkräfte/Ausbildung/MINT": ("Skilled workers/Training/STEM",),
    "Digitalisierung/Industrie 4.0": (
        "Digitalisation/Industry 4.0",
        "Digitalization/Industry 4.0",
    ),
    "Energiewende/Klimaschutz": ("Energy transition/Climate protection",),
    "Wasserstoff": ("Hydrogen",),
    "Kreislaufwirtschaft": ("Circular economy",),
    "Strukturwandel (Kohleregionen)": ("Structural change (coal regions)",),
    "Transformation Fahrzeugindustrie": ("Transformation of the automotive industry",),
    "Flächen/Genehmigungen": ("Sites/Permits", "Land/Permits"),
    "Infrastruktur": ("Infrastructure",),
    "Innovation/Transfer": ("Innovation/Transfer",),
    "Standortmarketing": ("Location marketing",),
    "Resilienz": ("Resilience",),
}


class Named(Protocol):
    """A vocabulary record with a German name (a theme)."""

    name: str


N = TypeVar("N", bound=Named)


def vocabulary_table(records: Iterable[N]) -> dict[str, N]:
    """Records by their folded German name and English names.

    The English names are the shipped ones above and, for any name, its translation in the
    English catalogue (so a theme whose name gets a msgid is found by it too).
    """
    table: dict[str, N] = {}
    records = list(records)
    for record in records:
        table[fold_name(record.name)] = record
    for record in records:
        with force_locale("en"):
            translated = _(record.name)
        for english in (translated, *THEME_ENGLISH.get(record.name, ())):
            table.setdefault(fold_name(english), record)
    return table


def parse_vocabulary(table: dict[str, N], cell: Any) -> list[N]:
    """The records a cell names (several separated as in `split_list`), each once.

    A part matches a name exactly after folding, else as the only name that contains it.
    """
    found: list[N] = []
    for part in split_list(cell):
        key = fold_name(part)
        record = table.get(key)
        if record is None:
            hits = list(dict.fromkeys(r for k, r in table.items() if key in k))
            if len(hits) != 1:
                raise BadValue(_("„%(part)s“ ist kein bekanntes Thema.", part=part))
            record = hits[0]
        if record not in found:
            found.append(record)
    return found
