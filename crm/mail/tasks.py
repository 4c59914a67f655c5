"""Background delivery of the outbox: every minute, at MAIL_RATE_PER_MINUTE."""

from __future__ import annotations

import logging
import smtplib

from flask import current_app

from crm.db.engine import writing
from crm.jobs import crontab
from crm.jobs import exclusive
from crm.jobs import periodic_job
from crm.mail.services import SendReport
from crm.mail.services import send_pending
from crm.mail.services import smtp_configured

log = logging.getLogger(__name__)


def deliver_now() -> SendReport | None:
    """One delivery run under the outbox lock (None: no SMTP server, or another run is on).

    Safe to run twice: each mail is claimed by a conditional update before its exchange.
    """
    config = current_app.config
    if not smtp_configured(config):
        return None
    with exclusive("outbox") as held:
        if not held:
            return None
        try:
            with writing():
                return send_pending(
                    config,
                    limit=int(config.get("MAIL_BATCH_SIZE", 1000)),
                    rate_per_minute=float(config.get("MAIL_RATE_PER_MINUTE") or 0) or None,
                    seconds=float(config.get("MAIL_RUN_SECONDS", 55)),
                )
        except (OSError, smtplib.SMTPException) as exc:
            # not connected: every mail stays queued for the next run
            log.warning("SMTP server not reachable: %s", type(exc).__name__)
            return None


@periodic_job(crontab(minute="*"))
def deliver_outbox() -> str:
    """Deliver due outbox mails (every minute; also enqueued on demand)."""
    report = deliver_now()
    if report is None:
        return "nichts zu tun"
    return (
        f"{report.sent} gesendet, {report.failed} fehlgeschlagen, "
        f"{report.retrying} später erneut, {report.uncertain} unklar"
    )
