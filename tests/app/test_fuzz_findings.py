"""Server errors the property-based probe (tests/app/test_fuzz.py) found, each kept as a test."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus


@pytest.mark.parametrize("action", ["checkin", "no-show", "reset"])
def test_marking_a_registration_whose_person_was_deleted(app, client, login_as, make, action):
    """Found by the probe: get_one(Person, None) after the person was deleted."""
    login_as("staff")
    event = make.event()
    person = make.person()
    registration = make.registration(event, person, status=RegistrationStatus.REGISTERED)
    with app.app_context(), writing():
        db.session.execute(delete(Person).where(Person.id == person.id))
        db.session.commit()
        assert db.session.get(Registration, registration.id).person_id is None
    response = client.post(f"/events/{event.id}/registrations/{registration.id}/{action}")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert follow.status_code == 200
