"""Feedback on network suggestions: what the office decided about a suggested pair.

A row records one decision (accepted, dismissed, later) about one pair of records,
with the score and the reasons shown at decision time, so that a later reader sees
why the office acted. Pairs of the same type (initiative ↔ initiative, organisation ↔
organisation) are unordered: they are stored normalised with the smaller id as the
source, so that one row covers both directions and the unique constraint holds for
either. Mixed pairs (organisation → initiative it could join) keep their direction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import str_enum
from crm.models.base import utcnow
from crm.models.enums import SuggestionDecision

if TYPE_CHECKING:
    from crm.models.accounts import User
    from crm.models.directory import Relationship

#: The record types a suggestion can connect.
RECORD_TYPES = ("initiative", "organisation")


def normalise_pair(
    source_type: str, source_id: int, target_type: str, target_id: int
) -> tuple[str, int, str, int]:
    """The stored form of a pair: same-type pairs with the smaller id first."""
    if source_type == target_type and target_id < source_id:
        return target_type, target_id, source_type, source_id
    return source_type, source_id, target_type, target_id


class SuggestionFeedback(TimestampMixin, Base):
    """The office's decision about one suggested pair (see the module docstring)."""

    __tablename__ = "suggestion_feedback"
    __table_args__ = (
        # named explicitly: the conventional name is longer than PostgreSQL's 63 characters
        UniqueConstraint(
            "source_type",
            "source_id",
            "target_type",
            "target_id",
            name="uq_suggestion_feedback_pair",
        ),
        CheckConstraint("source_type IN ('initiative', 'organisation')", name="source_type"),
        CheckConstraint("target_type IN ('initiative', 'organisation')", name="target_type"),
        CheckConstraint(
            "source_type <> target_type OR source_id < target_id", name="normalised_pair"
        ),
        Index("ix_suggestion_feedback_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int]
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    decision: Mapped[SuggestionDecision] = mapped_column(
        str_enum(SuggestionDecision, "suggestion_decision"), index=True
    )
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    relationship_id: Mapped[int | None] = mapped_column(
        ForeignKey("relationships.id", ondelete="SET NULL"), index=True
    )

    decided_by: Mapped[User | None] = relationship(lazy="raise")
    created_relationship: Mapped[Relationship | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return (
            f"<SuggestionFeedback {self.source_type}:{self.source_id}"
            f" {self.target_type}:{self.target_id} {self.decision}>"
        )
