"""Browser journey of the practitioner exchange (#25), the whole cycle once: Anna opts in,
sees proposals with reasons, wishes to meet Bernd, asks Clara for a meeting and Clara
accepts; staff plan and publish; Anna finds her schedule with the calendar file on her
personal page, marks the meeting with Bernd held and rates it; the interaction appears on
both persons. A second, short pass reads Bernd's personal page in English."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import OrgType
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD
from tests.matchmaking.plan_helpers import PATTERN
from tests.matchmaking.plan_helpers import START
from tests.matchmaking.plan_helpers import WINDOW

pytestmark = pytest.mark.browser


def _exchange(app, make):
    """The event with matchmaking on; Anna (not yet in), Bernd and Clara (in)."""
    event = make.event(starts_at=START)
    people = {}
    for n, (first, last, land, org_type, opted) in enumerate(
        (
            ("Anna", "Adler", "05", OrgType.KOMMUNE, False),
            ("Bernd", "Berger", "06", OrgType.UNTERNEHMEN, True),
            ("Clara", "Conrad", "05", OrgType.HOCHSCHULE, True),
        )
    ):
        initiative = make.initiative(
            name=f"Industrieinitiative {last}", laender=[land], themes=["Wasserstoff"]
        )
        organisation = make.organisation(name=f"{last} Werke", type=org_type)
        person = make.person(first_name=first, last_name=last, email=f"{first.lower()}@example.org")
        token = f"zyklus-{event.id}-{n}"
        registration = make.registration(
            event,
            person,
            token=token,
            organisation_id=organisation.id,
            organisation_text=organisation.name,
            initiative_id=initiative.id,
            matchmaking_opt_in=opted,
            language="de",
        )
        people[first] = (token, person.id, registration.id)
    with app.app_context():
        db.session.add(
            MatchmakingSettings(
                event_id=event.id,
                enabled=True,
                meeting_minutes=20,
                window_starts_at=WINDOW[0],
                window_ends_at=WINDOW[1],
                video_pattern=PATTERN,
            )
        )
        db.session.commit()
    return event, people


def _english(app, text: str) -> str:
    """`text` as the English catalogue has it (itself until it is translated)."""
    with app.test_request_context(), force_locale("en"):
        return gettext(text)


def test_the_whole_cycle(app, make, new_page, screenshot):
    event, people = _exchange(app, make)
    anna_token, anna_id, _ = people["Anna"]
    staff = make.user(role="staff", password=TEST_PASSWORD, email="buero@example.org")

    # Anna opts in, with the consent
    anna = new_page()
    anna.goto(f"/anmeldung/{anna_token}/meetings")
    anna.get_by_label("Ja, ich nehme teil und bin einverstanden.").check()
    anna.get_by_role("button", name="Am Austausch teilnehmen").click()
    expect(anna.get_by_text("Sie nehmen am Austausch teil.")).to_be_visible()

    # proposals with their reasons; "Unbedingt treffen" for Bernd
    bernd_card = anna.locator("[data-partner]").filter(has_text="Bernd Berger")
    expect(bernd_card.locator(".reasons")).to_contain_text("Wasserstoff")
    bernd_card.get_by_role("button", name="Unbedingt treffen").click()
    expect(anna.locator("[data-partner]").filter(has_text="Bernd Berger")).to_have_attribute(
        "data-wish", "must"
    )

    # a request to Clara with a message; Clara accepts
    clara_card = anna.locator("[data-partner]").filter(has_text="Clara Conrad")
    clara_card.get_by_role("link", name="Treffen anfragen …").click()
    anna.get_by_label("Kurze Nachricht (freiwillig)").fill("Gern zum Thema Wasserstoff!")
    anna.get_by_role("button", name="Anfrage senden").click()
    expect(anna.get_by_text("Ihre Anfrage wurde gesendet.")).to_be_visible()
    clara = new_page()
    clara.goto(f"/anmeldung/{people['Clara'][0]}/meetings")
    request = clara.locator("[data-request]").filter(has_text="Anna Adler")
    expect(request).to_contain_text("Gern zum Thema Wasserstoff!")
    request.get_by_role("button", name="Annehmen").click()
    expect(clara.locator("[data-request]").first).to_have_attribute("data-status", "accepted")

    # staff plan and publish
    office = new_page()
    log_in(office, staff.email)
    office.goto(f"/events/{event.id}/meetings/plan")
    office.get_by_role("button", name="Plan berechnen").click()
    grid = office.locator("[data-plan-grid]")
    expect(grid.locator("[data-meeting]")).to_have_count(2)
    expect(grid).to_contain_text("Anfrage angenommen")
    expect(office.locator('[data-figure="meetings"]')).to_have_text("2")
    office.get_by_role("link", name="Plan veröffentlichen …").click()
    expect(office.get_by_role("heading", name="Plan wirklich veröffentlichen?")).to_be_visible()
    office.get_by_role("button", name="Veröffentlichen").click()
    expect(office.get_by_text("Veröffentlicht: 2 Treffen")).to_be_visible()
    screenshot("matchmaking-plan", office)

    # Anna's schedule on her personal page, with the calendar file
    anna.goto(f"/anmeldung/{anna_token}")
    schedule = anna.locator("[data-meetings]")
    expect(schedule.get_by_role("heading", name="Ihre Treffen im Praxisaustausch")).to_be_visible()
    expect(schedule.locator("[data-meeting]")).to_have_count(2)
    expect(schedule).to_contain_text("Bernd Berger")
    expect(schedule).to_contain_text("Wasserstoff")
    expect(schedule).to_contain_text("https://meet.example.org/industrienetz-")
    href = schedule.get_by_role("link", name="Alle Treffen in den Kalender (ICS)").get_attribute(
        "href"
    )
    ics = anna.request.get(href)
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(ics.body()).walk("VEVENT")) == 2

    # afterwards: the meetings have taken place; Anna marks the one with Bernd held, rates it
    with app.app_context():
        for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
            meeting.starts_at -= dt.timedelta(days=400)
        db.session.commit()
    anna.reload()
    with_bernd = anna.locator("[data-meetings] [data-meeting]").filter(has_text="Bernd Berger")
    with_bernd.get_by_label("Ja, wir haben uns getroffen").check()
    with_bernd.get_by_label("Bewertung (1 = wenig, 5 = sehr hilfreich)").select_option("5")
    with_bernd.get_by_role("button", name="Rückmeldung speichern").click()
    expect(anna.get_by_text("Danke für Ihre Rückmeldung.")).to_be_visible()
    screenshot("matchmaking-personal", anna)

    # the interaction on both persons
    for person_id in (anna_id, people["Bernd"][1]):
        office.goto(f"/persons/{person_id}")
        expect(office.get_by_text(f"Getroffen beim {event.title}", exact=True)).to_be_visible()

    # English, in short: Bernd's personal page
    bernd = new_page(locale="en-GB")
    bernd.goto(f"/anmeldung/{people['Bernd'][0]}")
    expect(bernd.locator("html")).to_have_attribute("lang", "en")
    schedule = bernd.locator("[data-meetings]")
    heading = _english(app, "Ihre Treffen im Praxisaustausch")
    expect(schedule.get_by_role("heading", name=heading)).to_be_visible()
    expect(schedule).to_contain_text("Anna Adler")
    link = _english(app, "Alle Treffen in den Kalender (ICS)")
    expect(schedule.get_by_role("link", name=link)).to_be_visible()
    expect(schedule.get_by_label(_english(app, "Ja, wir haben uns getroffen"))).to_be_checked()
