"""Read queries of the record pages: organisation and person details, records for the
edit and delete forms, what a delete takes with it, and the choices of the forms."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import joinedload

from crm.activity.queries import interactions_for
from crm.directory.loading import NAMED_ONLY
from crm.directory.loading import RECORD_ID
from crm.directory.loading import RecordList
from crm.directory.loading import by_id
from crm.directory.loading import links_list
from crm.directory.loading import relationships_of
from crm.extensions import db
from crm.models import Affiliation
from crm.models import Consent
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Registration
from crm.models import Relationship
from crm.models import User
from crm.models import interaction_persons
from crm.models.base import today
from crm.models.text import fold
from crm.models.text import like_contains
from crm.web.pagination import Page

KINDS = ("initiative", "organisation", "person")


def record_for_edit(kind: str, record_id: int) -> Any:
    """The record with everything its form and its delete need loaded (None if missing)."""
    if kind == "initiative":
        return by_id(
            Initiative,
            record_id,
            Initiative.themes,
            Initiative.formats,
            Initiative.laender,
            Initiative.kreise,
            Initiative.host_organisation,
        )
    if kind == "organisation":
        return by_id(Organisation, record_id, Organisation.parent)
    return db.session.get(Person, record_id)


class Linked(NamedTuple):
    """A record named on another's page: its id and name."""

    id: int
    name: str


def _children_and_hosted_statement() -> Any:
    """SQL: an organisation's first 100 subunits and the initiatives it hosts, by name."""
    children = (
        select(literal("child").label("kind"), Organisation.id, Organisation.name)
        .where(Organisation.parent_id == RECORD_ID)
        .order_by(Organisation.sort_name, Organisation.id)
        .limit(100)
        .subquery()
    )
    hosted = (
        select(literal("hosted").label("kind"), Initiative.id, Initiative.name)
        .where(Initiative.host_organisation_id == RECORD_ID)
        .order_by(Initiative.sort_name, Initiative.id)
        .subquery()
    )
    return union_all(select(children), select(hosted))


def _children_and_hosted(organisation_id: int) -> tuple[list[Linked], list[Linked]]:
    """The organisation's first 100 subunits and the initiatives it hosts, by name, in one
    statement."""
    found: dict[str, list[Linked]] = {"child": [], "hosted": []}
    for kind, record_id, name in db.session.execute(
        _CHILDREN_AND_HOSTED, {"record_id": organisation_id}
    ):
        found[kind].append(Linked(record_id, name))
    return found["child"], found["hosted"]


@dataclass(frozen=True)
class OrganisationDetail:
    """Everything the organisation page shows: its long lists a page at a time.

    The memberships, the people and the interactions are read when the page first asks for
    them: their sections are kept per address, day and data version (`kept` in
    crm.web.fragments), and a page whose sections are kept reads none of them."""

    organisation: Organisation
    memberships_page: int
    people_page: int
    relationships: Page[Relationship]
    children: list[Linked]
    hosted: list[Linked]
    day: dt.date  # the day it was read for (whether a link still runs changes with it)

    @functools.cached_property
    def interactions(self) -> list[Interaction]:
        """The organisation's ten newest interactions."""
        return interactions_for(organisation_id=self.organisation.id, limit=10)

    @functools.cached_property
    def memberships(self) -> Page[Membership]:
        """The page of the organisation's memberships that the address asks for."""
        return _ORGANISATION_LISTS["memberships"].page(self.organisation.id, self.memberships_page)

    @functools.cached_property
    def affiliations(self) -> Page[Affiliation]:
        """The page of the organisation's people that the address asks for."""
        return _ORGANISATION_LISTS["affiliations"].page(self.organisation.id, self.people_page)


# What the organisation page shows of a person of the organisation (and whether it is
# locked): not the notes, the data-protection facts and the rest of the row.
PERSON_SHOWN = (
    Person.id,
    Person.title,
    Person.first_name,
    Person.last_name,
    Person.email,
    Person.restricted,
)

