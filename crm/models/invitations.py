"""Invitations to an event ("Einladung"): a campaign with its recipient filters and texts,
and one row per invited person with the state of their invitation."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import VersionedMixin
from crm.models.base import str_enum


class InvitationStatus(StrEnum):
    """Where one person's invitation stands."""

    QUEUED = "queued"  # to be written into the outbox, or waiting there
    SENT = "sent"
    FAILED = "failed"
    REGISTERED = "registered"  # registered for the event (through the link or otherwise)
    SKIPPED = "skipped"  # left out at mailing time (unsubscribed, restricted … meanwhile)
    # registered, then cancelled the registration (after being invited): no longer counts
    # as registered, and gets no reminder to register (they chose not to come)
    CANCELLED = "cancelled"


class InvitationCampaign(VersionedMixin, Base):
    """The invitation of a selection of persons to one event, with its texts in DE and EN.

    ``filters`` holds the person-list filters that select the recipients (the keys of
    ``crm.directory.queries.person_filters``)."""

    __tablename__ = "invitation_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject_de: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(200))
    intro_de: Mapped[str | None] = mapped_column(Text)
    intro_en: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]  # the first "send" (recipients fixed then)
    reminded_at: Mapped[dt.datetime | None]  # the last reminder to those not registered

    def __repr__(self) -> str:
        return f"<InvitationCampaign {self.id} {self.name}>"


class InvitationRecipient(TimestampMixin, Base):
    """One person invited by one campaign: at most once (unique campaign × person)."""

    __tablename__ = "invitation_recipients"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("invitation_campaigns.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "invitation_status"),
        default=InvitationStatus.QUEUED,
        server_default=InvitationStatus.QUEUED.value,
        index=True,
    )
    # the hash of the personal token (registration and unsubscribe links); the token
    # itself is derived from the secret key and the id, never stored
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[str | None] = mapped_column(String(40))  # why skipped
    mailed_at: Mapped[dt.datetime | None]  # written into the outbox (claimed once)
    outbox_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="SET NULL"), index=True
    )
    reminder_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[dt.datetime | None]
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    registered_at: Mapped[dt.datetime | None]
