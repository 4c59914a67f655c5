"""Duplicates: pairs the office declared "kein Duplikat", and merges (with their undo).

A merge moves every link of the removed record to the kept one and deletes the removed
record, all in one transaction whose audit entries share one batch; the merge row names
that batch, so that the merge can be undone from the audit entries (the removed record
comes back with its id). `saved` holds what the audit trail does not keep (a removed
registration's token hash and its workshop wishes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from crm.models.base import Base
from crm.models.base import utcnow

#: The record kinds that can be checked for duplicates and merged.
DUPLICATE_KINDS = ("organisation", "person")


class DuplicateDismissal(Base):
    """The office decided that two records are not duplicates (smaller id first)."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (
        UniqueConstraint("kind", "a_id", "b_id", name="uq_duplicate_dismissals_pair"),
        CheckConstraint("kind IN ('organisation', 'person')", name="kind"),
        CheckConstraint("a_id < b_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    a_id: Mapped[int]
    b_id: Mapped[int]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecordMerge(Base):
    """One merge of two records: `removed_id` went into `kept_id` (audit batch `batch`)."""

    __tablename__ = "record_merges"
    __table_args__ = (
        CheckConstraint("kind IN ('organisation', 'person')", name="kind"),
        Index("ix_record_merges_kept", "kind", "kept_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    kept_id: Mapped[int]
    removed_id: Mapped[int]
    removed_name: Mapped[str] = mapped_column(String(250), default="")
    batch: Mapped[str] = mapped_column(String(32), index=True)
    saved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    merged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[dt.datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
