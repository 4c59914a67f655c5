"""Data-protection pages: a person's "Datenschutz" tab (access, erasure, restriction,
objection), the staff page "Datenschutz" (retention rules, what is due, erasure log) and
the visitor's page behind their personal link (withdraw consents, delete registration)."""

from __future__ import annotations

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
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.session import public
from crm.events import queries as event_queries
from crm.events import services as event_services
from crm.extensions import db
from crm.history.fields import field_label
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import Person
from crm.models import Registration
from crm.privacy import services
from crm.privacy.forms import EraseForm
from crm.privacy.forms import ObjectionForm
from crm.privacy.forms import RestrictForm
from crm.privacy.forms import RetentionForm
from crm.web.labels import label

bp = Blueprint("privacy", __name__)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def _export(person_id: int) -> dict[str, Any]:
    """The person's data export for a user who may see it (404 for an unknown person)."""
    _require(permissions.can_export_person_data(current_user))
    data = services.person_export(person_id)
    if data is None:
        abort(404)
    return data


def _tab_url(person_id: int) -> str:
    return url_for("privacy.person", person_id=person_id)


# -- staff page ------------------------------------------------------------------------


@bp.get("/buero/datenschutz")
def overview() -> str:
    """Retention rules with their values, what is due now, the latest erasures."""
    _require(permissions.can_view_privacy(current_user))
    return render_template(
        "privacy/overview.html",
        rules=services.retention_rules(),
        due=services.retention_due(),
        log=services.erasure_log(),
        form=RetentionForm(),
    )


@bp.route("/buero/datenschutz/aufbewahrung", methods=["GET", "POST"])
def retention() -> str | Response:
    """The bulk action: ask first (GET, or a POST without the confirmation), then do it."""
    _require(permissions.can_apply_retention(current_user))
    form = RetentionForm()
    due = services.retention_due()
    if request.method == "POST" and form.validate():
        report = services.apply_retention(current_user, apply=True)
        db.session.commit()
        if report.persons:
            services.after_erasure()
        flash(
            _(
                "Aufbewahrungsregeln angewandt: %(r)s Anmeldungen anonymisiert, %(p)s Personen "
                "gelöscht, %(c)s widerrufene Einwilligungen gelöscht.",
                r=report.registrations,
                p=report.persons,
                c=report.consents,
            ),
            "success",
        )
        return redirect(url_for("privacy.overview"))
    return render_template("privacy/retention_confirm.html", due=due, form=form)


# -- a person's tab --------------------------------------------------------------------


@bp.get("/personen/<int:person_id>/datenschutz")
def person(person_id: int) -> str:
    """The person's data-protection status and the rights that can be exercised."""
    _require(permissions.can_view_privacy(current_user))
    record = _person(person_id)
    return render_template(
        "privacy/person.html",
        person=record,
        consents=services.latest_consents(record.id),
        objection=ObjectionForm(),
    )


@bp.get("/personen/<int:person_id>/datenschutz/auskunft")
def export_page(person_id: int) -> str:
    """Everything stored about the person, as a page that prints well (Art. 15)."""
    return render_template(
        "privacy/export.html", data=_export(person_id), person_id=person_id, field_label=field_label
    )


@bp.get("/personen/<int:person_id>/datenschutz/auskunft.json")
def export_json(person_id: int) -> Response:
    """Everything stored about the person, as JSON (Art. 20; keys: crm.privacy.services)."""
    response = Response(services.export_json(_export(person_id)), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="auskunft-person-{person_id}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/personen/<int:person_id>/datenschutz/loeschen", methods=["GET", "POST"])
def erase(person_id: int) -> str | Response:
    """'Personendaten löschen': confirmation and reason, then erasure without residue."""
    _require(permissions.can_erase_person(current_user))
    record = _person(person_id)
    form = EraseForm()
    error = None
    if request.method == "POST" and form.validate():
        try:
            result = services.erase_person(record.id, form.reason.data or "", current_user)
        except services.PrivacyError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            services.after_erasure()
            flash(
                _(
                    "Die Personendaten wurden gelöscht (Protokoll #%(log)s). %(n)s Anmeldungen "
                    "bleiben anonym erhalten.",
                    log=result.log_ids[0],
                    n=result.registrations_anonymised,
                ),
                "success",
            )
            return redirect(url_for("privacy.overview"))
    return render_template("privacy/erase.html", person=record, form=form, error=error)


@bp.route("/personen/<int:person_id>/datenschutz/einschraenken", methods=["GET", "POST"])
def restrict(person_id: int) -> str | Response:
    """Restrict processing (Art. 18) with a reason; the date is recorded."""
    _require(permissions.can_restrict_person(current_user))
    record = _person(person_id)
    form = RestrictForm()
    if request.method == "GET" and record.restriction_reason:
        form.reason.data = record.restriction_reason
    if request.method == "POST" and form.validate():
        try:
            changed = services.restrict_person(record, form.reason.data or "")
        except services.PrivacyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            if changed:
                db.session.commit()
                flash(_("Die Verarbeitung ist jetzt eingeschränkt."), "success")
            else:
                flash(_("Nichts geändert: Die Einschränkung bestand schon so."), "info")
            return redirect(_tab_url(record.id))
    return render_template("privacy/restrict.html", person=record, form=form)


