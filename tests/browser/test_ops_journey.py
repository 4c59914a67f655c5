"""Browser journey: an admin is warned about a missing backup and opens the Betrieb page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.db.backup import create_backup
from crm.extensions import db
from tests.browser.axe import check_accessibility
from tests.browser.pages import follow_alert
from tests.browser.pages import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_follows_the_backup_warning_to_the_operations_page(
    app, page, make, screenshot, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(tmp_path / "backups"))
    make.user(role="admin", password=TEST_PASSWORD, email="betrieb@example.org")

    log_in(page, "betrieb@example.org")
    follow_alert(page, "noch keine Sicherung", "Zu den Sicherungen", "**/admin/betrieb")
    assert page.get_by_role("heading", level=1).inner_text() == "Betrieb"
    assert "keine" in page.locator("[data-last-backup]").inner_text()
    screenshot("betrieb-ohne-sicherung")
    check_accessibility(page, context_name="Betrieb")

    with app.app_context():
        result = create_backup(db.engine)
    page.reload()
    assert "vor" in page.locator("[data-last-backup]").inner_text()
    assert page.locator("[data-backup-size]").inner_text().endswith(("kB", "MB", "Bytes"))
    expect(page.get_by_text(result.path.name)).to_be_visible()
    assert page.locator("[data-backup-warning]").count() == 0
    page.goto("/")
    assert page.locator("[data-backup-warning]").count() == 0
