"""Planning the 1:1 meetings and what follows: "Treffen planen" (compute, move, remove,
restore, publish), the personal schedule with its calendar file, the mails (schedule,
changes, reminder), the feedback of the participants (held, rating) and the interactions
of held meetings, and cancelling the meetings of someone who withdraws.

The draft is the event's `Meeting` rows before `MatchmakingSettings.published_at` is set:
participants see nothing of it until then. A removed meeting keeps its row with
`cancelled_at` (so it can be restored); a new computation replaces the whole draft.
Callers commit (one commit per request); jobs commit per step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select

from crm.extensions import db
from crm.formats.ics import TimedEntry
from crm.formats.ics import entries_calendar
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.matchmaking import schedule as plan
from crm.matchmaking import services
from crm.matchmaking.services import TAKING_PART
from crm.matchmaking.services import Problem
from crm.matchmaking.services import participants
from crm.matchmaking.services import planning_input
from crm.matchmaking.services import settings_of
from crm.matchmaking.services import slots_of
from crm.matchmaking.services import unavailable_of
from crm.models import Event
from crm.models import Initiative
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Person
from crm.models import Registration
from crm.models.base import utcnow
from crm.models.enums import MeetingSource
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting

#: `Meeting.cancelled_reason` of the meetings cancelled by a withdrawal or by staff.
WITHDRAWN = "withdrawn"
REMOVED = "removed"


class PlanProblem(Problem):
    """A planning step that cannot be done, with a message for staff."""


#: What staff read when the settings were saved while the plan was computed or published
#: (the settings row's version changed: nothing of the step is written).
SETTINGS_CHANGED = _l(
    "Die Einstellungen des Austauschs wurden inzwischen geändert. Es wurde nichts "
    "gespeichert: Bitte versuchen Sie es noch einmal."
)


# --------------------------------------------------------------------------- reading


def event_meetings(event_id: int, *, cancelled: bool = False) -> list[Meeting]:
    """The meetings of an event in slot order: the active ones, or the cancelled ones."""
    condition = Meeting.cancelled_at.is_not(None) if cancelled else Meeting.cancelled_at.is_(None)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.event_id == event_id, condition)
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def as_planned(meetings: Iterable[Meeting]) -> list[plan.Planned]:
    """The plain form of meeting rows."""
    return [
        plan.Planned(m.id, m.starts_at, m.a_registration_id, m.b_registration_id) for m in meetings
    ]


def slot_minutes(settings: MatchmakingSettings) -> dt.timedelta:
    """The length of one meeting."""
    return dt.timedelta(minutes=int(settings.meeting_minutes))


def _slots_and_blocked(event: Event) -> tuple[list[dt.datetime], dict[int, set[dt.datetime]]]:
    """The slots and each participant's blocked slots (read only: unlike the planning
    input, no requests are expired on the way and no reasons computed)."""
    settings = settings_of(event.id)
    if settings is None:
        return [], {}
    slots = slots_of(settings)
    blocked = unavailable_of(settings, participants(event.id)) if slots else {}
    return slots, {k: set(v) for k, v in blocked.items()}


# --------------------------------------------------------------------------- compute


@dataclass(frozen=True)
class Computed:
    """What a computation did."""

    meetings: int
    unmet: int
    method: str
    optimal: bool
    seconds: float


def _pair_key(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}-{high}"


def _reason_data(reason: Any) -> Any:
    """A pair's reason as JSON (a suggestion `Reason`: its code, data and German text)."""
    if isinstance(reason, str | int | float) or reason is None:
        return reason
    if isinstance(reason, dict):
        return reason
    return {
        "code": getattr(reason, "code", "label"),
        "data": dict(getattr(reason, "data", {}) or {}),
        "text": str(getattr(reason, "text", reason)),
    }


