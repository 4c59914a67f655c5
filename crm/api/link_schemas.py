"""The schemas of the records beyond the directory's three: links, contacts, events,
registrations and the reference data (read-only in the API)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate

from crm.api.schemas import INTEGER_LIMIT
from crm.api.schemas import PageQuery
from crm.api.schemas import Vocabulary
from crm.api.schemas import enum_field
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import InitiativeRoleKind
from crm.models import InteractionKind
from crm.models import MembershipRole
from crm.models import RegistrationStatus
from crm.models import RelationshipKind


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(**kwargs)


class Period(ma.Schema):
    """A link that holds from `since` to `until`; `active`: today lies within."""

    id = _id(required=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    active = fields.Boolean(attribute="is_active", required=True)


class Membership(Period):
    """An organisation in an initiative."""

    organisation_id = _id(required=True)
    initiative_id = _id(required=True)
    role = enum_field(MembershipRole, required=True)


class Affiliation(Period):
    """A person at an organisation."""

    person_id = _id(required=True)
    organisation_id = _id(required=True)
    function = fields.String(allow_none=True)


class InitiativeRole(Period):
    """A person's role in an initiative."""

    person_id = _id(required=True)
    initiative_id = _id(required=True)
    role = enum_field(InitiativeRoleKind, required=True)


class Relationship(Period):
    """A link between two initiatives or two organisations."""

    kind = enum_field(RelationshipKind, required=True)
    initiative_a_id = _id(allow_none=True)
    initiative_b_id = _id(allow_none=True)
    organisation_a_id = _id(allow_none=True)
    organisation_b_id = _id(allow_none=True)
    note = fields.String(allow_none=True)


class PersonRef(ma.Schema):
    """A person by id."""

    id = _id(required=True)


class Interaction(ma.Schema):
    """A call, meeting, e-mail, visit or note, with an optional follow-up."""

    id = _id(required=True)
    kind = enum_field(InteractionKind, required=True)
    occurred_at = fields.AwareDateTime(required=True)
    subject = fields.String(required=True)
    notes = fields.String(allow_none=True)
    initiative_id = _id(allow_none=True)
    organisation_id = _id(allow_none=True)
    person_ids = fields.Pluck(PersonRef, "id", many=True, attribute="persons")
    author_id = _id(allow_none=True)
    follow_up_due = fields.Date(allow_none=True)
    follow_up_owner_id = _id(allow_none=True)
    follow_up_done_at = fields.AwareDateTime(allow_none=True)


class Event(ma.Schema):
    """A network meeting, forum, webinar …"""

    id = _id(required=True)
    version = _id(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)
    type = enum_field(EventType, required=True)
    mode = enum_field(EventMode, required=True)
    status = enum_field(EventStatus, required=True)
    venue = fields.String(allow_none=True)
    online_url = fields.String(allow_none=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    description = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    registration_opens_at = fields.AwareDateTime(allow_none=True)
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    is_free = fields.Boolean(required=True)
    fee_note = fields.String(allow_none=True)


class Workshop(ma.Schema):
    """A workshop of an event."""

    id = _id(required=True)
    event_id = _id(required=True)
    position = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    capacity = fields.Integer(required=True)
    moderator_id = _id(allow_none=True)
    themes = fields.List(fields.Nested(Vocabulary), required=True)


class Registration(ma.Schema):
    """A registration for an event (without its personal link)."""

    id = _id(required=True)
    event_id = _id(required=True)
    person_id = _id(allow_none=True)
    organisation_id = _id(allow_none=True)
    organisation_text = fields.String(allow_none=True)
    organisation_confirmed = fields.Boolean(required=True)
    initiative_id = _id(allow_none=True)
    function = fields.String(allow_none=True)
    status = enum_field(RegistrationStatus, required=True)
    registered_at = fields.AwareDateTime(required=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    checked_in_at = fields.AwareDateTime(allow_none=True)
    assigned_workshop_id = _id(allow_none=True)


class Land(ma.Schema):
    """A Bundesland."""

    ags = fields.String(required=True)
    iso = fields.String(required=True)
    name = fields.String(required=True)


class Kreis(ma.Schema):
    """A Kreis or kreisfreie Stadt."""

    ags = fields.String(required=True)
    name = fields.String(required=True)
    land_ags = fields.String(required=True)


def query_of(name: str, filters: dict[str, Any], *, period: bool) -> type[ma.Schema]:
    """The query schema of a list: paging, the given filters (ids or values), and
    `active` for links with a period."""
    declared: dict[str, Any] = {}
    for key, kind in filters.items():
        if kind is int:
            declared[key] = fields.Integer(validate=validate.Range(1, INTEGER_LIMIT))
        else:
            declared[key] = fields.String(validate=validate.OneOf([m.value for m in kind]))
    if period:
        declared["active"] = fields.Boolean(metadata={"description": "running today or not"})
    return type(f"{name}Query", (PageQuery,), declared)
