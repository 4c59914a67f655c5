"""Browser checks of issue 13 §5 "Pages that fit a screen": the header on one line from
1280 px (as admin, with every navigation entry and a long e-mail), the menu on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from crm.models import OrgType
from tests.browser.a11y import reflow_finding
from tests.browser.axe import check_accessibility
from tests.browser.conftest import OUTPUT
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

LONG_EMAIL = "dorothea.mustermann-schulze@beratungsstelle-industrienetz.example.org"


def canvas_shot(page: Any, name: str) -> None:
    """The graph canvas alone (the full page is too tall to review the drawing)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.locator("#network-graph").screenshot(path=str(OUTPUT / f"{name}-canvas.png"))


def header_box(page: Any) -> dict[str, float]:
    return page.eval_on_selector(
        "header nav",
        """nav => {
            const r = nav.getBoundingClientRect();
            const items = [...nav.querySelectorAll(
                '.navbar-brand, .nav-link, .header-search, .header-account button')]
                .filter(e => e.offsetParent !== null)
                .map(e => e.getBoundingClientRect());
            const tops = items.map(b => b.top), bottoms = items.map(b => b.bottom);
            return {height: r.height, width: r.width, scrollWidth: nav.scrollWidth,
                    items: items.length, spread: Math.max(...tops) - Math.min(...tops),
                    lowest: Math.max(...bottoms)};
        }""",
    )


@pytest.mark.parametrize("width", [1280, 1366, 1440])
def test_admin_header_stays_on_one_line(page, make, screenshot, width):
    admin = make.user(role="admin", password=TEST_PASSWORD, email=LONG_EMAIL)
    for n in range(12):  # a two-digit badge next to "Wiedervorlagen"
        make.interaction(
            subject=f"Rückruf {n}",
            follow_up_due=dt.date(2026, 1, 6),
            follow_up_owner_id=admin.id,
        )
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, LONG_EMAIL)
    page.goto("/initiatives/")
    nav = page.locator("header nav")
    for entry in (
        "Initiativen",
        "Netzwerk",
        "Auswertungen",
        "Änderungen durch Initiativen",
    ):
        expect(nav.get_by_role("link", name=entry, exact=True), entry).to_be_visible()
    # the office and admin pages are grouped under "Verwaltung" (a dropdown)
    nav.get_by_role("button", name="Verwaltung").click()
    for entry in ("Import", "Datenschutz", "Postausgang", "Konten", "Hintergrundjobs"):
        expect(nav.get_by_role("link", name=entry, exact=True), entry).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Konten", exact=True)).not_to_be_visible()
    expect(nav.get_by_role("button", name="Abmelden")).to_be_visible()
    expect(nav.get_by_role("searchbox")).to_be_visible()
    assert nav.locator("[data-count='due-follow-ups']").inner_text().startswith("12")
    expect(nav.get_by_role("button", name="Menü")).not_to_be_visible()
    box = header_box(page)
    assert box["items"] >= 12
    assert box["spread"] <= 8, box  # every entry on the same line
    assert box["height"] <= 64, box  # one line of Bootstrap's navbar
    assert box["scrollWidth"] <= width, box  # nothing cut off on the right
    # the long e-mail is shortened on screen but complete in its tooltip
    email = nav.locator(".header-email")
    assert LONG_EMAIL in (email.get_attribute("title") or "")
    screenshot(f"layout-header-{width}")
    # the same in English
    click_and_wait(nav.get_by_role("button", name="English"), "**/initiatives/")
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    box = header_box(page)
    assert box["spread"] <= 8 and box["height"] <= 64 and box["scrollWidth"] <= width, box


