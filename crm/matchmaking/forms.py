"""Forms of the practitioner exchange: the office's settings per event, and the
participants' request form (wishes, opting in and answers are buttons, checked in the views).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.events.forms import LocalDateTimeField
from crm.matchmaking import slots as slot_math
from crm.models import MeetingVideoMode
from crm.web.fields import Form
from crm.web.fields import GermanIntegerField
from crm.web.fields import max_length
from crm.web.fields import one_of
from crm.web.fields import required
from crm.web.fields import select_field
from crm.web.fields import web_url

MESSAGE_LENGTH = 300
MAX_TABLES = 200


def _number(label: Any, low: int, high: int) -> GermanIntegerField:
    message = _l("Bitte eine Zahl von %(a)s bis %(b)s angeben.", a=low, b=high)
    return GermanIntegerField(
        label, validators=[required(message), NumberRange(low, high, message=message)]
    )


def _is_web_link(value: str) -> bool:
    class _Field:
        data = value

    try:
        web_url(None, _Field())
    except ValidationError:
        return False
    return True


class SettingsForm(Form):
    """On or off, meeting length, window, caps, expiry, the fixed date, the video links."""

    # the settings' version the form was rendered with ("" for settings never saved)
    version = HiddenField()
    enabled = BooleanField(_l("Austausch der Praktiker (1:1-Treffen) einschalten"))
    meeting_minutes = select_field(
        _l("Länge eines Treffens"),
        lambda _f, field: _check_minutes(field),
    )
    window_starts_at = LocalDateTimeField(_l("Zeitfenster von"), validators=[Optional()])
    window_ends_at = LocalDateTimeField(_l("Zeitfenster bis"), validators=[Optional()])
    max_meetings_per_person = _number(_l("Höchstens Treffen je Person"), 1, 20)
    max_open_sent = _number(_l("Höchstens offene gesendete Anfragen je Person"), 0, 50)
    max_open_received = _number(_l("Höchstens offene erhaltene Anfragen je Person"), 0, 50)
    request_expiry_hours = _number(_l("Anfragen verfallen nach (Stunden)"), 1, 720)
    fixed_at = LocalDateTimeField(
        _l("Plan steht fest ab (danach keine Wünsche und Anfragen mehr)"), validators=[Optional()]
    )
    video_mode = select_field(
        _l("Videolinks"),
        one_of(MeetingVideoMode, _l("Bitte eine der angebotenen Arten wählen.")),
    )
    video_pattern = StringField(
        _l("Muster des Raumlinks ({token} wird ein nicht erratbarer Name)"),
        validators=[max_length(300), web_url],
    )
    video_tables = TextAreaField(
        _l("Links der virtuellen Tische (einer je Zeile)"), validators=[max_length(20_000)]
    )

    def validate_window_ends_at(self, field: Any) -> None:
        """The end lies after the beginning, and the window holds whole slots, not days."""
        start, end = self.window_starts_at.data, field.data
        if self.enabled.data and (start is None or end is None):
            raise ValidationError(_l("Bitte das Zeitfenster mit Beginn und Ende angeben."))
        if start is None or end is None:
            return
        if end <= start:
            raise ValidationError(_l("Das Ende muss nach dem Beginn liegen."))
        minutes = _minutes(self.meeting_minutes.data)
        if minutes is None:
            return
        if end - start < dt.timedelta(minutes=minutes):
            raise ValidationError(_l("Das Zeitfenster ist kürzer als ein Treffen."))
        if end - start > dt.timedelta(minutes=minutes * slot_math.MAX_SLOTS):
            raise ValidationError(
                _l("Das Zeitfenster ist zu lang (höchstens %(n)s Treffen).", n=slot_math.MAX_SLOTS)
            )

    def validate_fixed_at(self, field: Any) -> None:
        """Wishes close before the meetings begin."""
        start = self.window_starts_at.data
        if field.data is not None and start is not None and field.data > start:
            raise ValidationError(
                _l("Der Plan muss spätestens zu Beginn des Zeitfensters feststehen.")
            )

    def validate_video_pattern(self, field: Any) -> None:
        """A pattern needs its {token}, so that nobody can guess another meeting's room."""
        value = (field.data or "").strip()
        if self.video_mode.data != MeetingVideoMode.PATTERN.value:
            return
        if not value:
            if self.enabled.data:
                raise ValidationError(_l("Bitte ein Muster für die Raumlinks angeben."))
            return
        if "{token}" not in value:
            raise ValidationError(_l("Das Muster muss {token} enthalten."))
        stripped = value.replace("{token}", "x")
        if "{" in stripped or "}" in stripped:
            raise ValidationError(_l("Außer {token} sind keine geschweiften Klammern erlaubt."))

    def validate_video_tables(self, field: Any) -> None:
        """One http(s) link per line, when the tables are chosen."""
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if self.video_mode.data != MeetingVideoMode.TABLES.value:
            return
        if not lines and self.enabled.data:
            raise ValidationError(_l("Bitte mindestens einen Link angeben."))
        if len(lines) > MAX_TABLES:
            raise ValidationError(_l("Höchstens %(n)s Tische.", n=MAX_TABLES))
        for number, line in enumerate(lines, start=1):
            if len(line) > 300 or not _is_web_link(line):
                raise ValidationError(
                    _l(
                        "Zeile %(n)s ist kein Link beginnend mit https:// oder http://.",
                        n=number,
                    )
                )


def _minutes(value: Any) -> int | None:
    try:
        minutes = int(str(value))
    except ValueError:
        return None
    return minutes if minutes in slot_math.LENGTHS else None


def _check_minutes(field: Any) -> None:
    if _minutes(field.data) is None:
        raise ValidationError(_l("Bitte 15, 20 oder 30 Minuten wählen."))


class RequestForm(Form):
    """A request to meet, with a short message."""

    message = TextAreaField(
        _l("Kurze Nachricht (freiwillig)"),
        validators=[max_length(MESSAGE_LENGTH)],
        render_kw={"maxlength": MESSAGE_LENGTH, "rows": 3},
    )
