"""Browser journey: staff invite a representative from the initiative page, copy the link
from the outbox; the representative opens it in their own browser, sets a password and
lands logged in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import AXE_TAGS
from tests.browser.axe import FAILING_IMPACTS
from tests.browser.axe import axe_violations
from tests.browser.pages import fill_invitation
from tests.browser.pages import fill_new_password
from tests.browser.pages import invitation_link
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


# axe over the page content only: the shared header's colours are checked (and reported)
# by the accessibility suite; this journey asserts the pages it adds.
_RUN_IN_MAIN = """
async (tags) => {
  const results = await window.axe.run({ include: [["main"]] }, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.map(String).join(" ")),
  }));
}
"""


def check_main_accessibility(page, name: str) -> None:
    """No serious or critical WCAG 2 A/AA violation inside <main> (axe-core)."""
    everywhere = axe_violations(page)  # also loads axe into the page
    inside = page.evaluate(_RUN_IN_MAIN, list(AXE_TAGS))
    serious = [v for v in inside if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"{name}: {serious}"
    outside = {v["id"] for v in everywhere if v["impact"] in FAILING_IMPACTS}
    if outside:
        print(f"\naxe outside <main> on {name}: {sorted(outside)}")  # noqa: T201


def test_staff_invites_and_representative_sets_password(
    live_server, page, new_page, make, screenshot
):
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")

    log_in(page, staff.email)
    page.goto(f"/initiatives/{ini.id}")
    fill_invitation(page, ini.id, "vorstand@zukunft-industrie.example", "Vera Vorstand")
    check_main_accessibility(page, "Vertreter:in einladen")
    screenshot("invitation-form")
    submit_and_wait(
        page, f"**/initiatives/{ini.id}", button="Einladung senden", flash="liegt im Postausgang"
    )

    # Without SMTP the office copies the personal link from the outbox.
    link = invitation_link(page, "vorstand@zukunft-industrie.example", live_server)
    screenshot("invitation-outbox")

    # The representative opens it in a browser of their own.
    theirs = new_page()
    theirs.goto(link)
    expect(theirs.get_by_role("heading", name="Passwort festlegen")).to_be_visible()
    check_main_accessibility(theirs, "Passwort festlegen")
    fill_new_password(theirs)
    theirs.get_by_role("button", name="Passwort speichern").click()
    expect(theirs).not_to_have_url(re.compile(r"/invitation/|/login"))
    expect(theirs.get_by_text("Ihr Passwort ist gespeichert")).to_be_visible()
    expect(theirs.get_by_role("button", name="Abmelden")).to_be_visible()  # logged in
    expect(theirs.get_by_text("vorstand@zukunft-industrie.example").first).to_be_visible()
    screenshot("invitation-landed", of=theirs)

    # The link worked once; opening it again explains that it is used up.
    theirs.goto(link)
    expect(theirs.get_by_text("bereits benutzt")).to_be_visible()
