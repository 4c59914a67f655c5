"""Staff forms of the directory: initiatives, organisations and persons.

Every form knows its fields (`FIELDS`) and turns its input into typed, normalised
values (`values()`) of the same shape as `record_values()` gives for a stored record,
so that the conflict page can compare "Ihr Wert" with "Aktueller Wert" field by field.
Select choices that depend on the database are set by the view; the checks against
them are ours, with German messages, so that a tampered value never reaches SQL.
The forms never query: checks against stored data (organisation names, PLZ) are in
`crm.directory.checks`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateField
from wtforms import Field
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Email
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import LawfulBasis
from crm.models import OrgType
from crm.models import SizeClass
from crm.models import SpatialLevel
from crm.web.fields import Form
from crm.web.fields import GermanDateField
from crm.web.fields import GermanIntegerField
from crm.web.fields import max_length as _max
from crm.web.fields import multi_select_field
from crm.web.fields import one_of
from crm.web.fields import only_offered as _offered
from crm.web.fields import parse_version
from crm.web.fields import select_field
from crm.web.fields import web_url as _web_url

EARLIEST_FOUNDED = 1800
LANGUAGES = (("de", _l("Deutsch")), ("en", _l("Englisch")))
ORG_REF = re.compile(r"\(#(\d{1,12})\)\s*$")
PHONE = re.compile(r"^[0-9+()/.\-\s]{3,40}$")
WZ_SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"
AGS = re.compile(r"[0-9]{5}(?:[0-9]{3})?")  # ASCII digits: str.isdigit() also takes "²", "٥"
AGS_INVALID = _l("Bitte acht Ziffern (Gemeinde) oder fünf (Kreis) angeben.")


def clean_ags(value: str | None) -> str:
    """An Amtlicher Gemeindeschlüssel without its blanks: eight digits for a Gemeinde, five
    for a Kreis, or empty. Anything else raises ValidationError(AGS_INVALID). The one rule
    of the organisation form and the API (its body and its `?ags=` filter)."""
    cleaned = "".join((value or "").split())
    if cleaned and not AGS.fullmatch(cleaned):
        raise ValidationError(AGS_INVALID)
    return cleaned


class OrganisationRefField(StringField):
    """An organisation named by "Name (#id)" or by its exact name.

    `org_id` is set by `crm.directory.checks`, which looks the name up.
    """

    org_id: int | None = None

    def ref_id(self) -> int | None:
        """The id of a "Name (#id)" text, else None."""
        match = ORG_REF.search((self.data or "").strip())
        return int(match.group(1)) if match else None


def org_ref(org: Any) -> str:
    """How an organisation appears in an organisation field: "Name (#id)"."""
    return f"{org.name} (#{org.id})" if org is not None else ""


def _not_blank(message: Any) -> Any:
    def check(_form: Any, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError(message)

    # a required field: the label says "Pflichtfeld" and the input carries `required`
    check.field_flags = {"required": True}  # type: ignore[attr-defined]
    return check


class RecordForm(Form):
    """Common ground: the version the form was rendered with, and typed values."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    ORG_FIELDS: ClassVar[tuple[str, ...]] = ()

    version = HiddenField()
    base = HiddenField()  # fingerprints of the values the form was rendered with
    # "Meinten Sie …?" was shown for this (folded) name and the user creates anyway
    confirm_similar = HiddenField()

    def values(self) -> dict[str, Any]:
        """The validated input, normalised: stripped text or None, sorted id lists, ints."""
        out: dict[str, Any] = {}
        for name in self.FIELDS:
            out[name] = normalise(self[name])
        return out

    def submitted_version(self) -> int | None:
        """The version the form was rendered with (None when missing or garbled)."""
        return parse_version(self.version.data)


