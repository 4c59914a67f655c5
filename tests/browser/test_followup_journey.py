"""Browser journey: log a call with a follow-up, see it in "Meine Wiedervorlagen", close it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.activity.queries import berlin_today
from crm.extensions import db
from crm.models import Interaction
from crm.models import InteractionKind
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import main_nav
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_logs_a_call_with_a_follow_up_and_marks_it_done(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.", laender=["05"])
    contact = make.person(first_name="Jörg", last_name="Müller-Lüdenscheidt")
    make.initiative_role(contact, ini)
    today = berlin_today().isoformat()

    log_in(page, user.email)
    page.goto(f"/initiatives/{ini.id}")
    click_and_wait(
        page.get_by_role("link", name="Kontakt protokollieren"),
        f"**/interactions/new?initiative={ini.id}",
    )

    page.get_by_label("Art").select_option(label="Anruf")
    page.get_by_label("Datum und Uhrzeit").fill(f"{today}T09:15")
    page.get_by_label("Betreff").fill("Vorbereitung Lange Nacht der Industrie")
    page.get_by_label("Notizen").fill("Rückruf zugesagt, Termine abstimmen.")
    page.get_by_label("Beteiligte Personen").select_option(str(contact.id))
    page.get_by_label("Wiedervorlage am").fill(today)
    screenshot("interaction-form")
    check_accessibility(page, context_name="Kontakt protokollieren")
    submit_and_wait(page, f"**/initiatives/{ini.id}", flash="Der Kontakt wurde protokolliert.")
    expect(page.get_by_text("Vorbereitung Lange Nacht der Industrie")).to_be_visible()

    nav = main_nav(page)
    assert "Wiedervorlagen 1" in nav.get_by_role("link", name="Wiedervorlagen").inner_text()
    click_and_wait(nav.get_by_role("link", name="Wiedervorlagen"), "**/follow-ups")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Wiedervorlagen"
    expect(page.get_by_role("heading", name="Heute")).to_be_visible()
    row = page.locator("tr", has_text="Vorbereitung Lange Nacht der Industrie")
    expect(row.get_by_role("link", name="Zukunft durch Industrie e.V.")).to_be_visible()
    expect(row.get_by_role("link", name="Jörg Müller-Lüdenscheidt")).to_be_visible()
    screenshot("follow-ups")
    check_accessibility(page, context_name="Meine Wiedervorlagen")

    click_and_wait(row.get_by_role("button", name="Erledigt"), "**/follow-ups")
    expect(page.get_by_text("erledigt.").first).to_be_visible()
    expect(page.get_by_text("Keine offenen Wiedervorlagen.")).to_be_visible()
    screenshot("follow-ups-done")

    with app.app_context():
        item = db.session.scalars(select(Interaction)).one()
        assert item.kind is InteractionKind.CALL
        assert item.follow_up_owner_id == user.id
        assert item.follow_up_done_at is not None
