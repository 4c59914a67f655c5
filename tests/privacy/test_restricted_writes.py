"""A person whose processing is restricted (Art. 18 GDPR) is locked: every write path that
touches the person or its links, interactions and registrations refuses with a German
message and writes nothing; lifting the restriction makes each possible again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy import select

from crm import permissions
from crm.db.engine import writing
from crm.extensions import db
from crm.imports.services import prepare
from crm.imports.services import run_import
from crm.imports.undo import undo
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Interaction
from crm.models import Person
from crm.models import RegistrationStatus
from crm.models import interaction_persons
from crm.models.base import Base
from crm.privacy.services import restrict_person

LOCKED = "Die Verarbeitung der Daten dieser Person ist eingeschränkt (Art. 18 DSGVO)"
#: The tables a write about the person would change (the audit trail catches the rest).
TABLES = (
    "persons",
    "affiliations",
    "initiative_roles",
    "interactions",
    "interaction_persons",
    "registrations",
    "workshops",
    "consents",
    "record_merges",
    "audit_entries",
)


def snapshot(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a write about the person would touch."""
    with app.app_context():
        return {
            table: [tuple(row) for row in db.session.execute(Base.metadata.tables[table].select())]
            for table in TABLES
        }


@pytest.fixture
def w(app, make):
    """A restricted person with an affiliation, a role, an interaction with a follow-up, a
    registration (organisation matched) and a near-twin; a staff member is logged in."""
    ini, ini2 = make.initiative(name="Werkstatt Nord"), make.initiative(name="Netzwerk Süd")
    org, org2 = make.organisation(name="Nordwerk GmbH"), make.organisation(name="Südwerk AG")
    person = make.person(
        first_name="Erwin",
        last_name="Eingeschraenkt",
        email="erwin@example.org",
        restricted=True,
        restriction_reason="Richtigkeit bestritten",
        restricted_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    )
    twin = make.person(first_name="Erwin", last_name="Eingeschraenkt", email="erwin2@example.org")
    event = make.event()
    workshop = make.workshop(event)
    interaction = make.interaction(
        organisation_id=org.id, follow_up_due=dt.date(2026, 2, 1), subject="Rückruf"
    )
    with app.app_context(), writing():
        db.session.execute(
            insert(interaction_persons).values(interaction_id=interaction.id, person_id=person.id)
        )
        db.session.commit()

    def version(person: Person) -> int:
        with app.app_context():
            return db.session.get_one(Person, person.id).version

    return {
        "version": version,
        "ini": ini,
        "ini2": ini2,
        "org": org,
        "org2": org2,
        "person": person,
        "twin": twin,
        "affiliation": make.affiliation(person, org, function="Leitung"),
        "role": make.initiative_role(person, ini),
        "interaction": interaction,
        "event": event,
        "workshop": workshop,
        "registration": make.registration(
            event, person, organisation_id=org.id, status=RegistrationStatus.REGISTERED
        ),
    }


def _interaction_form(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "call",
        "occurred_at": "2026-07-01T10:00",
        "subject": "Telefonat",
        "notes": "",
        "follow_up_due": "",
        "follow_up_owner": "",
    } | extra


def _deleted_affiliation(app: Any, client: FlaskClient, w: dict[str, Any]) -> int:
    """Delete another affiliation of the person while it is not locked; the entry's id."""
    with app.app_context(), writing():
        person = db.session.get_one(Person, w["person"].id)
        person.restricted = False
        link = Affiliation(person_id=person.id, organisation_id=w["org2"].id, function="Alt")
        db.session.add(link)
        db.session.commit()
        link_id = link.id
    assert client.post(f"/affiliations/{link_id}/delete").status_code == 302
    with app.app_context(), writing():
        db.session.get_one(Person, w["person"].id).restricted = True
        db.session.commit()
        return db.session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.record_type == "affiliations",
                AuditEntry.record_id == link_id,
                AuditEntry.action == AuditAction.DELETE,
            )
        ).one()


@dataclass(frozen=True)
class Path:
    """One write path: the request (method, URL and data from the world `w`), and whether
    it writes something once the restriction is lifted (else it must only not be refused)."""

    method: str
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda w: {}
    writes: bool = True


def _person(w: dict[str, Any]) -> str:
    return str(w["person"].id)


def _merge_form(w: dict[str, Any], keep: Person, other: Person) -> dict[str, str]:
    versions = {"keep_version": w["version"](keep), "other_version": w["version"](other)}
    return {key: str(value) for key, value in versions.items()} | {"confirmed": "1"}


