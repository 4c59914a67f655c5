"""Online meeting (#18): room links of events and workshops (only for the seated and staff,
never on public pages), in the mails and on the personal page; the breakout-room files."""

from __future__ import annotations

import csv
import io

import pytest
from flask import render_template
from sqlalchemy import select

from crm.events import services
from crm.extensions import db
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from tests.events.helpers import form_data
from tests.events.helpers import mails
from tests.events.helpers import open_event
from tests.events.helpers import personal_path
from tests.helpers import assert_turned_away

EVENT_ROOM = "https://konferenz.example.org/treffen-2027"
WORKSHOP_ROOM = "https://bbb.example.org/b/raum-a"
WAITS = RegistrationStatus.WAITLISTED


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
    paths = (
        f"/events/{event.id}/register",
        f"/veranstaltungen/{event.slug}",
        "/verzeichnis/veranstaltungen",
        f"/events/{event.id}.ics",
        "/events.ics",
    )
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
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


# -- the breakout-room files and the moderators' lists


def _plain(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff")  # Zoom reads the first header without a BOM
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def assigned(make, meeting):
    """Workshop A: Anna (org), Bernd (no e-mail), Clara (restricted); B: Dora; Emil waits."""
    event, workshops = meeting
    a, b = workshops[0].id, workshops[1].id
    org = make.organisation(name="Beispiel Maschinenbau GmbH")
    people = {
        "anna": (make.person(first_name="Anna", last_name="Arndt", email="anna@example.org"), a),
        "bernd": (make.person(first_name="Bernd", last_name="Brandt", email=None), a),
        "clara": (
            make.person(
                first_name="Clara", last_name="Claus", email="clara@example.org", restricted=True
            ),
            a,
        ),
        "dora": (make.person(first_name="Dora", last_name="Dorn", email="dora@example.org"), b),
        "emil": (make.person(first_name="Emil", last_name="Ernst", email="emil@example.org"), None),
    }
    for key, (person, workshop_id) in people.items():
        make.registration(
            event,
            person,
            assigned_workshop_id=workshop_id,
            organisation_id=org.id if key == "anna" else None,
            organisation_text="IG Metall Bezirk" if key == "dora" else None,
            status=RegistrationStatus.WAITLISTED
            if key == "emil"
            else RegistrationStatus.REGISTERED,
        )
    return event, workshops


def test_zoom_pre_assignment_file(client, login_as, assigned):
    login_as("staff")
    event, _ws = assigned
    response = client.get(f"/events/{event.id}/breakout-rooms/zoom.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert _plain(response.data) == [
        ["Pre-assign Room Name", "Email Address"],
        ["Workshop A", "anna@example.org"],  # Bernd has no e-mail, Clara is restricted
        ["Workshop B", "dora@example.org"],  # Emil waits: no seat, no room
    ]


def test_rooms_file_for_other_tools(client, login_as, assigned):
    login_as("staff")
    event, _ws = assigned
    response = client.get(f"/events/{event.id}/breakout-rooms.csv")
    assert response.status_code == 200
    assert _plain(response.data) == [
        ["Raum", "Name", "E-Mail", "Organisation"],
        ["Workshop A", "Anna Arndt", "anna@example.org", "Beispiel Maschinenbau GmbH"],
        ["Workshop A", "Bernd Brandt", "", ""],
        ["Workshop B", "Dora Dorn", "dora@example.org", "IG Metall Bezirk"],
    ]


def test_moderation_list_is_printable(client, login_as, assigned):
    login_as("staff")
    event, workshops = assigned
    response = client.get(f"/events/{event.id}/workshops/{workshops[0].id}/moderation")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "css/moderation.css" in html and "data-print" in html
    assert "Anna Arndt" in html and "Bernd Brandt" in html and "Dora Dorn" not in html
    assert WORKSHOP_ROOM in html
    assert "anna@example.org" not in html  # no e-mail addresses on paper
    lists = client.get(f"/events/{event.id}/workshop-lists").get_data(as_text=True)
    assert f"/events/{event.id}/breakout-rooms/zoom.csv" in lists
    assert f"/events/{event.id}/workshops/{workshops[0].id}/moderation" in lists


def test_room_files_of_unknown_records_are_404(client, login_as, make, assigned):
    login_as("staff")
    event, _ws = assigned
    other, other_ws = open_event(make)
    assert client.get("/events/987654/breakout-rooms.csv").status_code == 404
    assert client.get("/events/987654/breakout-rooms/zoom.csv").status_code == 404
    path = f"/events/{event.id}/workshops/{other_ws[0].id}/moderation"
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "editor"])
@pytest.mark.parametrize(
    "path",
    [
        "/events/{e}/breakout-rooms/zoom.csv",
        "/events/{e}/breakout-rooms.csv",
        "/events/{e}/workshops/{w}/moderation",
    ],
)
def test_room_files_are_staff_only(client, make, login_as, assigned, who, path):
    event, workshops = assigned
    if who == "editor":
        login_as("editor", initiative=make.initiative())
    response = client.get(path.format(e=event.id, w=workshops[0].id))
    assert_turned_away(response, who)
    assert b"anna@example.org" not in response.data


def test_workshop_assigned_mail_has_the_room(app, meeting):
    event, workshops = meeting
    with app.app_context(), app.test_request_context():
        workshop = db.session.get_one(Workshop, workshops[0].id)
        person = Person(first_name="Ida", last_name="Iske")
        body = render_template(
            "mail/workshop_assigned.txt", event=event, person=person, workshop=workshop
        )
        assert f"Link zum Online-Raum Ihres Workshops: {WORKSHOP_ROOM}" in body
        plain = db.session.get_one(Workshop, workshops[1].id)
        body = render_template(
            "mail/workshop_assigned.txt", event=event, person=person, workshop=plain
        )
        assert "Online-Raum Ihres Workshops" not in body
