"""The directory lists as downloads: the current search, filters and sort, all rows.

Each list has one column table (header, value of a row) used for CSV and XLSX alike;
crm.formats.tables makes the cells Excel-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Affiliation
from crm.models import Bundesland
from crm.models import Initiative
from crm.models import Kreis
from crm.models import Organisation
from crm.models import Person
from crm.web.labels import label
from crm.web.pagination import count_rows

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
# The organisation and person lists are read as plain rows of one statement each (their
# Kreis, Land and current organisations joined in SQL, read in batches from a server-side
# cursor): no ORM objects and no query per batch, whatever the length of the list.
ORGANISATION_COLUMNS: list[Column] = [
    (_l("ID"), lambda o: o.id),
    (_l("Name"), lambda o: o.name),
    (_l("Typ"), lambda o: label(o.type)),
    (_l("Größenklasse"), lambda o: label(o.size_class)),
    (_l("Straße"), lambda o: o.street),
    (_l("PLZ"), lambda o: o.plz),
    (_l("Ort"), lambda o: o.place),
    (_l("Kreis"), lambda o: o.kreis),
    (_l("Bundesland"), lambda o: o.land),
    (_l("Website"), lambda o: o.website),
]
PERSON_HEADER = [
    _l("ID"),
    _l("Nachname"),
    _l("Vorname"),
    _l("Titel"),
    _l("E-Mail"),
    _l("Telefon"),
    _l("Organisationen"),
]
BATCH = 2000  # rows fetched from the database at a time


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
    kreis, land = aliased(Kreis), aliased(Bundesland)
    rows = (
        query.with_only_columns(
            Organisation.id,
            Organisation.name,
            Organisation.type,
            Organisation.size_class,
            Organisation.street,
            Organisation.plz,
            Organisation.place,
            kreis.name.label("kreis"),
            land.name.label("land"),
            Organisation.website,
        )
        .outerjoin(kreis, kreis.ags == Organisation.kreis_ags)
        .outerjoin(land, land.ags == Organisation.land_ags)
        .limit(MAX_ROWS)
    )
    return _header(ORGANISATION_COLUMNS), _plain_rows(rows, ORGANISATION_COLUMNS)


def _plain_rows(query: Any, columns: list[Column]) -> Iterator[list[Any]]:
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield [value(row) for _, value in columns]


def _persons(query: Any) -> Iterator[list[Any]]:
    """One row per person of `query` (the columns of PERSON_HEADER), its current
    organisations joined by ", " in the order of the affiliations. The statement has one
    row per (person, organisation); the sort of every list ends in the person's id, so
    a person's rows are adjacent."""
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    for count, (_id, group) in enumerate(groupby(rows, key=lambda row: row[0]), start=1):
        if count > MAX_ROWS:
            break
        first, *rest = group
        names = [row[6] for row in (first, *rest) if row[6] is not None]
        yield [*first[:6], ", ".join(names)]


def person_table(query: Select[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the person list `query`, with current organisations."""
    # Art. 18 GDPR: a person whose processing is restricted is left out of every export
    current = and_(Affiliation.person_id == Person.id, Affiliation.is_active)
    rows = (
        query.where(Person.restricted.is_(False))
        .with_only_columns(
            Person.id,
            Person.last_name,
            Person.first_name,
            Person.title,
            Person.email,
            Person.phone,
            Organisation.name,
        )
        .outerjoin(Affiliation, current)
        .outerjoin(Organisation, Organisation.id == Affiliation.organisation_id)
        .order_by(Affiliation.id)
    )
    return [str(name) for name in PERSON_HEADER], _persons(rows)


def restricted_count(query: Select[Any]) -> int:
    """How many persons of the person list `query` person_table leaves out as restricted
    (counted once per data version, see `crm.web.pagination.count_rows`)."""
    return count_rows(query.where(Person.restricted.is_(True)))
