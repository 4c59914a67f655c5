"""Read queries of the activity feature: contexts, choices, interaction lists, follow-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.db import datastamp
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Organisation
from crm.models import Person
from crm.models import User
from crm.models import interaction_persons

BERLIN = ZoneInfo("Europe/Berlin")
#: Most persons offered in the select of a context (the newest links first would be
#: arbitrary; a context with more contacts than this is better served by the person page).
MAX_PERSON_CHOICES = 300


def berlin_today() -> dt.date:
    """Today's date in Berlin (follow-ups fall due by the office's calendar)."""
    return dt.datetime.now(BERLIN).date()


def _id(value: str | None) -> int | None:
    """A positive id from a query parameter; anything else is ignored (None)."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if number > 0 else None


@dataclass
class Context:
    """What an interaction is logged against: an initiative, an organisation and/or a person."""

    initiative: Initiative | None = None
    organisation: Organisation | None = None
    person: Person | None = None
    missing: bool = False  # an id was given that does not exist

    @property
    def empty(self) -> bool:
        """No record at all."""
        return self.initiative is None and self.organisation is None and self.person is None

    def args(self) -> dict[str, int]:
        """The query parameters that name this context."""
        out: dict[str, int] = {}
        if self.initiative is not None:
            out["initiative"] = self.initiative.id
        if self.organisation is not None:
            out["organisation"] = self.organisation.id
        if self.person is not None:
            out["person"] = self.person.id
        return out


def load_context(args: Mapping[str, str]) -> Context:
    """The context named by ?initiative=, ?organisation=, ?person= (non-numbers ignored)."""
    ctx = Context()
    for key, model in (
        ("initiative", Initiative),
        ("organisation", Organisation),
        ("person", Person),
    ):
        record_id = _id(args.get(key))
        if record_id is None:
            continue
        record = db.session.get(model, record_id)
        if record is None:
            ctx.missing = True
        else:
            setattr(ctx, key, record)
    return ctx


def context_of(interaction: Interaction) -> Context:
    """The context of a stored interaction (for the way back after editing)."""
    return Context(initiative=interaction.initiative, organisation=interaction.organisation)


def person_choices(ctx: Context, keep: list[Person] | None = None) -> list[tuple[str, str]]:
    """(id, name) of the context's contacts and affiliated persons, plus `keep`."""
    ids: set[int] = {p.id for p in keep or []}
    if ctx.person is not None:
        ids.add(ctx.person.id)
    linked = (
        (InitiativeRole.person_id, InitiativeRole.initiative_id, ctx.initiative),
        (Affiliation.person_id, Affiliation.organisation_id, ctx.organisation),
    )
    for person_id, record_id, record in linked:
        if record is not None:
            query = select(person_id).where(record_id == record.id).limit(MAX_PERSON_CHOICES)
            ids.update(db.session.scalars(query))
    if not ids:
        return []
    persons = db.session.scalars(
        select(Person).where(Person.id.in_(ids)).order_by(Person.sort_name, Person.id)
    )
    return [(str(p.id), p.full_name + (f" ({p.email})" if p.email else "")) for p in persons]


def staff_choices(keep_id: int | None = None) -> list[tuple[str, str]]:
    """(id, e-mail) of active staff and admin accounts, plus a current owner `keep_id`."""
    condition = User.active.is_(True) & User.role.in_(sorted(permissions.STAFF_ROLES))
    if keep_id is not None:
        condition = condition | (User.id == keep_id)
    users = db.session.scalars(select(User).where(condition).order_by(User.email))
    return [(str(u.id), u.email) for u in users]


def _with_everything(query: Select[Any]) -> Select[Any]:
    """`query` with each interaction's context, author and owner joined to it, and its
    persons by one more statement."""
    return query.options(
        joinedload(Interaction.initiative),
        joinedload(Interaction.organisation),
        selectinload(Interaction.persons),
        joinedload(Interaction.author),
        joinedload(Interaction.follow_up_owner),
    )


# What `activity/_interactions.html` shows of an interaction's persons (and whether one is
# locked); of its initiative, organisation, author and owner it shows the name or e-mail.
_SHOWN_PERSON = (Person.title, Person.first_name, Person.last_name, Person.restricted)


