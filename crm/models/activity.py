"""Interactions: calls, meetings, e-mails, visits and notes, with optional follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import str_enum
from crm.models.base import utcnow
from crm.models.enums import InteractionKind

if TYPE_CHECKING:
    from crm.models.accounts import User
    from crm.models.directory import Initiative
    from crm.models.directory import Organisation
    from crm.models.people import Person

interaction_persons = Table(
    "interaction_persons",
    Base.metadata,
    Column("interaction_id", ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Interaction(TimestampMixin, Base):
    """A logged contact, optionally with a follow-up (Wiedervorlage) for someone."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_follow_up_open", "follow_up_owner_id", "follow_up_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InteractionKind] = mapped_column(str_enum(InteractionKind, "interaction_kind"))
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    follow_up_due: Mapped[dt.date | None]
    follow_up_owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    follow_up_done_at: Mapped[dt.datetime | None]

    initiative: Mapped[Initiative | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    persons: Mapped[list[Person]] = relationship(secondary=interaction_persons, lazy="raise")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise")
    follow_up_owner: Mapped[User | None] = relationship(
        foreign_keys=[follow_up_owner_id], lazy="raise"
    )
