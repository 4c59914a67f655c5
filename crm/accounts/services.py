"""Account writes: authentication, user creation, invitations, password resets, deactivation."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from crm.accounts.passwords import hash_password
from crm.accounts.passwords import password_problem
from crm.accounts.passwords import verify_password
from crm.accounts.tokens import Purpose
from crm.accounts.tokens import make_token
from crm.accounts.tokens import verify_token
from crm.extensions import db
from crm.mail.services import in_language
from crm.mail.services import queue_mail
from crm.models import Initiative
from crm.models import Role
from crm.models import User
from crm.models.accounts import new_session_token


class AccountError(ValueError):
    """A user-facing reason why an account operation was refused (`field`: the form field
    it belongs to, when it belongs to one)."""

    def __init__(self, message: str, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        return None
    if not ok:
        user.failed_logins += 1
        return None
    if not user.active:
        return None
    return user


def normalise_email(email: str) -> str:
    """A syntactically valid e-mail address in lower case, or AccountError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(_("Ungültige E-Mail-Adresse: %(email)s", email=email)) from exc


def checked_role(role: str, initiative_id: int | None) -> Role:
    """The role, after checking that editors (and only they) are bound to an initiative."""
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise AccountError(
            _("Unbekannte Rolle %(role)s (erlaubt: admin, staff, editor).", role=role), "role"
        ) from exc
    if role_value is Role.EDITOR:
        if initiative_id is None:
            raise AccountError(
                _("Ein Konto mit der Rolle editor braucht eine Initiative."), "initiative"
            )
        if db.session.get(Initiative, initiative_id) is None:
            raise AccountError(
                _("Initiative %(id)s gibt es nicht.", id=initiative_id), "initiative"
            )
    elif initiative_id is not None:
        raise AccountError(
            _("Nur Konten mit der Rolle editor gehören zu einer Initiative."), "initiative"
        )
    return role_value


def create_user(
    email: str, role: str, password: str | None, initiative_id: int | None = None
) -> User:
    """Create an account after checking e-mail, role, initiative binding and password."""
    address = normalise_email(email)
    role_value = checked_role(role, initiative_id)
    if db.session.scalar(select(func.count()).where(User.email == address)):
        raise AccountError(_("Ein Konto mit dieser E-Mail-Adresse gibt es schon."))
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem)
    user = User(
        email=address,
        role=role_value,
        initiative_id=initiative_id,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends all other sessions."""
    if not verify_password(user.password_hash, current):
        raise AccountError(_("Das aktuelle Passwort ist falsch."))
    if problem := password_problem(new):
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.rotate_session_token()


# --- invitations, password reset, deactivation -------------------------------------------


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _max_age(purpose: Purpose) -> timedelta:
    key = "INVITATION_MAX_AGE" if purpose is Purpose.INVITATION else "PASSWORD_RESET_MAX_AGE"
    value = current_app.config[key]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def link_for(user: User, purpose: Purpose) -> str:
    """The absolute, signed link that lets `user` set a password (invitation or reset)."""
    token = make_token(user, purpose, secret=_secret())
    endpoint = "accounts.invitation" if purpose is Purpose.INVITATION else "accounts.reset_password"
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:  # never the request's Host header: it could be forged (reset-link poisoning)
        return str(base).rstrip("/") + url_for(endpoint, token=token)
    return url_for(endpoint, token=token, _external=True)


def user_for_token(token: str, purpose: Purpose) -> User:
    """The account a still-valid token belongs to; TokenError when it is refused."""
    return verify_token(
        token,
        purpose,
        secret=_secret(),
        max_age=_max_age(purpose),
        load=lambda user_id: db.session.get(User, user_id),
    )


def _valid_days(purpose: Purpose) -> int:
    return max(1, round(_max_age(purpose).total_seconds() / 86400))


def _valid_hours(purpose: Purpose) -> int:
    return max(1, round(_max_age(purpose).total_seconds() / 3600))


def invite(email: str, role: str, initiative_id: int | None, name: str | None = None) -> User:
    """Create (or reuse an inactive or not yet activated) account without a password and
    queue an invitation mail with a link to set one. Earlier invitation links stop working."""
    address = normalise_email(email)
    role_value = checked_role(role, initiative_id)
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        user = create_user(address, role_value.value, None, initiative_id)
    elif user.active and user.password_hash is not None:
        raise AccountError(_("Ein Konto mit dieser E-Mail-Adresse gibt es schon."))
    else:
        user.role = role_value
        user.initiative_id = initiative_id
        user.active = True
        user.password_hash = None
        user.must_change_password = False
        user.rotate_session_token()  # earlier invitation links stop working
        db.session.flush()
    initiative = db.session.get(Initiative, initiative_id) if initiative_id is not None else None
    with in_language(user.language):
        body = render_template(
            "mail/invitation.txt",
            name=(name or "").strip(),
            initiative=initiative,
            link=link_for(user, Purpose.INVITATION),
            days=_valid_days(Purpose.INVITATION),
        )
        queue_mail(user.email, _("Einladung zum Industrienetz"), body)
    return user


def has_pending_invitation(user: User) -> bool:
    """An active account that has not set a password yet (an invitation is outstanding)."""
    return bool(user.active and user.password_hash is None)


def request_password_reset(email: str) -> None:
    """Queue a reset mail if an active account has this address; otherwise do the same
    work without queueing, so that neither the response nor its timing tells them apart."""
    address = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == address, User.active.is_(True)))
    target = user or User(
        id=0, email=address, password_hash=None, session_token=new_session_token()
    )
    _queue_reset_mail(target, queue=user is not None)


def send_password_reset(user: User) -> None:
    """Queue a reset mail for `user` (an admin's action); inactive accounts are refused."""
    if not user.active:
        raise AccountError(_("Das Konto ist deaktiviert."))
    _queue_reset_mail(user)


def _queue_reset_mail(user: User, *, queue: bool = True) -> None:
    """Write the reset mail of `user` in the account's language; queue it unless told not
    to (an unknown address: the same work, nothing sent)."""
    with in_language(user.language):
        subject = _("Passwort zurücksetzen")
        body = render_template(
            "mail/password_reset.txt",
            link=link_for(user, Purpose.RESET),
            hours=_valid_hours(Purpose.RESET),
        )
    if queue:
        queue_mail(user.email, subject, body)


def set_password(user: User, new: str) -> None:
    """Set a password chosen through an invitation or reset link; ends every session
    and invalidates every link issued before."""
    if problem := password_problem(new):
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.failed_logins = 0
    user.rotate_session_token()


def set_active(user: User, active: bool) -> None:
    """Deactivate (ends all sessions, refuses logins and links) or reactivate an account."""
    user.active = active
    user.rotate_session_token()