def _newest_of(condition: Any) -> Select[Any]:
    """The newest interactions that meet `condition` (at most `:limit`) with context,
    author, owner and persons, in one statement. The persons are joined to the limited
    interactions flat (their links, then the persons, each a LEFT OUTER JOIN): `joinedload`
    nests the two in parentheses, and SQLite answers that by materialising every
    interaction's persons first (half a second with 80,000 links), however few
    interactions a page shows."""
    limited = (
        select(Interaction)
        .where(condition)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    newest = aliased(Interaction, limited)
    return (
        select(newest)
        .outerjoin(interaction_persons, interaction_persons.c.interaction_id == newest.id)
        .outerjoin(Person, Person.id == interaction_persons.c.person_id)
        .options(
            contains_eager(newest.persons).load_only(*_SHOWN_PERSON),
            joinedload(newest.initiative).load_only(Initiative.name),
            joinedload(newest.organisation).load_only(Organisation.name),
            joinedload(newest.author).load_only(User.email),
            joinedload(newest.follow_up_owner).load_only(User.email),
        )
        .order_by(newest.occurred_at.desc(), newest.id.desc(), Person.id)
    )


# Built once, with the record's id and the limit as parameters: a record page spends no
# time composing the statement or its cache key (a fifth of the statement's time).
_NEWEST = {
    "initiative": _newest_of(Interaction.initiative_id == bindparam("record_id")),
    "organisation": _newest_of(Interaction.organisation_id == bindparam("record_id")),
    "person": _newest_of(
        Interaction.id.in_(
            select(interaction_persons.c.interaction_id).where(
                interaction_persons.c.person_id == bindparam("record_id")
            )
        )
    ),
}


def interaction(interaction_id: int) -> Interaction | None:
    """One interaction with its context, persons, author and owner loaded."""
    return db.session.scalar(
        _with_everything(select(Interaction).where(Interaction.id == interaction_id))
    )


def interactions_for(
    *,
    initiative_id: int | None = None,
    organisation_id: int | None = None,
    person_id: int | None = None,
    limit: int = 20,
) -> list[Interaction]:
    """The newest interactions of one record, loaded for `activity/_interactions.html`."""
    for kind, record_id in (
        ("initiative", initiative_id),
        ("organisation", organisation_id),
        ("person", person_id),
    ):
        if record_id is not None:
            found = db.session.scalars(_NEWEST[kind], {"record_id": record_id, "limit": limit})
            return list(found.unique())
    return []


@dataclass
class FollowUps:
    """Open follow-ups split by when they fall due."""

    overdue: list[Interaction] = field(default_factory=list)
    today: list[Interaction] = field(default_factory=list)
    later: list[Interaction] = field(default_factory=list)

    @property
    def total(self) -> int:
        """All open follow-ups shown."""
        return len(self.overdue) + len(self.today) + len(self.later)


def _open() -> Any:
    return Interaction.follow_up_due.is_not(None) & Interaction.follow_up_done_at.is_(None)


def open_follow_ups(user: Any, *, everyone: bool, limit: int = 500) -> FollowUps:
    """Open follow-ups of `user` (or of all staff), by due date, split at today (Berlin)."""
    query = select(Interaction).where(_open())
    if not everyone:
        query = query.where(Interaction.follow_up_owner_id == user.id)
    query = query.order_by(
        Interaction.follow_up_due, Interaction.occurred_at, Interaction.id
    ).limit(limit)
    today = berlin_today()
    result = FollowUps()
    for item in db.session.scalars(_with_everything(query)):
        due = item.follow_up_due
        assert due is not None  # noqa: S101 - guaranteed by the WHERE clause
        bucket = result.overdue if due < today else result.today if due == today else result.later
        bucket.append(item)
    return result


def due_follow_up_count(user: Any) -> int:
    """How many of `user`'s open follow-ups are due today or overdue (one indexed COUNT,
    counted once per data version and day: the navigation shows it on every page)."""
    today = berlin_today()

    def count() -> int:
        return int(
            db.session.scalar(
                select(func.count(Interaction.id)).where(
                    Interaction.follow_up_owner_id == user.id,
                    Interaction.follow_up_due <= today,
                    Interaction.follow_up_done_at.is_(None),
                )
            )
            or 0
        )

    return datastamp.cached("due_follow_ups", (user.id, today), count)


def persons(person_ids: list[int]) -> list[Person]:
    """The persons with these ids (those that exist)."""
    return list(db.session.scalars(select(Person).where(Person.id.in_(person_ids))))
