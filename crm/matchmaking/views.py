"""Pages of the practitioner exchange: the office's settings per event (under
/events/<id>/meetings/settings) and, through the personal link (no account), opting in
and out, the proposed partners with their reasons, wishes and requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.events import queries as event_queries
from crm.events.services import berlin_to_utc
from crm.events.services import utc_to_berlin
from crm.extensions import db
from crm.matchmaking import planning
from crm.matchmaking import services
from crm.matchmaking.forms import RequestForm
from crm.matchmaking.forms import SettingsForm
from crm.models import Event
from crm.models import MatchmakingSettings
from crm.models import MeetingRequestStatus
from crm.models import MeetingVideoMode
from crm.models import MeetingWishLevel
from crm.models import Registration
from crm.network.reasons import reason_text
from crm.web.i18n import format_moment
from crm.web.labels import choices
from crm.web.labels import label

bp = Blueprint("matchmaking", __name__, url_prefix="/events")
public_bp = Blueprint("matchmaking_public", __name__)

#: What a participant reads when an action cannot be done (codes of MatchmakingProblem).
PROBLEMS = {
    "closed": _l("Wünsche und Anfragen sind für diesen Austausch nicht (mehr) möglich."),
    "not_in": _l("Bitte melden Sie sich zuerst zum Austausch an."),
    "not_visible": _l("Diese Person nimmt nicht (mehr) am Austausch teil."),
    "pending": _l("Zwischen Ihnen gibt es schon eine offene oder angenommene Anfrage."),
    "no_wish": _l("Diese Person möchte kein Treffen mit Ihnen."),
    "sent_cap": _l(
        "Sie haben schon so viele offene Anfragen gesendet wie möglich. Warten Sie auf "
        "Antworten oder ziehen Sie eine Anfrage zurück."
    ),
    "received_cap": _l(
        "Diese Person hat gerade sehr viele offene Anfragen. Bitte versuchen Sie es später "
        "oder markieren Sie sie mit „Unbedingt treffen“."
    ),
    "full": _l("Der Terminplan ist voll: Es ist kein weiteres festes Treffen möglich."),
    "not_open": _l("Diese Anfrage ist nicht mehr offen."),
}


def _problem(problem: services.MatchmakingProblem) -> None:
    db.session.rollback()
    flash(str(PROBLEMS.get(problem.message, problem.message)), "error")


# --------------------------------------------------------------------------- staff


@bp.before_request
def _require_staff() -> None:
    if not permissions.can_configure_matchmaking(current_user):
        abort(403)


def _version_of(settings: MatchmakingSettings) -> str:
    """The version a settings form is rendered with ("" for settings never saved)."""
    return str(settings.version) if settings.id is not None else ""


def _settings_initial(settings: MatchmakingSettings) -> dict[str, Any]:
    return {
        "version": _version_of(settings),
        "enabled": settings.enabled,
        "meeting_minutes": str(settings.meeting_minutes),
        "window_starts_at": utc_to_berlin(settings.window_starts_at),
        "window_ends_at": utc_to_berlin(settings.window_ends_at),
        "max_meetings_per_person": settings.max_meetings_per_person,
        "max_open_sent": settings.max_open_sent,
        "max_open_received": settings.max_open_received,
        "request_expiry_hours": settings.request_expiry_hours,
        "fixed_at": utc_to_berlin(settings.fixed_at),
        "video_mode": MeetingVideoMode(settings.video_mode).value,
        "video_pattern": settings.video_pattern or "",
        "video_tables": settings.video_tables or "",
    }


def _settings_values(form: SettingsForm, settings: MatchmakingSettings) -> dict[str, Any]:
    """The form's values as stored; a time unchanged to the minute keeps the stored one."""

    def when(field: Any, stored: Any) -> Any:
        if field.data is None:
            return None
        if stored is not None and utc_to_berlin(stored) == field.data:
            return stored
        return berlin_to_utc(field.data)

    return {
        "enabled": bool(form.enabled.data),
        "meeting_minutes": int(form.meeting_minutes.data),
        "window_starts_at": when(form.window_starts_at, settings.window_starts_at),
        "window_ends_at": when(form.window_ends_at, settings.window_ends_at),
        "max_meetings_per_person": form.max_meetings_per_person.data,
        "max_open_sent": form.max_open_sent.data,
        "max_open_received": form.max_open_received.data,
        "request_expiry_hours": form.request_expiry_hours.data,
        "fixed_at": when(form.fixed_at, settings.fixed_at),
        "video_mode": MeetingVideoMode(form.video_mode.data),
        "video_pattern": (form.video_pattern.data or "").strip() or None,
        "video_tables": "\n".join(
            line.strip() for line in (form.video_tables.data or "").splitlines() if line.strip()
        )
        or None,
    }


def _shown(settings: MatchmakingSettings, name: str) -> str:
    """A stored setting as the conflict note shows it."""
    value = getattr(settings, name)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.datetime):
        return format_moment(value)
    if isinstance(value, MeetingVideoMode):
        return label(value)
    return str(value)


