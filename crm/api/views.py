"""/api/v1/: the directory as JSON for a token's account (read: initiatives, organisations,
persons). Thin handlers: ask `permissions`, run the directory's own list queries (same
search and filters as the web lists), page by cursor, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, InternalServerError

from crm import permissions
from crm.api import schemas
from crm.api.auth import api_user, authenticate, cors_headers, error_response, fail, presented_token
from crm.api.tokens import hash_token
from crm.directory import queries
from crm.extensions import db, limiter
from crm.models import Initiative, Organisation, Person

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="The directory for the token's account (`Authorization: Bearer TOKEN`).",
)
bp.before_request(authenticate)
bp.after_request(cors_headers)
bp.register_error_handler(HTTPException, error_response)
bp.register_error_handler(InternalServerError, error_response)  # before the app's 500 page


def _rate_key() -> str:
    """Requests are counted per token (per client address without one)."""
    from flask_limiter.util import get_remote_address

    presented = presented_token()
    return "api-token:" + hash_token(presented) if presented else get_remote_address()


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        fail(403, "This account may not read this.")


def _params(args: Mapping[str, Any], spec: queries.ListSpec) -> queries.ListParams:
    """The web lists' parameters from validated query arguments (filters as strings)."""
    filters = {
        key: str(value) for key, value in args.items() if key not in ("cursor", "limit", "q")
    }
    return queries.ListParams(q=(args.get("q") or "").strip(), sort=spec.default, filters=filters)


def _page(query: Select[Any], model: Any, args: Mapping[str, Any]) -> dict[str, Any]:
    """One page in id order after `cursor`; `next_cursor` continues it (keyset paging:
    every page costs the same, also deep into a list of 60,000)."""
    query = query.order_by(None).order_by(model.id)
    if args.get("cursor") is not None:
        query = query.where(model.id > args["cursor"])
    limit = args["limit"]
    rows = list(db.session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": schemas.encode_cursor(rows[-1].id) if more else None}


_INITIATIVE_LINKS = (
    selectinload(Initiative.laender),
    selectinload(Initiative.kreise),
    selectinload(Initiative.themes),
    selectinload(Initiative.formats),
)


@bp.route("/initiatives", endpoint="initiatives")
class Initiatives(MethodView):
    """The initiatives the account may see (staff: all; a representative: their own)."""

    @bp.arguments(schemas.InitiativeQuery, location="query")
    @bp.response(200, schemas.InitiativePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List initiatives, filtered like the web list."""
        params = _params(args, queries.INITIATIVE_LIST)
        query = queries.initiatives_query(api_user(), params).options(*_INITIATIVE_LINKS)
        return _page(query, Initiative, args)


@bp.route("/initiatives/<int:initiative_id>", endpoint="initiative")
class InitiativeItem(MethodView):
    """One initiative."""

    @bp.response(200, schemas.Initiative)
    def get(self, initiative_id: int) -> Initiative:
        """One initiative the account may see."""
        record = db.session.get(Initiative, initiative_id, options=_INITIATIVE_LINKS)
        if record is None or not permissions.can_view(api_user(), record):
            fail(404, "No such initiative.")
        return record


@bp.route("/organisations", endpoint="organisations")
class Organisations(MethodView):
    """The organisations (staff)."""

    @bp.arguments(schemas.OrganisationQuery, location="query")
    @bp.response(200, schemas.OrganisationPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List organisations, filtered like the web list."""
        _refuse_unless(permissions.can_view_directory(api_user()))
        query = queries.organisations_query(_params(args, queries.ORGANISATION_LIST))
        return _page(query, Organisation, args)


@bp.route("/organisations/<int:organisation_id>", endpoint="organisation")
class OrganisationItem(MethodView):
    """One organisation."""

    @bp.response(200, schemas.Organisation)
    def get(self, organisation_id: int) -> Organisation:
        """One organisation (staff)."""
        user = api_user()
        _refuse_unless(permissions.can_view_directory(user))
        record = db.session.get(Organisation, organisation_id)
        if record is None or not permissions.can_view(user, record):
            fail(404, "No such organisation.")
        return record


@bp.route("/persons", endpoint="persons")
class Persons(MethodView):
    """The persons (staff)."""

    @bp.arguments(schemas.PersonQuery, location="query")
    @bp.response(200, schemas.PersonPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List persons, searched by name or e-mail like the web list."""
        _refuse_unless(permissions.can_view_directory(api_user()))
        query = queries.persons_query(_params(args, queries.PERSON_LIST))
        return _page(query, Person, args)


@bp.route("/persons/<int:person_id>", endpoint="person")
class PersonItem(MethodView):
    """One person."""

    @bp.response(200, schemas.Person)
    def get(self, person_id: int) -> Person:
        """One person (staff)."""
        user = api_user()
        _refuse_unless(permissions.can_view_directory(user))
        record = db.session.get(Person, person_id)
        if record is None or not (
            permissions.can_view(user, record) and permissions.can_see_person(user, record)
        ):
            fail(404, "No such person.")
        return record