def compute(event: Event) -> Computed:
    """Compute the draft from the wishes and accepted requests; it replaces the previous
    draft (removed meetings included). Refused once the plan is published."""
    from crm.graph.meetings import schedule_meetings

    settings = settings_of(event.id)
    if settings is None or not settings.enabled:
        raise PlanProblem(_("Für diese Veranstaltung ist der Praxisaustausch nicht eingeschaltet."))
    if settings.published_at is not None:
        raise PlanProblem(
            _(
                "Der Plan ist schon veröffentlicht. Einzelne Treffen können Sie noch "
                "verschieben oder entfernen."
            )
        )
    data = planning_input(event)
    if not data.slots:
        raise PlanProblem(
            _("Es gibt keine Zeitfenster: Bitte legen Sie das Zeitfenster des Austauschs fest.")
        )
    try:
        result = schedule_meetings(
            data.pairs,
            data.slots,
            max_per_person=data.max_per_person,
            unavailable=data.unavailable,
            fixed=data.fixed,
            time_limit=float(current_app.config.get("MATCHMAKING_TIME_LIMIT", 10.0)),
            seed=event.id,
        )
    except ValueError as exc:
        raise PlanProblem(_("Der Plan ließ sich nicht berechnen: %(why)s", why=str(exc))) from exc
    db.session.execute(delete(Meeting).where(Meeting.event_id == event.id))
    fixed = {frozenset(pair) for pair in data.fixed}
    rows: list[Meeting] = []
    for slot, a, b in result.meetings:
        low, high = sorted((cast(int, a), cast(int, b)))
        meeting = Meeting(
            event_id=event.id,
            starts_at=slot,
            a_registration_id=low,
            b_registration_id=high,
            source=MeetingSource.REQUEST if frozenset((a, b)) in fixed else MeetingSource.PLANNED,
            reasons=[_reason_data(r) for r in result.reasons.get((a, b), ())],
        )
        db.session.add(meeting)
        rows.append(meeting)
    db.session.flush()
    _set_video_links(settings, rows)
    weights = {_pair_key(int(p[0]), int(p[1])): float(p[2]) for p in data.pairs}
    settings.plan_report = {
        "computed_at": utcnow().isoformat(),
        "method": result.method,
        "optimal": result.optimal,
        "seconds": round(result.seconds, 2),
        "weights": weights,
        "unmet": [
            {
                "registration": cast(int, u.person),
                "meetings": u.meetings,
                "target": u.target,
                "reason": u.reason,
            }
            for u in result.unmet
        ],
        "limited_by": {str(k): v for k, v in result.limited_by.items()},
    }
    return Computed(len(rows), len(result.unmet), result.method, result.optimal, result.seconds)


def _set_video_links(settings: MatchmakingSettings, meetings: Sequence[Meeting]) -> None:
    """Give each meeting its video link by the settings (kept where it still fits)."""
    everyone = event_meetings(settings.event_id) if meetings else []
    links = plan.assign_video_links(
        as_planned(everyone),
        mode=settings.video_mode.value if settings.video_mode else "",
        pattern=settings.video_pattern,
        tables=plan.table_lines(settings.video_tables),
        current={m.id: m.video_url for m in everyone},
    )
    for meeting in everyone:
        meeting.video_url = links.get(meeting.id)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class Side:
    """One participant of a meeting as staff and partners see them."""

    registration_id: int
    name: str
    organisation: str | None
    initiative: str | None
    person_id: int | None


@dataclass(frozen=True)
class MeetingRow:
    """A meeting on the plan page."""

    meeting: Meeting
    a: Side
    b: Side
    ends_at: dt.datetime
    free: list[Any]  # the slots (datetimes) it could move to
    weight: float


@dataclass(frozen=True)
class UnmetRow:
    """A participant below their target, with the library's reason code."""

    side: Side
    meetings: int
    target: int
    reason: str


@dataclass
class PlanPage:
    """Everything "Treffen planen" shows."""

    settings: MatchmakingSettings | None
    slots: list[dt.datetime] = field(default_factory=list)
    rows: list[tuple[Any, list[MeetingRow]]] = field(default_factory=list)
    removed: list[MeetingRow] = field(default_factory=list)
    figures: plan.Figures | None = None
    without: list[Side] = field(default_factory=list)
    unmet: list[UnmetRow] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    participants: int = 0


def sides(registration_ids: Iterable[int]) -> dict[int, Side]:
    """Name, organisation and initiative of registrations (by id)."""
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration, Person, Initiative)
        .outerjoin(Person, Person.id == Registration.person_id)
        .outerjoin(Initiative, Initiative.id == Registration.initiative_id)
        .where(Registration.id.in_(ids))
    )
    found: dict[int, Side] = {}
    for registration, person, initiative in rows:
        found[registration.id] = Side(
            registration_id=registration.id,
            name=person.full_name if person is not None else _("(gelöschte Person)"),
            organisation=registration.organisation_text,
            initiative=initiative.name if initiative is not None else None,
            person_id=person.id if person is not None else None,
        )
    return found


