"""Browser journey through the public directory without login: only listed initiatives, no
private e-mail in the page, the map of Germany (16 Länder, a click on a Land filters, a click
on a marker opens the record), the event list; and the map on the staff start page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from crm.models import OrgType
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD
from tests.public.helpers import public_initiatives

pytestmark = pytest.mark.browser

UTC = dt.UTC


def _directory(make):
    # the unlisted one in Dresden: its marker on the staff map stands apart
    listed, bavarian, hidden = public_initiatives(
        make,
        hidden={
            "description": "Dresden und Umgebung",
            "place": "Dresden",
            "lat": 51.05,
            "lon": 13.74,
            "laender": ["14"],
        },
    )
    public = make.person(first_name="Anna", last_name="Offen", email="anna.offen@example.org")
    make.initiative_role(public, listed)
    make.consent(public)
    union = make.organisation(name="IG Beispiel Bezirk Köln", type=OrgType.GEWERKSCHAFT)
    make.affiliation(public, union, function="Gewerkschaftssekretärin")
    quiet = make.person(first_name="Nora", last_name="Still", email="nora.still@example.org")
    make.initiative_role(quiet, listed)
    secret = make.person(first_name="Hans", last_name="Verborgen", email="hans.geheim@example.org")
    make.initiative_role(secret, hidden)
    make.consent(secret)
    return listed, bavarian, hidden


def test_public_directory_map_and_events_without_login(page, make, screenshot):
    listed, bavarian, hidden = _directory(make)
    soon = dt.datetime.now(UTC) + dt.timedelta(days=14)
    make.event(title="Netzwerktreffen der Industrieinitiativen", starts_at=soon)

    page.goto("/verzeichnis/")
    expect(page.get_by_role("heading", name="Verzeichnis der Industrieinitiativen")).to_be_visible()
    results = page.locator("li.public-initiative")
    assert results.count() == 2
    assert "Geheimbund Maschinenbau" not in page.content()
    assert "hans.geheim@example.org" not in page.content()
    assert "nora.still@example.org" not in page.content()
    # the map: 16 Länder, markers for the two listed initiatives only
    assert page.locator("svg.germany-map-svg path.map-land").count() == 16
    assert page.locator("svg.germany-map-svg circle.map-marker").count() == 2
    assert page.locator("table.map-table tbody tr").count() == 16
    check_accessibility(page, context_name="Öffentliches Verzeichnis")
    screenshot("public-directory")

    # keyboard: the Länder are links with names
    bayern = page.locator('a.map-land-link[data-land="09"]')
    assert bayern.get_attribute("aria-label") == "Bayern: 1 Initiative"
    bayern.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/verzeichnis/?land=09*")
    assert results.count() == 1
    assert "Industrieallianz Oberbayern" in results.first.inner_text()
    assert page.locator("#public-land").input_value() == "09"
    assert page.locator('path.map-selected[data-land="09"]').count() == 1

    # a click on NRW filters the list
    click_and_wait(page.locator('a.map-land-link[data-land="05"]'), "**/verzeichnis/?land=05*")
    assert results.count() == 1
    assert "Zukunft durch Industrie Köln e.V." in results.first.inner_text()
    screenshot("public-directory-filtered")

    # search in the form
    page.get_by_label("Suche (Name, Beschreibung, Ort)").fill("münchen")
    page.get_by_label("Bundesland").select_option("")
    click_and_wait(page.get_by_role("button", name="Suchen", exact=True), "**q=m%C3%BCnchen*")
    assert results.count() == 1 and "Oberbayern" in results.first.inner_text()

    # a click on a marker opens the record
    page.goto("/verzeichnis/")
    click_and_wait(
        page.locator(f'a.map-marker-link[href="/verzeichnis/{listed.id}"]'),
        f"**/verzeichnis/{listed.id}",
    )
    expect(page.get_by_role("heading", name="Zukunft durch Industrie Köln e.V.")).to_be_visible()
    html = page.content()
    assert "anna.offen@example.org" in html  # consented
    assert "nora.still@example.org" not in html  # no consent
    assert "IG Beispiel" not in html and "Gewerkschaftssekretärin" not in html
    check_accessibility(page, context_name="Initiative im Verzeichnis")
    screenshot("public-initiative")

    # the unlisted initiative's page does not exist for the public
    response = page.goto(f"/verzeichnis/{hidden.id}")
    assert response is not None and response.status == 404

    # the event list links to the registration
    page.goto("/verzeichnis/veranstaltungen")
    click_and_wait(
        page.get_by_role("link", name="Programm und Anmeldung").first, "**/events/*/register"
    )
    expect(
        page.get_by_role("heading", name="Netzwerktreffen der Industrieinitiativen")
    ).to_be_visible()
    page.goto("/verzeichnis/veranstaltungen")
    check_accessibility(page, context_name="Öffentliche Veranstaltungen")
    screenshot("public-events")


def test_staff_start_page_map(page, make, screenshot):
    listed, _bavarian, hidden = _directory(make)
    user = make.user(role="staff", password=TEST_PASSWORD)
    log_in(page, user.email)

    assert page.locator("svg.germany-map-svg path.map-land").count() == 16
    assert page.locator("svg.germany-map-svg circle.map-marker").count() == 3  # all, unlisted too
    check_accessibility(page, context_name="Startseite")
    screenshot("staff-start-map")

    # a marker opens the internal page of the (unlisted) initiative
    click_and_wait(
        page.locator(f'a.map-marker-link[href="/initiatives/{hidden.id}"]'),
        f"**/initiatives/{hidden.id}",
    )
    expect(page.get_by_role("heading", name="Geheimbund Maschinenbau").first).to_be_visible()

    # a Land opens the internal list filtered by it
    page.goto("/")
    click_and_wait(page.locator('a.map-land-link[data-land="05"]'), "**/initiatives/?land=05")
    assert "Zukunft durch Industrie Köln e.V." in page.content()
