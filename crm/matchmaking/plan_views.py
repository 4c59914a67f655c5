"""Pages of the meeting plan: "Treffen planen" for staff (under /events/<id>/meetings/plan)
and, through the personal link, a participant's calendar file and feedback."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.events import queries as event_queries
from crm.extensions import db
from crm.matchmaking import plan_tasks
from crm.matchmaking import planning
from crm.matchmaking.plan_wording import reason_text
from crm.matchmaking.plan_wording import unmet_text
from crm.models import Event
from crm.models import Registration
from crm.web.i18n import format_moment

bp = Blueprint("meeting_plan", __name__, url_prefix="/events")
personal_bp = Blueprint("meeting_schedule", __name__)


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_plan_meetings(current_user):
        abort(403)


def _event(event_id: int) -> Event:
    return event_queries.event_detail(event_id) or abort(404)


def _back(event: Event, anchor: str = "") -> Response:
    return redirect(url_for("meeting_plan.plan", event_id=event.id) + anchor)


def _problem(event: Event, problem: planning.PlanProblem | StaleDataError) -> Response:
    """Nothing written; the reason for staff (the settings saved meanwhile: try again)."""
    db.session.rollback()
    if isinstance(problem, planning.PlanProblem):
        flash(problem.message, "error")
    else:
        flash(str(planning.SETTINGS_CHANGED), "error")
    return _back(event)


@bp.get("/<int:event_id>/meetings/plan")
def plan(event_id: int) -> str:
    """The plan as a grid of slots × meetings, its figures, and the buttons."""
    event = _event(event_id)
    running, problem = plan_tasks.PLAN.state(event.id)
    if problem:
        flash(problem, "error")
    return render_template(
        "matchmaking/plan.html",
        event=event,
        page=planning.plan_page(event),
        running=running,
        unmet_text=unmet_text,
        reason_text=reason_text,
    )


@bp.post("/<int:event_id>/meetings/plan/compute")
def compute(event_id: int) -> Response:
    """Compute the draft (a large exchange: in the background)."""
    event = _event(event_id)
    if plan_tasks.runs_as_job(event.id):
        if not plan_tasks.PLAN.state(event.id)[0]:
            plan_tasks.start_plan(event.id)
        flash(_("Der Plan wird im Hintergrund berechnet."), "info")
        return _back(event)
    try:
        result = planning.compute(event)
        db.session.commit()
    except (planning.PlanProblem, StaleDataError) as problem:
        return _problem(event, problem)
    flash(
        _(
            "Der Plan wurde berechnet: %(m)s Treffen. Noch ist nichts veröffentlicht.",
            m=result.meetings,
        ),
        "success",
    )
    return _back(event)


def _meeting(event: Event, meeting_id: int) -> planning.Meeting:
    return planning.meeting_of(event.id, meeting_id) or abort(404)


def _slot(raw: str | None) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


@bp.post("/<int:event_id>/meetings/plan/<int:meeting_id>/move")
def move(event_id: int, meeting_id: int) -> Response:
    """Move a meeting to another slot free for both."""
    event = _event(event_id)
    meeting = _meeting(event, meeting_id)
    target = _slot(request.form.get("slot"))
    if target is None:
        flash(_("Bitte wählen Sie ein Zeitfenster."), "error")
        return _back(event)
    try:
        planning.move(event, meeting, target)
    except planning.PlanProblem as problem:
        return _problem(event, problem)
    db.session.commit()
    flash(_("Das Treffen wurde verschoben."), "success")
    return _back(event, f"#meeting-{meeting.id}")


@bp.route("/<int:event_id>/meetings/plan/<int:meeting_id>/remove", methods=["GET", "POST"])
def remove(event_id: int, meeting_id: int) -> Response | str:
    """Ask first (GET), then take a meeting out of the plan (POST); it can be restored."""
    event = _event(event_id)
    meeting = _meeting(event, meeting_id)
    if request.method == "POST":
        if planning.remove(event, meeting):
            db.session.commit()
            flash(_("Das Treffen wurde entfernt. Sie können es wiederherstellen."), "success")
        else:
            flash(_("Dieses Treffen war schon entfernt."), "info")
        return _back(event, "#removed-h")
    names = planning.sides([meeting.a_registration_id, meeting.b_registration_id])
    settings = planning.settings_of(event.id)
    published = settings is not None and settings.published_at is not None
    return render_template(
        "confirm.html",
        heading=_("Treffen wirklich entfernen?"),
        rows=[
            (_("Zeit"), format_moment(meeting.starts_at)),
            (_("Teilnehmende"), " – ".join(s.name for s in names.values())),
        ],
        text=_("Beide erhalten eine E-Mail mit ihrem geänderten Plan.")
        if published
        else _("Der Plan ist noch nicht veröffentlicht; niemand wird benachrichtigt."),
        button=_("Entfernen"),
        back=url_for("meeting_plan.plan", event_id=event.id),
        blocked=meeting.cancelled_at is not None,
        audited=False,
    )


@bp.post("/<int:event_id>/meetings/plan/<int:meeting_id>/restore")
def restore(event_id: int, meeting_id: int) -> Response:
    """Put a removed meeting back (the undo of remove)."""
    event = _event(event_id)
    meeting = _meeting(event, meeting_id)
    try:
        planning.restore(event, meeting)
    except planning.PlanProblem as problem:
        return _problem(event, problem)
    db.session.commit()
    flash(_("Das Treffen ist wieder im Plan."), "success")
    return _back(event, f"#meeting-{meeting.id}")


@bp.route("/<int:event_id>/meetings/plan/publish", methods=["GET", "POST"])
def publish(event_id: int) -> Response | str:
    """Ask first (GET), then publish the plan and mail everyone their meetings (POST)."""
    event = _event(event_id)
    settings = planning.settings_of(event.id)
    already = settings is not None and settings.published_at is not None
    if request.method == "POST":
        try:
            result = planning.publish(event)
            db.session.commit()
        except (planning.PlanProblem, StaleDataError) as problem:
            return _problem(event, problem)
        if result is None:
            flash(_("Der Plan war schon veröffentlicht. Es wurde nichts geändert."), "info")
            return _back(event)
        flash(
            _(
                "Veröffentlicht: %(n)s Treffen, %(m)s E-Mails im Postausgang.",
                n=result.meetings,
                m=result.mailed,
            ),
            "success",
        )
        return _back(event)
    count = len(planning.event_meetings(event.id))
    return render_template(
        "confirm.html",
        heading=_("Plan wirklich veröffentlichen?"),
        rows=[(_("Veranstaltung"), event.title), (_("Treffen"), count)],
        text=_("Der Plan war schon veröffentlicht.")
        if already
        else _(
            "Alle Teilnehmenden sehen danach ihre Treffen auf ihrer persönlichen Seite und "
            "erhalten eine E-Mail mit Kalenderdatei. Einzelne Treffen können Sie danach noch "
            "verschieben oder entfernen; die Betroffenen werden dann benachrichtigt."
        ),
        button=_("Veröffentlichen"),
        back=url_for("meeting_plan.plan", event_id=event.id),
        blocked=already or not count,
        audited=False,
    )


# --------------------------------------------------------------------------- personal link


def _by_token(token: str) -> Registration:
    registration = event_queries.registration_by_token(token)
    if registration is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    return registration


@personal_bp.get("/anmeldung/<token>/meetings.ics")
@public
def ics(token: str) -> Response:
    """All published meetings of the participant as an iCalendar file."""
    registration = _by_token(token)
    event = db.session.get_one(Event, registration.event_id)
    response = Response(planning.schedule_calendar(registration, event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="treffen-{event.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _rating(raw: str | None) -> int | None | bool:
    """1–5, None for no rating, False for anything else."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 5:
        return int(raw)
    return False


