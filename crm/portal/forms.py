"""The editor's forms. Each lists exactly the fields a representative may set.

Mass assignment is impossible by construction: services read these named fields and
nothing else, so a posted `initiative_id`, `role`, `public_listing` or `status` is
simply not there to be read.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Email
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import ConsentMethod
from crm.models import ConsentPurpose
from crm.models import ConsentStatus
from crm.models import InitiativeRoleKind
from crm.models import MembershipRole
from crm.models import OrgType
from crm.reference.geo import is_valid_plz
from crm.reference.geo import resolve_plz
from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import Required
from crm.web.fields import max_length
from crm.web.fields import only_offered
from crm.web.fields import parse_version
from crm.web.fields import required
from crm.web.fields import web_url
from crm.web.labels import choices
from crm.web.labels import label

# What a representative may record consent for on a person's behalf.
PORTAL_PURPOSES = (
    ConsentPurpose.PUBLIC_LISTING,
    ConsentPurpose.EVENT_INVITATIONS,
    ConsentPurpose.NEWSLETTER,
    ConsentPurpose.UNION_AFFILIATION,
)
# Consents an initiative collected reach us on paper, by e-mail or in conversation.
PORTAL_METHODS = (ConsentMethod.PAPER, ConsentMethod.EMAIL, ConsentMethod.VERBAL)


def _subset(values: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(v.value, label(v)) for v in values]


def _required() -> Required:
    return required(_l("Bitte ausfüllen."))


_offered = only_offered(_l("Bitte einen Eintrag aus der Liste wählen."))


def _known_plz(form: Any, field: Any) -> None:
    plz = (field.data or "").strip()
    if plz and (not is_valid_plz(plz) or not resolve_plz(plz)):
        raise ValidationError(_l("Diese Postleitzahl kennen wir nicht."))


class ProfileForm(Form):
    """The public profile of the own initiative."""

    version = HiddenField()
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), max_length(5000)])
    goals = TextAreaField(_l("Ziele"), validators=[Optional(), max_length(5000)])
    website = StringField(_l("Website"), validators=[Optional(), max_length(300), web_url])
    street = StringField(_l("Straße und Hausnummer"), validators=[Optional(), max_length(200)])
    plz = StringField(_l("PLZ"), validators=[Optional(), max_length(5), _known_plz])
    place = StringField(_l("Ort"), validators=[Optional(), max_length(120)])
    # validate_choice=False: `_offered` checks the choices, in German (WTForms' own is English).
    themes = SelectMultipleField(
        _l("Themen"), choices=[], validate_choice=False, validators=[_offered]
    )
    formats = SelectMultipleField(
        _l("Formate"), choices=[], validate_choice=False, validators=[_offered]
    )
    logo = FileField(
        _l("Logo"),
        description=_l("PNG, JPEG, GIF oder WebP, höchstens 2 MB; wird auf 512 Pixel verkleinert."),
    )
    remove_logo = BooleanField(_l("Logo entfernen"))

    def submitted_version(self) -> int | None:
        """The version the form was rendered with (None when missing or garbled)."""
        return parse_version(self.version.data)


class MemberForm(Form):
    """A member organisation: an existing one (matched by name first) or a new one."""

    name = StringField(_l("Name der Organisation"), validators=[_required(), max_length(200)])
    type = SelectField(_l("Art der Organisation"), validators=[_offered])
    place = StringField(_l("Ort"), validators=[Optional(), max_length(120)])
    role = SelectField(_l("Rolle in der Initiative"), validators=[_offered])
    since = GermanDateField(_l("Mitglied seit"), validators=[Optional()])
    match = HiddenField()  # "", "new" or the id of a matched organisation

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = choices(OrgType)
        self.role.choices = choices(MembershipRole)


class ContactForm(Form):
    """A contact person of the own initiative, with the consents the initiative collected."""

    salutation = StringField(_l("Anrede"), validators=[Optional(), max_length(20)])
    title = StringField(_l("Titel"), validators=[Optional(), max_length(40)])
    first_name = StringField(_l("Vorname"), validators=[_required(), max_length(100)])
    last_name = StringField(_l("Nachname"), validators=[_required(), max_length(100)])
    email = StringField(
        _l("E-Mail"),
        validators=[
            Optional(),
            max_length(254),
            Email(
                message=_l("Bitte eine gültige E-Mail-Adresse angeben."), check_deliverability=False
            ),
        ],
    )
    phone = StringField(_l("Telefon"), validators=[Optional(), max_length(40)])
    role = SelectField(_l("Rolle"), validators=[_offered])
    consents = SelectMultipleField(
        _l("Einwilligungen, die Ihnen vorliegen"), validate_choice=False, validators=[_offered]
    )
    consent_method = SelectField(_l("Wie wurde eingewilligt?"), validators=[_offered])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = choices(InitiativeRoleKind)
        self.consents.choices = _subset(PORTAL_PURPOSES)
        self.consent_method.choices = _subset(PORTAL_METHODS)


class ConsentForm(Form):
    """One consent (or its revocation) the initiative recorded for a contact person."""

    purpose = SelectField(_l("Wofür"), validators=[_offered])
    status = SelectField(_l("Stand"), validators=[_offered])
    method = SelectField(_l("Wie"), validators=[_offered])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purpose.choices = _subset(PORTAL_PURPOSES)
        self.status.choices = _subset((ConsentStatus.CONFIRMED, ConsentStatus.REVOKED))
        self.method.choices = _subset(PORTAL_METHODS)
