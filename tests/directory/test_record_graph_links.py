"""Organisation and person pages link to their neighbourhood in the network graph."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from crm.models import OrgType


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_organisation_and_person_pages_link_to_the_graph(client, login_as, make, role):
    ini = make.initiative(name="Industrie im Dialog")
    org = make.organisation(name="Stahlbau Muster GmbH", type=OrgType.UNTERNEHMEN)
    make.membership(org, ini)
    person = make.person(first_name="Greta", last_name="Graphlink")
    make.affiliation(person, org)
    login_as(role)
    for page, focus in (
        (f"/organisations/{org.id}", f"organisation:{org.id}"),
        (f"/persons/{person.id}", f"person:{person.id}"),
    ):
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<a href="([^"]+)" id="network-graph-link">', html)
        assert link is not None, page
        href = link.group(1).replace("&amp;", "&")
        assert unquote(href) == f"/network/graph?focus={focus}"
        assert "Im Netzwerkgraph zeigen" in html
        assert client.get(href).status_code == 200


def test_editors_see_neither_the_pages_nor_the_link(client, login_as, make):
    ini = make.initiative(name="Eigene Initiative")
    org = make.organisation(name="Mitglied GmbH")
    make.membership(org, ini)
    person = make.person(first_name="Ernst", last_name="Editor")
    login_as("editor", initiative=ini)
    for page in (f"/organisations/{org.id}", f"/persons/{person.id}"):
        response = client.get(page)
        assert response.status_code in (403, 404)
        assert "network-graph-link" not in response.get_data(as_text=True)
