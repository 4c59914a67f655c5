"""The first page set: start page, lists, initiative detail, language switch, error pages."""

from __future__ import annotations

import pytest

from crm.models import OrgType


def test_start_page_shows_counts_per_type_and_land(client, login_as, make):
    login_as("staff")
    nrw = make.initiative(name="Zukunft durch Industrie", laender=["05"])
    make.membership(make.organisation(), nrw)
    make.person()
    html = client.get("/").get_data(as_text=True)
    assert 'data-count="initiatives">1<' in html
    assert 'data-count="organisations">1<' in html
    assert 'data-count="persons">1<' in html
    assert "Nordrhein-Westfalen" in html


def test_initiative_list_search_filter_sort_and_paginate(app, client, login_as, make):
    login_as("staff")
    for n in range(60):
        make.initiative(name=f"Bündnis {n:02d}", laender=["09"] if n % 2 else ["05"])
    make.initiative(name="Zukunft durch Industrie", laender=["05"])
    page1 = client.get("/initiatives/").get_data(as_text=True)
    assert "Bündnis 00" in page1 and "Zukunft durch Industrie" not in page1
    page2 = client.get("/initiatives/?page=2").get_data(as_text=True)
    assert "Zukunft durch Industrie" in page2
    assert "Bündnis 01" in client.get("/initiatives/?q=bundnis%2001").get_data(as_text=True)
    only_by = client.get("/initiatives/?land=09").get_data(as_text=True)
    assert "Bündnis 01" in only_by and "Bündnis 02" not in only_by
    desc = client.get("/initiatives/?sort=name&dir=desc").get_data(as_text=True)
    assert desc.index("Zukunft") < desc.index("Bündnis 59")


@pytest.mark.parametrize(
    "query",
    [
        "sort=id;drop table users",
        "sort=__class__",
        "land=99",
        "type=x' OR 1=1",
        "page=-3",
        "page=abc",
        "page=99999999999",
        "dir=sideways",
    ],
)
def test_bad_list_parameters_are_ignored(client, login_as, make, query):
    login_as("staff")
    make.organisation(name="Stahlwerk Nord AG")
    for path in ("/initiatives/", "/organisations/", "/persons/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
    assert "Stahlwerk Nord AG" in client.get(f"/organisations/?{query}").get_data(as_text=True)


def test_person_list_finds_umlaut_names_without_umlauts(client, login_as, make):
    login_as("staff")
    make.person(first_name="Jörg", last_name="Müller")
    make.person(first_name="Anna", last_name="Schmidt")
    html = client.get("/persons/?q=muller").get_data(as_text=True)
    assert "Müller" in html and "Schmidt" not in html


def test_organisation_list_filters_by_type(client, login_as, make):
    login_as("staff")
    make.organisation(name="IHK Köln", type=OrgType.IHK)
    make.organisation(name="Stahl AG")
    html = client.get("/organisations/?type=ihk").get_data(as_text=True)
    assert "IHK Köln" in html and "Stahl AG" not in html


def test_initiative_detail_groups_members_by_type(client, login_as, make):
    login_as("staff")
    ini = make.initiative(name="Chemie am Hochrhein", laender=["08"], themes=["Wasserstoff"])
    make.membership(make.organisation(name="IHK Hochrhein-Bodensee", type=OrgType.IHK), ini)
    make.membership(make.organisation(name="Chemiewerk Süd AG"), ini)
    make.membership(
        make.organisation(name="Altmitglied GmbH"),
        ini,
        until=__import__("datetime").date(2020, 1, 1),
    )
    person = make.person(first_name="Erika", last_name="Beispiel")
    make.initiative_role(person, ini)
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "Chemie am Hochrhein" in html
    assert html.index("Unternehmen") < html.index("IHK Hochrhein-Bodensee")
    assert "Frühere Mitglieder (1)" in html
    assert "Erika Beispiel" in html
    assert "Wasserstoff" in html and "Baden-Württemberg" in html


def test_unknown_initiative_is_404(client, login_as):
    login_as("staff")
    response = client.get("/initiatives/424242")
    assert response.status_code == 404
    assert "nicht gefunden" in response.get_data(as_text=True)


def test_editor_sees_own_initiative_only(client, login_as, make):
    own = make.initiative(name="Eigene Initiative")
    other = make.initiative(name="Fremde Initiative")
    login_as("editor", initiative=own)
    assert client.get("/").headers["Location"] == "/unsere-initiative/"
    assert client.get(f"/initiatives/{own.id}").status_code == 200
    assert client.get(f"/initiatives/{other.id}").status_code == 404
    for path in ("/initiatives/", "/organisations/", "/persons/"):
        assert client.get(path).status_code == 403


def test_language_switch_to_english_and_back(client, login_as):
    login_as("staff")
    response = client.post("/language", data={"language": "en", "next": "/initiatives/"})
    assert response.headers["Location"] == "/initiatives/"
    html = client.get("/initiatives/").get_data(as_text=True)
    assert "Initiatives" in html and 'lang="en"' in html
    client.post("/language", data={"language": "de"})
    assert 'lang="de"' in client.get("/initiatives/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example.com"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
