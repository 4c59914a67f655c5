"""Forms of the data-protection pages: erasure and restriction (with a reason), objection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from crm.models import ConsentPurpose
from crm.web.fields import Form
from crm.web.fields import required
from crm.web.labels import LABELS


def _reason_field(
    text: LazyString, missing: LazyString, limit: int, too_long: LazyString
) -> TextAreaField:
    """The required reason of a request, at most `limit` characters."""
    return TextAreaField(text, validators=[required(missing), Length(max=limit, message=too_long)])


class EraseForm(Form):
    """'Personendaten löschen': a reason (logged) and an explicit confirmation."""

    reason = _reason_field(
        _l("Grund der Löschung (ohne personenbezogene Angaben)"),
        _l("Bitte einen Grund für die Löschung angeben."),
        2000,
        _l("Der Grund darf höchstens 2000 Zeichen lang sein."),
    )
    confirm = BooleanField(
        _l("Ich habe verstanden: Die Daten werden endgültig gelöscht."),
        validators=[required(_l("Bitte bestätigen, dass die Daten endgültig gelöscht werden."))],
    )


class RestrictForm(Form):
    """Restrict processing (Art. 18): the reason is required."""

    reason = _reason_field(
        _l("Grund der Einschränkung"),
        _l("Bitte einen Grund für die Einschränkung angeben."),
        500,
        _l("Der Grund darf höchstens 500 Zeichen lang sein."),
    )


class ObjectionForm(Form):
    """Objection to a purpose (Art. 21): that consent is revoked everywhere."""

    purpose = SelectField(
        _l("Zweck"),
        choices=[SelectChoice(p.value, LABELS[p]) for p in ConsentPurpose],  # lazy: per request
        validate_choice=False,
        validators=[required(_l("Bitte einen Zweck wählen."))],
    )

    def purpose_value(self) -> ConsentPurpose | None:
        """The chosen purpose, or None for a value that is not one."""
        try:
            return ConsentPurpose(self.purpose.data)
        except ValueError:
            return None


class RetentionForm(Form):
    """The bulk action of the retention rules: an explicit confirmation."""

    confirm = BooleanField(
        _l("Ja, das Fällige jetzt ausführen (endgültig)."),
        validators=[required(_l("Bitte bestätigen, dass das Fällige ausgeführt wird."))],
    )
