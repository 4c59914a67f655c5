"""The closed vocabularies of the domain. Values are stored; labels live in `crm.web.labels`."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an account may do (see `crm.permissions`)."""

    ADMIN = "admin"
    STAFF = "staff"
    EDITOR = "editor"


class InitiativeType(StrEnum):
    """The kind of alliance an initiative is."""

    VEREIN = "verein"
    IHK_PROJEKT = "ihk_projekt"
    MASTERPLAN_KOMMUNE = "masterplan_kommune"
    MASTERPLAN_LAND = "masterplan_land"
    LANDESBUENDNIS = "landesbuendnis"
    GEWERKSCHAFTSPLATTFORM = "gewerkschaftsplattform"
    INDUSTRIEDIALOG = "industriedialog"
    THEMENNETZWERK = "themennetzwerk"
    TRANSFORMATIONSNETZWERK = "transformationsnetzwerk"
    REGIONALAGENTUR = "regionalagentur"
    SONSTIGE = "sonstige"


class InitiativeStatus(StrEnum):
    """Whether an initiative still works."""

    AKTIV = "aktiv"
    RUHEND = "ruhend"
    AUFGELOEST = "aufgeloest"


class SpatialLevel(StrEnum):
    """The area an initiative covers."""

    KOMMUNE = "kommune"
    KREIS = "kreis"
    IHK_BEZIRK = "ihk_bezirk"
    REGION = "region"
    LAND = "land"
    LAENDERUEBERGREIFEND = "laenderuebergreifend"


class OrgType(StrEnum):
    """The kind of organisation (drives member mix and workshop mixing)."""

    UNTERNEHMEN = "unternehmen"
    KOMMUNE = "kommune"
    LANDKREIS = "landkreis"
    LAND_MINISTERIUM = "land_ministerium"
    IHK = "ihk"
    HWK = "hwk"
    GEWERKSCHAFT = "gewerkschaft"
    ARBEITGEBERVERBAND = "arbeitgeberverband"
    WIRTSCHAFTSVERBAND = "wirtschaftsverband"
    WIRTSCHAFTSFOERDERUNG = "wirtschaftsfoerderung"
    HOCHSCHULE = "hochschule"
    FORSCHUNG = "forschung"
    BERUFSSCHULE = "berufsschule"
    AGENTUR_FUER_ARBEIT = "agentur_fuer_arbeit"
    ZIVILGESELLSCHAFT = "zivilgesellschaft"
    CLUSTER_NETZWERK = "cluster_netzwerk"
    SONSTIGE = "sonstige"


class SizeClass(StrEnum):
    """EU SME size classes."""

    KLEINST = "kleinst"
    KLEIN = "klein"
    MITTEL = "mittel"
    GROSS = "gross"


class MembershipRole(StrEnum):
    """An organisation's role in an initiative."""

    MITGLIED = "mitglied"
    GRUENDUNGSMITGLIED = "gruendungsmitglied"
    FOERDERMITGLIED = "foerdermitglied"
    BEIRAT = "beirat"
    TRAEGER = "traeger"
    GESCHAEFTSSTELLE = "geschaeftsstelle"
    PARTNER = "partner"


class InitiativeRoleKind(StrEnum):
    """A person's role for an initiative."""

    ANSPRECHPERSON = "ansprechperson"
    SPRECHERIN = "sprecherin"
    VORSITZ = "vorsitz"
    GESCHAEFTSSTELLE = "geschaeftsstelle"
    PRESSE = "presse"


class LawfulBasis(StrEnum):
    """GDPR Art. 6 basis for keeping a person's data."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_TASK = "public_task"


class ConsentPurpose(StrEnum):
    """What a person agreed to."""

    EVENT_COMMUNICATION = "event_communication"
    EVENT_INVITATIONS = "event_invitations"
    NEWSLETTER = "newsletter"
    PUBLIC_LISTING = "public_listing"
    PHOTOS = "photos"
    PARTICIPANT_LIST = "participant_list"
    UNION_AFFILIATION = "union_affiliation"  # Art. 9 GDPR: showing a union link publicly
    MATCHMAKING = "matchmaking"  # seen by other opted-in participants of the exchange


class ConsentStatus(StrEnum):
    """Where a consent stands."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


class ConsentMethod(StrEnum):
    """How a consent was collected."""

    WEB_FORM = "web_form"
    EMAIL = "email"
    PAPER = "paper"
    VERBAL = "verbal"
    IMPORT = "import"


class RelationshipKind(StrEnum):
    """An explicit link between two initiatives or two organisations."""

    KOOPERATION = "kooperation"
    PARTNERSCHAFT = "partnerschaft"
    VERMITTELT = "vermittelt"


class InteractionKind(StrEnum):
    """A logged contact."""

    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    VISIT = "visit"
    NOTE = "note"


class EventType(StrEnum):
    """The kind of event."""

    NETZWERKTREFFEN = "netzwerktreffen"
    INDUSTRIEFORUM = "industrieforum"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    PREISVERLEIHUNG = "preisverleihung"


class EventMode(StrEnum):
    """Where an event happens."""

    ONLINE = "online"
    PRAESENZ = "praesenz"
    HYBRID = "hybrid"


class EventStatus(StrEnum):
    """Life cycle of an event."""

    ENTWURF = "entwurf"
    VEROEFFENTLICHT = "veroeffentlicht"
    ANMELDUNG_GESCHLOSSEN = "anmeldung_geschlossen"
    ABGESCHLOSSEN = "abgeschlossen"
    ABGESAGT = "abgesagt"


class AgendaKind(StrEnum):
    """The kind of an agenda block."""

    PLENUM = "plenum"
    AUSTAUSCH = "austausch"
    WORKSHOPS = "workshops"


class RegistrationStatus(StrEnum):
    """Life cycle of a registration."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class SuggestionDecision(StrEnum):
    """What the office decided about a network suggestion."""

    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    LATER = "later"


class AuditAction(StrEnum):
    """What happened to a record."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class OutboxStatus(StrEnum):
    """Delivery state of an outbox mail."""

    QUEUED = "queued"
    SENDING = "sending"  # the SMTP exchange started and has not been recorded as ended
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # interrupted during the exchange: perhaps delivered


class JobRunStatus(StrEnum):
    """State of a background job run."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    RETRYING = "retrying"
    INTERRUPTED = "interrupted"  # the worker ended (or was killed) during the run
    SKIPPED = "skipped"  # another run held the lock


class MeetingVideoMode(StrEnum):
    """How the video link of a 1:1 meeting is made."""

    PATTERN = "pattern"  # a room URL pattern with an unguessable {token}
    TABLES = "tables"  # one link per virtual table, taken in turn per slot


class MeetingWishLevel(StrEnum):
    """How much a participant wants to meet a proposed partner."""

    MUST = "must"  # "Unbedingt treffen"
    GLADLY = "gladly"  # "Gern"
    NO = "no"  # "Nein": the pair is never planned


class MeetingRequestStatus(StrEnum):
    """Where a meeting request between two participants stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class MeetingSource(StrEnum):
    """Where a planned 1:1 meeting came from."""

    PLANNED = "planned"  # computed from the wishes
    REQUEST = "request"  # an accepted request, fixed
