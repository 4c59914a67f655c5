"""Staff pages of the workshop assignment (under /events/<id>/assignment): run a draft,
move and release participants, publish. Registered on the `events` blueprint, which
already requires `permissions.can_manage_events`."""

from __future__ import annotations

from collections.abc import Hashable

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm import permissions
from crm.db.datastamp import data_stamp
from crm.events import assignment_service as service
from crm.events import queries
from crm.events import tasks
from crm.events.blueprint import bp
from crm.extensions import db
from crm.models import Event
from crm.models import Person
from crm.models import Registration
from crm.models import Workshop
from crm.web.fragments import fragment
from crm.web.locks import refuse_locked


def _event(event_id: int) -> Event:
    if not permissions.can_manage_events(current_user):  # also checked by the blueprint
        abort(403)
    return queries.event_detail(event_id) or abort(404)


def _back(event: Event, anchor: str = "") -> Response:
    return redirect(url_for("events.assignment", event_id=event.id) + anchor)


def _problem(event: Event, problem: service.AssignmentProblem) -> Response:
    db.session.rollback()
    flash(problem.message, "error")
    return _back(event)


@bp.get("/<int:event_id>/assignment")
def assignment(event_id: int) -> str:
    """The draft of the workshop assignment with its metrics, or the form to compute one."""
    if not permissions.can_manage_events(current_user):  # also checked by the blueprint
        abort(403)
    event = queries.event_view(event_id) or abort(404)
    running, problem = tasks.ASSIGNMENT.state(event.id)
    if problem:
        flash(problem, "error")
    version = queries.registrations_version(event.id)
    page = service.draft_page(event, version)
    return render_template(
        "events/assignment.html",
        event=event,
        page=page,
        running=running,
        figures_html=figures_html(event.id, page, version) if page.has_draft else "",
    )


def figures_html(event_id: int, page: service.DraftPage, version: Hashable) -> Markup:
    """The draft's metrics and the event's mix of organisation types, rendered once per
    version of the draft page (`service.draft_page`) and kept per language: the same for
    all staff, and a fifth of the page's cost (formatted figures, the stacked bars)."""

    def render() -> str:
        return render_template("events/_assignment_figures.html", page=page)

    return fragment("assignment-figures", event_id, (data_stamp(), version), render)


@bp.post("/<int:event_id>/assignment/run")
def assignment_run(event_id: int) -> Response:
    """Compute a new draft with the chosen mix; manual placements stay. A large event
    (more than ASSIGNMENT_JOB_THRESHOLD participants) is computed by the worker."""
    event = _event(event_id)
    if tasks.runs_as_job(event.id):
        if not tasks.ASSIGNMENT.state(event.id)[0]:
            tasks.start_assignment(event.id, request.form.getlist("mix"))
        flash(_("Die Zuteilung wird im Hintergrund berechnet."), "info")
        return _back(event)
    try:
        draft = service.run_draft(event, request.form.getlist("mix"))
    except service.AssignmentProblem as problem:
        return _problem(event, problem)
    db.session.commit()
    unplaced = sum(1 for w in draft.placements.values() if w is None)
    flash(_("Der Entwurf wurde berechnet. Noch ist nichts veröffentlicht."), "success")
    if unplaced:
        flash(_("%(n)s Personen haben keinen Workshopplatz bekommen.", n=unplaced), "warning")
    return _back(event)


def _registration(event: Event, registration_id: int) -> Registration:
    """A registration of this event (else 404); a locked person's (Art. 18 GDPR) is not
    moved or released: back with why."""
    item = queries.registration(event.id, registration_id) or abort(404)
    person = db.session.get(Person, item.person_id) if item.person_id is not None else None
    refuse_locked(person, url_for("events.assignment", event_id=event.id))
    return item


@bp.post("/<int:event_id>/assignment/<int:registration_id>/move")
def assignment_move(event_id: int, registration_id: int) -> Response:
    """Put a participant into another workshop of this event; the placement becomes fixed."""
    event = _event(event_id)
    item = _registration(event, registration_id)
    raw = (request.form.get("workshop_id") or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        abort(400)
    target = db.session.get(Workshop, int(raw))
    if target is None or target.event_id != event.id:
        abort(404)
    try:
        service.move(event, item, target)
    except service.AssignmentProblem as problem:
        return _problem(event, problem)
    db.session.commit()
    person = db.session.get_one(Person, item.person_id)
    flash(_("%(n)s ist jetzt fest in „%(t)s“.", n=person.full_name, t=target.title), "success")
    return _back(event, f"#ws-{target.id}")


@bp.post("/<int:event_id>/assignment/<int:registration_id>/release")
def assignment_release(event_id: int, registration_id: int) -> Response:
    """Release a manual placement: the next run may move the person again."""
    event = _event(event_id)
    item = _registration(event, registration_id)
    if service.release(event, item):
        db.session.commit()
        flash(_("Die feste Zuordnung wurde gelöst."), "success")
    else:
        flash(_("Diese Person war nicht fest zugeordnet."), "info")
    return _back(event)


@bp.post("/<int:event_id>/assignment/publish")
def assignment_publish(event_id: int) -> Response:
    """Make the draft the assignment and mail every participant whose workshop changed."""
    event = _event(event_id)
    try:
        result = service.publish(event)
    except service.AssignmentProblem as problem:
        return _problem(event, problem)
    db.session.commit()
    flash(
        _(
            "Veröffentlicht: %(a)s Personen zugeteilt, %(m)s E-Mails im Postausgang.",
            a=result.assigned,
            m=result.mailed,
        ),
        "success",
    )
    if result.unassigned:
        names = ", ".join(result.unassigned)
        flash(
            _(
                "Ohne Workshopplatz (%(n)s): %(names)s. Bitte klären Sie diese Fälle von Hand.",
                n=len(result.unassigned),
                names=names,
            ),
            "warning",
        )
    return redirect(url_for("events.workshop_lists", event_id=event.id))
