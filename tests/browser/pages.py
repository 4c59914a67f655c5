"""Steps the browser journeys share: log in, follow a link or post a form and wait for the
page that answers, check the flash message.

Every step waits through Playwright (`wait_for_url`, `expect`), never by checking once: the
machine that runs the tests is slow and shared.
"""

from __future__ import annotations

from re import Pattern
from typing import Any

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD


def log_in(page: Any, email: str, *, landing: str | Pattern[str] = "**/") -> None:
    """Log in through the form (password `TEST_PASSWORD`), like a person would, and wait for
    the page the login leads to (the start page unless `landing` says otherwise)."""
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(landing)


def main_nav(page: Any) -> Any:
    """The main navigation of the header."""
    return page.get_by_role("navigation", name="Hauptnavigation")


def click_and_wait(target: Any, url: str | Pattern[str]) -> None:
    """Click a link or button (a locator) and wait for the page at `url` (a glob or a
    pattern)."""
    target.click()
    target.page.wait_for_url(url)


def submit_and_wait(
    page: Any,
    url: str | Pattern[str],
    *,
    button: str = "Speichern",
    flash: str | None = None,
) -> None:
    """Press the form's submit button, wait for the page at `url` and, when given, for the
    flash message that confirms the post."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url(url)
    if flash is not None:
        expect_flash(page, flash)


def expect_flash(page: Any, text: str) -> None:
    """The page shows `text` (a flash message, say); waits for it."""
    expect(page.get_by_text(text)).to_be_visible()


def fill_form(page: Any, values: dict[str, str]) -> None:
    """Fill the fields labelled exactly as the keys with the values."""
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
