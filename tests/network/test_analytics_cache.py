"""The analytics page keeps what it shows per graph and data version
(crm.network.queries.analytics_page, crm.network.views._analytics_sections): a save shows on
the next request, each language has its own, and only staff ever reach it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import recorded
from tests.network.helpers import decide_url
from tests.network.helpers import share_members
from tests.network.test_network_page import pairs


@pytest.fixture
def network(make) -> dict[str, Any]:
    """A shares two members with B and one with C; D is linked to nobody."""
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"], themes=["Wasserstoff"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"], themes=["Wasserstoff"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"], themes=["Kreislaufwirtschaft"])
    d = make.initiative(name="Allein am Deich", laender=["01"])
    share_members(make, a, (b, 2), (c, 1))
    return {"a": a, "b": b, "c": c, "d": d}


def page(client) -> str:
    response = client.get("/network/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def masked(html: str) -> str:
    """`html` without its CSRF tokens (signed with the time: new every second)."""
    return re.sub(r'(name="csrf_token" value="|name="csrf-token" content=")[^"]+', r"\1", html)


def isolates(html: str) -> list[str]:
    section = html.split('id="isolates-h"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/initiatives/\d+">([^<]+)</a>', section)


def test_a_save_shows_on_the_next_request(client, login_as, make, network):
    login_as("staff")
    assert isolates(page(client)) == ["Allein am Deich"]
    assert isolates(page(client)) == ["Allein am Deich"]  # kept: the same

    make.initiative(name="Auch allein", laender=["02"])
    assert isolates(page(client)) == ["Allein am Deich", "Auch allein"]

    share_members(make, network["d"], (network["a"], 1))
    html = page(client)
    assert isolates(html) == ["Auch allein"]
    assert "Allein am Deich" in html.split('id="communities-h"', 1)[1]


def test_a_decision_shows_on_the_next_request(client, login_as, network):
    login_as("staff")
    a, b, c = network["a"], network["b"], network["c"]
    html = page(client)
    assert {frozenset(p) for p in pairs(html)} == {
        frozenset((str(a.id), str(b.id))),
        frozenset((str(a.id), str(c.id))),
    }
    assert "offen</span>" not in html

    client.post(decide_url(a, b), data={"decision": "later"})
    html = page(client)
    assert len(pairs(html)) == 2
    assert "später" in html.split('id="top-suggestions-h"', 1)[1].split("</section>")[0]
    assert "1 offen</span>" in html  # the open introductions

    client.post(decide_url(a, c), data={"decision": "dismissed"})
    html = page(client)
    assert {frozenset(p) for p in pairs(html)} == {frozenset((str(a.id), str(b.id)))}


def test_a_kept_page_costs_no_statement_of_its_own(app, client, login_as, network):
    login_as("staff")
    client.get("/network/")  # computes and keeps
    client.get("/account/password")
    with recorded(app) as baseline:
        client.get("/account/password")
    with recorded(app) as statements:
        assert client.get("/network/").status_code == 200
    assert len(statements) == len(baseline)  # authentication only


def test_each_language_has_its_own_sections(client, login_as, network):
    login_as("staff")
    german = page(client)
    assert "Gruppen von Initiativen" in german and "Initiativen ohne Verbindung" in german
    client.post("/language", data={"language": "en", "next": "/network/"})
    english = page(client)
    assert 'lang="en"' in english
    assert "Gruppen von Initiativen" not in english
    assert "Initiativen ohne Verbindung" not in english
    assert isolates(english) == ["Allein am Deich"]
    client.post("/language", data={"language": "de", "next": "/network/"})
    assert masked(page(client)) == masked(german)


def test_kept_analytics_are_never_shown_to_others(client, login_as, make, network):
    login_as("staff")
    assert "Allein am Deich" in page(client)  # kept now
    client.post("/logout")
    login_as("editor", initiative=network["a"])
    response = client.get("/network/")
    assert response.status_code == 403
    assert "Allein am Deich" not in response.get_data(as_text=True)
    client.post("/logout")
    response = client.get("/network/")
    assert response.status_code == 302
    assert "Allein am Deich" not in response.get_data(as_text=True)