def fingerprint(value: Any) -> str:
    """A short digest of one normalised value (to tell later which side changed it)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:10]


def fingerprints(values: dict[str, Any]) -> str:
    """The `base` field: the fingerprints of all values, as JSON."""
    return json.dumps({k: fingerprint(v) for k, v in values.items()}, sort_keys=True)


def read_fingerprints(raw: str | None) -> dict[str, str]:
    """The `base` field read back; {} when missing or garbled."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def normalise(field: Field) -> Any:
    """One field's value in the shape `record_values` uses."""
    if isinstance(field, OrganisationRefField):
        return field.org_id
    if isinstance(field, SelectMultipleField):
        return sorted({str(v) for v in field.data or [] if v})
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, IntegerField | DateField):
        return field.data
    if not isinstance(field.data, str | type(None)):
        return field.data
    text = (field.data or "").replace("\r\n", "\n").strip()
    return text or None


class AddressFormMixin:
    """Street, PLZ, Ort, Kreis and Land (`crm.directory.checks` fits them to the PLZ)."""

    street = StringField(_l("Straße und Hausnummer"), validators=[_max(200)])
    plz = StringField(_l("PLZ"), validators=[_max(5)])
    place = StringField(_l("Ort"), validators=[_max(120)])
    kreis = select_field(_l("Kreis"), _offered(_l("Bitte einen der angebotenen Kreise wählen.")))
    land = select_field(_l("Land"), _offered(_l("Bitte eines der angebotenen Länder wählen.")))


def _not_future_year(_form: Any, field: Any) -> None:
    if field.data is None:
        return
    if field.data < EARLIEST_FOUNDED:
        raise ValidationError(_l("Bitte ein Jahr ab %(y)s angeben.", y=EARLIEST_FOUNDED))
    if field.data > dt.date.today().year:
        raise ValidationError(_l("Das Gründungsjahr darf nicht in der Zukunft liegen."))


def _not_future_date(_form: Any, field: Any) -> None:
    if field.data is not None and field.data > dt.date.today():
        raise ValidationError(_l("Das Datum darf nicht in der Zukunft liegen."))
    if field.data is not None and field.data.year < EARLIEST_FOUNDED:
        raise ValidationError(_l("Bitte ein gültiges Datum angeben."))


def _not_negative(_form: Any, field: Any) -> None:
    if field.data is not None and field.data < 0:
        raise ValidationError(_l("Die Zahl darf nicht negativ sein."))
    if field.data is not None and field.data > 10_000_000:
        raise ValidationError(_l("Diese Zahl ist unplausibel groß."))


def _name_field() -> StringField:
    return StringField(
        _l("Name"), validators=[_not_blank(_l("Bitte einen Namen angeben.")), _max(200)]
    )


def _website_field() -> StringField:
    return StringField(_l("Website"), validators=[_max(300), _web_url])


def _organisation_field(label: Any) -> OrganisationRefField:
    return OrganisationRefField(
        label,
        description=_l(
            "Genauer Name der Organisation oder „Name (#Nummer)“; leer lassen, wenn keine."
        ),
    )


