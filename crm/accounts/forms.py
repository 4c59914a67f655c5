"""Forms of the accounts feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Optional

from crm.web.fields import Form


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


def _new_password() -> PasswordField:
    """A new password of at least 12 characters."""
    return PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(), Length(min=12, max=1000)],
        description=_l("Mindestens 12 Zeichen."),
    )


def _repeated_password() -> PasswordField:
    """The new password again, which must be the same."""
    return PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("Die Passwörter stimmen nicht überein.")),
        ],
    )


class ChangePasswordForm(Form):
    """Current password and the new one, twice."""

    current = PasswordField(_l("Aktuelles Passwort"), validators=[DataRequired(), Length(max=1000)])
    new = _new_password()
    confirm = _repeated_password()


class SetPasswordForm(Form):
    """A new password, twice (invitation and reset links)."""

    new = _new_password()
    confirm = _repeated_password()


class ForgotPasswordForm(Form):
    """The e-mail address of the account whose password was forgotten."""

    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])


class InviteForm(Form):
    """Invite a representative of an initiative (the role and initiative come from the URL)."""

    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(
        _l("Name (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Für die Anrede in der Einladung."),
    )


class AdminInviteForm(InviteForm):
    """Invite office staff or a representative of an initiative (admins only)."""

    role = SelectField(
        _l("Rolle"),
        choices=[
            SelectChoice("staff", _l("Geschäftsstelle (Beratung)")),
            SelectChoice("editor", _l("Initiative (Redaktion)")),
        ],
        validators=[DataRequired()],
    )
    initiative = SelectField(
        _l("Initiative (nur für Vertreter:innen)"), choices=[], validate_choice=False
    )

    def initiative_id(self) -> int | None:
        """The chosen initiative id, or None when none (or garbage) was submitted."""
        value = (self.initiative.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() else None
