"""Browser journey: staff open the network graph, filter it, search a node, open a record
and look at the neighbourhood of an initiative. Cytoscape must run under the strict CSP."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.demo.seed import seed_demo
from crm.extensions import db
from crm.models import Initiative
from crm.models import initiative_laender
from crm.network import cache
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

RENDERED = "#network-graph[data-rendered='1']"
SEARCHED = "Wachstumsregion Ems-Achse e.V."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def seeded(app: Any) -> dict[str, Any]:
    """The small demo network; returns the initiative count and the searched initiative."""
    with app.app_context(), writing():
        seed_demo(size="small", seed=7)
        db.session.commit()
    with app.app_context():
        total = db.session.scalar(select(func.count(Initiative.id)))
        ems = db.session.scalar(select(Initiative.id).where(Initiative.name == SEARCHED))
        in_lower_saxony = db.session.scalar(
            select(func.count(initiative_laender.c.initiative_id)).where(
                initiative_laender.c.land_ags == "03"
            )
        )
    return {"total": total, "ems": ems, "lower_saxony": in_lower_saxony}


def drawn(page: Any) -> dict[str, str]:
    """Wait until the graph is drawn; its container's data attributes."""
    page.wait_for_selector(RENDERED, state="attached", timeout=30_000)
    data: dict[str, str] = page.eval_on_selector("#network-graph", "e => ({...e.dataset})")
    return data


def test_staff_filter_search_and_open_the_graph(app, page, make, screenshot):
    facts = seeded(app)
    user = make.user(role="staff", password=TEST_PASSWORD, email="graph@example.org")
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            problems.append(f"{message.text} {message.location.get('url', '')}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))

    log_in(page, user.email)

    page.goto("/network/")
    click_and_wait(page.get_by_role("link", name="Netzwerkgraph"), "**/network/graph")
    data = drawn(page)
    assert data["nodes"] == str(facts["total"])  # the aggregated view: all initiatives
    assert int(data["edges"]) > 0
    assert page.locator("#graph-table tbody tr").count() == facts["total"]
    check_accessibility(page, context_name="Netzwerkgraph")
    screenshot("graph")

    # filter: Niedersachsen only (state in the URL)
    page.get_by_label("Land", exact=True).select_option(label="Niedersachsen")
    page.get_by_label("Farbe nach", exact=True).select_option(label="Gruppe")
    submit_and_wait(page, "**land=03**", button="Anzeigen")
    data = drawn(page)
    assert 0 < int(data["nodes"]) == facts["lower_saxony"] < facts["total"]
    assert page.locator("#graph-table tbody tr").count() == facts["lower_saxony"]
    assert data["colour"] == "community"
    expect(page.locator(".graph-legend").get_by_text("ohne Gruppe")).to_be_visible()
    screenshot("graph-filtered")

    # search: the hit is selected and centred
    page.get_by_role("link", name="Zurücksetzen").click()
    drawn(page)
    page.get_by_label("Knoten suchen", exact=True).fill("ems-achse")
    submit_and_wait(page, "**q=ems-achse**", button="Anzeigen")
    data = drawn(page)
    node = f"i:{facts['ems']}"
    assert data["selected"] == node
    selected = page.eval_on_selector("#network-graph", "e => e.cy.$(':selected').map(n => n.id())")
    assert selected == [node]
    expect(page.get_by_role("status").filter(has_text="Gefunden und hervorgehoben")).to_be_visible()
    check_accessibility(page, context_name="Netzwerkgraph: Suche")
    screenshot("graph-search")

    # a click (tap) on the node opens the initiative
    page.eval_on_selector("#network-graph", f"e => e.cy.$id('{node}').emit('tap')")
    page.wait_for_url(f"**/initiatives/{facts['ems']}")

    # and the initiative page leads to its neighbourhood
    click_and_wait(
        page.get_by_role("link", name="Im Netzwerkgraph zeigen"),
        f"**/network/graph?focus=initiative:{facts['ems']}",
    )
    data = drawn(page)
    assert int(data["nodes"]) > 1
    kinds = page.eval_on_selector(
        "#network-graph", "e => [...new Set(e.cy.nodes().map(n => n.data('kind')))].sort()"
    )
    assert "organisation" in kinds and "initiative" in kinds
    assert page.get_by_role("heading", name=f"Netzwerkgraph: Nachbarschaft von {SEARCHED}")
    check_accessibility(page, context_name="Netzwerkgraph: Nachbarschaft")
    screenshot("graph-neighbourhood")

    csp = [text for text in problems if "Content Security Policy" in text or "Refused" in text]
    assert not csp, csp
    assert not problems, problems
