"""Invitations (#18) in the browser: staff filter the recipients, read the preview (count,
who is left out, the mail in German and English) and send; the mail is read back from the
outbox; its personal link opens the registration form filled in; after registering, the
recipient table says "angemeldet"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import OutboxMail
from tests.browser.pages import choose_wishes
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD
from tests.invitations.helpers import INVITED
from tests.invitations.helpers import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

LINK = re.compile(r"https?://[^/\s]+(/einladung/[A-Za-z0-9_\-]+)\s")


def _mail_to(app, address: str) -> OutboxMail:
    with app.app_context():
        mail = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)).one()
        db.session.expunge(mail)
        return mail


def test_filter_preview_send_register_through_the_link(app, page, new_page, make):
    world = build_world(make)
    staff = make.user(role="staff", password=TEST_PASSWORD, email="buero@example.org")
    log_in(page, staff.email)
    page.goto(f"/events/{world.event.id}")
    click_and_wait(page.get_by_role("link", name="Einladungen", exact=True), "**/invitations")
    click_and_wait(page.get_by_role("link", name="Neue Einladung"), "**/invitations/new")
    page.get_by_label("Bezeichnung").fill("Einladung Rheinland")
    page.get_by_label("Bundesland").select_option(label="Nordrhein-Westfalen")
    page.get_by_label("Rolle in Initiative").select_option(label="Ansprechperson")
    page.get_by_label("Einleitung (Deutsch)").fill("wir laden Sie herzlich ein.")
    page.get_by_role("button", name="Speichern und Vorschau").click()
    page.wait_for_url(re.compile(r"/invitations/\d+$"))

    expect(page.locator("[data-invite-count]")).to_have_attribute(
        "data-invite-count", str(len(INVITED))
    )
    left_out = page.locator("#left-out")
    expect(left_out.get_by_role("row", name=re.compile("Ohnemail"))).to_contain_text(
        "keine E-Mail-Adresse"
    )
    expect(left_out.get_by_role("row", name=re.compile("Unsub"))).to_contain_text("abgemeldet")
    expect(page.locator('[data-sample="de"]')).to_contain_text("wir laden Sie herzlich ein.")
    expect(page.locator('[data-sample="en"]')).to_contain_text("Dear Cora Consent,")

    click_and_wait(page.get_by_role("link", name="Versenden …"), "**/send")
    page.get_by_role("button", name="Jetzt versenden").click()
    page.wait_for_url(re.compile(r"/recipients$"))
    expect(page.locator('td[data-status="queued"]')).to_have_count(len(INVITED))

    person = world.persons["frau"]
    mail = _mail_to(app, person.email)
    assert mail.body.startswith("Sehr geehrte Frau Dr. Müller,")
    found = LINK.search(mail.body)
    assert found, mail.body

    visitor = new_page()
    visitor.goto(found[1])
    visitor.wait_for_url(re.compile(r"/events/\d+/register\?einladung="))
    expect(visitor.get_by_role("textbox", name="Vorname", exact=True)).to_have_value("Ada")
    expect(visitor.get_by_role("textbox", name="Nachname", exact=True)).to_have_value("Müller")
    expect(visitor.get_by_role("textbox", name="E-Mail")).to_have_value(person.email)
    expect(visitor.get_by_role("textbox", name="Organisation", exact=True)).to_have_value(
        "Muster-Werke GmbH"
    )
    expect(visitor.get_by_role("combobox", name="Initiative (optional)")).to_have_value(
        str(world.initiative.id)
    )
    choose_wishes(visitor, "Fachkräfte")
    visitor.get_by_label(re.compile("Ich bin einverstanden")).check()
    visitor.get_by_role("button", name="Verbindlich anmelden").click()
    visitor.wait_for_url(re.compile(r"/register/done$"))

    page.reload()
    row = page.locator(f'tr[data-person="{person.id}"]')
    expect(row.locator("td[data-status]")).to_have_text("angemeldet")
