"""Writes of the links between records. The caller commits; auditing happens on flush.

The services check everything the database would otherwise refuse or silently accept
(a period that ends before it begins, the same link twice at the same time, a record
related to itself, a relationship between an initiative and an organisation) and raise
`LinkError` before changing anything. They know nothing about requests or user roles,
so that an editor portal can reuse them behind its own permission checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from crm.extensions import db
from crm.models import Affiliation
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import Person
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models.base import today


class LinkError(ValueError):
    """The link cannot be written as asked; `field` names the form field to blame.

    Fields: "pair" (the two ends: duplicate, self, mixed), "role", "since", "until".
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    """An optional begin and end, both inclusive."""

    since: dt.date | None = None
    until: dt.date | None = None

    def check(self) -> None:
        """Raise LinkError when the period ends before it begins."""
        if self.since is not None and self.until is not None and self.until < self.since:
            raise LinkError("until", _("Das Ende darf nicht vor dem Beginn liegen."))


def _overlapping(model: Any, period: Period) -> ColumnElement[bool]:
    """Rows of `model` whose period shares at least one day with `period`."""
    conditions: list[ColumnElement[bool]] = []
    if period.until is not None:
        conditions.append(or_(model.since.is_(None), model.since <= period.until))
    if period.since is not None:
        conditions.append(or_(model.until.is_(None), model.until >= period.since))
    return and_(true(), *conditions)


def _exists(model: Any, exclude_id: int | None, *conditions: ColumnElement[bool]) -> bool:
    query = select(model.id).where(*conditions)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _apply_period(link: Any, period: Period) -> None:
    link.since = period.since
    link.until = period.until


def _check_period_link(
    model: Any,
    period: Period,
    exclude_id: int | None,
    same: tuple[ColumnElement[bool], ...],
    refusal: tuple[str, str],
) -> None:
    """Refuse a period that ends before it begins, and a second `model` row matching
    `same` whose period overlaps (`refusal`: the field to blame and the message)."""
    period.check()
    if _exists(model, exclude_id, *same, _overlapping(model, period)):
        raise LinkError(*refusal)


def _add(link: Any, period: Period) -> Any:
    """Store a new membership, affiliation or role for `period`."""
    _apply_period(link, period)
    db.session.add(link)
    db.session.flush()
    return link


def can_end(link: Any, day: dt.date | None = None) -> bool:
    """Can `link` be ended today: it is running and not already ending by today?"""
    day = day or today()
    started = link.since is None or link.since <= day
    return started and (link.until is None or link.until > day)


def end_link(link: Any, day: dt.date | None = None) -> None:
    """End a running membership, affiliation or role today (until = today)."""
    day = day or today()
    if not can_end(link, day):
        raise LinkError(
            "until",
            _("Diese Verbindung läuft nicht (mehr) und kann daher nicht beendet werden."),
        )
    link.until = day
    db.session.flush()


def delete_link(link: Any) -> None:
    """Delete a membership, affiliation, initiative role or relationship."""
    db.session.delete(link)
    db.session.flush()


# -- memberships: organisation × initiative


def _check_membership(
    initiative_id: int, organisation_id: int, period: Period, exclude_id: int | None = None
) -> None:
    _check_period_link(
        Membership,
        period,
        exclude_id,
        (
            Membership.initiative_id == initiative_id,
            Membership.organisation_id == organisation_id,
        ),
        ("pair", _("Diese Organisation ist in diesem Zeitraum bereits Mitglied der Initiative.")),
    )


def create_membership(
    initiative: Initiative, organisation: Organisation, role: MembershipRole, period: Period
) -> Membership:
    """Make `organisation` a member of `initiative` in `role` for `period`."""
    _check_membership(initiative.id, organisation.id, period)
    return _add(
        Membership(initiative_id=initiative.id, organisation_id=organisation.id, role=role), period
    )


def update_membership(membership: Membership, role: MembershipRole, period: Period) -> None:
    """Change the role and period of a membership (its two ends stay)."""
    _check_membership(
        membership.initiative_id, membership.organisation_id, period, exclude_id=membership.id
    )
    membership.role = role
    _apply_period(membership, period)
    db.session.flush()


# -- affiliations: person × organisation


def _clean(text: str | None) -> str | None:
    return " ".join((text or "").split()) or None


