"""The audit history: a record's Verlauf, one-click restore of a field, and the staff review
feed of editors' changes (mark seen, revert) — with who may not use them and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.extensions import db
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Initiative
from crm.models import InitiativeStatus
from crm.models import Membership
from crm.models import Organisation
from crm.models import Person
from crm.models import Theme

# --- helpers --------------------------------------------------------------------------


def change(app, actor, model, record_id: int, **values: Any) -> None:
    """Change a record as `actor` would through the app (audited with them as actor)."""
    with app.app_context(), writing():
        set_actor(db.session, actor)
        query = select(model).where(model.id == record_id)
        if model is Initiative:
            query = query.options(selectinload(Initiative.themes))
        record = db.session.scalar(query)
        for key, value in values.items():
            setattr(record, key, value)
        db.session.commit()


def create(app, actor, record: Any) -> Any:
    """Add a record as `actor`."""
    with app.app_context(), writing():
        set_actor(db.session, actor)
        db.session.add(record)
        db.session.commit()
        db.session.refresh(record)
        db.session.expunge(record)
    return record


def delete(app, actor, model, record_id: int) -> None:
    """Delete a record as `actor`."""
    with app.app_context(), writing():
        set_actor(db.session, actor)
        db.session.delete(db.session.get(model, record_id))
        db.session.commit()


def load(app, model, record_id: int, *options: Any) -> Any:
    with app.app_context():
        record = db.session.scalar(select(model).where(model.id == record_id).options(*options))
        if record is not None:
            db.session.expunge(record)
        return record


def entries(app, **where: Any) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        found = list(db.session.scalars(query))
        for e in found:
            db.session.expunge(e)
        return found


def last_update(app, record_type: str, record_id: int) -> AuditEntry:
    return [
        e
        for e in entries(app, record_type=record_type, record_id=record_id)
        if e.action == AuditAction.UPDATE
    ][-1]


def audit_count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(AuditEntry.id))) or 0)


def restore(client, entry: AuditEntry, field: str, version: int, **data: str) -> Any:
    """Post "restore `field`" of `entry` against the record's `version`."""
    form = {"field": field, "version": str(version)} | data
    return client.post(f"/history/{entry.id}/restore", data=form)


def restore_says(client, entry: AuditEntry, field: str, version: int) -> str:
    """Restore `field` of `entry`: the page it sends back to, where it says how that went."""
    response = restore(client, entry, field, version)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def staffer(make):
    return make.user(role="staff", email="kollegin@example.org")


@pytest.fixture
def ini(app, make, staffer):
    """An initiative renamed once by a staff member (one create, one update entry)."""
    record = make.initiative(name="Zukunft Industrie", status=InitiativeStatus.AKTIV)
    change(app, staffer, Initiative, record.id, name="Zukunft durch Industrie e.V.")
    return load(app, Initiative, record.id)


# --- the Verlauf ----------------------------------------------------------------------


