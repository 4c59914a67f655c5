"""Public pages of events (no login): the registration form, the personal link
(see, change wishes, cancel) and the calendar file."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm.accounts.session import public
from crm.events import queries
from crm.events import services
from crm.events.forms import PreferenceForm
from crm.events.forms import RegistrationForm
from crm.events.rooms import room_links
from crm.extensions import db
from crm.extensions import limiter
from crm.formats.ics import event_calendar
from crm.invitations import services as invitations
from crm.matchmaking import services as matchmaking
from crm.models import Event
from crm.models import Registration

bp = Blueprint("event_public", __name__)

DEFAULT_RATE_LIMIT = "10 per minute"


def registration_rate_limit() -> str:
    """Submissions per IP address (config EVENT_REGISTRATION_RATE_LIMIT)."""
    return str(current_app.config.get("EVENT_REGISTRATION_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def _public_event(event_id: int) -> Event:
    return queries.public_event(event_id) or abort(404)


def _registration_form(event: Event) -> RegistrationForm:
    form = RegistrationForm()
    form.initiative.choices = queries.initiative_choices()
    for field in form.preference_fields():
        field.choices = queries.workshop_choices(event)
    return form


def registration_input(form: RegistrationForm) -> services.RegistrationInput:
    """What a validated registration form registers (the public page and the API)."""
    return services.RegistrationInput(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=(form.email.data or "").strip().lower(),
        organisation=form.organisation.data,
        initiative_id=form.initiative_id(),
        function=form.function.data,
        workshop_ids=form.workshop_ids(),
        newsletter=bool(form.consent_newsletter.data),
        photos=bool(form.consent_photos.data),
        participant_list=bool(form.consent_participant_list.data),
    )


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@public
@limiter.limit(registration_rate_limit, methods=["POST"])
def register(event_id: int) -> Response | str:
    """The programme, the workshops and the registration form."""
    event = _public_event(event_id)
    problem = services.registration_problem(event)
    form = _registration_form(event)
    matchmaking_open = matchmaking.wishes_open(matchmaking.settings_of(event.id))
    # an invitation's personal link (?einladung=<token>) fills in the form and, once the
    # invited person registered, marks their invitation "registered"
    invited = invitations.recipient_for_event(request.args.get("einladung"), event.id)
    if invited is not None and not form.is_submitted():
        invitations.fill_in(form, invited)
    if problem is None and form.is_submitted():
        if form.is_bot():  # pretend success, store nothing
            return redirect(url_for("event_public.registered", event_id=event.id))
        valid = form.validate()  # first: validate() resets the field errors
        if form.check_preferences(required=bool(event.workshops)) and valid:
            outcome = services.register(event.id, registration_input(form))
            if form.consent_matchmaking.data and matchmaking_open:
                matchmaking.opt_in(outcome.registration)
            if invited is not None:
                invitations.mark_registered(invited, outcome.registration)
            db.session.commit()
            return redirect(url_for("event_public.registered", event_id=event.id))
    return render_template(
        "events/public/register.html",
        event=event,
        form=form,
        problem=problem,
        booked_out=problem is None and services.booked_out(event),
        matchmaking_open=matchmaking_open,
    )


@bp.get("/veranstaltungen/<slug>")
@public
def by_slug(slug: str) -> Response:
    """A short address for invitations: /veranstaltungen/<slug>."""
    event = queries.event_by_slug(slug) or abort(404)
    return redirect(url_for("event_public.register", event_id=event.id))


@bp.get("/events/<int:event_id>/register/done")
@public
def registered(event_id: int) -> str:
    """The same answer for new, repeated and bot submissions."""
    return render_template("events/public/registered.html", event=_public_event(event_id))


@bp.get("/events/<int:event_id>.ics")
@public
def ics(event_id: int) -> Response:
    """The event as an iCalendar file."""
    event = _public_event(event_id)
    body = event_calendar(
        event, url=url_for("event_public.register", event_id=event.id, _external=True)
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="veranstaltung-{event.id}.ics"'
    return response


def _by_token(token: str) -> tuple[Registration, Event]:
    registration = queries.registration_by_token(token)
    if registration is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    event = queries.event_detail(registration.event_id)
    assert event is not None  # noqa: S101 - a registration always has its event
    return registration, event


@bp.route("/anmeldung/<token>", methods=["GET", "POST"])
@public
def personal(token: str) -> Response | str:
    """The personal link: see the registration, change wishes (POST), link to cancel."""
    registration, event = _by_token(token)
    changeable = services.can_change_preferences(registration, event)
    form = PreferenceForm()
    for field in form.preference_fields():
        field.choices = queries.workshop_choices(event)
    if request.method == "GET":
        for field, pref in zip(form.preference_fields(), registration.preferences, strict=False):
            field.data = str(pref.workshop_id)
    elif not changeable:
        flash(_("Ihre Workshopwünsche können nicht mehr geändert werden."), "error")
    elif form.validate() & form.check_preferences(required=bool(event.workshops)):
        stored = [p.workshop_id for p in sorted(registration.preferences, key=lambda p: p.rank)]
        if form.workshop_ids() == stored:  # saved unchanged: nothing to write
            flash(_("Ihre Workshopwünsche sind unverändert."), "info")
        else:
            services.change_preferences(registration, form.workshop_ids())
            db.session.commit()
            flash(_("Ihre Workshopwünsche wurden gespeichert."), "success")
        return redirect(url_for("event_public.personal", token=token))
    return render_template(
        "events/public/personal.html",
        registration=registration,
        event=event,
        form=form,
        token=token,
        changeable=changeable,
        can_cancel=services.can_cancel(registration, event),
        titles={w.id: w.title for w in event.workshops},
        rooms=room_links(event, registration),
    )


@bp.route("/anmeldung/<token>/cancel", methods=["GET", "POST"])
@public
def cancel(token: str) -> Response | str:
    """Ask first (GET), then cancel (POST); a freed seat goes to the waitlist."""
    registration, event = _by_token(token)
    if not services.can_cancel(registration, event):
        flash(_("Diese Anmeldung kann nicht mehr storniert werden."), "info")
        return redirect(url_for("event_public.personal", token=token))
    if request.method == "GET":
        return render_template("events/public/cancel.html", event=event, token=token)
    services.cancel(registration)
    db.session.commit()
    flash(_("Ihre Anmeldung wurde storniert. Eine Bestätigung ist unterwegs."), "success")
    return redirect(url_for("event_public.personal", token=token))
