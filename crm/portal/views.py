"""Portal "Unsere Initiative": editors keep their own initiative's profile, members and contacts.

Every route works on `current_user.initiative_id` and nothing else: ids in URLs are
looked up inside that initiative, so another initiative's record is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.directory.queries import current_formats
from crm.directory.queries import current_themes
from crm.extensions import db
from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import InitiativeRoleKind
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import OrgType
from crm.portal import queries
from crm.portal import services
from crm.portal.forms import ConsentForm
from crm.portal.forms import ContactForm
from crm.portal.forms import MemberForm
from crm.portal.forms import ProfileForm
from crm.web.i18n import format_day
from crm.web.labels import label
from crm.web.uploads import UploadError
from crm.web.uploads import logo_path

bp = Blueprint("portal", __name__)
PREFIX = "/unsere-initiative"


def _initiative_id() -> int:
    if not permissions.can_use_portal(current_user):
        abort(403)
    return int(current_user.initiative_id)


def _home() -> Response:
    return redirect(url_for("portal.home"))


@bp.get(PREFIX + "/")
def home() -> str:
    """The editor's start page: profile, members, contact persons."""
    data = queries.portal(_initiative_id())
    if data is None:
        abort(404)
    return render_template("portal/home.html", p=data)


def _profile_values(initiative: Any) -> dict[str, Any]:
    """The stored profile as form data: what an unchanged save sends back."""
    return {
        "version": str(initiative.version),
        "description": initiative.description or "",
        "goals": initiative.goals or "",
        "website": initiative.website or "",
        "street": initiative.street or "",
        "plz": initiative.plz or "",
        "place": initiative.place or "",
        "themes": [str(t.id) for t in initiative.themes],
        "formats": [str(f.id) for f in initiative.formats],
    }


@bp.route(PREFIX + "/profil", methods=["GET", "POST"])
def profile() -> Any:
    """Edit the public profile of the own initiative."""
    initiative = queries.own_initiative(_initiative_id())
    if initiative is None:
        abort(404)
    if request.method == "POST":
        form = ProfileForm()  # only what was posted: never the stored version as a default
    else:  # the stored values, multi-selects included (ids as the options' values)
        form = ProfileForm(data=_profile_values(initiative))
    form.themes.choices = current_themes()
    form.formats.choices = current_formats()
    if form.validate_on_submit():
        upload = (
            form.logo.data if form.logo.data and getattr(form.logo.data, "filename", "") else None
        )
        change = services.ProfileChange(
            description=(form.description.data or "").strip() or None,
            goals=(form.goals.data or "").strip() or None,
            website=(form.website.data or "").strip() or None,
            street=(form.street.data or "").strip() or None,
            plz=(form.plz.data or "").strip() or None,
            place=(form.place.data or "").strip() or None,
            theme_ids=[int(t) for t in form.themes.data or []],
            format_ids=[int(f) for f in form.formats.data or []],
            logo=upload.stream if upload is not None else None,
            remove_logo=bool(form.remove_logo.data),
        )
        try:
            services.update_profile(initiative, form.submitted_version(), change)
        except services.Conflict:
            db.session.rollback()
            flash(
                _(
                    "Das Profil wurde inzwischen von jemand anderem geändert. Hier ist der "
                    "aktuelle Stand; bitte tragen Sie Ihre Änderung erneut ein."
                ),
                "error",
            )
            return redirect(url_for("portal.profile"))
        except UploadError as exc:
            db.session.rollback()
            form.logo.errors = [str(exc)]
            return render_template("portal/profile.html", form=form, initiative=initiative), 400
        flash(_("Das Profil ist gespeichert."), "success")
        return _home()
    status = 400 if request.method == "POST" else 200
    return render_template("portal/profile.html", form=form, initiative=initiative), status


@bp.route(PREFIX + "/mitglieder/neu", methods=["GET", "POST"])
def member_new() -> Any:
    """Add a member organisation; existing organisations of a similar name are offered first."""
    initiative_id = _initiative_id()
    form = MemberForm()
    matches: list[Any] = []
    if form.validate_on_submit():
        choice = (form.match.data or "").strip()
        if not choice:
            matches = queries.matching_organisations(form.name.data)
            if not matches:
                choice = "new"
        if choice:
            organisation_id = None if choice == "new" else _matched_id(choice)
            try:
                services.add_member(
                    initiative_id,
                    organisation_id=organisation_id,
                    name=form.name.data,
                    org_type=OrgType(form.type.data),
                    place=(form.place.data or "").strip() or None,
                    role=MembershipRole(form.role.data),
                    since=form.since.data,
                )
            except services.Refused as exc:
                db.session.rollback()
                form.name.errors = [str(exc)]
            else:
                flash(_("Das Mitglied ist eingetragen."), "success")
                return _home()
    status = 400 if request.method == "POST" and not matches else 200
    return render_template("portal/member_form.html", form=form, matches=matches), status


