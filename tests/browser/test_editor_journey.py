"""Browser journey of issue #4: staff invite a representative, who sets a password in a
browser of their own, edits the initiative's profile and adds a member organisation; staff
see the change in "Änderungen durch Initiativen" and take back one field of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Initiative, Membership
from tests.browser.axe import check_accessibility
from tests.browser.conftest import OUTPUT
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "unser-eigenes-passwort-2027"
OLD_DESCRIPTION = "Wir vernetzen Betriebsräte an der Ruhr."
NEW_DESCRIPTION = "Wir vernetzen Betriebsräte und Beschäftigte im ganzen Ruhrgebiet."
OLD_WEBSITE = "https://alt.example.org"
NEW_WEBSITE = "https://zukunft-industrie.example.org"
REPRESENTATIVE = "vorstand@example.org"


def _initiative(app: Any, initiative_id: int) -> Initiative:
    with app.app_context():
        record = db.session.scalar(
            select(Initiative)
            .where(Initiative.id == initiative_id)
            .options(selectinload(Initiative.memberships).selectinload(Membership.organisation))
        )
        assert record is not None
        db.session.expunge_all()
        return record


def test_representative_edits_profile_and_staff_revert_one_field(
    request, app, browser, live_server, page, make, screenshot
):
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(
        name="Zukunft durch Industrie e.V.", description=OLD_DESCRIPTION, website=OLD_WEBSITE
    )
    steel = make.organisation(name="Thyssen Stahl AG", place="Duisburg")

    # Staff log in and invite a representative from the initiative's page.
    log_in(page, staff.email)
    page.goto(f"/initiatives/{ini.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zukunft durch Industrie e.V.")
    page.get_by_role("link", name="Vertreter:in einladen").click()
    page.wait_for_url(f"**/initiatives/{ini.id}/invite")
    page.get_by_label("E-Mail").fill(REPRESENTATIVE)
    page.get_by_label("Name (optional)").fill("Vera Vorstand")
    screenshot("editor-journey-01-invite")
    page.get_by_role("button", name="Einladung senden").click()
    page.wait_for_url(f"**/initiatives/{ini.id}")
    expect(page.get_by_text("liegt im Postausgang")).to_be_visible()

    # Without SMTP the office reads the personal link from the outbox.
    page.goto("/outbox")
    mail = page.locator("article", has_text=REPRESENTATIVE)
    link = mail.locator("a[href*='/invitation/']").first.get_attribute("href")
    assert link and link.startswith(live_server + "/invitation/")
    screenshot("editor-journey-02-outbox")

    # The representative opens it in a fresh browser context of their own.
    context = browser.new_context(base_url=live_server, locale="de-DE")
    backend = request.node.callspec.params.get("database_url", "db")

    def shot(p: Any, name: str) -> None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(OUTPUT / f"{name}-{backend}.png"), full_page=True)

    try:
        theirs = context.new_page()
        theirs.set_default_timeout(15_000)
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="Passwort festlegen")).to_be_visible()
        theirs.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
        theirs.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Passwort speichern").click()
        theirs.wait_for_url("**/unsere-initiative/")
        expect(theirs.get_by_text("Ihr Passwort ist gespeichert")).to_be_visible()
        expect(theirs.get_by_role("button", name="Abmelden")).to_be_visible()
        expect(theirs.get_by_role("heading", level=1)).to_have_text(
            "Unsere Initiative: Zukunft durch Industrie e.V."
        )
        check_accessibility(theirs, context_name="Unsere Initiative")
        shot(theirs, "editor-journey-03-portal")

        # Profile: a new description and website.
        theirs.get_by_role("link", name="Profil bearbeiten").click()
        theirs.wait_for_url("**/unsere-initiative/profil")
        expect(theirs.get_by_label("Beschreibung")).to_have_value(OLD_DESCRIPTION)
        expect(theirs.get_by_label("Website")).to_have_value(OLD_WEBSITE)
        check_accessibility(theirs, context_name="Profil bearbeiten")
        theirs.get_by_label("Beschreibung").fill(NEW_DESCRIPTION)
        theirs.get_by_label("Website").fill(NEW_WEBSITE)
        shot(theirs, "editor-journey-04-profile-form")
        theirs.get_by_role("button", name="Speichern").click()
        theirs.wait_for_url("**/unsere-initiative/")
        expect(theirs.get_by_text("Das Profil ist gespeichert.")).to_be_visible()
        expect(theirs.get_by_text(NEW_DESCRIPTION)).to_be_visible()
        expect(theirs.get_by_text(NEW_WEBSITE)).to_be_visible()

        # A member: the name is matched against existing organisations first.
        theirs.get_by_role("link", name="Mitglied hinzufügen").click()
        theirs.wait_for_url("**/unsere-initiative/mitglieder/neu")
        theirs.get_by_label("Name der Organisation").fill("Thyssen Stahl")
        theirs.get_by_label("Mitglied seit").fill("2024-03-01")
        theirs.get_by_role("button", name="Weiter").click()
        matches = theirs.get_by_role("group", name="Ist es eine dieser Organisationen?")
        expect(matches).to_be_visible()
        existing = matches.get_by_role("radio", name="Thyssen Stahl AG (Duisburg)")
        expect(existing).to_be_checked()
        expect(matches.get_by_role("radio", name="neu anlegen")).not_to_be_checked()
        shot(theirs, "editor-journey-05-member-match")
        theirs.get_by_role("button", name="Übernehmen").click()
        theirs.wait_for_url("**/unsere-initiative/")
        expect(theirs.get_by_text("Das Mitglied ist eingetragen.")).to_be_visible()
        members = theirs.get_by_role("region", name="Mitglieder")
        expect(members).to_contain_text("Thyssen Stahl AG")
        shot(theirs, "editor-journey-06-portal-after")
    finally:
        context.close()

    record = _initiative(app, ini.id)
    assert (record.description, record.website) == (NEW_DESCRIPTION, NEW_WEBSITE)
    # The existing organisation, not a duplicate; the date from the browser's date picker.
    assert [(m.organisation_id, m.since) for m in record.memberships] == [
        (steel.id, dt.date(2024, 3, 1))
    ]

    # Staff see the change with its diff in the review feed.
    page.goto("/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Änderungen durch Initiativen").click()
    page.wait_for_url("**/history/changes-by-initiatives")
    entry = page.locator("li[data-seen='no']", has=page.locator("tr[data-field='description']"))
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(REPRESENTATIVE)
    description = entry.locator("tr[data-field='description']")
    expect(description.locator(".history-old")).to_have_text(OLD_DESCRIPTION)
    expect(description.locator(".history-new")).to_have_text(NEW_DESCRIPTION)
    website = entry.locator("tr[data-field='website']")
    expect(website.locator(".history-old")).to_have_text(OLD_WEBSITE)
    expect(website.locator(".history-new")).to_have_text(NEW_WEBSITE)
    expect(page.locator("main")).to_contain_text("Thyssen Stahl AG")  # the new membership
    check_accessibility(page, context_name="Änderungen durch Initiativen")
    screenshot("editor-journey-07-review-feed")

    # The new membership is fine: marked as seen.
    membership = page.locator("li[data-seen='no']", has_text="Mitgliedschaft")
    membership.get_by_role("button", name="Gesehen").click()
    page.wait_for_url("**/history/changes-by-initiatives")
    expect(page.get_by_text("Als gesehen markiert.")).to_be_visible()
    expect(page.locator("li[data-seen='yes']")).to_contain_text("Thyssen Stahl AG")
    expect(page.locator("li[data-seen='no']")).to_have_count(1)

    # One field back, right in the feed: the description alone, in one click.
    row = entry.locator("tr[data-field='description']")
    expect(row.locator(".history-old")).to_have_text(OLD_DESCRIPTION)
    row.get_by_role("button", name="Wiederherstellen").click()
    page.wait_for_url("**/history/changes-by-initiatives")
    expect(page.get_by_text("wurde wiederhergestellt")).to_be_visible()
    screenshot("editor-journey-08-restored")

    # The initiative's page: the old description is back, the new website stays.
    page.goto(f"/initiatives/{ini.id}")
    profile = page.get_by_role("region", name="Profil")
    expect(profile).to_contain_text(OLD_DESCRIPTION)
    expect(profile).not_to_contain_text(NEW_DESCRIPTION)
    expect(profile.get_by_role("link", name=NEW_WEBSITE)).to_be_visible()
    screenshot("editor-journey-09-initiative")
    record = _initiative(app, ini.id)
    assert (record.description, record.website) == (OLD_DESCRIPTION, NEW_WEBSITE)