def test_header_collapses_into_a_menu_on_a_phone(page, make, screenshot):
    make.user(role="admin", password=TEST_PASSWORD, email=LONG_EMAIL)
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, LONG_EMAIL)
    nav = page.locator("header nav")
    menu = nav.get_by_role("button", name="Menü")
    expect(menu).to_be_visible()
    expect(nav.get_by_role("link", name="Initiativen", exact=True)).not_to_be_visible()
    assert nav.bounding_box()["height"] < 70
    assert nav.evaluate("e => e.scrollWidth") <= 375
    menu.click()
    initiatives = nav.get_by_role("link", name="Initiativen", exact=True)
    initiatives.wait_for(state="visible")
    assert menu.get_attribute("aria-expanded") == "true"
    expect(nav.get_by_role("button", name="Abmelden")).to_be_visible()
    assert nav.evaluate("e => e.scrollWidth") <= 375
    screenshot("layout-header-375-open")
    click_and_wait(initiatives, "**/initiatives/")


def largest_demo_initiative(make: Any) -> Any:
    """Like the largest initiative of the full demo (126 members: 117 companies, seven
    other types), with its contacts, relationships and interactions."""
    ini = make.initiative(
        name="Industrieregion Rheinisches Revier",
        laender=["05"],
        themes=["Strukturwandel (Kohleregionen)", "Energiewende/Klimaschutz", "Wasserstoff"],
        region_label="Rheinisches Revier",
        description="Unternehmen, Kommunen, Kammern und Gewerkschaften des Reviers gestalten "
        "gemeinsam den Strukturwandel: Flächen, Fachkräfte, Energie und Akzeptanz der "
        "Industrie in der Region. Das Bündnis berät Betriebe, Schulen und Verwaltungen und "
        "bringt sie in Arbeitsgruppen zusammen.",
        goals="Industriearbeitsplätze im Revier halten und neue ansiedeln; Genehmigungen "
        "beschleunigen; Nachwuchs für die Betriebe gewinnen; Dialog mit den Anwohnern.",
        legal_form="e.V.",
        founded_year=2019,
        website="https://revier.example.org",
        plz="50126",
        place="Bergheim",
        street="Am Markt 1",
    )
    for n in range(117):
        make.membership(make.organisation(name=f"Revierbetrieb {n:03d} GmbH"), ini)
    others = [
        ("Berufskolleg Bergheim", OrgType.BERUFSSCHULE),
        ("IG BCE Bezirk Alsdorf", OrgType.GEWERKSCHAFT),
        ("IG Metall Köln-Leverkusen", OrgType.GEWERKSCHAFT),
        ("ver.di Bezirk Köln", OrgType.GEWERKSCHAFT),
        ("RWTH Aachen", OrgType.HOCHSCHULE),
        ("Handwerkskammer Aachen", OrgType.HWK),
        ("Stadt Bergheim", OrgType.KOMMUNE),
        ("Zukunftsagentur Rheinisches Revier", OrgType.SONSTIGE),
        ("Unternehmerverband Rheinland", OrgType.WIRTSCHAFTSVERBAND),
    ]
    for name, org_type in others:
        make.membership(make.organisation(name=name, type=org_type), ini)
    make.initiative_role(make.person(first_name="Jana", last_name="Revier"), ini)
    for n in range(2):
        make.relationship(ini, make.initiative(name=f"Partnerinitiative {n}", laender=["05"]))
        make.interaction(subject=f"Abstimmung {n}", initiative_id=ini.id)
    return ini


