"""The network module through /api/v1/: suggested connections with reasons, the strongest
pairs and the analytics, from the graph the token's account may see."""

from __future__ import annotations

import pytest

from crm.network import cache
from tests.api.conftest import bearer
from tests.network.helpers import share_members


@pytest.fixture
def network(make):
    cache.clear()
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"])
    share_members(make, a, (b, 2), (c, 1))
    yield {"a": a, "b": b, "c": c}
    cache.clear()


def test_suggestions_pairs_and_analytics_for_staff(client, make, token_for, network):
    headers = bearer(token_for(make.user(role="staff")))
    found = client.get(f"/api/v1/initiatives/{network['a'].id}/suggestions", headers=headers)
    assert found.status_code == 200
    first = found.json[0]
    assert first["name"] == "Bündnis Brückenland" and first["reasons"] and first["score"] > 0
    pairs = client.get("/api/v1/network/suggestions", headers=headers).json
    assert {pairs[0]["source"]["label"], pairs[0]["target"]["label"]} >= {"Bündnis Brückenland"}
    analytics = client.get("/api/v1/network/analytics", headers=headers).json
    assert analytics["nodes"] > 0 and isinstance(analytics["communities"], list)


def test_a_representative_gets_the_suggestions_of_their_own_initiative_only(
    client, make, token_for, network
):
    editor = make.user(role="editor", initiative_id=network["a"].id)
    headers = bearer(token_for(editor))
    own = client.get(f"/api/v1/initiatives/{network['a'].id}/suggestions", headers=headers)
    assert own.status_code == 200 and own.json[0]["name"] == "Bündnis Brückenland"
    other = client.get(f"/api/v1/initiatives/{network['b'].id}/suggestions", headers=headers)
    assert other.status_code == 404
    assert client.get("/api/v1/network/analytics", headers=headers).status_code == 403
    assert client.get("/api/v1/network/suggestions", headers=headers).status_code == 403
