"""Browser journeys: an admin follows the stale-worker banner to the jobs page and retries
a failed job; staff resend a mail whose delivery was interrupted, after confirming."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import expect

from crm import jobs
from crm.db.engine import writing
from crm.extensions import db
from crm.mail.services import queue_mail
from crm.models import OutboxMail
from crm.models import OutboxStatus
from tests.browser.axe import check_accessibility
from tests.browser.pages import click_and_wait
from tests.browser.pages import follow_alert
from tests.browser.pages import log_in
from tests.browser.pages import submit_and_wait
from tests.conftest import TEST_PASSWORD
from tests.jobs.test_jobs import _always_fails

pytestmark = pytest.mark.browser


def test_admin_follows_the_worker_banner_and_retries_a_failed_job(
    app, page, make, screenshot, monkeypatch
):
    monkeypatch.setitem(app.config, "JOBS_WORKER_BANNER", True)
    jobs.init_app(app)
    jobs.huey.flush()
    with app.app_context(), contextlib.suppress(RuntimeError):
        jobs.huey.execute(_always_fails.s(42))
    make.user(role="admin", password=TEST_PASSWORD, email="jobs@example.org")

    log_in(page, "jobs@example.org")
    follow_alert(
        page, "Der Hintergrunddienst läuft nicht", "Zu den Hintergrundjobs", "**/admin/jobs"
    )
    assert page.get_by_role("heading", level=1).inner_text() == "Hintergrundjobs"
    expect(page.get_by_text("Datensatz 42 kaputt").first).to_be_visible()
    screenshot("hintergrundjobs")
    check_accessibility(page, context_name="Hintergrundjobs")

    click_and_wait(page.get_by_role("link", name="Erneut starten").first, "**/retry")
    assert "erneut starten?" in page.get_by_role("heading", level=1).inner_text()
    submit_and_wait(
        page, "**/admin/jobs", button="Erneut starten", flash="steht wieder in der Warteschlange"
    )
    assert jobs.huey.pending_count() == 1

    jobs.record_heartbeat()
    page.reload()
    assert page.locator("[data-worker-warning]").count() == 0
    jobs.huey.flush()


def test_staff_resend_an_uncertain_mail_after_confirming(app, page, make, screenshot):
    with app.app_context(), writing():
        mail = queue_mail("erika@example.org", "Einladung Forum", "Guten Tag")
        mail.status = OutboxStatus.UNCERTAIN
        mail.error = "Versand unterbrochen – unklar, ob die Mail angekommen ist."
        db.session.commit()
        mail_id = mail.id
    make.user(role="staff", password=TEST_PASSWORD, email="post@example.org")

    log_in(page, "post@example.org")
    page.goto("/outbox")
    follow_alert(
        page, "beim Versand unterbrochen", "Diese Mails zeigen", "**/outbox?show=uncertain"
    )
    expect(page.get_by_text("unklar, ob gesendet")).to_be_visible()
    check_accessibility(page, context_name="Postausgang unklar")
    click_and_wait(page.get_by_role("link", name="Erneut senden …"), f"**/outbox/{mail_id}/resend")
    expect(page.get_by_text("bekommt er sie dann zweimal")).to_be_visible()
    screenshot("mail-erneut-senden")
    submit_and_wait(page, "**/outbox**", button="Erneut senden", flash="wird erneut gesendet")
    with app.app_context():
        assert db.session.get_one(OutboxMail, mail_id).status == OutboxStatus.QUEUED