def opted_in(event_id: int) -> list[int]:
    """The registrations (ids) of the event that take part in the exchange."""
    return list(
        db.session.scalars(
            select(Registration.id).where(
                Registration.event_id == event_id,
                Registration.matchmaking_opt_in.is_(True),
                Registration.status.in_(TAKING_PART),
                Registration.person_id.is_not(None),
            )
        )
    )


def plan_page(event: Event) -> PlanPage:
    """The grid (slots × meetings), the removed meetings and the figures."""
    settings = settings_of(event.id)
    page = PlanPage(settings=settings)
    if settings is None:
        return page
    slots, blocked = _slots_and_blocked(event)
    active = event_meetings(event.id)
    removed = event_meetings(event.id, cancelled=True)
    people = opted_in(event.id)
    report = dict(settings.plan_report or {})
    weights_by_key = report.get("weights", {})
    unmet = report.get("unmet", [])
    known = sides(
        [*people, *(m.a_registration_id for m in [*active, *removed])]
        + [m.b_registration_id for m in [*active, *removed]]
        + [u["registration"] for u in unmet]
    )
    planned = as_planned(active)
    length = slot_minutes(settings)

    def row(meeting: Meeting, free: list[Any]) -> MeetingRow:
        return MeetingRow(
            meeting=meeting,
            a=known[meeting.a_registration_id],
            b=known[meeting.b_registration_id],
            ends_at=meeting.starts_at + length,
            free=free,
            weight=float(
                weights_by_key.get(
                    _pair_key(meeting.a_registration_id, meeting.b_registration_id), 0
                )
            ),
        )

    by_id = {m.id: m for m in active}
    page.slots = slots
    busy = plan.busy_map(planned)
    page.rows = [
        (
            slot,
            [row(by_id[p.id], plan.free_slots(p, slots, (), blocked, busy=busy)) for p in group],
        )
        for slot, group in plan.grid(slots, planned)
    ]
    page.removed = [row(m, []) for m in removed]  # restored in their own slot, or not at all
    weights = {
        frozenset(int(x) for x in key.split("-")): float(w) for key, w in weights_by_key.items()
    }
    page.figures = plan.figures(planned, people, weights)
    page.without = [known[r] for r in page.figures.without if r in known]
    page.unmet = [
        UnmetRow(known[u["registration"]], int(u["meetings"]), int(u["target"]), str(u["reason"]))
        for u in unmet
        if u["registration"] in known
    ]
    page.report = report
    page.participants = len(people)
    return page


# --------------------------------------------------------------------------- changes


def _meeting(event_id: int, meeting_id: int) -> Meeting | None:
    meeting = db.session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.event_id == event_id else None


def meeting_of(event_id: int, meeting_id: int) -> Meeting | None:
    """A meeting of this event (None: not one of its meetings)."""
    return _meeting(event_id, meeting_id)


MOVE_MESSAGES = {
    plan.UNKNOWN_SLOT: _l("Dieses Zeitfenster gibt es nicht."),
    plan.SAME_SLOT: _l("Das Treffen liegt schon in diesem Zeitfenster."),
    plan.PERSON_BUSY: _l("Eine der beiden Personen hat in diesem Zeitfenster schon ein Treffen."),
    plan.PERSON_BLOCKED: _l(
        "Eine der beiden Personen ist in diesem Zeitfenster nicht frei (z. B. im Workshop)."
    ),
}


def move(event: Event, meeting: Meeting, target: dt.datetime) -> dt.datetime:
    """Move an active meeting to a slot free for both (returns the old slot). After
    publishing the two are told."""
    settings = settings_of(event.id)
    if settings is None or meeting.cancelled_at is not None:
        raise PlanProblem(_("Dieses Treffen ist entfernt. Stellen Sie es zuerst wieder her."))
    slots, blocked = _slots_and_blocked(event)
    problem = plan.move_problem(
        as_planned([meeting])[0], target, slots, as_planned(event_meetings(event.id)), blocked
    )
    if problem is not None:
        raise PlanProblem(str(MOVE_MESSAGES[problem]))
    old = meeting.starts_at
    meeting.starts_at = target
    meeting.reminded_at = None
    db.session.flush()
    _set_video_links(settings, [meeting])
    if settings.published_at is not None:
        _mail_change([meeting.a_registration_id, meeting.b_registration_id], event)
    return old


