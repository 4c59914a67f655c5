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

NEW_PASSWORD = "unser-eigenes-passwort-2027"  # what an invited representative chooses
WISHES = ("Erstwunsch", "Zweitwunsch", "Drittwunsch")  # the radio groups of a registration


def log_in(page: Any, email: str) -> None:
    """Log in through the form (password `TEST_PASSWORD`), like a person would, and wait for
    the page the login leads to."""
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")


def main_nav(page: Any) -> Any:
    """The main navigation of the header."""
    return page.get_by_role("navigation", name="Hauptnavigation")


def click_and_wait(target: Any, url: str | Pattern[str]) -> None:
    """Click a link or button (a locator) and wait for the page at `url` (a glob or a
    pattern)."""
    target.click()
    target.page.wait_for_url(url)


def follow_alert(page: Any, text: str, link: str, url: str | Pattern[str]) -> None:
    """The page shows an alert (a warning banner) with `text`: follow its link `link` and
    wait for the page at `url`."""
    alert = page.get_by_role("alert").filter(has_text=text)
    expect(alert).to_be_visible()
    click_and_wait(alert.get_by_role("link", name=link), url)


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


def fill_invitation(page: Any, initiative_id: int, email: str, name: str) -> None:
    """From the initiative's page, open the form that invites a representative and fill it
    in (not sent yet)."""
    click_and_wait(
        page.get_by_role("link", name="Vertreter:in einladen"),
        f"**/initiatives/{initiative_id}/invite",
    )
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Name (optional)").fill(name)


def invitation_link(page: Any, email: str, base_url: str) -> str:
    """The personal link of the invitation to `email`, read from the outbox as the office
    does without SMTP (the page stays on the outbox)."""
    page.goto("/outbox")
    mail = page.locator("article", has_text=email)
    link = mail.locator("a[href*='/invitation/']").first.get_attribute("href")
    assert link and link.startswith(base_url + "/invitation/")
    return str(link)


def fill_new_password(page: Any, password: str = NEW_PASSWORD) -> None:
    """Fill in the form that sets a password (not sent yet)."""
    page.get_by_label("Neues Passwort", exact=True).fill(password)
    page.get_by_label("Neues Passwort wiederholen").fill(password)


def choose_wishes(page: Any, *workshops: str) -> None:
    """On the registration form, choose the workshops as first, second (and third) wish."""
    for wish, title in zip(WISHES, workshops, strict=False):
        page.get_by_role("radio", name=f"{wish}: {title}", exact=True).check()
