"""The audit trail and the mail outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from crm.models.base import Base
from crm.models.base import str_enum
from crm.models.base import utcnow
from crm.models.enums import AuditAction
from crm.models.enums import JobRunStatus
from crm.models.enums import OutboxStatus


class AuditEntry(Base):
    """Who changed which record when, and which fields from what to what."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_record", "record_type", "record_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_label: Mapped[str | None] = mapped_column(String(254))  # kept if the user goes
    user_role: Mapped[str | None] = mapped_column(String(16), index=True)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "audit_action"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # the entries written by one save (one transaction) share a batch: one review card
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
    # a revert by staff (from the review feed or the Verlauf): who and when
    reverted_at: Mapped[dt.datetime | None]
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reverted_by_label: Mapped[str | None] = mapped_column(String(254))


class ErasureLog(Base):
    """An erasure (Art. 17 GDPR): who erased which record when and why; no personal value."""

    __tablename__ = "erasure_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_label: Mapped[str | None] = mapped_column(String(254))  # kept if the user goes
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts per kind


class AuditEntrySeen(Base):
    """One staff account has seen one editor change in the review feed (per account)."""

    __tablename__ = "audit_entry_seen"
    __table_args__ = (UniqueConstraint("user_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboxMail(Base):
    """An e-mail waiting to be sent (or shown to staff when no SMTP server is configured)."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)  # an iCalendar attachment
    # extra header lines (e.g. List-Unsubscribe of an invitation), name → value
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(Text)  # the SMTP server's last answer
    # Delivery state, written before and after each SMTP exchange (at most once): a mail
    # found "sending" was interrupted during the exchange and becomes "uncertain".
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"),
        default=OutboxStatus.QUEUED,
        server_default=OutboxStatus.QUEUED.value,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[dt.datetime | None]
    next_attempt_at: Mapped[dt.datetime | None]  # after a temporary failure (backoff)


class JobRun(Base):
    """One run of a background job, recorded from the job layer's signals (admin page)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[str] = mapped_column(Text, default="")  # ids only, as JSON
    status: Mapped[JobRunStatus] = mapped_column(
        str_enum(JobRunStatus, "job_run_status"), index=True
    )
    enqueued_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid that ran it
    error: Mapped[str | None] = mapped_column(Text)