class InitiativeForm(AddressFormMixin, RecordForm):
    """Everything staff maintain about an initiative."""

    FIELDS = (
        "name",
        "short_name",
        "type",
        "status",
        "legal_form",
        "founded_year",
        "spatial_level",
        "region_label",
        "website",
        "description",
        "goals",
        "host_organisation",
        "member_count",
        "member_count_date",
        "public_listing",
        "street",
        "plz",
        "place",
        "kreis",
        "land",
        "themes",
        "formats",
        "laender",
        "kreise",
    )
    ORG_FIELDS = ("host_organisation",)

    name = _name_field()
    short_name = StringField(_l("Kurzname"), validators=[_max(60)])
    type = select_field(
        _l("Typ"), one_of(InitiativeType, _l("Bitte einen der angebotenen Typen wählen."))
    )
    status = select_field(
        _l("Status"), one_of(InitiativeStatus, _l("Bitte einen der angebotenen Status wählen."))
    )
    legal_form = StringField(_l("Rechtsform"), validators=[_max(60)])
    founded_year = GermanIntegerField(
        _l("Gründungsjahr"), validators=[Optional(), _not_future_year]
    )
    spatial_level = select_field(
        _l("Räumliche Ebene"),
        one_of(SpatialLevel, _l("Bitte eine der angebotenen Ebenen wählen."), optional=True),
    )
    region_label = StringField(_l("Region"), validators=[_max(120)])
    website = _website_field()
    description = TextAreaField(_l("Beschreibung"), validators=[_max(10_000)])
    goals = TextAreaField(_l("Ziele"), validators=[_max(10_000)])
    host_organisation = _organisation_field(_l("Trägerorganisation / Geschäftsstelle"))
    member_count = GermanIntegerField(
        _l("Mitgliederzahl (gemeldet)"), validators=[Optional(), _not_negative]
    )
    member_count_date = GermanDateField(
        _l("Mitgliederzahl Stand"), validators=[Optional(), _not_future_date]
    )
    public_listing = BooleanField(_l("Öffentlich gelistet"))
    themes = multi_select_field(_l("Themen"), _offered(_l("Bitte nur angebotene Themen wählen.")))
    formats = multi_select_field(
        _l("Formate"), _offered(_l("Bitte nur angebotene Formate wählen."))
    )
    laender = multi_select_field(
        _l("Länder (Wirkungsgebiet)"), _offered(_l("Bitte nur angebotene Länder wählen."))
    )
    kreise = multi_select_field(
        _l("Kreise (Wirkungsgebiet)"), _offered(_l("Bitte nur angebotene Kreise wählen."))
    )


class OrganisationForm(AddressFormMixin, RecordForm):
    """Everything staff maintain about an organisation."""

    FIELDS = (
        "name",
        "legal_name",
        "other_names",
        "type",
        "wz_section",
        "wz_division",
        "size_class",
        "website",
        "ags",
        "parent",
        "street",
        "plz",
        "place",
        "kreis",
        "land",
    )
    ORG_FIELDS = ("parent",)

    name = _name_field()
    legal_name = StringField(_l("Rechtlicher Name"), validators=[_max(250)])
    other_names = TextAreaField(
        _l("Weitere Namen"),
        description=_l("Ein Name je Zeile (frühere Namen, Abkürzungen)."),
        validators=[_max(5_000)],
    )
    type = select_field(_l("Typ"), one_of(OrgType, _l("Bitte einen der angebotenen Typen wählen.")))
    wz_section = StringField(
        _l("WZ-Abschnitt"), description=_l("Ein Buchstabe A–U."), validators=[_max(1)]
    )
    wz_division = StringField(
        _l("WZ-Abteilung"), description=_l("Zwei Ziffern, z. B. 24."), validators=[_max(2)]
    )
    size_class = select_field(
        _l("Größenklasse"),
        one_of(SizeClass, _l("Bitte eine der angebotenen Klassen wählen."), optional=True),
    )
    website = _website_field()
    ags = StringField(
        _l("Amtlicher Gemeindeschlüssel (AGS)"),
        description=_l("Für Kommunen: acht Ziffern (Gemeinde) oder fünf (Kreis)."),
    )
    parent = _organisation_field(_l("Übergeordnete Organisation"))

    def validate_wz_section(self, field: Any) -> None:
        """One capital letter of the WZ 2008 sections."""
        value = (field.data or "").strip().upper()
        field.data = value
        if value and value not in WZ_SECTIONS:
            raise ValidationError(_l("Bitte einen Buchstaben von A bis U angeben."))

    def validate_wz_division(self, field: Any) -> None:
        """Two digits."""
        value = (field.data or "").strip()
        if value and not (len(value) == 2 and value.isascii() and value.isdigit()):
            raise ValidationError(_l("Bitte zwei Ziffern angeben."))

    def validate_ags(self, field: Any) -> None:
        """Eight digits for a Gemeinde, five for a Kreis (blanks removed): `clean_ags`."""
        field.data = clean_ags(field.data)


