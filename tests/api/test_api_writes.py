"""Writes through /api/v1/: persons and organisations are created and changed with the web
forms' checks and the directory's services (audit trail with the token's account);
updates carry the version (If-Match), a stale one gets 412; CSRF does not apply to
bearer requests, and a session cannot write."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import ConsentPurpose
from crm.models import Organisation
from crm.models import OrgType
from crm.models import Person
from crm.models import Registration
from tests.api.conftest import bearer
from tests.conftest import TEST_PASSWORD
from tests.helpers import count_rows
from tests.helpers import csrf_client


@pytest.fixture
def staff(make):
    return make.user(role="staff", email="schreibt@example.org")


@pytest.fixture
def writer(staff, token_for):
    return bearer(token_for(staff, scope="write"))


def test_create_a_person_audited_under_the_tokens_account(app, client, staff, writer):
    body = {"first_name": "Jürgen", "last_name": "Groß", "email": "J.Gross@Example.org"}
    response = client.post("/api/v1/persons", json=body, headers=writer)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["email"] == "j.gross@example.org" and created["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/persons/{created['id']}"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.record_type == "persons", AuditEntry.record_id == created["id"]
            )
        ).one()
        assert entry.user_id == staff.id and entry.action == "create"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Ohne Vorname"}, "first_name"),
        ({"first_name": "A", "last_name": "B", "email": "keine-adresse"}, "email"),
        ({"first_name": "A", "last_name": "B", "phone": "ruf mich an"}, "phone"),
        ({"first_name": " ", "last_name": "B"}, "first_name"),
        ({"first_name": "A", "last_name": "B", "lawful_basis": "weil"}, "lawful_basis"),
        ({"first_name": "A", "last_name": "B", "geheim": 1}, "geheim"),
        ({"first_name": 7, "last_name": "B"}, "first_name"),
    ],
)
def test_invalid_persons_are_422_with_the_field(app, client, writer, body, field):
    response = client.post("/api/v1/persons", json=body, headers=writer)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert count_rows(app, Person) == 0


def test_an_organisation_gets_kreis_and_land_from_its_plz(client, writer):
    body = {"name": "Rheinwerk GmbH", "type": "unternehmen", "plz": "50667"}
    created = client.post("/api/v1/organisations", json=body, headers=writer)
    assert created.status_code == 201, created.json
    assert created.json["kreis_ags"] == "05315" and created.json["land_ags"] == "05"
    wrong = client.post(
        "/api/v1/organisations",
        json={"name": "X", "type": "unternehmen", "plz": "50667", "land_ags": "09"},
        headers=writer,
    )
    assert wrong.status_code == 422 and "land_ags" in wrong.json["errors"]["json"]
    orphan = client.post(
        "/api/v1/organisations",
        json={"name": "Y", "type": "unternehmen", "parent_id": 99999},
        headers=writer,
    )
    assert orphan.status_code == 422 and "parent_id" in orphan.json["errors"]["json"]


def test_an_organisations_ags_is_written_by_the_web_forms_rule(app, client, writer):
    body = {"name": "Stadt Köln", "type": "kommune", "ags": " 0531 5000 "}
    created = client.post("/api/v1/organisations", json=body, headers=writer)
    assert created.status_code == 201, created.json
    assert created.json["ags"] == "05315000"
    path = created.headers["Location"]
    assert client.get(path, headers=writer).json["ags"] == "05315000"
    kreis = client.patch(path, json={"ags": "05315"}, headers=writer | {"If-Match": '"1"'})
    assert kreis.status_code == 200, kreis.json
    assert kreis.json["ags"] == "05315" and kreis.headers["ETag"] == '"2"'
    same = client.patch(path, json={"ags": "053 15"}, headers=writer | {"If-Match": '"2"'})
    assert same.status_code == 200 and same.headers["ETag"] == '"2"'  # unchanged: no write
    cleared = client.patch(path, json={"ags": None}, headers=writer | {"If-Match": '"2"'})
    assert cleared.status_code == 200 and cleared.json["ags"] is None
    with app.app_context():
        changes = db.session.scalars(
            select(AuditEntry.changes)
            .where(AuditEntry.record_type == "organisations", AuditEntry.action == "update")
            .order_by(AuditEntry.id)
        ).all()
        assert [change["ags"] for change in changes] == [
            ["05315000", "05315"],
            ["05315", None],
        ]


@pytest.mark.parametrize(
    "ags", ["053150", "0531500x", "053150000", "０５３１５", "٠٥٣١٥", "05315\x00", 5315]
)
def test_a_malformed_ags_is_422_and_changes_nothing(app, client, make, writer, ags):
    org = make.organisation(name="Gemeinde", type=OrgType.KOMMUNE, ags="05315000")
    body = {"name": "Neu", "type": "kommune", "ags": ags}
    created = client.post("/api/v1/organisations", json=body, headers=writer)
    path = f"/api/v1/organisations/{org.id}"
    changed = client.patch(path, json={"ags": ags}, headers=writer | {"If-Match": '"1"'})
    for response in (created, changed):
        assert response.status_code == 422, response.json
        messages = response.json["errors"]["json"]["ags"]
        if isinstance(ags, str) and "\x00" in ags:  # refused before the field's own check
            assert messages == ["Must not contain a NUL character."]
        elif isinstance(ags, str):
            assert any("acht Ziffern (Gemeinde) oder fünf (Kreis)" in m for m in messages)
    assert count_rows(app, Organisation) == 1
    with app.app_context():
        stored = db.session.get_one(Organisation, org.id)
        assert (stored.ags, stored.version) == ("05315000", 1)


def test_update_needs_the_current_version(app, client, make, writer):
    person = make.person(first_name="Erika", last_name="Muster", phone="0221 12345")
    path = f"/api/v1/persons/{person.id}"
    read = client.get(path, headers=writer)
    assert read.headers["ETag"] == '"1"'
    change = {"last_name": "Mustermann"}
    assert client.patch(path, json=change, headers=writer).status_code == 428
    star = client.patch(path, json=change, headers=writer | {"If-Match": "*"})
    assert star.status_code == 428
    saved = client.patch(path, json=change, headers=writer | {"If-Match": '"1"'})
    assert saved.status_code == 200, saved.json
    assert saved.headers["ETag"] == '"2"'
    assert saved.json["last_name"] == "Mustermann" and saved.json["phone"] == "0221 12345"
    stale = client.patch(path, json={"first_name": "Eva"}, headers=writer | {"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json["code"] == 412
    with app.app_context():
        stored = db.session.get_one(Person, person.id)
        assert (stored.first_name, stored.last_name, stored.version) == ("Erika", "Mustermann", 2)
    invalid = client.patch(path, json={"email": "kaputt"}, headers=writer | {"If-Match": '"2"'})
    assert invalid.status_code == 422 and "email" in invalid.json["errors"]["json"]


def test_an_unchanged_patch_keeps_the_version(app, client, make, writer):
    org = make.organisation(name="Gleich AG")
    path = f"/api/v1/organisations/{org.id}"
    same = client.patch(path, json={"name": "Gleich AG"}, headers=writer | {"If-Match": '"1"'})
    assert same.status_code == 200 and same.headers["ETag"] == '"1"'


def test_who_may_not_write(app, client, make, token_for, staff):
    person = make.person(restricted=True)
    own = make.initiative(name="Eigene")
    read_only = bearer(token_for(staff, scope="read"))
    editor = bearer(token_for(make.user(role="editor", initiative_id=own.id), scope="write"))
    writer = bearer(token_for(staff, scope="write"))
    body = {"first_name": "A", "last_name": "B"}
    refused = client.post("/api/v1/persons", json=body, headers=read_only)
    assert refused.status_code == 403 and refused.json["message"] == "This token may only read."
    assert client.post("/api/v1/persons", json=body, headers=editor).status_code == 403
    restricted = client.patch(
        f"/api/v1/persons/{person.id}", json={"notes": "x"}, headers=writer | {"If-Match": '"1"'}
    )
    assert restricted.status_code == 403  # Art. 18: only lifting the restriction changes it
    assert client.patch("/api/v1/persons/999", json={}, headers=writer).status_code == 404
    assert count_rows(app, Person) == 1


def test_csrf_does_not_apply_to_bearer_requests_and_sessions_cannot_write(
    make_app, make, token_for
):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    user = make.user(role="staff", password=TEST_PASSWORD)
    body = {"name": "Ohne Formular GmbH", "type": "unternehmen"}
    api = csrf_app.test_client()
    created = api.post("/api/v1/organisations", json=body, headers=bearer(token_for(user, "write")))
    assert created.status_code == 201, created.json
    browser = csrf_client(csrf_app, user)
    refused = browser.post("/api/v1/organisations", json=body | {"name": "Per Sitzung"})
    assert refused.status_code == 401
    assert count_rows(csrf_app, Organisation) == 1


def test_log_an_interaction_with_the_web_forms_checks(app, client, make, staff, writer):
    initiative = make.initiative(name="Runde")
    person = make.person()
    body = {
        "kind": "call",
        "occurred_at": "2026-11-02T09:30:00+01:00",
        "subject": "Telefonat zur Netzwerkkonferenz",
        "initiative_id": initiative.id,
        "person_ids": [person.id],
        "follow_up_due": "2026-12-24",
    }
    created = client.post("/api/v1/interactions", json=body, headers=writer)
    assert created.status_code == 201, created.json
    item = created.json
    assert item["author_id"] == staff.id and item["person_ids"] == [person.id]
    assert item["occurred_at"].startswith("2026-11-02T08:30")  # stored in UTC
    assert item["follow_up_owner_id"] == staff.id  # a follow-up without owner is the author's
    assert created.headers["Location"] == f"/api/v1/interactions/{item['id']}"
    for wrong, field in (
        ({"initiative_id": None, "person_ids": []}, "initiative_id"),
        ({"person_ids": [99999]}, "person_ids"),
        ({"subject": " "}, "subject"),
        (
            {"follow_up_owner_id": make.user(role="editor", initiative_id=initiative.id).id},
            "follow_up_owner_id",
        ),
        ({"kind": "brief"}, "kind"),
    ):
        refused = client.post("/api/v1/interactions", json=body | wrong, headers=writer)
        assert refused.status_code == 422, (wrong, refused.json)
        assert field in refused.json["errors"]["json"], refused.json
    locked = make.person(restricted=True)
    refused = client.post(
        "/api/v1/interactions", json=body | {"person_ids": [locked.id]}, headers=writer
    )
    assert refused.status_code == 422 and "person_ids" in refused.json["errors"]["json"]


def test_register_a_person_like_the_public_form(app, client, make, writer):
    event = make.event(capacity=1)
    workshop = make.workshop(event)
    body = {
        "event_id": event.id,
        "first_name": "Jana",
        "last_name": "Neu",
        "email": "Jana.Neu@example.org",
        "workshop_ids": [workshop.id],
        "consent_event": True,
    }
    created = client.post("/api/v1/registrations", json=body, headers=writer)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "registered" and created.json["person_id"]
    assert "token_hash" not in created.json
    second = client.post(
        "/api/v1/registrations",
        json=body | {"email": "zweite@example.org", "first_name": "Zweite"},
        headers=writer,
    )
    assert second.status_code == 201 and second.json["status"] == "waitlisted"
    with app.app_context():
        assert db.session.scalar(select(Person.id).where(Person.email == "jana.neu@example.org"))
    for wrong, field in (
        ({"consent_event": False}, "consent_event"),
        ({"email": "keine"}, "email"),
        ({"workshop_ids": [99999]}, "workshop_ids"),
        ({"event_id": 99999}, "event_id"),
    ):
        refused = client.post("/api/v1/registrations", json=body | wrong, headers=writer)
        assert refused.status_code == 422, (wrong, refused.json)
        assert field in refused.json["errors"]["json"], refused.json
    draft = make.event(status="entwurf")
    closed = client.post(
        "/api/v1/registrations", json=body | {"event_id": draft.id}, headers=writer
    )
    assert closed.status_code == 422 and "event_id" in closed.json["errors"]["json"]


def test_a_registrations_consents_are_recorded_as_sent(app, client, make, writer):
    event = make.event()
    body = {"event_id": event.id, "first_name": "Ida", "last_name": "Zu", "consent_event": True}
    body |= {"email": "ida@example.org", "newsletter": True, "photos": False}
    created = client.post("/api/v1/registrations", json=body, headers=writer)
    assert created.status_code == 201, created.json
    with app.app_context():
        purposes = db.session.scalars(
            select(Consent.purpose).where(Consent.registration_id == created.json["id"])
        )
        assert set(purposes) == {ConsentPurpose.EVENT_COMMUNICATION, ConsentPurpose.NEWSLETTER}


def test_change_an_interaction_with_its_etag(app, client, make, writer):
    initiative = make.initiative(name="Runde")
    body = {
        "kind": "meeting",
        "occurred_at": "2026-11-02T09:30:00+01:00",
        "subject": "Treffen",
        "initiative_id": initiative.id,
    }
    created = client.post("/api/v1/interactions", json=body, headers=writer)
    assert created.status_code == 201, created.json
    path = created.headers["Location"]
    tag = client.get(path, headers=writer).headers["ETag"]
    assert tag == created.headers.get("ETag", tag)
    change = {"subject": "Treffen mit Protokoll"}
    assert client.patch(path, json=change, headers=writer).status_code == 428
    saved = client.patch(path, json=change, headers=writer | {"If-Match": tag})
    assert saved.status_code == 200, saved.json
    assert saved.json["subject"] == "Treffen mit Protokoll"
    assert saved.json["initiative_id"] == initiative.id and saved.json["kind"] == "meeting"
    assert saved.headers["ETag"] != tag
    stale = client.patch(path, json={"subject": "Alt"}, headers=writer | {"If-Match": tag})
    assert stale.status_code == 412
    unknown = client.patch(
        path, json={"initiative_id": 1}, headers=writer | {"If-Match": saved.headers["ETag"]}
    )
    assert unknown.status_code == 422  # the context of an interaction stays


def test_an_interaction_with_a_restricted_person_stays_as_it_is(app, client, make, writer):
    person = make.person()
    body = {"kind": "note", "occurred_at": "2026-11-02T09:30:00Z", "subject": "Notiz"}
    created = client.post(
        "/api/v1/interactions", json=body | {"person_ids": [person.id]}, headers=writer
    )
    assert created.status_code == 201, created.json
    with app.app_context(), writing():
        db.session.get_one(Person, person.id).restricted = True
        db.session.commit()
    path = created.headers["Location"]
    tag = client.get(path, headers=writer).headers["ETag"]
    refused = client.patch(path, json={"subject": "Neu"}, headers=writer | {"If-Match": tag})
    assert refused.status_code == 403


def test_staff_mark_a_registration_as_on_the_web(app, client, make, writer):
    registration = make.registration(make.event(), make.person())
    path = f"/api/v1/registrations/{registration.id}"
    read = client.get(path, headers=writer)
    assert read.status_code == 200 and read.json["organisation_confirmed"] is False
    tag = read.headers["ETag"]
    unversioned = client.patch(path, json={"action": "checkin"}, headers=writer)
    assert unversioned.status_code == 428
    checked_in = client.patch(path, json={"action": "checkin"}, headers=writer | {"If-Match": tag})
    assert checked_in.status_code == 200, checked_in.json
    assert checked_in.json["status"] == "attended" and checked_in.json["checked_in_at"]
    assert checked_in.headers["ETag"] != tag
    stale = client.patch(path, json={"action": "reset"}, headers=writer | {"If-Match": tag})
    assert stale.status_code == 412
    tag = checked_in.headers["ETag"]
    again = client.patch(path, json={"action": "checkin"}, headers=writer | {"If-Match": tag})
    assert again.status_code == 200 and again.json["status"] == "attended"  # nothing to do
    reset = client.patch(path, json={"action": "reset"}, headers=writer | {"If-Match": tag})
    assert reset.status_code == 200 and reset.json["status"] == "registered"
    unknown = client.patch(path, json={"action": "cancel"}, headers=writer | {"If-Match": tag})
    assert unknown.status_code == 422 and "action" in unknown.json["errors"]["json"]


def test_a_registration_of_a_restricted_person_stays_as_it_is(app, client, make, writer):
    person = make.person(restricted=True)
    registration = make.registration(make.event(), person)
    path = f"/api/v1/registrations/{registration.id}"
    tag = client.get(path, headers=writer).headers["ETag"]
    refused = client.patch(path, json={"action": "checkin"}, headers=writer | {"If-Match": tag})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get_one(Registration, registration.id).status.value == "registered"


def test_reading_a_registration_cannot_mark_it(client, make, staff, token_for):
    registration = make.registration(make.event(), make.person())
    path = f"/api/v1/registrations/{registration.id}"
    reader = bearer(token_for(staff))
    tag = client.get(path, headers=reader).headers["ETag"]
    refused = client.patch(path, json={"action": "checkin"}, headers=reader | {"If-Match": tag})
    assert refused.status_code == 403
