"""Browser journey: staff open the report dashboard; its numbers match the database."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import log_in
from tests.browser.pages import main_nav
from tests.conftest import TEST_PASSWORD
from tests.dashboard.test_dashboard import EXPECTED
from tests.dashboard.test_dashboard import build_network
from tests.dashboard.test_dashboard import database_counts
from tests.dashboard.test_dashboard import nonzero

pytestmark = pytest.mark.browser


def shown(page, slug: str) -> dict[str, tuple[int, ...]]:
    """The numbers of one figure's table as the browser shows them."""
    rows = {}
    for row in page.locator(f"table[data-table={slug}] tbody tr").all():
        label = row.locator("th").inner_text().strip()
        cells = row.locator("td[data-value]").all()
        rows[label] = tuple(int(c.inner_text().replace(".", "")) for c in cells)
    return rows


def test_staff_read_the_dashboard_and_download_a_figure(app, page, make, screenshot):
    user = make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    build_network(make)

    log_in(page, user.email)
    click_and_wait(main_nav(page).get_by_role("link", name="Auswertungen"), "**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Auswertungen für Berichte"

    counted = database_counts(app)
    for slug, expected in EXPECTED.items():
        numbers = shown(page, slug)
        assert nonzero(numbers) == nonzero(expected), slug
        assert nonzero(numbers) == nonzero(counted[slug]), slug
    share = page.locator("[data-share=ihk]").inner_text()
    assert share == "Anteil mit IHK-Beteiligung: 25,0\u00a0%"  # Babel: a no-break space
    chart = page.get_by_role("img", name="Balkendiagramm: Initiativen je Land", exact=False)
    expect(chart).to_be_visible()
    assert page.locator("svg[data-chart=laender] rect.chart-bar").count() == 16
    screenshot("dashboard")
    check_accessibility(page, context_name="Auswertungen")

    section = page.get_by_role("region", name="Initiativen mit IHK-Beteiligung")
    with page.expect_download() as info:
        section.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "auswertung-ihk.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == ["mit IHK-Beteiligung", "1", "25,0"]
