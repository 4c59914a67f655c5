"""The whole cycle of a network meeting (#18) in the browser, on the demo data, with the
mails read back from the outbox: staff filter the recipients, preview the invitation (German
and English sample), send it; one recipient unsubscribes with one click (RFC 8058), another
registers through the personal link (prefilled, in English); staff run the workshop
assignment, download Zoom's breakout file, the reminders go out; after the meeting staff
take over the attendance report and send the follow-up mail, and the participant gives
feedback through the personal link. The mails are checked in German and English."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.directory.queries import person_filters
from crm.events.services import utc_to_berlin
from crm.events.tasks import send_reminders
from crm.extensions import db
from crm.invitations import services as invitations
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import EventStatus
from crm.models import Feedback
from crm.models import InvitationCampaign
from crm.models import OutboxMail
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import expect_flash
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

INVITATION = re.compile(r"https?://[^/\s]+(/einladung/[A-Za-z0-9_\-]+)(?=\s)")
UNSUBSCRIBE = re.compile(r"https?://[^/\s]+(/einladung/[A-Za-z0-9_\-]+/abmelden)")
FOLLOW_UP = re.compile(r"https?://[^/\s]+(/anmeldung/[A-Za-z0-9_\-]+/nachbereitung)")


def _upcoming_event(app: Any) -> tuple[int, list[int]]:
    """The demo's published meeting in the future with its workshops."""
    with app.app_context(), writing():
        event = db.session.scalars(
            select(Event)
            .where(Event.status == EventStatus.VEROEFFENTLICHT)
            .where(Event.starts_at > dt.datetime.now(dt.UTC))
            .order_by(Event.starts_at)
        ).first()
        assert event is not None, "the demo data have no upcoming published meeting"
        workshops = list(
            db.session.scalars(
                select(Workshop.id).where(Workshop.event_id == event.id).order_by(Workshop.position)
            )
        )
        # room for the newcomer: the demo meeting may be booked out
        event.capacity = None
        for workshop in db.session.scalars(select(Workshop).where(Workshop.event_id == event.id)):
            workshop.capacity += 10
        db.session.commit()
        return event.id, workshops


def _mails(app: Any, to: str) -> list[OutboxMail]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(OutboxMail).where(OutboxMail.to_address == to).order_by(OutboxMail.id)
            )
        )
        for mail in found:
            db.session.expunge(mail)
        return found


def _two_invitees(app: Any, campaign_id: int) -> tuple[SimpleNamespace, SimpleNamespace]:
    """The first two persons the campaign invites; the second one reads English."""
    with app.app_context(), app.test_request_context(), writing():
        campaign = db.session.get_one(InvitationCampaign, campaign_id)
        chosen = invitations.select_recipients(campaign, person_filters()).invited
        assert len(chosen) >= 2, "the filter selects fewer than two persons"
        people = [db.session.get_one(Person, getattr(p, "id", p)) for p in chosen[:2]]
        people[0].preferred_language = "de"
        people[1].preferred_language = "en"
        db.session.flush()
        found = [
            SimpleNamespace(
                id=p.id,
                email=p.email or "",
                first_name=p.first_name,
                last_name=p.last_name,
                full_name=p.full_name,
            )
            for p in people
        ]
        db.session.commit()
        return found[0], found[1]


