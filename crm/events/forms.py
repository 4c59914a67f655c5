"""Forms of the events feature: staff forms for events, agenda and workshops; the public
registration form and the preference form behind the personal link.

Select choices that depend on the database are set by the view; the checks against
them are ours, with German messages, so that a tampered value never reaches SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import AgendaKind
from crm.models import EventMode
from crm.models import EventStatus
from crm.models import EventType
from crm.web.fields import Form
from crm.web.fields import GermanIntegerField
from crm.web.fields import max_length
from crm.web.fields import offered_values
from crm.web.fields import required
from crm.web.fields import web_url

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MAX_CAPACITY = 100_000
RANKS = (1, 2, 3)


class LocalDateTimeField(DateTimeLocalField):
    """A Europe/Berlin wall-clock date and time with German error messages."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the value; an unreadable one gets our message."""
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Bitte ein gültiges Datum mit Uhrzeit angeben.")) from exc
        if self.data is not None and not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValueError(
                _l(
                    "Bitte ein Datum zwischen %(a)s und %(b)s angeben.",
                    a=EARLIEST_YEAR,
                    b=LATEST_YEAR,
                )
            )


def _not_blank(message: Any) -> Any:
    def check(_form: Any, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError(message)

    # a required field: the label says "Pflichtfeld" and the input carries `required`
    check.field_flags = {"required": True}  # type: ignore[attr-defined]
    return check


def _one_of(enum_cls: Any, message: Any) -> Any:
    def check(_form: Any, field: Any) -> None:
        if field.data not in {m.value for m in enum_cls}:
            raise ValidationError(message)

    return check


def _title_field() -> Any:
    """The required title of an event, a programme block or a workshop."""
    return StringField(
        _l("Titel"), validators=[_not_blank(_l("Bitte einen Titel angeben.")), max_length(200)]
    )


def _starts_field() -> Any:
    """The required beginning of an event or a programme block."""
    return LocalDateTimeField(_l("Beginn"), validators=[required(_l("Bitte den Beginn angeben."))])


def _ends_field() -> Any:
    """The required end of an event or a programme block."""
    return LocalDateTimeField(_l("Ende"), validators=[required(_l("Bitte das Ende angeben."))])


def _kind_field(label: Any, enum_cls: Any, message: Any) -> Any:
    """A select of one of `enum_cls`'s values; the view sets the choices."""
    return SelectField(
        label, choices=[], validate_choice=False, validators=[_one_of(enum_cls, message)]
    )


def _seats() -> NumberRange:
    """A number of places from 0 up to MAX_CAPACITY."""
    return NumberRange(0, MAX_CAPACITY, message=_l("Bitte eine Zahl von 0 bis 100.000 angeben."))


class _TimeSpan:
    """Beginning and end of an event or a programme block: the end comes last."""

    starts_at: LocalDateTimeField

    def validate_ends_at(self, field: Any) -> None:
        """The end lies after the beginning."""
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("Das Ende muss nach dem Beginn liegen."))


