"""Typed SQLAlchemy 2 models, one module per area; all are importable from here."""

from crm.models.accounts import User
from crm.models.activity import Interaction, interaction_persons
from crm.models.api import ApiScope, ApiToken
from crm.models.audit import AuditEntry, AuditEntrySeen, JobRun, OutboxMail
from crm.models.base import Base
from crm.models.directory import (
    Initiative,
    Membership,
    Organisation,
    Relationship,
    initiative_formats,
    initiative_kreise,
    initiative_laender,
    initiative_themes,
)
from crm.models.duplicates import DuplicateDismissal, RecordMerge
from crm.models.enums import *  # noqa: F403 - the vocabularies belong to the model API
from crm.models.events import (
    AgendaBlock,
    AssignmentDraft,
    Event,
    Registration,
    Workshop,
    WorkshopPreference,
)
from crm.models.imports import ImportBatch, ImportMapping
from crm.models.network import SuggestionFeedback
from crm.models.people import Affiliation, Consent, InitiativeRole, Person
from crm.models.reference import Bundesland, Kreis, Postcode
from crm.models.search import SearchDocument, SearchKind
from crm.models.vocab import Format, Theme

__all__ = [
    "AgendaBlock",
    "ApiScope",
    "ApiToken",
    "Affiliation",
    "AssignmentDraft",
    "AuditEntry",
    "AuditEntrySeen",
    "Base",
    "Bundesland",
    "Consent",
    "DuplicateDismissal",
    "Event",
    "Format",
    "ImportBatch",
    "ImportMapping",
    "Initiative",
    "InitiativeRole",
    "Interaction",
    "JobRun",
    "Kreis",
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
