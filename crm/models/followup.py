"""Follow-up of an event (#18): materials, the follow-up mail, feedback, attendance imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import utcnow


class Material(TimestampMixin, Base):
    """A link or an uploaded file for the whole event (workshop_id NULL) or one workshop.

    An upload is stored under a random name (`stored_name`) outside static/ and served
    only to staff and, through their personal link, to the event's participants;
    `filename` is the cleaned name it is downloaded as.
    """

    __tablename__ = "followup_materials"
    __table_args__ = (
        CheckConstraint("(url IS NULL) <> (stored_name IS NULL)", name="link_or_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    stored_name: Mapped[str | None] = mapped_column(String(60), unique=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    mimetype: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    removed_at: Mapped[dt.datetime | None]  # removed by staff; restorable until then


class FollowupSettings(TimestampMixin, Base):
    """An event's follow-up: until when feedback is taken, whom the mail went to."""

    __tablename__ = "followup_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    feedback_closes_on: Mapped[dt.date]
    include_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sent_at: Mapped[dt.datetime | None]


class FollowupMail(Base):
    """The follow-up mail of one registration was queued (once: sending again skips it)."""

    __tablename__ = "followup_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Feedback(TimestampMixin, Base):
    """One registration's answer to the feedback form (editable until the close date).

    `workshop_id` is the workshop the rating is about (the one assigned when answering).
    No tracking: nothing but the answers and their times is kept.
    """

    __tablename__ = "followup_feedback"
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall"),
        CheckConstraint("workshop_rating IS NULL OR workshop_rating BETWEEN 1 AND 5", name="ws"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    overall: Mapped[int] = mapped_column(Integer)
    workshop_rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class AttendanceImport(Base):
    """An applied attendance report: which registrations it marked attended, and what
    they were before (`changes`: [{"id", "status", "checked_in_at"}]) so it can be undone."""

    __tablename__ = "followup_attendance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    marked_at: Mapped[dt.datetime]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    undone_at: Mapped[dt.datetime | None]
