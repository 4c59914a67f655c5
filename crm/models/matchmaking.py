"""The practitioner exchange of an event: 1:1 meetings between participants who opted in.

Per event one `MatchmakingSettings` row; participants (registrations with
`matchmaking_opt_in`) mark proposed partners (`MeetingWish`), send each other requests
(`MeetingRequest`), and the office plans `Meeting`s into the slots of the window.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import VersionedMixin
from crm.models.base import str_enum
from crm.models.base import utcnow
from crm.models.enums import MeetingRequestStatus
from crm.models.enums import MeetingSource
from crm.models.enums import MeetingVideoMode
from crm.models.enums import MeetingWishLevel

if TYPE_CHECKING:
    from crm.models.events import Event
    from crm.models.events import Registration

MEETING_MINUTES = (15, 20, 30)


class MatchmakingSettings(VersionedMixin, Base):
    """The office's settings of an event's practitioner exchange (one row per event)."""

    __tablename__ = "matchmaking_settings"
    __table_args__ = (
        CheckConstraint("meeting_minutes IN (15, 20, 30)", name="meeting_minutes"),
        CheckConstraint(
            "window_ends_at IS NULL OR window_starts_at IS NULL "
            "OR window_ends_at > window_starts_at",
            name="window",
        ),
        CheckConstraint("max_meetings_per_person >= 1", name="max_meetings"),
        CheckConstraint("max_open_sent >= 0 AND max_open_received >= 0", name="open_caps"),
        CheckConstraint("request_expiry_hours >= 1", name="expiry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    meeting_minutes: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    # the time window of the exchange; the slots are cut from it (NULL: not yet chosen)
    window_starts_at: Mapped[dt.datetime | None]
    window_ends_at: Mapped[dt.datetime | None]
    max_meetings_per_person: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    max_open_sent: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    max_open_received: Mapped[int] = mapped_column(Integer, default=8, server_default="8")
    request_expiry_hours: Mapped[int] = mapped_column(Integer, default=72, server_default="72")
    # from then on the schedule is fixed: no more wishes and requests (NULL: open until planned)
    fixed_at: Mapped[dt.datetime | None]
    video_mode: Mapped[MeetingVideoMode] = mapped_column(
        str_enum(MeetingVideoMode, "meeting_video_mode"),
        default=MeetingVideoMode.PATTERN,
        server_default=MeetingVideoMode.PATTERN.value,
    )
    # e.g. "https://meet.jit.si/industrienetz-{token}"; {token} becomes an unguessable name
    video_pattern: Mapped[str | None] = mapped_column(String(300))
    video_tables: Mapped[str | None] = mapped_column(Text)  # one link per line
    published_at: Mapped[dt.datetime | None]
    # what the last computation of the plan reported (method, time, the weight of each
    # wished pair, people below their target with the library's reason code)
    plan_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    event: Mapped[Event] = relationship(lazy="raise")

    @property
    def table_links(self) -> list[str]:
        """The links of the virtual tables, one per non-empty line."""
        return [line.strip() for line in (self.video_tables or "").splitlines() if line.strip()]


class MeetingWish(TimestampMixin, Base):
    """How much a participant wants to meet another one ("Unbedingt", "Gern", "Nein")."""

    __tablename__ = "meeting_wishes"
    __table_args__ = (
        UniqueConstraint("registration_id", "target_registration_id"),
        CheckConstraint("registration_id <> target_registration_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    target_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[MeetingWishLevel] = mapped_column(
        str_enum(MeetingWishLevel, "meeting_wish_level")
    )

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id], lazy="raise")
    target: Mapped[Registration] = relationship(foreign_keys=[target_registration_id], lazy="raise")


class MeetingRequest(Base):
    """A participant's request to meet another one, with a short message."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        CheckConstraint("sender_registration_id <> recipient_registration_id", name="not_self"),
        Index("ix_meeting_requests_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    sender_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    recipient_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[MeetingRequestStatus] = mapped_column(
        str_enum(MeetingRequestStatus, "meeting_request_status"),
        default=MeetingRequestStatus.OPEN,
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]

    sender: Mapped[Registration] = relationship(foreign_keys=[sender_registration_id], lazy="raise")
    recipient: Mapped[Registration] = relationship(
        foreign_keys=[recipient_registration_id], lazy="raise"
    )


class Meeting(TimestampMixin, Base):
    """A planned 1:1 meeting of two participants in one slot (a < b by registration id)."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("a_registration_id < b_registration_id", name="pair_order"),
        CheckConstraint("rating_a IS NULL OR rating_a BETWEEN 1 AND 5", name="rating_a"),
        CheckConstraint("rating_b IS NULL OR rating_b BETWEEN 1 AND 5", name="rating_b"),
        Index("ix_meetings_event_slot", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime]  # the slot
    a_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    b_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    video_url: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[MeetingSource] = mapped_column(
        str_enum(MeetingSource, "meeting_source"), default=MeetingSource.PLANNED
    )
    # the reason codes of the pair when it was planned (plain data from the suggestion engine)
    reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    held: Mapped[bool | None] = mapped_column(Boolean)
    rating_a: Mapped[int | None] = mapped_column(Integer)
    rating_b: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_reason: Mapped[str | None] = mapped_column(String(300))
    reminded_at: Mapped[dt.datetime | None]  # the reminder shortly before was queued
    # the interaction "Getroffen beim …" of a held meeting (created once)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )

    a: Mapped[Registration] = relationship(foreign_keys=[a_registration_id], lazy="raise")
    b: Mapped[Registration] = relationship(foreign_keys=[b_registration_id], lazy="raise")
