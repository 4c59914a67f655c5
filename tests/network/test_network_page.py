"""Issue 13 §5: /network/ opens with the strongest suggestions of the whole network
(reasons, accept / dismiss / later, back to the page), groups with distinguishable names,
and the table across Länder folded away."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.models import Relationship
from crm.models import SuggestionFeedback
from tests.helpers import count_rows
from tests.network.helpers import decide_url
from tests.network.helpers import share_members


@pytest.fixture
def network(make) -> dict[str, Any]:
    """A in Niedersachsen shares two members with B, one with C (Sachsen-Anhalt)."""
    a = make.initiative(name="Zukunft Industrie Nord", laender=["03"], themes=["Wasserstoff"])
    b = make.initiative(name="Bündnis Brückenland", laender=["03"], themes=["Wasserstoff"])
    c = make.initiative(name="Chemieregion Mitte", laender=["15"], themes=["Kreislaufwirtschaft"])
    share_members(make, a, (b, 2), (c, 1))
    return {"a": a, "b": b, "c": c}


def top_section(html: str) -> str:
    return html.split('id="top-suggestions-h"', 1)[1].split("</section>", 1)[0]


def pairs(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'id="pair-(\d+)-(\d+)"', top_section(html))
    return [(a, b) for a, b in found]


def test_network_page_opens_with_the_strongest_pairs(client, login_as, network):
    login_as("staff")
    html = client.get("/network/").get_data(as_text=True)
    # the suggestions come first, before the groups, brokers, isolates and Länder
    order = [
        html.index('id="top-suggestions-h"'),
        html.index('id="communities-h"'),
        html.index('id="brokers-h"'),
        html.index('id="isolates-h"'),
        html.index('id="laender-h"'),
    ]
    assert order == sorted(order)
    section = top_section(html)
    a, b, c = (str(network[k].id) for k in "abc")
    found = {frozenset(pair) for pair in pairs(html)}
    assert frozenset((a, b)) in found and frozenset((a, c)) in found
    assert pairs(html)[0] in ((a, b), (b, a))  # two shared members beat one
    assert "als Mitglied" in section  # with its reasons
    assert 'value="accepted"' in section and 'value="dismissed"' in section
    assert 'name="next" value="/network/#top-suggestions-h"' in section
    # the table across Länder is folded away
    laender = html.split('id="laender-h"', 1)[1]
    assert '<details id="laender-details">' in laender
    assert laender.index("<details") < laender.index("<table")


def test_deciding_on_the_network_page_returns_there(app, client, login_as, network):
    login_as("staff")
    a, b = network["a"], network["b"]
    response = client.post(
        decide_url(a, b), data={"decision": "accepted", "next": "/network/#top-suggestions-h"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/network/#top-suggestions-h"
    assert count_rows(app, Relationship) == 1
    html = client.get("/network/").get_data(as_text=True)
    assert "sind jetzt verbunden" in html
    assert {frozenset(p) for p in pairs(html)} == {frozenset((str(a.id), str(network["c"].id)))}

    client.post(
        decide_url(network["c"], a),
        data={"decision": "dismissed", "next": "/network/#top-suggestions-h"},
    )
    html = client.get("/network/").get_data(as_text=True)
    assert pairs(html) == []
    assert "Zurzeit keine Vorschläge." in top_section(html)


def test_later_pairs_stay_marked_and_foreign_next_is_ignored(app, client, login_as, network):
    login_as("staff")
    a, b = network["a"], network["b"]
    response = client.post(
        decide_url(a, b), data={"decision": "later", "next": "https://evil.example.org/"}
    )
    assert response.headers["Location"] == f"/initiatives/{a.id}"
    section = top_section(client.get("/network/").get_data(as_text=True))
    assert "später" in section
    assert count_rows(app, SuggestionFeedback) == 1


def test_groups_have_distinguishable_names(client, login_as, network, make):
    login_as("staff")
    # a second group far away: two Bavarian initiatives sharing a member
    x = make.initiative(name="Fahrzeugcluster Süd", laender=["09"], themes=["Fahrzeugbau"])
    y = make.initiative(name="Zulieferer Oberfranken", laender=["09"], themes=["Fahrzeugbau"])
    shared = make.organisation()
    make.membership(shared, x)
    make.membership(shared, y)
    for _ in range(3):
        make.membership(make.organisation(), x)
    html = client.get("/network/").get_data(as_text=True)
    cards = re.findall(
        r'network-community".*?<h3[^>]*>(.*?)</h3>\s*<p class="small mb-2">(.*?)</p>',
        html,
        re.S,
    )
    assert len(cards) == 2
    titles = {re.sub(r"<[^>]+>", "", f"{h} | {p}") for h, p in cards}
    south = next(t for t in titles if "Fahrzeugbau" in t)
    assert "Bayern" in south and "größte: Fahrzeugcluster Süd" in south
    north = next(t for t in titles if t is not south)
    assert "Wasserstoff" in north and "größte: Zukunft Industrie Nord" in north


def test_network_page_renders_in_english(client, login_as, network):
    login_as("staff")
    client.post("/language", data={"language": "en", "next": "/network/"})
    html = client.get("/network/").get_data(as_text=True)
    assert 'lang="en"' in html
    assert 'id="top-suggestions-h"' in html
