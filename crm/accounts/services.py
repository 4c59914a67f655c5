"""Account writes: authentication and user creation."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.accounts.passwords import hash_password, password_problem, verify_password
from crm.extensions import db
from crm.models import Initiative, Role, User


class AccountError(ValueError):
    """A user-facing reason why an account operation was refused."""


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


def create_user(
    email: str, role: str, password: str | None, initiative_id: int | None = None
) -> User:
    """Create an account after checking e-mail, role, initiative binding and password."""
    address = normalise_email(email)
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise AccountError(
            _("Unbekannte Rolle %(role)s (erlaubt: admin, staff, editor).", role=role)
        ) from exc
    if role_value is Role.EDITOR:
        if initiative_id is None:
            raise AccountError(_("Ein Konto mit der Rolle editor braucht eine Initiative."))
        if db.session.get(Initiative, initiative_id) is None:
            raise AccountError(_("Initiative %(id)s gibt es nicht.", id=initiative_id))
    elif initiative_id is not None:
        raise AccountError(_("Nur Konten mit der Rolle editor gehören zu einer Initiative."))
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
