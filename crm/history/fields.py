"""What the history knows about the audited tables: kinds, field labels, restorable fields,
references shown by name, and the conversion of stored (JSON) values back to attributes.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import inspect

from crm.db.audit import AUDITED
from crm.db.audit import _jsonable
from crm.models import Affiliation
from crm.models import Bundesland
from crm.models import Consent
from crm.models import Event
from crm.models import Format
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Kreis
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Relationship
from crm.models import Theme
from crm.models.base import UTCDateTime

#: The records that have a "Verlauf" page: kind → (model, audit record_type).
KINDS: dict[str, tuple[type[Any], str]] = {
    "initiative": (Initiative, "initiatives"),
    "organisation": (Organisation, "organisations"),
    "person": (Person, "persons"),
}
KIND_OF_TABLE = {table: kind for kind, (_, table) in KINDS.items()}

#: Audited tables the history shows and the review feed can revert.
MODELS: dict[str, type[Any]] = {
    "initiatives": Initiative,
    "organisations": Organisation,
    "persons": Person,
    "memberships": Membership,
    "initiative_roles": InitiativeRole,
    "affiliations": Affiliation,
    "consents": Consent,
    "relationships": Relationship,
}
#: Every audited table (for showing its entries: enum labels, dates).
ALL_MODELS: dict[str, type[Any]] = {inspect(model).local_table.name: model for model in AUDITED}

#: Link tables whose entries also appear in the Verlauf of a record: kind → (table, column).
LINKS: dict[str, tuple[tuple[type[Any], str], ...]] = {
    "initiative": (
        (Membership, "initiative_id"),
        (InitiativeRole, "initiative_id"),
        (Relationship, "initiative_a_id"),
        (Relationship, "initiative_b_id"),
    ),
    "organisation": (
        (Membership, "organisation_id"),
        (Affiliation, "organisation_id"),
        (Relationship, "organisation_a_id"),
        (Relationship, "organisation_b_id"),
    ),
    "person": (
        (Affiliation, "person_id"),
        (InitiativeRole, "person_id"),
        (Consent, "person_id"),
    ),
}

TABLE_LABELS: dict[str, LazyString] = {
    "initiatives": _l("Initiative"),
    "organisations": _l("Organisation"),
    "persons": _l("Person"),
    "memberships": _l("Mitgliedschaft"),
    "initiative_roles": _l("Rolle in einer Initiative"),
    "affiliations": _l("Zugehörigkeit"),
    "consents": _l("Einwilligung"),
    "relationships": _l("Beziehung"),
    "interactions": _l("Kontakt"),
    "events": _l("Veranstaltung"),
    "agenda_blocks": _l("Programmpunkt"),
    "workshops": _l("Workshop"),
    "registrations": _l("Anmeldung"),
    "users": _l("Konto"),
    "themes": _l("Thema"),
    "formats": _l("Format"),
    "suggestion_feedback": _l("Entscheidung zu einem Vorschlag"),
    "matchmaking_settings": _l("Einstellungen des Austauschs der Praktiker"),
    "invitation_campaigns": _l("Einladung"),
}

FIELD_LABELS: dict[str, LazyString] = {
    "name": _l("Name"),
    "short_name": _l("Kurzname"),
    "type": _l("Typ"),
    "status": _l("Status"),
    "legal_form": _l("Rechtsform"),
    "founded_year": _l("Gründungsjahr"),
    "spatial_level": _l("Räumliche Ebene"),
    "region_label": _l("Region"),
    "website": _l("Website"),
    "description": _l("Beschreibung"),
    "goals": _l("Ziele"),
    "host_organisation_id": _l("Trägerorganisation / Geschäftsstelle"),
    "member_count": _l("Mitgliederzahl (gemeldet)"),
    "member_count_date": _l("Mitgliederzahl Stand"),
    "public_listing": _l("Öffentlich gelistet"),
    "logo_filename": _l("Logo"),
    "themes": _l("Themen"),
    "formats": _l("Formate"),
    "laender": _l("Länder (Wirkungsgebiet)"),
    "kreise": _l("Kreise (Wirkungsgebiet)"),
    "street": _l("Straße und Hausnummer"),
    "plz": _l("PLZ"),
    "place": _l("Ort"),
    "kreis_ags": _l("Kreis"),
    "land_ags": _l("Land"),
    "lat": _l("Breitengrad"),
    "lon": _l("Längengrad"),
    "legal_name": _l("Rechtlicher Name"),
    "other_names": _l("Weitere Namen"),
    "wz_section": _l("WZ-Abschnitt"),
    "wz_division": _l("WZ-Abteilung"),
    "size_class": _l("Größenklasse"),
    "ags": _l("Amtlicher Gemeindeschlüssel (AGS)"),
    "parent_id": _l("Übergeordnete Organisation"),
    "salutation": _l("Anrede"),
    "title": _l("Titel"),
    "first_name": _l("Vorname"),
    "last_name": _l("Nachname"),
    "email": _l("E-Mail"),
    "phone": _l("Telefon"),
    "preferred_language": _l("Sprache"),
    "notes": _l("Notizen"),
    "lawful_basis": _l("Rechtsgrundlage"),
    "source": _l("Herkunft der Daten"),
    "collected_at": _l("Erhoben am"),
    "restricted": _l("Verarbeitung eingeschränkt"),
    "restriction_reason": _l("Grund der Einschränkung"),
    "restricted_at": _l("Eingeschränkt seit"),
    "personal_data_erased": _l("Personendaten gelöscht"),
    "anonymised_at": _l("Anonymisiert am"),
    "organisation_id": _l("Organisation"),
    "initiative_id": _l("Initiative"),
    "person_id": _l("Person"),
    "role": _l("Rolle"),
    "since": _l("seit"),
    "until": _l("bis"),
    "function": _l("Funktion"),
    "purpose": _l("Zweck"),
    "method": _l("Art der Einholung"),
    "text_version": _l("Textfassung"),
    "given_at": _l("Erteilt am"),
    "registration_id": _l("Anmeldung"),
    "kind": _l("Art"),
    "note": _l("Notiz"),
    "initiative_a_id": _l("Initiative"),
    "initiative_b_id": _l("Initiative"),
    "organisation_a_id": _l("Organisation"),
    "organisation_b_id": _l("Organisation"),
    "matchmaking_opt_in": _l("Teilnahme am Austausch der Praktiker"),
    "matchmaking_opted_at": _l("Zum Austausch angemeldet am"),
    "event_id": _l("Veranstaltung"),
    # the settings of the practitioner exchange (matchmaking_settings)
    "enabled": _l("Austausch der Praktiker eingeschaltet"),
    "meeting_minutes": _l("Länge eines Treffens (Minuten)"),
    "window_starts_at": _l("Zeitfenster von"),
    "window_ends_at": _l("Zeitfenster bis"),
    "max_meetings_per_person": _l("Höchstens Treffen je Person"),
    "max_open_sent": _l("Höchstens offene gesendete Anfragen je Person"),
    "max_open_received": _l("Höchstens offene erhaltene Anfragen je Person"),
    "request_expiry_hours": _l("Anfragen verfallen nach (Stunden)"),
    "fixed_at": _l("Plan steht fest ab"),
    "video_mode": _l("Videolinks"),
    "video_pattern": _l("Muster des Raumlinks"),
    "video_tables": _l("Links der virtuellen Tische"),
    "published_at": _l("Plan der Treffen veröffentlicht am"),
    # an event's invitation (invitation_campaigns)
    "filters": _l("Empfängerfilter"),
    "subject_de": _l("Betreff (Deutsch)"),
    "subject_en": _l("Betreff (Englisch)"),
    "intro_de": _l("Einleitung (Deutsch)"),
    "intro_en": _l("Einleitung (Englisch)"),
    "sent_at": _l("Versand begonnen am"),
    "reminded_at": _l("Erinnerung versandt am"),
    "id": _l("Nummer"),
}

_ADDRESS = frozenset({"street", "plz", "place", "kreis_ags", "land_ags"})
#: Fields staff may set back to an earlier value one at a time (no ids, versions, files).
RESTORABLE: dict[str, frozenset[str]] = {
    "initiatives": _ADDRESS
    | {
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
        "host_organisation_id",
        "member_count",
        "member_count_date",
        "public_listing",
        "themes",
        "formats",
        "laender",
        "kreise",
    },
    "organisations": _ADDRESS
    | {
        "name",
        "legal_name",
        "other_names",
        "type",
        "wz_section",
        "wz_division",
        "size_class",
        "website",
        "ags",
        "parent_id",
    },
    "persons": frozenset(
        {
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
        }
    ),
}
#: Fields a whole-entry revert (review feed) sets back: the restorable ones, the map
#: position that goes with an address, and the periods and roles of the link tables.
REVERTABLE: dict[str, frozenset[str]] = {
    "initiatives": RESTORABLE["initiatives"] | {"lat", "lon"},
    "organisations": RESTORABLE["organisations"] | {"lat", "lon"},
    "persons": RESTORABLE["persons"],
    "memberships": frozenset({"role", "since", "until"}),
    "initiative_roles": frozenset({"role", "since", "until"}),
    "affiliations": frozenset({"function", "since", "until"}),
    "consents": frozenset(),
    "relationships": frozenset({"kind", "note", "since", "until"}),
}
#: What a link row links, in the order it is named ("Organisation – Initiative").
LINK_PARTS: dict[str, tuple[str, ...]] = {
    "memberships": ("organisation_id", "initiative_id"),
    "initiative_roles": ("person_id", "initiative_id"),
    "affiliations": ("person_id", "organisation_id"),
    "consents": ("person_id",),
    "relationships": (
        "initiative_a_id",
        "initiative_b_id",
        "organisation_a_id",
        "organisation_b_id",
    ),
}
#: Deleted link rows that a revert can simply create again (their records permitting).
RECREATABLE = frozenset({"memberships", "initiative_roles", "affiliations", "relationships"})
#: Deleted rows that the Verlauf can restore with their id: the links above, a person's
#: consents and the records themselves (a deleted record's Verlauf is for admins only).
RESTORABLE_DELETES = RECREATABLE | frozenset(KIND_OF_TABLE) | {"consents"}
#: The records a row refers to that must exist for it to come back: key → reference kind.
REQUIRED_REFERENCES: dict[str, str] = {
    "organisation_id": "organisation",
    "initiative_id": "initiative",
    "person_id": "person",
    "initiative_a_id": "initiative",
    "initiative_b_id": "initiative",
    "organisation_a_id": "organisation",
    "organisation_b_id": "organisation",
}

#: Columns and collections shown by the name of what they point to: key → reference kind.
REFERENCES: dict[str, str] = {
    "host_organisation_id": "organisation",
    "parent_id": "organisation",
    **REQUIRED_REFERENCES,
    "moderator_id": "person",
    "event_id": "event",
    "kreis_ags": "kreis",
    "land_ags": "land",
    "themes": "theme",
    "formats": "format",
    "laender": "land",
    "kreise": "kreis",
}
#: Reference kind → (model, key column).
REFERENCE_MODELS: dict[str, tuple[type[Any], Any]] = {
    "organisation": (Organisation, Organisation.id),
    "initiative": (Initiative, Initiative.id),
    "person": (Person, Person.id),
    "kreis": (Kreis, Kreis.ags),
    "land": (Bundesland, Bundesland.ags),
    "theme": (Theme, Theme.id),
    "format": (Format, Format.id),
    "event": (Event, Event.id),
}
#: Many-to-many collections (stored as sorted key lists): key → reference kind.
COLLECTIONS: dict[str, str] = {
    "themes": "theme",
    "formats": "format",
    "laender": "land",
    "kreise": "kreis",
}


def field_label(key: str) -> str:
    """The German (translated) name of a stored field."""
    text = FIELD_LABELS.get(key)
    return str(text) if text is not None else key


def table_label(record_type: str) -> str:
    """The name of a record type ("Mitgliedschaft", …)."""
    text = TABLE_LABELS.get(record_type)
    return str(text) if text is not None else record_type


def enum_class(model: type[Any], key: str) -> type[enum.Enum] | None:
    """The enum of a column, if it stores one."""
    column = model.__table__.columns.get(key)
    if column is not None and isinstance(column.type, SAEnum):
        cls = column.type.enum_class
        return cls if isinstance(cls, type) and issubclass(cls, enum.Enum) else None
    return None


def to_python(model: type[Any], key: str, value: Any) -> Any:
    """A stored (JSON) value of column `key` as the attribute value; ValueError if unfit."""
    if value is None:
        return None
    column = model.__table__.columns.get(key)
    if column is None:
        raise ValueError(key)
    kind = column.type
    if isinstance(kind, SAEnum):
        cls = enum_class(model, key)
        if cls is None:
            raise ValueError(key)
        return cls(value)
    if isinstance(kind, UTCDateTime):
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(str(value))
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(key)
    max_length = getattr(kind, "length", None)
    if max_length is not None and len(value) > max_length:
        raise ValueError(key)
    return value


def current_value(record: Any, key: str) -> Any:
    """The record's present value of `key` in the stored (JSON) form of the audit trail."""
    return _jsonable(getattr(record, key))
