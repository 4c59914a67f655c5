"""/api/v1/: the directory as JSON for a token's account (read: initiatives, organisations,
persons). Thin handlers: ask `permissions`, run the directory's own list queries (same
search and filters as the web lists), page by cursor, answer."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from crm import permissions
from crm.api import schemas
from crm.api.auth import api_user, authenticate, fail, install, presented_token
from crm.api.lists import INITIATIVE_LINKS, list_params, page
from crm.api.tokens import hash_token
from crm.directory import queries
from crm.extensions import db
from crm.models import Initiative, Organisation, Person

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="The directory for the token's account (`Authorization: Bearer TOKEN`).",
)
bp.before_request(authenticate)


def _rate_key() -> str:
    """Requests are counted per token (per client address without one)."""
    presented = presented_token()
    return "api-token:" + hash_token(presented) if presented else get_remote_address()


install(bp, _rate_key)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        fail(403, "This account may not read this.")


@bp.route("/initiatives", endpoint="initiatives")
class Initiatives(MethodView):
    """The initiatives the account may see (staff: all; a representative: their own)."""

    @bp.arguments(schemas.InitiativeQuery, location="query")
    @bp.response(200, schemas.InitiativePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List initiatives, filtered like the web list."""
        params = list_params(args, queries.INITIATIVE_LIST)
        query = queries.initiatives_query(api_user(), params).options(*INITIATIVE_LINKS)
        return page(query, Initiative, args)


@bp.route("/initiatives/<int:initiative_id>", endpoint="initiative")
class InitiativeItem(MethodView):
    """One initiative."""

    @bp.response(200, schemas.Initiative)
    def get(self, initiative_id: int) -> Initiative:
        """One initiative the account may see."""
        record = db.session.get(Initiative, initiative_id, options=INITIATIVE_LINKS)
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
        query = queries.organisations_query(list_params(args, queries.ORGANISATION_LIST))
        return page(query, Organisation, args)


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
        query = queries.persons_query(list_params(args, queries.PERSON_LIST))
        return page(query, Person, args)


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
