"""Writes and reads of the follow-up (#18): materials, the follow-up mail, feedback.

Who gets the follow-up mail: the registrations that are not cancelled and not waiting,
and of those by default only the ones who took part (status "attended": checked in, or
present in an imported attendance report); staff may include the absent ones (registered,
no-show) as well. Each registration is mailed once (`FollowupMail`), so sending again
only reaches those not mailed yet. The mail carries a fresh personal link (only the hash
of a link is stored, so the earlier link is replaced, as when a link is sent again).

The same participants see the materials and may answer the feedback form through their
personal link, once the event has begun and until the close date (Berlin days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from flask import render_template
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.events.services import BERLIN
from crm.events.services import lock_event
from crm.events.services import new_token
from crm.extensions import db
from crm.followup import files
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.models import Event
from crm.models import Feedback
from crm.models import FollowupMail
from crm.models import FollowupSettings
from crm.models import Material
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop
from crm.models.base import utcnow

#: Days after the event's end until which feedback is taken (changeable when sending).
FEEDBACK_DAYS = 14
#: Registrations that may see materials and give feedback.
PARTICIPANTS = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
ATTENDED_ONLY = (RegistrationStatus.ATTENDED,)
RATINGS = (1, 2, 3, 4, 5)


# -- materials


@dataclass(frozen=True)
class MaterialInput:
    """A new material: a link or an uploaded file, for the event or one workshop."""

    title: str
    workshop_id: int | None
    url: str | None = None
    file: files.StoredFile | None = None


def _shown_order(m: Material) -> tuple[bool, int, int]:
    """Event-wide materials first, then by workshop, each in the order they were added."""
    return (m.workshop_id is not None, m.workshop_id or 0, m.id)


def materials(event_id: int, *, removed: bool = False) -> list[Material]:
    """The event's materials (event-wide first, then by workshop), or the removed ones."""
    query = select(Material).where(Material.event_id == event_id)
    query = query.where(
        Material.removed_at.is_not(None) if removed else Material.removed_at.is_(None)
    )
    rows = list(db.session.scalars(query.order_by(Material.id)))
    return sorted(rows, key=_shown_order)


def materials_and_removed(event_id: int) -> tuple[list[Material], list[Material]]:
    """The event's materials and its removed ones (each as `materials` orders them), in
    one statement."""
    rows = db.session.scalars(
        select(Material).where(Material.event_id == event_id).order_by(Material.id)
    )
    current: list[Material] = []
    removed: list[Material] = []
    for m in rows:
        (current if m.removed_at is None else removed).append(m)
    return sorted(current, key=_shown_order), sorted(removed, key=_shown_order)


def material(event_id: int, material_id: int) -> Material | None:
    """One material of the event (removed ones too)."""
    return db.session.scalar(
        select(Material).where(Material.id == material_id, Material.event_id == event_id)
    )


def add_material(event: Event, data: MaterialInput) -> Material:
    """Store a new material (the caller commits)."""
    item = Material(event_id=event.id, workshop_id=data.workshop_id, title=data.title.strip())
    if data.file is not None:
        item.stored_name = data.file.stored_name
        item.filename = data.file.filename
        item.mimetype = data.file.mimetype
        item.size = data.file.size
    else:
        item.url = data.url
    db.session.add(item)
    db.session.flush()
    return item


def remove_material(item: Material) -> bool:
    """Take a material away from the participants (kept, so it can be restored)."""
    if item.removed_at is not None:
        return False
    item.removed_at = utcnow()
    return True


def restore_material(item: Material) -> bool:
    """Give a removed material back."""
    if item.removed_at is None:
        return False
    item.removed_at = None
    return True


def stored_names() -> set[str]:
    """The stored file names of all materials (removed ones too: they can be restored)."""
    return set(
        db.session.scalars(select(Material.stored_name).where(Material.stored_name.is_not(None)))
    )


def materials_for(registration: Registration) -> list[Material]:
    """What a participant sees: the event's materials and those of their workshop."""
    return [
        m
        for m in materials(registration.event_id)
        if m.workshop_id is None or m.workshop_id == registration.assigned_workshop_id
    ]


# -- settings, who may answer


def berlin_day(value: dt.datetime) -> dt.date:
    """The Berlin calendar day of an aware datetime."""
    return value.astimezone(BERLIN).date()


def settings(event: Event) -> FollowupSettings:
    """The event's follow-up settings (a default, unsaved, before the first mail)."""
    found = db.session.scalar(select(FollowupSettings).where(FollowupSettings.event_id == event.id))
    if found is not None:
        return found
    closes = berlin_day(event.ends_at) + dt.timedelta(days=FEEDBACK_DAYS)
    return FollowupSettings(event_id=event.id, feedback_closes_on=closes, include_absent=False)


def has_begun(event: Event, now: dt.datetime | None = None) -> bool:
    """Has the event started (materials and feedback are for afterwards)?"""
    return (now or utcnow()) >= event.starts_at


def is_participant(registration: Registration) -> bool:
    """May this registration see materials and give feedback (not cancelled, not waiting)?"""
    return registration.status in PARTICIPANTS


def feedback_open(event: Event, registration: Registration, today: dt.date | None = None) -> bool:
    """Can this registration answer (or change its answer) today?"""
    if not is_participant(registration) or not has_begun(event):
        return False
    day = today or berlin_day(utcnow())
    return day <= settings(event).feedback_closes_on


# -- the follow-up mail


def recipients(event: Event, include_absent: bool) -> list[tuple[Registration, Person]]:
    """Registrations (with their persons, with an address) the follow-up mail is for."""
    statuses = PARTICIPANTS if include_absent else ATTENDED_ONLY
    rows = db.session.execute(
        select(Registration, Person)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event.id, Registration.status.in_(statuses))
        .where(Person.email.is_not(None), Person.email != "")
        .order_by(Registration.id)
    )
    return [(r, p) for r, p in rows]


