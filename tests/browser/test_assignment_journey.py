"""Browser journey: staff assign the workshops of a network meeting (five parallel workshops,
40 participants): compute a mixed draft, move one person, re-run (the person stays),
publish, and find one mail per participant in the outbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import OutboxMail
from crm.models import Registration
from tests.browser.axe import FAILING_IMPACTS
from tests.browser.axe import axe_violations
from tests.browser.axe import format_violations
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD
from tests.events.test_events_assignment import WORKSHOP_TITLES
from tests.events.test_events_assignment import build_meeting
from tests.events.test_events_assignment import draft_of

pytestmark = pytest.mark.browser

_IN_SHARED_HEADER = "(sel) => !!document.querySelector(sel)?.closest('header')"


def assert_page_content_accessible(page) -> None:
    """No serious or critical axe violation outside the site header (which is shared by
    every page and checked by the header's own tests)."""
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    own = []
    for violation in serious:
        nodes = [n for n in violation["nodes"] if not page.evaluate(_IN_SHARED_HEADER, n["target"])]
        if nodes:
            own.append({**violation, "nodes": nodes})
    assert not own, format_violations(own)


def test_staff_run_move_rerun_publish(app, page, make, screenshot):
    meeting = build_meeting(app, participants=40, capacities=(10, 10, 9, 8, 8))
    user = make.user(role="staff", password=TEST_PASSWORD, email="geschaeftsstelle@example.org")

    log_in(page, user.email)

    page.goto(f"/events/{meeting.event_id}")
    click_and_wait(
        page.get_by_role("link", name="Workshops zuteilen"),
        f"**/events/{meeting.event_id}/assignment",
    )
    expect(page.get_by_text("Noch kein Entwurf berechnet.")).to_be_visible()

    # mix by organisation type and Land, then compute the draft
    assert page.get_by_role("checkbox", name="Organisationstyp", exact=True).is_checked()
    page.get_by_role("checkbox", name="Bundesland", exact=True).check()
    page.get_by_role("button", name="Zuteilung berechnen").click()
    expect(page.get_by_text("Der Entwurf wurde berechnet.")).to_be_visible()
    metrics = page.locator("[data-metrics]")
    expect(metrics.get_by_role("columnheader", name="Wer zuerst kommt")).to_be_visible()
    assert page.locator('[data-metric="first_choice_rate"] td').count() == 4
    assert page.locator("[data-workshop]").count() == 5
    assert page.locator("svg.mix-bar").count() == 6  # the event and five workshops
    screenshot("assignment-draft")
    assert_page_content_accessible(page)

    # move one person into another workshop: the placement becomes fixed
    person = meeting.registration_ids[3]
    before = draft_of(app, meeting.event_id)[person]
    target_index = next(i for i, w in enumerate(meeting.workshop_ids) if w != before)
    target = meeting.workshop_ids[target_index]
    row = page.locator(f'tr[data-registration="{person}"]')
    row.get_by_role("combobox").select_option(label=WORKSHOP_TITLES[target_index])
    row.get_by_role("button", name="Verschieben").click()
    expect(page.get_by_text(re.compile(r"ist jetzt fest in"))).to_be_visible()
    moved = page.locator(f'[data-workshop="{target}"] tr[data-registration="{person}"]')
    expect(moved.locator("[data-fixed]")).to_be_visible()
    assert moved.locator("[data-note]").inner_text() == "Fest zugeordnet (manuell)."

    # re-run with the initiative as well: the fixed person stays
    page.get_by_role("checkbox", name="Initiative", exact=True).check()
    page.get_by_role("button", name="Neu berechnen").click()
    expect(page.get_by_text("Der Entwurf wurde berechnet.")).to_be_visible()
    moved = page.locator(f'[data-workshop="{target}"] tr[data-registration="{person}"]')
    expect(moved.locator("[data-fixed]")).to_be_visible()
    assert draft_of(app, meeting.event_id)[person] == target
    screenshot("assignment-rerun")

    # publish: the workshop lists show the result, the outbox holds one mail per person
    submit_and_wait(
        page,
        f"**/events/{meeting.event_id}/workshop-lists",
        button="Zuteilung veröffentlichen",
        flash="Veröffentlicht: 40 Personen zugeteilt, 40 E-Mails",
    )
    expect(page.get_by_text("Zugeteilte Teilnehmende").first).to_be_visible()
    screenshot("assignment-published-lists")
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 40
        assert db.session.get_one(Registration, person).assigned_workshop_id == target

    page.goto("/outbox")
    expect(page.get_by_text("Ihr Workshop:").first).to_be_visible()
    screenshot("assignment-outbox")