class PersonForm(RecordForm):
    """Everything staff maintain about a person, including the data-protection facts."""

    FIELDS = (
        "salutation",
        "title",
        "first_name",
        "last_name",
        "email",
        "phone",
        "preferred_language",
        "notes",
        "lawful_basis",
        "source",
        "restricted",
    )

    salutation = StringField(_l("Anrede"), validators=[_max(20)])
    title = StringField(_l("Titel"), validators=[_max(40)])
    first_name = StringField(
        _l("Vorname"), validators=[_not_blank(_l("Bitte einen Vornamen angeben.")), _max(100)]
    )
    last_name = StringField(
        _l("Nachname"), validators=[_not_blank(_l("Bitte einen Nachnamen angeben.")), _max(100)]
    )
    email = StringField(
        _l("E-Mail"),
        validators=[
            Optional(),
            _max(254),
            Email(_l("Bitte eine gültige E-Mail-Adresse angeben."), check_deliverability=False),
        ],
    )
    phone = StringField(_l("Telefon"), validators=[_max(40)])
    preferred_language = select_field(
        _l("Sprache"), _offered(_l("Bitte eine der angebotenen Sprachen wählen."))
    )
    notes = TextAreaField(_l("Notizen"), validators=[_max(10_000)])
    lawful_basis = select_field(
        _l("Rechtsgrundlage"),
        one_of(
            LawfulBasis,
            _l("Bitte eine der angebotenen Rechtsgrundlagen wählen."),
            optional=True,
        ),
    )
    source = StringField(_l("Herkunft der Daten"), validators=[_max(200)])
    restricted = BooleanField(_l("Verarbeitung eingeschränkt"))

    def validate_phone(self, field: Any) -> None:
        """Digits and the usual separators."""
        value = (field.data or "").strip()
        if value and not PHONE.match(value):
            raise ValidationError(_l("Bitte eine Telefonnummer aus Ziffern, +, /, - angeben."))

    def validate_preferred_language(self, field: Any) -> None:
        """A required choice."""
        if not field.data:
            raise ValidationError(_l("Bitte eine der angebotenen Sprachen wählen."))


class DeleteForm(Form):
    """The confirmation of a delete: the version the page showed."""

    version = HiddenField()


def _enum(value: Any) -> str | None:
    return value.value if value is not None else None


def _address_values(record: Any) -> dict[str, Any]:
    return {
        "street": record.street,
        "plz": record.plz,
        "place": record.place,
        "kreis": record.kreis_ags,
        "land": record.land_ags,
    }


def initiative_values(record: Any) -> dict[str, Any]:
    """An initiative in the shape of `InitiativeForm.values()` (collections loaded)."""
    return {
        "name": record.name,
        "short_name": record.short_name,
        "type": _enum(record.type),
        "status": _enum(record.status),
        "legal_form": record.legal_form,
        "founded_year": record.founded_year,
        "spatial_level": _enum(record.spatial_level),
        "region_label": record.region_label,
        "website": record.website,
        "description": record.description,
        "goals": record.goals,
        "host_organisation": record.host_organisation_id,
        "member_count": record.member_count,
        "member_count_date": record.member_count_date,
        "public_listing": bool(record.public_listing),
        **_address_values(record),
        "themes": sorted(str(t.id) for t in record.themes),
        "formats": sorted(str(f.id) for f in record.formats),
        "laender": sorted(b.ags for b in record.laender),
        "kreise": sorted(k.ags for k in record.kreise),
    }


def organisation_values(record: Any) -> dict[str, Any]:
    """An organisation in the shape of `OrganisationForm.values()`."""
    return {
        "name": record.name,
        "legal_name": record.legal_name,
        "other_names": record.other_names,
        "type": _enum(record.type),
        "wz_section": record.wz_section,
        "wz_division": record.wz_division,
        "size_class": _enum(record.size_class),
        "website": record.website,
        "ags": record.ags,
        "parent": record.parent_id,
        **_address_values(record),
    }


def person_values(record: Any) -> dict[str, Any]:
    """A person in the shape of `PersonForm.values()`."""
    return {
        "salutation": record.salutation,
        "title": record.title,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "phone": record.phone,
        "preferred_language": record.preferred_language,
        "notes": record.notes,
        "lawful_basis": _enum(record.lawful_basis),
        "source": record.source,
        "restricted": bool(record.restricted),
    }
