"""Queueing mails in the outbox and delivering them over SMTP.

Mails are written to the outbox in the same transaction as the change that caused
them, so a rolled-back registration never sends a confirmation. The worker delivers
them (crm/mail/tasks.py, every minute, at MAIL_RATE_PER_MINUTE), the `send-mail` command
on demand; without SMTP settings staff read them on /outbox.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import time
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from crm.extensions import db
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.models.base import utcnow

SMTP_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM")
ICS_FILENAME = "einladung.ics"
_LINK = re.compile(r"https?://[^\s<>\"']+")
#: Headers build_message writes itself: extra headers never replace them.
_OWN_HEADERS = {"from", "to", "subject", "date", "message-id", "cc", "bcc"}


def queue_mail(
    to: str,
    subject: str,
    body: str,
    *,
    ics: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxMail:
    """Put a mail into the outbox (the caller commits); `headers`: extra header lines
    such as List-Unsubscribe (never From, To, Subject, Date or Message-ID)."""
    extra = {k: v for k, v in (headers or {}).items() if k.lower() not in _OWN_HEADERS}
    mail = OutboxMail(
        to_address=to, subject=subject[:200], body=body, ics=ics, headers=extra or None
    )
    db.session.add(mail)
    return mail


@contextmanager
def in_language(*choices: str | None) -> Iterator[str]:
    """Write a mail in its recipient's language: the first of `choices` the app speaks
    (e.g. the language of a registration, then the person's), German otherwise. Subject
    and body are to be rendered inside the block; yields the language."""
    spoken = [c for c in choices if c is not None and c in current_app.config["LANGUAGES"]]
    language = spoken[0] if spoken else str(current_app.config["BABEL_DEFAULT_LOCALE"])
    with force_locale(language):
        yield language


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
    # one Message-ID per outbox mail: a resend (after "uncertain") can be recognised
    message["Message-ID"] = make_msgid(
        f"outbox-{mail.id}", domain=sender.rpartition("@")[2] or None
    )
    message.set_content(mail.body)
    if mail.headers:
        # a link in List-Unsubscribe must stay one unbroken URL: fold header lines at the
        # hard limit of RFC 5322 (998), not at 78 (which would encode it as RFC 2047 words)
        message.policy = message.policy.clone(max_line_length=998)
        for name, value in mail.headers.items():
            if name.lower() not in _OWN_HEADERS:
                message[name] = value
    if mail.ics:
        message.add_attachment(
            mail.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": ics_method(mail.ics), "charset": "utf-8"},
        )
    return message


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int
    failed: int
    retrying: int = 0  # a temporary failure: queued again for later (backoff)
    uncertain: int = 0  # interrupted during the exchange: perhaps delivered


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), timeout=30)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    return smtp


def recover_interrupted() -> int:
    """Mark mails left "sending" by an interrupted run as uncertain (the caller holds the
    outbox lock, so no other run is in its exchange). They are never resent by themselves."""
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.SENDING)
        .values(
            status=OutboxStatus.UNCERTAIN,
            error="Versand unterbrochen – unklar, ob die Mail angekommen ist.",
        )
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def _answer(exc: smtplib.SMTPException) -> tuple[int | None, str]:
    """The SMTP code and the server's answer of a refused exchange."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(exc.recipients.values()), (None, b""))
        return code, f"{code} {_text(answer)}".strip()
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()
    return None, str(exc)


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after a temporary failure: 1, 2, 4, ... minutes (≤ 1 h)."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _due() -> Any:
    now = utcnow()
    return (
        select(OutboxMail.id)
        .where(OutboxMail.status == OutboxStatus.QUEUED)
        .where(or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now))
        .order_by(OutboxMail.id)
    )


def send_pending(
    config: Mapping[str, Any],
    limit: int = 500,
    *,
    rate_per_minute: float | None = None,
    seconds: float | None = None,
) -> SendReport:
    """Deliver due outbox mails, at most once each.

    Each mail is marked "sending" (committed) before its SMTP exchange and "sent",
    "failed" or "queued" again (temporary failure, with backoff) after it. A mail still
    "sending" from an interrupted run is first marked uncertain. At most `rate_per_minute`
    mails a minute, and for at most `seconds`. The caller holds the outbox lock
    (`crm.jobs.exclusive("outbox")`). Connecting raises OSError/SMTPException.
    """
    recover_interrupted()
    ids = list(db.session.scalars(_due().limit(limit)))
    db.session.rollback()
    if not ids:
        return SendReport(0, 0)
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 5))
    interval = 60.0 / rate_per_minute if rate_per_minute else 0.0
    started = time.monotonic()
    counts = {"sent": 0, "failed": 0, "retrying": 0, "uncertain": 0}
    with _connect(config) as smtp:
        for number, mail_id in enumerate(ids):
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            if interval and number:
                time.sleep(max(0.0, started + number * interval - time.monotonic()))
            outcome = _deliver_one(smtp, mail_id, config, max_attempts)
            if outcome:
                counts[outcome] += 1
            if outcome == "uncertain":
                break  # the connection is in an unknown state: stop this run
    return SendReport(**counts)


def _deliver_one(
    smtp: smtplib.SMTP, mail_id: int, config: Mapping[str, Any], max_attempts: int
) -> str | None:
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == OutboxStatus.QUEUED)
        .values(
            status=OutboxStatus.SENDING,
            attempts=OutboxMail.attempts + 1,
            last_attempt_at=now,
        )
    )
    db.session.commit()  # recorded before the exchange
    if not getattr(claimed, "rowcount", 0):
        return None  # taken or changed meanwhile
    mail = db.session.get_one(OutboxMail, mail_id)
    message = build_message(mail, str(config["MAIL_FROM"]))
    outcome: str
    try:
        smtp.send_message(message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        code, answer = _answer(exc)
        mail.error = answer[:2000]
        if code is not None and 400 <= code < 500 and mail.attempts < max_attempts:
            mail.status = OutboxStatus.QUEUED
            mail.next_attempt_at = utcnow() + backoff(mail.attempts)
            outcome = "retrying"
        else:
            mail.status = OutboxStatus.FAILED
            outcome = "failed"
    except (OSError, smtplib.SMTPException) as exc:
        # the connection broke during the exchange: perhaps the server took the mail
        mail.status = OutboxStatus.UNCERTAIN
        mail.error = f"Verbindung während des Versands abgebrochen: {exc}"[:2000]
        outcome = "uncertain"
    else:
        mail.status = OutboxStatus.SENT
        mail.sent_at = utcnow()
        mail.error = None
        mail.next_attempt_at = None
        outcome = "sent"
    db.session.commit()  # recorded after the exchange
    return outcome


def resend(mail_id: int) -> bool:
    """Queue an uncertain or failed mail again (staff decided, after confirming)."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.status not in (OutboxStatus.UNCERTAIN, OutboxStatus.FAILED):
        return False
    mail.status = OutboxStatus.QUEUED
    mail.next_attempt_at = None
    return True


def backlog() -> int:
    """Mails waiting to be sent."""
    return int(
        db.session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING))
            )
        )
        or 0
    )


def ics_method(ics: str) -> str:
    """The METHOD of an iCalendar text (PUBLISH, CANCEL, ...); PUBLISH when it has none."""
    found = re.search(r"^METHOD:([A-Z-]+)\r?$", ics, re.MULTILINE)
    return found.group(1) if found else "PUBLISH"
