"""Browser journey: on the public registration page long workshop titles wrap (never cut
off) at 1280 and 375 px, the wishes are chosen with them; the footer of the directory and
of the registration page links to Impressum and Datenschutzerklärung."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Registration
from crm.models import WorkshopPreference
from tests.browser.axe import check_accessibility
from tests.browser.pages import choose_wishes
from tests.browser.pages import fill_form
from tests.browser.pages import submit_and_wait
from tests.events.helpers import open_event
from tests.events.test_events_public import LONG_TITLE

pytestmark = pytest.mark.browser

FITS = """(el) => ({
    scroll: el.scrollWidth, client: el.clientWidth,
    right: el.getBoundingClientRect().right, viewport: window.innerWidth,
    page: document.documentElement.scrollWidth,
    overflow: getComputedStyle(el).textOverflow, space: getComputedStyle(el).whiteSpace,
})"""


@pytest.mark.parametrize("width", [1280, 375])
def test_long_workshop_titles_wrap_and_can_be_chosen(app, page, make, screenshot, width):
    event, _ws = open_event(make, workshops=3, title="Netzwerktreffen der Industrieinitiativen")
    long = make.workshop(event, title=LONG_TITLE, position=9)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/events/{event.id}/register")

    for element in (
        page.locator(".workshop-title", has_text=LONG_TITLE),  # the wishes
        page.locator("#workshops-h + ul strong", has_text=LONG_TITLE),  # the programme
    ):
        element.scroll_into_view_if_needed()
        assert element.inner_text() == LONG_TITLE
        box = element.evaluate(FITS)
        assert box["scroll"] <= box["client"], box  # nothing hidden inside the element
        assert box["right"] <= box["viewport"] + 0.5, box  # nor beyond the window
        assert box["overflow"] != "ellipsis" and box["space"] != "nowrap", box
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll

    fill_form(page, {"Vorname": "Lena", "Nachname": "Lang", "E-Mail": "lena.lang@example.org"})
    choose_wishes(page, LONG_TITLE, "Workshop A")
    page.get_by_label("Ich bin einverstanden").check()
    screenshot(f"event-register-long-title-{width}")
    check_accessibility(page, context_name=f"Anmeldung mit langem Workshoptitel ({width} px)")
    submit_and_wait(page, f"**/events/{event.id}/register/done", button="Verbindlich anmelden")
    with app.app_context():
        registration = db.session.scalars(select(Registration)).one()
        wishes = db.session.scalars(
            select(WorkshopPreference.workshop_id)
            .where(WorkshopPreference.registration_id == registration.id)
            .order_by(WorkshopPreference.rank)
        ).all()
        assert wishes[0] == long.id and len(wishes) == 2


def test_footer_links_to_impressum_and_datenschutz(app, page, make, monkeypatch, screenshot):
    monkeypatch.setitem(app.config, "IMPRINT_TEXT", "Beispielstelle\nMusterstraße 1, 10115 Berlin")
    monkeypatch.setitem(app.config, "PRIVACY_TEXT", "Wir verarbeiten nur, was nötig ist.")
    event, _ws = open_event(make)
    for start in ("/verzeichnis/", f"/events/{event.id}/register"):
        page.goto(start)
        footer = page.get_by_role("contentinfo")
        footer.get_by_role("link", name="Impressum").click()
        expect(page.get_by_role("heading", name="Impressum")).to_be_visible()
        expect(page.get_by_text("Musterstraße 1, 10115 Berlin")).to_be_visible()
        page.go_back()
        page.get_by_role("contentinfo").get_by_role("link", name="Datenschutzerklärung").click()
        expect(page.get_by_role("heading", name="Datenschutzerklärung")).to_be_visible()
        expect(page.get_by_text("Wir verarbeiten nur, was nötig ist.")).to_be_visible()
    screenshot("legal-privacy")
    check_accessibility(page, context_name="Datenschutzerklärung")