def remove(event: Event, meeting: Meeting, reason: str = REMOVED) -> bool:
    """Take a meeting out of the plan (it can be restored); False when it already was."""
    if meeting.cancelled_at is not None:
        return False
    meeting.cancelled_at = utcnow()
    meeting.cancelled_reason = reason
    db.session.flush()
    settings = settings_of(event.id)
    if settings is not None and settings.published_at is not None:
        _mail_change([meeting.a_registration_id, meeting.b_registration_id], event)
    return True


def restore(event: Event, meeting: Meeting) -> None:
    """Put a removed meeting back in its slot, when both are still free then."""
    if meeting.cancelled_at is None:
        raise PlanProblem(_("Dieses Treffen ist nicht entfernt."))
    if meeting.cancelled_reason == WITHDRAWN:
        raise PlanProblem(_("Eine der beiden Personen hat sich vom Austausch abgemeldet."))
    slots, blocked = _slots_and_blocked(event)
    planned = as_planned([meeting])[0]
    others = as_planned(event_meetings(event.id))
    for person in (planned.a, planned.b):
        if planned.slot in plan.busy_slots(others, person) or planned.slot in blocked.get(
            person, set()
        ):
            raise PlanProblem(
                _(
                    "Eine der beiden Personen hat in diesem Zeitfenster inzwischen ein anderes "
                    "Treffen oder ist dort nicht frei."
                )
            )
    meeting.cancelled_at = None
    meeting.cancelled_reason = None
    db.session.flush()
    settings = settings_of(event.id)
    if settings is not None:
        _set_video_links(settings, [meeting])
        if settings.published_at is not None:
            _mail_change([meeting.a_registration_id, meeting.b_registration_id], event)


@dataclass(frozen=True)
class Published:
    """What publishing did (None from `publish`: it was already published)."""

    meetings: int
    mailed: int


def publish(event: Event) -> Published | None:
    """Publish the plan: participants see it, each one with meetings gets a mail with all
    of them (and the ICS). Publishing again does nothing (None)."""
    settings = settings_of(event.id)
    if settings is None or not settings.enabled:
        raise PlanProblem(_("Für diese Veranstaltung ist der Praxisaustausch nicht eingeschaltet."))
    if settings.published_at is not None:
        return None
    active = event_meetings(event.id)
    if not active:
        raise PlanProblem(_("Der Plan hat noch keine Treffen: Bitte berechnen Sie ihn zuerst."))
    settings.published_at = utcnow()
    db.session.flush()
    people = sorted({r for m in active for r in (m.a_registration_id, m.b_registration_id)})
    mailed = sum(
        _mail_schedule(
            r, event, "matchmaking_schedule.txt", _l("Ihre Treffen: %(t)s", t=event.title)
        )
        for r in people
    )
    return Published(len(active), mailed)


# --------------------------------------------------------------------------- a participant


@dataclass(frozen=True)
class ScheduleItem:
    """One meeting of a participant's personal schedule."""

    meeting: Meeting
    starts_at: dt.datetime
    ends_at: dt.datetime
    partner: Side
    reasons: list[Any]
    video_url: str | None
    my_rating: int | None
    started: bool


def personal_schedule(registration: Registration, *, cancelled: bool = False) -> list[ScheduleItem]:
    """The published meetings of a participant in time order (none before publishing)."""
    settings = settings_of(registration.event_id)
    if settings is None or settings.published_at is None:
        return []
    query = select(Meeting).where(
        Meeting.event_id == registration.event_id,
        or_(
            Meeting.a_registration_id == registration.id,
            Meeting.b_registration_id == registration.id,
        ),
    )
    if not cancelled:
        query = query.where(Meeting.cancelled_at.is_(None))
    meetings = list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))
    partner_ids = [
        m.b_registration_id if m.a_registration_id == registration.id else m.a_registration_id
        for m in meetings
    ]
    known = sides(partner_ids)
    length = slot_minutes(settings)
    now = utcnow()
    return [
        ScheduleItem(
            meeting=m,
            starts_at=m.starts_at,
            ends_at=m.starts_at + length,
            partner=known[partner],
            reasons=list(m.reasons or []),
            video_url=m.video_url,
            my_rating=m.rating_a if m.a_registration_id == registration.id else m.rating_b,
            started=m.starts_at <= now,
        )
        for m, partner in zip(meetings, partner_ids, strict=True)
        if partner in known
    ]


