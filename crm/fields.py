"""Form fields and checks shared by every feature's forms, with German messages.

WTForms' own parse errors are English and technical; these fields answer in our
words, treat a blank input as "no value" (so the required-check speaks, not the
parser), and the checks cover what several forms ask: a web link, a length, a value
the view offered.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, IntegerField
from wtforms.validators import Length, ValidationError


class _GermanParse:
    """Blank means None; an unreadable value raises `message` instead of WTForms' text."""

    message: Any = _l("Bitte einen gültigen Wert angeben.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the value; an unreadable one gets our message."""
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as exc:
            raise ValueError(self.message) from exc


class GermanIntegerField(_GermanParse, IntegerField):
    """A whole number with a German error message."""

    message = _l("Bitte eine ganze Zahl angeben.")


class GermanDateField(_GermanParse, DateField):
    """A date with a German error message."""

    message = _l("Bitte ein gültiges Datum angeben.")


class BerlinDateTimeField(_GermanParse, DateTimeLocalField):
    """A local date and time (Europe/Berlin) with a German error message."""

    message = _l("Bitte ein gültiges Datum mit Uhrzeit angeben.")


def web_url(_form: Any, field: Any) -> None:
    """Only http(s) links with a host: no javascript:, data: or relative links."""
    value = (field.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError(_l("Bitte einen Link beginnend mit https:// oder http:// angeben."))


def max_length(n: int) -> Length:
    """At most `n` characters, said in German."""
    return Length(max=n, message=_l("Höchstens %(n)s Zeichen.", n=n))


def offered_values(field: Any) -> set[str]:
    """The values a select field was offered (as strings)."""
    return {str(value) for value, _label in field.choices or []}


def only_offered(message: Any) -> Any:
    """Single or multiple select: only values the view offered, else `message`."""

    def check(_form: Any, field: Any) -> None:
        offered = offered_values(field)
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(v and str(v) not in offered for v in values):
            raise ValidationError(message)

    return check


def parse_version(raw: object) -> int | None:
    """The record version a form was rendered with; None when missing or garbled."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None
