"""Writes of the events feature: events, agenda, workshops, registrations and their mails.

Seats are counted under a lock on the event row (PostgreSQL: SELECT ... FOR UPDATE;
SQLite: the request's BEGIN IMMEDIATE already serialises writers), so two visitors
registering at the same moment can never both take the last seat.

The waitlist is fair (`fill_seats`): a newcomer gets a seat only when nobody waits for
one; a seat freed by a cancellation or a larger capacity goes to the earliest waitlisted
registration (by registration time, then id). Once the workshop assignment is published,
the same holds for workshop seats: a free workshop seat goes to the earliest participant
without a workshop (first wish with room, else any workshop with room). Promotion only
fills seats that are really free, so running it again changes nothing; each person moved
up gets one mail through the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from dataclasses import field
from zoneinfo import ZoneInfo

from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.events.rooms import assigned_room
from crm.extensions import db
from crm.formats.ics import event_calendar
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import AssignmentDraft
from crm.models import Consent
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.models import LawfulBasis
from crm.models import Organisation
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Theme
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.base import utcnow
from crm.models.text import fold

BERLIN = ZoneInfo("Europe/Berlin")
#: The version of the consent texts on the registration form (change it with the texts).
CONSENT_TEXT_VERSION = "2026-11"
#: Statuses that occupy a seat.
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)
#: Statuses of people still expected (or already there).
ACTIVE = (*SEATED, RegistrationStatus.WAITLISTED)


def berlin_to_utc(local: dt.datetime) -> dt.datetime:
    """A naive Berlin wall-clock time as an aware UTC datetime."""
    return local.replace(tzinfo=BERLIN).astimezone(dt.UTC)


def utc_to_berlin(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as naive Berlin wall-clock time (for form fields)."""
    if value is None:
        return None
    return value.astimezone(BERLIN).replace(tzinfo=None, second=0, microsecond=0)


def hash_token(token: str) -> str:
    """The stored form of a personal-link token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh personal-link token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# -- events, agenda, workshops (staff)


@dataclass(frozen=True)
class EventData:
    """Validated input of the event form (times as Berlin wall-clock)."""

    title: str
    type: EventType
    mode: EventMode
    venue: str | None
    online_url: str | None
    starts_local: dt.datetime
    ends_local: dt.datetime
    description: str | None
    capacity: int | None
    opens_local: dt.datetime | None
    closes_local: dt.datetime | None
    is_free: bool
    fee_note: str | None
    status: EventStatus


def slugify(text: str) -> str:
    """A URL-safe slug from a German title ("Müller & Co" → "muller-co")."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:100].strip("-") or "veranstaltung"


