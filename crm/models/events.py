"""Events: network meetings with agenda blocks, workshops and registrations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
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
from crm.models.enums import AgendaKind
from crm.models.enums import EventMode
from crm.models.enums import EventStatus
from crm.models.enums import EventType
from crm.models.enums import RegistrationStatus
from crm.models.vocab import Theme

if TYPE_CHECKING:
    from crm.models.directory import Initiative
    from crm.models.directory import Organisation
    from crm.models.people import Person

workshop_themes = Table(
    "workshop_themes",
    Base.metadata,
    Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(VersionedMixin, Base):
    """A network meeting, forum, webinar or award ceremony."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="period"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[EventType] = mapped_column(str_enum(EventType, "event_type"))
    mode: Mapped[EventMode] = mapped_column(str_enum(EventMode, "event_mode"))
    venue: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    description: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[dt.datetime | None]
    registration_closes_at: Mapped[dt.datetime | None]
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    fee_note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.ENTWURF
    )
    #: iCalendar SEQUENCE: raised when time, place or status change (calendars update)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    agenda: Mapped[list[AgendaBlock]] = relationship(
        back_populates="event", lazy="raise", order_by="AgendaBlock.starts_at", passive_deletes=True
    )
    workshops: Mapped[list[Workshop]] = relationship(
        back_populates="event", lazy="raise", order_by="Workshop.position", passive_deletes=True
    )
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title}>"


class AgendaBlock(Base):
    """One block of an event's programme ("13–15 Uhr: Austausch in Workshops")."""

    __tablename__ = "agenda_blocks"
    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgendaKind] = mapped_column(str_enum(AgendaKind, "agenda_kind"))

    event: Mapped[Event] = relationship(back_populates="agenda", lazy="raise")


class Workshop(TimestampMixin, Base):
    """A parallel workshop of an event, with a capacity and a moderator."""

    __tablename__ = "workshops"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    #: the workshop's own online room (breakout room, separate meeting); only for its
    #: assigned participants and staff, never on public pages
    online_url: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[Event] = relationship(back_populates="workshops", lazy="raise")
    themes: Mapped[list[Theme]] = relationship(secondary=workshop_themes, lazy="raise")
    moderator: Mapped[Person | None] = relationship(lazy="raise")


class Registration(TimestampMixin, Base):
    """A person's registration for an event, with ranked workshop wishes and a cancel token."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # NULL: an anonymous registration (its person erased, or anonymised by the retention
    # rules); it still counts in the event's statistics. List queries join Person.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    organisation_text: Mapped[str | None] = mapped_column(String(200))  # as typed by the person
    organisation_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), index=True
    )
    function: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status"),
        default=RegistrationStatus.REGISTERED,
        index=True,
    )
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None]
    checked_in_at: Mapped[dt.datetime | None]
    assigned_workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    assignment_fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # of the personal link
    reminded_at: Mapped[dt.datetime | None]  # the reminder mail the day before was queued
    # the language the visitor registered in: their mails go out in it (NULL: registered
    # before it was recorded, then the person's preferred language)
    language: Mapped[str | None] = mapped_column(String(2))
    # the practitioner exchange (1:1 meetings): only those who opted in see each other
    matchmaking_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    matchmaking_opted_at: Mapped[dt.datetime | None]

    event: Mapped[Event] = relationship(back_populates="registrations", lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    initiative: Mapped[Initiative | None] = relationship(lazy="raise")
    assigned_workshop: Mapped[Workshop | None] = relationship(lazy="raise")
    preferences: Mapped[list[WorkshopPreference]] = relationship(
        back_populates="registration",
        lazy="raise",
        order_by="WorkshopPreference.rank",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class WorkshopPreference(Base):
    """A ranked workshop wish of a registration (rank 1 = first choice)."""

    __tablename__ = "workshop_preferences"
    __table_args__ = (
        UniqueConstraint("registration_id", "rank"),
        UniqueConstraint("registration_id", "workshop_id"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)

    registration: Mapped[Registration] = relationship(back_populates="preferences", lazy="raise")
    workshop: Mapped[Workshop] = relationship(lazy="raise")


class AssignmentDraft(TimestampMixin, Base):
    """The office's working draft of an event's workshop assignment (one per event).

    ``placements`` maps registration ids (as strings, JSON keys) to a workshop id or None
    (no seat); ``notes`` holds the explanation of each placement. The published state is
    ``Registration.assigned_workshop_id``; manual placements are ``assignment_fixed``.
    """

    __tablename__ = "assignment_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    mix: Mapped[str] = mapped_column(String(60), default="")  # comma-separated attributes
    placements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published_at: Mapped[dt.datetime | None]