def _check_affiliation(
    person_id: int, organisation_id: int, period: Period, exclude_id: int | None = None
) -> None:
    _check_period_link(
        Affiliation,
        period,
        exclude_id,
        (Affiliation.person_id == person_id, Affiliation.organisation_id == organisation_id),
        ("pair", _("Diese Person ist in diesem Zeitraum bereits der Organisation zugeordnet.")),
    )


def create_affiliation(
    person: Person, organisation: Organisation, function: str | None, period: Period
) -> Affiliation:
    """Record that `person` works for `organisation` (in `function`) during `period`."""
    _check_affiliation(person.id, organisation.id, period)
    affiliation = Affiliation(
        person_id=person.id, organisation_id=organisation.id, function=_clean(function)
    )
    return _add(affiliation, period)


def update_affiliation(affiliation: Affiliation, function: str | None, period: Period) -> None:
    """Change the function and period of an affiliation (its two ends stay)."""
    _check_affiliation(
        affiliation.person_id, affiliation.organisation_id, period, exclude_id=affiliation.id
    )
    affiliation.function = _clean(function)
    _apply_period(affiliation, period)
    db.session.flush()


# -- initiative roles: person × initiative


def _check_role(
    person_id: int,
    initiative_id: int,
    role: InitiativeRoleKind,
    period: Period,
    exclude_id: int | None = None,
) -> None:
    _check_period_link(
        InitiativeRole,
        period,
        exclude_id,
        (
            InitiativeRole.person_id == person_id,
            InitiativeRole.initiative_id == initiative_id,
            InitiativeRole.role == role,
        ),
        ("role", _("Diese Person hat diese Rolle in diesem Zeitraum bereits inne.")),
    )


def create_role(
    person: Person, initiative: Initiative, role: InitiativeRoleKind, period: Period
) -> InitiativeRole:
    """Give `person` the role `role` for `initiative` during `period`."""
    _check_role(person.id, initiative.id, role, period)
    return _add(InitiativeRole(person_id=person.id, initiative_id=initiative.id, role=role), period)


def update_role(item: InitiativeRole, role: InitiativeRoleKind, period: Period) -> None:
    """Change the role and period of an initiative role (its two ends stay)."""
    _check_role(item.person_id, item.initiative_id, role, period, exclude_id=item.id)
    item.role = role
    _apply_period(item, period)
    db.session.flush()


# -- relationships: initiative ↔ initiative or organisation ↔ organisation


def _pair_columns(record: Any) -> tuple[Any, Any]:
    if isinstance(record, Initiative):
        return Relationship.initiative_a_id, Relationship.initiative_b_id
    return Relationship.organisation_a_id, Relationship.organisation_b_id


def _check_relationship(
    a: Initiative | Organisation,
    b: Initiative | Organisation,
    kind: RelationshipKind,
    exclude_id: int | None = None,
) -> None:
    if type(a) is not type(b) or not isinstance(a, Initiative | Organisation):
        raise LinkError(
            "pair",
            _("Eine Beziehung verbindet zwei Initiativen oder zwei Organisationen."),
        )
    if a.id == b.id:
        raise LinkError("pair", _("Ein Datensatz kann keine Beziehung zu sich selbst haben."))
    col_a, col_b = _pair_columns(a)
    same_pair = or_(
        and_(col_a == a.id, col_b == b.id),
        and_(col_a == b.id, col_b == a.id),
    )
    if _exists(Relationship, exclude_id, same_pair, Relationship.kind == kind):
        raise LinkError("pair", _("Diese Beziehung ist bereits erfasst."))


def create_relationship(
    a: Initiative | Organisation,
    b: Initiative | Organisation,
    kind: RelationshipKind,
    note: str | None,
) -> Relationship:
    """Relate two initiatives or two organisations (never one of each, never one to itself)."""
    _check_relationship(a, b, kind)
    if isinstance(a, Initiative):
        rel = Relationship(initiative_a_id=a.id, initiative_b_id=b.id, kind=kind)
    else:
        rel = Relationship(organisation_a_id=a.id, organisation_b_id=b.id, kind=kind)
    rel.note = (note or "").strip() or None
    db.session.add(rel)
    db.session.flush()
    return rel


def update_relationship(
    rel: Relationship,
    a: Initiative | Organisation,
    b: Initiative | Organisation,
    kind: RelationshipKind,
    note: str | None,
) -> None:
    """Change the kind and note of a relationship (`a` and `b` are its loaded ends)."""
    _check_relationship(a, b, kind, exclude_id=rel.id)
    rel.kind = kind
    rel.note = (note or "").strip() or None
    db.session.flush()
