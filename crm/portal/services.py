"""The portal's writes. Each takes the editor's initiative explicitly and named values.

Nothing here looks at the request or the user's role: the views decide who may call
what (crm.permissions), these functions decide what a change means. Changes go live
at once; the audit hook records them with the editor as actor, which is what the
office's review feed ("Änderungen durch Initiativen") reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.directory.services import apply_address
from crm.extensions import db
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Format
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import LawfulBasis
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Theme
from crm.models.base import today
from crm.models.text import fold
from crm.reference.geo import resolve_plz
from crm.web.uploads import remove_logo
from crm.web.uploads import store_logo


class Conflict(Exception):
    """The record changed since the form was rendered."""


class Refused(ValueError):
    """A change that would break a rule; the message is for the editor."""


@dataclass(frozen=True)
class ProfileChange:
    """What the profile form may change, and nothing else."""

    description: str | None
    goals: str | None
    website: str | None
    street: str | None
    plz: str | None
    place: str | None
    theme_ids: list[int]
    format_ids: list[int]
    logo: IO[bytes] | None = None
    remove_logo: bool = False


def _address(plz: str | None, place: str | None) -> tuple[str | None, str | None, str | None]:
    """(place, Kreis, Land) for a PLZ: the candidate whose place was typed, else the first
    unambiguous part; the typed place wins over the postcode's own name."""
    if not plz:
        return place, None, None
    candidates = resolve_plz(plz)
    if not candidates:
        return place, None, None
    chosen = [c for c in candidates if place and fold(c.place) == fold(place)] or candidates
    kreise = {c.kreis_ags for c in chosen}
    laender = {c.land_ags for c in chosen}
    return (
        place or chosen[0].place,
        kreise.pop() if len(kreise) == 1 else None,
        laender.pop() if len(laender) == 1 else None,
    )


def update_profile(initiative: Initiative, version: int | None, change: ProfileChange) -> None:
    """Apply the profile form; Conflict when someone saved in between."""
    if version != initiative.version:
        raise Conflict
    old_logo = initiative.logo_filename
    new_logo = store_logo(change.logo) if change.logo is not None else None  # may raise UploadError
    if (change.street, change.plz, change.place) == (
        initiative.street,
        initiative.plz,
        initiative.place,
    ):  # the address as it is: keep its Kreis and Land (a PLZ may span several)
        place, kreis, land = initiative.place, initiative.kreis_ags, initiative.land_ags
    else:
        place, kreis, land = _address(change.plz, change.place)
    initiative.description = change.description
    initiative.goals = change.goals
    initiative.website = change.website
    apply_address(
        initiative,
        {"street": change.street, "plz": change.plz, "place": place, "kreis": kreis, "land": land},
    )
    initiative.themes = list(
        db.session.scalars(select(Theme).where(Theme.id.in_(change.theme_ids)))
    )
    initiative.formats = list(
        db.session.scalars(select(Format).where(Format.id.in_(change.format_ids)))
    )
    if new_logo is not None:
        initiative.logo_filename = new_logo
    elif change.remove_logo:
        initiative.logo_filename = None
    db.session.commit()
    if initiative.logo_filename != old_logo:
        remove_logo(old_logo)


def add_member(
    initiative_id: int,
    *,
    organisation_id: int | None,
    name: str,
    org_type: OrgType,
    place: str | None,
    role: MembershipRole,
    since: dt.date | None,
) -> Membership:
    """Add an organisation (an existing one, or a new one) as a member."""
    if since is not None and since > today():
        raise Refused(_("Das Datum liegt in der Zukunft."))
    if organisation_id is None:
        organisation = Organisation(name=name.strip(), type=org_type, place=place)
        db.session.add(organisation)
        db.session.flush()
    else:
        found = db.session.get(Organisation, organisation_id)
        if found is None:
            raise Refused(_("Diese Organisation gibt es nicht (mehr)."))
        organisation = found
    duplicate = db.session.scalar(
        select(Membership.id).where(
            Membership.initiative_id == initiative_id,
            Membership.organisation_id == organisation.id,
            Membership.is_active,
        )
    )
    if duplicate is not None:
        raise Refused(_("Diese Organisation ist bereits Mitglied."))
    membership = Membership(
        initiative_id=initiative_id, organisation_id=organisation.id, role=role, since=since
    )
    db.session.add(membership)
    db.session.commit()
    return membership


def end_day() -> dt.date:
    """The last day of a membership or role that ends now: yesterday."""
    return today() - dt.timedelta(days=1)


def ends_by_deletion(link: Membership | InitiativeRole) -> bool:
    """Ending `link` now removes it: it began only today (or later)."""
    return link.since is not None and link.since > end_day()


def end_link(link: Membership | InitiativeRole) -> None:
    """End a membership or role: it was active until yesterday (or never, if it began today)."""
    if ends_by_deletion(link):
        db.session.delete(link)
    else:
        link.until = end_day()
    db.session.commit()


def add_contact(
    initiative_id: int,
    *,
    person: dict[str, Any],
    role: InitiativeRoleKind,
    consents: list[ConsentPurpose],
    method: ConsentMethod,
) -> InitiativeRole:
    """A new contact person of the initiative, with the consents the initiative collected."""
    email = (person.get("email") or "").strip().lower() or None
    new = Person(
        salutation=person.get("salutation"),
        title=person.get("title"),
        first_name=person["first_name"],
        last_name=person["last_name"],
        email=email,
        phone=person.get("phone"),
        lawful_basis=LawfulBasis.LEGITIMATE_INTEREST,
        source="Initiative (Selbstpflege)",
    )
    db.session.add(new)
    db.session.flush()
    for purpose in consents:
        db.session.add(
            Consent(
                person_id=new.id, purpose=purpose, status=ConsentStatus.CONFIRMED, method=method
            )
        )
    contact = InitiativeRole(person_id=new.id, initiative_id=initiative_id, role=role)
    db.session.add(contact)
    db.session.commit()
    return contact


def record_consent(
    person_id: int, purpose: ConsentPurpose, status: ConsentStatus, method: ConsentMethod
) -> Consent | None:
    """Record a consent (or its revocation) as a new entry; earlier entries stay as history.

    None when the latest entry for the purpose already says the same (nothing to record).
    """
    latest = db.session.scalars(
        select(Consent)
        .where(Consent.person_id == person_id, Consent.purpose == purpose)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()
    if latest is not None and (latest.status, latest.method) == (status, method):
        return None
    consent = Consent(person_id=person_id, purpose=purpose, status=status, method=method)
    db.session.add(consent)
    db.session.commit()
    return consent