def _unique_slug(title: str, own_id: int | None = None) -> str:
    base = slugify(title)
    taken = set(
        db.session.scalars(
            select(Event.slug).where(
                or_(Event.slug == base, Event.slug.like(f"{base}-%")),
                Event.id != (own_id or 0),
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply_event(event: Event, data: EventData) -> None:
    event.title = data.title.strip()
    event.type = data.type
    event.mode = data.mode
    event.venue = (data.venue or "").strip() or None
    event.online_url = (data.online_url or "").strip() or None
    event.starts_at = berlin_to_utc(data.starts_local)
    event.ends_at = berlin_to_utc(data.ends_local)
    event.description = (data.description or "").strip() or None
    event.capacity = data.capacity
    event.registration_opens_at = berlin_to_utc(data.opens_local) if data.opens_local else None
    event.registration_closes_at = berlin_to_utc(data.closes_local) if data.closes_local else None
    event.is_free = data.is_free
    event.fee_note = None if data.is_free else (data.fee_note or "").strip() or None
    event.status = data.status


def create_event(data: EventData) -> Event:
    """A new event with a unique slug made from its title."""
    event = Event(slug=_unique_slug(data.title))
    _apply_event(event, data)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, data: EventData) -> list[Registration]:
    """Change an event; a changed capacity moves waitlisted people up (returned).

    An unchanged capacity moves nobody, whatever the waitlist looks like.
    """
    lock_event(event.id)
    capacity_before = event.capacity
    before = _calendar_facts(event)
    _apply_event(event, data)
    _announce_change(event, before)
    db.session.flush()
    if event.capacity == capacity_before:
        return []
    return fill_seats(event)


@dataclass(frozen=True)
class BlockData:
    """Validated input of the agenda form."""

    starts_local: dt.datetime
    ends_local: dt.datetime
    title: str
    kind: AgendaKind


def save_block(block: AgendaBlock, data: BlockData) -> AgendaBlock:
    """Create or change an agenda block."""
    block.starts_at = berlin_to_utc(data.starts_local)
    block.ends_at = berlin_to_utc(data.ends_local)
    block.title = data.title.strip()
    block.kind = data.kind
    db.session.add(block)
    db.session.flush()
    return block


@dataclass(frozen=True)
class WorkshopData:
    """Validated input of the workshop form."""

    title: str
    description: str | None
    theme_ids: list[int]
    capacity: int
    position: int
    moderator: Person | None
    online_url: str | None = None


def find_person_by_email(email: str) -> Person | None:
    """The oldest person with this e-mail (compared lower-case)."""
    address = email.strip().lower()
    if not address:
        return None
    return db.session.scalar(
        select(Person).where(Person.email == address).order_by(Person.id).limit(1)
    )


def save_workshop(workshop: Workshop, data: WorkshopData) -> list[Registration]:
    """Create or change a workshop (its themes must be loaded).

    A new workshop or a changed capacity gives free workshop seats to the participants
    without one, once the assignment is published (see `fill_workshops`); returns them.
    """
    event = lock_event(workshop.event_id)
    capacity_before = workshop.capacity if workshop.id is not None else None
    workshop.title = data.title.strip()
    workshop.description = (data.description or "").strip() or None
    workshop.capacity = data.capacity
    workshop.position = data.position
    workshop.moderator_id = data.moderator.id if data.moderator else None
    workshop.online_url = (data.online_url or "").strip() or None
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data.theme_ids))))
    workshop.themes = themes
    db.session.add(workshop)
    db.session.flush()
    if event is None or workshop.capacity == capacity_before:
        return []
    return [registration for registration, _w in fill_workshops_and_mail(event, moved_up=[])]


# -- registrations


def lock_event(event_id: int) -> Event | None:
    """Load the event row for update: concurrent seat counts on it wait for us."""
    return db.session.scalar(select(Event).where(Event.id == event_id).with_for_update())


def _registrations_in(event_id: int, statuses: tuple[RegistrationStatus, ...]) -> int:
    """How many of the event's registrations have one of `statuses`."""
    count = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.status.in_(statuses)
        )
    )
    return int(count or 0)


def seats_taken(event_id: int) -> int:
    """Registrations that occupy a seat."""
    return _registrations_in(event_id, SEATED)


def booked_out(event: Event) -> bool:
    """Would a registration now go to the waitlist? (Those waiting get free seats first.)"""
    if event.capacity is None:
        return False
    waiting = _registrations_in(event.id, (RegistrationStatus.WAITLISTED,))
    return seats_taken(event.id) + waiting >= event.capacity


def registration_problem(event: Event, now: dt.datetime | None = None) -> str | None:
    """Why `event` takes no registrations right now (None: it does)."""
    now = now or utcnow()
    if event.status is EventStatus.ENTWURF:
        return _("Diese Veranstaltung ist noch nicht veröffentlicht.")
    if event.status is not EventStatus.VEROEFFENTLICHT or event.ends_at <= now:
        return _("Die Anmeldung zu dieser Veranstaltung ist geschlossen.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Die Anmeldung ist noch nicht geöffnet.")
    if event.registration_closes_at and now >= event.registration_closes_at:
        return _("Die Anmeldefrist ist abgelaufen.")
    return None


def can_cancel(registration: Registration, event: Event, now: dt.datetime | None = None) -> bool:
    """Participants may cancel themselves until the event begins."""
    now = now or utcnow()
    return (
        registration.status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
        and event.status in (EventStatus.VEROEFFENTLICHT, EventStatus.ANMELDUNG_GESCHLOSSEN)
        and now < event.starts_at
    )


def can_change_preferences(registration: Registration, event: Event) -> bool:
    """Wishes may change while registration is open and nothing is fixed yet."""
    return (
        registration.status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
        and not registration.assignment_fixed
        and registration_problem(event) is None
    )