def _summary(item: ScheduleItem) -> str:
    return _("1:1-Treffen mit %(name)s", name=item.partner.name)


def _description(item: ScheduleItem, event: Event, reason_text: Any) -> str:
    lines = [event.title]
    if item.partner.organisation:
        lines.append(item.partner.organisation)
    for reason in item.reasons:
        lines.append("– " + reason_text(reason))
    if item.video_url:
        lines.append(_("Videolink: %(url)s", url=item.video_url))
    return "\n".join(lines)


def schedule_calendar(registration: Registration, event: Event) -> str:
    """The participant's meetings as an iCalendar file (cancelled ones as CANCELLED, so a
    calendar that imported them before drops them)."""
    from crm.matchmaking.plan_wording import reason_text

    entries = [
        TimedEntry(
            uid=f"meeting-{item.meeting.id}-{registration.id}",
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            summary=_summary(item),
            description=_description(item, event, reason_text),
            location=item.video_url or event.venue,
            url=item.video_url,
            sequence=int(item.meeting.updated_at.timestamp()) if item.meeting.updated_at else 0,
            modified=item.meeting.updated_at,
            cancelled=item.meeting.cancelled_at is not None,
        )
        for item in personal_schedule(registration, cancelled=True)
    ]
    return entries_calendar(entries, name=_("Meine Treffen: %(t)s", t=event.title))


def _mail_schedule(
    registration_id: int, event: Event, template: str, subject: Any, **context: Any
) -> int:
    """Mail a participant their schedule (with the ICS) in their language; 1 if queued."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.person_id is None:
        return 0
    person = db.session.get(Person, registration.person_id)
    if person is None or not person.email:
        return 0
    from crm.matchmaking.plan_wording import reason_text

    with in_language(registration.language, person.preferred_language):
        items = personal_schedule(registration)
        body = render_template(
            f"mail/{template}",
            event=event,
            person=person,
            items=items,
            reason_text=reason_text,
            **context,
        )
        calendar = schedule_calendar(registration, event)
        queue_mail(person.email, str(subject), body, ics=calendar)
    return 1


def _mail_change(registration_ids: Iterable[int], event: Event) -> int:
    subject = _l("Ihre Treffen wurden geändert: %(t)s", t=event.title)
    return sum(
        _mail_schedule(r, event, "matchmaking_changed.txt", subject)
        for r in sorted(set(registration_ids))
    )


# --------------------------------------------------------------------------- feedback


def _side_of(meeting: Meeting, registration: Registration) -> str | None:
    if meeting.a_registration_id == registration.id:
        return "a"
    if meeting.b_registration_id == registration.id:
        return "b"
    return None


def participant_meeting(registration: Registration, meeting_id: int) -> Meeting | None:
    """A published, active meeting of this participant (None: not theirs, or not yet out)."""
    settings = settings_of(registration.event_id)
    meeting = db.session.get(Meeting, meeting_id)
    if (
        settings is None
        or settings.published_at is None
        or meeting is None
        or meeting.event_id != registration.event_id
        or meeting.cancelled_at is not None
        or _side_of(meeting, registration) is None
    ):
        return None
    return meeting


def record_feedback(
    registration: Registration, meeting: Meeting, held: bool, rating: int | None
) -> bool:
    """Mark a meeting held or not and rate it (1–5, only when held); a held meeting becomes
    an interaction of both persons, once. Returns whether anything changed."""
    side = _side_of(meeting, registration)
    if side is None:
        return False
    rating = rating if held else None
    attribute = "rating_a" if side == "a" else "rating_b"
    changed = meeting.held is not held or getattr(meeting, attribute) != rating
    meeting.held = held
    setattr(meeting, attribute, rating)
    if held:
        before = meeting.interaction_id
        met_interaction(meeting)
        changed |= meeting.interaction_id != before
    elif meeting.interaction_id is not None:
        interaction = db.session.get(Interaction, meeting.interaction_id)
        meeting.interaction_id = None
        if interaction is not None:
            db.session.delete(interaction)
        changed = True
    db.session.flush()
    return changed


def met_interaction(meeting: Meeting) -> Interaction | None:
    """The interaction "Getroffen beim …" of a held meeting, created once (in the office's
    language, as staff read the records); None when neither person is left."""
    if meeting.interaction_id is not None:
        existing = db.session.get(Interaction, meeting.interaction_id)
        if existing is not None:
            return existing
    person_ids = list(
        db.session.scalars(
            select(Registration.person_id).where(
                Registration.id.in_((meeting.a_registration_id, meeting.b_registration_id)),
                Registration.person_id.is_not(None),
            )
        )
    )
    persons = list(db.session.scalars(select(Person).where(Person.id.in_(person_ids))))
    if not persons:
        return None
    event = db.session.get_one(Event, meeting.event_id)
    from crm.matchmaking.plan_wording import reason_text

    with force_locale(str(current_app.config["BABEL_DEFAULT_LOCALE"])):
        subject = _("Getroffen beim %(t)s", t=event.title)
        notes = "\n".join(
            [_("1:1-Treffen im Praxisaustausch.")]
            + ["– " + reason_text(r) for r in meeting.reasons or []]
        )
    interaction = Interaction(
        kind=InteractionKind.MEETING,
        occurred_at=meeting.starts_at,
        subject=subject[:200],
        notes=notes,
        persons=persons,
    )
    db.session.add(interaction)
    db.session.flush()
    meeting.interaction_id = interaction.id
    return interaction


# --------------------------------------------------------------------------- reminders


def reminders_due(now: dt.datetime | None = None) -> list[int]:
    """Published, active meetings (ids) starting within MATCHMAKING_REMINDER_MINUTES that
    were not reminded yet."""
    now = now or utcnow()
    ahead = dt.timedelta(minutes=int(current_app.config.get("MATCHMAKING_REMINDER_MINUTES", 30)))
    return list(
        db.session.scalars(
            select(Meeting.id)
            .join(MatchmakingSettings, MatchmakingSettings.event_id == Meeting.event_id)
            .where(
                MatchmakingSettings.published_at.is_not(None),
                Meeting.cancelled_at.is_(None),
                Meeting.reminded_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + ahead,
            )
            .order_by(Meeting.id)
        )
    )


def remind(meeting_id: int) -> int:
    """Mail both participants of a meeting a reminder, once (marks it; the caller
    commits). Returns the number of mails queued."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.reminded_at is not None or meeting.cancelled_at is not None:
        return 0
    meeting.reminded_at = utcnow()
    event = db.session.get_one(Event, meeting.event_id)
    subject = _l("Gleich: Ihr 1:1-Treffen bei %(t)s", t=event.title)
    return sum(
        _mail_schedule(r, event, "matchmaking_reminder.txt", subject, upcoming=meeting)
        for r in (meeting.a_registration_id, meeting.b_registration_id)
    )


