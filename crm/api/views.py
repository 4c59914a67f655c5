"""/api/v1/: the directory as JSON for a token's account (read: initiatives, organisations,
persons). Thin handlers: ask `permissions`, run the directory's own list queries (same
search and filters as the web lists), page by cursor, answer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from typing import TypeVar
from typing import cast

from flask import url_for
from flask.views import MethodView
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from crm import permissions
from crm.api import schemas
from crm.api import writes
from crm.api.auth import api_user
from crm.api.auth import authenticate
from crm.api.auth import fail
from crm.api.auth import install
from crm.api.auth import presented_token
from crm.api.lists import INITIATIVE_LINKS
from crm.api.lists import list_params
from crm.api.lists import page
from crm.api.lists import query_arguments
from crm.api.parsing import TextParser
from crm.api.tokens import hash_token
from crm.directory import queries
from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="The directory for the token's account (`Authorization: Bearer TOKEN`).",
)
bp.ARGUMENTS_PARSER = TextParser()  # a NUL character in any text: 422
bp.before_request(authenticate)


def _rate_key() -> str:
    """Requests are counted per token (per client address without one)."""
    presented = presented_token()
    return "api-token:" + hash_token(presented) if presented else get_remote_address()


install(bp, _rate_key)


F = TypeVar("F", bound=Callable[..., Any])
# a saved or read record with its status and headers (ETag, Location)
Saved = tuple[Any, int, dict[str, str]]


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        fail(403, "This account may not read this.")


def allowed_if(may: Callable[[Any], bool]) -> Callable[[F], F]:
    """403 for an account that `may` refuses, before its query or body is even read."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not may(api_user()):
                fail(403, "This account may not do this.")
            return method(*args, **kwargs)

        return cast(F, checked)

    return decorate


def _may_create(kind: str) -> Callable[[Any], bool]:
    return lambda user: permissions.can_create(user, kind)


staff_only = allowed_if(permissions.can_view_directory)


@bp.route("/initiatives", endpoint="initiatives")
class Initiatives(MethodView):
    """The initiatives the account may see (staff: all; a representative: their own)."""

    @query_arguments(bp, schemas.InitiativeQuery)
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


def _directory_record(model: Any, record_id: int, kind: str) -> Any:
    """An organisation or person the account may see (staff); 403 for anyone else, 404
    for an unknown one."""
    user = api_user()
    _refuse_unless(permissions.can_view_directory(user))
    record = db.session.get(model, record_id)
    hidden = isinstance(record, Person) and not permissions.can_see_person(user, record)
    if record is None or hidden or not permissions.can_view(user, record):
        fail(404, f"No such {kind}.")
    return record


def _created(kind: str, changes: dict[str, Any]) -> Saved:
    """Create through the web form's checks and the directory's services: 201."""
    record = writes.create(kind, changes)
    location = url_for(f"api.{kind}", **{f"{kind}_id": record.id})
    return record, 201, {"ETag": writes.etag(record), "Location": location}


def _updated(kind: str, model: Any, record_id: int, changes: dict[str, Any]) -> Saved:
    """Change the version named by If-Match (412 when stale, 428 without)."""
    record = _directory_record(model, record_id, kind)
    if not permissions.can_maintain(api_user(), record):
        fail(403, "This account may not change this record.")
    writes.update(kind, record, changes)
    return record, 200, {"ETag": writes.etag(record)}


def _read(model: Any, record_id: int, kind: str) -> Saved:
    record = _directory_record(model, record_id, kind)
    return record, 200, {"ETag": writes.etag(record)}


WRITE_DOC = {"description": "Needs a `write` token."}
ETAG = {
    "ETag": {
        "description": "the record's version; send it back in If-Match to change it",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": True,
            "description": "the ETag of the version read (428 without, 412 when stale)",
            "schema": {"type": "string"},
        }
    ]
}


def _directory_resource(
    kind: str,
    plural: str,
    model: Any,
    schema: Any,
    body: Any,
    search: tuple[Any, Callable[[queries.ListParams], Any], queries.ListSpec],
    docs: tuple[str, str],
) -> None:
    """/api/v1/<plural> (list, create) and /api/v1/<plural>/<<kind>_id> (read, change)
    of the organisations or the persons (staff). `search`: the query schema, the
    directory's list query and its list; `docs`: the list's and the create's docstring."""
    query_schema, listing, spec = search
    argument = f"{kind}_id"

    class Listing(MethodView):
        @staff_only
        @query_arguments(bp, query_schema)
        @bp.response(200, schemas.page_of(schema))
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            return page(listing(list_params(args, spec)), model, args)

        @allowed_if(_may_create(kind))
        @bp.arguments(body)
        @bp.response(201, schema, headers=ETAG)
        @bp.doc(**WRITE_DOC)
        def post(self, changes: dict[str, Any]) -> Saved:
            return _created(kind, changes)

    class Item(MethodView):
        @bp.response(200, schema, headers=ETAG)
        def get(self, **ids: int) -> Saved:
            return _read(model, ids[argument], kind)

        @staff_only
        @bp.arguments(body(partial=True))
        @bp.response(200, schema, headers=ETAG)
        @bp.doc(**WRITE_DOC, **IF_MATCH)
        def patch(self, changes: dict[str, Any], **ids: int) -> Saved:
            """Change the fields sent; `If-Match` must carry the ETag of the version read."""
            return _updated(kind, model, ids[argument], changes)

    Listing.get.__doc__, Listing.post.__doc__ = docs
    Item.get.__doc__ = f"One {kind} (staff); its ETag is its version."
    name = model.__name__
    bp.route(f"/{plural}", endpoint=plural)(type(f"{name}s", (Listing,), {}))
    bp.route(f"/{plural}/<int:{argument}>", endpoint=kind)(type(f"{name}Item", (Item,), {}))


_directory_resource(
    "organisation",
    "organisations",
    Organisation,
    schemas.Organisation,
    schemas.OrganisationIn,
    (schemas.OrganisationQuery, queries.organisations_query, queries.ORGANISATION_LIST),
    (
        "List organisations, filtered like the web list.",
        "Create an organisation (checked like the web form).",
    ),
)
_directory_resource(
    "person",
    "persons",
    Person,
    schemas.Person,
    schemas.PersonIn,
    (schemas.PersonQuery, queries.persons_query, queries.PERSON_LIST),
    (
        "List persons, searched by name or e-mail like the web list.",
        "Create a person (checked like the web form).",
    ),
)
