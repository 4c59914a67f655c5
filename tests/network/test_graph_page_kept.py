"""The graph page keeps the view it cut and what it rendered of it per graph version
(`crm.network.graph.graph_page`, `page_html`): asked again, none is made anew; after a
save, in another language or with another node cap, they are."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.network import graph as graph_queries
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members


@pytest.fixture
def network(make) -> dict[str, Any]:
    """Nord shares two members with Brücke and one with Süd."""
    nord = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    bruecke = make.initiative(name="Bündnis Brückenland", laender=["03"])
    sued = make.initiative(name="Chemieregion Süd", laender=["09"])
    orgs = share_members(make, nord, (bruecke, 2), (sued, 1), land_ags="03")
    return {"nord": nord, "orgs": orgs}


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """Every view cut and every table rendered for the page (kept ones make none)."""
    log: list[str] = []
    select_view, page_html = graph_queries.select_view, graph_queries.page_html

    def counting_cut(graph: Any, filters: Any, **options: Any) -> Any:
        log.append("cut")
        return select_view(graph, filters, **options)

    def counting_html(page: Any, name: str, render: Any, **kw: Any) -> Any:
        def counted() -> str:
            log.append(name)
            return str(render())

        return page_html(page, name, counted, **kw)

    monkeypatch.setattr(graph_queries, "select_view", counting_cut)
    monkeypatch.setattr(graph_queries, "page_html", counting_html)
    return log


def table_names(html: str) -> set[str]:
    table = html[html.index('id="graph-table"') :]
    return set(re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', table))


def test_the_view_and_its_table_are_kept_until_a_save(client, login_as, make, network, made):
    login_as("staff")
    path = f"/network/graph?focus=initiative:{network['nord'].id}"
    first = client.get(path).get_data(as_text=True)
    assert made == ["cut", "body", "table"]
    again = client.get(path).get_data(as_text=True)
    assert made == ["cut", "body", "table"] and table_names(again) == table_names(first)
    # another colouring is the same view and table, the form and the legend differ
    recoloured = client.get(f"{path}&colour=community").get_data(as_text=True)
    assert made == ["cut", "body", "table", "body"]
    assert 'data-colour="community"' in recoloured and 'data-colour="kind"' in first
    client.get(f"{path}&depth=2")  # other filters: another view
    assert made == ["cut", "body", "table", "body"] + ["cut", "body", "table"]
    del made[:]
    newcomer = make.organisation(name="Neue Werft GmbH", land_ags="03")
    make.membership(newcomer, network["nord"])  # a save: a new data version
    after = client.get(path).get_data(as_text=True)
    assert made == ["cut", "body", "table"]
    assert table_names(after) == table_names(first) | {"Neue Werft GmbH"}


def test_each_language_gets_its_own_table(client, login_as, network, made):
    login_as("staff")
    path = f"/network/graph?focus=initiative:{network['nord'].id}"
    german = client.get(path).get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get(path).get_data(as_text=True)
    assert "Gezeigte Knoten als Tabelle" in german
    assert "Gezeigte Knoten als Tabelle" not in english
    assert made == ["cut", "body", "table", "body", "table"]  # one view, each language


def test_the_note_on_an_older_graph_stays_out_of_what_is_kept(
    client, login_as, network, made, monkeypatch
):
    login_as("staff")
    path = f"/network/graph?focus=initiative:{network['nord'].id}"
    assert "data-network-updating" not in client.get(path).get_data(as_text=True)
    monkeypatch.setattr(graph_queries.cache, "is_stale", lambda _entry: True)
    assert "data-network-updating" in client.get(path).get_data(as_text=True)
    assert made == ["cut", "body", "table"]


def test_another_node_cap_gets_its_own_view(client, login_as, make_app, make, network):
    login_as("staff")
    path = "/network/graph?kind=initiative&kind=organisation"
    assert len(table_names(client.get(path).get_data(as_text=True))) == 6
    capped = make_app(NETWORK_GRAPH_MAX_NODES=3)  # the same database: the same graph entry
    user = make.user(role="staff", password=TEST_PASSWORD)
    other = capped.test_client()
    other.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert len(table_names(other.get(path).get_data(as_text=True))) == 3
    assert len(table_names(client.get(path).get_data(as_text=True))) == 6


def test_a_lost_focus_stays_404(client, login_as, network):
    login_as("staff")
    for _ in range(2):
        assert client.get("/network/graph?focus=initiative:999999").status_code == 404
