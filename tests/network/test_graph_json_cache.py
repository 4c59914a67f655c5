"""graph.json keeps the finished answer of a view per graph version (`crm.network.graph.Bodies`):
asked again, the same bytes without cutting the view again; never after a save, never for
another scope, another language, another node cap, and 304 for an unchanged ETag."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from crm.network import graph as graph_queries
from crm.network.graph import Bodies
from crm.network.graph import Body
from tests.conftest import TEST_PASSWORD
from tests.network.helpers import share_members


@pytest.fixture
def network(make) -> dict[str, Any]:
    """Nord shares two members with Brücke and one with Süd; a person works for Nord."""
    nord = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    bruecke = make.initiative(name="Bündnis Brückenland", laender=["03"])
    sued = make.initiative(name="Chemieregion Süd", laender=["09"])
    orgs = share_members(make, nord, (bruecke, 2), (sued, 1), land_ags="03")
    person = make.person(first_name="Erika", last_name="Netzwerkerin")
    make.affiliation(person, orgs[0])
    make.initiative_role(person, nord)
    return {"nord": nord, "bruecke": bruecke, "sued": sued, "orgs": orgs, "person": person}


@pytest.fixture
def cuts(monkeypatch) -> list[Any]:
    """The filters of every view cut out of a graph (a cached answer cuts none)."""
    made: list[Any] = []
    select_view = graph_queries.select_view

    def counting(graph: Any, filters: Any, **options: Any) -> Any:
        made.append(filters)
        return select_view(graph, filters, **options)

    monkeypatch.setattr(graph_queries, "select_view", counting)
    return made


def node_ids(response: Any) -> set[str]:
    return {node["data"]["id"] for node in response.get_json()["nodes"]}


def test_a_view_asked_again_is_the_same_answer_without_a_new_cut(client, login_as, network, cuts):
    login_as("staff")
    focus = f"/network/graph.json?focus=initiative:{network['nord'].id}&depth=2"
    first = client.get(focus)
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert len(cuts) == 1
    again = client.get(focus)
    assert again.get_data() == first.get_data() and len(cuts) == 1
    # the same filters written otherwise are the same view; other filters another one
    assert client.get(f"{focus}&colour=nonsense").get_data() == first.get_data()
    assert len(cuts) == 1
    other = client.get(f"{focus}&colour=community")
    assert len(cuts) == 2 and other.get_json()["meta"]["colour"] == "community"


def test_a_save_is_seen_at_once(client, login_as, make, network, cuts):
    login_as("staff")
    focus = f"/network/graph.json?focus=initiative:{network['nord'].id}"
    before = client.get(focus)
    newcomer = make.organisation(name="Neue Werft GmbH", land_ags="03")
    make.membership(newcomer, network["nord"])  # a save: a new data version
    after = client.get(focus)
    assert node_ids(after) == node_ids(before) | {f"o:{newcomer.id}"}
    assert len(cuts) == 2
    assert client.get(focus).get_data() == after.get_data() and len(cuts) == 2


def test_another_scope_gets_its_own_graph(app, make, network):
    staff = make.user(role="staff")
    editor = make.user(role="editor", initiative_id=network["sued"].id)
    args = MultiDict({"focus": f"initiative:{network['nord'].id}"})
    person = f"p:{network['person'].id}"
    with app.test_request_context("/network/graph.json"):
        for_staff = graph_queries.graph_json(staff, args)
        for_editor = graph_queries.graph_json(editor, args)
        again = graph_queries.graph_json(staff, args)
    assert for_staff is not None and for_editor is not None and again is not None
    assert person in for_staff.data.decode()
    assert person not in for_editor.data.decode()  # works for Nord, not for the editor's Süd
    assert again.data == for_staff.data


def test_each_language_gets_its_own_answer(make_app, make, network):
    capped = make_app(NETWORK_GRAPH_MAX_NODES=3)
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = capped.test_client()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    query = "/network/graph.json?kind=initiative&kind=organisation"
    german = client.get(query).get_json()["meta"]["notice"]
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get(query).get_json()["meta"]["notice"]
    assert german == "3 weitere ausgeblendet – Filter verwenden"
    assert english == "3 more hidden – use the filters"


def test_another_node_cap_gets_its_own_answer(client, login_as, make_app, make, network):
    login_as("staff")
    query = "/network/graph.json?kind=initiative&kind=organisation"
    assert client.get(query).get_json()["meta"]["shown"] == 6
    capped = make_app(NETWORK_GRAPH_MAX_NODES=3)  # the same database: the same graph entry
    user = make.user(role="staff", password=TEST_PASSWORD)
    other = capped.test_client()
    other.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert other.get(query).get_json()["meta"]["shown"] == 3
    assert client.get(query).get_json()["meta"]["shown"] == 6


def test_an_unknown_focus_stays_404(client, login_as, network):
    login_as("staff")
    for _ in range(2):
        assert client.get("/network/graph.json?focus=initiative:999999").status_code == 404


def test_an_unchanged_answer_is_304_for_its_etag(client, login_as, make, network):
    login_as("staff")
    query = "/network/graph.json?kind=initiative&kind=organisation"
    first = client.get(query)
    etag = first.headers["ETag"]
    unchanged = client.get(query, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    make.organisation(name="Neue Werft GmbH", land_ags="03")  # a save: a new data version
    changed = client.get(query, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get(query).get_data() == changed.get_data()


def test_bodies_keep_the_most_recently_used_within_their_bounds():
    bodies = Bodies()
    bodies.max_count, bodies.max_bytes = 3, 10

    def body(size: int) -> Body:
        return Body(b"x" * size, str(size))

    bodies.put("a", body(4))
    bodies.put("b", body(4))
    assert bodies.get("a") is not None  # now b is the least recently used
    bodies.put("c", body(4))  # 12 bytes > 10: b goes
    assert bodies.get("b") is None and len(bodies) == 2
    bodies.put("d", body(1))
    bodies.put("e", body(1))  # 4 bodies > 3: a goes
    assert bodies.get("a") is None and len(bodies) == 3
    bodies.put("big", body(50))  # alone above the bytes: kept, the others go
    assert bodies.get("big") is not None and len(bodies) == 1
