"""Keyboard use of the map and the lists: Tab reaches every control, Enter follows links,
and the focus is visible."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Bundesland
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    cls: e.getAttribute("class") || "",
    id: e.id || "",
    href: e.getAttribute("href") || "",
    land: e.getAttribute("data-land") || "",
    text: (e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60),
    focusVisible: e.matches(":focus-visible"),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
  };
}"""


def seed(app: Any) -> None:
    with app.app_context(), writing():
        seed_demo(size="small", seed=5)
        db.session.commit()


def tab_through(page: Any, limit: int = 200) -> list[dict[str, Any]]:
    """Press Tab until the focus leaves the page or `limit` presses; what had the focus."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused == seen[0]):
            break
        seen.append(focused)
    return seen


def tab_to(page: Any, matches: Any, limit: int = 200) -> dict[str, Any]:
    """Press Tab until the focused element satisfies `matches`; that element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is not None and matches(focused):
            return focused
    pytest.fail("Tab never reached the element")


def test_public_map_by_keyboard(app, page, screenshot):
    seed(app)
    page.goto("/verzeichnis/")
    seen = tab_through(page)
    lands = [f for f in seen if "map-land-link" in f["cls"]]
    markers = [f for f in seen if "map-marker-link" in f["cls"]]
    with app.app_context():
        counted = db.session.scalars(select(Bundesland.ags)).all()
    assert lands, [f["cls"] or f["text"] for f in seen]
    # the ~100 seat markers are no tab stops: the list below the map holds the same links
    assert not markers, "seat markers add tab stops before the content"
    assert {f["land"] for f in lands} <= set(counted)
    # a keyboard focus is visible: an outline around the SVG link
    assert lands[0]["focusVisible"], lands[0]
    assert lands[0]["outline"] != "none" and lands[0]["outlineWidth"] >= 2, lands[0]
    # a skip link before the map jumps past it
    skip = next(i for i, f in enumerate(seen) if f["text"] == "Karte überspringen")
    assert "map-land-link" in seen[skip + 1]["cls"]

    # Enter on a focused Land follows its link: the list shows that Land's initiatives
    page.goto("/verzeichnis/")
    target = next(f for f in lands if "land=" in f["href"])
    tab_to(page, lambda f: "map-land-link" in f["cls"] and f["land"] == target["land"])
    screenshot("keyboard-map-focus")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"land={target['land']}" in page.url
    assert page.locator("#public-land").input_value() == target["land"]
    selected = page.locator(f"path.map-land.map-selected[data-land='{target['land']}']")
    assert selected.count() == 1

    # the initiatives on the map as a list: opened with Enter, an entry opens its initiative
    page.goto("/verzeichnis/")
    tab_to(page, lambda f: f["tag"] == "summary")
    page.keyboard.press("Enter")
    entry = tab_to(page, lambda f: f["tag"] == "a" and "/verzeichnis/" in f["href"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(entry["href"])
    assert page.locator("h1").count() == 1


def test_staff_list_by_keyboard(app, page, make, monkeypatch):
    seed(app)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)  # the 12 initiatives fill three pages
    user = make.user(role="staff", password=TEST_PASSWORD, email="tastatur@example.org")
    log_in(page, user.email)

    page.goto("/initiatives/")
    seen = tab_through(page)
    ids = {f["id"] for f in seen}
    assert {"q", "filter-land", "filter-kreis", "filter-type", "filter-status"} <= ids
    assert {"filter-theme", "filter-format", "filter-ihk"} <= ids
    texts = [f["text"] for f in seen if f["tag"] == "a"]
    for header in ("Name", "Typ", "Länder", "Sitz", "Gegründet", "Status"):
        assert any(t.startswith(header) for t in texts), header
    assert "Anwenden" in [f["text"] for f in seen if f["tag"] == "button"]
    assert "Weiter" in texts and "Letzte" in texts
    # on the first page there is no way back: those steps are no stops for the keyboard
    assert "Zurück" not in texts and "Erste" not in texts
    assert all(f["focusVisible"] for f in seen if f["tag"] == "a")

    # Enter on a sort header sorts; Enter again reverses
    page.goto("/initiatives/")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Typ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=type" in page.url and "dir=asc" in page.url
    header = page.locator("th[aria-sort]")
    assert header.inner_text().startswith("Typ")
    assert header.get_attribute("aria-sort") == "ascending"
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("Typ"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"

    # a filter chosen by keyboard keeps the sort order; the next page keeps both
    page.goto("/initiatives/?sort=name&dir=desc")
    tab_to(page, lambda f: f["id"] == "filter-status")
    page.keyboard.press("ArrowDown")  # the first status after "alle"
    chosen = page.locator("#filter-status").input_value()
    assert chosen
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Anwenden")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"status={chosen}" in page.url and "sort=name" in page.url and "dir=desc" in page.url
    page.goto("/initiatives/?sort=name")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Weiter")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "page=2" in page.url and "sort=name" in page.url
    texts = [f["text"] for f in tab_through(page) if f["tag"] == "a"]
    assert "Zurück" in texts and "Erste" in texts
