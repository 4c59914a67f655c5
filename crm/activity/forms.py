"""Forms of the activity feature: logging and editing an interaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import InteractionKind
from crm.web.fields import BerlinDateTimeField
from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import multi_select_field
from crm.web.fields import one_of
from crm.web.fields import plausible_year
from crm.web.fields import required
from crm.web.fields import select_field

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100


_plausible_year = plausible_year(EARLIEST_YEAR, LATEST_YEAR)


class InteractionForm(Form):
    """Kind, time, subject, notes, persons and an optional follow-up.

    Choices that depend on the database (persons, follow-up owners) are set by the
    view; the checks against them are ours, with German messages, so that a tampered
    value never reaches SQL and never shows an English WTForms message.
    """

    kind = select_field(
        _l("Art"),
        required(_l("Bitte die Art wählen.")),
        one_of(InteractionKind, _l("Bitte eine der angebotenen Arten wählen.")),
    )
    occurred_at = BerlinDateTimeField(
        _l("Datum und Uhrzeit"),
        format="%Y-%m-%dT%H:%M",
        validators=[required(_l("Bitte Datum und Uhrzeit angeben.")), _plausible_year],
    )
    subject = StringField(
        _l("Betreff"),
        validators=[
            required(_l("Bitte einen Betreff angeben.")),
            Length(max=200, message=_l("Höchstens 200 Zeichen.")),
        ],
    )
    notes = TextAreaField(
        _l("Notizen"), validators=[Length(max=10_000, message=_l("Höchstens 10.000 Zeichen."))]
    )
    persons = multi_select_field(_l("Beteiligte Personen"))
    follow_up_due = GermanDateField(
        _l("Wiedervorlage am"), validators=[Optional(), _plausible_year]
    )
    follow_up_owner = select_field(_l("Wiedervorlage für"))

    def validate_subject(self, field: Any) -> None:
        """A subject of blanks is no subject."""
        if not (field.data or "").strip():
            raise ValidationError(_l("Bitte einen Betreff angeben."))

    def validate_persons(self, field: Any) -> None:
        """Only persons offered in the select."""
        offered = {str(value) for value, _label in self.persons.choices or []}
        if any(value not in offered for value in field.data or []):
            raise ValidationError(_l("Bitte nur angebotene Personen auswählen."))

    def validate_follow_up_owner(self, field: Any) -> None:
        """The owner must be one of the offered staff accounts (blank means: me)."""
        offered = {str(value) for value, _label in self.follow_up_owner.choices or []}
        if field.data and field.data not in offered:
            raise ValidationError(
                _l("Eine Wiedervorlage kann nur an Beschäftigte der Geschäftsstelle gehen.")
            )

    def person_ids(self) -> list[int]:
        """The chosen persons as ids (after validation)."""
        return sorted({int(value) for value in self.persons.data or []})

    def owner_id(self) -> int | None:
        """The chosen follow-up owner as an id, None when blank (after validation)."""
        return int(self.follow_up_owner.data) if self.follow_up_owner.data else None

    def occurred_local(self) -> dt.datetime | None:
        """The entered local (Europe/Berlin) time, naive."""
        value: dt.datetime | None = self.occurred_at.data
        return value
