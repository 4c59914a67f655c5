"""Acting on network suggestions: accept, dismiss or postpone a suggested pair.

Accepting an initiative ↔ initiative (or organisation ↔ organisation) pair creates a
Relationship of kind "vermittelt" from today, a note (Interaction) with the reasons,
and the feedback row. Accepting an organisation → initiative suggestion creates no
relationship (the model links only records of the same type, and joining is the
organisation's own decision): the note and the feedback row record the introduction.
Every change is audited by `crm.db.audit`; the caller commits.

An accepted pair is final: deciding it again changes nothing. Concurrent decisions on
the same pair meet the unique constraint; the loser changes nothing either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from typing import Literal

from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.models import Initiative
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Organisation
from crm.models import Relationship
from crm.models import RelationshipKind
from crm.models import SuggestionDecision
from crm.models import SuggestionFeedback
from crm.models.base import today
from crm.models.base import utcnow
from crm.models.network import normalise_pair
from crm.network import queries

Outcome = Literal[
    "accepted", "dismissed", "later", "already_accepted", "already_linked", "conflict"
]
_MODELS: dict[str, type[Initiative] | type[Organisation]] = {
    "initiative": Initiative,
    "organisation": Organisation,
}
SUBJECT_LIMIT = 200


class UnknownPair(LookupError):
    """One of the records does not exist, or the pair is not one we suggest."""


@dataclass(frozen=True)
class Pair:
    """The two records of a suggestion: the page's record and the suggested one."""

    source: Any
    target: Any

    def __iter__(self) -> Iterator[Any]:
        """Both records, source first."""
        return iter((self.source, self.target))


@dataclass(frozen=True)
class Decided:
    """What deciding did, and the two records it was about."""

    outcome: Outcome
    source: Any
    target: Any


def load_pair(source_type: str, source_id: int, target_type: str, target_id: int) -> Pair:
    """The two records of a pair, or UnknownPair (the view answers 404)."""
    if source_type not in _MODELS or target_type not in _MODELS:
        raise UnknownPair("unknown record type")
    if (source_type, target_type) == ("initiative", "organisation"):
        raise UnknownPair("initiatives are not offered organisations")
    if source_type == target_type and source_id == target_id:
        raise UnknownPair("a record is not suggested to itself")
    source = db.session.get(_MODELS[source_type], source_id)
    target = db.session.get(_MODELS[target_type], target_id)
    if source is None or target is None:
        raise UnknownPair("no such record")
    return Pair(source=source, target=target)


def _existing_relationship(source: Any, target: Any) -> Relationship | None:
    if type(source) is not type(target):
        return None
    a, b = (
        (Relationship.initiative_a_id, Relationship.initiative_b_id)
        if isinstance(source, Initiative)
        else (Relationship.organisation_a_id, Relationship.organisation_b_id)
    )
    return db.session.scalar(
        select(Relationship)
        .where(
            or_(
                and_(a == source.id, b == target.id),
                and_(a == target.id, b == source.id),
            ),
            Relationship.is_active,
        )
        .limit(1)
    )


def _feedback(source_type: str, source_id: int, target_type: str, target_id: int) -> Any:
    key = normalise_pair(source_type, source_id, target_type, target_id)
    return db.session.scalar(
        select(SuggestionFeedback).where(
            SuggestionFeedback.source_type == key[0],
            SuggestionFeedback.source_id == key[1],
            SuggestionFeedback.target_type == key[2],
            SuggestionFeedback.target_id == key[3],
        )
    )


def subject_for(source: Any, target: Any) -> str:
    """The note's subject: "Vorschlag angenommen: A ↔ B" (cut to the column's length)."""
    subject = f"Vorschlag angenommen: {source.name} ↔ {target.name}"
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"


def _shared_kind(source: Any, target: Any) -> str | None:
    """ "initiative" or "organisation" when both records are of that kind, else None."""
    for kind, model in (("initiative", Initiative), ("organisation", Organisation)):
        if isinstance(source, model) and isinstance(target, model):
            return kind
    return None


def _accept(user: Any, source: Any, target: Any, reasons: list[str]) -> Relationship | None:
    relationship = None
    side = _shared_kind(source, target)  # an initiative and an organisation get a note only
    if side is not None:
        relationship = Relationship(
            kind=RelationshipKind.VERMITTELT,
            since=today(),
            **{f"{side}_a_id": source.id, f"{side}_b_id": target.id},
        )
        relationship.note = "\n".join(reasons) or None
        db.session.add(relationship)
    initiative = source if isinstance(source, Initiative) else target
    organisation = source if isinstance(source, Organisation) else None
    db.session.add(
        Interaction(
            kind=InteractionKind.NOTE,
            subject=subject_for(source, target),
            notes="\n".join(reasons) or None,
            author_id=getattr(user, "id", None),
            initiative_id=initiative.id if isinstance(initiative, Initiative) else None,
            organisation_id=organisation.id if organisation is not None else None,
        )
    )
    return relationship


def decide(user: Any, pair: Pair, decision: SuggestionDecision) -> Decided:
    """Record `decision` about `pair` (from `load_pair`); return what happened."""
    source, target = pair.source, pair.target
    source_type = "initiative" if isinstance(source, Initiative) else "organisation"
    target_type = "initiative" if isinstance(target, Initiative) else "organisation"
    existing = _feedback(source_type, source.id, target_type, target.id)
    if existing is not None and existing.decision is SuggestionDecision.ACCEPTED:
        return Decided("already_accepted", source, target)
    if decision is SuggestionDecision.ACCEPTED and _existing_relationship(source, target):
        return Decided("already_linked", source, target)
    found = queries.evidence(user, source_type, source.id, target.id)
    reasons = [queries.reason_text(reason) for reason in found.reasons] if found else []
    try:
        with db.session.begin_nested():
            relationship = None
            if decision is SuggestionDecision.ACCEPTED:
                relationship = _accept(user, source, target, reasons)
                db.session.flush()
            row = existing or SuggestionFeedback()
            key = normalise_pair(source_type, source.id, target_type, target.id)
            row.source_type, row.source_id, row.target_type, row.target_id = key
            row.decision = decision
            row.score = found.score if found else 0.0
            row.reasons = reasons
            row.decided_by_id = getattr(user, "id", None)
            row.decided_at = utcnow()
            row.relationship_id = relationship.id if relationship is not None else None
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # someone decided the same pair at the same moment
        return Decided("conflict", source, target)
    return Decided(decision.value, source, target)
