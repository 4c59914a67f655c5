"""The cells of the directory lists' rows, ready to write out (issue #23).

A list page shows 50 rows of a few cells. Looked up in the template, every label and URL
of a row is a call through Jinja's runtime and every column an attribute look-up, and the
rows cost more than the rest of the page; built here in one loop, a row is a tuple of
strings that the template writes out (and escapes) as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crm.directory import queries
from crm.web.templating import url_for_id

Choices = Iterable[tuple[Any, str]]
Row = tuple[Any, ...]


def initiative_rows(items: Iterable[Any], types: Choices, statuses: Choices) -> list[Row]:
    """(URL, name, type, Länder, place, founded, status) of each initiative row."""
    url = url_for_id("directory.initiative_detail", "initiative_id")
    land_names = queries.land_namer()
    type_names, status_names = dict(types), dict(statuses)
    return [
        (
            url(row.id),
            row.name,
            type_names.get(row.type, ""),
            land_names(row.land_codes),
            row.place or "",
            row.founded_year or "",
            status_names.get(row.status, ""),
        )
        for row in items
    ]


def organisation_rows(items: Iterable[Any], types: Choices) -> list[Row]:
    """(URL, name, type, place, Land) of each organisation row."""
    url = url_for_id("directory.organisation_detail", "organisation_id")
    type_names, land_names = dict(types), dict(queries.land_choices())
    return [
        (
            url(row.id),
            row.name,
            type_names.get(row.type, ""),
            row.place or "",
            land_names.get(row.land_ags, ""),
        )
        for row in items
    ]


def person_rows(items: Iterable[Any]) -> list[Row]:
    """(URL, last name, first name, title, restricted, e-mail, phone) of each person row."""
    url = url_for_id("directory.person_detail", "person_id")
    return [
        (
            url(row.id),
            row.last_name,
            row.first_name,
            row.title or "",
            row.restricted,
            row.email or "",
            row.phone or "",
        )
        for row in items
    ]