class EventForm(_TimeSpan, Form):
    """Title, type, mode, place, times, description, capacity, window, fee and status."""

    version = HiddenField()
    title = _title_field()
    type = _kind_field(_l("Art"), EventType, _l("Bitte eine der angebotenen Arten wählen."))
    mode = _kind_field(_l("Format"), EventMode, _l("Bitte online, Präsenz oder hybrid wählen."))
    venue = StringField(_l("Veranstaltungsort"), validators=[max_length(300)])
    online_url = StringField(_l("Link zur Online-Teilnahme"), validators=[max_length(300), web_url])
    starts_at = _starts_field()
    ends_at = _ends_field()
    description = TextAreaField(
        _l("Beschreibung"),
        validators=[Length(max=20_000, message=_l("Höchstens 20.000 Zeichen."))],
    )
    capacity = GermanIntegerField(
        _l("Plätze"),
        description=_l(
            "Leer lassen für unbegrenzt. Weitere Anmeldungen kommen auf die Warteliste."
        ),
        validators=[Optional(), _seats()],
    )
    registration_opens_at = LocalDateTimeField(_l("Anmeldung ab"), validators=[Optional()])
    registration_closes_at = LocalDateTimeField(_l("Anmeldung bis"), validators=[Optional()])
    is_free = BooleanField(_l("Teilnahme kostenfrei"), default=True)
    fee_note = StringField(_l("Hinweis zur Teilnahmegebühr"), validators=[max_length(200)])
    status = _kind_field(
        _l("Status"), EventStatus, _l("Bitte einen der angebotenen Status wählen.")
    )

    def validate_registration_closes_at(self, field: Any) -> None:
        """The window closes after it opens."""
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError(_l("Das Ende der Anmeldung muss nach ihrem Beginn liegen."))

    def validate_venue(self, field: Any) -> None:
        """Events on site need a place."""
        if (
            self.mode.data in (EventMode.PRAESENZ, EventMode.HYBRID)
            and not (field.data or "").strip()
        ):
            raise ValidationError(_l("Bitte den Veranstaltungsort angeben."))

    def validate_fee_note(self, field: Any) -> None:
        """An event with a fee says what it costs."""
        if not self.is_free.data and not (field.data or "").strip():
            raise ValidationError(_l("Bitte angeben, was die Teilnahme kostet."))


class AgendaBlockForm(_TimeSpan, Form):
    """One programme block."""

    starts_at = _starts_field()
    ends_at = _ends_field()
    title = _title_field()
    kind = _kind_field(_l("Art"), AgendaKind, _l("Bitte Plenum, Austausch oder Workshops wählen."))


class WorkshopForm(Form):
    """A parallel workshop: title, description, themes, capacity, moderator, room link."""

    title = _title_field()
    description = TextAreaField(
        _l("Beschreibung"),
        validators=[Length(max=10_000, message=_l("Höchstens 10.000 Zeichen."))],
    )
    themes = SelectMultipleField(_l("Themen"), choices=[], validate_choice=False)
    capacity = GermanIntegerField(
        _l("Plätze"),
        validators=[required(_l("Bitte die Zahl der Plätze angeben.")), _seats()],
    )
    position = GermanIntegerField(
        _l("Reihenfolge"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 1000, message=_l("Bitte eine Zahl von 0 bis 1.000 angeben.")),
        ],
    )
    moderator_email = StringField(
        _l("Moderation (E-Mail einer Person im Verzeichnis)"), validators=[max_length(254)]
    )
    online_url = StringField(
        _l("Link zum Online-Raum des Workshops"),
        description=_l("Nur für die zugeteilten Teilnehmenden; leer: der Link der Veranstaltung."),
        validators=[max_length(300), web_url],
    )

    def validate_themes(self, field: Any) -> None:
        """Only offered themes."""
        if any(value not in offered_values(self.themes) for value in field.data or []):
            raise ValidationError(_l("Bitte nur angebotene Themen wählen."))

    def theme_ids(self) -> list[int]:
        """The chosen themes as ids (after validation)."""
        return sorted({int(v) for v in self.themes.data or []})


class PreferenceFields:
    """Ranked workshop wishes shared by the registration and the personal-link form."""

    pref1: SelectField
    pref2: SelectField
    pref3: SelectField

    def preference_fields(self) -> list[SelectField]:
        """The three wish fields, first choice first."""
        return [self.pref1, self.pref2, self.pref3]

    def check_preferences(self, required: bool) -> bool:
        """Each wish names a workshop of this event, none twice; the first one if `required`."""
        ok = True
        seen: set[str] = set()
        for field in self.preference_fields():
            value = field.data or ""
            if not value:
                continue
            if value not in offered_values(field):
                field.errors = [
                    *field.errors,
                    _l("Bitte einen Workshop dieser Veranstaltung wählen."),
                ]
                ok = False
            elif value in seen:
                field.errors = [*field.errors, _l("Bitte jeden Workshop nur einmal wählen.")]
                ok = False
            seen.add(value)
        if required and not self.pref1.data:
            self.pref1.errors = [*self.pref1.errors, _l("Bitte Ihren Erstwunsch wählen.")]
            ok = False
        return ok

    def workshop_ids(self) -> list[int]:
        """The wishes as workshop ids in rank order (after validation; gaps closed)."""
        return [int(f.data) for f in self.preference_fields() if f.data]


