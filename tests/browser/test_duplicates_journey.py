"""Browser journey of the duplicates: staff opens the likely duplicate organisations from
the list, merges a pair (side by side, a choice per field, a confirmation), sees the kept
record with the links of both, and undoes the merge from the kept record's Verlauf."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Membership
from crm.models import Organisation
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_merges_two_organisations_and_undoes_it(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini_a = make.initiative(name="Industrie Rhein-Ruhr e.V.")
    ini_b = make.initiative(name="Zukunft Westfalen")
    keep = make.organisation(name="Müller Maschinenbau GmbH", plz="50667", place="Köln")
    other = make.organisation(
        name="Mueller Maschinenbau", plz="50667", website="https://mueller.example.org"
    )
    make.membership(keep, ini_a)
    make.membership(other, ini_b)
    log_in(page, user.email)

    page.goto("/organisations/")
    click_and_wait(
        page.get_by_role("link", name="Mögliche Duplikate"), "**/duplicates/organisations/"
    )
    row = page.locator(f"tr[data-pair='{keep.id}-{other.id}']")
    expect(row).to_contain_text("gleicher Name")
    expect(row).to_contain_text("gleiche PLZ")
    screenshot("duplicates-list")
    check_accessibility(page, context_name="Duplikate")

    click_and_wait(
        row.get_by_role("link", name="Zusammenführen"),
        f"**/duplicates/organisations/merge/{keep.id}/{other.id}",
    )
    expect(page.locator("tr[data-field='website'] input[value='other']")).to_be_checked()
    page.locator("tr[data-field='name']").get_by_label("Müller Maschinenbau GmbH").check()
    screenshot("duplicates-merge")
    check_accessibility(page, context_name="Zusammenführen")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wirklich zusammenführen?")
    with app.app_context():
        assert db.session.get(Organisation, other.id) is not None  # only asked so far
    submit_and_wait(
        page,
        f"**/organisations/{keep.id}",
        button="Zusammenführen",
        flash="wurde in „Müller Maschinenbau GmbH“ zusammengeführt",
    )
    expect(page.locator("main")).to_contain_text("Zukunft Westfalen")
    with app.app_context():
        merged = db.session.get_one(Organisation, keep.id)
        assert merged.name == "Müller Maschinenbau GmbH"
        assert merged.website == "https://mueller.example.org"
        assert db.session.get(Organisation, other.id) is None
        assert db.session.query(Membership).filter_by(organisation_id=keep.id).count() == 2

    page.goto(f"/history/organisation/{keep.id}")
    page.locator("[data-undo-merge]").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zusammenführung wirklich rückgängig machen?"
    )
    submit_and_wait(
        page, f"**/organisations/{other.id}", button="Rückgängig machen", flash="ist wieder da"
    )
    screenshot("duplicates-undone")
    with app.app_context():
        assert db.session.get_one(Organisation, other.id).name == "Mueller Maschinenbau"
        assert db.session.get_one(Organisation, keep.id).website is None
        assert db.session.query(Membership).filter_by(organisation_id=other.id).count() == 1
