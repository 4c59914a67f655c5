"""Forms of the network pages: the decision buttons under a suggestion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf

from crm.models import SuggestionDecision
from crm.web.fields import Form
from crm.web.fields import required


class DecisionForm(Form):
    """Accept, dismiss or postpone one suggestion (three submit buttons, one field)."""

    decision = StringField(
        _l("Entscheidung"),
        validators=[
            required(_l("Bitte eine Entscheidung wählen.")),
            AnyOf([d.value for d in SuggestionDecision], _l("Unbekannte Entscheidung.")),
        ],
    )