def match_organisation(text: str | None) -> Organisation | None:
    """An existing organisation whose name or one of its other names folds to `text`."""
    key = fold(text).strip()
    if not key:
        return None
    found = db.session.scalar(
        select(Organisation).where(Organisation.sort_name == key[:200]).order_by(Organisation.id)
    )
    if found is not None:
        return found
    for org_id, other_names in db.session.execute(
        select(Organisation.id, Organisation.other_names)
        .where(Organisation.other_names.is_not(None))
        .order_by(Organisation.id)
    ):
        if any(fold(line).strip() == key for line in (other_names or "").splitlines()):
            return db.session.get(Organisation, org_id)
    return None


@dataclass(frozen=True)
class RegistrationInput:
    """Validated input of the public registration form."""

    first_name: str
    last_name: str
    email: str
    organisation: str | None
    initiative_id: int | None
    function: str | None
    workshop_ids: list[int]
    newsletter: bool = False
    photos: bool = False
    participant_list: bool = False


@dataclass
class RegistrationOutcome:
    """What a submission did: a new (or renewed) registration, or a resent link."""

    registration: Registration
    resent: bool
    moved: list[Registration] = field(default_factory=list)


def personal_url(token: str) -> str:
    """The absolute personal link of a registration."""
    return url_for("event_public.personal", token=token, _external=True)


def _register_url(event: Event) -> str:
    return url_for("event_public.register", event_id=event.id, _external=True)


def _mail_person(
    template: str,
    person: Person | None,
    subject: LazyString,
    event: Event,
    registration: Registration,
    *,
    ics: bool = True,
    **context: object,
) -> None:
    """Queue a mail to `person` about their `registration` for `event`, when they have an
    address: in the language the registration was made in (else the person's preferred
    language, else German), with subject, body and calendar. A template may show
    `workshop_room`: the assigned workshop when it has its own room link."""
    if person is None or not person.email:
        return
    with in_language(registration.language, person.preferred_language):
        body = render_template(
            f"mail/{template}",
            event=event,
            person=person,
            registration=registration,
            workshop_room=assigned_room(registration),
            **context,
        )
        calendar = event_calendar(event, url=_register_url(event), room=True) if ics else None
        queue_mail(person.email, str(subject), body, ics=calendar)


def _find_or_create_person(data: RegistrationInput, event: Event, language: str) -> Person:
    person = find_person_by_email(data.email)
    if person is not None:
        return person
    person = Person(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=data.email,
        preferred_language=language,
        lawful_basis=LawfulBasis.CONSENT,
        source=f"Anmeldung {event.title}"[:200],
        collected_at=utcnow(),
    )
    db.session.add(person)
    db.session.flush()
    return person


def _set_preferences(registration: Registration, workshop_ids: list[int]) -> None:
    db.session.execute(
        delete(WorkshopPreference).where(WorkshopPreference.registration_id == registration.id)
    )
    for rank, workshop_id in enumerate(workshop_ids[:3], start=1):
        db.session.add(
            WorkshopPreference(registration_id=registration.id, workshop_id=workshop_id, rank=rank)
        )


def _record_consents(person: Person, registration: Registration, data: RegistrationInput) -> None:
    purposes = [ConsentPurpose.EVENT_COMMUNICATION]
    purposes += [ConsentPurpose.NEWSLETTER] if data.newsletter else []
    purposes += [ConsentPurpose.PHOTOS] if data.photos else []
    purposes += [ConsentPurpose.PARTICIPANT_LIST] if data.participant_list else []
    now = utcnow()
    for purpose in purposes:
        db.session.add(
            Consent(
                person_id=person.id,
                purpose=purpose,
                status=ConsentStatus.CONFIRMED,
                method=ConsentMethod.WEB_FORM,
                text_version=CONSENT_TEXT_VERSION,
                given_at=now,
                registration_id=registration.id,
            )
        )


