"""What the portal reads: always within the editor's own initiative."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz import process
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.directory.loading import by_id
from crm.directory.loading import links_of
from crm.extensions import db
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models.text import fold

MATCH_CUTOFF = 80  # rapidfuzz WRatio, 0–100: below this a name is not offered as a match
MATCH_LIMIT = 5


@dataclass(frozen=True)
class Portal:
    """The editor's initiative with its current members and contact persons."""

    initiative: Initiative
    memberships: list[Membership]
    roles: list[InitiativeRole]


def own_initiative(initiative_id: int) -> Initiative | None:
    """The initiative with the vocabularies the profile form shows."""
    return by_id(
        Initiative, initiative_id, Initiative.themes, Initiative.formats, Initiative.laender
    )


def portal(initiative_id: int) -> Portal | None:
    """Everything the portal's start page shows, in four queries."""
    initiative = own_initiative(initiative_id)
    if initiative is None:
        return None
    memberships = links_of(
        Membership,
        Membership.organisation,
        Membership.initiative_id == initiative_id,
        Membership.is_active,
        order_by=(Organisation.sort_name,),
    )
    roles = db.session.scalars(
        select(InitiativeRole)
        .join(InitiativeRole.person)
        .where(
            InitiativeRole.initiative_id == initiative_id,
            InitiativeRole.is_active,
            Person.restricted.is_(False),  # Art. 18: see permissions.can_see_person
        )
        .options(selectinload(InitiativeRole.person).selectinload(Person.consents))
        .order_by(Person.sort_name, InitiativeRole.role)
    ).all()
    return Portal(initiative, memberships, list(roles))


def own_membership(initiative_id: int, membership_id: int) -> Membership | None:
    """A membership of the editor's initiative (None for anyone else's)."""
    return db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.initiative_id == initiative_id
        )
    )


def own_role(initiative_id: int, role_id: int) -> InitiativeRole | None:
    """A contact role in the editor's initiative (None for anyone else's, and None for a
    person whose processing is restricted: the portal never shows them, Art. 18 GDPR)."""
    return db.session.scalar(
        select(InitiativeRole)
        .join(InitiativeRole.person)
        .where(
            InitiativeRole.id == role_id,
            InitiativeRole.initiative_id == initiative_id,
            Person.restricted.is_(False),
        )
        .options(selectinload(InitiativeRole.person).selectinload(Person.consents))
    )


def matching_organisations(name: str) -> list[Organisation]:
    """Existing organisations whose names resemble `name`, best first.

    Names are compared folded (case, umlauts, legal-form punctuation) with rapidfuzz's
    weighted ratio, so "Thyssen Stahl" finds "thyssenkrupp Steel Stahl AG" and a typo
    still finds the record. Only ids and sort names are read for the comparison.
    """
    folded = fold(name)
    if len(folded) < 2:
        return []
    names = {i: n for i, n in db.session.execute(select(Organisation.id, Organisation.sort_name))}
    hits = process.extract(
        folded, names, scorer=fuzz.WRatio, limit=MATCH_LIMIT, score_cutoff=MATCH_CUTOFF
    )
    ids = [key for _name, _score, key in hits]
    if not ids:
        return []
    found = {
        o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    return [found[i] for i in ids if i in found]
