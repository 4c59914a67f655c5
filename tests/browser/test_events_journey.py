"""Browser journey: a visitor registers with three workshop wishes, uses the personal link
from the outbox to change a wish and to cancel; the first waitlisted person moves up;
staff check someone in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Registration
from crm.models import RegistrationStatus
from tests.browser.axe import check_accessibility
from tests.browser.pages import choose_wishes
from tests.browser.pages import fill_form
from tests.browser.pages import log_in
from tests.browser.pages import main_nav
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD
from tests.events.helpers import open_event
from tests.events.helpers import personal_path

pytestmark = pytest.mark.browser


def test_register_change_cancel_move_up_and_check_in(app, page, make, screenshot):
    event, workshops = open_event(
        make, capacity=1, workshops=4, title="Netzwerktreffen der Industrieinitiativen"
    )
    first = make.registration(
        event, make.person(first_name="Paula", last_name="Platz", email="paula@example.org")
    )
    waiting = make.registration(
        event,
        make.person(first_name="Willi", last_name="Warteliste", email="willi@example.org"),
        status=RegistrationStatus.WAITLISTED,
    )

    # The seat is taken, so the visitor lands on the waitlist; Paula cancels later. First the
    # visitor registers with three wishes.
    page.goto(f"/events/{event.id}/register")
    expect(page.get_by_role("heading", name="Workshops")).to_be_visible()
    fill_form(
        page,
        {
            "Vorname": "Jörg",
            "Nachname": "Müller-Lüdenscheidt",
            "E-Mail": "joerg@example.org",
            "Organisation": "Müller-Lüdenscheidt GmbH & Co. KG",
            "Funktion": "Ausbildungsleitung",
        },
    )
    choose_wishes(page, "Workshop A", "Workshop B", "Workshop C")
    page.get_by_label("Ich bin einverstanden").check()
    screenshot("event-register")
    check_accessibility(page, context_name="Anmeldung zur Veranstaltung")
    submit_and_wait(
        page,
        f"**/events/{event.id}/register/done",
        button="Verbindlich anmelden",
        flash="Wir haben Ihnen den persönlichen Link geschickt.",
    )

    # The personal link from the outbox: change the second wish.
    page.goto(personal_path(app, "joerg@example.org"))
    assert page.locator("[data-status]").inner_text() == "Warteliste"
    page.get_by_role("radio", name="Zweitwunsch: Workshop D", exact=True).check()
    page.get_by_role("button", name="Wünsche speichern").click()
    # Saved at the same URL: wait for the answer (is_visible alone does not wait).
    expect(page.get_by_text("Ihre Workshopwünsche wurden gespeichert.")).to_be_visible()
    assert page.get_by_role("radio", name="Zweitwunsch: Workshop D", exact=True).is_checked()
    screenshot("event-personal-link")
    check_accessibility(page, context_name="Persönlicher Link")

    # Paula cancels with her link: Willi (first on the waitlist) moves up, Jörg stays waiting.
    with app.app_context():
        from crm.db.engine import writing
        from crm.events.services import new_token

        token, token_hash = new_token()
        with writing():
            db.session.get_one(Registration, first.id).token_hash = token_hash
            db.session.commit()
    page.goto(f"/anmeldung/{token}")
    page.get_by_role("link", name="Anmeldung stornieren …").click()
    screenshot("event-cancel-confirm")
    page.get_by_role("button", name="Ja, stornieren").click()
    expect(page.get_by_text("Ihre Anmeldung wurde storniert.")).to_be_visible()
    assert page.locator("[data-status]").inner_text() == "storniert"
    with app.app_context():
        assert db.session.get_one(Registration, waiting.id).status is RegistrationStatus.REGISTERED

    # Jörg cancels his waitlist place too.
    page.goto(personal_path(app, "joerg@example.org"))
    page.get_by_role("link", name="Anmeldung stornieren …").click()
    page.get_by_role("button", name="Ja, stornieren").click()
    expect(page.locator("[data-status]")).to_have_text("storniert")

    # Staff check Willi in.
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    log_in(page, user.email)
    main_nav(page).get_by_role("link", name="Veranstaltungen").click()
    page.get_by_role("link", name="Netzwerktreffen der Industrieinitiativen").click()
    page.get_by_role("link", name="Check-in").click()
    page.get_by_label("Name, E-Mail oder Organisation").fill("warte")
    page.locator("#main").get_by_role("button", name="Suchen").click()
    row = page.locator("tr", has_text="Warteliste, Willi")
    row.get_by_role("button", name="eingecheckt").click()
    # The check-in redirects back to the same URL: wait for the answer, not the old page.
    expect(page.get_by_text("Eingecheckt: Willi Warteliste.")).to_be_visible()
    assert page.locator("[data-count=attendance]").inner_text() == "Eingecheckt: 1 von 1"
    screenshot("event-checkin")
    check_accessibility(page, context_name="Check-in")
    page.goto(f"/events/{event.id}/registrations")
    screenshot("event-registrations")
    check_accessibility(page, context_name="Anmeldungen (Liste)")
    with app.app_context():
        regs = {r.person_id: r.status for r in db.session.scalars(select(Registration))}
        assert sorted(s.value for s in regs.values()) == ["attended", "cancelled", "cancelled"]
