"""The API's marshmallow schemas: what a record looks like in JSON, and the query
parameters of the lists (they also make the OpenAPI description)."""

from __future__ import annotations

import functools
from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate
from wtforms.validators import ValidationError as FormError

from crm.api.parsing import NUL_MESSAGE
from crm.api.parsing import holds_nul
from crm.directory.forms import AGS_INVALID
from crm.directory.forms import clean_ags
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import LawfulBasis
from crm.models import OrgType
from crm.models import SizeClass
from crm.models import SpatialLevel

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
INTEGER_LIMIT = 2**31 - 1


class StrictBoolean(fields.Boolean):
    """true or false, nothing that merely looks like one (0, "yes")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ma.ValidationError("Not a boolean.")
        return value


def encode_cursor(after: int) -> str:
    """The cursor that continues after the record with id `after` (opaque to clients)."""
    return str(after)


class PageQuery(ma.Schema):
    """Paging of every list."""

    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,10}$"),
        metadata={"description": "`next_cursor` of the previous page; none for the first."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT), metadata={"example": 50}
    )


def _without_nul(value: str) -> None:
    """PostgreSQL text cannot hold a NUL character: refused as input (422), not a 500."""
    if holds_nul(value):
        raise ma.ValidationError(NUL_MESSAGE)


class ListQuery(PageQuery):
    """Paging and search of the directory's lists."""

    q = fields.String(
        validate=[validate.Length(max=100), _without_nul],
        metadata={"description": "Search the name (persons: also the e-mail), as the web lists."},
    )


def _code(length: int, description: str) -> fields.String:
    return fields.String(
        validate=validate.Regexp(rf"^[0-9]{{{length}}}$"), metadata={"description": description}
    )


AGS_DESCRIPTION = "Amtlicher Gemeindeschlüssel: eight digits (Gemeinde) or five (Kreis)"


