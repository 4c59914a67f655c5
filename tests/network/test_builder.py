"""The graph builder: nodes, edges and attributes from factory data, scopes, query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from crm.extensions import db
from crm.graph import neighbours_of
from crm.models import MembershipRole
from crm.models import OrgType
from crm.models import RegistrationStatus
from crm.network.builder import build_graph
from crm.network.builder import node_id
from crm.network.builder import record_of
from tests.helpers import days_from_today

STAFF = ("all", None)


def build(app, scope=STAFF):
    """Build the graph in an app context."""
    with app.app_context():
        return build_graph(scope)


def test_node_ids_round_trip():
    assert node_id("initiative", 12) == "i:12"
    assert node_id("organisation", 34) == "o:34"
    assert node_id("workshop", 9) == "w:9"
    assert record_of("p:56") == ("p", 56)


def test_nodes_and_attributes(app, make):
    ini = make.initiative(
        name="Zukunft durch Industrie", laender=["05", "06"], themes=["Wasserstoff"]
    )
    org = make.organisation(name="Stahlwerk Nord AG", land_ags="03", type=OrgType.IHK)
    person = make.person(first_name="Erika", last_name="Beispiel", title="Dr.")
    event_ = make.event(title="Netzwerktreffen Nord")
    workshop = make.workshop(event_, title="Wasserstoff im Mittelstand")
    graph = build(app)

    i = graph.nodes[f"i:{ini.id}"]
    assert i["kind"] == "initiative" and i["label"] == "Zukunft durch Industrie"
    assert i["land"] == "05" and i["laender"] == {"05", "06"}
    assert "07" in i["neighbour_laender"] and "05" not in i["neighbour_laender"]
    assert i["themes"] == {"Wasserstoff"}
    o = graph.nodes[f"o:{org.id}"]
    assert (o["kind"], o["org_type"], o["land"], o["laender"]) == (
        "organisation",
        "ihk",
        "03",
        {"03"},
    )
    assert graph.nodes[f"p:{person.id}"] == {"kind": "person", "label": "Dr. Erika Beispiel"}
    assert graph.nodes[f"e:{event_.id}"]["label"] == "Netzwerktreffen Nord"
    assert graph.nodes[f"w:{workshop.id}"]["kind"] == "workshop"
    theme_nodes = [n for n, kind in graph.nodes(data="kind") if kind == "theme"]
    assert [graph.nodes[n]["label"] for n in theme_nodes] == ["Wasserstoff"]
    assert graph.edges[f"i:{ini.id}", theme_nodes[0]]["kind"] == "theme"


def test_equal_values_are_one_object_and_unread_attributes_are_left_out(app, make):
    """The graph is kept in every worker: equal ids, Land codes and Land sets are stored
    once, not once per node or edge end, and the Kreis (read by nothing) is not stored."""
    ini = make.initiative(laender=["03"], kreis_ags="03241")
    orgs = [make.organisation(land_ags="03", kreis_ags="03241") for _ in range(2)]
    person = make.person()
    for org in orgs:
        make.membership(org, ini)
        make.affiliation(person, org)
    graph = build(app)

    nodes = [graph.nodes[f"o:{org.id}"] for org in orgs] + [graph.nodes[f"i:{ini.id}"]]
    for name in ("land", "laender"):
        assert len({id(node[name]) for node in nodes}) == 1, name
    assert isinstance(nodes[0]["laender"], frozenset)
    assert all("kreis" not in node for node in nodes)
    # an organisation's neighbouring Länder follow from its one Land (as the suggestions
    # derive them); an initiative's from all of its Länder
    assert all("neighbour_laender" not in node for node in nodes[:2])
    assert nodes[2]["neighbour_laender"] == neighbours_of({"03"})
    keys = {id(node) for node in graph}
    for u, v in graph.edges:
        assert id(u) in keys and id(v) in keys
    for node in graph:
        assert all(id(other) in keys for other in graph.adj[node])


def test_initiative_without_laender_uses_its_seat(app, make):
    ini = make.initiative(land_ags="09")
    node = build(app).nodes[f"i:{ini.id}"]
    assert node["land"] == "09" and node["laender"] == {"09"}


@pytest.mark.parametrize(
    ("role", "weight"),
    [
        (MembershipRole.TRAEGER, 1.5),
        (MembershipRole.GESCHAEFTSSTELLE, 1.5),
        (MembershipRole.MITGLIED, 1.0),
        (MembershipRole.PARTNER, 0.7),
    ],
)
def test_membership_edges_weighted_by_role(app, make, role, weight):
    ini, org = make.initiative(), make.organisation()
    make.membership(org, ini, role=role)
    edge = build(app).edges[f"o:{org.id}", f"i:{ini.id}"]
    assert edge == {"kind": "membership", "weight": weight}


@pytest.mark.parametrize(
    ("since", "until", "present"),  # days from today
    [
        (None, None, True),
        (None, -1, False),  # ended
        (1, None, False),  # not yet begun
        (-1, 1, True),
    ],
)
def test_only_active_links_become_edges(app, make, since, until, present):
    since, until = days_from_today(since), days_from_today(until)
    ini, org, other = make.initiative(), make.organisation(), make.initiative()
    person = make.person()
    make.membership(org, ini, since=since, until=until)
    make.affiliation(person, org, since=since, until=until)
    make.initiative_role(person, ini, since=since, until=until)
    make.relationship(ini, other, since=since, until=until)
    graph = build(app)
    assert graph.has_edge(f"o:{org.id}", f"i:{ini.id}") is present
    assert graph.has_edge(f"p:{person.id}", f"o:{org.id}") is present
    assert graph.has_edge(f"p:{person.id}", f"i:{ini.id}") is present
    assert graph.has_edge(f"i:{ini.id}", f"i:{other.id}") is present
    assert f"i:{ini.id}" in graph and f"o:{org.id}" in graph  # nodes stay


@pytest.mark.parametrize(
    ("status", "present"),
    [
        (RegistrationStatus.REGISTERED, True),
        (RegistrationStatus.ATTENDED, True),
        (RegistrationStatus.WAITLISTED, False),
        (RegistrationStatus.CANCELLED, False),
        (RegistrationStatus.NO_SHOW, False),
    ],
)
def test_registration_edges(app, make, status, present):
    ev = make.event()
    workshop = make.workshop(ev)
    person = make.person()
    make.registration(ev, person, status=status, assigned_workshop_id=workshop.id)
    graph = build(app)
    assert graph.has_edge(f"p:{person.id}", f"e:{ev.id}") is present
    assert graph.has_edge(f"p:{person.id}", f"w:{workshop.id}") is present
    assert graph.edges[f"w:{workshop.id}", f"e:{ev.id}"]["kind"] == "workshop"


def test_organisation_relationships_become_edges(app, make):
    from crm.models import Relationship
    from crm.models import RelationshipKind

    a, b = make.organisation(), make.organisation()
    make.save(
        Relationship(
            kind=RelationshipKind.KOOPERATION, organisation_a_id=a.id, organisation_b_id=b.id
        )
    )
    assert build(app).edges[f"o:{a.id}", f"o:{b.id}"]["kind"] == "relationship"


def test_restricted_and_anonymised_persons_are_left_out(app, make):
    kept = make.person()
    restricted = make.person(restricted=True)
    anonymised = make.person(anonymised_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    graph = build(app)
    assert f"p:{kept.id}" in graph
    assert f"p:{restricted.id}" not in graph and f"p:{anonymised.id}" not in graph


def test_editor_graph_has_only_persons_of_their_own_initiative(app, make):
    own, other = make.initiative(), make.initiative()
    org = make.organisation()
    make.membership(org, own)
    make.membership(org, other)
    ours, theirs, nobody = make.person(), make.person(), make.person()
    make.initiative_role(ours, own)
    make.initiative_role(theirs, other)
    make.affiliation(theirs, org)  # works at a shared member: still not visible
    ev = make.event()
    make.registration(ev, theirs)
    make.registration(ev, ours)

    editor = build(app, ("initiative", own.id))
    persons = {n for n, kind in editor.nodes(data="kind") if kind == "person"}
    assert persons == {f"p:{ours.id}"}
    assert editor.has_edge(f"p:{ours.id}", f"e:{ev.id}")
    assert f"i:{other.id}" in editor and editor.has_edge(f"o:{org.id}", f"i:{other.id}")

    staff = build(app, STAFF)
    assert {f"p:{ours.id}", f"p:{theirs.id}", f"p:{nobody.id}"} <= set(staff)
    public = build(app, ("none", None))
    assert not any(kind == "person" for _n, kind in public.nodes(data="kind"))


def _count_selects(app, scope=STAFF) -> int:
    statements: list[str] = []
    with app.app_context():

        def count(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            build_graph(scope)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_fixed_number_of_queries_whatever_the_size(app, make):
    ini = make.initiative(laender=["05"], themes=["Wasserstoff"])
    make.membership(make.organisation(), ini)
    small = _count_selects(app)
    for _ in range(5):
        other = make.initiative(laender=["06"], themes=["Resilienz"])
        org = make.organisation()
        person = make.person()
        make.membership(org, other)
        make.affiliation(person, org)
        make.initiative_role(person, other)
        ev = make.event()
        make.registration(ev, person, assigned_workshop_id=make.workshop(ev).id)
        make.relationship(ini, other)
    assert _count_selects(app) == small <= 13
    assert _count_selects(app, ("initiative", ini.id)) == small
