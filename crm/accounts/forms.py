"""Forms of the accounts feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    """Current password and the new one, twice."""

    current = PasswordField(_l("Aktuelles Passwort"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(), Length(min=12, max=1000)],
        description=_l("Mindestens 12 Zeichen."),
    )
    confirm = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("Die Passwörter stimmen nicht überein.")),
        ],
    )
