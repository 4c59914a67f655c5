"""Writes of the directory records: create, update and delete initiatives, organisations
and persons. The caller commits; auditing and the search index follow automatically.

Updates take the typed values of a form (`forms.*Form.values()`), so that a conflict
resolution can hand in a mix of "mine" and "current" values the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.directory.checks import is_own_ancestor
from crm.directory.loading import relationships_of
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Bundesland
from crm.models import Consent
from crm.models import Format
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import Interaction
from crm.models import Kreis
from crm.models import LawfulBasis
from crm.models import Membership
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from crm.models import Relationship
from crm.models import SizeClass
from crm.models import SpatialLevel
from crm.models import SuggestionFeedback
from crm.models import Theme
from crm.models import interaction_persons
from crm.models.base import utcnow
from crm.reference.geo import resolve_plz


class RefusedDelete(Exception):
    """A record that may not be deleted as it is (the message says why)."""


def _position(values: dict[str, Any]) -> tuple[float | None, float | None]:
    """Map position of the address: the PLZ candidate of the chosen Kreis and place."""
    plz = values.get("plz")
    if not plz:
        return None, None
    candidates = resolve_plz(plz)
    fitting = [c for c in candidates if c.kreis_ags == values.get("kreis")] or candidates
    exact = [c for c in fitting if c.place == values.get("place")] or fitting
    return (exact[0].lat, exact[0].lon) if exact else (None, None)


def apply_address(record: Any, values: dict[str, Any]) -> None:
    """Set street, PLZ, place, Kreis and Land, and the map position that goes with them."""
    _copy(record, values, ("street", "plz", "place"))
    record.kreis_ags = values["kreis"]
    record.land_ags = values["land"]
    lat, lon = _position(values)
    if (lat, lon) != (record.lat, record.lon):
        record.lat, record.lon = lat, lon


def _by_ids(model: Any, key: Any, ids: list[str], *, numeric: bool) -> list[Any]:
    if not ids:
        return []
    wanted = [int(i) for i in ids] if numeric else list(ids)
    return list(db.session.scalars(select(model).where(key.in_(wanted)).order_by(key)))


def _bump(record: Any) -> None:
    """Make any change, also one of the link tables only, count as a new version."""
    if record.id is not None and db.session.is_modified(record, include_collections=True):
        record.updated_at = utcnow()


def _copy(record: Any, values: dict[str, Any], names: tuple[str, ...]) -> None:
    """Set the fields `names` to the form values of the same name, as they are."""
    for name in names:
        setattr(record, name, values[name])


def _optional(enum_cls: Any, value: str | None) -> Any:
    return enum_cls(value) if value else None


def apply_initiative(record: Initiative, values: dict[str, Any]) -> None:
    """Set an initiative's fields (its collections must be loaded when it is stored)."""
    _copy(
        record,
        values,
        (
            "name",
            "short_name",
            "legal_form",
            "founded_year",
            "region_label",
            "website",
            "description",
            "goals",
            "member_count",
            "member_count_date",
        ),
    )
    record.type = InitiativeType(values["type"])
    record.status = InitiativeStatus(values["status"])
    record.spatial_level = _optional(SpatialLevel, values["spatial_level"])
    record.host_organisation_id = values["host_organisation"]
    record.public_listing = bool(values["public_listing"])
    apply_address(record, values)
    record.themes = _by_ids(Theme, Theme.id, values["themes"], numeric=True)
    record.formats = _by_ids(Format, Format.id, values["formats"], numeric=True)
    record.laender = _by_ids(Bundesland, Bundesland.ags, values["laender"], numeric=False)
    record.kreise = _by_ids(Kreis, Kreis.ags, values["kreise"], numeric=False)
    _bump(record)


def apply_organisation(record: Organisation, values: dict[str, Any]) -> None:
    """Set an organisation's fields."""
    _copy(
        record,
        values,
        ("name", "legal_name", "other_names", "wz_section", "wz_division", "website", "ags"),
    )
    record.type = OrgType(values["type"])
    record.size_class = _optional(SizeClass, values["size_class"])
    record.parent_id = values["parent"]
    apply_address(record, values)
    _bump(record)