def _stale(
    form: SettingsForm, event: Event, stored: MatchmakingSettings, changes: list[str]
) -> tuple[str, int]:
    """The form again (409) with what is stored now where it differs from the input; the
    next save is checked against the settings as they are now."""
    form.version.data = _version_of(stored)
    flash(
        _(
            "Die Einstellungen wurden inzwischen geändert (von jemand anderem oder durch "
            "das Berechnen oder Veröffentlichen des Plans). Nichts wurde gespeichert: Bitte "
            "prüfen Sie Ihre Angaben und speichern Sie erneut."
        ),
        "error",
    )
    page = render_template(
        "matchmaking/settings.html",
        form=form,
        event=event,
        slot_count=len(services.slots_of(stored)) if stored.id else None,
        stale=[(form[name].label.text, _shown(stored, name)) for name in changes],
    )
    return page, 409


def _save(event: Event, stored: MatchmakingSettings, values: dict[str, Any]) -> bool | None:
    """Save the settings: whether anything changed, or None when they were saved (or first
    created) by someone else between reading and writing (nothing is written then)."""
    first = stored.id is None
    try:
        changed = services.save_settings(event, values)
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        if isinstance(exc, IntegrityError) and not first:
            raise
        return None
    return changed


@bp.route("/<int:event_id>/meetings/settings", methods=["GET", "POST"])
def settings(event_id: int) -> Response | str | tuple[str, int]:
    """The exchange's settings for one event; saving them unchanged writes nothing, a form
    older than the stored settings (someone saved meanwhile) is refused."""
    event = event_queries.event_detail(event_id) or abort(404)
    stored = services.settings_of(event.id) or services.default_settings(event)
    form = SettingsForm(**_settings_initial(stored)) if request.method == "GET" else SettingsForm()
    form.meeting_minutes.choices = [(str(m), _("%(n)s Minuten", n=m)) for m in (15, 20, 30)]
    form.video_mode.choices = choices(MeetingVideoMode)
    if form.validate_on_submit():
        values = _settings_values(form, stored)
        changes = services.settings_changes(stored, values)
        if changes and (form.version.data or "") != _version_of(stored):
            return _stale(form, event, stored, changes)
        changed = _save(event, stored, values)
        if changed is None:
            stored = services.settings_of(event.id) or services.default_settings(event)
            changes = services.settings_changes(stored, values)
            if changes:
                return _stale(form, event, stored, changes)
        if changed:
            flash(_("Die Einstellungen des Austauschs wurden gespeichert."), "success")
        else:
            flash(_("Die Einstellungen sind unverändert."), "info")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template(
        "matchmaking/settings.html",
        form=form,
        event=event,
        slot_count=len(services.slots_of(stored)) if stored.id else None,
    )


# --------------------------------------------------------------------------- participants


def _by_token(token: str) -> tuple[Registration, Event]:
    registration = event_queries.registration_by_token(token)
    if registration is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    event = event_queries.event_detail(registration.event_id)
    assert event is not None  # noqa: S101 - a registration always has its event
    return registration, event


def _home(token: str, anchor: str = "") -> Response:
    return redirect(url_for("matchmaking_public.page", token=token) + anchor)


@public_bp.get("/anmeldung/<token>/meetings")
@public
def page(token: str) -> str:
    """The participant's exchange: opting in, or the proposals, wishes and requests."""
    registration, event = _by_token(token)
    settings = services.settings_of(event.id)
    if not services.is_enabled(settings):
        abort(404)
    opted_in = registration.matchmaking_opt_in and services.takes_part(registration)
    requests = services.requests_of(registration) if opted_in else []
    db.session.commit()  # requests past their time were marked expired on the way
    return render_template(
        "matchmaking/page.html",
        registration=registration,
        event=event,
        settings=settings,
        token=token,
        opted_in=opted_in,
        can_opt_in=services.can_opt_in(registration, settings),
        wishes_open=services.wishes_open(settings),
        proposals=services.proposals_for(registration) if opted_in else [],
        requests=requests,
        pending={
            row.other.registration_id
            for row in requests
            if row.request.status in (MeetingRequestStatus.OPEN, MeetingRequestStatus.ACCEPTED)
        },
        levels=list(MeetingWishLevel),
        slots=services.slots_of(settings),
        request_form=RequestForm(),
    )


@public_bp.post("/anmeldung/<token>/meetings/opt-in")
@public
def opt_in(token: str) -> Response:
    """Opt in (the consent is the button under its text)."""
    registration, event = _by_token(token)
    settings = services.settings_of(event.id)
    if not services.is_enabled(settings):
        abort(404)
    if request.form.get("consent") != "yes":
        flash(_("Bitte bestätigen Sie die Einwilligung, um teilzunehmen."), "error")
    elif not services.can_opt_in(registration, settings):
        flash(_("Eine Anmeldung zum Austausch ist nicht (mehr) möglich."), "info")
    else:
        services.opt_in(registration)
        db.session.commit()
        flash(_("Sie nehmen am Austausch teil. Hier sind Ihre Vorschläge."), "success")
    return _home(token)


