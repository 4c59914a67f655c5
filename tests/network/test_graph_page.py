"""The interactive network graph: the pure view selection and the two staff endpoints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.graph.graphview import GraphView
from crm.graph.graphview import ViewFilters
from crm.graph.graphview import community_of
from crm.graph.graphview import find_nodes
from crm.graph.graphview import initiative_network
from crm.graph.graphview import select_view
from crm.models import Theme
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members

ROOT = Path(__file__).resolve().parents[2]


# --- the pure selection (no database) ---------------------------------------------------


def sample() -> nx.Graph:
    """Four initiatives, three organisations, two persons, a theme and an event."""
    g = nx.Graph()
    g.add_node("i:1", kind="initiative", label="Alpha Nord", land="03", laender={"03"},
               themes={"Wasserstoff"})  # fmt: skip
    g.add_node("i:2", kind="initiative", label="Beta Nord", land="03", laender={"03"},
               themes={"Chemie"})  # fmt: skip
    g.add_node("i:3", kind="initiative", label="Gamma Süd", land="09", laender={"09"},
               themes={"Wasserstoff"})  # fmt: skip
    g.add_node("i:4", kind="initiative", label="Delta allein", land="09", laender={"09"})
    g.add_node("o:1", kind="organisation", label="IHK Nord", land="03")
    g.add_node("o:2", kind="organisation", label="Werft Nord GmbH", land="03")
    g.add_node("o:3", kind="organisation", label="Chemie Süd AG", land="09")
    g.add_node("p:1", kind="person", label="Erika Muster")
    g.add_node("p:2", kind="person", label="Max Beispiel")
    g.add_node("t:1", kind="theme", label="Wasserstoff")
    g.add_node("e:1", kind="event", label="Netzwerktreffen")
    for org, ini in [("o:1", "i:1"), ("o:1", "i:2"), ("o:2", "i:1"), ("o:2", "i:2"),
                     ("o:3", "i:3"), ("o:3", "i:1")]:  # fmt: skip
        g.add_edge(org, ini, kind="membership", weight=1.0)
    g.add_edge("p:1", "o:1", kind="affiliation", weight=1.0)
    g.add_edge("p:1", "i:1", kind="role", weight=1.0)
    g.add_edge("p:2", "i:3", kind="role", weight=1.0)
    g.add_edge("i:2", "i:3", kind="relationship", weight=1.0)
    g.add_edge("t:1", "i:1", kind="theme", weight=1.0)
    g.add_edge("t:1", "i:3", kind="theme", weight=1.0)
    g.add_edge("e:1", "p:1", kind="registration", weight=1.0)
    g.add_edge("e:1", "p:2", kind="registration", weight=1.0)
    return g


GROUPS = [{"i:1", "i:2"}, {"i:3", "i:4"}]


def ids(view: GraphView) -> set[str]:
    """The ids of the shown nodes."""
    return {str(node.id) for node in view.nodes}


def edge_map(view: GraphView) -> dict[tuple[str, str], tuple[str, float]]:
    """{(source, target): (kind, weight)}."""
    return {(str(e.source), str(e.target)): (e.kind, e.weight) for e in view.edges}


def test_initiative_network_counts_shared_members_and_marks_relationships():
    network = initiative_network(sample())
    assert set(network) == {"i:1", "i:2", "i:3", "i:4"}
    assert network.edges["i:1", "i:2"]["kind"] == "shared"
    assert network.edges["i:1", "i:2"]["shared"] == 2  # o:1 and o:2; the theme does not count
    assert network.edges["i:1", "i:3"]["shared"] == 1  # o:3
    assert network.edges["i:2", "i:3"]["kind"] == "relationship"
    assert network.edges["i:2", "i:3"]["shared"] == 0
    assert initiative_network(nx.Graph()).number_of_nodes() == 0


def test_default_view_is_the_aggregated_initiative_network():
    view = select_view(sample(), ViewFilters())
    assert view.aggregated and view.kinds == ("initiative",)
    assert ids(view) == {"i:1", "i:2", "i:3", "i:4"}
    assert edge_map(view) == {
        ("i:1", "i:2"): ("shared", 2.0),
        ("i:1", "i:3"): ("shared", 1.0),
        ("i:2", "i:3"): ("relationship", 1.0),
    }
    assert (view.matched, view.hidden, view.selected, view.focus) == (4, 0, None, None)
    degrees = {str(n.id): n.degree for n in view.nodes}
    assert degrees == {"i:1": 2, "i:2": 2, "i:3": 2, "i:4": 0}


def test_kind_filter_draws_the_plain_graph_without_themes_or_events():
    view = select_view(
        sample(), ViewFilters(kinds=frozenset({"initiative", "organisation", "person"}))
    )
    assert not view.aggregated
    assert ids(view) == {"i:1", "i:2", "i:3", "i:4", "o:1", "o:2", "o:3", "p:1", "p:2"}
    kinds = {kind for kind, _weight in edge_map(view).values()}
    assert kinds == {"membership", "affiliation", "role", "relationship"}
    only_orgs = select_view(sample(), ViewFilters(kinds=frozenset({"organisation", "bogus"})))
    assert ids(only_orgs) == {"o:1", "o:2", "o:3"} and only_orgs.kinds == ("organisation",)


def test_land_filter():
    assert ids(select_view(sample(), ViewFilters(land="09"))) == {"i:3", "i:4"}
    everything = frozenset({"initiative", "organisation", "person"})
    # organisations by their own Land, persons by a link to a matching record
    assert ids(select_view(sample(), ViewFilters(kinds=everything, land="09"))) == {
        "i:3", "i:4", "o:3", "p:2"
    }  # fmt: skip


def test_theme_filter():
    assert ids(select_view(sample(), ViewFilters(theme="Wasserstoff"))) == {"i:1", "i:3"}
    # organisations are members of a matching initiative
    orgs = select_view(sample(), ViewFilters(kinds=frozenset({"organisation"}), theme="Chemie"))
    assert ids(orgs) == {"o:1", "o:2"}


def test_communities_number_initiatives_and_their_neighbours():
    numbers = community_of(sample(), GROUPS)
    assert numbers["i:1"] == 1 and numbers["i:4"] == 2
    assert numbers["o:1"] == 1 and numbers["p:2"] == 2
    assert numbers["o:3"] == 1  # one initiative of each group: the lower number wins
    assert "t:1" in numbers and "e:1" in numbers  # neighbours of numbered nodes
    view = select_view(sample(), ViewFilters(community=2), communities=GROUPS)
    assert ids(view) == {"i:3", "i:4"}
    assert {n.community for n in view.nodes} == {2}


def test_focus_shows_the_neighbourhood_of_one_record():
    one = select_view(sample(), ViewFilters(focus="i:3"))
    assert one.focus == "i:3" and not one.aggregated
    assert ids(one) == {"i:3", "o:3", "p:2", "i:2"}
    assert {str(n.id): n.distance for n in one.nodes}["i:3"] == 0
    assert str(one.nodes[0].id) == "i:3"
    two = select_view(sample(), ViewFilters(focus="i:3", depth=2))
    assert ids(two) == ids(one) | {"i:1", "o:1", "o:2"}
    clamped = select_view(sample(), ViewFilters(focus="i:3", depth=7))
    assert ids(clamped) == ids(two)
    persons = select_view(sample(), ViewFilters(focus="p:1"))
    assert ids(persons) == {"p:1", "o:1", "i:1"}
    aggregated = select_view(sample(), ViewFilters(focus="i:4", kinds=frozenset({"initiative"})))
    assert ids(aggregated) == {"i:4"} and aggregated.aggregated


@pytest.mark.parametrize("focus", ["i:99", "t:1", "e:1", None])
def test_unknown_focus_gives_an_empty_view(focus):
    view = select_view(sample(), ViewFilters(focus=focus))
    if focus is None:
        assert view.nodes
    else:
        assert view == GraphView() and view.focus is None


def test_the_cap_keeps_the_best_connected_and_counts_the_rest():
    everything = frozenset({"initiative", "organisation", "person"})
    view = select_view(sample(), ViewFilters(kinds=everything), max_nodes=3)
    assert len(view.nodes) == 3 and view.matched == 9 and view.hidden == 6
    assert ids(view) == {"i:1", "i:2", "i:3"}  # initiatives first, then by degree
    shown = ids(view)
    assert all(str(e.source) in shown and str(e.target) in shown for e in view.edges)
    with pytest.raises(ValueError):
        select_view(sample(), ViewFilters(), max_nodes=0)


def test_search_pins_the_best_hit_and_lists_hidden_hits():
    view = select_view(sample(), ViewFilters(search="  DELTA "), max_nodes=1)
    assert view.selected == "i:4" and ids(view) == {"i:4"}
    miss = select_view(sample(), ViewFilters(search="ihk"))
    assert miss.selected is None
    assert [str(hit.id) for hit in miss.matches] == ["o:1"]
    assert select_view(sample(), ViewFilters(search="zzz")).matches == []


def test_find_nodes_ranks_exact_then_prefix_then_word_then_substring():
    g = sample()
    g.add_node("i:5", kind="initiative", label="Nord")
    g.add_node("i:6", kind="initiative", label="Nordlicht")
    g.add_node("i:7", kind="initiative", label="Hochnorden")
    assert find_nodes(g, "nord") == ["i:5", "i:6", "i:1", "i:2", "o:1", "o:2", "i:7"]
    assert find_nodes(g, "nord", kinds=["organisation"], limit=1) == ["o:1"]
    assert find_nodes(g, "   ") == [] and find_nodes(g, "wasserstoff") == []  # themes: no


def test_views_are_deterministic_whatever_the_insertion_order():
    g = sample()
    reversed_graph = nx.Graph()
    reversed_graph.add_nodes_from(reversed(list(g.nodes(data=True))))
    reversed_graph.add_edges_from(reversed(list(g.edges(data=True))))
    for filters in (ViewFilters(), ViewFilters(focus="i:3", depth=2), ViewFilters(search="nord")):
        a = select_view(g, filters, max_nodes=4)
        b = select_view(reversed_graph, filters, max_nodes=4)
        assert a == b


def test_empty_graph_gives_an_empty_view():
    view = select_view(nx.Graph(), ViewFilters(search="x"))
    assert view.nodes == [] and view.edges == [] and view.hidden == 0


def test_graphview_loads_neither_flask_nor_sqlalchemy():
    check = (
        "import crm.graph.graphview, sys; "
        "assert not {'flask', 'sqlalchemy'} & set(sys.modules), sorted(sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- the endpoints ----------------------------------------------------------------------

ENDPOINTS = ["/network/graph", "/network/graph.json"]


@pytest.fixture
def network(make) -> dict[str, Any]:
    """Nord (NI, Wasserstoff) shares two members with Brücke (NI); Süd (BY) one; Insel none."""
    nord = make.initiative(name="Zukunft Industrie Nord", laender=["03"], themes=["Wasserstoff"])
    bruecke = make.initiative(name="Bündnis Brückenland", laender=["03"])
    sued = make.initiative(name="Chemieregion Süd", laender=["09"], themes=["Wasserstoff"])
    insel = make.initiative(name="Inselforum", laender=["01"])
    orgs = share_members(make, nord, (bruecke, 2), (sued, 1), land_ags="03")
    person = make.person(first_name="Erika", last_name="Netzwerkerin")
    make.affiliation(person, orgs[0])
    make.initiative_role(person, nord)
    make.relationship(bruecke, insel)
    return {"nord": nord, "bruecke": bruecke, "sued": sued, "insel": insel, "orgs": orgs,
            "person": person}  # fmt: skip


def node_ids(data: dict[str, Any]) -> set[str]:
    """The node ids of a graph.json answer."""
    return {node["data"]["id"] for node in data["nodes"]}


def i(record: Any) -> str:
    """The graph id of an initiative."""
    return f"i:{record.id}"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_editors_may_not_see_the_graph(client, login_as, network, path):
    login_as("editor", initiative=network["nord"])
    assert client.get(path).status_code == 403
    assert client.get(f"{path}?focus=initiative:{network['nord'].id}").status_code == 403


def test_editors_get_no_graph_link_on_their_initiative(client, login_as, network):
    login_as("editor", initiative=network["nord"])
    html = client.get(f"/initiatives/{network['nord'].id}").get_data(as_text=True)
    assert "Im Netzwerkgraph zeigen" not in html


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_get_the_aggregated_initiative_network(client, login_as, network, role):
    login_as(role)
    data = client.get("/network/graph.json").get_json()
    assert node_ids(data) == {i(network[k]) for k in ("nord", "bruecke", "sued", "insel")}
    assert {node["data"]["kind"] for node in data["nodes"]} == {"initiative"}
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"] for e in data["edges"]}
    pair = tuple(sorted((i(network["nord"]), i(network["bruecke"]))))
    assert edges[pair]["kind"] == "shared" and edges[pair]["weight"] == 2.0
    related = tuple(sorted((i(network["bruecke"]), i(network["insel"]))))
    assert edges[related]["kind"] == "relationship"
    nord = next(n["data"] for n in data["nodes"] if n["data"]["id"] == i(network["nord"]))
    assert nord["url"] == f"/initiatives/{network['nord'].id}"
    assert nord["degree"] == 2 and nord["community"] is not None
    assert nord["focus"] == f"initiative:{network['nord'].id}"
    assert data["meta"]["aggregated"] is True and data["meta"]["hidden"] == 0
    assert data["meta"]["notice"] is None


def test_staff_page_has_the_canvas_the_table_and_the_script(client, login_as, network):
    login_as("staff")
    response = client.get("/network/graph?land=03&colour=community")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="network-graph"' in html and 'data-colour="community"' in html
    assert "/network/graph.json?land=03" in html and "colour=community" in html
    assert "js/network_graph.js" in html and "vendor/cytoscape/cytoscape.min.js" in html
    table = html.split('id="graph-table"', 1)[1]
    assert "Zukunft Industrie Nord" in table and "Bündnis Brückenland" in table
    assert "Chemieregion Süd" not in table  # Bayern is filtered out
    assert "<script>" not in html and 'style="' not in html


def test_table_lists_every_shown_node_with_its_links_and_group(client, login_as, network):
    login_as("staff")
    html = client.get("/network/graph").get_data(as_text=True)
    table = html.split('id="graph-table"', 1)[1].split("</table>", 1)[0]
    rows = {
        re.sub(r"<[^>]+>", "", row.split("<td>", 1)[1].split("</td>", 1)[0]).strip(): row
        for row in table.split("<tr")[2:]
    }
    assert set(rows) >= {"Zukunft Industrie Nord", "Bündnis Brückenland", "Chemieregion Süd"}
    # the same connections as the drawing: Nord shares two members with Brücke, one with Süd
    nord_links = rows["Zukunft Industrie Nord"].split('class="graph-links">', 1)[1]
    assert "Bündnis Brückenland" in nord_links and "(2)" in nord_links
    assert "Chemieregion Süd" in nord_links
    assert "Beziehung" in rows["Bündnis Brückenland"]  # the relationship to Inselforum
    # no cap: every node shown is in the table
    drawn = client.get("/network/graph.json").get_json()["nodes"]
    assert table.count("<tr") - 1 == len(drawn)


def test_kind_filter_adds_organisations_and_persons(client, login_as, network):
    login_as("staff")
    data = client.get("/network/graph.json?kind=organisation&kind=person").get_json()
    kinds = {node["data"]["kind"] for node in data["nodes"]}
    assert kinds == {"organisation", "person"}
    assert f"p:{network['person'].id}" in node_ids(data)
    assert {e["data"]["kind"] for e in data["edges"]} == {"affiliation"}
    assert data["meta"]["aggregated"] is False


def test_land_and_theme_filters(app, client, login_as, network):
    login_as("staff")
    by_land = client.get("/network/graph.json?land=09").get_json()
    assert node_ids(by_land) == {i(network["sued"])}
    with app.app_context():
        theme_id = db.session.scalar(select(Theme.id).where(Theme.name == "Wasserstoff"))
    by_theme = client.get(f"/network/graph.json?theme={theme_id}").get_json()
    assert node_ids(by_theme) == {i(network["nord"]), i(network["sued"])}
    page = client.get(f"/network/graph?theme={theme_id}").get_data(as_text=True)
    assert f'<option value="{theme_id}" selected>Wasserstoff</option>' in page


def test_community_filter(client, login_as, network):
    login_as("staff")
    everything = client.get("/network/graph.json").get_json()
    numbers = {n["data"]["id"]: n["data"]["community"] for n in everything["nodes"]}
    wanted = numbers[i(network["nord"])]
    data = client.get(f"/network/graph.json?community={wanted}").get_json()
    assert node_ids(data) == {node for node, number in numbers.items() if number == wanted}
    assert i(network["nord"]) in node_ids(data)


@pytest.mark.parametrize(
    "query",
    [
        "land=99",
        "land=",
        "theme=abc",
        "theme=999999",
        "theme=-1",
        "community=0",
        "community=999",
        "community=x",
        "community=%C2%B2",
        "theme=%EF%BC%91",
        "land=%00",
        "kind=theme",
        "kind=",
        "depth=9",
        "colour=red",
        "focus=",
        "focus=initiative",
        "focus=event:1",
        "focus=initiative:abc",
        "focus=initiative:0",
        "q=" + "x" * 500,
        "page=2&unknown=1",
    ],
)
def test_bad_parameters_are_ignored(client, login_as, network, query):
    login_as("staff")
    default = node_ids(client.get("/network/graph.json").get_json())
    response = client.get(f"/network/graph.json?{query}")
    assert response.status_code == 200
    if not query.startswith("q="):
        assert node_ids(response.get_json()) == default
    assert client.get(f"/network/graph?{query}").status_code == 200


def test_focus_shows_the_neighbourhood(client, login_as, network):
    login_as("staff")
    nord = network["nord"]
    data = client.get(f"/network/graph.json?focus=initiative:{nord.id}").get_json()
    expected = {i(nord), f"p:{network['person'].id}"} | {f"o:{o.id}" for o in network["orgs"]}
    assert node_ids(data) == expected
    assert data["meta"]["focus"] == i(nord)
    two = client.get(f"/network/graph.json?focus=initiative:{nord.id}&depth=2").get_json()
    assert {i(network["bruecke"]), i(network["sued"])} <= node_ids(two)
    org = network["orgs"][0]
    by_org = client.get(f"/network/graph.json?focus=organisation:{org.id}").get_json()
    assert f"o:{org.id}" in node_ids(by_org) and i(nord) in node_ids(by_org)
    page = client.get(f"/network/graph?focus=initiative:{nord.id}").get_data(as_text=True)
    assert "Nachbarschaft von Zukunft Industrie Nord" in page
    assert f'name="focus" value="initiative:{nord.id}"' in page


@pytest.mark.parametrize("focus", ["initiative:999999", "organisation:999999", "person:999999"])
def test_focus_on_an_unknown_record_is_404(client, login_as, network, focus):
    login_as("staff")
    assert client.get(f"/network/graph?focus={focus}").status_code == 404
    assert client.get(f"/network/graph.json?focus={focus}").status_code == 404


def test_restricted_persons_are_no_focus(client, login_as, make, network):
    login_as("staff")
    hidden = make.person(restricted=True)
    make.initiative_role(hidden, network["nord"])
    assert client.get(f"/network/graph.json?focus=person:{hidden.id}").status_code == 404


def test_search_selects_a_node(client, login_as, network):
    login_as("staff")
    data = client.get("/network/graph.json?q=br%C3%BCcken").get_json()
    assert data["meta"]["selected"] == i(network["bruecke"])
    page = client.get("/network/graph?q=br%C3%BCcken").get_data(as_text=True)
    assert "Gefunden und hervorgehoben: Bündnis Brückenland" in page
    # an organisation is found but not shown in the initiative view: offered as a link
    miss = client.get("/network/graph?q=Mitglied").get_data(as_text=True)
    assert "ist in dieser Ansicht nicht zu sehen" in miss
    assert f"focus=organisation:{network['orgs'][0].id}" in miss
    nothing = client.get("/network/graph?q=zzzz").get_data(as_text=True)
    assert "Kein Knoten gefunden für „zzzz“." in nothing


def test_the_node_cap_is_respected(make_app, make, network):
    capped = make_app(NETWORK_GRAPH_MAX_NODES=3)
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = capped.test_client()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    data = client.get("/network/graph.json?kind=initiative&kind=organisation").get_json()
    assert data["meta"]["shown"] == 3 == len(data["nodes"])
    assert data["meta"]["matched"] == 7 and data["meta"]["hidden"] == 4
    assert data["meta"]["notice"] == "4 weitere ausgeblendet – Filter verwenden"
    shown = node_ids(data)
    assert all(e["data"]["source"] in shown and e["data"]["target"] in shown for e in data["edges"])
    html = client.get("/network/graph?kind=initiative&kind=organisation").get_data(as_text=True)
    assert "4 weitere ausgeblendet – Filter verwenden" in html


def test_initiative_page_links_to_its_neighbourhood(client, login_as, network):
    login_as("staff")
    nord = network["nord"]
    html = client.get(f"/initiatives/{nord.id}").get_data(as_text=True)
    assert "Im Netzwerkgraph zeigen" in html
    assert f"/network/graph?focus=initiative:{nord.id}" in html


def test_analytics_page_links_to_the_graph(client, login_as, network):
    login_as("staff")
    assert 'href="/network/graph"' in client.get("/network/").get_data(as_text=True)


def test_empty_database_gives_an_empty_graph(client, login_as):
    login_as("staff")
    data = client.get("/network/graph.json").get_json()
    assert data["nodes"] == [] and data["edges"] == []
    assert "Keine Knoten für diese Filter." in client.get("/network/graph").get_data(as_text=True)


def test_organisations_and_persons_link_to_their_pages_only_if_the_app_has_them(
    app, client, login_as, network
):
    login_as("staff")
    nord = network["nord"]
    data = client.get(f"/network/graph.json?focus=initiative:{nord.id}").get_json()
    urls = {node["data"]["id"]: node["data"]["url"] for node in data["nodes"]}
    org, person = network["orgs"][0], network["person"]
    for endpoint, node, path in (
        ("directory.organisation_detail", f"o:{org.id}", f"/organisations/{org.id}"),
        ("directory.person_detail", f"p:{person.id}", f"/persons/{person.id}"),
    ):
        if endpoint in app.view_functions:
            assert urls[node] == path
        else:
            assert urls[node] is None
