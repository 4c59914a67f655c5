"""Forms of the links between records: memberships, affiliations, initiative roles and
relationships. A "new" form adds the picker of the other side (a search box that fills a
hidden id); an edit form changes only the attributes of the link, never its two ends."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import InitiativeRoleKind
from crm.models import MembershipRole
from crm.models import RelationshipKind
from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import one_of
from crm.web.fields import plausible_year
from crm.web.fields import required
from crm.web.fields import select_field

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

_plausible_year = plausible_year(EARLIEST_YEAR, LATEST_YEAR)


class PickerMixin:
    """The other end of a new link: a search box (`other_name`) and the chosen id.

    The label of the search box is set by the view (Initiative, Organisation, Person);
    whether the id names an existing record is checked by the view, against the database.
    """

    other_name = StringField(
        _l("Datensatz"), validators=[Length(max=300, message=_l("Höchstens 300 Zeichen."))]
    )
    other_id = HiddenField()


class PeriodForm(Form):
    """Since and until, both optional; until never before since."""

    since = GermanDateField(
        _l("Seit"), validators=[Optional(), _plausible_year], render_kw={"autocomplete": "off"}
    )
    until = GermanDateField(
        _l("Bis"),
        validators=[Optional(), _plausible_year],
        description=_l("Leer lassen, solange die Verbindung besteht."),
        render_kw={"autocomplete": "off"},
    )

    def validate_until(self, field: Any) -> None:
        """The period must not end before it begins."""
        if field.data is not None and self.since.data is not None and field.data < self.since.data:
            raise ValidationError(_l("Das Ende darf nicht vor dem Beginn liegen."))


def _role_field(enum_cls: Any) -> SelectField:
    """A required role out of `enum_cls`."""
    return select_field(
        _l("Rolle"),
        required(_l("Bitte eine Rolle wählen.")),
        one_of(enum_cls, _l("Bitte eine der angebotenen Rollen wählen.")),
    )


class MembershipForm(PeriodForm):
    """The role of an organisation in an initiative, and since/until."""

    role = _role_field(MembershipRole)


class NewMembershipForm(PickerMixin, MembershipForm):
    """A new membership: the other end, role and period."""


class AffiliationForm(PeriodForm):
    """The function of a person in an organisation, and since/until."""

    function = StringField(
        _l("Funktion"), validators=[Length(max=120, message=_l("Höchstens 120 Zeichen."))]
    )


class NewAffiliationForm(PickerMixin, AffiliationForm):
    """A new affiliation: the other end, function and period."""


class RoleForm(PeriodForm):
    """The role of a person for an initiative, and since/until."""

    role = _role_field(InitiativeRoleKind)


class NewRoleForm(PickerMixin, RoleForm):
    """A new initiative role: the other end, role and period."""


class RelationshipForm(Form):
    """The kind of a relationship and a note."""

    kind = select_field(
        _l("Art der Beziehung"),
        required(_l("Bitte die Art der Beziehung wählen.")),
        one_of(RelationshipKind, _l("Bitte eine der angebotenen Arten wählen.")),
    )
    note = TextAreaField(
        _l("Notiz"), validators=[Length(max=2000, message=_l("Höchstens 2.000 Zeichen."))]
    )


class NewRelationshipForm(PickerMixin, RelationshipForm):
    """A new relationship: the other end, kind and note."""
