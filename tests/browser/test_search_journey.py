"""Browser journey of issue #3: staff find a person by a fragment of the name with the
search box in the header, and an organisation by a substring of its name."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _search(box: Any, query: str) -> None:
    """Search for `query` from the header's search box and wait for the results."""
    box.fill(query)
    box.press("Enter")
    box.page.wait_for_url(f"**/search?q={query}")


def test_staff_find_a_person_by_a_fragment_of_the_name(page, make, screenshot):
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    joerg = make.person(first_name="Jörg", last_name="Müller", email="j.mueller@example.org")
    make.person(first_name="Anna", last_name="Schmidt", email="a.schmidt@example.org")
    make.person(first_name="Mara", last_name="Kessler", email="m.kessler@example.org")
    make.organisation(name="Thyssen Stahl AG", place="Duisburg")
    make.organisation(name="Bäckerei Korn GmbH", place="Essen")
    make.initiative(name="Zukunft durch Industrie e.V.")

    log_in(page, staff.email)

    # "mull" without the umlaut finds "Müller", under persons only.
    box = page.get_by_role("searchbox", name="Initiativen, Organisationen und Personen durchsuchen")
    _search(box, "mull")
    persons = page.get_by_role("region", name="Personen")
    expect(persons.get_by_role("listitem")).to_have_count(1)
    expect(persons.get_by_role("link", name="Jörg Müller")).to_be_visible()
    expect(persons.locator("mark")).to_have_text("Müll")
    expect(page.get_by_role("region", name="Organisationen")).to_have_count(0)
    expect(page.get_by_role("region", name="Initiativen")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Anna Schmidt")
    expect(box).to_have_value("mull")  # the header box keeps the query
    check_accessibility(page, context_name="Suche nach „mull“")
    screenshot("search-journey-person")

    click_and_wait(persons.get_by_role("link", name="Jörg Müller"), f"**/persons/{joerg.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jörg Müller")

    # A substring inside a word finds the organisation.
    _search(box, "stahl")
    organisations = page.get_by_role("region", name="Organisationen")
    expect(organisations.get_by_role("listitem")).to_have_count(1)
    expect(organisations.get_by_role("link", name="Thyssen Stahl AG")).to_be_visible()
    expect(page.get_by_role("region", name="Personen")).to_have_count(0)
    check_accessibility(page, context_name="Suche nach „stahl“")
    screenshot("search-journey-organisation")
