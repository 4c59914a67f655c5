"""Browser journey of the data-subject rights: an admin opens a person's Datenschutz tab,
views the access report (and its print layout) and downloads the JSON, then erases the
person with a reason; the erasure log on the Datenschutz page shows it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Person
from crm.models import Registration
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_exports_and_erases_a_person(app, page, make, screenshot):
    admin = make.user(role="admin", password=TEST_PASSWORD, email="leitung@example.org")
    person = make.person(first_name="Hannelore", last_name="Auskunft", email="ha@example.org")
    event = make.event(title="Forum Datenschutz")
    registration = make.registration(event, person)
    log_in(page, admin.email)

    page.goto(f"/persons/{person.id}")
    tab = page.locator("section.privacy-tab")
    expect(tab).to_be_visible()
    click_and_wait(
        tab.get_by_role("link", name="Auskunft (alle Daten)"),
        f"**/personen/{person.id}/datenschutz/auskunft",
    )
    report = page.locator("[data-export]")
    expect(report).to_contain_text("Hannelore")
    expect(report).to_contain_text("Forum Datenschutz")
    check_accessibility(page, context_name="Auskunft")
    page.emulate_media(media="print")
    expect(page.locator("nav").first).to_be_hidden()
    expect(page.get_by_role("link", name="Als JSON herunterladen")).to_be_hidden()
    screenshot("privacy-export-print")
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="Als JSON herunterladen").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["person"]["last_name"] == "Auskunft"
    assert data["registrations"][0]["event"]["title"] == "Forum Datenschutz"

    click_and_wait(page.get_by_role("link", name="Zurück"), f"**/personen/{person.id}/datenschutz")
    click_and_wait(
        page.get_by_role("link", name="Personendaten löschen …"),
        f"**/personen/{person.id}/datenschutz/loeschen",
    )
    page.get_by_role("button", name="Endgültig löschen").click()
    message = page.get_by_text("Bitte einen Grund für die Löschung angeben.", exact=True)
    expect(message).to_be_visible()
    page.get_by_label("Grund der Löschung").fill("Antrag per Brief vom 2.12.")
    page.get_by_label("Ich habe verstanden").check()
    check_accessibility(page, context_name="Personendaten löschen")
    submit_and_wait(
        page,
        "**/buero/datenschutz",
        button="Endgültig löschen",
        flash="Die Personendaten wurden gelöscht",
    )
    expect(page.locator("tr[data-erasure-log]").first).to_contain_text("Antrag per Brief")
    screenshot("privacy-erased")

    with app.app_context():
        assert db.session.get(Person, person.id) is None
        assert db.session.get_one(Registration, registration.id).person_id is None
