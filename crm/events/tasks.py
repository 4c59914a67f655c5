"""Event reminders the day before (once per registration, through the outbox), and the
workshop assignment of large events."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.events import services
from crm.extensions import db
from crm.jobs import crontab
from crm.jobs import job
from crm.jobs import periodic_job
from crm.jobs.tracked import Tracked
from crm.models import Event
from crm.models import Registration

BERLIN = ZoneInfo("Europe/Berlin")


def send_reminders(day: dt.date | None = None) -> int:
    """Queue a reminder for every registration of an event starting on `day` (default:
    tomorrow in Berlin); each is marked, so a second run sends none again."""
    if day is None:
        day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=1)
    queued = 0
    for registration_id in services.reminders_due(day):
        with writing():
            if services.remind(registration_id):
                queued += 1
            db.session.commit()  # one registration, its mark and its mail together
    return queued


@periodic_job(crontab(hour="8", minute="0"))
def event_reminders() -> str:
    """The reminders for tomorrow's events (every morning)."""
    return f"{send_reminders()} Erinnerungen"


# ----------------------------------------------------------------- large assignments


#: The computation of a large event's draft, which the assignment page follows.
ASSIGNMENT = Tracked("assignment")


def participant_count(event_id: int) -> int:
    """Participating registrations of an event (what the assignment has to place)."""
    return int(
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == event_id,
                Registration.status.in_(services.PARTICIPATING),
            )
        )
        or 0
    )


def runs_as_job(event_id: int) -> bool:
    """More participants than ASSIGNMENT_JOB_THRESHOLD: the worker computes the draft."""
    return participant_count(event_id) > int(current_app.config["ASSIGNMENT_JOB_THRESHOLD"])


def start_assignment(event_id: int, mix: list[str]) -> None:
    """Queue the computation of a draft; the page shows it running until it is done."""
    ASSIGNMENT.start(event_id, compute_assignment.s(event_id, list(mix)))


@job()
def compute_assignment(event_id: int, mix: list[str]) -> str:
    """Compute the draft of a large event (safe to run twice: it recomputes the draft)."""
    from crm.events.assignment_service import AssignmentProblem
    from crm.events.assignment_service import run_draft

    with ASSIGNMENT.running(event_id), writing():
        event = db.session.get(Event, event_id)
        if event is None:
            return "Veranstaltung gibt es nicht mehr"
        try:
            draft = run_draft(event, mix)
        except AssignmentProblem as problem:
            db.session.rollback()
            ASSIGNMENT.report(event_id, problem.message)
            return problem.message
        db.session.commit()
        return f"{len(draft.placements)} Plätze berechnet"
