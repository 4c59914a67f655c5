"""Forms of the follow-up: a material, the send step, the attendance report, feedback."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import max_length
from crm.web.fields import only_offered
from crm.web.fields import required
from crm.web.fields import select_field
from crm.web.fields import web_url

RATING_CHOICES = [SelectChoice(str(n), str(n)) for n in (1, 2, 3, 4, 5)]


class MaterialForm(Form):
    """A link or a file, for the whole event or one workshop."""

    title = StringField(
        _l("Titel"), validators=[required(_l("Bitte einen Titel angeben.")), max_length(200)]
    )
    workshop = select_field(_l("Für"), only_offered(_l("Bitte aus der Liste wählen.")))
    url = StringField(_l("Link"), validators=[Optional(), max_length(500), web_url])
    file = FileField(_l("oder Datei (PDF, PPTX, DOCX, XLSX, Bild)"))

    def workshop_id(self) -> int | None:
        """The chosen workshop (None: the whole event)."""
        return int(self.workshop.data) if self.workshop.data else None

    def has_file(self) -> bool:
        """Was a file chosen?"""
        return bool(self.file.data and getattr(self.file.data, "filename", ""))

    def validate(self, extra_validators: Any = None) -> bool:
        """Exactly one of link and file."""
        valid = super().validate(extra_validators)
        if valid and bool(self.url.data) == self.has_file():
            self.url.errors = [*self.url.errors, _l("Bitte einen Link oder eine Datei angeben.")]
            return False
        return valid


class SendForm(Form):
    """Who gets the follow-up mail, and until when feedback is taken."""

    include_absent = BooleanField(_l("Auch Angemeldete ohne Teilnahmenachweis anschreiben"))
    closes_on = GermanDateField(
        _l("Rückmeldungen möglich bis"),
        validators=[required(_l("Bitte ein Datum angeben."))],
    )


class AttendanceForm(Form):
    """The attendance report of the meeting tool."""

    file = FileField(
        _l("Teilnahmebericht (CSV oder XLSX)"),
        validators=[FileRequired(_l("Bitte eine Datei wählen."))],
    )


class FeedbackForm(Form):
    """The participant's short feedback."""

    overall = RadioField(
        _l("Wie bewerten Sie die Veranstaltung insgesamt?"),
        choices=RATING_CHOICES,
        validators=[required(_l("Bitte eine Bewertung von 1 bis 5 wählen."))],
    )
    workshop_rating = RadioField(
        _l("Wie bewerten Sie Ihren Workshop?"),
        choices=RATING_CHOICES,
        validators=[Optional()],
    )
    comment = TextAreaField(_l("Anmerkungen"), validators=[Optional(), max_length(2000)])
