"""Login and logout, invitation and password-reset links, login throttling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from crm import permissions
from crm.accounts.forms import ChangePasswordForm
from crm.accounts.forms import ForgotPasswordForm
from crm.accounts.forms import InviteForm
from crm.accounts.forms import LoginForm
from crm.accounts.forms import SetPasswordForm
from crm.accounts.services import AccountError
from crm.accounts.services import authenticate
from crm.accounts.services import change_password
from crm.accounts.services import invite
from crm.accounts.services import request_password_reset
from crm.accounts.services import set_password
from crm.accounts.services import user_for_token
from crm.accounts.session import end_session
from crm.accounts.session import public
from crm.accounts.session import start_session
from crm.accounts.tokens import Purpose
from crm.accounts.tokens import TokenError
from crm.extensions import db
from crm.extensions import limiter
from crm.models import Initiative
from crm.models import Role
from crm.models import User
from crm.web.urls import safe_next

bp = Blueprint("accounts", __name__)


def login_limit_account() -> str:
    """Failed logins per account (config LOGIN_RATE_LIMIT_ACCOUNT)."""
    return str(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"])


def login_limit_ip() -> str:
    """Failed logins per client IP address (config LOGIN_RATE_LIMIT_IP)."""
    return str(current_app.config["LOGIN_RATE_LIMIT_IP"])


def forgot_limit() -> str:
    """Reset requests per client IP address (config RESET_REQUEST_RATE_LIMIT)."""
    return str(current_app.config["RESET_REQUEST_RATE_LIMIT"])


def login_account_key() -> str:
    """The rate-limit key of a login attempt: the submitted e-mail, known or not."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _login_failed(response: Response) -> bool:
    return response.status_code != 302


def _failed_logins_limited(
    limit: Callable[[], str], key_func: Callable[[], str], scope: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A rate limit on failed login POSTs, counted per `key_func` in its own `scope`."""
    return limiter.limit(
        limit, key_func=key_func, methods=["POST"], deduct_when=_login_failed, scope=scope
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
@_failed_logins_limited(login_limit_account, login_account_key, "login-account")
@_failed_logins_limited(login_limit_ip, get_remote_address, "login-ip")
def login() -> Response | str | tuple[str, int]:
    """Show the login form and log a user in.

    Failed attempts count per e-mail address and per client IP address; once either limit
    is reached, every attempt (even with the right password) gets 429 until the window
    passes, for known and unknown addresses alike.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            start_session(user)
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("main.index")))
        db.session.commit()  # keeps the failed-login counter
        flash(_("E-Mail-Adresse oder Passwort ist falsch."), "error")
        return render_template("accounts/login.html", form=form), 200
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Log out and invalidate every copy of the session cookie."""
    end_session(current_user._get_current_object())
    db.session.commit()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Response | str:
    """Change one's own password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data or "", form.new.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.current.errors = [*form.current.errors, str(exc)]
        else:
            start_session(user)  # this browser stays logged in with the new token
            db.session.commit()
            flash(_("Ihr Passwort wurde geändert."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/password.html", form=form)


# --- invitations ----------------------------------------------------------------------------


@bp.route("/initiatives/<int:initiative_id>/invite", methods=["GET", "POST"])
def invite_representative(initiative_id: int) -> Response | str:
    """Staff invite a representative (editor account) of an initiative by e-mail."""
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or not permissions.can_view(current_user, initiative):
        abort(404)
    if not permissions.can_invite(current_user, initiative):
        abort(403)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = invite(form.email.data or "", Role.EDITOR.value, initiative.id, form.name.data)
        except AccountError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                _(
                    "Die Einladung an %(email)s liegt im Postausgang.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("directory.initiative_detail", initiative_id=initiative.id))
    return render_template("accounts/invite.html", form=form, initiative=initiative)


def _link_refused(error: TokenError) -> Response:
    messages = {
        "invalid": _(
            "Dieser Link ist ungültig. Bitte prüfen Sie, ob er vollständig kopiert wurde."
        ),
        "expired": _("Dieser Link ist abgelaufen."),
        "used": _("Dieser Link wurde bereits benutzt oder gilt nicht mehr."),
    }
    status = 400 if error.problem == "invalid" else 410
    page = render_template("accounts/link_refused.html", message=messages[error.problem])
    return _no_store(make_response(page, status))


def _password_link(token: str, purpose: Purpose, finish: Callable[[User], Response]) -> Response:
    """An invitation or reset link: refused, or the form for a new password; once the
    password is set, `finish` logs in or out, commits and answers."""
    try:
        user = user_for_token(token, purpose)
    except TokenError as exc:
        return _link_refused(exc)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.new.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.new.errors = [*form.new.errors, str(exc)]
        else:
            return finish(user)
    page = render_template(
        "accounts/set_password.html",
        form=form,
        user=user,
        invitation=purpose is Purpose.INVITATION,
    )
    return _no_store(make_response(page))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str) -> Response:
    """An invited person sets their password and is logged in."""

    def welcome(user: User) -> Response:
        start_session(user)
        db.session.commit()
        flash(_("Willkommen! Ihr Passwort ist gespeichert, Sie sind angemeldet."), "success")
        return redirect(url_for("main.index"))

    return _password_link(token, Purpose.INVITATION, welcome)


# --- password reset -------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(forgot_limit, key_func=get_remote_address, methods=["POST"], scope="forgot")
def forgot_password() -> Response | str:
    """Ask for a reset link. The answer never tells whether an account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data or "")
        db.session.commit()
        flash(
            _(
                "Wenn ein Konto mit dieser E-Mail-Adresse existiert, erhält es in Kürze "
                "einen Link zum Zurücksetzen des Passworts."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response:
    """Set a new password through a reset link; every session of the account ends."""

    def log_in_afresh(_user: User) -> Response:
        if current_user.is_authenticated:
            end_session(None)  # this browser logs in afresh, like every other one
        db.session.commit()
        flash(_("Ihr Passwort wurde geändert. Bitte melden Sie sich an."), "success")
        return redirect(url_for("accounts.login"))

    return _password_link(token, Purpose.RESET, log_in_afresh)
