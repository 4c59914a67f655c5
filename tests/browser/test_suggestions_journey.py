"""Browser journey: staff accept one network suggestion and dismiss another for good."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.models import MembershipRole
from crm.network import cache
from tests.browser.axe import check_accessibility
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_staff_accepts_and_dismisses_suggestions(page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    home = make.initiative(name="Zukunft durch Industrie e.V.", laender=["05"])
    partner = make.initiative(name="Industrieregion Rheinisches Revier", laender=["05"])
    other = make.initiative(name="Wachstumsregion Ems-Achse e.V.", laender=["03"])
    for target, shared in ((partner, 2), (other, 1)):
        for n in range(shared):
            org = make.organisation(name=f"Mitgliedsbetrieb {target.id}-{n} GmbH")
            make.membership(org, home, role=MembershipRole.TRAEGER)
            make.membership(org, target)

    log_in(page, user.email)
    page.goto(f"/initiatives/{home.id}")

    panel = page.get_by_role("region", name="Vorgeschlagene Kontakte")
    relations = page.get_by_role("region", name="Beziehungen")
    expect(panel.get_by_text("Beide haben Mitgliedsbetrieb").first).to_be_visible()
    expect(relations.get_by_text("Keine Beziehungen erfasst.")).to_be_visible()
    screenshot("suggestions-open")
    check_accessibility(page, context_name="Initiative mit Vorschlägen")

    panel.get_by_role("button", name=f"Annehmen: {partner.name}").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text().startswith("Vorschlag angenommen")
    expect(relations.get_by_role("link", name=partner.name)).to_be_visible()
    expect(relations.get_by_text("vermittelt durch die Geschäftsstelle")).to_be_visible()
    assert panel.get_by_role("link", name=partner.name).count() == 0

    panel.get_by_role("button", name=f"Verwerfen: {other.name}").click()
    page.wait_for_load_state()
    expect(page.get_by_text("wird nicht mehr vorgeschlagen")).to_be_visible()
    page.reload()
    assert panel.get_by_role("link", name=other.name).count() == 0
    expect(panel.get_by_text("Zurzeit keine Vorschläge.")).to_be_visible()
    screenshot("suggestions")
