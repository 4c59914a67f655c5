"""Browser journeys of the directory records: create an initiative (the PLZ fills Ort,
Kreis and Land), pick one of several places of a PLZ, and the edit-conflict flow."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.models import Postcode
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_creates_an_initiative_and_the_plz_fills_the_address(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    host = make.organisation(name="Domstadt Industrie GmbH")
    log_in(page, user.email)
    page.goto("/initiatives/")
    click_and_wait(page.get_by_role("link", name="Neue Initiative"), "**/initiatives/new")
    check_accessibility(page, context_name="initiative form")

    page.get_by_label("Name", exact=True).fill("Industrie im Dom e.V.")
    page.get_by_label("Typ").select_option(label="Verein")
    page.get_by_label("Gründungsjahr").fill("2015")
    page.get_by_label("Website").fill("https://dom.example.org")
    host_field = page.get_by_label("Trägerorganisation / Geschäftsstelle")
    host_field.press_sequentially("Domstadt")
    page.locator("#host_organisation-options option").first.wait_for(state="attached")
    host_field.fill(f"Domstadt Industrie GmbH (#{host.id})")
    page.get_by_label("Straße und Hausnummer").fill("Domkloster 4")
    page.get_by_label("PLZ").fill("50667")
    place = page.get_by_label("Ort", exact=True)
    expect(place).to_have_value("Köln")
    assert place.input_value() == "Köln"
    assert page.get_by_label("Kreis", exact=True).input_value() == "05315"
    assert page.get_by_label("Land", exact=True).input_value() == "05"
    expect(page.get_by_text("Ort, Kreis und Land aus der PLZ übernommen.")).to_be_visible()
    page.get_by_label("Themen").select_option(label="Wasserstoff")
    page.get_by_label("Länder (Wirkungsgebiet)").select_option(["05"])
    screenshot("initiative-form")
    submit_and_wait(page, "**/initiatives/*")

    expect(page.get_by_text("„Industrie im Dom e.V.“ wurde angelegt.")).to_be_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Industrie im Dom e.V."
    expect(page.get_by_text("50667 Köln")).to_be_visible()
    expect(page.get_by_text("Wasserstoff")).to_be_visible()
    expect(page.get_by_role("link", name="Domstadt Industrie GmbH")).to_be_visible()
    expect(page.get_by_role("link", name="Bearbeiten")).to_be_visible()
    check_accessibility(page, context_name="initiative page")
    screenshot("initiative-created")
    with app.app_context():
        ini = db.session.scalars(select(Initiative)).one()
        assert (ini.kreis_ags, ini.land_ags, ini.place) == ("05315", "05", "Köln")
        assert ini.host_organisation_id == host.id


def test_plz_with_several_places_offers_a_choice(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    with app.app_context():
        plz = db.session.scalar(
            select(Postcode.plz)
            .group_by(Postcode.plz)
            .having(func.count(func.distinct(Postcode.kreis_ags)) > 1)
            .order_by(Postcode.plz)
            .limit(1)
        )
        rows = db.session.scalars(
            select(Postcode).where(Postcode.plz == plz).order_by(Postcode.place, Postcode.kreis_ags)
        ).all()
        second = rows[1]
    log_in(page, user.email)
    page.goto("/organisations/new")
    page.get_by_label("Name", exact=True).fill("Grenzland Logistik GmbH")
    page.get_by_label("PLZ").fill(plz)
    choice = page.get_by_label("Die PLZ gehört zu mehreren Orten – bitte wählen")
    choice.wait_for()
    choice.select_option(index=2)
    assert page.get_by_label("Ort", exact=True).input_value() == second.place
    assert page.get_by_label("Kreis", exact=True).input_value() == second.kreis_ags
    assert page.get_by_label("Land", exact=True).input_value() == second.land_ags
    screenshot("organisation-plz-choice")
    submit_and_wait(page, "**/organisations/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Grenzland Logistik GmbH"
    check_accessibility(page, context_name="organisation page")
    screenshot("organisation-detail")
    with app.app_context():
        org = db.session.scalars(select(Organisation)).one()
        assert org.kreis_ags == second.kreis_ags


def test_edit_conflict_then_reapply_a_field(app, page, new_page, make, screenshot):
    first = make.user(role="staff", password=TEST_PASSWORD, email="erste@example.org")
    second = make.user(role="staff", password=TEST_PASSWORD, email="zweite@example.org")
    ini = make.initiative(name="Hafenbündnis", region_label="Unterweser")

    other = new_page()  # the second person, with cookies of their own
    log_in(page, first.email)
    log_in(other, second.email)
    page.goto(f"/initiatives/{ini.id}/edit")
    other.goto(f"/initiatives/{ini.id}/edit")

    other.get_by_label("Name", exact=True).fill("Hafenbündnis Bremen")
    submit_and_wait(other, f"**/initiatives/{ini.id}")

    page.get_by_label("Region").fill("Nordwesten")
    page.get_by_label("Name", exact=True).fill("Hafenbündnis Weser")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Bearbeitungskonflikt"))
    row = page.locator("tr", has_text="Region")
    expect(row.get_by_text("Nordwesten")).to_be_visible()
    expect(row.get_by_text("Unterweser")).to_be_visible()
    name_row = page.locator("tr", has_text="Hafenbündnis Bremen")
    expect(name_row.get_by_text("Hafenbündnis Weser")).to_be_visible()
    check_accessibility(page, context_name="conflict page")
    screenshot("edit-conflict")

    name_row.get_by_label("Ihren Wert übernehmen für Name").check()
    submit_and_wait(
        page,
        f"**/initiatives/{ini.id}",
        button="Auswahl speichern",
        flash="„Hafenbündnis Weser“ wurde gespeichert.",
    )
    assert page.get_by_role("heading", level=1).inner_text() == "Hafenbündnis Weser"
    screenshot("edit-conflict-resolved")
    with app.app_context():
        stored = db.session.get(Initiative, ini.id)
        assert stored.name == "Hafenbündnis Weser"
        assert stored.region_label == "Nordwesten"
        assert stored.version == 3


def test_person_page_edit_and_delete(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    person = make.person(first_name="Ina", last_name="Beispiel", phone="0221 4710-123")
    org = make.organisation(name="Stadtwerke Beispiel")
    ini = make.initiative(name="Energie-Netzwerk")
    make.affiliation(person, org, function="Pressesprecherin")
    make.initiative_role(person, ini)
    make.consent(person)
    log_in(page, user.email)
    page.goto("/persons/")
    click_and_wait(page.get_by_role("link", name="Beispiel, Ina"), f"**/persons/{person.id}")
    expect(page.get_by_role("link", name="Stadtwerke Beispiel")).to_be_visible()
    expect(page.get_by_role("cell", name="Öffentliche Nennung")).to_be_visible()
    check_accessibility(page, context_name="person page")
    screenshot("person-detail")

    click_and_wait(
        page.locator(".record-actions").get_by_role("link", name="Bearbeiten"),
        f"**/persons/{person.id}/edit",
    )
    page.get_by_label("E-Mail").fill("keine-adresse")
    page.get_by_role("button", name="Speichern").click()
    # The form comes back at the same URL: wait for the answer, not the page still showing.
    message = page.get_by_text("Bitte eine gültige E-Mail-Adresse angeben.", exact=True)
    expect(message).to_be_visible()
    assert page.get_by_label("E-Mail").input_value() == "keine-adresse"
    check_accessibility(page, context_name="person form with errors")
    screenshot("person-form-error")
    page.get_by_label("E-Mail").fill("ina.beispiel@example.org")
    submit_and_wait(page, f"**/persons/{person.id}")
    expect(page.get_by_role("link", name="ina.beispiel@example.org").first).to_be_visible()

    click_and_wait(
        page.locator(".record-actions").get_by_role("link", name="Löschen …"),
        f"**/persons/{person.id}/delete",
    )
    expect(page.get_by_role("row", name="Einwilligungen")).to_be_visible()
    check_accessibility(page, context_name="person delete confirmation")
    screenshot("person-delete")
    submit_and_wait(
        page, "**/persons/", button="Endgültig löschen", flash="„Ina Beispiel“ wurde gelöscht."
    )
    with app.app_context():
        assert db.session.get(Person, person.id) is None
