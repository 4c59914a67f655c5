"""Database rows → the plain networkx graph that `crm.graph` works on.

The graph is built with a fixed number of bulk SELECTs (one per table, never one per
record), whatever the size of the data. Node ids are strings "<prefix>:<id>":

    i: initiative   o: organisation   p: person   e: event   w: workshop   t: theme

Node attributes: `kind`, `label`; initiatives and organisations also `land` (one AGS
code: an initiative's first Land, else its seat's Land; an organisation's Land),
`laender` (frozenset); initiatives `neighbour_laender` (frozenset: the Länder bordering
any of theirs), `themes` (set of names), `status` and `member_org_types` (the types of
their member organisations); organisations `org_type` (the stored value). Nothing else
is stored: the graph is kept in every worker (at scale 80,000 nodes), so equal values are
one shared object (`_Shared`), and attributes no reader needs (the Kreis; an
organisation's neighbouring Länder, which follow from its one `land`) are left out.

Edges carry `kind` and `weight`: active memberships (weighted by role, see
`MEMBERSHIP_WEIGHTS`), active affiliations, active initiative roles, event
registrations that are registered or attended (person–event, and person–workshop
for the assigned workshop), persons who were at one logged meeting (an interaction of
kind "meeting", e.g. a held 1:1 meeting of the practitioner exchange: person–person,
kind "met"), workshop–event, initiative–theme and active explicit
relationships (initiative–initiative, organisation–organisation).

Persons whose processing is restricted or who are anonymised are never included.
Which other persons are included depends on the scope (`crm.permissions.graph_scope`):
staff see all, an editor only the persons with a role in their own initiative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from typing import TypeVar

import networkx as nx
from sqlalchemy import Select
from sqlalchemy import select

from crm.extensions import db
from crm.graph import neighbours_of
from crm.models import Affiliation
from crm.models import Event
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import InteractionKind
from crm.models import Membership
from crm.models import MembershipRole
from crm.models import Organisation
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Relationship
from crm.models import Theme
from crm.models import Workshop
from crm.models import initiative_laender
from crm.models import initiative_themes
from crm.models import interaction_persons

Scope = tuple[str, int | None]
Shareable = TypeVar("Shareable", str, frozenset[str])

#: How strongly a membership binds an organisation to an initiative.
MEMBERSHIP_WEIGHTS: dict[MembershipRole, float] = {
    MembershipRole.TRAEGER: 1.5,
    MembershipRole.GESCHAEFTSSTELLE: 1.5,
    MembershipRole.GRUENDUNGSMITGLIED: 1.2,
    MembershipRole.BEIRAT: 1.0,
    MembershipRole.MITGLIED: 1.0,
    MembershipRole.FOERDERMITGLIED: 0.8,
    MembershipRole.PARTNER: 0.7,
}
ATTENDING = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


def node_id(kind: str, record_id: int) -> str:
    """The graph id of a record: node_id("initiative", 12) == "i:12"."""
    return f"{kind[0]}:{record_id}"


def record_of(node: str) -> tuple[str, int]:
    """The (kind prefix, id) of a graph node id: "i:12" → ("i", 12)."""
    prefix, _, number = node.partition(":")
    return prefix, int(number)


def _visible_persons(scope: Scope) -> Select[Any] | None:
    """A SELECT of the person ids `scope` may see; None means all of them."""
    kind, initiative_id = scope
    if kind == "all":
        return None
    if kind == "initiative" and initiative_id is not None:
        return select(InitiativeRole.person_id).where(
            InitiativeRole.initiative_id == initiative_id, InitiativeRole.is_active
        )
    return select(Person.id).where(Person.id.is_(None))  # no persons at all


class _Shared:
    """One object per distinct node id, Land code or set of Land codes within one build.

    networkx keeps the key objects it is given for both ends of every edge: an id made
    again for each edge would be stored once per edge end (about 140,000 strings at
    scale), and each organisation would carry sets of its own. Only strings and frozensets
    go in (values of other types that compare equal, like 1 and True, never meet here)."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def one(self, value: Shareable) -> Shareable:
        """The first object equal to `value` (`value` itself when it is new)."""
        found: Shareable = self._seen.setdefault(value, value)
        return found

    def id(self, kind: str, record_id: int) -> str:
        """`node_id(kind, record_id)`, as one object per node."""
        return self.one(node_id(kind, record_id))


