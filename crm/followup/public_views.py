"""The participant's follow-up page behind the personal link: the materials of the event
and of their workshop, and the short feedback form (no login, no tracking)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm.accounts.session import public
from crm.events import queries as event_queries
from crm.extensions import db
from crm.followup import services
from crm.followup.forms import FeedbackForm
from crm.followup.views import material_download
from crm.models import Event
from crm.models import Registration

bp = Blueprint("followup_public", __name__)


def _by_token(token: str) -> tuple[Registration, Event]:
    registration = event_queries.registration_by_token(token)
    if registration is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    event = event_queries.event_detail(registration.event_id)
    if event is None:  # pragma: no cover - a registration always has its event
        abort(404)
    return registration, event


@bp.app_template_global()
def followup_ready(event: Event, registration: Registration) -> bool:
    """Show the link to the follow-up page on the personal page?"""
    return services.has_begun(event) and services.is_participant(registration)


@bp.route("/anmeldung/<token>/nachbereitung", methods=["GET", "POST"])
@public
def page(token: str) -> Response | str:
    """Materials and the feedback form of one participant."""
    registration, event = _by_token(token)
    if not followup_ready(event, registration):
        flash(_("Unterlagen und Rückmeldung gibt es nach Beginn der Veranstaltung."), "info")
        return redirect(url_for("event_public.personal", token=token))
    answer = services.feedback_of(registration.id)
    is_open = services.feedback_open(event, registration)
    form = FeedbackForm()
    if request.method == "GET" and answer is not None:
        form.overall.data = str(answer.overall)
        form.workshop_rating.data = str(answer.workshop_rating or "") or None
        form.comment.data = answer.comment or ""
    if request.method == "POST":
        if not is_open:
            flash(_("Rückmeldungen sind nicht mehr möglich."), "error")
            return redirect(url_for("followup_public.page", token=token))
        if form.validate():
            changed = services.save_feedback(
                registration,
                int(form.overall.data or 0),
                int(form.workshop_rating.data) if form.workshop_rating.data else None,
                form.comment.data,
            )
            if changed:
                db.session.commit()
                flash(_("Vielen Dank für Ihre Rückmeldung!"), "success")
            else:
                flash(_("Ihre Rückmeldung ist unverändert."), "info")
            return redirect(url_for("followup_public.page", token=token))
    workshop = next((w for w in event.workshops if w.id == registration.assigned_workshop_id), None)
    if workshop is not None:
        form.workshop_rating.label.text = _(
            "Wie bewerten Sie Ihren Workshop „%(t)s“?", t=workshop.title
        )
    return render_template(
        "followup/public_page.html",
        event=event,
        registration=registration,
        workshop=workshop,
        materials=services.materials_for(registration),
        form=form,
        token=token,
        answer=answer,
        is_open=is_open,
        closes=services.settings(event).feedback_closes_on,
    )


@bp.get("/anmeldung/<token>/unterlagen/<int:material_id>")
@public
def material(token: str, material_id: int) -> Response:
    """A material file for a participant: only the event's or their own workshop's."""
    registration, event = _by_token(token)
    if not followup_ready(event, registration):
        abort(404)
    item = next((m for m in services.materials_for(registration) if m.id == material_id), None)
    if item is None:
        abort(404)
    return material_download(item)