class AgsFilter(fields.String):
    """An AGS as a filter, by the web form's rule (`clean_ags`: blanks removed); empty is
    refused like any other malformed filter."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            cleaned = clean_ags(super()._deserialize(value, attr, data, **kwargs))
        except FormError as error:
            raise ma.ValidationError(str(error)) from None
        if not cleaned:
            raise ma.ValidationError(str(AGS_INVALID))
        return cleaned


class InitiativeQuery(ListQuery):
    """The filters of the initiative list."""

    land = _code(2, "AGS of a Land, e.g. 05")
    kreis = _code(5, "AGS of a Kreis, e.g. 05315")
    type = fields.String(validate=validate.OneOf([t.value for t in InitiativeType]))
    status = fields.String(validate=validate.OneOf([s.value for s in InitiativeStatus]))
    theme = fields.Integer(
        validate=validate.Range(1, INTEGER_LIMIT), metadata={"description": "id"}
    )
    format = fields.Integer(
        validate=validate.Range(1, INTEGER_LIMIT), metadata={"description": "id"}
    )
    ihk = fields.String(
        validate=validate.OneOf(["1", "0"]),
        metadata={"description": "1: an IHK is an active member; 0: none is"},
    )


class OrganisationQuery(ListQuery):
    """The filters of the organisation list."""

    land = _code(2, "AGS of a Land, e.g. 05")
    kreis = _code(5, "AGS of a Kreis, e.g. 05315")
    type = fields.String(validate=validate.OneOf([t.value for t in OrgType]))
    size = fields.String(validate=validate.OneOf([s.value for s in SizeClass]))
    ags = AgsFilter(
        metadata={
            "description": f"{AGS_DESCRIPTION}, e.g. 05315000; the organisation's own, exactly"
            " (a Kreis's five digits find the Kreis, not its Gemeinden: see `kreis`)"
        }
    )


class PublicQuery(ListQuery):
    """The filters of the public directory."""

    land = _code(2, "AGS of a Land, e.g. 05")
    theme = fields.Integer(
        validate=validate.Range(1, INTEGER_LIMIT), metadata={"description": "id"}
    )


class PersonQuery(ListQuery):
    """The person list has the search only (as the web list)."""


def enum_field(kind: Any, **kwargs: Any) -> fields.Enum:
    """An enum column, as its values."""
    return fields.Enum(kind, by_value=True, **kwargs)


class Address(ma.Schema):
    """The address fields that initiatives and organisations share."""

    street = fields.String(allow_none=True)
    plz = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    kreis_ags = fields.String(allow_none=True)
    land_ags = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)


class Record(ma.Schema):
    """What every record carries."""

    id = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "changes on every save"})
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class Ags(ma.Schema):
    """A Land or Kreis by its official key."""

    ags = fields.String(required=True)


class Vocabulary(ma.Schema):
    """A theme or format."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PublicInitiative(ma.Schema):
    """What the public directory shows of a listed initiative."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    type = enum_field(InitiativeType, required=True)
    description = fields.String(allow_none=True)
    region_label = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    founded_year = fields.Integer(allow_none=True)
    website = fields.String(allow_none=True)
    laender = fields.Pluck(Ags, "ags", many=True, metadata={"description": "AGS of the Länder"})
    themes = fields.List(fields.Nested(Vocabulary), required=True)
    formats = fields.List(fields.Nested(Vocabulary), required=True)


class Initiative(PublicInitiative, Record, Address):
    """An initiative as its account may see it: what the public directory shows, and more."""

    legal_form = fields.String(allow_none=True)
    status = enum_field(InitiativeStatus, required=True)
    spatial_level = enum_field(SpatialLevel, allow_none=True)
    goals = fields.String(allow_none=True)
    host_organisation_id = fields.Integer(allow_none=True)
    member_count = fields.Integer(allow_none=True)
    member_count_date = fields.Date(allow_none=True)
    public_listing = fields.Boolean(required=True)
    kreise = fields.Pluck(Ags, "ags", many=True, metadata={"description": "AGS of the Kreise"})


class Organisation(Record, Address):
    """An organisation (staff)."""

    name = fields.String(required=True)
    legal_name = fields.String(allow_none=True)
    other_names = fields.String(allow_none=True)
    type = enum_field(OrgType, required=True)
    wz_section = fields.String(allow_none=True)
    wz_division = fields.String(allow_none=True)
    size_class = enum_field(SizeClass, allow_none=True)
    website = fields.String(allow_none=True)
    ags = fields.String(allow_none=True, metadata={"description": AGS_DESCRIPTION})
    parent_id = fields.Integer(allow_none=True)


class Person(Record):
    """A person (staff). `restricted`: processing is restricted (Art. 18 GDPR)."""

    salutation = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    preferred_language = fields.String(required=True)
    notes = fields.String(allow_none=True)
    lawful_basis = enum_field(LawfulBasis, allow_none=True)
    source = fields.String(allow_none=True)
    collected_at = fields.AwareDateTime(allow_none=True)
    restricted = fields.Boolean(required=True)
    anonymised_at = fields.AwareDateTime(allow_none=True)


class PublicAffiliation(ma.Schema):
    """An organisation a public contact may be shown with."""

    organisation = fields.String(required=True)
    function = fields.String(allow_none=True)


class PublicContact(ma.Schema):
    """A person who agreed to be named publicly (consent), with what may be shown."""

    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    affiliations = fields.List(fields.Nested(PublicAffiliation), required=True)


class PublicProfile(PublicInitiative):
    """A listed initiative with its public contacts."""

    contacts = fields.List(fields.Nested(PublicContact), required=True)


# -- what a client sends: the fields the web forms edit, under the names of the records.
# Types and lengths here; the web forms' own checks (crm.directory.forms and .checks) run
# on top, so that the API accepts exactly what the forms accept.


def _text(length: int, **kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=length), **kwargs)


def _choice(kind: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in kind]), **kwargs)


class AddressIn(ma.Schema):
    """The address: a PLZ fills an empty Kreis, Land and Ort, and must fit given ones."""

    street = _text(200)
    plz = _text(5)
    place = _text(120)
    kreis_ags = _text(5)
    land_ags = _text(2)


class OrganisationIn(AddressIn):
    """An organisation as a client creates or changes it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    legal_name = _text(250)
    other_names = _text(5_000, metadata={"description": "one name per line"})
    type = _choice(OrgType, required=True)
    wz_section = _text(1)
    wz_division = _text(2)
    size_class = _choice(SizeClass, allow_none=True)
    website = _text(300)
    ags = fields.String(
        allow_none=True,
        metadata={"description": f"{AGS_DESCRIPTION}; blanks are removed; null: none"},
    )
    parent_id = fields.Integer(allow_none=True, validate=validate.Range(1, INTEGER_LIMIT))


class PersonIn(ma.Schema):
    """A person as a client creates or changes it."""

    salutation = _text(20)
    title = _text(40)
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = _text(254)
    phone = _text(40)
    preferred_language = fields.String(validate=validate.OneOf(["de", "en"]))
    notes = _text(10_000)
    lawful_basis = _choice(LawfulBasis, allow_none=True)
    source = _text(200)
    restricted = StrictBoolean(metadata={"description": "processing restricted (Art. 18)"})


@functools.cache
def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of a list of `item` (one per item, as the spec names it)."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "pass as `cursor` for the next page; null: the end"},
            ),
        },
        name=f"{item.__name__}Page",
    )


InitiativePage = page_of(Initiative)
PublicInitiativePage = page_of(PublicInitiative)
