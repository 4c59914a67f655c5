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
from crm.models import Initiative
from crm.models import Membership
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import fill_invitation
from tests.browser.pages import fill_new_password
from tests.browser.pages import invitation_link
from tests.browser.pages import log_in
from tests.browser.pages import main_nav
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

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
    app, live_server, page, new_page, make, screenshot
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
    fill_invitation(page, ini.id, REPRESENTATIVE, "Vera Vorstand")
    screenshot("editor-journey-01-invite")
    submit_and_wait(
        page, f"**/initiatives/{ini.id}", button="Einladung senden", flash="liegt im Postausgang"
    )

    # Without SMTP the office reads the personal link from the outbox.
    link = invitation_link(page, REPRESENTATIVE, live_server)
    screenshot("editor-journey-02-outbox")

    # The representative opens it in a fresh browser context of their own.
    theirs = new_page()
    theirs.goto(link)
    expect(theirs.get_by_role("heading", name="Passwort festlegen")).to_be_visible()
    fill_new_password(theirs)
    submit_and_wait(
        theirs,
        "**/unsere-initiative/",
        button="Passwort speichern",
        flash="Ihr Passwort ist gespeichert",
    )
    expect(theirs.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(theirs.get_by_role("heading", level=1)).to_have_text(
        "Unsere Initiative: Zukunft durch Industrie e.V."
    )
    check_accessibility(theirs, context_name="Unsere Initiative")
    screenshot("editor-journey-03-portal", of=theirs)

    # Profile: a new description and website.
    click_and_wait(
        theirs.get_by_role("link", name="Profil bearbeiten"), "**/unsere-initiative/profil"
    )
    expect(theirs.get_by_label("Beschreibung")).to_have_value(OLD_DESCRIPTION)
    expect(theirs.get_by_label("Website")).to_have_value(OLD_WEBSITE)
    check_accessibility(theirs, context_name="Profil bearbeiten")
    theirs.get_by_label("Beschreibung").fill(NEW_DESCRIPTION)
    theirs.get_by_label("Website").fill(NEW_WEBSITE)
    screenshot("editor-journey-04-profile-form", of=theirs)
    submit_and_wait(theirs, "**/unsere-initiative/", flash="Das Profil ist gespeichert.")
    expect(theirs.get_by_text(NEW_DESCRIPTION)).to_be_visible()
    expect(theirs.get_by_text(NEW_WEBSITE)).to_be_visible()

    # A member: the name is matched against existing organisations first.
    click_and_wait(
        theirs.get_by_role("link", name="Mitglied hinzufügen"),
        "**/unsere-initiative/mitglieder/neu",
    )
    theirs.get_by_label("Name der Organisation").fill("Thyssen Stahl")
    theirs.get_by_label("Mitglied seit").fill("2024-03-01")
    theirs.get_by_role("button", name="Weiter").click()
    matches = theirs.get_by_role("group", name="Ist es eine dieser Organisationen?")
    expect(matches).to_be_visible()
    existing = matches.get_by_role("radio", name="Thyssen Stahl AG (Duisburg)")
    expect(existing).to_be_checked()
    expect(matches.get_by_role("radio", name="neu anlegen")).not_to_be_checked()
    screenshot("editor-journey-05-member-match", of=theirs)
    submit_and_wait(
        theirs,
        "**/unsere-initiative/",
        button="Übernehmen",
        flash="Das Mitglied ist eingetragen.",
    )
    members = theirs.get_by_role("region", name="Mitglieder")
    expect(members).to_contain_text("Thyssen Stahl AG")
    screenshot("editor-journey-06-portal-after", of=theirs)

    record = _initiative(app, ini.id)
    assert (record.description, record.website) == (NEW_DESCRIPTION, NEW_WEBSITE)
    # The existing organisation, not a duplicate; the date from the browser's date picker.
    assert [(m.organisation_id, m.since) for m in record.memberships] == [
        (steel.id, dt.date(2024, 3, 1))
    ]

    # Staff see the change with its diff in the review feed.
    page.goto("/")
    nav = main_nav(page)
    click_and_wait(
        nav.get_by_role("link", name="Änderungen durch Initiativen"),
        "**/history/changes-by-initiatives",
    )
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
    click_and_wait(
        membership.get_by_role("button", name="Gesehen"), "**/history/changes-by-initiatives"
    )
    expect(page.get_by_text("Als gesehen markiert.")).to_be_visible()
    expect(page.locator("li[data-seen='yes']")).to_contain_text("Thyssen Stahl AG")
    expect(page.locator("li[data-seen='no']")).to_have_count(1)

    # One field back, right in the feed: the description alone, in one click.
    row = entry.locator("tr[data-field='description']")
    expect(row.locator(".history-old")).to_have_text(OLD_DESCRIPTION)
    click_and_wait(
        row.get_by_role("button", name="Wiederherstellen"), "**/history/changes-by-initiatives"
    )
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