@personal_bp.post("/anmeldung/<token>/meetings/<int:meeting_id>/feedback")
@public
def feedback(token: str, meeting_id: int) -> Response:
    """The participant marks a meeting held or not and rates it (after it began)."""
    registration = _by_token(token)
    back = url_for("event_public.personal", token=token) + "#meetings-h"
    meeting = planning.participant_meeting(registration, meeting_id)
    if meeting is None:
        abort(404)
    held = request.form.get("held")
    rating = _rating(request.form.get("rating"))
    if held not in ("yes", "no") or rating is False:
        flash(
            _("Bitte geben Sie an, ob das Treffen stattfand, und eine Bewertung von 1 bis 5."),
            "error",
        )
        return redirect(back)
    if meeting.starts_at > planning.utcnow():
        flash(_("Eine Rückmeldung ist erst ab Beginn des Treffens möglich."), "error")
        return redirect(back)
    rating_value = rating if isinstance(rating, int) and not isinstance(rating, bool) else None
    if planning.record_feedback(registration, meeting, held == "yes", rating_value):
        db.session.commit()
        flash(_("Danke für Ihre Rückmeldung."), "success")
    else:
        flash(_("Ihre Rückmeldung ist unverändert."), "info")
    return redirect(back)


@personal_bp.app_template_global("meeting_schedule")
def meeting_schedule(registration: Registration) -> list[planning.ScheduleItem]:
    """The published meetings of a registration (for its personal page)."""
    return planning.personal_schedule(registration)


personal_bp.add_app_template_global(reason_text, "meeting_reason_text")
