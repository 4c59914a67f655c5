"""The main journeys with the keyboard alone (WCAG 2.1.1, 2.4.3, 2.4.7): Tab, Shift+Tab,
Enter, Space, the arrow keys and Escape, never a click. Every step checks that the element
that has the focus shows it, with an indicator of at least 3:1 against what is around it
(tests/browser/a11y.py).

- the skip link "Zum Inhalt springen" is the first stop and leads into the content;
- staff's daily work: find a person through the search, edit the person, add a link (an
  affiliation through the look-up), log an interaction;
- a representative updates the initiative's profile (the portal);
- a visitor registers for an event with three workshop wishes;
- staff compute the workshop assignment and move a person by hand (an override);
- staff accept a network suggestion;
- the "Verwaltung" menu and, at 320 px, the header's menu button open with the keyboard,
  close with Escape and give the focus back.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import Interaction
from crm.models import MembershipRole
from crm.models import WorkshopPreference
from crm.network import cache
from tests.browser.a11y import focus_ratio
from tests.browser.pages import WISHES
from tests.conftest import TEST_PASSWORD
from tests.events.helpers import open_event
from tests.events.test_events_assignment import build_meeting

pytestmark = pytest.mark.browser

# What has the focus: enough to recognise it and to tell whether it shows its focus.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const label = e.getAttribute('aria-label')
    || (e.labels && e.labels.length ? e.labels[0].textContent : '') || '';
  return {
    tag: e.tagName.toLowerCase(),
    type: e.getAttribute('type') || '',
    name: e.getAttribute('name') || '',
    id: e.id || '',
    href: e.getAttribute('href') || '',
    value: e.value || '',
    text: (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
    label: label.trim().replace(/\\s+/g, ' '),
    expanded: e.getAttribute('aria-expanded'),
    visible: e.matches(':focus-visible'),
    focus: e.matches(':focus'),
    cls: e.className || '',
  };
}"""
DATE_TYPES = {"date", "time", "datetime-local", "month", "week"}