# The page parameter of each paged list on the record pages (?memberships_page=2).
ORGANISATION_PAGES = ("memberships_page", "people_page", "relationships_page")
PERSON_PAGES = ("affiliations_page", "roles_page")


# The statements of the organisation and person pages, built once with the record's id
# (and a list's limit and offset) as parameters: a record page spends no time composing
# them or their cache keys, which cost about as much as reading their rows.
_ORGANISATION = (
    select(Organisation)
    .where(Organisation.id == RECORD_ID)
    .options(
        joinedload(Organisation.parent),
        joinedload(Organisation.land),
        joinedload(Organisation.kreis),
    )
)
_CHILDREN_AND_HOSTED = _children_and_hosted_statement()
_ORGANISATION_LISTS = {
    "memberships": links_list(
        Membership,
        Membership.initiative,
        Membership.organisation_id == RECORD_ID,
        order_by=(Initiative.sort_name, Membership.id),
        only=NAMED_ONLY[Initiative],
    ),
    "affiliations": links_list(
        Affiliation,
        Affiliation.person,
        Affiliation.organisation_id == RECORD_ID,
        order_by=(Person.sort_name, Affiliation.id),
        only=PERSON_SHOWN,
    ),
    "relationships": RecordList(
        select(Relationship)
        .where(relationships_of("organisation", RECORD_ID))
        .options(
            joinedload(Relationship.organisation_a).load_only(*NAMED_ONLY[Organisation]),
            joinedload(Relationship.organisation_b).load_only(*NAMED_ONLY[Organisation]),
        )
        .order_by(Relationship.id)
    ),
}


def organisation_detail(
    organisation_id: int,
    *,
    memberships_page: int = 1,
    people_page: int = 1,
    relationships_page: int = 1,
) -> OrganisationDetail | None:
    """One organisation with a page of its memberships, people and relationships each,
    and its recent interactions."""
    org = db.session.scalar(_ORGANISATION, {"record_id": organisation_id})
    if org is None:
        return None
    lists = _ORGANISATION_LISTS
    children, hosted = _children_and_hosted(organisation_id)
    return OrganisationDetail(
        org,
        memberships_page,
        people_page,
        lists["relationships"].page(organisation_id, relationships_page),
        children,
        hosted,
        today(),
    )


@dataclass(frozen=True)
class PersonDetail:
    """Everything the person page shows: its long lists a page at a time.

    The affiliations, roles, consents and interactions are read when the page first asks
    for them: their sections are kept per address, day and data version (`kept` in
    crm.web.fragments), and a page whose sections are kept reads none of them."""

    person: Person
    affiliations_page: int
    roles_page: int
    day: dt.date  # the day it was read for (whether a link still runs changes with it)

    @functools.cached_property
    def interactions(self) -> list[Interaction]:
        """The person's ten newest interactions."""
        return interactions_for(person_id=self.person.id, limit=10)

    @functools.cached_property
    def affiliations(self) -> Page[Affiliation]:
        """The page of the person's affiliations that the address asks for."""
        return _PERSON_LISTS["affiliations"].page(self.person.id, self.affiliations_page)

    @functools.cached_property
    def roles(self) -> Page[InitiativeRole]:
        """The page of the person's initiative roles that the address asks for."""
        return _PERSON_LISTS["roles"].page(self.person.id, self.roles_page)

    @functools.cached_property
    def consents(self) -> list[Consent]:
        """The person's consents, the newest first."""
        return list(db.session.scalars(_CONSENTS, {"record_id": self.person.id}))


_PERSON_LISTS = {
    "affiliations": links_list(
        Affiliation,
        Affiliation.organisation,
        Affiliation.person_id == RECORD_ID,
        order_by=(Organisation.sort_name, Affiliation.id),
        only=NAMED_ONLY[Organisation],
    ),
    "roles": links_list(
        InitiativeRole,
        InitiativeRole.initiative,
        InitiativeRole.person_id == RECORD_ID,
        order_by=(Initiative.sort_name, InitiativeRole.role, InitiativeRole.id),
        only=NAMED_ONLY[Initiative],
    ),
}
_CONSENTS = (
    select(Consent)
    .where(Consent.person_id == RECORD_ID)
    .order_by(Consent.given_at.desc(), Consent.id.desc())
)


