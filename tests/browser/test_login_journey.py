"""Browser journey: a staff member logs in and opens an initiative."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.models import OrgType
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_logs_in_and_opens_an_initiative(page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(
        name="Zukunft durch Industrie e.V.", laender=["05"], region_label="Rhein-Ruhr"
    )
    make.membership(make.organisation(name="IHK Essen", type=OrgType.IHK), ini)

    page.goto("/initiatives/")
    assert "/login" in page.url  # login required
    check_accessibility(page, context_name="Anmeldung")
    page.get_by_label("E-Mail").fill(user.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    submit_and_wait(page, "**/initiatives/", button="Anmelden")
    check_accessibility(page, context_name="Initiativen (Liste)")
    click_and_wait(
        page.get_by_role("link", name="Zukunft durch Industrie e.V."), f"**/initiatives/{ini.id}"
    )
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Zukunft durch Industrie e.V.")
    )
    expect(page.get_by_text("IHK Essen")).to_be_visible()
    expect(page.get_by_text("Rhein-Ruhr").first).to_be_visible()
    screenshot("initiative-detail")
    check_accessibility(page, context_name="Initiative (Detail)")

    submit_and_wait(page, "**/login", button="Abmelden")
    page.goto(f"/initiatives/{ini.id}")
    assert "/login" in page.url