def build_graph(scope: Scope) -> nx.Graph:
    """Build the network graph of the whole directory as `scope` may see it."""
    graph = nx.Graph()
    shared = _Shared()
    _add_initiatives(graph, shared)
    _add_organisations(graph, shared)
    _add_persons(graph, scope, shared)
    _add_events(graph, shared)
    _add_relationships(graph, shared)
    _add_met(graph, shared)
    _add_member_org_types(graph)
    return graph


def _add_member_org_types(graph: nx.Graph) -> None:
    """Each initiative's `member_org_types`, once per graph: the suggestions read it for
    every pair they weigh (about 6,000 times for the whole network's suggestions)."""
    kinds = dict(graph.nodes(data="kind"))
    types = dict(graph.nodes(data="org_type"))
    for node, kind in kinds.items():
        if kind == "initiative":
            graph.nodes[node]["member_org_types"] = frozenset(
                str(types[other])
                for other in graph.adj[node]
                if kinds[other] == "organisation" and types[other]
            )


def _land_attributes(
    shared: _Shared, codes: Iterable[str], land: str | None, *, neighbours: bool = True
) -> dict[str, Any]:
    laender = shared.one(frozenset(codes))
    found = {"land": shared.one(land) if land else land, "laender": laender}
    if neighbours:
        found["neighbour_laender"] = shared.one(neighbours_of(laender))
    return found


def _add_initiatives(graph: nx.Graph, shared: _Shared) -> None:
    laender: dict[int, list[str]] = defaultdict(list)
    for ini_id, ags in db.session.execute(
        select(initiative_laender.c.initiative_id, initiative_laender.c.land_ags).order_by(
            initiative_laender.c.initiative_id, initiative_laender.c.land_ags
        )
    ):
        laender[ini_id].append(ags)
    themes: dict[int, set[str]] = defaultdict(set)
    theme_links: list[tuple[int, int, str]] = []
    for ini_id, theme_id, name in db.session.execute(
        select(initiative_themes.c.initiative_id, Theme.id, Theme.name).join(
            Theme, Theme.id == initiative_themes.c.theme_id
        )
    ):
        themes[ini_id].add(name)
        theme_links.append((ini_id, theme_id, name))
    rows = db.session.execute(
        select(Initiative.id, Initiative.name, Initiative.status, Initiative.land_ags)
    )
    for ini_id, name, status, seat_land in rows:
        codes = laender.get(ini_id) or ([seat_land] if seat_land else [])
        graph.add_node(
            shared.id("initiative", ini_id),
            kind="initiative",
            label=name,
            status=status.value,
            themes=themes.get(ini_id, set()),
            **_land_attributes(shared, codes, codes[0] if codes else None),
        )
    for ini_id, theme_id, name in theme_links:
        theme = shared.id("theme", theme_id)
        if theme not in graph:
            graph.add_node(theme, kind="theme", label=name)
        graph.add_edge(shared.id("initiative", ini_id), theme, kind="theme", weight=1.0)


def _add_organisations(graph: nx.Graph, shared: _Shared) -> None:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.type, Organisation.land_ags)
    )
    for org_id, name, org_type, land in rows:
        graph.add_node(
            shared.id("organisation", org_id),
            kind="organisation",
            label=name,
            org_type=org_type.value,
            # the neighbours of its one Land are what the suggestions derive from `land`
            **_land_attributes(shared, [land] if land else [], land, neighbours=False),
        )
    memberships = db.session.execute(
        select(Membership.organisation_id, Membership.initiative_id, Membership.role).where(
            Membership.is_active
        )
    )
    for org_id, ini_id, role in memberships:
        u, v = shared.id("organisation", org_id), shared.id("initiative", ini_id)
        weight = MEMBERSHIP_WEIGHTS.get(role, 1.0)
        if graph.has_edge(u, v):  # several active memberships: the strongest counts
            weight = max(weight, graph.edges[u, v]["weight"])
        graph.add_edge(u, v, kind="membership", weight=weight)