def person_detail(
    person_id: int, *, affiliations_page: int = 1, roles_page: int = 1
) -> PersonDetail | None:
    """One person with a page of affiliations and of initiative roles each, consents and
    recent interactions."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    return PersonDetail(
        person,
        affiliations_page,
        roles_page,
        today(),
    )


def _n(column: Any, *where: Any) -> Any:
    """How many rows of `column`'s table match `where` (a scalar subquery: `_counted`
    reads all of a delete's counts in one statement)."""
    return select(func.count(column)).where(*where).scalar_subquery()


def _counted(items: list[tuple[str, Any]], editor_accounts: Any = None) -> Impact:
    """The `Impact` of the counts `items` (and `editor_accounts`), in one statement."""
    columns = [count for _, count in items]
    if editor_accounts is not None:
        columns.append(editor_accounts)
    values = [int(v or 0) for v in db.session.execute(select(*columns)).one()]
    return Impact(
        [(key, values[i]) for i, (key, _) in enumerate(items)],
        editor_accounts=values[-1] if editor_accounts is not None else 0,
    )


@dataclass(frozen=True)
class Impact:
    """What a delete takes with it: (label key, count) pairs, and what blocks it."""

    items: list[tuple[str, int]]
    editor_accounts: int = 0

    @property
    def blocked(self) -> bool:
        """Editor accounts hang on the initiative: an admin must remove them first."""
        return self.editor_accounts > 0


def delete_impact(kind: str, record_id: int) -> Impact:
    """Counts of the links, interactions and registrations a delete concerns."""
    if kind == "initiative":
        return _counted(
            [
                ("memberships", _n(Membership.id, Membership.initiative_id == record_id)),
                ("roles", _n(InitiativeRole.id, InitiativeRole.initiative_id == record_id)),
                (
                    "relationships",
                    _n(Relationship.id, relationships_of("initiative", record_id)),
                ),
                (
                    "interactions",
                    _n(
                        Interaction.id,
                        Interaction.initiative_id == record_id,
                        Interaction.organisation_id.is_(None),
                    ),
                ),
            ],
            editor_accounts=_n(User.id, User.initiative_id == record_id),
        )
    if kind == "organisation":
        return _counted(
            [
                ("memberships", _n(Membership.id, Membership.organisation_id == record_id)),
                ("affiliations", _n(Affiliation.id, Affiliation.organisation_id == record_id)),
                (
                    "relationships",
                    _n(Relationship.id, relationships_of("organisation", record_id)),
                ),
                ("hosted", _n(Initiative.id, Initiative.host_organisation_id == record_id)),
                ("children", _n(Organisation.id, Organisation.parent_id == record_id)),
                (
                    "interactions",
                    _n(
                        Interaction.id,
                        Interaction.organisation_id == record_id,
                        Interaction.initiative_id.is_(None),
                    ),
                ),
            ]
        )
    return _counted(
        [
            ("affiliations", _n(Affiliation.id, Affiliation.person_id == record_id)),
            ("roles", _n(InitiativeRole.id, InitiativeRole.person_id == record_id)),
            ("consents", _n(Consent.id, Consent.person_id == record_id)),
            ("registrations", _n(Registration.id, Registration.person_id == record_id)),
            (
                "interaction_links",
                _n(
                    interaction_persons.c.interaction_id,
                    interaction_persons.c.person_id == record_id,
                ),
            ),
        ]
    )


def organisation_matches(text: str, limit: int = 10) -> list[Organisation]:
    """Organisations whose folded name contains `text` (for the organisation fields)."""
    needle = fold(text.strip())[:100]
    if len(needle) < 2:
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.sort_name.like(like_contains(needle), escape="\\"))
            .order_by(Organisation.sort_name, Organisation.id)
            .limit(limit)
        )
    )