def test_largest_initiative_fits_two_screens(page, make, screenshot):
    make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    ini = largest_demo_initiative(make)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "beraterin@example.org")
    page.goto(f"/initiatives/{ini.id}")
    members = page.locator("#members-h").locator("xpath=..")
    assert "126" in members.locator("#members-h").inner_text()
    companies = page.locator("#members-unternehmen")
    assert "(117)" in companies.get_by_role("heading").inner_text()
    assert companies.locator("li").count() == 10
    assert page.locator("#members-gewerkschaft li").count() == 3
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot("layout-initiative-largest-1366")
    assert height <= 2 * 768, height

    # "alle anzeigen" lists the companies 50 at a time (#23), without JavaScript, pages
    # through them and comes back
    click_and_wait(companies.get_by_role("link", name="alle 117 anzeigen"), "**alle=unternehmen**")
    assert page.locator("#members-unternehmen .member-list li").count() == 50
    assert page.locator("#members-gewerkschaft li").count() == 3
    pager = page.get_by_role("navigation", name="Seiten: Unternehmen")
    expect(pager).to_contain_text("117 Einträge · Seite 1 von 3")
    click_and_wait(pager.get_by_role("link", name="Letzte"), "**members_page=3#members-unternehmen")
    assert page.locator("#members-unternehmen .member-list li").count() == 17
    expect(page.get_by_text("Revierbetrieb 116 GmbH")).to_be_visible()
    expect(pager).to_contain_text("Seite 3 von 3")
    assert page.locator("#members-gewerkschaft li").count() == 3
    click_and_wait(
        page.locator("#members-unternehmen").get_by_role("link", name="weniger anzeigen"),
        f"**/initiatives/{ini.id}#members-unternehmen",
    )
    assert page.locator("#members-unternehmen li").count() == 10


def test_record_pager_fits_a_phone(app, page, make, screenshot):
    """The pager of a long list inside a record's page (#23): at 320 px the page needs no
    sideways scrolling, each step is a target of at least 24 px, and it lands on the list."""
    from crm.db.engine import writing
    from crm.extensions import db
    from crm.models import Initiative
    from crm.models import InitiativeType
    from crm.models import Membership
    from crm.models import MembershipRole

    make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    org = make.organisation(name="Großbetrieb Rheinland AG")
    with app.app_context(), writing():
        inis = [Initiative(name=f"Netzwerk {n:03d}", type=InitiativeType.VEREIN) for n in range(53)]
        db.session.add_all(inis)
        db.session.flush()
        db.session.add_all(
            Membership(organisation_id=org.id, initiative_id=i.id, role=MembershipRole.MITGLIED)
            for i in inis
        )
        db.session.commit()
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, "beraterin@example.org")
    page.goto(f"/organisations/{org.id}")
    pager = page.get_by_role("navigation", name="Seiten: Mitgliedschaften")
    expect(pager).to_contain_text("53 Einträge · Seite 1 von 2")
    assert reflow_finding(page) is None, reflow_finding(page)
    for link in pager.get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, box
    screenshot("layout-record-pager-320")
    click_and_wait(pager.get_by_role("link", name="Weiter"), "**memberships_page=2#memberships-h")
    expect(page.get_by_role("link", name="Netzwerk 052")).to_be_visible()
    expect(pager).to_contain_text("Seite 2 von 2")
    assert reflow_finding(page) is None, reflow_finding(page)


def test_kreis_filter_follows_the_land_live(page, make, screenshot):
    make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    make.organisation(name="Kölner Werk GmbH", kreis_ags="05315", land_ags="05")
    make.organisation(name="Bremer Werft GmbH", kreis_ags="04011", land_ags="04")
    log_in(page, "beraterin@example.org")
    page.goto("/organisations/")
    kreis = page.locator("#filter-kreis")
    assert kreis.locator("option").count() == 401  # "alle" and every Kreis
    page.locator("#filter-land").select_option(label="Bremen")
    expect(kreis.locator("option")).to_have_count(3)
    labels = kreis.locator("option").all_inner_texts()
    assert labels == ["alle", "Bremen, Stadt", "Bremerhaven, Stadt"]
    kreis.select_option(label="Bremen, Stadt")
    submit_and_wait(page, "**land=04**", button="Anwenden")
    expect(page.get_by_role("link", name="Bremer Werft GmbH")).to_be_visible()
    assert page.get_by_text("Kölner Werk GmbH").count() == 0
    assert kreis.locator("option").count() == 3  # the server renders the same options
    assert kreis.input_value() == "04011"
    screenshot("layout-kreis-filter")
    # back to every Land: every Kreis again, the chosen one kept
    page.locator("#filter-land").select_option(label="alle")
    expect(kreis.locator("option")).to_have_count(401)
    assert kreis.input_value() == "04011"
    page.locator("#filter-land").select_option(label="Nordrhein-Westfalen")
    expect(kreis.locator("option")).to_have_count(54)
    assert kreis.input_value() == ""  # Bremen is not in Nordrhein-Westfalen


