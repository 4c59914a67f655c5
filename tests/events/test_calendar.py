"""Calendar (issue 17, part 5): ICS files in Berlin time with their VTIMEZONE, SEQUENCE raised
on every change of time, place or status, mails with the updated ICS or METHOD:CANCEL, the
public feed /events.ics and the private feed of a staff account (revocable token).

Every file is opened with icalendar, as a calendar application would read it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from crm.extensions import db
from crm.mail.services import build_message
from crm.models import Event
from crm.models import EventStatus
from crm.models import RegistrationStatus
from crm.models import User
from tests.events.helpers import mails
from tests.events.helpers import open_event
from tests.events.test_events_staff import EVENT_FORM

BERLIN = ZoneInfo("Europe/Berlin")
FEED_URL = re.compile(r"https?://[^/\s]+(/kalender/[A-Za-z0-9_\-]+\.ics)")


def _vevents(data: bytes | str) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_ics_file_is_in_berlin_time_with_its_timezone(client, make):
    summer = dt.datetime(2027, 7, 1, 8, 0, tzinfo=dt.UTC)  # 10:00 CEST
    event, _ = open_event(make, title="Sommerforum", starts_at=summer, venue="Halle 3")
    response = client.get(f"/events/{event.id}.ics")
    text = response.get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Berlin:20270701T100000" in text
    calendar, [vevent] = _vevents(response.data)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    start = vevent.decoded("dtstart")
    assert start == summer and start.utcoffset() == dt.timedelta(hours=2)
    assert str(vevent["uid"]) == f"event-{event.id}@industrienetz.example.org"
    assert vevent.decoded("sequence") == 0
    assert vevent.decoded("dtstamp").tzinfo is not None
    assert "last-modified" in vevent
    assert str(vevent["status"]) == "CONFIRMED"
    assert str(calendar["method"]) == "PUBLISH"


def _edit(client, app, event_id: int, **changes: str) -> None:
    with app.app_context():
        version = db.session.get_one(Event, event_id).version
    data = EVENT_FORM | {"version": str(version)} | changes
    assert client.post(f"/events/{event_id}/edit", data=data).status_code == 302


def _sequence(app, event_id: int) -> int:
    with app.app_context():
        return db.session.get_one(Event, event_id).sequence


@pytest.fixture
def staff_event(app, client, login_as) -> Event:
    """An event staff created through the form; staff stays logged in."""
    login_as("staff")
    client.post("/events/new", data=EVENT_FORM)
    with app.app_context():
        return db.session.scalars(select(Event)).one()


def _mails_to_registrants(app) -> list:
    """The mails so far: to the registered and the waitlisted person, none to the cancelled."""
    sent = mails(app)
    assert {m.to_address for m in sent} == {"registered@example.org", "waitlisted@example.org"}
    return sent


def _registrants(make, event):
    people = {
        status: make.person(email=f"{status.value}@example.org", first_name="Alex")
        for status in (
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.CANCELLED,
        )
    }
    for status, person in people.items():
        make.registration(event, person, status=status)
    return people


def test_new_time_raises_sequence_and_mails_the_updated_ics(app, client, make, staff_event):
    event = staff_event
    _registrants(make, event)

    _edit(client, app, event.id, title="Neuer Titel")  # no time, place or status change
    assert _sequence(app, event.id) == 0 and mails(app) == []

    _edit(client, app, event.id, starts_at="2027-03-10T11:00", ends_at="2027-03-10T16:00")
    assert _sequence(app, event.id) == 1
    sent = _mails_to_registrants(app)
    calendar, [vevent] = _vevents(sent[0].ics)
    assert str(calendar["method"]) == "PUBLISH"
    assert vevent.decoded("sequence") == 1
    assert vevent.decoded("dtstart") == dt.datetime(2027, 3, 10, 11, 0, tzinfo=BERLIN)
    assert str(vevent["uid"]) == f"event-{event.id}@industrienetz.example.org"
    assert "neuen Termin oder Ort" in sent[0].body

    _edit(
        client,
        app,
        event.id,
        starts_at="2027-03-10T11:00",
        ends_at="2027-03-10T16:00",
        venue="Rathaus Offenbach",
    )
    assert _sequence(app, event.id) == 2
    [*_, last] = mails(app, "registered@example.org")
    calendar, [vevent] = _vevents(last.ics)
    assert vevent.decoded("sequence") == 2 and "Rathaus Offenbach" in str(vevent["location"])


def test_cancelling_mails_method_cancel(app, client, make, staff_event):
    event = staff_event
    _registrants(make, event)
    _edit(client, app, event.id, status="abgesagt")
    assert _sequence(app, event.id) == 1
    sent = _mails_to_registrants(app)
    assert sent[0].subject.startswith("Abgesagt:")
    calendar, [vevent] = _vevents(sent[0].ics)
    assert str(calendar["method"]) == "CANCEL"
    assert str(vevent["status"]) == "CANCELLED" and vevent.decoded("sequence") == 1
    assert str(vevent["uid"]) == f"event-{event.id}@industrienetz.example.org"
    with app.app_context():
        message = build_message(db.session.merge(sent[0]), "buero@example.org")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"
    # saving the cancelled event again sends nothing more
    _edit(client, app, event.id, status="abgesagt", title="Abgesagt: Treffen")
    assert len(mails(app)) == 2


def test_public_feed_lists_published_and_cancelled_events_not_drafts(client, make):
    shown = make.event(title="Öffentliches Treffen")
    cancelled = make.event(title="Abgesagtes Treffen", status=EventStatus.ABGESAGT)
    make.event(title="Entwurf", status=EventStatus.ENTWURF)
    make.event(title="Lange her", starts_at=dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC))
    response = client.get("/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, vevents = _vevents(response.data)
    assert {str(v["summary"]): str(v["status"]) for v in vevents} == {
        "Öffentliches Treffen": "CONFIRMED",
        "Abgesagtes Treffen": "CANCELLED",
    }
    assert calendar.walk("VTIMEZONE") and str(calendar["x-wr-timezone"]) == "Europe/Berlin"
    urls = {str(v["uid"]): str(v["url"]) for v in vevents}
    assert urls[f"event-{shown.id}@industrienetz.example.org"].endswith(
        f"/events/{shown.id}/register"
    )
    assert f"event-{cancelled.id}@industrienetz.example.org" in urls


def _new_feed_url(client) -> str:
    page = client.post("/kalender", data={"action": "new"}).get_data(as_text=True)
    found = FEED_URL.search(page)
    assert found, page
    return found[1]


def test_private_feed_with_drafts_and_own_follow_ups_and_a_revocable_token(
    app, client, make, login_as
):
    user = login_as("staff")
    other = make.user(role="staff")
    make.event(title="Öffentliches Treffen")
    make.event(title="Interner Entwurf", status=EventStatus.ENTWURF)
    make.interaction(
        subject="Rückruf Müller", follow_up_due=dt.date(2027, 1, 15), follow_up_owner_id=user.id
    )
    make.interaction(
        subject="Fremd", follow_up_due=dt.date(2027, 1, 15), follow_up_owner_id=other.id
    )
    assert "Noch keine private Kalenderadresse" in client.get("/kalender").get_data(as_text=True)
    url = _new_feed_url(client)
    feed_client = app.test_client()
    response = feed_client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    _calendar, vevents = _vevents(response.data)
    summaries = {str(v["summary"]): v for v in vevents}
    assert set(summaries) == {
        "Öffentliches Treffen",
        "Interner Entwurf",
        "Wiedervorlage: Rückruf Müller",
    }
    follow_up = summaries["Wiedervorlage: Rückruf Müller"]
    assert follow_up.decoded("dtstart") == dt.date(2027, 1, 15)
    assert follow_up.decoded("dtend") == dt.date(2027, 1, 16)

    renewed = _new_feed_url(client)
    assert feed_client.get(url).status_code == 404
    assert feed_client.get(renewed).status_code == 200
    client.post("/kalender", data={"action": "revoke"})
    assert feed_client.get(renewed).status_code == 404
    with app.app_context():
        assert db.session.get_one(User, user.id).calendar_token_hash is None


def test_private_feed_closes_with_the_account(app, client, make, login_as):
    user = login_as("staff")
    url = _new_feed_url(client)
    with app.app_context():
        db.session.get_one(User, user.id).active = False
        db.session.commit()
    assert app.test_client().get(url).status_code == 404


def test_editors_have_no_private_feed(client, make, login_as):
    login_as("editor", initiative=make.initiative())
    assert client.get("/kalender").status_code == 403
    assert client.post("/kalender", data={"action": "new"}).status_code == 403


def test_a_cancelled_event_leaves_the_public_event_list(client, make):
    make.event(title="Findet statt")
    make.event(title="Fällt aus", status=EventStatus.ABGESAGT)
    page = client.get("/verzeichnis/veranstaltungen").get_data(as_text=True)
    assert "Findet statt" in page and "Fällt aus" not in page


def test_the_cancellation_goes_out_in_the_registrants_language(app, client, make, staff_event):
    event = staff_event
    english = make.person(email="en@example.org", preferred_language="de")
    make.registration(event, english, status=RegistrationStatus.REGISTERED, language="en")
    _edit(client, app, event.id, status="abgesagt")
    [mail] = mails(app, "en@example.org")
    assert mail.subject.startswith("Cancelled:")
    assert str(Calendar.from_ical(mail.ics)["method"]) == "CANCEL"
