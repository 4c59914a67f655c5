"""Read queries of the links feature: the records at both ends, a link with its ends
loaded, and the look-up of records by a fragment of their name (for the pickers)."""

from __future__ import annotations

from typing import Any

from crm.directory.loading import by_id
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Relationship
from crm.models import SearchKind
from crm.search.queries import search

KINDS: dict[str, type[Any]] = {
    "initiative": Initiative,
    "organisation": Organisation,
    "person": Person,
}
MAX_LOOKUP_HITS = 20


def parse_id(raw: str | None) -> int | None:
    """A positive id from a query string or form value; None for anything else."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    return int(raw)


def record(kind: str, record_id: int | None) -> Any:
    """The initiative, organisation or person with this id (None if there is none)."""
    if record_id is None or kind not in KINDS:
        return None
    return db.session.get(KINDS[kind], record_id)


def name_of(item: Any) -> str:
    """How a record is named in forms and messages."""
    if isinstance(item, Person):
        return item.full_name
    return str(item.name)


def membership(membership_id: int) -> Membership | None:
    """A membership with its initiative and organisation."""
    return by_id(Membership, membership_id, Membership.initiative, Membership.organisation)


def affiliation(affiliation_id: int) -> Affiliation | None:
    """An affiliation with its person and organisation."""
    return by_id(Affiliation, affiliation_id, Affiliation.person, Affiliation.organisation)


def initiative_role(role_id: int) -> InitiativeRole | None:
    """An initiative role with its person and initiative."""
    return by_id(InitiativeRole, role_id, InitiativeRole.person, InitiativeRole.initiative)


def relationship(relationship_id: int) -> Relationship | None:
    """A relationship with both of its ends."""
    return by_id(
        Relationship,
        relationship_id,
        Relationship.initiative_a,
        Relationship.initiative_b,
        Relationship.organisation_a,
        Relationship.organisation_b,
    )


def relationship_ends(rel: Relationship) -> tuple[str, Any, Any]:
    """The kind of records a relationship connects, and its two (loaded) ends."""
    if rel.initiative_a_id is not None:
        return "initiative", rel.initiative_a, rel.initiative_b
    return "organisation", rel.organisation_a, rel.organisation_b


def lookup(user: Any, kind: str, q: str | None) -> list[dict[str, Any]]:
    """Up to 20 records of `kind` matching `q` (the global search, scoped for `user`)."""
    if kind not in KINDS:
        return []
    found = search(user, q, limit_per_kind=MAX_LOOKUP_HITS).get(SearchKind(kind))
    return [
        {"id": hit.record_id, "label": hit.title, "detail": hit.subtitle}
        for hit in list(found or [])[:MAX_LOOKUP_HITS]
    ]


def unique_match(user: Any, kind: str, name: str) -> int | None:
    """The id of the one record of `kind` named exactly `name` (ignoring case), else None."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    ids = {hit["id"] for hit in lookup(user, kind, name) if hit["label"].casefold() == wanted}
    return ids.pop() if len(ids) == 1 else None
