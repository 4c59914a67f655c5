"""The admin's accounts page: list, invite, deactivate, reactivate, send a reset link.

Every change is written to the audit trail by the audit hook (the User model is audited).
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts import queries
from crm.accounts.forms import AdminInviteForm
from crm.accounts.services import AccountError
from crm.accounts.services import has_pending_invitation
from crm.accounts.services import invite
from crm.accounts.services import send_password_reset
from crm.accounts.services import set_active
from crm.extensions import db
from crm.models import User
from crm.web.labels import label

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _require_admin() -> None:
    if not permissions.can_manage_accounts(current_user):
        abort(403)


def _invite_form() -> AdminInviteForm:
    form = AdminInviteForm()
    form.initiative.choices = queries.initiative_choices()
    return form


def _page(form: AdminInviteForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "accounts/admin_accounts.html",
        users=queries.accounts(),
        form=form,
        pending=has_pending_invitation,
    ), status


def _to_list(message: str, category: str) -> Response:
    """Back to the account list with a message."""
    flash(message, category)
    return redirect(url_for("admin.accounts"))


def _saved(message: str) -> Response:
    """Commit, then back to the account list with `message`."""
    db.session.commit()
    return _to_list(message, "success")


@bp.get("/accounts")
def accounts() -> tuple[str, int]:
    """Every account with role, initiative, status, last login and pending invitation."""
    return _page(_invite_form())


@bp.post("/accounts/invite")
def invite_account() -> Response | tuple[str, int]:
    """Invite office staff or a representative of an initiative."""
    form = _invite_form()
    if form.validate_on_submit():
        try:
            user = invite(
                form.email.data or "", form.role.data or "", form.initiative_id(), form.name.data
            )
        except AccountError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, form.email)
            field.errors = [*field.errors, str(exc)]
        else:
            return _saved(_("Die Einladung an %(email)s liegt im Postausgang.", email=user.email))
    return _page(form, 400)


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/accounts/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int) -> Response | str:
    """Ask first (GET), then deactivate an account (POST): its sessions and outstanding
    links end at once."""
    user = _user(user_id)
    if user.id == current_user.id:
        return _to_list(_("Sie können Ihr eigenes Konto nicht deaktivieren."), "error")
    if request.method == "GET":
        if not user.active:
            return _to_list(
                _("Das Konto %(email)s ist bereits deaktiviert.", email=user.email), "info"
            )
        return render_template(
            "confirm.html",
            heading=_("Konto wirklich deaktivieren?"),
            rows=[(_("E-Mail"), user.email), (_("Rolle"), label(user.role))],
            text=_(
                "Die Person kann sich nicht mehr anmelden; laufende Sitzungen und noch offene "
                "Einladungs- oder Passwort-Links werden sofort ungültig. Reaktivieren ist "
                "jederzeit möglich."
            ),
            button=_("Deaktivieren"),
            back=url_for("admin.accounts"),
        )
    set_active(user, False)
    return _saved(_("Das Konto %(email)s ist deaktiviert.", email=user.email))


@bp.post("/accounts/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    """Allow an account to log in again (with its previous password)."""
    user = _user(user_id)
    set_active(user, True)
    return _saved(_("Das Konto %(email)s ist wieder aktiv.", email=user.email))


@bp.post("/accounts/<int:user_id>/reset")
def send_reset(user_id: int) -> Response:
    """Queue a password-reset mail for an active account."""
    user = _user(user_id)
    try:
        send_password_reset(user)
    except AccountError as exc:
        db.session.rollback()
        return _to_list(str(exc), "error")
    return _saved(
        _("Ein Link zum Zurücksetzen an %(email)s liegt im Postausgang.", email=user.email)
    )