@public_bp.route("/anmeldung/<token>/meetings/withdraw", methods=["GET", "POST"])
@public
def withdraw(token: str) -> Response | str:
    """Ask first (GET), then leave the exchange (POST)."""
    registration, event = _by_token(token)
    if not services.is_enabled(services.settings_of(event.id)):
        abort(404)
    if not registration.matchmaking_opt_in:
        flash(_("Sie nehmen nicht am Austausch teil."), "info")
        return _home(token)
    if request.method == "GET":
        return render_template("matchmaking/withdraw.html", event=event, token=token)
    planning.withdraw(registration)
    db.session.commit()
    flash(
        _(
            "Sie nehmen nicht mehr am Austausch teil. Sie können sich jederzeit wieder "
            "anmelden, solange der Plan nicht feststeht."
        ),
        "success",
    )
    return _home(token)


#: The buttons of a wish: a level, or "none" to forget the mark.
WISH_BUTTONS: dict[str, MeetingWishLevel | None] = {
    **{level.value: level for level in MeetingWishLevel},
    "none": None,
}


@public_bp.post("/anmeldung/<token>/meetings/wish/<int:registration_id>")
@public
def wish(token: str, registration_id: int) -> Response:
    """Mark a proposed partner "Unbedingt treffen", "Gern" or "Nein" (or forget the mark)."""
    registration, _event = _by_token(token)
    target = services.visible_partner(registration, registration_id)
    raw = request.form.get("level", "")
    if target is None:
        flash(str(PROBLEMS["not_visible"]), "error")
    elif raw not in WISH_BUTTONS:
        flash(_("Bitte wählen Sie eine der angebotenen Möglichkeiten."), "error")
    else:
        try:
            changed = services.set_wish(registration, target, WISH_BUTTONS[raw])
        except services.MatchmakingProblem as problem:
            _problem(problem)
        else:
            db.session.commit()
            if changed:
                flash(_("Ihr Wunsch wurde gespeichert."), "success")
    return _home(token, f"#partner-{registration_id}")


@public_bp.route(
    "/anmeldung/<token>/meetings/request/<int:registration_id>", methods=["GET", "POST"]
)
@public
def send_request(token: str, registration_id: int) -> Response | str:
    """Write a request with a short message (GET), send it (POST)."""
    registration, event = _by_token(token)
    target = services.visible_partner(registration, registration_id)
    if target is None:
        flash(str(PROBLEMS["not_visible"]), "error")
        return _home(token)
    if not services.wishes_open(services.settings_of(event.id)):
        flash(str(PROBLEMS["closed"]), "error")
        return _home(token)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            services.send_request(registration, target, form.message.data)
        except services.MatchmakingProblem as problem:
            _problem(problem)
        else:
            db.session.commit()
            flash(_("Ihre Anfrage wurde gesendet."), "success")
        return _home(token, "#requests-h")
    return render_template(
        "matchmaking/request.html",
        event=event,
        token=token,
        form=form,
        card=services.card_of(target),
    )


def _answer(token: str, request_id: int, accept: bool) -> Response:
    registration, _event = _by_token(token)
    received = services.received_request(registration, request_id)
    if received is None:
        abort(404)
    try:
        services.answer_request(registration, received, accept)
    except services.MatchmakingProblem as problem:
        _problem(problem)
        db.session.commit()  # an expiry found on the way stays marked
    else:
        db.session.commit()
        flash(
            _("Sie haben die Anfrage angenommen. Das Treffen wird fest eingeplant.")
            if accept
            else _("Sie haben die Anfrage abgelehnt."),
            "success",
        )
    return _home(token, "#requests-h")


@public_bp.post("/anmeldung/<token>/meetings/requests/<int:request_id>/accept")
@public
def accept(token: str, request_id: int) -> Response:
    """Accept a received request."""
    return _answer(token, request_id, True)


@public_bp.post("/anmeldung/<token>/meetings/requests/<int:request_id>/decline")
@public
def decline(token: str, request_id: int) -> Response:
    """Decline a received request."""
    return _answer(token, request_id, False)


@public_bp.post("/anmeldung/<token>/meetings/requests/<int:request_id>/withdraw")
@public
def withdraw_request(token: str, request_id: int) -> Response:
    """Withdraw an open request one sent."""
    registration, _event = _by_token(token)
    try:
        services.withdraw_request(registration, request_id)
    except services.MatchmakingProblem as problem:
        if problem.message == "not_visible":
            abort(404)
        _problem(problem)
    else:
        db.session.commit()
        flash(_("Ihre Anfrage wurde zurückgezogen."), "success")
    return _home(token, "#requests-h")


@public_bp.app_template_global("matchmaking_offer")
def matchmaking_offer(registration: Registration) -> dict[str, Any] | None:
    """What the personal page shows of the exchange (None: the event has none)."""
    settings = services.settings_of(registration.event_id)
    if not services.is_enabled(settings) or not services.takes_part(registration):
        return None
    return {
        "opted_in": registration.matchmaking_opt_in,
        "open": services.wishes_open(settings),
    }


public_bp.add_app_template_global(reason_text, "matchmaking_reason_text")
