"""The other records through /api/v1/: links, contacts, events, registrations (staff, like
the web pages), filtered by the ids they link and by `active`; reference data for every
account."""

from __future__ import annotations

import datetime as dt

from tests.api.conftest import bearer


def _ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_links_filter_by_what_they_link_and_by_period(client, make, token_for):
    headers = bearer(token_for(make.user(role="staff")))
    a = make.initiative(name="A")
    b = make.initiative(name="B")
    org = make.organisation(name="Mitglied GmbH")
    running = make.membership(org, a)
    ended = make.membership(org, b, until=dt.date.today() - dt.timedelta(days=1))
    get = lambda query: client.get(f"/api/v1/memberships?{query}", headers=headers)  # noqa: E731
    assert _ids(get("")) == [running.id, ended.id]
    assert _ids(get(f"initiative_id={a.id}")) == [running.id]
    assert _ids(get("active=true")) == [running.id]
    assert _ids(get("active=false")) == [ended.id]
    one = client.get(f"/api/v1/memberships/{ended.id}", headers=headers).json
    assert one["initiative_id"] == b.id and one["active"] is False
    person = make.person()
    role = make.initiative_role(person, a)
    assert _ids(client.get(f"/api/v1/initiative-roles?person_id={person.id}", headers=headers)) == [
        role.id
    ]
    bad = client.get("/api/v1/memberships?role=chef", headers=headers)
    assert bad.status_code == 422 and "role" in bad.json["errors"]["query"]


def test_events_workshops_and_registrations(client, make, token_for):
    headers = bearer(token_for(make.user(role="staff")))
    event = make.event()
    workshop = make.workshop(event)
    registration = make.registration(event, make.person())
    assert _ids(client.get("/api/v1/events", headers=headers)) == [event.id]
    assert _ids(client.get(f"/api/v1/workshops?event_id={event.id}", headers=headers)) == [
        workshop.id
    ]
    found = client.get(f"/api/v1/registrations?event_id={event.id}", headers=headers).json
    assert [r["id"] for r in found["items"]] == [registration.id]
    assert "token_hash" not in found["items"][0]


def test_representatives_get_reference_data_but_no_office_records(client, make, token_for):
    own = make.initiative(name="Eigene")
    headers = bearer(token_for(make.user(role="editor", initiative_id=own.id)))
    laender = client.get("/api/v1/laender", headers=headers).json
    assert len(laender) == 16 and laender[0] == {
        "ags": "01",
        "iso": "DE-SH",
        "name": "Schleswig-Holstein",
    }
    assert len(client.get("/api/v1/kreise", headers=headers).json) > 390
    assert client.get("/api/v1/themes", headers=headers).status_code == 200
    for path in ("/api/v1/memberships", "/api/v1/events", "/api/v1/interactions"):
        assert client.get(path, headers=headers).status_code == 403, path
