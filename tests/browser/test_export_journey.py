"""Browser journey of a large export: the list's CSV link leads to the offer, the worker
prepares the file while the progress page keeps itself current (its script with
JavaScript, a refresh without), and the download is offered when it is ready."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from crm import jobs
from tests.browser.axe import check_accessibility
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD
from tests.helpers import csv_rows

pytestmark = pytest.mark.browser


@pytest.fixture
def big_list(app, make, monkeypatch) -> Any:
    """Five organisations; lists above 3 rows are prepared by the worker."""
    for i in range(5):
        make.organisation(name=f"Kölner Werk {i}")
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 3)
    jobs.init_app(app)
    jobs.huey.flush()
    yield make.user(role="staff", password=TEST_PASSWORD, email="beraterin@example.org")
    jobs.huey.flush()


def _run_queued_export(app: Any) -> None:
    with app.app_context():
        (task,) = jobs.huey.pending()
        jobs.huey.execute(task)


@pytest.mark.parametrize("java_script", [True, False], ids=["script", "no-script"])
def test_a_big_export_shows_its_progress_and_then_the_download(
    app, new_page, big_list, screenshot, java_script
):
    page = new_page(java_script_enabled=java_script)
    log_in(page, big_list.email)
    page.goto("/organisations/?q=Kölner")
    page.get_by_role("link", name="CSV").click()

    expect(page.get_by_role("heading", name="Große Liste herunterladen")).to_be_visible()
    expect(page.get_by_text("Diese Liste hat 5 Zeilen.")).to_be_visible()
    page.get_by_role("button", name="Datei erstellen").click()

    expect(page.get_by_role("heading", name="Export „organisationen.csv“")).to_be_visible()
    expect(page.get_by_text("0 von 5 Zeilen")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("max", "5")
    if java_script:
        check_accessibility(page, context_name="Export: Fortschritt")
        screenshot("export-progress", of=page)
    _run_queued_export(app)

    # the script (or, without it, the refresh) turns the page into the download offer
    link = page.get_by_role("link", name="Herunterladen")
    expect(link).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Die Datei ist fertig: 5 Zeilen.")).to_be_visible()
    expect(page.locator("progress")).to_have_count(0)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "organisationen.csv"
    rows = csv_rows(open(download.path(), "rb").read())  # noqa: SIM115
    assert sorted(row[1] for row in rows[1:]) == [f"Kölner Werk {i}" for i in range(5)]
