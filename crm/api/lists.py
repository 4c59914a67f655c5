"""The lists of the API: one page after a cursor, the web lists' parameters, and what an
initiative is loaded with."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from crm.api.schemas import INTEGER_LIMIT
from crm.api.schemas import encode_cursor
from crm.directory import queries
from crm.extensions import db
from crm.models import Initiative

PAGING = ("cursor", "limit", "q")
INITIATIVE_LINKS = (
    selectinload(Initiative.laender),
    selectinload(Initiative.kreise),
    selectinload(Initiative.themes),
    selectinload(Initiative.formats),
)


def query_arguments(bp: Blueprint, schema: Any) -> Callable[[Any], Any]:
    """A list's query arguments; an unknown one is a 422, so that a misspelt filter
    (`?Land=05`) never silently widens the list."""
    return bp.arguments(schema, location="query", unknown=ma.RAISE)


def list_params(args: Mapping[str, Any], spec: queries.ListSpec) -> queries.ListParams:
    """The web lists' parameters from validated query arguments (filters as strings)."""
    filters = {key: str(value) for key, value in args.items() if key not in PAGING}
    return queries.ListParams(q=(args.get("q") or "").strip(), sort=spec.default, filters=filters)


def page(query: Select[Any], model: Any, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page in id order after `cursor`; `next_cursor` continues it (keyset paging:
    every page costs the same, also deep into a list of 60,000)."""
    query = query.order_by(None).order_by(model.id)
    if args.get("cursor"):
        query = query.where(model.id > min(int(args["cursor"]), INTEGER_LIMIT))
    limit = args["limit"]
    rows = list(db.session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}