def test_invite_register_assign_remind_follow_up(
    app, page, new_page, make, monkeypatch, screenshot
):
    with app.app_context(), writing():
        seed_demo(size="small", seed=11)
        db.session.commit()
    monkeypatch.setitem(app.config, "INVITATIONS_PER_MINUTE", 100_000)  # one batch
    monkeypatch.setitem(app.config, "ASSIGNMENT_JOB_THRESHOLD", 100_000)  # computed at once
    event_id, workshop_ids = _upcoming_event(app)
    staff = make.user(role="staff", password=TEST_PASSWORD, email="geschaeftsstelle@example.org")
    log_in(page, staff.email)

    # 1. filter the recipients, see count, who is left out and the mail in German and English
    page.goto(f"/events/{event_id}")
    click_and_wait(page.get_by_role("link", name="Einladungen", exact=True), "**/invitations")
    click_and_wait(page.get_by_role("link", name="Neue Einladung"), "**/invitations/new")
    page.get_by_label("Bezeichnung").fill("Einladung der Ansprechpersonen")
    page.get_by_label("Rolle in Initiative").select_option(label="Ansprechperson")
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.wait_for_url(re.compile(r"/invitations/\d+$"))
    campaign_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    count = page.locator("[data-invite-count]")
    expect(count).to_be_visible()
    assert int(count.get_attribute("data-invite-count") or 0) >= 2
    german_sample = page.locator('[data-sample="de"]')
    english_sample = page.locator('[data-sample="en"]')
    expect(german_sample).to_contain_text(re.compile(r"Sehr geehrte|Guten Tag"))
    expect(english_sample).to_contain_text("Dear")
    screenshot("cycle-invitation-preview")
    unsubscriber, registrant = _two_invitees(app, campaign_id)

    # 2. send (asks first); the mails are in the outbox, each in its person's language
    click_and_wait(page.get_by_role("link", name="Versenden …"), "**/send")
    expect(page.get_by_role("heading", name=re.compile("versenden\\?"))).to_be_visible()
    page.get_by_role("button", name="Jetzt versenden").click()
    page.wait_for_url(re.compile(r"/recipients"))
    page.goto("/outbox")
    expect(page.get_by_text(unsubscriber.email or "", exact=False).first).to_be_visible()
    german = _mails(app, unsubscriber.email or "")
    english = _mails(app, registrant.email or "")
    assert len(german) == 1 and len(english) == 1
    assert re.search(r"Sehr geehrte|Guten Tag", german[0].body)
    assert "Dear" in english[0].body and "Sehr geehrte" not in english[0].body
    assert "List-Unsubscribe" in (german[0].headers or {})

    # sending again mails nobody twice
    page.goto(f"/events/{event_id}/invitations/{campaign_id}/send")
    if page.get_by_role("button", name="Jetzt versenden").count():
        page.get_by_role("button", name="Jetzt versenden").click()
        page.wait_for_url(re.compile(r"/recipients"))
    assert len(_mails(app, unsubscriber.email or "")) == 1

    # 3. one recipient unsubscribes with one click (the mail program's POST, RFC 8058)
    unsubscribe = UNSUBSCRIBE.search(german[0].body)
    assert unsubscribe is not None
    answer = page.request.post(
        unsubscribe.group(1), form={"List-Unsubscribe": "One-Click"}, max_redirects=0
    )
    assert answer.status == 200
    with app.app_context():
        latest = db.session.scalars(
            select(Consent)
            .where(
                Consent.person_id == unsubscriber.id,
                Consent.purpose == ConsentPurpose.EVENT_INVITATIONS,
            )
            .order_by(Consent.id.desc())
        ).first()
        assert latest is not None and latest.status is ConsentStatus.REVOKED

    # 4. another registers through the personal link: the form is filled in (in English)
    visitor = new_page(locale="en-GB")
    link = INVITATION.search(english[0].body)
    assert link is not None
    visitor.goto(link.group(1))
    visitor.wait_for_url(re.compile(rf"/events/{event_id}/register"))
    assert visitor.locator("input[name=first_name]").input_value() == registrant.first_name
    assert visitor.locator("input[name=last_name]").input_value() == registrant.last_name
    assert visitor.locator("input[name=email]").input_value() == registrant.email
    for rank, workshop_id in enumerate(workshop_ids[:3], start=1):
        visitor.locator(f"input[name=pref{rank}][value='{workshop_id}']").check()
    visitor.locator("input[name=consent_event]").check()
    screenshot("cycle-register-prefilled", of=visitor)
    visitor.locator("main form[method=post] [type=submit]").last.click()
    visitor.wait_for_url(f"**/events/{event_id}/register/done")
    confirmation = _mails(app, registrant.email or "")[-1]
    assert "Dear" in confirmation.body and "/anmeldung/" in confirmation.body
    with app.app_context():
        registration = db.session.scalars(
            select(Registration).where(
                Registration.event_id == event_id, Registration.person_id == registrant.id
            )
        ).one()
        assert registration.language == "en"
        assert registration.status is RegistrationStatus.REGISTERED
        registration_id = registration.id
    page.goto(f"/events/{event_id}/invitations/{campaign_id}/recipients")
    expect(page.get_by_text(registrant.email or "").first).to_be_visible()

    # 5. the workshop assignment, published; Zoom's breakout file holds the participant
    page.goto(f"/events/{event_id}/assignment")
    page.get_by_role("button", name=re.compile("berechnen")).click()
    expect_flash(page, "Der Entwurf wurde berechnet.")
    submit_and_wait(
        page, f"**/events/{event_id}/workshop-lists", button="Zuteilung veröffentlichen"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Zoom-Vorabzuweisung (CSV)").click()
    breakout = download.value.path().read_text(encoding="utf-8-sig")
    assert breakout.splitlines()[0] == "Pre-assign Room Name,Email Address"
    assert (registrant.email or "").lower() in breakout.lower()

    # 6. the reminders: to those invited who did not register, and the day before
    page.goto(f"/events/{event_id}/invitations/{campaign_id}")
    click_and_wait(page.get_by_role("link", name="Erinnern …"), "**/remind")
    page.get_by_role("button", name="Erinnerung versenden").click()
    page.wait_for_url(re.compile(r"/recipients"))
    assert len(_mails(app, unsubscriber.email or "")) == 1  # unsubscribed: no reminder
    before = len(_mails(app, registrant.email or ""))
    with app.app_context():
        local_day = utc_to_berlin(db.session.get_one(Event, event_id).starts_at).date()
    with app.app_context(), app.test_request_context():
        assert send_reminders(local_day) >= 1
    reminder = _mails(app, registrant.email or "")[before:]
    assert len(reminder) == 1 and "Dear" in reminder[0].body

    # 7. after the meeting: the attendance report, the follow-up mail, the feedback
    with app.app_context(), writing():
        event = db.session.get_one(Event, event_id)
        length = event.ends_at - event.starts_at
        event.starts_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        event.ends_at = event.starts_at + length
        db.session.commit()
    page.goto(f"/events/{event_id}/nachbereitung")
    click_and_wait(page.get_by_role("link", name="Teilnahmebericht hochladen"), "**/attendance")
    report = (
        f"Name,User Email,Duration\n{registrant.full_name},{(registrant.email or '').upper()},120\n"
    )
    page.get_by_label(re.compile("Teilnahmebericht")).set_input_files(
        files=[{"name": "zoom.csv", "mimeType": "text/csv", "buffer": report.encode()}]
    )
    click_and_wait(page.get_by_role("button", name="Vorschau"), "**/attendance/preview")
    expect(page.locator("#to-mark-h")).to_contain_text("1")
    check_accessibility(page, context_name="Vorschau des Teilnahmeberichts")
    submit_and_wait(page, f"**/events/{event_id}/attendance", button="Übernehmen")
    with app.app_context():
        assert (
            db.session.get_one(Registration, registration_id).status is RegistrationStatus.ATTENDED
        )
    page.goto(f"/events/{event_id}/nachbereitung")
    click_and_wait(page.get_by_role("link", name="Unterlage hinzufügen"), "**/materials/new")
    page.get_by_label("Titel").fill("Slides of the morning")
    page.get_by_label("Link").fill("https://example.org/slides.pdf")
    check_accessibility(page, context_name="Unterlage hinzufügen")
    submit_and_wait(
        page, f"**/events/{event_id}/nachbereitung", button="Hinzufügen", flash="hinzugefügt"
    )
    page.goto(f"/events/{event_id}/nachbereitung/send")
    expect(page.get_by_role("heading", name="Nachbereitungsmail wirklich senden?")).to_be_visible()
    check_accessibility(page, context_name="Nachbereitungsmail senden")
    submit_and_wait(page, f"**/events/{event_id}/nachbereitung", button="Jetzt senden")
    follow_up = _mails(app, registrant.email or "")[-1]
    assert "Dear" in follow_up.body and "Kind regards" in follow_up.body
    assert "Slides of the morning: https://example.org/slides.pdf" in follow_up.body
    found = FOLLOW_UP.search(follow_up.body)
    assert found is not None
    visitor.goto(found.group(1))
    check_accessibility(visitor, context_name="Unterlagen und Rückmeldung (English)")
    expect(visitor.get_by_role("link", name="Slides of the morning")).to_be_visible()
    visitor.locator("input[name=overall][value='5']").check()
    visitor.locator("input[name=workshop_rating][value='4']").check()
    visitor.locator("textarea[name=comment]").fill("Very useful exchange.")
    visitor.locator("main form[method=post] [type=submit]").last.click()
    visitor.wait_for_url(re.compile(r"/nachbereitung$"))
    with app.app_context():
        answer = db.session.scalars(select(Feedback)).one()
        assert (answer.overall, answer.workshop_rating) == (5, 4)
    page.goto(f"/events/{event_id}/nachbereitung")
    results = page.locator("#results")
    expect(results).to_contain_text("Very useful exchange.")
    expect(results.locator("svg.bar-chart")).to_be_visible()
    check_accessibility(page, context_name="Nachbereitung mit Ergebnissen")
    screenshot("cycle-feedback-results")
