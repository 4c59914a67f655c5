"""Browser journey: ending a membership asks first, on a page that needs no JavaScript.

Staff open an initiative, click "Beenden …" beside a member, see "Wirklich …?" with what
will change, go back once (nothing changed), then confirm: the membership ends today.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Membership
from crm.models.base import today
from tests.browser.conftest import OUTPUT
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def plain_page(new_page: Any) -> Any:
    """A page of a browser with JavaScript switched off."""
    return new_page(java_script_enabled=False)


def _until(app: Any, membership_id: int) -> Any:
    with app.app_context(), writing():
        return db.session.get_one(Membership, membership_id).until


def test_staff_end_a_membership_through_the_confirmation_page(app, plain_page, make):
    page = plain_page
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = make.initiative(name="Zukunft durch Industrie e.V.")
    org = make.organisation(name="Stahlwerk Nord GmbH")
    membership = make.membership(org, ini)

    log_in(page, user.email)
    page.goto(f"/initiatives/{ini.id}")

    click_and_wait(
        page.get_by_role("link", name="Beenden …").first,
        re.compile(rf"/memberships/{membership.id}/end\b"),
    )
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Mitgliedschaft wirklich beenden?"
    body = page.locator("main").inner_text() if page.locator("main").count() else ""
    body = body or page.inner_text("body")
    assert "Stahlwerk Nord GmbH" in body and "Zukunft durch Industrie e.V." in body
    assert "Endet am" in body
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "confirm-end-membership.png"), full_page=True)

    page.get_by_role("link", name="Abbrechen").click()  # changed my mind
    page.wait_for_url(re.compile(rf"/initiatives/{ini.id}$"))
    assert _until(app, membership.id) is None

    page.get_by_role("link", name="Beenden …").first.click()
    submit_and_wait(page, re.compile(rf"/initiatives/{ini.id}$"), button="Beenden")
    assert "Die Mitgliedschaft endet am" in page.inner_text("body")
    assert _until(app, membership.id) == today()
