"""Calendar feeds: the public one of all published events and a private one per staff
account (all events, drafts too, and the account's open follow-ups).

The private feed's address carries a token; only its SHA-256 is stored on the account
(`User.calendar_token_hash`). A new token replaces the old one, revoking removes it: the
old address then answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from crm import permissions
from crm.activity.queries import open_follow_ups
from crm.events.services import hash_token
from crm.events.services import new_token
from crm.extensions import db
from crm.formats.ics import DayEntry
from crm.models import Event
from crm.models import EventStatus
from crm.models import Interaction
from crm.models import User
from crm.models.base import utcnow

#: How far back the feeds reach (older events drop out of subscribed calendars).
PAST = dt.timedelta(days=365)


def feed_events(*, internal: bool) -> list[Event]:
    """Events of the last year and the future; drafts only in the internal feed."""
    query = select(Event).where(Event.ends_at >= utcnow() - PAST)
    if not internal:
        query = query.where(Event.status != EventStatus.ENTWURF)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def follow_up_entries(
    user: User, word: Callable[[Interaction], str], url: Callable[[Interaction], str | None]
) -> list[DayEntry]:
    """The open follow-ups of `user` as all-day entries on their due dates."""
    found = open_follow_ups(user, everyone=False)
    return [
        DayEntry(
            uid=f"follow-up-{item.id}",
            day=item.follow_up_due,
            summary=word(item),
            description=item.notes,
            url=url(item),
            modified=item.updated_at,
        )
        for item in (*found.overdue, *found.today, *found.later)
        if item.follow_up_due is not None
    ]


def feed_owner(token: str) -> User | None:
    """The active staff account whose private feed `token` opens (None: none, or revoked)."""
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == hash_token(token)))
    if user is None or not permissions.can_use_calendar_feed(user):
        return None
    return user


def new_feed_token(user: User) -> str:
    """A fresh private feed token for `user` (the old address stops working). Caller commits."""
    token, digest = new_token()
    user.calendar_token_hash = digest
    return token


def revoke_feed_token(user: User) -> bool:
    """Remove the private feed address; False when there was none. Caller commits."""
    if user.calendar_token_hash is None:
        return False
    user.calendar_token_hash = None
    return True
