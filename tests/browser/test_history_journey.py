"""Browser journeys of the history: staff renames an initiative, opens its Verlauf and
restores the old name in one click; staff reverts an editor's change from the review feed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.audit import set_actor
from crm.database import writing
from crm.extensions import db
from crm.models import Initiative
from tests.browser.axe import check_accessibility
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _login(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")


def _initiative(app: Any, record_id: int) -> Initiative:
    with app.app_context():
        record = db.session.get_one(Initiative, record_id)
        db.session.expunge(record)
        return record


def test_staff_restores_an_old_value_from_the_verlauf(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    _login(page, user.email)

    page.goto(f"/initiatives/{ini.id}/edit")
    page.get_by_label("Name", exact=True).fill("Zukunft Industrie Rheinland")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"**/initiatives/{ini.id}")
    assert _initiative(app, ini.id).name == "Zukunft Industrie Rheinland"

    tab = page.locator("section.history-tab")
    expect(tab).to_contain_text("beraterin@example.org")
    tab.get_by_role("link", name="Ganzen Verlauf anzeigen").click()
    page.wait_for_url(f"**/history/initiative/{ini.id}")
    row = page.locator("tr[data-field='name']").first
    expect(row).to_contain_text("Zukunft durch Industrie e.V.")
    expect(row).to_contain_text("Zukunft Industrie Rheinland")
    screenshot("history-verlauf")
    check_accessibility(page, context_name="Verlauf")

    row.get_by_role("button", name="Wiederherstellen").click()
    page.wait_for_url(f"**/history/initiative/{ini.id}")
    expect(page.get_by_text("wurde wiederhergestellt")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Verlauf: Zukunft durch Industrie e.V."
    )
    screenshot("history-restored")
    assert _initiative(app, ini.id).name == "Zukunft durch Industrie e.V."


def test_staff_reverts_an_editor_change_from_the_review_feed(app, page, make, screenshot):
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    editor = make.user(role="editor", initiative_id=ini.id, email="vertretung@example.org")
    with app.app_context(), writing():
        set_actor(db.session, editor)
        record = db.session.scalar(select(Initiative).where(Initiative.id == ini.id))
        record.description = "Selbst geändert von der Initiative"
        db.session.commit()
    _login(page, staff.email)

    nav = page.get_by_role("navigation", name="Hauptnavigation")
    link = nav.get_by_role("link", name="Änderungen durch Initiativen")
    expect(link).to_contain_text("1")
    link.click()
    page.wait_for_url("**/history/changes-by-initiatives")
    entry = page.locator("li[data-seen='no']").first
    expect(entry).to_contain_text("Selbst geändert von der Initiative")
    expect(entry).to_contain_text("vertretung@example.org")
    screenshot("history-review-feed")
    check_accessibility(page, context_name="Änderungen durch Initiativen")

    entry.get_by_role("button", name="Rückgängig machen").click()
    page.wait_for_url("**/history/changes-by-initiatives*")
    expect(page.get_by_text("Die Änderung wurde rückgängig gemacht.")).to_be_visible()
    expect(page.locator("li[data-seen='no']")).to_have_count(0)
    screenshot("history-review-reverted")
    assert _initiative(app, ini.id).description is None