def test_verlauf_shows_changes_with_labels_and_names(app, client, login_as, make, staffer, ini):
    host = make.organisation(name="Stahlwerk Nord AG")
    change(
        app,
        staffer,
        Initiative,
        ini.id,
        status=InitiativeStatus.RUHEND,
        host_organisation_id=host.id,
    )
    login_as("staff")
    response = client.get(f"/history/initiative/{ini.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Verlauf" in html and "Zukunft durch Industrie e.V." in html
    assert "kollegin@example.org" in html
    # German field names, enum labels and foreign keys by name
    assert "Status" in html and "aktiv" in html and "ruhend" in html
    assert "Trägerorganisation / Geschäftsstelle" in html and "Stahlwerk Nord AG" in html
    assert "Zukunft Industrie" in html  # the old name
    # newest first: the status change is above the rename
    assert html.index("ruhend") < html.index("Zukunft Industrie<")


def test_verlauf_includes_the_links_of_the_record(app, client, login_as, make, staffer, ini):
    org = make.organisation(name="Kreiswerke GmbH")
    link = create(app, staffer, Membership(organisation_id=org.id, initiative_id=ini.id))
    delete(app, staffer, Membership, link.id)
    login_as("staff")
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert html.count("Mitgliedschaft") >= 2  # created and deleted
    assert "Kreiswerke GmbH" in html
    org_html = client.get(f"/history/organisation/{org.id}").get_data(as_text=True)
    assert "Zukunft durch Industrie e.V." in org_html


def test_verlauf_is_paginated(app, client, login_as, staffer, ini):
    for n in range(55):
        change(app, staffer, Initiative, ini.id, short_name=f"ZI{n}")
    login_as("staff")
    first = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert "ZI54" in first and "Seite 1 von 2" in first
    second = client.get(f"/history/initiative/{ini.id}?page=2").get_data(as_text=True)
    assert "angelegt" in second and "ZI54" not in second


def test_detail_page_has_the_verlauf_tab(app, client, login_as, ini):
    login_as("staff")
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert f"/history/initiative/{ini.id}" in html
    assert "Name" in html.split('id="history-tab-h"')[1]


def test_deleted_record_shows_its_history_as_deleted(app, client, login_as, make, staffer):
    person = make.person(first_name="Erika", last_name="Gelöscht")
    delete(app, staffer, Person, person.id)
    login_as("admin")
    response = client.get(f"/history/person/{person.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Verlauf eines gelöschten Datensatzes" in html
    assert 'data-state="deleted"' in html and "Erika Gelöscht" in html
    # no field-wise restore (it would write into another record); only the whole
    # record can come back, with its own id, after a confirmation
    assert "Wiederherstellen</button>" not in html
    assert "data-undo=" in html


@pytest.mark.parametrize("role", ["staff", "editor"])
def test_deleted_record_history_is_for_admins_only(app, client, login_as, make, staffer, role):
    person = make.person(first_name="Erika", last_name="Gelöscht")
    delete(app, staffer, Person, person.id)
    initiative = make.initiative(name="Eigene") if role == "editor" else None
    login_as(role, initiative=initiative)
    assert client.get(f"/history/person/{person.id}").status_code == 403


@pytest.mark.parametrize("path", ["/history/initiative/999999", "/history/vereine/1"])
def test_unknown_records_are_404(client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 404


# --- restore --------------------------------------------------------------------------


def test_restore_sets_the_old_value_back_and_is_audited(app, client, login_as, staffer, ini):
    entry = last_update(app, "initiatives", ini.id)
    user = login_as("staff")
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert f'data-restore="{entry.id}-name"' in html
    response = restore(client, entry, "name", ini.version)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/history/initiative/{ini.id}"
    restored = load(app, Initiative, ini.id)
    assert restored.name == "Zukunft Industrie"
    assert restored.version == ini.version + 1
    newest = last_update(app, "initiatives", ini.id)
    assert newest.id > entry.id and newest.user_id == user.id
    assert newest.changes["name"] == ["Zukunft durch Industrie e.V.", "Zukunft Industrie"]
    assert "wurde wiederhergestellt" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_restore_of_themes(app, client, login_as, make, staffer):
    record = make.initiative(themes=["Wasserstoff"])
    with app.app_context():
        other = db.session.scalar(select(Theme).where(Theme.name != "Wasserstoff").limit(1))
        with writing():
            set_actor(db.session, staffer)
            loaded = db.session.scalar(
                select(Initiative)
                .where(Initiative.id == record.id)
                .options(selectinload(Initiative.themes))
            )
            loaded.themes = [other]
            db.session.commit()
    entry = last_update(app, "initiatives", record.id)
    assert "themes" in entry.changes
    login_as("staff")
    current = load(app, Initiative, record.id)
    assert restore(client, entry, "themes", current.version).status_code == 302
    after = load(app, Initiative, record.id, selectinload(Initiative.themes))
    assert [t.name for t in after.themes] == ["Wasserstoff"]
    assert after.version == current.version + 1


@pytest.mark.parametrize(
    "data",
    [
        {"field": "status"},  # not changed by this entry
        {"field": "version"},
        {"field": "id"},
        {"field": ""},
        {"field": "name", "version": ""},  # version missing
        {"field": "name", "version": "abc"},
    ],
)
def test_restore_refuses_bad_fields_and_changes_nothing(app, client, login_as, ini, data):
    entry = last_update(app, "initiatives", ini.id)
    login_as("staff")
    data = {"version": str(ini.version)} | data
    before = audit_count(app)
    response = client.post(f"/history/{entry.id}/restore", data=data)
    assert response.status_code == 400
    assert load(app, Initiative, ini.id).name == "Zukunft durch Industrie e.V."
    assert audit_count(app) == before


def test_restore_of_a_create_entry_or_a_redacted_field_is_400(app, client, login_as, ini, make):
    create_entry = entries(app, record_type="initiatives", record_id=ini.id)[0]
    login_as("staff")
    assert restore(client, create_entry, "name", ini.version).status_code == 400


def test_restore_of_unknown_or_foreign_entries_is_404(app, client, login_as, make, staffer):
    user = make.user(role="staff")
    change(app, staffer, type(user), user.id, active=False)
    foreign = last_update(app, "users", user.id)
    login_as("staff")
    assert client.post("/history/999999/restore", data={"field": "name"}).status_code == 404
    response = client.post(f"/history/{foreign.id}/restore", data={"field": "active"})
    assert response.status_code == 404


def test_restore_against_a_stale_version_changes_nothing(app, client, login_as, staffer, ini):
    entry = last_update(app, "initiatives", ini.id)
    change(app, staffer, Initiative, ini.id, short_name="ZdI")  # someone else, meanwhile
    login_as("staff")
    assert "inzwischen geändert" in restore_says(client, entry, "name", ini.version)
    assert load(app, Initiative, ini.id).name == "Zukunft durch Industrie e.V."


def test_restore_on_a_deleted_record_says_so(app, client, login_as, make, staffer):
    person = make.person(first_name="Erika", last_name="Alt")
    change(app, staffer, Person, person.id, last_name="Neu")
    entry = last_update(app, "persons", person.id)
    version = load(app, Person, person.id).version
    delete(app, staffer, Person, person.id)
    login_as("staff")
    before = audit_count(app)
    assert "gelöscht" in restore_says(client, entry, "last_name", version)
    assert audit_count(app) == before


def test_restore_of_a_value_that_is_no_longer_valid(app, client, login_as, make, staffer, ini):
    host = make.organisation(name="Vergangen GmbH")
    change(app, staffer, Initiative, ini.id, host_organisation_id=host.id)
    change(app, staffer, Initiative, ini.id, host_organisation_id=None)
    entry = last_update(app, "initiatives", ini.id)
    delete(app, staffer, Organisation, host.id)
    current = load(app, Initiative, ini.id)
    login_as("staff")
    before = audit_count(app)
    html = restore_says(client, entry, "host_organisation_id", current.version)
    assert "gibt es nicht mehr" in html
    assert load(app, Initiative, ini.id).host_organisation_id is None
    assert audit_count(app) == before


def test_restore_violating_a_check_constraint_changes_nothing(
    app, client, login_as, make, staffer, ini
):
    # an old value the database refuses today (written around the model, as a legacy import)
    make.save(
        AuditEntry(
            action=AuditAction.UPDATE,
            record_type="initiatives",
            record_id=ini.id,
            changes={"founded_year": [1500, None]},
            user_label="import",
        )
    )
    entry = entries(app, record_type="initiatives", record_id=ini.id)[-1]
    login_as("staff")
    before = audit_count(app)
    assert "Regel" in restore_says(client, entry, "founded_year", ini.version)
    assert load(app, Initiative, ini.id).founded_year is None
    assert audit_count(app) == before


# --- who may use it -------------------------------------------------------------------


def _routes(entry_id: int, ini_id: int) -> list[tuple[str, str]]:
    return [
        ("get", f"/history/initiative/{ini_id}"),
        ("get", "/history/changes-by-initiatives"),
        ("post", f"/history/{entry_id}/restore"),
        ("post", f"/history/{entry_id}/seen"),
        ("post", f"/history/{entry_id}/revert"),
    ]


def test_anonymous_is_sent_to_login(app, client, ini):
    entry = last_update(app, "initiatives", ini.id)
    for method, path in _routes(entry.id, ini.id):
        response = getattr(client, method)(path, data={"field": "name"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path


def test_editors_never_see_or_change_history(app, client, login_as, staffer, ini):
    entry = last_update(app, "initiatives", ini.id)
    login_as("editor", initiative=ini)  # even of their own initiative
    before = audit_count(app)
    for method, path in _routes(entry.id, ini.id):
        response = getattr(client, method)(path, data={"field": "name", "version": "2"})
        assert response.status_code == 403, path
    assert load(app, Initiative, ini.id).name == "Zukunft durch Industrie e.V."
    assert audit_count(app) == before
    html = client.get(f"/initiatives/{ini.id}").get_data(as_text=True)
    assert "/history/" not in html


# --- the review feed ------------------------------------------------------------------


@pytest.fixture
def editor(make, ini):
    return make.user(role="editor", initiative_id=ini.id, email="vertretung@example.org")


def test_review_feed_shows_only_editor_changes(app, client, login_as, staffer, editor, ini):
    change(app, editor, Initiative, ini.id, description="Von der Initiative selbst")
    change(app, staffer, Initiative, ini.id, goals="Von der Geschäftsstelle")
    login_as("staff")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "Änderungen durch Initiativen" in html
    assert "Von der Initiative selbst" in html and "vertretung@example.org" in html
    assert "Von der Geschäftsstelle" not in html
    assert "Beschreibung" in html and "Zukunft durch Industrie e.V." in html
    assert 'data-count="unseen-changes">1<' in html  # the nav badge


def test_mark_seen_and_filter(app, client, login_as, editor, ini):
    change(app, editor, Initiative, ini.id, description="Erste Fassung")
    change(app, editor, Initiative, ini.id, goals="Zweites Ziel")
    first, second = [e for e in entries(app, user_role="editor")]
    user = login_as("staff")
    response = client.post(f"/history/{first.id}/seen")
    assert response.status_code == 302
    seen = entries(app, id=first.id)[0]
    assert seen.reviewed_by_id == user.id and seen.reviewed_at is not None
    unseen_html = client.get("/history/changes-by-initiatives?show=unseen").get_data(as_text=True)
    assert f'data-entry="{second.id}"' in unseen_html
    assert f'data-entry="{first.id}"' not in unseen_html
    seen_html = client.get("/history/changes-by-initiatives?show=seen").get_data(as_text=True)
    assert f'data-entry="{first.id}"' in seen_html and f'data-entry="{second.id}"' not in seen_html
    everything = client.get("/history/changes-by-initiatives?show=bogus").get_data(as_text=True)
    assert everything.index(f'data-entry="{second.id}"') < everything.index(
        f'data-entry="{first.id}"'
    )  # unseen first
    again = client.post(f"/history/{first.id}/seen")
    assert again.status_code == 302
    assert entries(app, id=first.id)[0].reviewed_at == seen.reviewed_at


def test_seen_and_revert_only_for_editor_entries(app, client, login_as, staffer, ini):
    staff_entry = last_update(app, "initiatives", ini.id)
    login_as("staff")
    assert client.post(f"/history/{staff_entry.id}/seen").status_code == 404
    assert client.post(f"/history/{staff_entry.id}/revert").status_code == 404
    assert client.post("/history/999999/seen").status_code == 404
    assert load(app, Initiative, ini.id).name == "Zukunft durch Industrie e.V."


def test_revert_of_an_update_restores_all_fields(app, client, login_as, editor, ini):
    change(app, editor, Initiative, ini.id, description="Neu", website="https://neu.example.org")
    entry = entries(app, user_role="editor")[-1]
    user = login_as("staff")
    response = client.post(f"/history/{entry.id}/revert")
    assert response.status_code == 302
    after = load(app, Initiative, ini.id)
    assert after.description is None and after.website is None
    reverted = entries(app, id=entry.id)[0]
    assert reverted.reviewed_by_id == user.id
    newest = last_update(app, "initiatives", ini.id)
    assert newest.user_id == user.id and newest.user_role == "staff"
    assert newest.changes["description"] == ["Neu", None]
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "rückgängig gemacht" in html


def test_feed_reverts_one_field_of_a_change_and_returns_to_the_feed(
    app, client, login_as, editor, ini
):
    change(app, editor, Initiative, ini.id, description="Neu", website="https://neu.example.org")
    entry = entries(app, user_role="editor")[-1]
    login_as("staff")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert f'data-restore="{entry.id}-description"' in html
    version = load(app, Initiative, ini.id).version
    response = restore(
        client, entry, "description", version, next="/history/changes-by-initiatives?show=unseen"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/history/changes-by-initiatives?show=unseen"
    after = load(app, Initiative, ini.id)
    assert after.description is None and after.website == "https://neu.example.org"
    hostile = restore(client, entry, "website", after.version, next="//evil.example")
    assert not hostile.headers["Location"].startswith("//evil")


def test_revert_refuses_when_the_field_changed_again(app, client, login_as, editor, staffer, ini):
    change(app, editor, Initiative, ini.id, description="Von der Initiative")
    entry = entries(app, user_role="editor")[-1]
    change(app, staffer, Initiative, ini.id, description="Von der Geschäftsstelle überarbeitet")
    login_as("staff")
    before = audit_count(app)
    response = client.post(f"/history/{entry.id}/revert")
    assert response.status_code == 302
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "erneut geändert" in html
    assert load(app, Initiative, ini.id).description == "Von der Geschäftsstelle überarbeitet"
    assert entries(app, id=entry.id)[0].reviewed_at is None
    assert audit_count(app) == before


def test_revert_of_a_create_deletes_it(app, client, login_as, make, editor, ini):
    org = make.organisation(name="Neues Mitglied GmbH")
    link = create(app, editor, Membership(organisation_id=org.id, initiative_id=ini.id))
    entry = entries(app, user_role="editor", record_type="memberships")[-1]
    assert entry.action == AuditAction.CREATE
    login_as("staff")
    assert client.post(f"/history/{entry.id}/revert").status_code == 302
    assert load(app, Membership, link.id) is None
    deleted = entries(app, record_type="memberships", record_id=link.id)[-1]
    assert deleted.action == AuditAction.DELETE and deleted.user_role == "staff"
    assert entries(app, id=entry.id)[0].reviewed_at is not None
    # again: nothing left to delete, a clear message
    assert client.post(f"/history/{entry.id}/revert").status_code == 302


def test_revert_of_a_created_organisation_with_links_is_refused(app, client, login_as, editor, ini):
    org = create(app, editor, Organisation(name="Frisch GmbH", type="unternehmen"))
    create(app, editor, Membership(organisation_id=org.id, initiative_id=ini.id))
    entry = entries(app, user_role="editor", record_type="organisations")[-1]
    login_as("staff")
    response = client.post(f"/history/{entry.id}/revert")
    assert response.status_code == 302
    assert load(app, Organisation, org.id) is not None
    assert "zuerst" in client.get("/history/changes-by-initiatives").get_data(as_text=True)


def test_revert_of_a_deleted_membership_recreates_it(app, client, login_as, make, editor, ini):
    org = make.organisation(name="Zurück AG")
    link = make.membership(org, ini, since=dt.date(2021, 3, 1))
    delete(app, editor, Membership, link.id)
    entry = entries(app, user_role="editor", record_type="memberships")[-1]
    login_as("staff")
    assert client.post(f"/history/{entry.id}/revert").status_code == 302
    with app.app_context():
        again = db.session.scalars(
            select(Membership).where(Membership.initiative_id == ini.id)
        ).one()
        assert again.organisation_id == org.id and again.since == dt.date(2021, 3, 1)


def test_revert_of_a_deleted_person_is_refused_clearly(app, client, login_as, make, editor):
    person = make.person()
    delete(app, editor, Person, person.id)
    entry = entries(app, user_role="editor", record_type="persons")[-1]
    login_as("staff")
    assert client.post(f"/history/{entry.id}/revert").status_code == 302
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "nicht automatisch rückgängig" in html
    assert entries(app, id=entry.id)[0].reviewed_at is None


def test_a_write_racing_a_concurrent_save_is_a_conflict(app, editor, ini):
    """A save that lands between loading and writing is caught by the version check."""
    from crm.history import services

    change(app, editor, Initiative, ini.id, description="Entwurf")

    def racing_change() -> None:
        record = db.session.get(Initiative, ini.id)
        db.session.execute(  # someone else saves meanwhile: the loaded copy is stale
            Initiative.__table__.update()
            .where(Initiative.id == ini.id)
            .values(version=Initiative.version + 1)
        )
        record.description = None

    with app.app_context(), writing():
        with pytest.raises(services.Conflict):
            services._write(racing_change)
        db.session.rollback()
    assert load(app, Initiative, ini.id).description == "Entwurf"


def test_feed_names_links_and_reverts_an_ended_membership(app, client, login_as, make, editor, ini):
    org = make.organisation(name="Beendet GmbH")
    link = make.membership(org, ini, since=dt.date(2020, 1, 1))
    change(app, editor, Membership, link.id, until=dt.date(2024, 12, 31))
    entry = entries(app, user_role="editor", record_type="memberships")[-1]
    login_as("staff")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "Mitgliedschaft „Beendet GmbH – Zukunft durch Industrie e.V.“" in html
    assert client.post(f"/history/{entry.id}/revert").status_code == 302
    assert load(app, Membership, link.id).until is None
    verlauf = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert "Beendet GmbH – Zukunft durch Industrie e.V." in verlauf


def test_anonymised_persons_get_no_old_values_back(app, client, login_as, make, staffer):
    person = make.person(first_name="Erika", last_name="Klar")
    change(app, staffer, Person, person.id, first_name="–", last_name="Anonym")
    change(app, staffer, Person, person.id, anonymised_at=dt.datetime.now(dt.UTC))
    entry = [e for e in entries(app, record_type="persons") if "last_name" in e.changes][-1]
    current = load(app, Person, person.id)
    login_as("staff")
    assert "anonymisiert" in restore_says(client, entry, "last_name", current.version)
    assert load(app, Person, person.id).last_name == "Anonym"


def test_nav_badge_counts_unseen_changes_for_staff_only(app, client, login_as, editor, ini):
    change(app, editor, Initiative, ini.id, goals="Mehr Austausch")
    login_as("staff")
    html = client.get("/").get_data(as_text=True)
    assert "/history/changes-by-initiatives" in html
    assert 'data-count="unseen-changes">1<' in html


def test_restoring_the_value_it_already_has_changes_nothing(app, client, login_as, staffer, ini):
    change(app, staffer, Initiative, ini.id, name="Zukunft Industrie")  # set back by hand
    entry = [e for e in entries(app, record_type="initiatives") if "name" in e.changes][1]
    current = load(app, Initiative, ini.id)
    login_as("staff")
    before = audit_count(app)
    assert "hat diesen Wert bereits" in restore_says(client, entry, "name", current.version)
    assert audit_count(app) == before
    assert load(app, Initiative, ini.id).version == current.version