def register(event_id: int, data: RegistrationInput) -> RegistrationOutcome:
    """Register a visitor (or resend their link); waitlist beyond capacity. Caller commits."""
    event = lock_event(event_id)
    assert event is not None  # noqa: S101 - the view has loaded it
    locale = get_locale()  # the language of the form: the visitor's mails go out in it
    language = locale.language if locale is not None else "de"
    person = _find_or_create_person(data, event, language)  # its e-mail is `data.email`
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.person_id == person.id
        )
    )
    token, token_hash = new_token()
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        # Same e-mail again: no second registration. A fresh link replaces the old one,
        # because only the hash of a link is stored.
        registration.token_hash = token_hash
        registration.language = language
        subject = _l("Ihr persönlicher Link: %(t)s", t=event.title)
        link = personal_url(token)
        _mail_person("link_resent.txt", person, subject, event, registration, link=link, ics=False)
        return RegistrationOutcome(registration, resent=True)
    # Free seats go to those already waiting; only then may the newcomer have one.
    moved = fill_seats(event)
    has_seat = event.capacity is None or seats_taken(event.id) < event.capacity
    match = match_organisation(data.organisation)
    if registration is None:
        registration = Registration(event_id=event.id, person_id=person.id, token_hash=token_hash)
        db.session.add(registration)
    registration.organisation_text = (data.organisation or "").strip() or None
    registration.organisation_id = match.id if match else None
    registration.organisation_confirmed = False
    registration.initiative_id = data.initiative_id
    registration.function = (data.function or "").strip() or None
    registration.language = language
    registration.status = (
        RegistrationStatus.REGISTERED if has_seat else RegistrationStatus.WAITLISTED
    )
    registration.registered_at = utcnow()
    registration.cancelled_at = None
    registration.checked_in_at = None
    registration.assigned_workshop_id = None  # a renewed registration queues again
    registration.assignment_fixed = False
    registration.token_hash = token_hash
    db.session.flush()
    _set_preferences(registration, data.workshop_ids)
    _record_consents(person, registration, data)
    template = "confirmation.txt" if has_seat else "waitlisted.txt"
    subject = (
        _l("Anmeldebestätigung: %(t)s", t=event.title)
        if has_seat
        else _l("Warteliste: %(t)s", t=event.title)
    )
    link = personal_url(token)
    _mail_person(template, person, subject, event, registration, link=link, ics=has_seat)
    if has_seat:
        fill_workshops_and_mail(event, moved_up=[])
    return RegistrationOutcome(registration, resent=False, moved=moved)


def waiting_queue(event_id: int, limit: int | None = None) -> list[Registration]:
    """The event's waitlist, earliest registration first."""
    query = (
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def fill_seats(event: Event) -> list[Registration]:
    """Move the earliest waitlisted people up into the free seats; mail each of them once.

    Free workshop seats then go to participants without a workshop (`fill_workshops`).
    Only seats that are really free are filled, so a second call changes nothing.
    Returns the registrations moved up from the event's waitlist. Caller holds the lock.
    """
    free = None if event.capacity is None else event.capacity - seats_taken(event.id)
    moved: list[Registration] = []
    if free is None or free > 0:
        moved = waiting_queue(event.id, free)
        for registration in moved:
            registration.status = RegistrationStatus.REGISTERED
        db.session.flush()
    fill_workshops_and_mail(event, moved_up=moved)
    return moved


def assignment_published(event_id: int) -> bool:
    """Has the event's workshop assignment been published (someone has a workshop)?"""
    found = db.session.scalar(
        select(Registration.id)
        .where(Registration.event_id == event_id, Registration.assigned_workshop_id.is_not(None))
        .limit(1)
    )
    return found is not None


#: Registrations that take part in the workshops (as in the assignment).
PARTICIPATING = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
#: The draft's note of a workshop seat given by `fill_workshops` (staff read it in German).
MOVED_UP_NOTE = "Nachgerückt: erster freier Platz nach Anmeldezeitpunkt."


def workshop_load(event_id: int) -> dict[int, int]:
    """Seated registrations per assigned workshop of the event."""
    rows = db.session.execute(
        select(Registration.assigned_workshop_id, func.count(Registration.id))
        .where(
            Registration.event_id == event_id,
            Registration.status.in_(SEATED),
            Registration.assigned_workshop_id.is_not(None),
        )
        .group_by(Registration.assigned_workshop_id)
    )
    return {wid: int(n) for wid, n in rows if wid is not None}


def fill_workshops(event: Event) -> list[tuple[Registration, Workshop]]:
    """Give free workshop seats to participants without a workshop, earliest first.

    Only once the assignment is published (before, the assignment run places everyone).
    Each gets their first wish with room, else the first workshop with room. A published
    draft records the placement, so that draft and published state stay equal.
    """
    workshops = list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.event_id == event.id)
            .order_by(Workshop.position, Workshop.id)
        )
    )
    if not workshops or not assignment_published(event.id):
        return []
    load = workshop_load(event.id)
    free = {w.id: w.capacity - load.get(w.id, 0) for w in workshops}
    if all(n <= 0 for n in free.values()):
        return []
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(PARTICIPATING),
            Registration.assigned_workshop_id.is_(None),
        )
        .options(selectinload(Registration.preferences))
        .order_by(Registration.registered_at, Registration.id)
    )
    by_id = {w.id: w for w in workshops}
    placed: list[tuple[Registration, Workshop]] = []
    for registration in waiting:
        wishes = [p.workshop_id for p in registration.preferences]
        chosen = next((w for w in wishes if free.get(w, 0) > 0), None)
        if chosen is None:
            chosen = next((w.id for w in workshops if free[w.id] > 0), None)
        if chosen is None:
            break
        free[chosen] -= 1
        registration.assigned_workshop_id = chosen
        placed.append((registration, by_id[chosen]))
    if placed:
        draft = db.session.scalar(
            select(AssignmentDraft).where(AssignmentDraft.event_id == event.id)
        )
        if draft is not None and draft.published_at is not None:
            draft.placements = {
                **draft.placements,
                **{str(r.id): w.id for r, w in placed},
            }
            draft.notes = {**draft.notes, **{str(r.id): MOVED_UP_NOTE for r, _w in placed}}
        db.session.flush()
    return placed