@pytest.fixture
def full_demo(app: Any) -> None:
    """The full demo network (seed 7), the network cache emptied."""
    from crm.db.engine import writing
    from crm.demo.seed import seed_demo
    from crm.extensions import db
    from crm.network import cache

    with app.app_context(), writing():
        seed_demo(size="full", seed=7)
        db.session.commit()
    cache.clear()


def test_graph_is_readable_legend_labels_zoom_and_find(full_demo, page, make, screenshot):
    make.user(role="staff", password=TEST_PASSWORD, email="graph@example.org")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "graph@example.org")
    page.goto("/network/graph?colour=community")
    graph = page.locator("#network-graph[data-rendered='1']")
    graph.wait_for(state="attached", timeout=60_000)
    data = page.eval_on_selector("#network-graph", "e => ({...e.dataset})")
    assert data["layout"] == "preset"  # positions from the server, no layout in the browser
    assert int(data["nodes"]) == 95
    assert 0 < int(data["labelled"]) <= 20  # the largest nodes only
    assert data["labels"] == "largest"

    # a legend: shapes per kind, one entry per group with a distinguishable name
    legend = page.locator("#graph-legend")
    groups = legend.locator(".graph-legend-group").all_inner_texts()
    assert len(groups) >= 3
    assert len(set(groups)) == len(groups)
    assert all("(" in name and ", um " in name for name in groups), groups
    assert "Organisation" in legend.inner_text() and "Rechteck" in legend.inner_text()
    screenshot("layout-graph-communities")
    canvas_shot(page, "layout-graph-communities")

    # zooming in labels every node
    page.locator("#network-graph").scroll_into_view_if_needed()
    # Cytoscape ignores the wheel for 250 ms after the page scrolled (so a wheel meant for the
    # page does not zoom); such a wheel scrolls the page again. Start once the page is still.
    page.evaluate(
        """() => new Promise(resolve => {
            let timer = setTimeout(resolve, 300);
            addEventListener("scroll", () => {
                clearTimeout(timer);
                timer = setTimeout(resolve, 300);
            }, {capture: true});
        })"""
    )
    scrolled = page.evaluate("window.scrollY")
    box = page.locator("#network-graph").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, max(box["y"], 0) + 150)
    for _ in range(10):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(100)
    expect(page.locator("#network-graph")).to_have_attribute("data-labels", "all")
    assert page.evaluate("window.scrollY") == scrolled  # the wheel zoomed, the page stayed

    # "Im Graph finden" centres the node (with its label), without reloading the page
    url = page.url
    wanted = page.locator("#graph-table tbody tr").nth(7).locator("td").first.inner_text()
    finder = page.get_by_label("Im Graph finden")
    finder.fill(wanted)
    page.get_by_role("button", name="Zentrieren").click()
    expect(page.locator("#graph-find-result")).to_contain_text(f"Zentriert: {wanted}")
    centred = page.eval_on_selector(
        "#network-graph",
        """e => { const n = e.cy.$id(e.dataset.centred); const b = n.renderedBoundingBox();
                 return {id: n.id(), label: n.data('label'), selected: n.selected(),
                         dx: Math.abs((b.x1 + b.x2) / 2 - e.cy.width() / 2),
                         dy: Math.abs((b.y1 + b.y2) / 2 - e.cy.height() / 2)}; }""",
    )
    assert centred["label"] == wanted and centred["selected"]
    assert centred["dx"] < 5 and centred["dy"] < 5, centred
    assert page.url == url
    screenshot("layout-graph-found")
    canvas_shot(page, "layout-graph-found")
    finder.fill("gibt es nicht")
    page.get_by_role("button", name="Zentrieren").click()
    expect(page.locator("#graph-find-result")).to_contain_text("Kein gezeigter Knoten")

    # filters by Land, theme and type stay on the server; coloured by kind, rings by group
    page.locator("#graph-land").select_option(label="Bayern")
    page.locator("#graph-colour").select_option("kind")
    page.get_by_role("checkbox", name="Organisation").check()
    submit_and_wait(page, "**land=09**", button="Anzeigen")
    graph.wait_for(state="attached", timeout=60_000)
    data = page.eval_on_selector("#network-graph", "e => ({...e.dataset})")
    kinds = page.eval_on_selector(
        "#network-graph", "e => [...new Set(e.cy.nodes().map(n => n.data('kind')))].sort()"
    )
    assert kinds == ["initiative", "organisation"]
    assert "Ring: Gruppe" in page.locator("#graph-legend").inner_text()
    screenshot("layout-graph-bayern-kind")
    canvas_shot(page, "layout-graph-bayern-kind")
    assert not problems, problems


