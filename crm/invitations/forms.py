"""Forms of the invitations: a campaign (filters and texts), and the confirmations."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField

from crm.web.fields import Form
from crm.web.fields import max_length
from crm.web.fields import only_offered
from crm.web.fields import required
from crm.web.fields import select_field

_OFFERED = _l("Bitte einen der angebotenen Werte wählen.")


class CampaignForm(Form):
    """A campaign: its name, the person filters that select the recipients, and the
    subject and opening text of the mail in German and English."""

    FILTERS = ("land", "kreis", "role", "orgtype", "theme", "event")

    version = HiddenField()
    name = StringField(
        _l("Bezeichnung"),
        validators=[required(_l("Bitte eine Bezeichnung angeben.")), max_length(200)],
    )
    land = select_field(_l("Bundesland"), only_offered(_OFFERED))
    kreis = select_field(_l("Kreis"), only_offered(_OFFERED))
    role = select_field(_l("Rolle in Initiative"), only_offered(_OFFERED))
    orgtype = select_field(_l("Organisationstyp"), only_offered(_OFFERED))
    theme = select_field(_l("Thema"), only_offered(_OFFERED))
    event = select_field(_l("Teilgenommen an"), only_offered(_OFFERED))
    subject_de = StringField(
        _l("Betreff (Deutsch)"),
        validators=[required(_l("Bitte einen Betreff angeben.")), max_length(200)],
    )
    subject_en = StringField(
        _l("Betreff (Englisch)"),
        validators=[required(_l("Bitte einen Betreff angeben.")), max_length(200)],
    )
    intro_de = TextAreaField(_l("Einleitung (Deutsch)"), validators=[max_length(5000)])
    intro_en = TextAreaField(_l("Einleitung (Englisch)"), validators=[max_length(5000)])

    def set_choices(self, options: dict[str, list[tuple[str, str]]]) -> None:
        """The filter options (from the person list), each with a blank "all"."""
        for name in self.FILTERS:
            getattr(self, name).choices = [("", "—")] + options[name]

    def filters(self) -> dict[str, str]:
        """The chosen filters (after validation)."""
        return {name: getattr(self, name).data for name in self.FILTERS if getattr(self, name).data}

    def initial(self, values: dict[str, Any]) -> None:
        """Fill in a stored campaign (on GET)."""
        for key, value in values.items():
            getattr(self, key).data = value


class ConfirmForm(Form):
    """The button of a confirmation page (CSRF only)."""
