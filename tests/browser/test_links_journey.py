"""Browser journey of the links: from an initiative page, staff add a member organisation
and a contact person through the look-up pickers and see both on the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import InitiativeRole
from crm.models import InitiativeRoleKind
from crm.models import Membership
from crm.models import MembershipRole
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_adds_a_member_and_a_contact_person_from_the_initiative_page(
    app, page, make, screenshot
):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.", laender=["05"])
    org = make.organisation(name="Stahlwerk Nord GmbH", place="Duisburg")
    make.organisation(name="Stadtwerke Süd GmbH")
    person = make.person(first_name="Jörg", last_name="Müller-Lüdenscheidt")

    log_in(page, user.email)
    page.goto(f"/initiatives/{ini.id}")

    # a member organisation, chosen through the look-up
    click_and_wait(
        page.get_by_role("link", name="Mitglied hinzufügen"),
        re.compile(rf"/memberships/new\?initiative={ini.id}\b"),
    )
    page.get_by_label("Organisation", exact=True).fill("stahl")
    hit = page.get_by_role("button", name="Stahlwerk Nord GmbH")
    hit.wait_for()
    assert page.get_by_role("button", name="Stadtwerke Süd GmbH").count() == 0
    hit.click()
    assert page.get_by_label("Organisation", exact=True).input_value() == "Stahlwerk Nord GmbH"
    page.get_by_label("Rolle", exact=True).select_option(label="Gründungsmitglied")
    page.get_by_label("Seit").fill("2021-04-01")
    check_accessibility(page, context_name="Mitgliedschaft hinzufügen")
    screenshot("links-membership-form")
    submit_and_wait(page, f"**/initiatives/{ini.id}", flash="Die Mitgliedschaft wurde angelegt.")
    members = page.locator("section", has=page.get_by_role("heading", name="Mitglieder"))
    expect(members.get_by_text("Stahlwerk Nord GmbH")).to_be_visible()
    expect(members.get_by_text("Gründungsmitglied")).to_be_visible()

    # a contact person with the role Ansprechperson
    click_and_wait(
        page.get_by_role("link", name="Ansprechperson hinzufügen"),
        re.compile(rf"/initiative-roles/new\?initiative={ini.id}\b"),
    )
    page.get_by_label("Person", exact=True).fill("Müller")
    page.get_by_role("button", name="Jörg Müller-Lüdenscheidt").click()
    assert page.get_by_label("Rolle", exact=True).input_value() == "ansprechperson"
    submit_and_wait(page, f"**/initiatives/{ini.id}", flash="Die Rolle wurde angelegt.")
    contacts = page.locator("section", has=page.get_by_role("heading", name="Ansprechpersonen"))
    expect(contacts.get_by_text("Jörg Müller-Lüdenscheidt")).to_be_visible()
    expect(contacts.get_by_text("Ansprechperson").first).to_be_visible()
    check_accessibility(page, context_name="Initiative mit Mitglied und Ansprechperson")
    screenshot("links-initiative-with-member-and-contact")

    with app.app_context():
        membership = db.session.scalars(select(Membership)).one()
        assert (membership.organisation_id, membership.role) == (
            org.id,
            MembershipRole.GRUENDUNGSMITGLIED,
        )
        role = db.session.scalars(select(InitiativeRole)).one()
        assert (role.person_id, role.role) == (person.id, InitiativeRoleKind.ANSPRECHPERSON)
