"""Restriction of processing (Art. 18) and objection to a purpose (Art. 21)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Person
from crm.models.base import utcnow
from crm.privacy.common import checked_reason


def restrict_person(person: Person, reason: str) -> bool:
    """Restrict processing of `person` (reason required). False when already restricted
    with the same reason (nothing written). No commit."""
    reason = checked_reason(
        reason,
        500,
        _("Bitte einen Grund für die Einschränkung angeben."),
        _("Der Grund darf höchstens 500 Zeichen lang sein."),
    )
    if person.restricted and person.restriction_reason == reason:
        return False
    if not person.restricted:
        person.restricted_at = utcnow()
    person.restricted = True
    person.restriction_reason = reason
    return True


def lift_restriction(person: Person) -> bool:
    """Lift the restriction; False when there was none. No commit."""
    if not person.restricted:
        return False
    person.restricted = False
    person.restriction_reason = None
    person.restricted_at = None
    return True


def latest_consents(person_id: int) -> dict[ConsentPurpose, Consent]:
    """The latest consent per purpose of the person."""
    out: dict[ConsentPurpose, Consent] = {}
    for consent in db.session.scalars(
        select(Consent).where(Consent.person_id == person_id).order_by(Consent.given_at, Consent.id)
    ):
        out[consent.purpose] = consent
    return out


def object_to_purpose(
    person_id: int, purpose: ConsentPurpose, method: ConsentMethod = ConsentMethod.EMAIL
) -> bool:
    """The person objects to `purpose`: the consent is revoked everywhere at once (a
    revocation becomes the latest consent for the purpose, the old rows stay as proof).
    False when there was nothing to revoke. No commit."""
    latest = latest_consents(person_id).get(purpose)
    if latest is None or latest.status == ConsentStatus.REVOKED:
        return False
    db.session.add(
        Consent(
            person_id=person_id,
            purpose=purpose,
            status=ConsentStatus.REVOKED,
            method=method,
            text_version=latest.text_version,
            given_at=utcnow(),
        )
    )
    return True