def fill_workshops_and_mail(
    event: Event, moved_up: list[Registration]
) -> list[tuple[Registration, Workshop]]:
    """Fill free workshop seats, then mail once per person: those moved up from the
    waitlist learn of their seat (and workshop, if placed), the others of their workshop.
    Returns who got which workshop."""
    placed = fill_workshops(event)
    workshop_of = {r.id: w for r, w in placed}
    for registration in moved_up:
        _mail_person(
            "moved_up.txt",
            db.session.get_one(Person, registration.person_id),
            _l("Sie haben einen Platz: %(t)s", t=event.title),
            event,
            registration,
            workshop=workshop_of.get(registration.id),
        )
    already = {r.id for r in moved_up}
    for registration, workshop in placed:
        if registration.id not in already:
            _mail_person(
                "workshop_moved_up.txt",
                db.session.get_one(Person, registration.person_id),
                _l("Ihr Workshop: %(t)s", t=event.title),
                event,
                registration,
                workshop=workshop,
                ics=False,
            )
    return placed


def cancel(registration: Registration) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first on the waitlist (returned)."""
    event = lock_event(registration.event_id)
    assert event is not None  # noqa: S101 - a registration always has its event
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    # who no longer comes leaves the practitioner exchange: their 1:1 meetings are
    # cancelled and the partners told (imported here: the exchange builds on the events)
    from crm.matchmaking.planning import withdraw as leave_exchange

    leave_exchange(registration)
    _mail_person(
        "cancelled.txt",
        db.session.get_one(Person, registration.person_id),
        _l("Stornierung: %(t)s", t=event.title),
        event,
        registration,
        ics=False,
    )
    return fill_seats(event)


def change_preferences(registration: Registration, workshop_ids: list[int]) -> None:
    """Replace the ranked wishes of a registration."""
    _set_preferences(registration, workshop_ids)
    registration.updated_at = utcnow()


def _mark_attendance(
    registration: Registration,
    status: RegistrationStatus,
    allowed_from: set[RegistrationStatus],
    checked_in_at: dt.datetime | None = None,
) -> bool:
    """Move a registration from one of `allowed_from` to `status`; False when it may not."""
    if registration.status not in allowed_from:
        return False
    registration.status = status
    registration.checked_in_at = checked_in_at
    return True


def check_in(registration: Registration) -> bool:
    """Mark as attended now; False when already checked in."""
    allowed = set(RegistrationStatus) - {RegistrationStatus.ATTENDED, RegistrationStatus.CANCELLED}
    return _mark_attendance(registration, RegistrationStatus.ATTENDED, allowed, utcnow())


def mark_no_show(registration: Registration) -> bool:
    """Mark as not attended; False when already so."""
    allowed = {RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED}
    return _mark_attendance(registration, RegistrationStatus.NO_SHOW, allowed)


def reset_attendance(registration: Registration) -> bool:
    """Undo a check-in or no-show mark (back to registered)."""
    allowed = {RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW}
    return _mark_attendance(registration, RegistrationStatus.REGISTERED, allowed)


def confirm_organisation(registration: Registration) -> bool:
    """Staff confirm the matched organisation; False when there is no match to confirm."""
    if registration.organisation_id is None or registration.organisation_confirmed:
        return False
    registration.organisation_confirmed = True
    return True


def reminders_due(day: dt.date) -> list[int]:
    """Registrations (ids) of events starting on `day` (Berlin) not yet reminded."""
    start = berlin_to_utc(dt.datetime.combine(day, dt.time.min))
    end = berlin_to_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return list(
        db.session.scalars(
            select(Registration.id)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Event.starts_at >= start,
                Event.starts_at < end,
                Event.status.in_((EventStatus.VEROEFFENTLICHT, EventStatus.ANMELDUNG_GESCHLOSSEN)),
                Registration.status == RegistrationStatus.REGISTERED,
                Registration.reminded_at.is_(None),
            )
            .order_by(Registration.id)
        )
    )


def remind(registration_id: int) -> bool:
    """Queue the reminder mail of one registration, once (marks it; the caller commits)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.reminded_at is not None:
        return False
    if registration.status != RegistrationStatus.REGISTERED:
        return False
    registration.reminded_at = utcnow()
    event = db.session.get_one(Event, registration.event_id)
    person = db.session.get(Person, registration.person_id) if registration.person_id else None
    subject = _l("Erinnerung: %(t)s ist morgen", t=event.title)
    _mail_person("reminder.txt", person, subject, event, registration, ics=False)
    return True


