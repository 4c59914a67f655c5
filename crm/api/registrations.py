"""Registering a person for an event through the API: the public registration form's
checks (`RegistrationForm`), the event's own rules (window, status) and
`crm.events.services.register` (waitlist beyond capacity, the confirmation mail with the
personal link, the consents). Staff mark a registration as on the web (check-in, no-show,
reset, organisation confirmed) through `crm.events.services.MARKS`."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields
from marshmallow import validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from crm import permissions
from crm.api import writes
from crm.api.auth import fail
from crm.api.auth import invalid_body
from crm.api.schemas import INTEGER_LIMIT
from crm.api.schemas import StrictBoolean
from crm.events import queries
from crm.events import services
from crm.events.forms import RegistrationForm
from crm.events.public_views import registration_input
from crm.extensions import db
from crm.models import Event
from crm.models import Registration

# web form field → API field
API_NAMES = {"initiative": "initiative_id", "pref1": "workshop_ids", "pref2": "workshop_ids"}
API_NAMES |= {"pref3": "workshop_ids", "consent_event": "consent_event"}
# API field → web form field, of the consents
CONSENTS = {"consent_event": "consent_event", "newsletter": "consent_newsletter"}
CONSENTS |= {"photos": "consent_photos", "participant_list": "consent_participant_list"}


class RegistrationIn(ma.Schema):
    """A person to register (found by e-mail, or created) with up to three ranked wishes."""

    event_id = fields.Integer(required=True, validate=validate.Range(1, INTEGER_LIMIT))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    organisation = fields.String(allow_none=True, validate=validate.Length(max=200))
    initiative_id = fields.Integer(allow_none=True, validate=validate.Range(1, INTEGER_LIMIT))
    function = fields.String(allow_none=True, validate=validate.Length(max=120))
    workshop_ids = fields.List(
        fields.Integer(validate=validate.Range(1, INTEGER_LIMIT)),
        validate=validate.Length(max=3),
        metadata={"description": "wishes, first choice first"},
    )
    consent_event = StrictBoolean(
        required=True,
        metadata={"description": "the person agreed to the event communication (required)"},
    )
    newsletter = StrictBoolean()
    photos = StrictBoolean()
    participant_list = StrictBoolean()


def register(body: dict[str, Any]) -> Registration:
    """Register the person of `body` (committed); 422 with the form's messages otherwise."""
    event = db.session.get(Event, body["event_id"], options=[selectinload(Event.workshops)])
    if event is None:
        invalid_body({"event_id": ["Unknown event."]})
    problem = services.registration_problem(event)
    if problem is not None:
        invalid_body({"event_id": [str(problem)]})
    form = RegistrationForm(formdata=_posted(body), meta={"csrf": False})
    form.initiative.choices = queries.initiative_choices()
    for wish in form.preference_fields():
        wish.choices = queries.workshop_choices(event)
    valid = form.validate()
    if not (form.check_preferences(required=bool(event.workshops)) and valid):
        errors: dict[str, list[str]] = {}
        for name, messages in form.errors.items():
            errors.setdefault(API_NAMES.get(name, name), []).extend(str(m) for m in messages)
        invalid_body(errors)
    outcome = services.register(event.id, registration_input(form))
    registration_id = outcome.registration.id
    db.session.commit()
    return db.session.scalars(select(Registration).where(Registration.id == registration_id)).one()


def _posted(body: dict[str, Any]) -> MultiDict[str, str]:
    """The body as the public form is posted."""
    data: MultiDict[str, str] = MultiDict()
    for name in ("first_name", "last_name", "email", "organisation", "function"):
        if body.get(name) is not None:
            data[name] = body[name]
    if body.get("initiative_id") is not None:
        data["initiative"] = str(body["initiative_id"])
    for rank, workshop_id in enumerate(body.get("workshop_ids") or [], start=1):
        data[f"pref{rank}"] = str(workshop_id)
    for name, form_name in CONSENTS.items():
        if body.get(name):
            data[form_name] = "y"
    return data


class RegistrationChanges(ma.Schema):
    """A mark staff set on a registration, as the buttons of the registration list do."""

    action = fields.String(
        required=True,
        validate=validate.OneOf(sorted(services.MARKS)),
        metadata={
            "description": "checkin, no-show, reset (back to registered) or "
            "confirm-organisation; a mark that does not apply changes nothing"
        },
    )


def change(registration: Registration, changes: dict[str, Any]) -> Registration:
    """Set the mark of `changes` on the version named by If-Match (committed)."""
    if permissions.person_locked(registration):
        fail(403, "The person of this registration is restricted (Art. 18 GDPR).")
    # the row stays locked until the commit, so no other change slips in after the check
    db.session.refresh(registration, ["updated_at"], with_for_update=True)
    writes.require_current_version(registration)
    services.MARKS[changes["action"]](registration)  # False: the mark does not apply
    db.session.commit()
    return registration
