"""The directory lists as downloads: the current search, filters and sort, all rows.

Each list has one column table (header, value of a row) used for CSV and XLSX alike;
crm.formats.tables makes the cells Excel-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Affiliation
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.web.labels import label

MAX_ROWS = 100_000  # a download larger than this is a database dump, not a list
Column = tuple[Any, Callable[[Any], Any]]


def _names(items: Sequence[Any]) -> str:
    return ", ".join(item.name for item in items)


INITIATIVE_COLUMNS: list[Column] = [
    (_l("ID"), lambda i: i.id),
    (_l("Name"), lambda i: i.name),
    (_l("Kurzname"), lambda i: i.short_name),
    (_l("Typ"), lambda i: label(i.type)),
    (_l("Status"), lambda i: label(i.status)),
    (_l("Länder"), lambda i: _names(i.laender)),
    (_l("Kreise"), lambda i: _names(i.kreise)),
    (_l("PLZ"), lambda i: i.plz),
    (_l("Ort"), lambda i: i.place),
    (_l("Gegründet"), lambda i: i.founded_year),
    (_l("Website"), lambda i: i.website),
    (_l("Themen"), lambda i: _names(i.themes)),
    (_l("Formate"), lambda i: _names(i.formats)),
    (_l("Öffentlich gelistet"), lambda i: i.public_listing),
]
ORGANISATION_COLUMNS: list[Column] = [
    (_l("ID"), lambda o: o.id),
    (_l("Name"), lambda o: o.name),
    (_l("Typ"), lambda o: label(o.type)),
    (_l("Größenklasse"), lambda o: label(o.size_class)),
    (_l("Straße"), lambda o: o.street),
    (_l("PLZ"), lambda o: o.plz),
    (_l("Ort"), lambda o: o.place),
    (_l("Kreis"), lambda o: o.kreis.name if o.kreis else None),
    (_l("Bundesland"), lambda o: o.land.name if o.land else None),
    (_l("Website"), lambda o: o.website),
]
PERSON_COLUMNS: list[Column] = [
    (_l("ID"), lambda p: p.id),
    (_l("Nachname"), lambda p: p.last_name),
    (_l("Vorname"), lambda p: p.first_name),
    (_l("Titel"), lambda p: p.title),
    (_l("E-Mail"), lambda p: p.email),
    (_l("Telefon"), lambda p: p.phone),
    (
        _l("Organisationen"),
        lambda p: ", ".join(a.organisation.name for a in p.affiliations if a.is_active),
    ),
]


def _rows(query: Select[Any], columns: list[Column]) -> Iterator[list[Any]]:
    for record in db.session.scalars(query.limit(MAX_ROWS).execution_options(yield_per=1000)):
        yield [value(record) for _, value in columns]


def _header(columns: list[Column]) -> list[str]:
    return [str(header) for header, _ in columns]


def initiative_table(query: Select[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the initiative list `query` (sorted and filtered)."""
    query = query.options(
        selectinload(Initiative.kreise),
        selectinload(Initiative.themes),
        selectinload(Initiative.formats),
    )
    return _header(INITIATIVE_COLUMNS), _rows(query, INITIATIVE_COLUMNS)


def organisation_table(query: Select[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the organisation list `query` (Kreis and Land by name)."""
    query = query.options(selectinload(Organisation.kreis), selectinload(Organisation.land))
    return _header(ORGANISATION_COLUMNS), _rows(query, ORGANISATION_COLUMNS)


def person_table(query: Select[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the person list `query`, with current organisations."""
    # Art. 18 GDPR: a person whose processing is restricted is left out of every export
    query = query.where(Person.restricted.is_(False)).options(
        selectinload(Person.affiliations).selectinload(Affiliation.organisation)
    )
    return _header(PERSON_COLUMNS), _rows(query, PERSON_COLUMNS)


def restricted_count(query: Select[Any]) -> int:
    """How many persons of the person list `query` person_table leaves out as restricted."""
    restricted = query.where(Person.restricted.is_(True)).order_by(None).subquery()
    return int(db.session.scalar(select(func.count()).select_from(restricted)) or 0)
