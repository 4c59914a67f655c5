"""Human labels (German source strings, translated by Flask-Babel) for stored enum values."""

from __future__ import annotations

import functools
from enum import Enum

from babel.support import NullTranslations
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from crm.models import enums as e
from crm.web.i18n import current_translations

LABELS: dict[Enum, LazyString] = {
    e.Role.ADMIN: _l("Administration"),
    e.Role.STAFF: _l("Geschäftsstelle (Beratung)"),
    e.Role.EDITOR: _l("Initiative (Redaktion)"),
    e.InitiativeType.VEREIN: _l("Verein"),
    e.InitiativeType.IHK_PROJEKT: _l("IHK-Projekt"),
    e.InitiativeType.MASTERPLAN_KOMMUNE: _l("Masterplan Kommune"),
    e.InitiativeType.MASTERPLAN_LAND: _l("Masterplan Land"),
    e.InitiativeType.LANDESBUENDNIS: _l("Landesbündnis"),
    e.InitiativeType.GEWERKSCHAFTSPLATTFORM: _l("Gewerkschaftsplattform"),
    e.InitiativeType.INDUSTRIEDIALOG: _l("Industriedialog"),
    e.InitiativeType.THEMENNETZWERK: _l("Themennetzwerk"),
    e.InitiativeType.TRANSFORMATIONSNETZWERK: _l("Transformationsnetzwerk"),
    e.InitiativeType.REGIONALAGENTUR: _l("Regionalagentur"),
    e.InitiativeType.SONSTIGE: _l("sonstige"),
    e.InitiativeStatus.AKTIV: _l("aktiv"),
    e.InitiativeStatus.RUHEND: _l("ruhend"),
    e.InitiativeStatus.AUFGELOEST: _l("aufgelöst"),
    e.SpatialLevel.KOMMUNE: _l("Kommune"),
    e.SpatialLevel.KREIS: _l("Kreis"),
    e.SpatialLevel.IHK_BEZIRK: _l("IHK-Bezirk"),
    e.SpatialLevel.REGION: _l("Region"),
    e.SpatialLevel.LAND: _l("Land"),
    e.SpatialLevel.LAENDERUEBERGREIFEND: _l("länderübergreifend"),
    e.OrgType.UNTERNEHMEN: _l("Unternehmen"),
    e.OrgType.KOMMUNE: _l("Kommune"),
    e.OrgType.LANDKREIS: _l("Landkreis"),
    e.OrgType.LAND_MINISTERIUM: _l("Land/Ministerium"),
    e.OrgType.IHK: _l("IHK"),
    e.OrgType.HWK: _l("HWK"),
    e.OrgType.GEWERKSCHAFT: _l("Gewerkschaft"),
    e.OrgType.ARBEITGEBERVERBAND: _l("Arbeitgeberverband"),
    e.OrgType.WIRTSCHAFTSVERBAND: _l("Wirtschaftsverband"),
    e.OrgType.WIRTSCHAFTSFOERDERUNG: _l("Wirtschaftsförderung"),
    e.OrgType.HOCHSCHULE: _l("Hochschule"),
    e.OrgType.FORSCHUNG: _l("Forschung"),
    e.OrgType.BERUFSSCHULE: _l("Berufsschule"),
    e.OrgType.AGENTUR_FUER_ARBEIT: _l("Agentur für Arbeit"),
    e.OrgType.ZIVILGESELLSCHAFT: _l("Zivilgesellschaft"),
    e.OrgType.CLUSTER_NETZWERK: _l("Cluster/Netzwerk"),
    e.OrgType.SONSTIGE: _l("sonstige"),
    e.SizeClass.KLEINST: _l("Kleinstunternehmen"),
    e.SizeClass.KLEIN: _l("Kleines Unternehmen"),
    e.SizeClass.MITTEL: _l("Mittleres Unternehmen"),
    e.SizeClass.GROSS: _l("Großunternehmen"),
    e.MembershipRole.MITGLIED: _l("Mitglied"),
    e.MembershipRole.GRUENDUNGSMITGLIED: _l("Gründungsmitglied"),
    e.MembershipRole.FOERDERMITGLIED: _l("Fördermitglied"),
    e.MembershipRole.BEIRAT: _l("Beirat"),
    e.MembershipRole.TRAEGER: _l("Träger"),
    e.MembershipRole.GESCHAEFTSSTELLE: _l("Geschäftsstelle"),
    e.MembershipRole.PARTNER: _l("Partner"),
    e.InitiativeRoleKind.ANSPRECHPERSON: _l("Ansprechperson"),
    e.InitiativeRoleKind.SPRECHERIN: _l("Sprecher:in"),
    e.InitiativeRoleKind.VORSITZ: _l("Vorsitz"),
    e.InitiativeRoleKind.GESCHAEFTSSTELLE: _l("Geschäftsstelle"),
    e.InitiativeRoleKind.PRESSE: _l("Presse"),
    e.LawfulBasis.CONSENT: _l("Einwilligung"),
    e.LawfulBasis.CONTRACT: _l("Vertrag"),
    e.LawfulBasis.LEGITIMATE_INTEREST: _l("Berechtigtes Interesse"),
    e.LawfulBasis.LEGAL_OBLIGATION: _l("Rechtliche Verpflichtung"),
    e.LawfulBasis.PUBLIC_TASK: _l("Öffentliche Aufgabe"),
    e.ConsentPurpose.EVENT_COMMUNICATION: _l("Kommunikation zur Veranstaltung"),
    e.ConsentPurpose.EVENT_INVITATIONS: _l("Einladungen zu Veranstaltungen"),
    e.ConsentPurpose.NEWSLETTER: _l("Newsletter"),
    e.ConsentPurpose.PUBLIC_LISTING: _l("Öffentliche Nennung"),
    e.ConsentPurpose.PHOTOS: _l("Fotos"),
    e.ConsentPurpose.PARTICIPANT_LIST: _l("Teilnehmendenliste"),
    e.ConsentPurpose.UNION_AFFILIATION: _l("Gewerkschaftszugehörigkeit öffentlich"),
    e.ConsentPurpose.MATCHMAKING: _l("Austausch der Praktiker (1:1-Treffen)"),
    e.ConsentStatus.REQUESTED: _l("angefragt"),
    e.ConsentStatus.CONFIRMED: _l("bestätigt"),
    e.ConsentStatus.REVOKED: _l("widerrufen"),
    e.ConsentMethod.WEB_FORM: _l("Webformular"),
    e.ConsentMethod.EMAIL: _l("E-Mail"),
    e.ConsentMethod.PAPER: _l("Papier"),
    e.ConsentMethod.VERBAL: _l("mündlich"),
    e.ConsentMethod.IMPORT: _l("Import"),
    e.RelationshipKind.KOOPERATION: _l("Kooperation"),
    e.RelationshipKind.PARTNERSCHAFT: _l("Partnerschaft"),
    e.RelationshipKind.VERMITTELT: _l("vermittelt durch die Geschäftsstelle"),
    e.InteractionKind.CALL: _l("Anruf"),
    e.InteractionKind.MEETING: _l("Treffen"),
    e.InteractionKind.EMAIL: _l("E-Mail"),
    e.InteractionKind.VISIT: _l("Besuch"),
    e.InteractionKind.NOTE: _l("Notiz"),
    e.EventType.NETZWERKTREFFEN: _l("Netzwerktreffen"),
    e.EventType.INDUSTRIEFORUM: _l("Industrieforum"),
    e.EventType.WEBINAR: _l("Webinar"),
    e.EventType.WORKSHOP: _l("Workshop"),
    e.EventType.PREISVERLEIHUNG: _l("Preisverleihung"),
    e.EventMode.ONLINE: _l("online"),
    e.EventMode.PRAESENZ: _l("Präsenz"),
    e.EventMode.HYBRID: _l("hybrid"),
    e.EventStatus.ENTWURF: _l("Entwurf"),
    e.EventStatus.VEROEFFENTLICHT: _l("veröffentlicht"),
    e.EventStatus.ANMELDUNG_GESCHLOSSEN: _l("Anmeldung geschlossen"),
    e.EventStatus.ABGESCHLOSSEN: _l("abgeschlossen"),
    e.EventStatus.ABGESAGT: _l("abgesagt"),
    e.AgendaKind.PLENUM: _l("Plenum"),
    e.AgendaKind.AUSTAUSCH: _l("Austausch"),
    e.AgendaKind.WORKSHOPS: _l("Workshops"),
    e.RegistrationStatus.REGISTERED: _l("angemeldet"),
    e.RegistrationStatus.WAITLISTED: _l("Warteliste"),
    e.RegistrationStatus.CANCELLED: _l("storniert"),
    e.RegistrationStatus.ATTENDED: _l("teilgenommen"),
    e.RegistrationStatus.NO_SHOW: _l("nicht erschienen"),
    e.AuditAction.CREATE: _l("angelegt"),
    e.AuditAction.UPDATE: _l("geändert"),
    e.AuditAction.DELETE: _l("gelöscht"),
    e.SuggestionDecision.ACCEPTED: _l("angenommen"),
    e.SuggestionDecision.DISMISSED: _l("verworfen"),
    e.SuggestionDecision.LATER: _l("später"),
    e.MeetingVideoMode.PATTERN: _l("Raum-Muster (ein Raum je Treffen)"),
    e.MeetingVideoMode.TABLES: _l("Virtuelle Tische (ein Link je Tisch)"),
    e.MeetingWishLevel.MUST: _l("Unbedingt treffen"),
    e.MeetingWishLevel.GLADLY: _l("Gern"),
    e.MeetingWishLevel.NO: _l("Nein"),
    e.MeetingRequestStatus.OPEN: _l("offen"),
    e.MeetingRequestStatus.ACCEPTED: _l("angenommen"),
    e.MeetingRequestStatus.DECLINED: _l("abgelehnt"),
    e.MeetingRequestStatus.EXPIRED: _l("abgelaufen"),
    e.MeetingRequestStatus.WITHDRAWN: _l("zurückgezogen"),
    e.MeetingSource.PLANNED: _l("geplant"),
    e.MeetingSource.REQUEST: _l("Anfrage"),
}


def label(value: Enum | None) -> str:
    """The translated label of an enum value ('' for None)."""
    if value is None:
        return ""
    return _translated(current_translations()).get(value, value.value)


@functools.lru_cache(maxsize=32)
def _translated(translations: NullTranslations) -> dict[Enum, str]:
    """Every label translated by `translations`, the current catalogue: a list page shows
    a label in each of its rows, and a gettext for each costs more than the dict lookup."""
    return {value: str(text) for value, text in LABELS.items()}


def choices(enum_cls: type[Enum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, in declaration order."""
    return list(_choices(enum_cls, current_translations()))


@functools.lru_cache(maxsize=256)
def _choices(enum_cls: type[Enum], translations: NullTranslations) -> tuple[tuple[str, str], ...]:
    """`choices` in the catalogue `translations`: the list pages' filters and rows name
    their types and statuses by them on every request."""
    labels = _translated(translations)
    return tuple((m.value, labels.get(m, m.value)) for m in enum_cls)
