"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.accounts.forms import ChangePasswordForm, LoginForm
from crm.accounts.services import AccountError, authenticate, change_password
from crm.accounts.session import end_session, public, start_session
from crm.extensions import db
from crm.urls import safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str | tuple[str, int]:
    """Show the login form and log a user in."""
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