def apply_person(record: Person, values: dict[str, Any]) -> None:
    """Set a person's fields."""
    _copy(
        record,
        values,
        ("salutation", "title", "first_name", "last_name", "email", "phone", "notes", "source"),
    )
    record.preferred_language = values["preferred_language"] or "de"
    record.lawful_basis = _optional(LawfulBasis, values["lawful_basis"])
    restricted = bool(values["restricted"])
    if restricted and not record.restricted:  # Art. 18: since when (the reason: Datenschutz tab)
        record.restricted_at = utcnow()
    record.restricted = restricted
    if record.id is None and record.collected_at is None:
        record.collected_at = utcnow()
    _bump(record)


APPLY: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "initiative": apply_initiative,
    "organisation": apply_organisation,
    "person": apply_person,
}


def create(kind: str, values: dict[str, Any]) -> Any:
    """A new initiative, organisation or person from form values (flushed, not committed)."""
    record: Any
    if kind == "initiative":
        record = Initiative(themes=[], formats=[], laender=[], kreise=[])
    elif kind == "organisation":
        record = Organisation()
    else:
        record = Person()
    APPLY[kind](record, values)
    db.session.add(record)
    db.session.flush()
    return record


def update(kind: str, record: Any, values: dict[str, Any]) -> None:
    """Change a record (flushed; SQLAlchemy checks and bumps its version)."""
    APPLY[kind](record, values)
    db.session.flush()


def parent_error(record: Organisation | None, parent_id: int | None) -> bool:
    """True when `parent_id` cannot be the parent of `record` (itself or a descendant)."""
    if record is None or record.id is None or parent_id is None:
        return False
    return is_own_ancestor(record, parent_id)


def _rows(model: Any, *where: Any) -> list[Any]:
    return list(db.session.scalars(select(model).where(*where)))


def _alone_interactions(own: str, other: str, record_id: int) -> list[Interaction]:
    """The interactions logged against a record (`own` column) and no `other` record, to go
    with it; those that also name an `other` record stay there and only lose this one."""
    alone = []
    for item in db.session.scalars(
        select(Interaction)
        .where(getattr(Interaction, own) == record_id)
        .options(selectinload(Interaction.persons))
    ):
        if getattr(item, other) is not None:
            setattr(item, own, None)
        else:
            alone.append(item)
    return alone


def _feedback_of(kind: str, record_id: int) -> list[SuggestionFeedback]:
    if kind not in ("initiative", "organisation"):
        return []
    return _rows(
        SuggestionFeedback,
        or_(
            (SuggestionFeedback.source_type == kind) & (SuggestionFeedback.source_id == record_id),
            (SuggestionFeedback.target_type == kind) & (SuggestionFeedback.target_id == record_id),
        ),
    )


def delete(kind: str, record: Any) -> None:
    """Delete a record and, one by one (so that each is audited), what hangs on it.

    Interactions logged against the record alone go with it; those that also name
    another record stay there. A person's event registrations go with the person.
    Editor accounts of an initiative are never deleted here (`RefusedDelete`).
    """
    children: list[Any] = []
    if kind == "initiative":
        from crm.models import User

        editors = db.session.scalar(select(User.id).where(User.initiative_id == record.id).limit(1))
        if editors is not None:
            raise RefusedDelete("editor accounts")
        children += _rows(Membership, Membership.initiative_id == record.id)
        children += _rows(InitiativeRole, InitiativeRole.initiative_id == record.id)
        children += _rows(Relationship, relationships_of("initiative", record.id))
        children += _alone_interactions("initiative_id", "organisation_id", record.id)
    elif kind == "organisation":
        children += _rows(Membership, Membership.organisation_id == record.id)
        children += _rows(Affiliation, Affiliation.organisation_id == record.id)
        children += _rows(Relationship, relationships_of("organisation", record.id))
        # links that the database would clear silently are cleared here, audited
        for hosted in _rows(Initiative, Initiative.host_organisation_id == record.id):
            hosted.host_organisation_id = None
            hosted.updated_at = utcnow()
        for child in _rows(Organisation, Organisation.parent_id == record.id):
            child.parent_id = None
        children += _alone_interactions("organisation_id", "initiative_id", record.id)
    else:
        children += _rows(Affiliation, Affiliation.person_id == record.id)
        children += _rows(InitiativeRole, InitiativeRole.person_id == record.id)
        children += _rows(Consent, Consent.person_id == record.id)
        children += _rows(Registration, Registration.person_id == record.id)
        db.session.execute(
            interaction_persons.delete().where(interaction_persons.c.person_id == record.id)
        )
    children += _feedback_of(kind, record.id)
    for child in children:
        db.session.delete(child)
    db.session.flush()
    db.session.delete(record)
    db.session.flush()