PATHS = {
    # links (crm/links): from the person's page, picked from the other end, and its links
    "affiliation from the person": Path(
        "POST",
        lambda w: f"/affiliations/new?person={w['person'].id}",
        lambda w: {"other_id": str(w["org2"].id), "function": "Beirat"},
    ),
    "affiliation form from the person": Path(
        "GET", lambda w: f"/affiliations/new?person={w['person'].id}", writes=False
    ),
    "affiliation picking the person": Path(
        "POST",
        lambda w: f"/affiliations/new?organisation={w['org2'].id}",
        lambda w: {"other_id": _person(w), "function": "Beirat"},
    ),
    "role picking the person": Path(
        "POST",
        lambda w: f"/initiative-roles/new?initiative={w['ini2'].id}",
        lambda w: {"other_id": _person(w), "role": "ansprechperson"},
    ),
    "role from the person": Path(
        "POST",
        lambda w: f"/initiative-roles/new?person={w['person'].id}",
        lambda w: {"other_id": str(w["ini2"].id), "role": "ansprechperson"},
    ),
    "affiliation edit": Path(
        "POST",
        lambda w: f"/affiliations/{w['affiliation'].id}/edit",
        lambda w: {"function": "Vorstand"},
    ),
    "affiliation end": Path("POST", lambda w: f"/affiliations/{w['affiliation'].id}/end"),
    "affiliation delete": Path("POST", lambda w: f"/affiliations/{w['affiliation'].id}/delete"),
    "role edit": Path(
        "POST",
        lambda w: f"/initiative-roles/{w['role'].id}/edit",
        lambda w: {"role": "sprecherin"},
    ),
    "role end": Path("POST", lambda w: f"/initiative-roles/{w['role'].id}/end"),
    "role delete": Path("POST", lambda w: f"/initiative-roles/{w['role'].id}/delete"),
    # interactions (crm/activity)
    "interaction from the person": Path(
        "POST",
        lambda w: f"/interactions/new?person={w['person'].id}",
        lambda w: _interaction_form(),
    ),
    "interaction naming the person": Path(
        "POST",
        lambda w: f"/interactions/new?organisation={w['org'].id}",
        lambda w: _interaction_form(persons=[_person(w)]),
    ),
    "interaction edit": Path(
        "POST",
        lambda w: f"/interactions/{w['interaction'].id}/edit",
        lambda w: _interaction_form(persons=[_person(w)], subject="Anders"),
    ),
    "interaction delete": Path("POST", lambda w: f"/interactions/{w['interaction'].id}/delete"),
    "follow-up done": Path("POST", lambda w: f"/follow-ups/{w['interaction'].id}/done"),
    # events (crm/events): marks on the registration, moderator, workshop assignment
    "check-in": Path(
        "POST",
        lambda w: f"/events/{w['event'].id}/registrations/{w['registration'].id}/checkin",
    ),
    "confirm the organisation": Path(
        "POST",
        lambda w: (
            f"/events/{w['event'].id}/registrations/{w['registration'].id}/confirm-organisation"
        ),
    ),
    "moderator": Path(
        "POST",
        lambda w: f"/events/{w['event'].id}/workshops/new",
        lambda w: {
            "title": "Wasserstoff",
            "capacity": "20",
            "position": "1",
            "moderator_email": "erwin@example.org",
        },
    ),
    "assignment move": Path(
        "POST",
        lambda w: f"/events/{w['event'].id}/assignment/{w['registration'].id}/move",
        lambda w: {"workshop_id": str(w["workshop"].id)},
        writes=False,
    ),
    "assignment release": Path(
        "POST",
        lambda w: f"/events/{w['event'].id}/assignment/{w['registration'].id}/release",
        writes=False,
    ),
    # the record itself (crm/directory) and merges (crm/duplicates)
    "person edit": Path("GET", lambda w: f"/persons/{w['person'].id}/edit", writes=False),
    "person delete": Path(
        "POST",
        lambda w: f"/persons/{w['person'].id}/delete",
        lambda w: {"version": str(w["version"](w["person"]))},
    ),
    "merge into the person": Path(
        "POST",
        lambda w: f"/duplicates/persons/merge/{w['person'].id}/{w['twin'].id}",
        lambda w: _merge_form(w, w["person"], w["twin"]),
    ),
    "merge the person away": Path(
        "POST",
        lambda w: f"/duplicates/persons/merge/{w['twin'].id}/{w['person'].id}",
        lambda w: _merge_form(w, w["twin"], w["person"]),
    ),
}


def _ask(client: FlaskClient, path: Path, w: dict[str, Any]) -> tuple[int, str]:
    """The status of the request and the page the user sees in the end."""
    response = client.open(path.url(w), method=path.method, data=path.data(w))
    page = response.get_data(as_text=True)
    if response.status_code == 302:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, page


def _lift(app: Any, client: FlaskClient, person: Person) -> None:
    response = client.post(f"/personen/{person.id}/datenschutz/aufheben")
    assert response.status_code == 302
    with app.app_context():
        assert not db.session.get_one(Person, person.id).restricted