def _name_field(label: Any, message: Any) -> Any:
    """A required name of the person registering."""
    return StringField(label, validators=[_not_blank(message), max_length(100)])


def _pref_field(label: Any) -> SelectField:
    return SelectField(label, choices=[], validate_choice=False)


class RegistrationForm(PreferenceFields, Form):
    """The public registration form, with a honeypot field that people never see."""

    first_name = _name_field(_l("Vorname"), _l("Bitte Ihren Vornamen angeben."))
    last_name = _name_field(_l("Nachname"), _l("Bitte Ihren Nachnamen angeben."))
    email = StringField(
        _l("E-Mail"),
        validators=[
            required(_l("Bitte Ihre E-Mail-Adresse angeben.")),
            max_length(254),
            Email(_l("Bitte eine gültige E-Mail-Adresse angeben.")),
        ],
    )
    organisation = StringField(_l("Organisation"), validators=[max_length(200)])
    initiative = SelectField(_l("Initiative (optional)"), choices=[], validate_choice=False)
    function = StringField(_l("Funktion"), validators=[max_length(120)])
    pref1 = _pref_field(_l("Erstwunsch"))
    pref2 = _pref_field(_l("Zweitwunsch"))
    pref3 = _pref_field(_l("Drittwunsch"))
    consent_event = BooleanField(
        _l(
            "Ich bin einverstanden, dass die Geschäftsstelle meine Angaben für diese Veranstaltung "
            "verarbeitet und mich dazu per E-Mail kontaktiert (erforderlich)."
        )
    )
    consent_newsletter = BooleanField(_l("Ich möchte den Newsletter erhalten."))
    consent_photos = BooleanField(
        _l("Fotos, auf denen ich zu sehen bin, dürfen veröffentlicht werden.")
    )
    consent_participant_list = BooleanField(
        _l("Ich möchte mit Name und Organisation in der Teilnehmendenliste stehen.")
    )
    # the practitioner exchange (only shown when the event has one open): its own consent,
    # worded in templates/matchmaking/_consent.html
    consent_matchmaking = BooleanField(
        _l("Ja, ich nehme am Austausch der Praktiker (1:1-Treffen) teil und bin einverstanden.")
    )
    # The honeypot: hidden by CSS, left empty by people, filled in by form-filling bots.
    website = StringField(_l("Bitte dieses Feld leer lassen"))

    def validate_consent_event(self, field: Any) -> None:
        """Registration needs consent to the event communication."""
        if not field.data:
            raise ValidationError(
                _l("Ohne diese Einwilligung können wir Ihre Anmeldung nicht bearbeiten.")
            )

    def validate_initiative(self, field: Any) -> None:
        """Only an offered initiative (or none)."""
        if field.data and field.data not in offered_values(field):
            raise ValidationError(_l("Bitte eine der angebotenen Initiativen wählen."))

    def is_bot(self) -> bool:
        """Did something fill in the honeypot?"""
        return bool((self.website.data or "").strip())

    def initiative_id(self) -> int | None:
        """The chosen initiative (after validation)."""
        return int(self.initiative.data) if self.initiative.data else None


class PreferenceForm(PreferenceFields, Form):
    """Changing the workshop wishes behind the personal link."""

    pref1 = _pref_field(_l("Erstwunsch"))
    pref2 = _pref_field(_l("Zweitwunsch"))
    pref3 = _pref_field(_l("Drittwunsch"))


def required_time(value: Any) -> dt.datetime:
    """The value of a validated, required date-and-time field."""
    if not isinstance(value, dt.datetime):
        raise TypeError("validated form expected")
    return value