@bp.route("/personen/<int:person_id>/datenschutz/aufheben", methods=["GET", "POST"])
def lift(person_id: int) -> str | Response:
    """Lift the restriction: ask first (GET), then lift (POST)."""
    _require(permissions.can_restrict_person(current_user))
    record = _person(person_id)
    if request.method == "POST":
        if services.lift_restriction(record):
            db.session.commit()
            flash(_("Die Einschränkung wurde aufgehoben."), "success")
        else:
            flash(_("Die Verarbeitung war nicht eingeschränkt."), "info")
        return redirect(_tab_url(record.id))
    return render_template(
        "confirm.html",
        heading=_("Einschränkung wirklich aufheben?"),
        rows=[
            (_("Person"), record.full_name),
            (_("Grund"), record.restriction_reason or "–"),
        ],
        text=_("Danach kann die Person wieder bearbeitet, exportiert und angeschrieben werden."),
        button=_("Einschränkung aufheben"),
        back=_tab_url(record.id),
        blocked=not record.restricted,
    )


@bp.route("/personen/<int:person_id>/datenschutz/widerspruch", methods=["GET", "POST"])
def objection(person_id: int) -> str | Response:
    """Objection to a purpose (Art. 21): that consent is revoked everywhere at once."""
    _require(permissions.can_restrict_person(current_user))
    record = _person(person_id)
    form = ObjectionForm()
    if request.method == "POST":
        purpose = form.purpose_value()
        if not form.validate() or purpose is None:
            flash(_("Bitte einen gültigen Zweck wählen."), "error")
        elif services.object_to_purpose(record.id, purpose):
            db.session.commit()
            flash(_("Widerspruch erfasst: „%(p)s“ ist widerrufen.", p=label(purpose)), "success")
        else:
            flash(
                _("Für „%(p)s“ gab es keine Einwilligung zu widerrufen.", p=label(purpose)), "info"
            )
    return redirect(_tab_url(record.id))


# -- the visitor's personal link -------------------------------------------------------


def _by_token(token: str) -> tuple[Registration, Event]:
    registration = event_queries.registration_by_token(token)
    if registration is None or registration.person_id is None:
        abort(make_response(render_template("events/public/invalid_link.html"), 404))
    event = db.session.get(Event, registration.event_id)
    assert event is not None  # noqa: S101 - a registration always has its event
    return registration, event


@bp.get("/anmeldung/<token>/datenschutz")
@public
def visitor(token: str) -> str:
    """The visitor's consents (each can be withdrawn) and deleting the registration."""
    registration, event = _by_token(token)
    assert registration.person_id is not None  # noqa: S101 - checked in _by_token
    consents = services.latest_consents(registration.person_id)
    return render_template(
        "privacy/visitor.html",
        registration=registration,
        event=event,
        token=token,
        consents=[c for c in consents.values() if c.status != ConsentStatus.REVOKED],
        revoked=[c for c in consents.values() if c.status == ConsentStatus.REVOKED],
    )


@bp.route("/anmeldung/<token>/datenschutz/widerruf", methods=["GET", "POST"])
@public
def visitor_withdraw(token: str) -> Response:
    """Withdraw one consent (POST purpose=...)."""
    registration, _event = _by_token(token)
    if request.method == "POST":
        try:
            purpose = ConsentPurpose(request.form.get("purpose", ""))
        except ValueError:
            flash(_("Diese Einwilligung gibt es nicht."), "error")
        else:
            if services.withdraw_consent_by_token(registration, purpose):
                db.session.commit()
                flash(_("Ihre Einwilligung „%(p)s“ ist widerrufen.", p=label(purpose)), "success")
            else:
                flash(_("Diese Einwilligung war schon widerrufen."), "info")
    return redirect(url_for("privacy.visitor", token=token))


@bp.route("/anmeldung/<token>/datenschutz/loeschen", methods=["GET", "POST"])
@public
def visitor_delete(token: str) -> str | Response:
    """Delete the registration: ask first (GET), then delete (POST)."""
    registration, event = _by_token(token)
    if request.method == "POST":
        try:
            if event_services.can_cancel(registration, event):
                event_services.cancel(registration)  # the seat goes to the waitlist
            services.delete_registration_by_token(registration)
        except services.PrivacyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("privacy.visitor", token=token))
        title = event.title
        db.session.commit()
        services.after_erasure()
        return make_response(render_template("privacy/visitor_deleted.html", title=title))
    return render_template(
        "confirm.html",
        heading=_("Anmeldung wirklich löschen?"),
        rows=[(_("Veranstaltung"), event.title)],
        text=_(
            "Ihre Anmeldung und Ihre Angaben dazu werden gelöscht; der persönliche Link "
            "funktioniert danach nicht mehr. Für die Statistik bleibt nur gezählt, dass es "
            "eine Anmeldung gab. Sind wir sonst nicht mit Ihnen in Kontakt, löschen wir auch "
            "Ihren Namen und Ihre E-Mail-Adresse."
        ),
        button=_("Anmeldung endgültig löschen"),
        back=url_for("privacy.visitor", token=token),
        audited=False,
    )
