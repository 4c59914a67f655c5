"""/api/v1/ for the records beyond initiatives, organisations and persons: memberships,
affiliations, initiative roles, relationships, interactions, events, workshops,
registrations (read-only, paged, filtered by the ids they link) and the reference data
(Länder, Kreise, themes, formats). One table says what each list is; the web decides who
may see it (`crm.permissions`, the same predicates as the web pages)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.api import interactions
from crm.api import link_schemas as out
from crm.api import registrations
from crm.api import writes
from crm.api.auth import fail
from crm.api.lists import page
from crm.api.lists import query_arguments
from crm.api.schemas import Vocabulary
from crm.api.schemas import page_of
from crm.api.views import IF_MATCH
from crm.api.views import allowed_if
from crm.api.views import bp
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Bundesland
from crm.models import Event
from crm.models import EventStatus
from crm.models import Format
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Kreis
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import Theme
from crm.models import Workshop


@dataclass(frozen=True)
class Listed:
    """A read-only list with items: /api/v1/<plural> and /api/v1/<plural>/<<item>_id>."""

    plural: str
    item: str
    model: Any
    schema: type[ma.Schema]
    may: Callable[[Any], bool]
    # query argument → int (an id column of that name) or an enum of the column's values
    filters: dict[str, Any] = field(default_factory=dict)
    period: bool = False  # a link with since/until: ?active=true|false
    load: Sequence[Any] = ()
    # POST to the list: (the body's schema, a function that saves a body and returns it)
    create: tuple[type[ma.Schema], Callable[[dict[str, Any]], Any]] | None = None
    # PATCH of an item: (the body's schema, a function (record, changes) → saved record);
    # items then carry an ETag, and a PATCH needs If-Match
    change: tuple[ma.Schema, Callable[[Any, dict[str, Any]], Any]] | None = None


def _link(plural: str, item: str, model: Any, schema: Any, filters: dict[str, Any]) -> Listed:
    """A link with a period (since/until), which those who edit links may read."""
    return Listed(plural, item, model, schema, permissions.can_edit_links, filters, period=True)


LISTED = (
    _link(
        "memberships",
        "membership",
        Membership,
        out.Membership,
        {"initiative_id": int, "organisation_id": int, "role": MembershipRole},
    ),
    _link(
        "affiliations",
        "affiliation",
        Affiliation,
        out.Affiliation,
        {"person_id": int, "organisation_id": int},
    ),
    _link(
        "initiative-roles",
        "role",
        InitiativeRole,
        out.InitiativeRole,
        {"person_id": int, "initiative_id": int, "role": InitiativeRoleKind},
    ),
    _link(
        "relationships", "relationship", Relationship, out.Relationship, {"kind": RelationshipKind}
    ),
    Listed(
        "interactions",
        "interaction",
        Interaction,
        out.Interaction,
        permissions.can_log_interaction,
        {"initiative_id": int, "organisation_id": int, "kind": InteractionKind},
        load=(selectinload(Interaction.persons),),
        create=(interactions.InteractionIn, interactions.log),
        change=(interactions.InteractionChanges(partial=True), interactions.change),
    ),
    Listed(
        "events",
        "event",
        Event,
        out.Event,
        permissions.can_manage_events,
        {"status": EventStatus},
    ),
    Listed(
        "workshops",
        "workshop",
        Workshop,
        out.Workshop,
        permissions.can_manage_events,
        {"event_id": int},
        load=(selectinload(Workshop.themes),),
    ),
    Listed(
        "registrations",
        "registration",
        Registration,
        out.Registration,
        permissions.can_manage_events,
        {"event_id": int, "person_id": int, "status": RegistrationStatus},
        create=(registrations.RegistrationIn, registrations.register),
        change=(registrations.RegistrationChanges(), registrations.change),
    ),
)


def _filtered(spec: Listed, args: dict[str, Any]) -> Any:
    query = select(spec.model).options(*spec.load)
    for key in spec.filters:
        if key in args:
            query = query.where(getattr(spec.model, key) == args[key])
    if "active" in args:
        active = spec.model.is_active
        query = query.where(active if args["active"] else ~active)
    return query


def _register(spec: Listed) -> None:
    query_schema = out.query_of(spec.model.__name__, spec.filters, period=spec.period)
    page_schema = page_of(spec.schema)
    argument = f"{spec.item}_id"

    class List(MethodView):
        @allowed_if(spec.may)
        @query_arguments(bp, query_schema)
        @bp.response(200, page_schema)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            return page(_filtered(spec, args), spec.model, args)

    def _item(ids: dict[str, int]) -> Any:
        record = db.session.get(spec.model, ids[argument], options=spec.load)
        if record is None:
            fail(404, f"No such {spec.item.replace('_', ' ')}.")
        return record

    def _tagged(record: Any) -> tuple[Any, int, dict[str, str]]:
        return record, 200, ({"ETag": writes.etag(record)} if spec.change else {})

    class Item(MethodView):
        @allowed_if(spec.may)
        @bp.response(200, spec.schema)
        def get(self, **ids: int) -> Any:
            return _tagged(_item(ids))

    if spec.change is not None:
        changes_schema, change = spec.change

        class Changeable(Item):
            @allowed_if(spec.may)
            @bp.arguments(changes_schema)
            @bp.response(200, spec.schema)
            @bp.doc(**IF_MATCH)
            def patch(self, changes: dict[str, Any], **ids: int) -> Any:
                """Change the fields sent; `If-Match` must carry the ETag of the version read."""
                return _tagged(change(_item(ids), changes))

        Item = Changeable  # type: ignore[misc]

    if spec.create is not None:
        body_schema, save = spec.create

        class Creatable(List):
            @allowed_if(spec.may)
            @bp.arguments(body_schema)
            @bp.response(201, spec.schema)
            def post(self, body: dict[str, Any]) -> tuple[Any, int, dict[str, str]]:
                """Create one (checked like the web form); needs a `write` token."""
                record = save(body)
                location = url_for(f"api.{spec.item}", **{argument: record.id})
                return record, 201, {"Location": location}

        List = Creatable  # type: ignore[misc]

    name = spec.model.__name__
    List.get.__doc__ = f"List the {spec.plural} (ordered by id), filtered by what they link."
    Item.get.__doc__ = f"One {name}."
    bp.route(f"/{spec.plural}", endpoint=spec.plural.replace("-", "_"))(
        type(f"{name}List", (List,), {})
    )
    bp.route(f"/{spec.plural}/<int:{argument}>", endpoint=spec.item)(
        type(f"{name}Item", (Item,), {})
    )


for _spec in LISTED:
    _register(_spec)


@bp.route("/laender", endpoint="laender")
class Laender(MethodView):
    """The 16 Länder."""

    @bp.response(200, out.Land(many=True))
    def get(self) -> list[Bundesland]:
        """The Länder, by AGS."""
        return list(db.session.scalars(select(Bundesland).order_by(Bundesland.ags)))


@bp.route("/kreise", endpoint="kreise")
class Kreise(MethodView):
    """The Kreise and kreisfreien Städte."""

    @bp.response(200, out.Kreis(many=True))
    def get(self) -> list[Kreis]:
        """The Kreise, by AGS."""
        return list(db.session.scalars(select(Kreis).order_by(Kreis.ags)))


@bp.route("/themes", endpoint="themes")
class Themes(MethodView):
    """The themes of initiatives and workshops."""

    @bp.response(200, Vocabulary(many=True))
    def get(self) -> list[Theme]:
        """The themes, in their order."""
        return list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))


@bp.route("/formats", endpoint="formats")
class Formats(MethodView):
    """The formats of initiatives."""

    @bp.response(200, Vocabulary(many=True))
    def get(self) -> list[Format]:
        """The formats, in their order."""
        return list(db.session.scalars(select(Format).order_by(Format.position, Format.id)))
