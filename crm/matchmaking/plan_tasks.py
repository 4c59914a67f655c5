"""Background work of the meeting plan: computing a large plan, and the reminders shortly
before each meeting (a periodic job; each meeting is reminded once)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import crontab
from crm.jobs import job
from crm.jobs import periodic_job
from crm.jobs.tracked import Tracked
from crm.matchmaking import planning
from crm.models import Event


def send_meeting_reminders() -> int:
    """Queue the reminders of the meetings about to begin; each meeting once (a second
    run sends none again). Returns the number of mails queued."""
    queued = 0
    for meeting_id in planning.reminders_due():
        with writing():
            queued += planning.remind(meeting_id)
            db.session.commit()  # one meeting, its mark and its mails together
    return queued


@periodic_job(crontab(minute="*/5"))
def meeting_reminders() -> str:
    """The reminders of the 1:1 meetings of the next minutes (every five minutes)."""
    return f"{send_meeting_reminders()} Erinnerungen an Treffen"


#: The computation of a large plan, which the plan page follows.
PLAN = Tracked("meeting-plan")


def runs_as_job(event_id: int) -> bool:
    """More opted-in participants than MATCHMAKING_JOB_THRESHOLD: the worker plans."""
    threshold = int(current_app.config.get("MATCHMAKING_JOB_THRESHOLD", 150))
    return len(planning.opted_in(event_id)) > threshold


def start_plan(event_id: int) -> None:
    """Queue the computation; the page shows it running until it is done."""
    PLAN.start(event_id, compute_plan.s(event_id))


@job()
def compute_plan(event_id: int) -> str:
    """Compute the plan of an event (safe to run twice: it recomputes the draft)."""
    with PLAN.running(event_id), writing():
        event = db.session.get(Event, event_id)
        if event is None:
            return "Veranstaltung gibt es nicht mehr"
        try:
            result = planning.compute(event)
            db.session.commit()
        except (planning.PlanProblem, StaleDataError) as problem:
            db.session.rollback()
            message = (
                problem.message
                if isinstance(problem, planning.PlanProblem)
                else str(planning.SETTINGS_CHANGED)
            )
            PLAN.report(event_id, message)
            return message
        return f"{result.meetings} Treffen geplant"