class Keyboard:
    """Moves through a page with keys only; every stop must show its focus (3:1)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.stops = 0
        self.trail: list[tuple[str, str]] = []

    def focused(self) -> dict[str, Any] | None:
        """The element with the focus (None: the page itself)."""
        result: dict[str, Any] | None = self.page.evaluate(FOCUSED)
        return result

    def assert_visible_focus(self) -> dict[str, Any]:
        """The focused element shows a focus indicator of at least 3:1."""
        focused = self.focused()
        assert focused is not None, "the focus is lost"
        if focused["type"] in DATE_TYPES and not focused["focus"]:
            # Tab passes through a date field's parts; its last stop is the browser's own
            # calendar button inside the field, drawn and focused by Chromium itself
            return focused
        ratio = focus_ratio(self.page)
        assert focused["visible"] and ratio >= 3, (
            f"focus indicator {ratio:.2f}:1 on {focused} at {self.page.url}, after "
            f"{self.trail[-3:]}"
        )
        self.trail.append((focused["tag"], focused["name"] or focused["text"][:30]))
        return focused

    def tab_to(self, backwards: bool = False, limit: int = 250, **wanted: Any) -> dict[str, Any]:
        """Press Tab (Shift+Tab) until the focused element has the `wanted` attributes (a
        string matches exactly, a pattern by search); each stop shows its focus."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self.focused()
            if focused is None:
                continue  # past the end of the page: the next Tab starts over
            self.stops += 1
            self.assert_visible_focus()
            if all(_matches(focused.get(k, ""), v) for k, v in wanted.items()):
                return focused
        pytest.fail(f"Tab never reached {wanted} on {self.page.url}")

    def fill(self, text: str, **wanted: Any) -> None:
        """Tab to a field, replace its text by `text`."""
        self.tab_to(**wanted)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)

    def choose(self, group: str, label: str) -> None:
        """Tab into the radio group `group`; the arrow keys move to the radio `label`, Space
        checks it."""
        focused = self.tab_to(name=group)
        for _ in range(20):
            if focused["label"] == label:
                self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
            focused = self.assert_visible_focus()
        pytest.fail(f"no radio {label} in {group}")

    def press_and_wait(self, key: str, url: str | re.Pattern[str]) -> None:
        """Press `key` (Enter on a link or button) and wait for the page at `url`."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_url(url)

    def follow(self, url: str | re.Pattern[str], **wanted: Any) -> None:
        """Tab to a link or button and press Enter; wait for the page at `url`."""
        self.tab_to(**wanted)
        self.press_and_wait("Enter", url)


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, re.Pattern):
        return bool(wanted.search(str(value or "")))
    return bool(value == wanted)


def log_in_by_keyboard(page: Any, email: str) -> Keyboard:
    """The login form, by keyboard: the skip link first, then the fields."""
    page.goto("/login")
    keys = Keyboard(page)
    first = keys.tab_to()
    assert first["text"] == "Zum Inhalt springen" and first["href"] == "#main", first
    keys.fill(email, name="email")
    keys.fill(TEST_PASSWORD, name="password")
    keys.press_and_wait("Enter", re.compile(r"/$"))
    return keys


def expect_status(page: Any, text: str) -> None:
    """A status message (flash) that says `text`."""
    expect(page.locator("[role=status], [role=alert]").filter(has_text=text).first).to_be_visible()


def test_skip_link_is_first_and_leads_into_the_content(app, page, make):
    user = make.user(role="staff", password=TEST_PASSWORD, email="tastatur@example.org")
    keys = log_in_by_keyboard(page, user.email)
    for path in ("/", "/initiatives/", "/verzeichnis/"):
        page.goto(path)
        first = keys.tab_to()
        assert first["text"] == "Zum Inhalt springen", (path, first)
        page.keyboard.press("Enter")
        # the next Tab starts inside the content, not in the header
        page.keyboard.press("Tab")
        inside = page.evaluate("() => !!document.activeElement.closest('main')")
        assert inside, (path, keys.focused())
        keys.assert_visible_focus()


def test_staff_daily_work_by_keyboard(app, page, make, screenshot):
    ini = make.initiative(name="Zukunft durch Industrie e.V.", laender=["05"])
    make.organisation(name="Stahlwerk Nord GmbH", place="Duisburg")
    person = make.person(first_name="Jördis", last_name="Tastmann", email="jt@example.org")
    make.initiative_role(person, ini)
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    keys = log_in_by_keyboard(page, user.email)

    # find the person through the search in the header
    keys.fill("Tastmann", id="header-search-q")
    keys.press_and_wait("Enter", re.compile(r"/search\?q=Tastmann"))
    keys.follow(f"**/persons/{person.id}", href=f"/persons/{person.id}")

    # edit: a new phone number, saved with Enter in the field
    keys.follow(f"**/persons/{person.id}/edit", href=f"/persons/{person.id}/edit")
    keys.fill("0201 123456", name="phone")
    keys.press_and_wait("Enter", f"**/persons/{person.id}")
    expect_status(page, "gespeichert")

    # a link: an affiliation with an organisation chosen through the look-up
    keys.follow(re.compile(r"/affiliations/new\?person="), href=re.compile(r"/affiliations/new"))
    keys.fill("Stahl", name="other_name")
    hit = page.get_by_role("button", name="Stahlwerk Nord GmbH")
    hit.wait_for()
    keys.tab_to(tag="button", text=re.compile("Stahlwerk Nord GmbH"))
    page.keyboard.press("Enter")
    expect(page.locator("input[name=other_id]")).not_to_have_value("")
    keys.follow(f"**/persons/{person.id}", tag="button", type="submit")
    with app.app_context():
        assert db.session.scalars(select(Affiliation)).one().person_id == person.id

    # log an interaction: kind by typing, subject, saved with the button
    keys.follow(re.compile(r"/interactions/new\?"), href=re.compile(r"/interactions/new"))
    keys.tab_to(name="kind")
    page.keyboard.press("ArrowDown")
    keys.fill("Telefonat zur Ausbildungsmesse", name="subject")
    keys.follow(f"**/persons/{person.id}", tag="button", type="submit")
    expect(page.get_by_text("Telefonat zur Ausbildungsmesse").first).to_be_visible()
    with app.app_context():
        assert db.session.scalars(select(Interaction.subject)).one() == (
            "Telefonat zur Ausbildungsmesse"
        )
    screenshot("keyboard-staff-daily-work")
    assert keys.stops > 10


def test_representative_updates_the_profile_by_keyboard(app, page, make):
    ini = make.initiative(name="Industrieregion Ems-Achse e.V.", laender=["03"])
    user = make.user(
        role="editor", initiative_id=ini.id, password=TEST_PASSWORD, email="vertretung@example.org"
    )
    keys = log_in_by_keyboard(page, user.email)
    keys.follow("**/unsere-initiative/", href="/unsere-initiative/")
    keys.follow("**/unsere-initiative/profil", href="/unsere-initiative/profil")
    keys.fill("Wir bringen Betriebe und Schulen zusammen.", name="goals")
    keys.follow("**/unsere-initiative/", tag="button", type="submit")
    expect_status(page, "Das Profil ist gespeichert.")
    page.goto("/unsere-initiative/profil")
    expect(page.locator("textarea[name=goals]")).to_have_value(
        "Wir bringen Betriebe und Schulen zusammen."
    )


def test_visitor_registers_with_wishes_by_keyboard(app, page, make):
    event, workshops = open_event(make, workshops=4, title="Netzwerktreffen Tastatur")
    page.goto(f"/events/{event.id}/register")
    keys = Keyboard(page)
    first = keys.tab_to()
    assert first["text"] == "Zum Inhalt springen"
    for name, value in (
        ("first_name", "Jörg"),
        ("last_name", "Müller-Lüdenscheidt"),
        ("email", "joerg@example.org"),
        ("organisation", "Müller-Lüdenscheidt GmbH"),
    ):
        keys.fill(value, name=name)
    # the wishes: Tab into each radio group, the arrow keys choose within it
    for group, wish, workshop in zip(
        ("pref1", "pref2", "pref3"), WISHES, ("Workshop C", "Workshop A", "Workshop D"), strict=True
    ):
        keys.choose(group, f"{wish}: {workshop}")
    keys.tab_to(name="consent_event")
    page.keyboard.press("Space")
    keys.follow(f"**/events/{event.id}/register/done", tag="button", type="submit")
    with app.app_context():
        chosen = db.session.scalars(
            select(WorkshopPreference.workshop_id).order_by(WorkshopPreference.rank)
        ).all()
    assert chosen == [workshops[2].id, workshops[0].id, workshops[3].id]


def test_assignment_with_an_override_by_keyboard(app, page, make):
    meeting = build_meeting(app, participants=12, capacities=(4, 4, 4))
    user = make.user(role="staff", password=TEST_PASSWORD, email="zuteilung@example.org")
    keys = log_in_by_keyboard(page, user.email)
    page.goto(f"/events/{meeting.event_id}/assignment")
    keys.follow(
        f"**/events/{meeting.event_id}/assignment", tag="button", text="Zuteilung berechnen"
    )
    expect_status(page, "Der Entwurf wurde berechnet.")
    # the first row's workshop: another one chosen with the arrow keys, then "Verschieben"
    before = keys.tab_to(tag="select", name="workshop_id")["value"]
    page.keyboard.press("ArrowDown")
    if (
        keys.assert_visible_focus()["value"] == before
    ):  # the last workshop was chosen: the one above
        page.keyboard.press("ArrowUp")
    assert keys.assert_visible_focus()["value"] != before
    keys.follow(f"**/events/{meeting.event_id}/assignment*", tag="button", text="Verschieben")
    expect_status(page, "ist jetzt fest in")
    expect(page.locator("[data-fixed]").first).to_be_visible()


def test_staff_accept_a_suggestion_by_keyboard(app, page, make):
    cache.clear()
    home = make.initiative(name="Zukunft durch Industrie e.V.", laender=["05"])
    partner = make.initiative(name="Industrieregion Rheinisches Revier", laender=["05"])
    for n in range(2):
        org = make.organisation(name=f"Mitgliedsbetrieb {n} GmbH")
        make.membership(org, home, role=MembershipRole.TRAEGER)
        make.membership(org, partner)
    user = make.user(role="staff", password=TEST_PASSWORD, email="vorschlag@example.org")
    keys = log_in_by_keyboard(page, user.email)
    page.goto(f"/initiatives/{home.id}")
    keys.follow(f"**/initiatives/{home.id}*", tag="button", text=re.compile("^Annehmen"))
    expect_status(page, "Vorschlag angenommen")
    relations = page.get_by_role("region", name="Beziehungen")
    expect(relations.get_by_role("link", name=partner.name)).to_be_visible()
    cache.clear()


def test_menus_open_and_close_with_escape(app, new_page, make):
    user = make.user(role="admin", password=TEST_PASSWORD, email="menue@example.org")

    # desktop: the "Verwaltung" dropdown
    page = new_page(viewport={"width": 1280, "height": 900})
    keys = log_in_by_keyboard(page, user.email)
    toggle = keys.tab_to(id="admin-menu-toggle")
    assert toggle["expanded"] == "false"
    page.keyboard.press("Enter")
    expect(page.locator("#admin-menu-toggle")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    entry = keys.assert_visible_focus()
    assert entry["tag"] == "a" and entry["href"], entry
    page.keyboard.press("Escape")
    expect(page.locator("#admin-menu-toggle")).to_have_attribute("aria-expanded", "false")
    assert keys.assert_visible_focus()["id"] == "admin-menu-toggle"
    keys.assert_visible_focus()

    # 320 px: the header collapses into a menu button
    narrow = new_page(viewport={"width": 320, "height": 640})
    keys = log_in_by_keyboard(narrow, user.email)
    button = keys.tab_to(tag="button", expanded="false")
    assert "navbar-toggler" in narrow.evaluate("() => document.activeElement.className"), button
    narrow.keyboard.press("Enter")
    menu = narrow.locator("#main-menu")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # opened (the slide has ended)
    expect(narrow.locator(".navbar-toggler")).to_have_attribute("aria-expanded", "true")
    keys.tab_to(tag="a", text="Initiativen")
    narrow.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert "navbar-toggler" in narrow.evaluate("() => document.activeElement.className")
    keys.assert_visible_focus()
