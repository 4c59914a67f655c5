"""Typed SQLAlchemy 2 models, one module per area; all are importable from here."""

from crm.models.accounts import User
from crm.models.activity import Interaction
from crm.models.activity import interaction_persons
from crm.models.api import ApiScope
from crm.models.api import ApiToken
from crm.models.audit import AuditEntry
from crm.models.audit import AuditEntrySeen
from crm.models.audit import JobRun
from crm.models.audit import OutboxMail
from crm.models.base import Base
from crm.models.directory import Initiative
from crm.models.directory import Membership
from crm.models.directory import Organisation
from crm.models.directory import Relationship
from crm.models.directory import initiative_formats
from crm.models.directory import initiative_kreise
from crm.models.directory import initiative_laender
from crm.models.directory import initiative_themes
from crm.models.duplicates import DuplicateDismissal
from crm.models.duplicates import RecordMerge
from crm.models.enums import *  # noqa: F403 - the vocabularies belong to the model API
from crm.models.events import AgendaBlock
from crm.models.events import AssignmentDraft
from crm.models.events import Event
from crm.models.events import Registration
from crm.models.events import Workshop
from crm.models.events import WorkshopPreference
from crm.models.followup import AttendanceImport
from crm.models.followup import Feedback
from crm.models.followup import FollowupMail
from crm.models.followup import FollowupSettings
from crm.models.followup import Material
from crm.models.imports import ImportBatch
from crm.models.imports import ImportMapping
from crm.models.invitations import InvitationCampaign
from crm.models.invitations import InvitationRecipient
from crm.models.invitations import InvitationStatus
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import Meeting
from crm.models.matchmaking import MeetingRequest
from crm.models.matchmaking import MeetingWish
from crm.models.network import SuggestionFeedback
from crm.models.people import Affiliation
from crm.models.people import Consent
from crm.models.people import InitiativeRole
from crm.models.people import Person
from crm.models.reference import Bundesland
from crm.models.reference import Kreis
from crm.models.reference import Postcode
from crm.models.search import SearchDocument
from crm.models.search import SearchKind
from crm.models.vocab import Format
from crm.models.vocab import Theme

__all__ = [
    "AgendaBlock",
    "ApiScope",
    "ApiToken",
    "Affiliation",
    "AssignmentDraft",
    "AttendanceImport",
    "AuditEntry",
    "AuditEntrySeen",
    "Base",
    "Bundesland",
    "Consent",
    "DuplicateDismissal",
    "Event",
    "Feedback",
    "FollowupMail",
    "FollowupSettings",
    "Format",
    "ImportBatch",
    "ImportMapping",
    "Initiative",
    "InitiativeRole",
    "InvitationCampaign",
    "InvitationRecipient",
    "InvitationStatus",
    "Interaction",
    "JobRun",
    "Kreis",
    "Material",
    "MatchmakingSettings",
    "Meeting",
    "MeetingRequest",
    "MeetingWish",
    "Membership",
    "Organisation",
    "OutboxMail",
    "Person",
    "Postcode",
    "RecordMerge",
    "Registration",
    "Relationship",
    "SearchDocument",
    "SearchKind",
    "SuggestionFeedback",
    "Theme",
    "User",
    "Workshop",
    "WorkshopPreference",
    "initiative_formats",
    "initiative_kreise",
    "initiative_laender",
    "initiative_themes",
    "interaction_persons",
]
