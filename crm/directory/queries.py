"""Read queries of the directory: lists with search, filters and sorting, and detail pages.

Only whitelisted sort keys and filter values reach SQL; anything else is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from crm import permissions
from crm.extensions import db
from crm.models import (
    Affiliation,
    Bundesland,
    Initiative,
    InitiativeRole,
    InitiativeStatus,
    InitiativeType,
    Interaction,
    Membership,
    Organisation,
    OrgType,
    Person,
    Relationship,
    initiative_laender,
)
from crm.text import fold


@dataclass(frozen=True)
class ListSpec:
    """What a list page may be sorted by; the first key is the default."""

    sorts: Mapping[str, tuple[Any, ...]]
    default: str


INITIATIVE_LIST = ListSpec(
    sorts={
        "name": (Initiative.sort_name, Initiative.id),
        "type": (Initiative.type, Initiative.sort_name, Initiative.id),
        "status": (Initiative.status, Initiative.sort_name, Initiative.id),
        "founded": (Initiative.founded_year, Initiative.id),
        "place": (Initiative.place, Initiative.id),
    },
    default="name",
)
ORGANISATION_LIST = ListSpec(
    sorts={
        "name": (Organisation.sort_name, Organisation.id),
        "type": (Organisation.type, Organisation.sort_name, Organisation.id),
        "place": (Organisation.place, Organisation.id),
        "land": (Organisation.land_ags, Organisation.sort_name, Organisation.id),
    },
    default="name",
)
PERSON_LIST = ListSpec(
    sorts={
        "name": (Person.sort_name, Person.id),
        "email": (Person.email, Person.id),
    },
    default="name",
)


@dataclass
class ListParams:
    """Cleaned list parameters from the query string."""

    q: str = ""
    sort: str = "name"
    desc: bool = False
    filters: dict[str, str] = field(default_factory=dict)


def parse_list_params(
    args: Mapping[str, str], spec: ListSpec, allowed: Mapping[str, set[str]]
) -> ListParams:
    """Keep only known sort keys and filter values; drop the rest silently."""
    sort = args.get("sort", spec.default)
    if sort not in spec.sorts:
        sort = spec.default
    filters = {key: args[key] for key, values in allowed.items() if args.get(key) in values}
    return ListParams(
        q=(args.get("q") or "").strip()[:100],
        sort=sort,
        desc=args.get("dir") == "desc",
        filters=filters,
    )


def _order(query: Select[Any], spec: ListSpec, params: ListParams) -> Select[Any]:
    columns = spec.sorts[params.sort]
    return query.order_by(*(c.desc() if params.desc else c.asc() for c in columns))


def _like(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The 16 Länder are reference data that only `init-db` writes: read them once per
# database per process instead of on every list request.
_LAND_CHOICES: dict[str, list[tuple[str, str]]] = {}


def land_choices() -> list[tuple[str, str]]:
    """All Länder as (ags, name), sorted by name."""
    key = str(db.engine.url)
    if key not in _LAND_CHOICES:
        rows = db.session.scalars(select(Bundesland).order_by(Bundesland.name))
        choices = [(b.ags, b.name) for b in rows]
        if len(choices) == 16:  # cache only the complete reference set
            _LAND_CHOICES[key] = choices
        return choices
    return _LAND_CHOICES[key]


def initiative_filters() -> dict[str, set[str]]:
    """The allowed filter values of the initiative list."""
    return {
        "land": {a for a, _ in land_choices()},
        "type": {t.value for t in InitiativeType},
        "status": {s.value for s in InitiativeStatus},
    }


def initiatives_query(user: Any, params: ListParams) -> Select[Any]:
    """Initiatives visible to `user`, searched, filtered and sorted."""
    query = permissions.scope_initiatives(user, select(Initiative))
    if params.q:
        query = query.where(Initiative.sort_name.like(_like(params.q), escape="\\"))
    if land := params.filters.get("land"):
        query = query.where(
            Initiative.id.in_(
                select(initiative_laender.c.initiative_id).where(
                    initiative_laender.c.land_ags == land
                )
            )
        )
    if kind := params.filters.get("type"):
        query = query.where(Initiative.type == kind)
    if status := params.filters.get("status"):
        query = query.where(Initiative.status == status)
    return _order(query.options(selectinload(Initiative.laender)), INITIATIVE_LIST, params)


def organisation_filters() -> dict[str, set[str]]:
    """The allowed filter values of the organisation list."""
    return {"land": {a for a, _ in land_choices()}, "type": {t.value for t in OrgType}}


def organisations_query(params: ListParams) -> Select[Any]:
    """Organisations, searched, filtered and sorted."""
    query = select(Organisation)
    if params.q:
        query = query.where(Organisation.sort_name.like(_like(params.q), escape="\\"))
    if land := params.filters.get("land"):
        query = query.where(Organisation.land_ags == land)
    if kind := params.filters.get("type"):
        query = query.where(Organisation.type == kind)
    return _order(query, ORGANISATION_LIST, params)


def persons_query(params: ListParams) -> Select[Any]:
    """Persons, searched by name or e-mail, sorted."""
    query = select(Person)
    if params.q:
        pattern = _like(params.q)
        query = query.where(
            Person.sort_name.like(pattern, escape="\\") | Person.email.like(pattern, escape="\\")
        )
    return _order(query, PERSON_LIST, params)


@dataclass(frozen=True)
class InitiativeDetail:
    """Everything the initiative page shows, loaded in a fixed number of queries."""

    initiative: Initiative
    members_by_type: dict[OrgType, list[Membership]]
    former_members: list[Membership]
    roles: list[InitiativeRole]
    relationships: list[Relationship]
    interactions: list[Interaction]


def initiative_detail(initiative_id: int) -> InitiativeDetail | None:
    """Load one initiative with members, contacts, relationships and recent interactions."""
    initiative = db.session.scalar(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            selectinload(Initiative.themes),
            selectinload(Initiative.formats),
            selectinload(Initiative.laender),
            selectinload(Initiative.kreise),
            selectinload(Initiative.host_organisation),
            selectinload(Initiative.seat_kreis),
        )
    )
    if initiative is None:
        return None
    memberships = db.session.scalars(
        select(Membership)
        .join(Membership.organisation)
        .where(Membership.initiative_id == initiative_id)
        .options(selectinload(Membership.organisation))
        .order_by(Organisation.sort_name)
    ).all()
    by_type: dict[OrgType, list[Membership]] = {}
    former: list[Membership] = []
    for m in memberships:
        if m.is_active:
            by_type.setdefault(m.organisation.type, []).append(m)
        else:
            former.append(m)
    ordered = {t: by_type[t] for t in OrgType if t in by_type}
    roles = db.session.scalars(
        select(InitiativeRole)
        .join(InitiativeRole.person)
        .where(InitiativeRole.initiative_id == initiative_id)
        .options(
            selectinload(InitiativeRole.person)
            .selectinload(Person.affiliations)
            .selectinload(Affiliation.organisation)
        )
        .order_by(InitiativeRole.role, Person.sort_name)
    ).all()
    relationships = db.session.scalars(
        select(Relationship)
        .where(
            (Relationship.initiative_a_id == initiative_id)
            | (Relationship.initiative_b_id == initiative_id)
        )
        .options(selectinload(Relationship.initiative_a), selectinload(Relationship.initiative_b))
    ).all()
    interactions = db.session.scalars(
        select(Interaction)
        .where(Interaction.initiative_id == initiative_id)
        .options(selectinload(Interaction.author), selectinload(Interaction.persons))
        .order_by(Interaction.occurred_at.desc())
        .limit(10)
    ).all()
    return InitiativeDetail(
        initiative, ordered, former, list(roles), list(relationships), list(interactions)
    )
