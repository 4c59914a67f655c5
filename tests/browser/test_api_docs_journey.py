"""Browser journey to the API: /api/docs shows the served description with Swagger UI from
static/vendor under the app's Content-Security-Policy (no violation), and an account
creates a token on /api-tokens/, sees it once, and revokes it after being asked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_the_docs_page_shows_the_operations_without_csp_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="JSON-Schnittstelle")).to_be_visible()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() >= 10
    assert violations == [], violations


def test_create_see_once_and_revoke_a_token(page, make):
    user = make.user(role="staff", password=TEST_PASSWORD)
    log_in(page, user.email)
    page.goto("/api-tokens/")
    page.get_by_role("link", name="Neuer API-Token").click()
    page.get_by_label("Name").fill("Website")
    page.get_by_role("button", name="Token anlegen").click()
    token = page.locator("[data-token-value]").inner_text()
    assert token.startswith("inz_")
    page.get_by_role("link", name="Zur Liste der Tokens").click()
    row = page.locator("tr", has_text="Website")
    expect(row).to_contain_text("aktiv")
    assert token not in page.content()
    row.get_by_role("link", name="Widerrufen …").click()
    expect(page.get_by_role("heading", name="API-Token wirklich widerrufen?")).to_be_visible()
    page.get_by_role("button", name="Widerrufen").click()
    expect(page.locator("tr", has_text="Website")).to_contain_text("widerrufen")
