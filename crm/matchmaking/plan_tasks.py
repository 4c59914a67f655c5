"""Background work of the meeting plan: computing a large plan, and the reminders shortly
before each meeting (a periodic job; each meeting is reminded once)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import crontab
from crm.jobs import huey
from crm.jobs import job
from crm.jobs import periodic_job
from crm.matchmaking import planning
from crm.models import Event
from crm.models import JobRun
from crm.models import JobRunStatus


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


def _running_key(event_id: int) -> str:
    return f"meeting-plan-running:{event_id}"


def _problem_key(event_id: int) -> str:
    return f"meeting-plan-problem:{event_id}"


def runs_as_job(event_id: int) -> bool:
    """More opted-in participants than MATCHMAKING_JOB_THRESHOLD: the worker plans."""
    threshold = int(current_app.config.get("MATCHMAKING_JOB_THRESHOLD", 150))
    return len(planning.opted_in(event_id)) > threshold


def start_plan(event_id: int) -> None:
    """Queue the computation; the page shows it running until it is done."""
    task = compute_plan.s(event_id)
    huey.put(_running_key(event_id), task.id)
    huey.enqueue(task)


def plan_state(event_id: int) -> tuple[bool, str | None]:
    """(a computation is queued or running, the problem of the last one if it failed)."""
    problem = huey.get(_problem_key(event_id))  # read once: shown once
    task_id = huey.get(_running_key(event_id), peek=True)
    if task_id is None:
        return False, problem
    run = db.session.scalar(
        select(JobRun).where(JobRun.task_id == str(task_id)).order_by(JobRun.id.desc()).limit(1)
    )
    if run is not None and run.status in (JobRunStatus.FAILED, JobRunStatus.INTERRUPTED):
        huey.delete(_running_key(event_id))
        return False, _("Die Berechnung wurde abgebrochen. Bitte starten Sie sie erneut.")
    return True, problem


@job()
def compute_plan(event_id: int) -> str:
    """Compute the plan of an event (safe to run twice: it recomputes the draft)."""
    try:
        with writing():
            event = db.session.get(Event, event_id)
            if event is None:
                return "Veranstaltung gibt es nicht mehr"
            try:
                result = planning.compute(event)
            except planning.PlanProblem as problem:
                db.session.rollback()
                huey.put(_problem_key(event_id), problem.message)
                return problem.message
            db.session.commit()
            return f"{result.meetings} Treffen geplant"
    except Exception:
        huey.put(_problem_key(event_id), _("Die Berechnung ist fehlgeschlagen."))
        raise
    finally:
        huey.delete(_running_key(event_id))