# -- calendar updates: SEQUENCE and the mails of a changed or cancelled event

#: Registrations told about a new time or place, or a cancellation.
INFORMED = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
#: Statuses under which registrants hear of a new time or place.
ANNOUNCED = (EventStatus.VEROEFFENTLICHT, EventStatus.ANMELDUNG_GESCHLOSSEN)


@dataclass(frozen=True)
class _CalendarFacts:
    when: tuple[dt.datetime, dt.datetime]
    where: tuple[str | None, str | None, EventMode]
    status: EventStatus


def _calendar_facts(event: Event) -> _CalendarFacts:
    """What a calendar shows of `event` (times to the minute, as the form edits them)."""
    start, end = (t.replace(second=0, microsecond=0) for t in (event.starts_at, event.ends_at))
    return _CalendarFacts((start, end), (event.venue, event.online_url, event.mode), event.status)


def _announce_change(event: Event, before: _CalendarFacts) -> int:
    """Raise SEQUENCE when time, place or status changed; mail the registrants the updated
    ICS (new time or place) or a METHOD:CANCEL (cancelled). Returns how many were mailed."""
    after = _calendar_facts(event)
    if after == before:
        return 0
    event.sequence = (event.sequence or 0) + 1
    if event.status is EventStatus.ABGESAGT and before.status is not EventStatus.ABGESAGT:
        subject = _l("Abgesagt: %(t)s", t=event.title)
        return _mail_registrants(event, "event_cancelled.txt", subject, "CANCEL")
    moved = (after.when, after.where) != (before.when, before.where)
    if moved and event.status in ANNOUNCED:
        subject = _l("Geändert: %(t)s", t=event.title)
        return _mail_registrants(event, "event_changed.txt", subject, "PUBLISH")
    return 0


def _mail_registrants(event: Event, template: str, subject: LazyString, method: str) -> int:
    """Mail everyone registered or waiting the event's calendar entry with `method`, each in
    the language of their registration (see `_mail`)."""
    rows = db.session.execute(
        select(Registration, Person)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event.id, Registration.status.in_(INFORMED))
        .order_by(Registration.id)
    )
    organizer = current_app.config.get("MAIL_FROM") or None
    mailed = 0
    for registration, person in rows:
        if not person.email:
            continue
        with in_language(registration.language, person.preferred_language):
            body = render_template(
                f"mail/{template}", event=event, person=person, registration=registration
            )
            calendar = event_calendar(
                event, url=_register_url(event), method=method, organizer=organizer, room=True
            )
            queue_mail(person.email, str(subject), body, ics=calendar)
        mailed += 1
    return mailed


# The marks staff set on a registration (registration list, check-in), by name: the web's
# buttons and the API's PATCH both go through them.
MARKS = {
    "checkin": check_in,
    "no-show": mark_no_show,
    "reset": reset_attendance,
    "confirm-organisation": confirm_organisation,
}