def _matched_id(choice: str) -> int:
    if not (choice.isascii() and choice.isdigit() and len(choice) < 12):
        abort(400)
    return int(choice)


def _confirm_end(heading: str, rows: list[tuple[str, str]], text: str) -> str:
    """Ask before ending a membership or a contact's role (the POST button ends it)."""
    return render_template(
        "confirm.html",
        heading=heading,
        rows=rows,
        text=text,
        button=_("Beenden"),
        back=url_for("portal.home"),
    )


def _ending(link: Any) -> str:
    """What ending `link` today means (see services.end_link)."""
    if services.ends_by_deletion(link):
        return _("Der Eintrag hat erst heute begonnen und wird daher ganz entfernt.")
    return _(
        "Der Eintrag gilt bis gestern (%(d)s) und bleibt als beendet erhalten.",
        d=format_day(services.end_day()),
    )


def _end_own(link: Any, heading: str, rows: list[tuple[str, str]], done: str) -> Response | str:
    """Ask first (GET), then end a link of the own initiative (POST) and go home."""
    if request.method == "GET":
        return _confirm_end(heading, rows, _ending(link))
    services.end_link(link)
    flash(done, "success")
    return _home()


@bp.route(PREFIX + "/mitglieder/<int:membership_id>/beenden", methods=["GET", "POST"])
def member_end(membership_id: int) -> Response | str:
    """Ask first (GET), then end a membership of the own initiative (POST)."""
    membership = queries.own_membership(_initiative_id(), membership_id)
    if membership is None:
        abort(404)
    organisation = db.session.get_one(Organisation, membership.organisation_id)
    return _end_own(
        membership,
        _("Mitgliedschaft wirklich beenden?"),
        [(_("Organisation"), organisation.name), (_("Rolle"), label(membership.role))],
        _("Die Mitgliedschaft ist beendet."),
    )


@bp.route(PREFIX + "/personen/neu", methods=["GET", "POST"])
def contact_new() -> Any:
    """Add a contact person with a role and the consents the initiative collected."""
    initiative_id = _initiative_id()
    form = ContactForm()
    if form.validate_on_submit():
        services.add_contact(
            initiative_id,
            person={
                name: (form[name].data or "").strip() or None
                for name in ("salutation", "title", "first_name", "last_name", "email", "phone")
            },
            role=InitiativeRoleKind(form.role.data),
            consents=[ConsentPurpose(p) for p in form.consents.data or []],
            method=ConsentMethod(form.consent_method.data),
        )
        flash(_("Die Ansprechperson ist eingetragen."), "success")
        return _home()
    status = 400 if request.method == "POST" else 200
    return render_template("portal/contact_form.html", form=form), status


@bp.route(PREFIX + "/personen/<int:role_id>/beenden", methods=["GET", "POST"])
def contact_end(role_id: int) -> Response | str:
    """Ask first (GET), then end a contact person's role in the own initiative (POST);
    the person stays on record."""
    role = queries.own_role(_initiative_id(), role_id)
    if role is None:
        abort(404)
    return _end_own(
        role,
        _("Ansprechperson wirklich entfernen?"),
        [(_("Person"), role.person.full_name), (_("Rolle"), label(role.role))],
        _("Die Rolle ist beendet."),
    )


@bp.route(PREFIX + "/personen/<int:role_id>/einwilligungen", methods=["GET", "POST"])
def consents(role_id: int) -> Any:
    """Record a consent (or a revocation) the initiative collected from a contact person."""
    role = queries.own_role(_initiative_id(), role_id)
    if role is None:
        abort(404)
    form = ConsentForm()
    if form.validate_on_submit():
        recorded = services.record_consent(
            role.person_id,
            ConsentPurpose(form.purpose.data),
            ConsentStatus(form.status.data),
            ConsentMethod(form.method.data),
        )
        if recorded is None:
            flash(_("Das ist bereits so vermerkt; es wurde nichts geändert."), "info")
        else:
            flash(_("Die Einwilligung ist vermerkt."), "success")
        return redirect(url_for("portal.consents", role_id=role.id))
    status = 400 if request.method == "POST" else 200
    return render_template("portal/consents.html", form=form, role=role), status


@bp.get(PREFIX + "/logo")
def logo() -> Response:
    """The own initiative's logo (listed initiatives' logos are public in the directory)."""
    initiative = queries.own_initiative(_initiative_id())
    path = logo_path(initiative.logo_filename or "") if initiative else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/png", max_age=3600)
