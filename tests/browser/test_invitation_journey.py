"""Browser journey: staff invite a representative from the initiative page, copy the link
from the outbox; the representative opens it in their own browser, sets a password and
lands logged in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import AXE_TAGS, FAILING_IMPACTS, axe_violations
from tests.browser.conftest import OUTPUT
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "unser-eigenes-passwort-2027"

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
    request, browser, live_server, page, make, screenshot
):
    staff = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")

    log_in(page, staff.email)
    page.goto(f"/initiatives/{ini.id}")
    page.get_by_role("link", name="Vertreter:in einladen").click()
    page.wait_for_url(f"**/initiatives/{ini.id}/invite")
    page.get_by_label("E-Mail").fill("vorstand@zukunft-industrie.example")
    page.get_by_label("Name (optional)").fill("Vera Vorstand")
    check_main_accessibility(page, "Vertreter:in einladen")
    screenshot("invitation-form")
    page.get_by_role("button", name="Einladung senden").click()
    page.wait_for_url(f"**/initiatives/{ini.id}")
    expect(page.get_by_text("liegt im Postausgang")).to_be_visible()

    # Without SMTP the office copies the personal link from the outbox.
    page.goto("/outbox")
    mail = page.locator("article", has_text="vorstand@zukunft-industrie.example")
    link = mail.locator("a[href*='/invitation/']").first.get_attribute("href")
    assert link and link.startswith(live_server + "/invitation/")
    screenshot("invitation-outbox")

    # The representative opens it in a browser of their own.
    context = browser.new_context(base_url=live_server, locale="de-DE")
    try:
        theirs = context.new_page()
        theirs.set_default_timeout(15_000)
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="Passwort festlegen")).to_be_visible()
        check_main_accessibility(theirs, "Passwort festlegen")
        theirs.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
        theirs.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Passwort speichern").click()
        theirs.wait_for_load_state()
        assert "/invitation/" not in theirs.url and "/login" not in theirs.url
        expect(theirs.get_by_text("Ihr Passwort ist gespeichert")).to_be_visible()
        expect(theirs.get_by_role("button", name="Abmelden")).to_be_visible()  # logged in
        expect(theirs.get_by_text("vorstand@zukunft-industrie.example").first).to_be_visible()
        OUTPUT.mkdir(parents=True, exist_ok=True)
        backend = request.node.callspec.params.get("database_url", "db")
        theirs.screenshot(path=str(OUTPUT / f"invitation-landed-{backend}.png"), full_page=True)

        # The link worked once; opening it again explains that it is used up.
        theirs.goto(link)
        expect(theirs.get_by_text("bereits benutzt")).to_be_visible()
    finally:
        context.close()