@pytest.mark.parametrize("name", list(PATHS))
def test_a_locked_person_is_refused_until_the_restriction_is_lifted(app, client, login_as, w, name):
    login_as("staff")
    path = PATHS[name]
    before = snapshot(app)
    status, page = _ask(client, path, w)
    assert status in (200, 302), (name, status)
    assert LOCKED in page, name
    assert snapshot(app) == before, name  # nothing written
    _lift(app, client, w["person"])
    lifted = snapshot(app)
    status, page = _ask(client, path, w)
    assert status < 400 and LOCKED not in page, (name, status)
    if path.writes:
        assert snapshot(app) != lifted, name


def test_history_cannot_bring_back_a_link_of_a_locked_person(app, client, login_as, w):
    login_as("staff")
    entry_id = _deleted_affiliation(app, client, w)
    before = snapshot(app)
    response = client.post(f"/history/{entry_id}/undo", follow_redirects=True)
    assert LOCKED in response.get_data(as_text=True)
    assert snapshot(app) == before
    _lift(app, client, w["person"])
    assert client.post(f"/history/{entry_id}/undo").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Affiliation).where(Affiliation.function == "Alt"))


def test_the_person_page_hides_the_controls_of_a_locked_person(app, client, login_as, w):
    login_as("staff")
    page = client.get(f"/persons/{w['person'].id}").get_data(as_text=True)
    for control in (
        f"/affiliations/{w['affiliation'].id}/edit",
        f"/initiative-roles/{w['role'].id}/end",
        f"/affiliations/new?person={w['person'].id}",
        f"/initiative-roles/new?person={w['person'].id}",
        f"/interactions/new?person={w['person'].id}",
        f"/interactions/{w['interaction'].id}/edit",
        f"/persons/{w['person'].id}/edit",
    ):
        assert control not in page, control
    follow_ups = client.get("/follow-ups?scope=all").get_data(as_text=True)
    assert f"/follow-ups/{w['interaction'].id}/done" not in follow_ups
    _lift(app, client, w["person"])
    page = client.get(f"/persons/{w['person'].id}").get_data(as_text=True)
    assert f"/affiliations/{w['affiliation'].id}/edit" in page
    assert f"/interactions/new?person={w['person'].id}" in page


def test_erasure_still_works_for_a_locked_person(app, client, login_as, w):
    login_as("admin")
    url = f"/personen/{w['person'].id}/datenschutz/loeschen"
    response = client.post(url, data={"reason": "Antrag Art. 17", "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, w["person"].id) is None or (
            db.session.get_one(Person, w["person"].id).anonymised_at is not None
        )


def test_the_predicate(app, make, w):
    with app.app_context():
        person = db.session.get_one(Person, w["person"].id)
        assert permissions.person_locked(person)
        assert permissions.person_locked(db.session.get_one(Affiliation, w["affiliation"].id))
        assert permissions.person_locked(db.session.get_one(Interaction, w["interaction"].id))
        assert not permissions.person_locked(db.session.get_one(Person, w["twin"].id))
        assert not permissions.person_locked(None)
        staff = make.user(role="staff")
        assert not permissions.can_maintain(staff, person)
        assert not permissions.can_delete(staff, person)


def test_an_import_reports_rows_of_a_locked_person_as_errors(app, client, login_as, tmp_path, w):
    path = tmp_path / "personen.csv"
    path.write_text(
        "Vorname;Nachname;E-Mail;Telefon\nErwin;Eingeschraenkt;erwin@example.org;0211 1\n"
    )

    def run() -> Any:
        with app.app_context():
            return run_import(prepare("persons", path, path.name), dry_run=False)

    before = snapshot(app)["persons"]
    outcome = run()
    assert [(e["row"], e["message"]) for e in outcome.errors] == [
        (2, "Verarbeitung eingeschränkt (Art. 18 DSGVO): nicht geändert.")
    ]
    assert outcome.updated == 0 and snapshot(app)["persons"] == before
    login_as("staff")
    _lift(app, client, w["person"])
    outcome = run()
    assert outcome.updated == 1 and not outcome.errors
    with app.app_context():
        assert db.session.get_one(Person, w["person"].id).phone


def test_undoing_an_import_leaves_the_links_of_a_locked_person(app, tmp_path):
    path = tmp_path / "personen.csv"
    path.write_text("Vorname;Nachname;Firma\nIda;Importiert;Importwerk GmbH\n")
    with app.app_context():
        outcome = run_import(prepare("persons", path, path.name), dry_run=False)
        assert outcome.created == 1
        with writing():
            person = db.session.scalars(
                select(Person).where(Person.last_name == "Importiert")
            ).one()
            restrict_person(person, "Richtigkeit bestritten")
            db.session.commit()
        report = undo(outcome.batch_id)
        reasons = {(row["record_type"], row["reason"]) for row in report.left_alone}
        assert ("affiliations", "Verarbeitung eingeschränkt") in reasons
        assert db.session.scalars(
            select(Affiliation).where(Affiliation.person_id == person.id)
        ).one()
