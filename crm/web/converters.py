"""URL converters: an integer in a path is a database id, or the route does not match.

Werkzeug's `int` converter accepts any number of digits; a value beyond the database's
integer range then reaches SQL and fails there (500). The bounded converter replaces
`int` for every route, so an id out of range is simply a page that does not exist (404).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import ValidationError

# Ids are INTEGER columns: 32-bit signed on PostgreSQL; SQLite's are wider, but no id
# this app hands out comes near this bound. Ids start at 1.
ID_MIN = 1
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """An id in a path: digits only, from ID_MIN to ID_MAX, else no match (404)."""

    def __init__(
        self,
        map: Map,  # noqa: A002 - Werkzeug's parameter name
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=ID_MIN if min is None else min,
            max=ID_MAX if max is None else max,
            signed=signed,
        )

    def to_python(self, value: str) -> Any:
        """Refuse long digit strings before converting (int() of 5,000 digits raises)."""
        if len(value) > len(str(ID_MAX)) + 1:
            raise ValidationError()
        return super().to_python(value)


def install(app: Flask) -> None:
    """Make `<int:...>` in every route of `app` the bounded id converter."""
    app.url_map.converters["int"] = IdConverter
