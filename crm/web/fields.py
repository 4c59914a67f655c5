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
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField
from wtforms import DateTimeLocalField
from wtforms import Form as WTForm
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError


def blank_if_whitespace(value: Any) -> Any:
    """A text of only whitespace is the empty text; anything else stays as typed."""
    if isinstance(value, str) and not value.strip():
        return ""
    return value


class Form(FlaskForm):
    """The base of every form: a whitespace-only input reads as blank, in every field.

    So a required field answers " " with its own message, a checkbox posted with " " is
    not ticked, and a check that looks at `field.data` sees no value, exactly as for an
    empty input. Text with content is kept as typed (a password may begin with a space).
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """The submitted data with every whitespace-only value made empty."""
            data = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            if data is None or not hasattr(data, "items"):
                return data
            return MultiDict(
                [(key, blank_if_whitespace(value)) for key, value in data.items(multi=True)]
            )

        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            """Render with what assistive technology and browsers need, in every form:
            `aria-invalid` on a field with errors, and `autocomplete` on personal fields
            (WCAG 1.3.5). A template's or field's own value wins."""
            given = {key.rstrip("_").replace("_", "-") for key in render_kw}
            given |= {key.rstrip("_").replace("_", "-") for key in (field.render_kw or {})}
            extra: dict[str, Any] = {}
            if field.errors and "aria-invalid" not in given:
                extra["aria-invalid"] = "true"
            token = autocomplete_token(field)
            if token and "autocomplete" not in given:
                extra["autocomplete"] = token
            return super().render_field(field, {**extra, **render_kw})  # type: ignore[misc]


# The purpose of personal fields (WCAG 1.3.5 "Identify Input Purpose"), by field name.
AUTOCOMPLETE = {
    "salutation": "honorific-prefix",
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "phone": "tel",
    "organisation": "organization",
    "function": "organization-title",
    "street": "street-address",
    "plz": "postal-code",
    "place": "address-level2",
    "website": "url",
}
_TEXT_INPUTS = {"StringField", "EmailField", "TelField", "URLField", "SearchField"}


def autocomplete_token(field: Any) -> str | None:
    """The `autocomplete` value of a personal text field (given name, e-mail, postcode …);
    None for any other field."""
    if field.type not in _TEXT_INPUTS:
        return None
    return AUTOCOMPLETE.get(field.short_name)


def field_errors(context_values: Any) -> list[tuple[str, str, str]]:
    """(label, field id, message) of every error of the forms among `context_values`, in
    field order; a form-level error has an empty id. For the error summary and the title."""
    found: list[tuple[str, str, str]] = []
    for value in context_values:
        if not isinstance(value, WTForm) or not value.errors:
            continue
        for message in getattr(value, "form_errors", None) or []:
            found.append(("", "", str(message)))
        for field in value:
            hidden = field.type in ("HiddenField", "CSRFTokenField")
            for message in field.errors or ():
                label = "" if hidden else str(field.label.text)
                found.append((label, "" if hidden else field.id, str(message)))
    return found


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


# Whole numbers are stored in INTEGER columns (32 bits on PostgreSQL); anything beyond is
# refused here, before a check (WTForms' NumberRange calls math.isnan, which overflows
# for huge ints) or the database meets it.
INTEGER_LIMIT = 2**31 - 1


class GermanIntegerField(_GermanParse, IntegerField):
    """A whole number with a German error message, within the database's integer range."""

    message = _l("Bitte eine ganze Zahl angeben.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the value; one outside the integer range is refused."""
        if valuelist and len(str(valuelist[0]).strip()) > len(str(INTEGER_LIMIT)) + 1:
            self.data = None
            raise ValueError(_l("Diese Zahl ist zu groß."))
        super().process_formdata(valuelist)
        if isinstance(self.data, int) and abs(self.data) > INTEGER_LIMIT:
            self.data = None
            raise ValueError(_l("Diese Zahl ist zu groß."))


class GermanDateField(_GermanParse, DateField):
    """A date with a German error message."""

    message = _l("Bitte ein gültiges Datum angeben.")


class BerlinDateTimeField(_GermanParse, DateTimeLocalField):
    """A local date and time (Europe/Berlin) with a German error message."""

    message = _l("Bitte ein gültiges Datum mit Uhrzeit angeben.")


class Required(InputRequired):
    """A required field: nothing, blank and whitespace alike get the field's `message`.

    WTForms' InputRequired lets " " through (the input is not empty), and a date or
    number field then holds None past validation; DataRequired would refuse a 0. This
    looks at what was typed, stripped, and stops the field's other checks when it is empty.
    """

    def __call__(self, form: Any, field: Any) -> None:
        """Refuse a missing or whitespace-only input with the field's message."""
        raw = field.raw_data or []
        # A single-valued field reads the first value, a multiple one all of them.
        values = raw if isinstance(field.data, list) else raw[:1]
        if any(str(value).strip() for value in values):
            return
        message = self.message if self.message is not None else _l("Bitte ausfüllen.")
        field.errors[:] = []
        raise StopValidation(message)


def required(message: Any = None) -> Required:
    """The required check of every form, with the field's own message."""
    return Required(message)


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
        if isinstance(field.data, list):  # a multiple select: every value must be offered
            bad = any(str(v) not in offered for v in field.data)
        else:  # a single select: blank is "none"
            bad = bool(field.data) and str(field.data) not in offered
        if bad:
            raise ValidationError(message)

    return check


def parse_version(raw: object) -> int | None:
    """The record version a form was rendered with; None when missing or garbled."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def plausible_year(earliest: int, latest: int) -> Any:
    """A date (or date and time) whose year lies from `earliest` to `latest`; blank passes."""

    def check(_form: Any, field: Any) -> None:
        if field.data is not None and not earliest <= field.data.year <= latest:
            raise ValidationError(
                _l("Bitte ein Datum zwischen %(a)s und %(b)s angeben.", a=earliest, b=latest)
            )

    return check


def one_of(enum_cls: Any, message: Any, *, optional: bool = False) -> Any:
    """Only a value of `enum_cls` (or blank, when `optional`), else `message`."""

    def check(_form: Any, field: Any) -> None:
        if optional and not field.data:
            return
        if field.data not in {member.value for member in enum_cls}:
            raise ValidationError(message)

    return check


def select_field(label: Any, *validators: Any, **kwargs: Any) -> SelectField:
    """A select whose choices the view sets (with translated labels); `validators` check
    the value, in German (WTForms' own choice check is English, so it is off)."""
    return SelectField(
        label, choices=[], validate_choice=False, validators=list(validators), **kwargs
    )


def multi_select_field(label: Any, *validators: Any, **kwargs: Any) -> SelectMultipleField:
    """Like `select_field`, for several values."""
    return SelectMultipleField(
        label, choices=[], validate_choice=False, validators=list(validators), **kwargs
    )
