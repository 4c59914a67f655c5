"""Browser journey of the practitioner exchange (#25), the whole cycle once: Anna opts in,
sees proposals with reasons, wishes to meet Bernd, asks Clara for a meeting and Clara
accepts; staff plan and publish; Anna finds her schedule with the calendar file on her
personal page, marks the meeting with Bernd held and rates it; the interaction appears on
both persons. Once in German and once in English (participants' browsers and the office's
account); the interaction is written in the office's language either way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import OrgType
from crm.models import OutboxMail
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD
from tests.matchmaking.plan_helpers import PATTERN
from tests.matchmaking.plan_helpers import START
from tests.matchmaking.plan_helpers import WINDOW

pytestmark = pytest.mark.browser


def _exchange(app, make, language):
    """The event with matchmaking on; Anna (not yet in), Bernd and Clara (in), registered
    in `language`."""
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
            language=language,
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


#: The browser language of each pass.
BROWSER_LOCALES = {"de": "de-DE", "en": "en-GB"}


def _wording(app, language: str):
    """`t(msgid, **values)`: the text as the pages show it in `language` (the msgid itself
    until the English catalogue has it)."""

    def t(text: str, **values: object) -> str:
        with app.test_request_context(), force_locale(language):
            return gettext(text, **values)

    return t


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_whole_cycle(app, make, new_page, screenshot, language):
    """The whole cycle with every participant's and the office's pages in `language`."""
    t = _wording(app, language)
    event, people = _exchange(app, make, language)
    anna_token, anna_id, _ = people["Anna"]
    staff = make.user(
        role="staff", password=TEST_PASSWORD, email="buero@example.org", language=language
    )

    def participant():
        return new_page(locale=BROWSER_LOCALES[language])

    # Anna opts in, with the consent
    anna = participant()
    anna.goto(f"/anmeldung/{anna_token}/meetings")
    expect(anna.locator("html")).to_have_attribute("lang", language)
    anna.get_by_label(t("Ja, ich nehme teil und bin einverstanden.")).check()
    anna.get_by_role("button", name=t("Am Austausch teilnehmen")).click()
    expect(
        anna.get_by_text(t("Sie nehmen am Austausch teil. Hier sind Ihre Vorschläge."))
    ).to_be_visible()

    # proposals with their reasons; "Unbedingt treffen" for Bernd
    bernd_card = anna.locator("[data-partner]").filter(has_text="Bernd Berger")
    expect(bernd_card.locator(".reasons")).to_contain_text(
        t("Beide arbeiten zu %(label)s", label="Wasserstoff")
    )
    bernd_card.get_by_role("button", name=t("Unbedingt treffen")).click()
    expect(anna.locator("[data-partner]").filter(has_text="Bernd Berger")).to_have_attribute(
        "data-wish", "must"
    )

    # a request to Clara with a message; Clara accepts
    clara_card = anna.locator("[data-partner]").filter(has_text="Clara Conrad")
    clara_card.get_by_role("link", name=t("Treffen anfragen …")).click()
    anna.get_by_label(t("Kurze Nachricht (freiwillig)")).fill("Gern zum Thema Wasserstoff!")
    anna.get_by_role("button", name=t("Anfrage senden")).click()
    expect(anna.get_by_text(t("Ihre Anfrage wurde gesendet."))).to_be_visible()
    clara = participant()
    clara.goto(f"/anmeldung/{people['Clara'][0]}/meetings")
    request = clara.locator("[data-request]").filter(has_text="Anna Adler")
    expect(request).to_contain_text("Gern zum Thema Wasserstoff!")
    request.get_by_role("button", name=t("Annehmen")).click()
    expect(clara.locator("[data-request]").first).to_have_attribute("data-status", "accepted")

    # staff plan and publish (the office's account reads in the same language)
    office = new_page()
    log_in(office, staff.email)
    office.goto(f"/events/{event.id}/meetings/plan")
    expect(office.locator("html")).to_have_attribute("lang", language)
    office.get_by_role("button", name=t("Plan berechnen")).click()
    grid = office.locator("[data-plan-grid]")
    expect(grid.locator("[data-meeting]")).to_have_count(2)
    expect(grid).to_contain_text(t("Anfrage angenommen"))
    expect(office.locator('[data-figure="meetings"]')).to_have_text("2")
    office.get_by_role("link", name=t("Plan veröffentlichen …")).click()
    expect(office.get_by_role("heading", name=t("Plan wirklich veröffentlichen?"))).to_be_visible()
    office.get_by_role("button", name=t("Veröffentlichen")).click()
    published = t("Veröffentlicht: %(n)s Treffen, %(m)s E-Mails im Postausgang.", n=2, m=3)
    expect(office.get_by_text(published)).to_be_visible()
    screenshot(f"matchmaking-plan-{language}", office)
    with app.app_context():  # each participant's mail in the language they registered in
        subjects = set(
            db.session.scalars(
                select(OutboxMail.subject).where(OutboxMail.to_address == "anna@example.org")
            )
        )
    assert t("Ihre Treffen: %(t)s", t=event.title) in subjects

    # Anna's schedule on her personal page, with the calendar file
    anna.goto(f"/anmeldung/{anna_token}")
    schedule = anna.locator("[data-meetings]")
    heading = t("Ihre Treffen im Praxisaustausch")
    expect(schedule.get_by_role("heading", name=heading)).to_be_visible()
    expect(schedule.locator("[data-meeting]")).to_have_count(2)
    expect(schedule).to_contain_text("Bernd Berger")
    expect(schedule).to_contain_text(t("Beide arbeiten zu %(label)s", label="Wasserstoff"))
    expect(schedule).to_contain_text("https://meet.example.org/industrienetz-")
    calendar = schedule.get_by_role("link", name=t("Alle Treffen in den Kalender (ICS)"))
    ics = anna.request.get(calendar.get_attribute("href"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    with anna.expect_download() as download:  # as the browser fetches it (its language)
        calendar.click()
    entries = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert len(entries) == 2
    assert t("1:1-Treffen mit %(name)s", name="Bernd Berger") in {
        str(e["SUMMARY"]) for e in entries
    }

    # afterwards: the meetings have taken place; Anna marks the one with Bernd held, rates it
    with app.app_context():
        for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
            meeting.starts_at -= dt.timedelta(days=400)
        db.session.commit()
    anna.reload()
    with_bernd = anna.locator("[data-meetings] [data-meeting]").filter(has_text="Bernd Berger")
    with_bernd.get_by_label(t("Ja, wir haben uns getroffen")).check()
    with_bernd.get_by_label(t("Bewertung (1 = wenig, 5 = sehr hilfreich)")).select_option("5")
    with_bernd.get_by_role("button", name=t("Rückmeldung speichern")).click()
    expect(anna.get_by_text(t("Danke für Ihre Rückmeldung."))).to_be_visible()
    screenshot(f"matchmaking-personal-{language}", anna)

    # the interaction on both persons, in the office's language (German by default),
    # whatever the participants and the reader use
    for person_id in (anna_id, people["Bernd"][1]):
        office.goto(f"/persons/{person_id}")
        expect(office.get_by_text(f"Getroffen beim {event.title}", exact=True)).to_be_visible()

    # Bernd sees the meeting marked held on his personal page
    bernd = participant()
    bernd.goto(f"/anmeldung/{people['Bernd'][0]}")
    schedule = bernd.locator("[data-meetings]")
    expect(schedule).to_contain_text("Anna Adler")
    expect(schedule.get_by_label(t("Ja, wir haben uns getroffen"))).to_be_checked()
