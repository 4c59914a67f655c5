"""Browser journeys of the history: staff renames an initiative, opens its Verlauf and
restores the old name in one click; staff reverts an editor's change from the review feed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.extensions import db
from crm.models import Initiative
from crm.models import Membership
from crm.models import MembershipRole
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import main_nav
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _initiative(app: Any, record_id: int) -> Initiative:
    with app.app_context():
        record = db.session.get_one(Initiative, record_id)
        db.session.expunge(record)
        return record


def test_staff_restores_an_old_value_from_the_verlauf(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    log_in(page, user.email)

    page.goto(f"/initiatives/{ini.id}/edit")
    page.get_by_label("Name", exact=True).fill("Zukunft Industrie Rheinland")
    submit_and_wait(page, f"**/initiatives/{ini.id}")
    assert _initiative(app, ini.id).name == "Zukunft Industrie Rheinland"

    tab = page.locator("section.history-tab")
    expect(tab).to_contain_text("beraterin@example.org")
    click_and_wait(
        tab.get_by_role("link", name="Ganzen Verlauf anzeigen"), f"**/history/initiative/{ini.id}"
    )
    row = page.locator("tr[data-field='name']").first
    expect(row).to_contain_text("Zukunft durch Industrie e.V.")
    expect(row).to_contain_text("Zukunft Industrie Rheinland")
    screenshot("history-verlauf")
    check_accessibility(page, context_name="Verlauf")

    click_and_wait(
        row.get_by_role("button", name="Wiederherstellen"), f"**/history/initiative/{ini.id}"
    )
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
    log_in(page, staff.email)

    nav = main_nav(page)
    link = nav.get_by_role("link", name="Änderungen durch Initiativen")
    expect(link).to_contain_text("1")
    click_and_wait(link, "**/history/changes-by-initiatives")
    entry = page.locator("li[data-seen='no']").first
    expect(entry).to_contain_text("Selbst geändert von der Initiative")
    expect(entry).to_contain_text("vertretung@example.org")
    screenshot("history-review-feed")
    check_accessibility(page, context_name="Änderungen durch Initiativen")

    click_and_wait(entry.get_by_role("link", name="Rückgängig machen"), "**/revert?**")
    submit_and_wait(
        page,
        "**/history/changes-by-initiatives*",
        button="Ja, rückgängig machen",
        flash="Die Änderung wurde rückgängig gemacht.",
    )
    expect(page.locator("li[data-seen='no']")).to_have_count(0)
    expect(page.locator("[data-reverted-by]")).to_contain_text("beraterin@example.org")
    screenshot("history-review-reverted")
    assert _initiative(app, ini.id).description is None


def test_review_card_revert_and_undo_of_a_deleted_membership(app, page, make, screenshot):
    """One editor save (profile and the end of a membership) is one card listing every
    field; staff revert it after confirming, the card says who; then a deleted membership
    comes back from the initiative's Verlauf with its id, after a confirmation."""
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Werkstatt Nord e.V.")
    org = make.organisation(name="Nordstahl GmbH")
    kept = make.membership(org, ini)
    other = make.organisation(name="Südwerk AG")
    gone = make.membership(other, ini)
    editor = make.user(role="editor", initiative_id=ini.id, email="vertretung@example.org")
    with app.app_context(), writing():
        set_actor(db.session, editor)
        record = db.session.get_one(Initiative, ini.id)
        record.description = "Neu beschrieben"
        db.session.get_one(Membership, kept.id).role = MembershipRole.BEIRAT
        db.session.commit()
    with app.app_context(), writing():
        set_actor(db.session, staff)
        db.session.delete(db.session.get_one(Membership, gone.id))
        db.session.commit()
    log_in(page, staff.email)

    page.goto("/history/changes-by-initiatives")
    cards = page.locator("li[data-card]")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card).to_contain_text("Neu beschrieben")
    expect(card).to_contain_text("Mitgliedschaft")
    expect(card).to_contain_text("Nordstahl GmbH")
    expect(card).to_contain_text("Noch von niemandem gesehen")
    click_and_wait(card.get_by_role("button", name="Gesehen"), "**/history/changes-by-initiatives*")
    expect(page.locator("li[data-card]").first).to_contain_text("Gesehen von beraterin@example.org")
    click_and_wait(
        page.locator("li[data-card]").first.get_by_role("link", name="Rückgängig machen"),
        "**/revert?**",
    )
    screenshot("history-revert-confirm")
    check_accessibility(page, context_name="Rückgängig machen?")
    submit_and_wait(page, "**/history/changes-by-initiatives*", button="Ja, rückgängig machen")
    expect(page.locator("[data-reverted-by]")).to_contain_text("beraterin@example.org")
    screenshot("history-review-card-reverted")
    assert _initiative(app, ini.id).description is None

    page.goto(f"/history/initiative/{ini.id}")
    undo = page.locator("[data-undo]").filter(has_text="Wiederherstellen").first
    click_and_wait(undo, "**/undo?**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiederherstellen?")
    expect(page.locator("main")).to_contain_text("Südwerk AG")
    check_accessibility(page, context_name="Wiederherstellen?")
    submit_and_wait(
        page,
        f"**/history/initiative/{ini.id}*",
        button="Ja, wiederherstellen",
        flash="wurde wiederhergestellt",
    )
    screenshot("history-membership-restored")
    with app.app_context():
        back = db.session.get(Membership, gone.id)
        assert back is not None and back.organisation_id == other.id
