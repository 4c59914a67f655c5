"""What a visitor can do from the personal link of their registration: withdraw a
consent, delete the registration.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import InitiativeRole
from crm.models import Registration
from crm.models.activity import interaction_persons
from crm.privacy.common import PrivacyError
from crm.privacy.erasure import erase_persons
from crm.privacy.restriction import object_to_purpose
from crm.privacy.traces import anonymise_registrations


def withdraw_consent_by_token(registration: Registration, purpose: ConsentPurpose) -> bool:
    """A visitor withdraws one consent from their personal link. No commit."""
    if registration.person_id is None:
        return False
    return object_to_purpose(registration.person_id, purpose, ConsentMethod.WEB_FORM)


def person_has_other_data(person_id: int, except_registration: int | None = None) -> bool:
    """Does anything but the given registration (and consents) hang on the person?"""
    checks = [
        exists().where(Affiliation.person_id == person_id),
        exists().where(InitiativeRole.person_id == person_id),
        exists().where(interaction_persons.c.person_id == person_id),
        exists().where(
            Registration.person_id == person_id,
            Registration.id != (except_registration or 0),
        ),
    ]
    return any(db.session.scalar(select(check)) for check in checks)


def delete_registration_by_token(registration: Registration) -> str:
    """A visitor deletes their registration from their personal link: the row stays as an
    anonymous one (counts kept); a person known only from this registration is erased.
    Returns "erased" or "anonymised". No commit."""
    person_id = registration.person_id
    if person_id is None:
        raise PrivacyError(_("Diese Anmeldung ist bereits gelöscht."))
    if person_has_other_data(person_id, except_registration=registration.id):
        db.session.flush()
        anonymise_registrations(db.session.connection(), [registration.id])
        db.session.expire(registration)
        return "anonymised"
    erase_persons([person_id], _("Löschung der Anmeldung über den persönlichen Link"))
    return "erased"
