"""How the API reads a request's arguments: webargs' parser, refusing a NUL character.

PostgreSQL text cannot hold a NUL character, so a name or a note with one reached the
database as a 500 there (and was saved on SQLite). The parser refuses it in any text of a
request's body, nested too, as a 422 that names the field, before the schema or the web
form's checks run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Request
from webargs.flaskparser import FlaskParser

NUL_MESSAGE = "Must not contain a NUL character."
_BODIES = frozenset({"json", "form", "json_or_form"})


def holds_nul(value: Any) -> bool:
    """Is there a NUL character in `value`, a text or the keys and items within it?"""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


class TextParser(FlaskParser):
    """The API blueprints' parser (`Blueprint.ARGUMENTS_PARSER`)."""

    def pre_load(
        self, location_data: Mapping[str, Any], *, schema: ma.Schema, req: Request, location: str
    ) -> Mapping[str, Any]:
        """Refuse a NUL character anywhere in a body (422, by field); the query strings'
        fields have their own checks (a search text, the codes of a filter)."""
        if location in _BODIES and isinstance(location_data, Mapping):
            errors = {
                str(key): [NUL_MESSAGE]
                for key, value in location_data.items()
                if holds_nul(key) or holds_nul(value)
            }
            if errors:
                raise ma.ValidationError(errors)
        return super().pre_load(location_data, schema=schema, req=req, location=location)