def already_mailed(event_id: int) -> set[int]:
    """Registrations (ids) of the event that got the follow-up mail already."""
    return set(
        db.session.scalars(
            select(FollowupMail.registration_id)
            .join(Registration, Registration.id == FollowupMail.registration_id)
            .where(Registration.event_id == event_id)
        )
    )


@dataclass
class SendPlan:
    """Who a send would reach, and who is left out because they were mailed already."""

    to_mail: list[tuple[Registration, Person]] = field(default_factory=list)
    mailed_before: int = 0


def plan(event: Event, include_absent: bool) -> SendPlan:
    """The recipients of a send now (without those mailed before)."""
    done = already_mailed(event.id)
    result = SendPlan()
    for registration, person in recipients(event, include_absent):
        if registration.id in done:
            result.mailed_before += 1
        else:
            result.to_mail.append((registration, person))
    return result


def personal_page_url(token: str) -> str:
    """The absolute address of a participant's follow-up page."""
    return url_for("followup_public.page", token=token, _external=True)


def _mail_one(event: Event, registration: Registration, person: Person, closes: dt.date) -> None:
    token, token_hash = new_token()
    registration.token_hash = token_hash  # the earlier link is replaced (only hashes are kept)
    workshop = (
        db.session.get(Workshop, registration.assigned_workshop_id)
        if registration.assigned_workshop_id
        else None
    )
    with in_language(registration.language, person.preferred_language):
        body = render_template(
            "mail/followup.txt",
            event=event,
            person=person,
            workshop=workshop,
            materials=materials_for(registration),
            link=personal_page_url(token),
            token=token,
            closes=closes,
        )
        subject = str(_l("Nach der Veranstaltung: %(t)s", t=event.title))
        queue_mail(str(person.email), subject, body)


def send(event_id: int, include_absent: bool, closes_on: dt.date) -> tuple[int, int]:
    """Queue the follow-up mail for everyone of `plan` not mailed yet (the caller commits).

    Returns (mailed now, mailed before). Runs under the event's lock, so two clicks never
    mail anyone twice."""
    event = lock_event(event_id)
    if event is None:
        return 0, 0
    current = settings(event)
    current.include_absent = include_absent
    current.feedback_closes_on = closes_on
    current.last_sent_at = utcnow()
    db.session.add(current)
    todo = plan(event, include_absent)
    for registration, person in todo.to_mail:
        _mail_one(event, registration, person, closes_on)
        db.session.add(FollowupMail(registration_id=registration.id))
    db.session.flush()
    return len(todo.to_mail), todo.mailed_before


# -- feedback


def feedback_of(registration_id: int) -> Feedback | None:
    """The registration's answer, if any."""
    return db.session.scalar(select(Feedback).where(Feedback.registration_id == registration_id))


def save_feedback(
    registration: Registration, overall: int, workshop_rating: int | None, comment: str | None
) -> bool:
    """Store or change the answer; False when nothing changed (nothing is written)."""
    comment = (comment or "").strip() or None
    if registration.assigned_workshop_id is None:
        workshop_rating = None
    found = feedback_of(registration.id)
    values = (overall, workshop_rating, comment, registration.assigned_workshop_id)
    if found is not None:
        if (found.overall, found.workshop_rating, found.comment, found.workshop_id) == values:
            return False
    else:
        found = Feedback(event_id=registration.event_id, registration_id=registration.id)
        db.session.add(found)
    found.overall, found.workshop_rating, found.comment, found.workshop_id = values
    db.session.flush()
    return True


@dataclass(frozen=True)
class RatingSummary:
    """Answers to one question: how many, the mean, and how many gave 1, 2, …, 5."""

    label: str
    count: int
    mean: float | None
    distribution: tuple[int, ...]


def summarise(label: str, values: Iterable[int | None]) -> RatingSummary:
    """Count, mean and distribution of ratings (None values left out)."""
    given = [v for v in values if v is not None]
    distribution = tuple(given.count(r) for r in RATINGS)
    mean = sum(given) / len(given) if given else None
    return RatingSummary(label, len(given), mean, distribution)


@dataclass(frozen=True)
class Results:
    """The feedback of an event: overall, per workshop, and the comments."""

    overall: RatingSummary
    workshops: list[RatingSummary]
    comments: list[tuple[str, str]]  # (workshop title or "", comment)
    answers: list[Feedback]


def results(event: Event) -> Results:
    """Summaries of all answers of the event (no names: the results are anonymous)."""
    answers = list(
        db.session.scalars(
            select(Feedback).where(Feedback.event_id == event.id).order_by(Feedback.id)
        )
    )
    titles = {w.id: w.title for w in event.workshops}
    overall = summarise(str(_l("Veranstaltung insgesamt")), (a.overall for a in answers))
    per_workshop = [
        summarise(w.title, (a.workshop_rating for a in answers if a.workshop_id == w.id))
        for w in event.workshops
    ]
    comments = [(titles.get(a.workshop_id or 0, ""), a.comment) for a in answers if a.comment]
    return Results(overall, per_workshop, comments, answers)


def export_rows(event: Event, found: Results) -> list[list[object]]:
    """One row per answer, without names: workshop, ratings, comment, last change."""
    titles = {w.id: w.title for w in event.workshops}
    return [
        [
            titles.get(a.workshop_id or 0, ""),
            a.overall,
            a.workshop_rating,
            a.comment or "",
            a.updated_at,
        ]
        for a in found.answers
    ]
