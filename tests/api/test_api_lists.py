"""Reading the directory through /api/v1/: the web lists' filters, cursor paging, one
error shape (404, 422 with field errors), rate limit per token, CORS for listed origins."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from crm.db.engine import writing
from crm.extensions import db
from crm.extensions import limiter
from crm.models import InitiativeStatus
from crm.models import InitiativeType
from crm.models import OrgType
from crm.models import Person
from tests.api.conftest import bearer


@pytest.fixture
def staff_headers(make, token_for):
    return bearer(token_for(make.user(role="staff")))


def _names(response):
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def test_initiatives_filter_like_the_web_list(client, make, staff_headers):
    make.initiative(name="Bündnis Ruhr", laender=["05"], themes=["Wasserstoff"])
    make.initiative(name="Zukunft Bayern", laender=["09"], type=InitiativeType.LANDESBUENDNIS)
    make.initiative(name="Ruhende Runde", laender=["05"], status=InitiativeStatus.RUHEND)
    get = lambda query: client.get(f"/api/v1/initiatives?{query}", headers=staff_headers)  # noqa: E731
    assert sorted(_names(get(""))) == ["Bündnis Ruhr", "Ruhende Runde", "Zukunft Bayern"]
    assert sorted(_names(get("land=05"))) == ["Bündnis Ruhr", "Ruhende Runde"]
    assert _names(get("land=05&status=ruhend")) == ["Ruhende Runde"]
    assert _names(get("type=landesbuendnis")) == ["Zukunft Bayern"]
    assert _names(get("q=bundnis")) == ["Bündnis Ruhr"]  # folded like the web search
    item = get("q=Bündnis").json["items"][0]
    assert item["laender"] == ["05"] and [t["name"] for t in item["themes"]] == ["Wasserstoff"]
    assert item["version"] == 1 and item["public_listing"] is False


def test_organisations_and_persons_filter_and_search(client, make, staff_headers):
    make.organisation(name="IHK Köln", type=OrgType.IHK, land_ags="05")
    make.organisation(name="Stahl AG", land_ags="09")
    make.person(first_name="Jürgen", last_name="Groß", email="j.gross@example.org")
    make.person(first_name="Anna", last_name="Klein", email="anna@example.org")
    orgs = client.get("/api/v1/organisations?type=ihk", headers=staff_headers)
    assert _names(orgs) == ["IHK Köln"]
    assert _names(client.get("/api/v1/organisations?land=09", headers=staff_headers)) == [
        "Stahl AG"
    ]
    persons = client.get("/api/v1/persons?q=gross", headers=staff_headers).json["items"]
    assert [p["last_name"] for p in persons] == ["Groß"]
    one = client.get(f"/api/v1/persons/{persons[0]['id']}", headers=staff_headers).json
    assert one["email"] == "j.gross@example.org" and one["restricted"] is False


def test_organisations_by_their_own_ags_exactly(client, make, staff_headers):
    make.organisation(name="Stadt Köln", type=OrgType.KOMMUNE, ags="05315000", kreis_ags="05315")
    make.organisation(name="Rhein-Kreis Neuss", type=OrgType.LANDKREIS, ags="05162")
    make.organisation(name="Stahl AG", kreis_ags="05315")
    get = lambda query: client.get(f"/api/v1/organisations?{query}", headers=staff_headers)  # noqa: E731
    assert _names(get("ags=05315000")) == ["Stadt Köln"]
    assert _names(get("ags=0531%205000")) == ["Stadt Köln"]  # blanks removed, as in the form
    assert _names(get("ags=05162")) == ["Rhein-Kreis Neuss"]
    assert _names(get("ags=05315")) == []  # exactly: not the Gemeinden of the Kreis 05315
    assert _names(get("ags=05315000&type=unternehmen")) == []
    assert sorted(_names(get("kreis=05315"))) == ["Stadt Köln", "Stahl AG"]
    item = get("ags=05315000").json["items"][0]
    assert item["ags"] == "05315000"
    assert get("q=Stahl").json["items"][0]["ags"] is None


@pytest.mark.parametrize(
    "ags",
    ["", "%20", "0531", "053150", "053150000", "0531500x", "%EF%BC%90%EF%BC%95315", "05315%00"],
)
def test_a_malformed_ags_filter_is_422_with_the_forms_message(client, staff_headers, ags):
    response = client.get(f"/api/v1/organisations?ags={ags}", headers=staff_headers)
    assert response.status_code == 422, response.json
    messages = response.json["errors"]["query"]["ags"]
    assert any("acht Ziffern (Gemeinde) oder fünf (Kreis)" in m for m in messages)


def test_the_cursor_walks_the_whole_list_once(app, client, staff_headers):
    with app.app_context(), writing():
        rows = [
            {"first_name": "P", "last_name": f"N{i:03}", "sort_name": f"n{i:03}"}
            for i in range(125)
        ]
        db.session.execute(insert(Person), rows)
        db.session.commit()
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=50" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/persons?{query}", headers=staff_headers).json
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 125 and len(set(seen)) == 125 and seen == sorted(seen)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=viele", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm9jaA", "cursor"),  # not an id
        ("type=kein-typ", "type"),
        ("land=5", "land"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_invalid_input_is_422_with_field_errors(client, staff_headers, query, field):
    response = client.get(f"/api/v1/initiatives?{query}", headers=staff_headers)
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422 and body["status"] and field in body["errors"]["query"]


def test_unknown_ids_are_404_as_json(client, staff_headers):
    for path in ("/api/v1/initiatives/999", "/api/v1/organisations/999", "/api/v1/persons/999"):
        response = client.get(path, headers=staff_headers)
        assert response.status_code == 404 and response.json["code"] == 404, path
    huge = client.get("/api/v1/persons/99999999999999999999", headers=staff_headers)
    assert huge.status_code == 404


def test_rate_limit_per_token(make_app, make, token_for):
    limited = make_app(API_RATE_LIMIT="3 per minute")
    with limited.app_context():
        limiter.reset()
    client = limited.test_client()
    first = bearer(token_for(make.user(role="staff")))
    second = bearer(token_for(make.user(role="staff")))
    codes = [client.get("/api/v1/initiatives", headers=first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/initiatives", headers=first)
    assert refused.is_json and refused.json["code"] == 429
    assert client.get("/api/v1/initiatives", headers=second).status_code == 200


def test_cors_only_for_configured_origins(make_app, make, token_for):
    site = "https://www.example.org"
    configured = make_app(API_CORS_ORIGINS=(site,))
    client = configured.test_client()
    headers = bearer(token_for(make.user(role="staff")))
    allowed = client.get("/api/v1/initiatives", headers=headers | {"Origin": site})
    assert allowed.headers["Access-Control-Allow-Origin"] == site
    other = client.get("/api/v1/initiatives", headers=headers | {"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/v1/initiatives",
        headers={"Origin": site, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == site
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_public_directory_needs_no_token_and_shows_listed_initiatives_only(client, make):
    listed = make.initiative(name="Offene Runde", public_listing=True, laender=["05"])
    hidden = make.initiative(name="Interne Runde", public_listing=False, laender=["05"])
    make.initiative(name="Bayern offen", public_listing=True, laender=["09"])
    names = _names(client.get("/api/v1/public/initiatives?land=05"))
    assert names == ["Offene Runde"]
    profile = client.get(f"/api/v1/public/initiatives/{listed.id}")
    assert profile.status_code == 200
    assert profile.json["name"] == "Offene Runde" and profile.json["contacts"] == []
    assert "public_listing" not in profile.json and "version" not in profile.json
    assert client.get(f"/api/v1/public/initiatives/{hidden.id}").status_code == 404
    unknown = client.get("/api/v1/public/initiatives?land=99")
    assert unknown.status_code == 422 and "land" in unknown.json["errors"]["query"]


def test_an_unknown_query_parameter_is_422(client, staff_headers):
    response = client.get("/api/v1/initiatives?Land=05", headers=staff_headers)
    assert response.status_code == 422 and "Land" in response.json["errors"]["query"]


def test_a_search_with_a_nul_character_is_refused(client, staff_headers):
    response = client.get("/api/v1/initiatives?q=a%00b", headers=staff_headers)
    assert response.status_code == 422 and "q" in response.json["errors"]["query"]
