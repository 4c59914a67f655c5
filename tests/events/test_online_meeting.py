"""Online meeting (#18): room links of events and workshops (only for the seated and staff,
never on public pages), in the mails and on the personal page; the breakout-room files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.events import services
from crm.extensions import db
from crm.models import Registration, RegistrationStatus, Workshop
from tests.events.helpers import form_data, mails, open_event, personal_path

EVENT_ROOM = "https://konferenz.example.org/treffen-2027"
WORKSHOP_ROOM = "https://bbb.example.org/b/raum-a"


@pytest.fixture
def meeting(app, make):
    """A published online meeting with a room link; workshop A has its own room."""
    event, workshops = open_event(make, online_url=EVENT_ROOM)
    with app.app_context():
        db.session.get_one(Workshop, workshops[0].id).online_url = WORKSHOP_ROOM
        db.session.commit()
    return event, workshops


def _set(app, model, item_id, **values):
    with app.app_context():
        item = db.session.get_one(model, item_id)
        for name, value in values.items():
            setattr(item, name, value)
        db.session.commit()


def _room_of(app, workshop_id):
    with app.app_context():
        return db.session.get_one(Workshop, workshop_id).online_url


def _workshop_form(**overrides):
    data = {"title": "Fachkräfte", "capacity": "20", "position": "0", "moderator_email": ""}
    data.update(overrides)
    return data


def test_staff_save_a_workshop_room_link(client, login_as, meeting):
    login_as("staff")
    event, workshops = meeting
    path = f"/events/{event.id}/workshops/{workshops[1].id}/edit"
    assert client.get(path).status_code == 200
    url = "https://zoom.example.org/j/123?pwd=abc"
    response = client.post(path, data=_workshop_form(online_url=f"  {url} "))
    assert response.status_code == 302
    assert _room_of(client.application, workshops[1].id) == url
    assert url in client.get(f"/events/{event.id}").get_data(as_text=True)


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://example.org/x", "raum-a"])
def test_a_room_link_must_be_http(client, login_as, meeting, value):
    login_as("staff")
    event, workshops = meeting
    path = f"/events/{event.id}/workshops/{workshops[1].id}/edit"
    response = client.post(path, data=_workshop_form(online_url=value))
    assert response.status_code == 200
    assert "https://" in response.get_data(as_text=True)
    assert _room_of(client.application, workshops[1].id) is None


def test_public_pages_and_files_never_show_room_links(client, meeting):
    event, _ws = meeting
    for path in (f"/events/{event.id}/register", f"/events/{event.id}.ics", "/events.ics"):
        body = client.get(path).get_data(as_text=True)
        assert EVENT_ROOM not in body, path
        assert WORKSHOP_ROOM not in body, path


def test_personal_page_shows_the_rooms_of_the_seated(app, client, meeting):
    event, workshops = meeting
    client.post(f"/events/{event.id}/register", data=form_data(workshops))
    link = personal_path(app, "erika.mustermann@example.org")
    html = client.get(link).get_data(as_text=True)
    assert EVENT_ROOM in html and WORKSHOP_ROOM not in html  # not assigned yet
    with app.app_context():
        reg_id = db.session.scalar(select(Registration.id))
    _set(app, Registration, reg_id, assigned_workshop_id=workshops[0].id)
    html = client.get(link).get_data(as_text=True)
    assert EVENT_ROOM in html and WORKSHOP_ROOM in html
    _set(app, Registration, reg_id, status=RegistrationStatus.WAITLISTED)
    html = client.get(link).get_data(as_text=True)
    assert 'id="room-links"' not in html


def test_confirmation_has_the_event_room(app, client, meeting):
    event, workshops = meeting
    client.post(f"/events/{event.id}/register", data=form_data(workshops))
    [mail] = mails(app, "erika.mustermann@example.org")
    assert EVENT_ROOM in mail.body
    assert WORKSHOP_ROOM not in mail.body  # no workshop yet


@pytest.mark.parametrize(("assigned", "seen"), [(0, True), (1, False), (None, False)])
def test_reminder_has_the_room_of_the_assigned_workshop(app, make, meeting, assigned, seen):
    event, workshops = meeting
    person = make.person(email="ida@example.org")
    reg = make.registration(
        event,
        person,
        assigned_workshop_id=workshops[assigned].id if assigned is not None else None,
    )
    with app.app_context(), app.test_request_context():
        assert services.remind(reg.id)
        db.session.commit()
    [mail] = mails(app, "ida@example.org")
    assert EVENT_ROOM in mail.body
    assert (WORKSHOP_ROOM in mail.body) is seen
    if seen:
        assert "Link zum Online-Raum Ihres Workshops" in mail.body
