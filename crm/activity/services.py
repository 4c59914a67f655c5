"""Writes of the activity feature. The caller commits; auditing happens automatically."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import replace

from sqlalchemy import select

from crm.activity.queries import BERLIN
from crm.activity.queries import Context
from crm.extensions import db
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Person
from crm.models import User
from crm.models.base import utcnow


@dataclass(frozen=True)
class InteractionData:
    """Validated input of the interaction form."""

    kind: InteractionKind
    occurred_local: dt.datetime  # naive, Europe/Berlin
    subject: str
    notes: str | None
    person_ids: list[int]
    follow_up_due: dt.date | None
    follow_up_owner_id: int | None


def berlin_to_utc(local: dt.datetime) -> dt.datetime:
    """A naive Berlin wall-clock time as an aware UTC datetime."""
    return local.replace(tzinfo=BERLIN).astimezone(dt.UTC)


def utc_to_berlin(value: dt.datetime) -> dt.datetime:
    """An aware datetime as naive Berlin wall-clock time (for form fields)."""
    return value.astimezone(BERLIN).replace(tzinfo=None, second=0, microsecond=0)


def _apply(interaction: Interaction, data: InteractionData, me: User) -> None:
    interaction.kind = data.kind
    interaction.occurred_at = berlin_to_utc(data.occurred_local)
    interaction.subject = data.subject.strip()
    interaction.notes = (data.notes or "").strip() or None
    interaction.persons = list(
        db.session.scalars(select(Person).where(Person.id.in_(data.person_ids)))
    )
    if data.follow_up_due is None:
        interaction.follow_up_due = None
        interaction.follow_up_owner_id = None
        interaction.follow_up_done_at = None
        return
    if data.follow_up_owner_id is None and data.follow_up_due == interaction.follow_up_due:
        owner_id = interaction.follow_up_owner_id  # the follow-up as it was (maybe unowned)
    else:
        owner_id = data.follow_up_owner_id or me.id  # a new due date without owner is mine
    if (
        data.follow_up_due != interaction.follow_up_due
        or owner_id != interaction.follow_up_owner_id
    ):
        interaction.follow_up_done_at = None  # a new follow-up is open again
    interaction.follow_up_due = data.follow_up_due
    interaction.follow_up_owner_id = owner_id


def log_interaction(ctx: Context, data: InteractionData, me: User) -> Interaction:
    """Create an interaction in `ctx`, written by `me` (a context person is always involved)."""
    if ctx.person is not None and ctx.person.id not in data.person_ids:
        data = replace(data, person_ids=[*data.person_ids, ctx.person.id])
    interaction = Interaction(
        initiative_id=ctx.initiative.id if ctx.initiative else None,
        organisation_id=ctx.organisation.id if ctx.organisation else None,
        author_id=me.id,
        persons=[],
    )
    _apply(interaction, data, me)
    db.session.add(interaction)
    db.session.flush()
    return interaction


def update_interaction(interaction: Interaction, data: InteractionData, me: User) -> None:
    """Change an interaction (its context stays)."""
    _apply(interaction, data, me)
    db.session.flush()


def delete_interaction(interaction: Interaction) -> None:
    """Delete an interaction (its person links go with it)."""
    db.session.delete(interaction)
    db.session.flush()


def mark_done(interaction: Interaction) -> bool:
    """Close the follow-up; False when there was none open (idempotent)."""
    if interaction.follow_up_due is None or interaction.follow_up_done_at is not None:
        return False
    interaction.follow_up_done_at = utcnow()
    db.session.flush()
    return True