# --------------------------------------------------------------------------- withdrawal


def withdraw(registration: Registration) -> bool:
    """Take the registration out of the exchange (`services.withdraw`) and cancel its
    planned meetings (the partners are told once the plan is published).
    False when it was not in."""
    if not services.withdraw(registration):
        return False
    cancel_meetings_of(registration)
    db.session.flush()
    return True


def cancel_meetings_of(registration: Registration) -> int:
    """Cancel the active meetings of a participant who withdraws from the exchange; after
    publishing their partners are told by mail. Returns how many were cancelled."""
    meetings = list(
        db.session.scalars(
            select(Meeting).where(
                Meeting.event_id == registration.event_id,
                Meeting.cancelled_at.is_(None),
                or_(
                    Meeting.a_registration_id == registration.id,
                    Meeting.b_registration_id == registration.id,
                ),
            )
        )
    )
    if not meetings:
        return 0
    now = utcnow()
    for meeting in meetings:
        meeting.cancelled_at = now
        meeting.cancelled_reason = WITHDRAWN
    db.session.flush()
    settings = settings_of(registration.event_id)
    if settings is not None and settings.published_at is not None:
        event = db.session.get_one(Event, registration.event_id)
        partners = [
            m.b_registration_id if m.a_registration_id == registration.id else m.a_registration_id
            for m in meetings
        ]
        subject = _l("Ein Treffen entfällt: %(t)s", t=event.title)
        for partner in sorted(set(partners)):
            _mail_schedule(partner, event, "matchmaking_partner_withdrew.txt", subject)
    return len(meetings)


__all__ = [
    "MOVE_MESSAGES",
    "SETTINGS_CHANGED",
    "PlanProblem",
    "cancel_meetings_of",
    "compute",
    "move",
    "personal_schedule",
    "plan_page",
    "publish",
    "record_feedback",
    "remind",
    "reminders_due",
    "remove",
    "restore",
    "schedule_calendar",
    "settings_of",
    "withdraw",
]
