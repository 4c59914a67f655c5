"""Queueing mails in the outbox and delivering them over SMTP.

Mails are written to the outbox in the same transaction as the change that caused
them, so a rolled-back registration never sends a confirmation. The `send-mail`
command delivers them later; without SMTP settings staff read them on /outbox.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import OutboxMail
from crm.models.base import utcnow

SMTP_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM")
ICS_FILENAME = "einladung.ics"
_LINK = re.compile(r"https?://[^\s<>\"']+")


def queue_mail(to: str, subject: str, body: str, *, ics: str | None = None) -> OutboxMail:
    """Put a mail into the outbox (the caller commits)."""
    mail = OutboxMail(to_address=to, subject=subject[:200], body=body, ics=ics)
    db.session.add(mail)
    return mail


def links_in(body: str) -> list[str]:
    """The http(s) links of a mail body, in order, without duplicates."""
    seen: dict[str, None] = {}
    for match in _LINK.findall(body):
        seen.setdefault(match.rstrip(".,;)"), None)
    return list(seen)


def smtp_configured(config: Mapping[str, Any]) -> bool:
    """Are server, port and sender configured?"""
    return all(config.get(key) for key in SMTP_SETTINGS)


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The MIME message of an outbox mail; an ICS attachment as text/calendar."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    if mail.ics:
        message.add_attachment(
            mail.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return message


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int
    failed: int


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), timeout=30)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    return smtp


def send_pending(config: Mapping[str, Any], limit: int = 500) -> SendReport:
    """Deliver unsent outbox mails, committing after each so that none goes out twice."""
    pending = list(
        db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.sent_at.is_(None))
            .order_by(OutboxMail.id)
            .limit(limit)
        )
    )
    if not pending:
        return SendReport(0, 0)
    sent = failed = 0
    with _connect(config) as smtp:
        for mail in pending:
            try:
                smtp.send_message(build_message(mail, str(config["MAIL_FROM"])))
            except smtplib.SMTPException as exc:
                mail.error = str(exc)[:2000]
                failed += 1
            else:
                mail.sent_at = utcnow()
                mail.error = None
                sent += 1
            db.session.commit()
    return SendReport(sent, failed)