def _add_persons(graph: nx.Graph, scope: Scope, shared: _Shared) -> None:
    visible = _visible_persons(scope)
    query = select(Person.id, Person.title, Person.first_name, Person.last_name).where(
        Person.restricted.is_(False), Person.anonymised_at.is_(None)
    )
    if visible is not None:
        query = query.where(Person.id.in_(visible))
    for person_id, title, first, last in db.session.execute(query):
        label = " ".join(part for part in (title, first, last) if part)
        graph.add_node(shared.id("person", person_id), kind="person", label=label)

    def linked(person_id: int, other: str, kind: str) -> None:
        person = shared.id("person", person_id)
        if person in graph and other in graph:
            graph.add_edge(person, other, kind=kind, weight=1.0)

    for person_id, org_id in db.session.execute(
        select(Affiliation.person_id, Affiliation.organisation_id).where(Affiliation.is_active)
    ):
        linked(person_id, shared.id("organisation", org_id), "affiliation")
    for person_id, ini_id in db.session.execute(
        select(InitiativeRole.person_id, InitiativeRole.initiative_id).where(
            InitiativeRole.is_active
        )
    ):
        linked(person_id, shared.id("initiative", ini_id), "role")


def _add_events(graph: nx.Graph, shared: _Shared) -> None:
    for event_id, title in db.session.execute(select(Event.id, Event.title)):
        graph.add_node(shared.id("event", event_id), kind="event", label=title)
    for workshop_id, event_id, title in db.session.execute(
        select(Workshop.id, Workshop.event_id, Workshop.title)
    ):
        workshop = shared.id("workshop", workshop_id)
        graph.add_node(workshop, kind="workshop", label=title)
        graph.add_edge(workshop, shared.id("event", event_id), kind="workshop", weight=1.0)
    registrations = db.session.execute(
        select(
            Registration.person_id, Registration.event_id, Registration.assigned_workshop_id
        ).where(Registration.status.in_(ATTENDING))
    )
    for person_id, event_id, assigned_id in registrations:
        if person_id is None:  # an anonymous registration (erased or past retention)
            continue
        person = shared.id("person", person_id)
        if person not in graph:
            continue
        graph.add_edge(person, shared.id("event", event_id), kind="registration", weight=1.0)
        if assigned_id is not None:
            workshop = shared.id("workshop", assigned_id)
            graph.add_edge(person, workshop, kind="workshop", weight=1.0)


def _add_relationships(graph: nx.Graph, shared: _Shared) -> None:
    rows = db.session.execute(
        select(
            Relationship.initiative_a_id,
            Relationship.initiative_b_id,
            Relationship.organisation_a_id,
            Relationship.organisation_b_id,
        ).where(Relationship.is_active)
    )
    for ini_a, ini_b, org_a, org_b in rows:
        if ini_a is not None and ini_b is not None:
            u, v = shared.id("initiative", ini_a), shared.id("initiative", ini_b)
        elif org_a is not None and org_b is not None:
            u, v = shared.id("organisation", org_a), shared.id("organisation", org_b)
        else:  # pragma: no cover - the table's CHECK constraint forbids it
            continue
        graph.add_edge(u, v, kind="relationship", weight=1.0)


def _add_met(graph: nx.Graph, shared: _Shared) -> None:
    """Persons who met at one logged meeting know each other (one edge per pair)."""
    rows = db.session.execute(
        select(interaction_persons.c.interaction_id, interaction_persons.c.person_id)
        .join(Interaction, Interaction.id == interaction_persons.c.interaction_id)
        .where(Interaction.kind == InteractionKind.MEETING)
        .order_by(interaction_persons.c.interaction_id, interaction_persons.c.person_id)
    )
    present: dict[int, list[str]] = defaultdict(list)
    for interaction_id, person_id in rows:
        person = shared.id("person", person_id)
        if person in graph:
            present[interaction_id].append(person)
    for persons in present.values():
        for i, u in enumerate(persons):
            for v in persons[i + 1 :]:
                if not graph.has_edge(u, v):
                    graph.add_edge(u, v, kind="met", weight=1.0)
