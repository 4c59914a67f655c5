"""The form of a new API token."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import ApiScope
from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import max_length
from crm.web.fields import required

BERLIN = ZoneInfo("Europe/Berlin")

SCOPE_CHOICES = [
    SelectChoice(ApiScope.READ.value, _l("Nur lesen")),
    SelectChoice(ApiScope.WRITE.value, _l("Lesen und schreiben")),
]


class TokenForm(Form):
    """A name (what the token is for), its scope and an optional last day."""

    name = StringField(
        _l("Name"),
        description=_l("Wofür der Token ist, z. B. „Website“ oder „Newsletter-Abgleich“."),
        validators=[required(_l("Bitte einen Namen angeben.")), max_length(100)],
    )
    scope = SelectField(
        _l("Berechtigung"),
        choices=SCOPE_CHOICES,
        default=ApiScope.READ.value,
        validate_choice=False,
    )
    valid_until = GermanDateField(
        _l("Gültig bis (einschließlich)"),
        description=_l("Leer lassen für einen Token ohne Ablaufdatum."),
        validators=[Optional()],
    )

    def validate_scope(self, field: Any) -> None:
        """Only the offered scopes."""
        if field.data not in {choice.value for choice in SCOPE_CHOICES}:
            raise ValidationError(_l("Bitte eine der angebotenen Berechtigungen wählen."))

    def validate_valid_until(self, field: Any) -> None:
        """A last day in the past would make a token that never works."""
        if field.data is not None and not dt.date.today() <= field.data <= dt.date(2100, 12, 31):
            raise ValidationError(_l("Bitte ein Datum ab heute angeben."))

    def expires_at(self) -> dt.datetime | None:
        """The end of the last valid day (midnight after it, Europe/Berlin), in UTC."""
        if self.valid_until.data is None:
            return None
        midnight = dt.datetime.combine(self.valid_until.data + dt.timedelta(days=1), dt.time())
        return midnight.replace(tzinfo=BERLIN).astimezone(dt.UTC)