def test_network_page_opens_with_the_strongest_suggestions(full_demo, page, make, screenshot):
    make.user(role="staff", password=TEST_PASSWORD, email="netz@example.org")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "netz@example.org")
    page.goto("/network/")
    top = page.locator("#top-suggestions")
    pairs = top.locator(".network-pair")
    assert pairs.count() == 8
    # what staff came for is on the first screen: the heading and the first pair
    heading = page.get_by_role("heading", name="Die stärksten Vorschläge im ganzen Netz")
    assert heading.bounding_box()["y"] < 300
    first = pairs.first
    assert first.bounding_box()["y"] < 768
    assert first.locator("li").count() >= 1  # its reasons
    names = first.locator("a").all_inner_texts()[:2]
    # the groups carry distinguishable names
    titles = page.locator(".network-community h3").all_inner_texts()
    details = page.locator(".network-community p.small").all_inner_texts()
    assert len(set(zip(titles, details, strict=True))) == len(titles) >= 3
    # the table across Länder is folded away until asked for
    table = page.locator("#laender-details table")
    expect(table).not_to_be_visible()
    screenshot("layout-network-top")
    check_accessibility(page, context_name="Netzwerkanalyse")
    page.locator("#laender-details summary").click()
    expect(table).to_be_visible()

    click_and_wait(first.get_by_role("button", name="Annehmen"), "**/network/#top-suggestions-h")
    expect(page.get_by_role("status").first).to_contain_text("sind jetzt verbunden")
    remaining = [
        tuple(p.locator("a").all_inner_texts()[:2])
        for p in page.locator("#top-suggestions .network-pair").all()
    ]
    assert tuple(names) not in remaining and len(remaining) == 8
    page.locator("#top-suggestions .network-pair").first.get_by_role(
        "button", name="Verwerfen"
    ).click()
    page.wait_for_url("**/network/#top-suggestions-h")
    expect(page.get_by_role("status").first).to_contain_text("Vorschlag verworfen")


def test_header_menu_without_javascript_stays_open(new_page, make):
    make.user(role="admin", password=TEST_PASSWORD, email=LONG_EMAIL)
    page = new_page(java_script_enabled=False, viewport={"width": 375, "height": 740})
    log_in(page, LONG_EMAIL)
    nav = page.locator("header nav")
    expect(nav.get_by_role("button", name="Menü")).not_to_be_visible()
    expect(nav.get_by_role("link", name="Initiativen", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Abmelden")).to_be_visible()
    assert nav.evaluate("e => e.scrollWidth") <= 375
