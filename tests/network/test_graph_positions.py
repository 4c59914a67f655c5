"""graph.json carries the positions of the drawing (computed on the server, cached per view
and data version); after a save the nodes drawn before stay where they were."""

from __future__ import annotations

import math
from typing import Any

import pytest

from crm.network import cache
from tests.network.helpers import share_members


@pytest.fixture
def linked(make) -> dict[str, Any]:
    """Nord shares two members with Brücke and one with Süd; Insel is linked to nobody."""
    nord = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    bruecke = make.initiative(name="Bündnis Brückenland", laender=["03"])
    sued = make.initiative(name="Chemieregion Süd", laender=["09"])
    insel = make.initiative(name="Inselforum", laender=["01"])
    orgs = share_members(make, nord, (bruecke, 2), (sued, 1), land_ags="03")
    return {"nord": nord, "bruecke": bruecke, "sued": sued, "insel": insel, "orgs": orgs}


def positions(client: Any, query: str = "") -> dict[str, tuple[float, float]]:
    data = client.get(f"/network/graph.json{query}").get_json()
    return {
        node["data"]["id"]: (node["position"]["x"], node["position"]["y"]) for node in data["nodes"]
    }


def test_every_node_comes_with_its_position(client, login_as, linked):
    login_as("staff")
    placed = positions(client)
    assert set(placed) == {f"i:{linked[k].id}" for k in ("nord", "bruecke", "sued", "insel")}
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in placed.values())
    assert len(set(placed.values())) == 4
    alone = f"i:{linked['insel'].id}"  # no link: in a row below the others
    assert placed[alone][1] > max(y for node, (_x, y) in placed.items() if node != alone)
    focused = positions(client, f"?focus=initiative:{linked['nord'].id}")
    assert {f"o:{org.id}" for org in linked["orgs"]} <= set(focused)


def test_the_same_view_gets_the_same_positions_also_in_a_fresh_process(client, login_as, linked):
    login_as("staff")
    first = positions(client, "?kind=initiative&kind=organisation")
    assert positions(client, "?kind=initiative&kind=organisation") == first
    cache.clear()  # a new worker: computed again from scratch, seeded
    assert positions(client, "?kind=initiative&kind=organisation") == first


def test_a_search_keeps_the_picture(client, login_as, linked):
    login_as("staff")
    plain = positions(client)
    assert positions(client, "?q=Brücke") == plain


def test_a_save_that_adds_a_node_moves_no_other_node(client, login_as, make, linked):
    login_as("staff")
    query = "?kind=initiative&kind=organisation"
    before = positions(client, query)
    newcomer = make.organisation(name="Neue Werft GmbH", land_ags="03")
    make.membership(newcomer, linked["sued"])  # a save: a new data version
    after = positions(client, query)
    assert set(after) == set(before) | {f"o:{newcomer.id}"}
    assert all(after[node] == before[node] for node in before)
    sued = after[f"i:{linked['sued'].id}"]
    new = after[f"o:{newcomer.id}"]
    assert math.hypot(new[0] - sued[0], new[1] - sued[1]) < 250
    cache.clear()  # without the last picture the view is laid out anew
    assert positions(client, query) != after
