"""History that stays with its record (issue 21): ids are never reused on any database, a
deleted record's history is the admins' "Verlauf eines gelöschten Datensatzes"; every
value an entry can hold renders; the review feed shows one card per save with who saw
and who reverted it (issue 13 §4); destructive changes are undone from the Verlauf (§2)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import Enum
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import selectinload

from crm.db.audit import AUDITED
from crm.db.audit import IGNORED
from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.directory import services as directory_services
from crm.extensions import db
from crm.models import Affiliation
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import AuditEntrySeen
from crm.models import Consent
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import InvitationCampaign
from crm.models import MatchmakingSettings
from crm.models import Membership
from crm.models import OutboxMail
from crm.models import Person
from crm.models import SearchDocument
from crm.models import SuggestionFeedback
from crm.models import User
from crm.models.base import UTCDateTime
from crm.models.enums import SuggestionDecision
from tests.history.test_history import change
from tests.history.test_history import delete
from tests.history.test_history import entries
from tests.history.test_history import load

UTC = dt.UTC
#: Text that only the first generation of records holds.
FIRST_MARKERS = (
    "Generation 1",
    "Vorname1",
    "generation1",
    "Funktion 1",
    "Notiz 1",
    "Anruf 1",
    "Werkstatt 1",
    "Gast 1",
    "konto1",
    "Thema 1",
)


@pytest.fixture
def staffer(make):
    return make.user(role="staff", email="kollegin@example.org")


def _commit_as(app, actor: Any, work: Callable[[], Any]) -> Any:
    with app.app_context(), writing():
        set_actor(db.session, actor)
        result = work()
        db.session.commit()
        return result


def _delete_as(app, actor: Any, kind: str, record: Any) -> None:
    """Delete `record` (a `kind`) through the directory services, as its delete page does."""
    _commit_as(
        app, actor, lambda: directory_services.delete(kind, db.session.get(type(record), record.id))
    )


# --- A: ids are never reused ------------------------------------------------------------


def _one_of_every_kind(make: Any, n: int) -> dict[str, Any]:
    """A record of every audited kind, named with `n` (first or second generation)."""
    ini = make.initiative(name=f"Initiative Generation {n}", themes=[f"Thema {n}"])
    other = make.initiative(name=f"Partner Generation {n}")
    org = make.organisation(name=f"Firma Generation {n} GmbH")
    person = make.person(
        first_name=f"Vorname{n}",
        last_name=f"Nachname{n}",
        email=f"generation{n}@example.org",
        phone=f"0{n}0 1234",
        notes=f"Geheime Notiz {n}",
    )
    event = make.event(title=f"Treffen Generation {n}")
    return {
        "initiatives": ini,
        "organisations": org,
        "persons": person,
        "memberships": make.membership(org, ini),
        "affiliations": make.affiliation(person, org, function=f"Funktion {n}"),
        "initiative_roles": make.initiative_role(person, ini),
        "consents": make.consent(person),
        "relationships": make.relationship(ini, other, note=f"Notiz {n}"),
        "interactions": make.interaction(initiative_id=ini.id, subject=f"Anruf {n}"),
        "events": event,
        "workshops": make.workshop(event, title=f"Werkstatt {n}"),
        "registrations": make.registration(event, person, function=f"Gast {n}"),
        "matchmaking_settings": make.save(
            MatchmakingSettings(
                event_id=event.id, video_pattern=f"https://meet.example.org/generation{n}-{{token}}"
            )
        ),
        "invitation_campaigns": make.save(
            InvitationCampaign(
                event_id=event.id,
                name=f"Einladung Generation {n}",
                filters={"land": "05"},
                subject_de=f"Einladung Generation {n}",
                subject_en=f"Invitation Generation {n}",
            )
        ),
        "users": make.user(role="staff", email=f"konto{n}@example.org"),
        "_other": other,
    }


def _delete_all(app, actor: Any, records: dict[str, Any]) -> None:
    def work() -> None:
        for table in (
            "registrations",
            "workshops",
            "matchmaking_settings",
            "invitation_campaigns",
            "events",
            "interactions",
            "relationships",
            "consents",
            "initiative_roles",
            "affiliations",
            "memberships",
            "users",
        ):
            record = records[table]
            db.session.delete(db.session.get(type(record), record.id))
            db.session.flush()
        for kind, table in (
            ("person", "persons"),
            ("organisation", "organisations"),
            ("initiative", "initiatives"),
        ):
            record = records[table]
            directory_services.delete(kind, db.session.get(type(record), record.id))

    _commit_as(app, actor, work)


def test_a_recreated_record_of_every_kind_inherits_nothing(app, client, make, login_as, staffer):
    first = _one_of_every_kind(make, 1)
    # the office decided about a suggestion of the first organisation; a mail went out
    with app.app_context(), writing():
        partner = first["_other"]
        db.session.add(
            SuggestionFeedback(
                source_type="organisation",
                source_id=first["organisations"].id,
                target_type="initiative",
                target_id=partner.id,
                decision=SuggestionDecision.DISMISSED,
                reasons=["Geheimer Grund 1"],
            )
        )
        db.session.add(
            OutboxMail(to_address="generation1@example.org", subject="Anmeldung 1", body="Hallo 1")
        )
        db.session.commit()
    _delete_all(app, staffer, first)
    second = _one_of_every_kind(make, 2)

    audited = {m.__tablename__ for m in AUDITED}
    covered = set(first) - {"_other"}
    # every audited kind of record that the app creates and deletes is covered
    assert covered >= audited - {"agenda_blocks", "themes", "formats", "suggestion_feedback"}
    with app.app_context():
        for table in covered:
            old, new = first[table], second[table]
            assert new.id != old.id, f"{table}: id {old.id} given out again"
            trail = list(
                db.session.scalars(
                    select(AuditEntry).where(
                        AuditEntry.record_type == table, AuditEntry.record_id == new.id
                    )
                )
            )
            # the new record's history begins with its own creation, nothing of the first
            assert trail and trail[0].action == AuditAction.CREATE, table
            assert AuditAction.DELETE not in {e.action for e in trail}, table
            dump = json.dumps([e.changes for e in trail], ensure_ascii=False)
            for marker in FIRST_MARKERS:
                assert marker not in dump, (table, marker)
        for kind, table in (
            ("initiative", "initiatives"),
            ("organisation", "organisations"),
            ("person", "persons"),
        ):
            docs = list(
                db.session.scalars(
                    select(SearchDocument).where(SearchDocument.record_id == second[table].id)
                )
            )
            for doc in docs:
                if doc.kind.value == kind:
                    assert "1" not in doc.title and "generation1" not in doc.text
        assert not db.session.scalar(
            select(func.count(SuggestionFeedback.id)).where(
                SuggestionFeedback.source_id == second["organisations"].id,
                SuggestionFeedback.source_type == "organisation",
            )
        )
        assert not db.session.scalar(
            select(func.count(OutboxMail.id)).where(
                OutboxMail.to_address == "generation2@example.org"
            )
        )

    login_as("admin")
    person = second["persons"]
    html = client.get(f"/history/person/{person.id}").get_data(as_text=True)
    assert "Vorname2" in html
    for secret in ("Vorname1", "generation1@example.org", "010 1234", "Geheime Notiz 1"):
        assert secret not in html
    assert "Wiederherstellen</button>" not in html
    for kind, table in (("initiative", "initiatives"), ("organisation", "organisations")):
        page = client.get(f"/history/{kind}/{second[table].id}").get_data(as_text=True)
        assert "Generation 1" not in page and "Generation 2" in page
    # the first person's history is still there, under its own id, as a deleted record
    old = client.get(f"/history/person/{first['persons'].id}").get_data(as_text=True)
    assert "Verlauf eines gelöschten Datensatzes" in old and "Vorname1" in old
    assert "Vorname2" not in old
    found = client.get("/search?q=Vorname1").get_data(as_text=True)
    assert f"/persons/{person.id}" not in found


def test_ids_stay_unique_within_a_test_on_this_backend(app, make):
    """The reproduction of issue 21: create, delete, create a person — on SQLite the new
    person got the deleted one's id."""
    first = make.person(first_name="Erste")
    with app.app_context(), writing():
        db.session.delete(db.session.get(Person, first.id))
        db.session.commit()
    second = make.person(first_name="Zweite")
    assert second.id > first.id


def test_every_model_table_is_created_with_autoincrement(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL sequences never reuse ids")
        rows = {
            name: sql
            for name, sql in db.session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            )
        }
        from crm.models import Base

        for name, table in Base.metadata.tables.items():
            key = list(table.primary_key.columns)
            if len(key) == 1 and isinstance(key[0].type, Integer):
                assert "AUTOINCREMENT" in rows[name], name


def test_migration_keeps_ids_rows_and_triggers_and_starts_above_history(make_app, tmp_path):
    fresh = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/old.sqlite")
    with fresh.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO organisations (id, name, sort_name, type, version, created_at, "
                "updated_at) VALUES (7, 'Alt GmbH', 'alt gmbh', 'unternehmen', 1, "
                "'2026-01-01', '2026-01-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO initiatives (id, name, sort_name, type, status, public_listing, "
                "version, created_at, updated_at) VALUES (3, 'Alt e.V.', 'alt e.v.', 'verein', "
                "'aktiv', 0, 1, '2026-01-01', '2026-01-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO memberships (id, organisation_id, initiative_id, role, "
                "created_at, updated_at) VALUES (5, 7, 3, 'mitglied', '2026-01-01', "
                "'2026-01-01')"
            )
            # a person with id 40 was deleted before the migration: only its history knows
            conn.exec_driver_sql(
                "INSERT INTO audit_entries (at, action, record_type, record_id, changes, "
                "reviewed_at, reviewed_by_id) VALUES ('2026-01-01', 'delete', 'persons', 40, "
                "'{}', NULL, NULL)"
            )
            # the office dismissed a suggestion of an organisation deleted long ago (60)
            conn.exec_driver_sql(
                "INSERT INTO suggestion_feedback (source_type, source_id, target_type, "
                "target_id, decision, score, reasons, decided_at, created_at, updated_at) "
                "VALUES ('initiative', 3, 'organisation', 60, 'dismissed', 0.5, '[]', "
                "'2026-01-01', '2026-01-01', '2026-01-01')"
            )
        upgrade()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO organisations (name, sort_name, type, version, created_at, "
                "updated_at) VALUES ('Neu GmbH', 'neu gmbh', 'unternehmen', 1, "
                "'2026-01-01', '2026-01-01')"
            )
            assert conn.exec_driver_sql("SELECT max(id) FROM organisations").scalar() == 61
            # rows and ids kept; the membership survived the rebuild of its parents
            # (no ON DELETE CASCADE fired while the originals were dropped)
            assert conn.exec_driver_sql("SELECT id FROM memberships").all() == [(5,)]
            assert conn.exec_driver_sql("SELECT id FROM organisations").all() == [(7,), (61,)]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            triggers = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'search_documents'"
            ).scalar()
            assert triggers == 9
            conn.exec_driver_sql(
                "INSERT INTO persons (first_name, last_name, sort_name, preferred_language, "
                "restricted, version, created_at, updated_at) VALUES ('Neu', 'Person', "
                "'person neu', 'de', 0, 1, '2026-01-01', '2026-01-01')"
            )
            assert conn.exec_driver_sql("SELECT max(id) FROM persons").scalar() == 41
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'persons'"
            ).scalar()
            assert "AUTOINCREMENT" in sql and "CHECK" in sql


# --- B: every value an entry can hold renders -------------------------------------------


def _odd_values(model: type[Any], key: str) -> list[Any]:
    """Stored values of column `key` that an entry may hold: fitting, unfitting, gone."""
    column = model.__table__.columns[key]
    kind = column.type
    if column.foreign_keys or key.endswith("_id"):
        return [1, 987654321, "kaputt", None]
    if key.endswith("_ags"):
        return ["11000", "11", "05315", "99999", None]
    if isinstance(kind, Enum):
        return [next(iter(kind.enum_class)).value, "gibt-es-nicht", None]  # type: ignore[arg-type]
    if isinstance(kind, UTCDateTime):
        return ["2027-03-16T09:00:00+00:00", "2027-03-16T09:00:00", "kein Datum", None]
    if isinstance(kind, Date):
        return ["2027-03-16", "16.03.2027", None]
    if isinstance(kind, Boolean):
        return [True, False, None]
    if isinstance(kind, Integer | Float):
        return [0, 2**70, -1.5, None]
    return ["x" * 2000, "<script>alert(1)</script>", "", None, ["eine", "Liste"], {"a": 1}]


def _all_audited_fields() -> list[tuple[type[Any], str]]:
    fields: list[tuple[type[Any], str]] = []
    for model in AUDITED:
        for column in model.__table__.columns:
            if column.key not in IGNORED:
                fields.append((model, column.key))
        for rel in model.__mapper__.relationships:
            if rel.secondary is not None:
                fields.append((model, rel.key))
    return fields


def test_every_audited_field_renders_in_feed_and_verlauf(app, client, make, login_as):
    ini = make.initiative(name="Prüfinitiative")
    org = make.organisation(name="Prüf GmbH")
    person = make.person(first_name="Prüf", last_name="Person")
    editor = make.user(role="editor", initiative_id=ini.id, email="vertretung@example.org")
    owners = {"initiatives": ini.id, "organisations": org.id, "persons": person.id}
    fields = _all_audited_fields()
    assert len(fields) > 150  # enumerated from the audit configuration

    def by_editor(action: AuditAction, table: str, record_id: int, changes: dict) -> AuditEntry:
        return AuditEntry(
            at=dt.datetime.now(UTC),
            user_id=editor.id,
            user_label=editor.email,
            user_role="editor",
            action=action,
            record_type=table,
            record_id=record_id,
            changes=changes,
        )

    def write() -> None:
        rows = []
        for model, key in fields:
            table = model.__tablename__
            rel = model.__mapper__.relationships.get(key)
            if rel is not None and rel.secondary is not None:
                values: list[Any] = [[1, 2, 987654], ["05", "11", "xx"], [], None]
            else:
                values = _odd_values(model, key)
            record_id = owners.get(table, 555_000 + len(rows))
            for n, value in enumerate(values):
                other = values[(n + 1) % len(values)]
                for action in (AuditAction.UPDATE, AuditAction.CREATE, AuditAction.DELETE):
                    changes = {key: [value, other]}
                    if table in ("memberships", "affiliations", "initiative_roles", "consents"):
                        changes |= {
                            "initiative_id": [ini.id, None],
                            "organisation_id": [org.id, None],
                            "person_id": [987654, None],
                        }
                    rows.append(by_editor(action, table, record_id, changes))
        # and the reproduction of issue 21: a profile save that set the Kreis by PLZ
        rows.append(
            by_editor(
                AuditAction.UPDATE,
                "initiatives",
                ini.id,
                {
                    "plz": [None, "10117"],
                    "kreis_ags": [None, "11000"],
                    "land_ags": [None, "11"],
                    "kreise": [[], ["11000"]],
                },
            )
        )
        db.session.add_all(rows)

    with app.app_context(), writing():
        write()
        db.session.commit()
        total = db.session.scalar(select(func.count(AuditEntry.id)))
        deleted_ids = sorted(
            set(
                db.session.scalars(
                    select(AuditEntry.record_id).where(
                        AuditEntry.record_type.in_(["initiatives", "organisations", "persons"]),
                        AuditEntry.record_id >= 555_000,
                    )
                )
            )
        )
    assert total and total > 1000
    login_as("admin")
    first = client.get("/history/changes-by-initiatives")
    assert first.status_code == 200
    assert "Berlin" in first.get_data(as_text=True)
    page, pages = 1, 1
    while page <= pages:
        response = client.get(f"/history/changes-by-initiatives?page={page}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        found = re.findall(r"[?&]page=(\d+)", html)
        pages = max([pages, *map(int, found)])
        page += 1
    for show in ("unseen", "seen"):
        assert client.get(f"/history/changes-by-initiatives?show={show}").status_code == 200
    for kind, record_id in (
        ("initiative", ini.id),
        ("organisation", org.id),
        ("person", person.id),
    ):
        for n in (1, 2, 3, 50):
            response = client.get(f"/history/{kind}/{record_id}?page={n}")
            assert response.status_code == 200, (kind, n)
    for record_id in deleted_ids[:10]:
        for kind in ("initiative", "organisation", "person"):
            assert client.get(f"/history/{kind}/{record_id}").status_code in (200, 404)


# --- C: the review feed -----------------------------------------------------------------


@pytest.fixture
def editor_world(app, make):
    ini = make.initiative(name="Werkstatt Nord e.V.", themes=["Energie"])
    org = make.organisation(name="Nordstahl GmbH")
    editor = make.user(role="editor", initiative_id=ini.id, email="vertretung@example.org")
    membership = make.membership(org, ini)
    return {"ini": ini, "org": org, "editor": editor, "membership": membership}


def _editor_save(app, world: dict[str, Any]) -> None:
    """One save of an editor: the initiative's name and themes and a membership's end."""

    def work() -> None:
        ini = db.session.scalar(
            select(Initiative)
            .where(Initiative.id == world["ini"].id)
            .options(selectinload(Initiative.themes))
        )
        ini.name = "Werkstatt Nord und Süd e.V."
        ini.themes = []
        link = db.session.get(Membership, world["membership"].id)
        link.until = dt.date(2026, 1, 31)

    _commit_as(app, world["editor"], work)


def test_one_save_is_one_card_with_every_changed_field(app, client, login_as, editor_world):
    _editor_save(app, editor_world)
    login_as("staff")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert html.count("data-card=") == 1
    card = html.split("data-card=")[1]
    for text_ in (
        "Werkstatt Nord e.V.",
        "Werkstatt Nord und Süd e.V.",
        "Energie",
        "Mitgliedschaft",
    ):
        assert text_ in card
    assert "31.01.2026" in card or "2026" in card
    assert "Noch von niemandem gesehen" in card


def test_seen_state_is_per_staff_account(app, client, make, login_as, editor_world):
    _editor_save(app, editor_world)
    first = login_as("staff", email="erste@example.org")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    entry_id = int(re.search(r'data-card="(\d+)"', html).group(1))
    assert client.post(f"/history/{entry_id}/seen").status_code == 302
    with app.app_context():
        seen = db.session.scalars(select(AuditEntrySeen)).all()
        assert {s.user_id for s in seen} == {first.id} and len(seen) == 2  # 2 entries, 1 card
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert 'data-seen="yes"' in html and "erste@example.org" in html
    assert (
        client.get("/history/changes-by-initiatives?show=unseen")
        .get_data(as_text=True)
        .count("data-card=")
        == 0
    )
    client.post("/logout")
    login_as("staff", email="zweite@example.org")
    html = client.get("/history/changes-by-initiatives?show=unseen").get_data(as_text=True)
    # not seen by this account yet, and it says who saw it when
    assert html.count("data-card=") == 1 and 'data-seen="no"' in html
    assert "Gesehen von" in html and "erste@example.org" in html
    with app.test_request_context():
        from crm.history import queries

        second = db.session.scalar(select(User).where(User.email == "zweite@example.org"))
        assert queries.unseen_count(second.id) == 1
        assert queries.unseen_count(first.id) == 0


def test_revert_asks_first_then_undoes_the_whole_save_and_shows_on_the_card(
    app, client, login_as, editor_world
):
    _editor_save(app, editor_world)
    login_as("staff", email="pruefer@example.org")
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    entry_id = int(re.search(r'data-card="(\d+)"', html).group(1))
    before = len(entries(app))
    confirm = client.get(f"/history/{entry_id}/revert")
    assert confirm.status_code == 200 and "data-confirm-revert" in confirm.get_data(as_text=True)
    assert len(entries(app)) == before  # asking changes nothing
    response = client.post(f"/history/{entry_id}/revert")
    assert response.status_code == 302
    ini = load(app, Initiative, editor_world["ini"].id, selectinload(Initiative.themes))
    assert ini.name == "Werkstatt Nord e.V." and [t.name for t in ini.themes] == ["Energie"]
    assert load(app, Membership, editor_world["membership"].id).until is None
    html = client.get("/history/changes-by-initiatives").get_data(as_text=True)
    assert "Rückgängig gemacht von pruefer@example.org" in html
    assert "data-revert-button" not in html  # once only
    assert client.post(f"/history/{entry_id}/revert").status_code == 302
    assert load(app, Initiative, editor_world["ini"].id).name == "Werkstatt Nord e.V."


def test_editors_may_not_review_revert_or_undo(app, client, login_as, editor_world):
    _editor_save(app, editor_world)
    entry = entries(app, record_type="memberships")[-1]
    login_as("editor", initiative=editor_world["ini"])
    for method, path in (
        ("get", "/history/changes-by-initiatives"),
        ("get", f"/history/{entry.id}/revert"),
        ("post", f"/history/{entry.id}/revert"),
        ("post", f"/history/{entry.id}/seen"),
        ("get", f"/history/{entry.id}/undo"),
        ("post", f"/history/{entry.id}/undo"),
    ):
        assert getattr(client, method)(path).status_code == 403, path
    assert load(app, Membership, editor_world["membership"].id).until is not None


# --- D: undo from the Verlauf -----------------------------------------------------------


def test_a_deleted_membership_comes_back_with_its_id(app, client, make, login_as, staffer):
    ini = make.initiative(name="Netzwerk Ost")
    org = make.organisation(name="Ostwerk AG")
    link = make.membership(org, ini, since=dt.date(2024, 5, 1))
    delete(app, staffer, Membership, link.id)
    entry = entries(app, record_type="memberships", action=AuditAction.DELETE)[-1]
    login_as("staff", email="buero@example.org")
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert f'data-undo="{entry.id}"' in html
    before = len(entries(app))
    confirm = client.get(f"/history/{entry.id}/undo")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Ostwerk AG" in page and "data-confirm-undo" in page
    assert len(entries(app)) == before
    response = client.post(f"/history/{entry.id}/undo")
    assert response.status_code == 302
    back = load(app, Membership, link.id)
    assert back is not None and back.since == dt.date(2024, 5, 1)
    assert back.initiative_id == ini.id and back.organisation_id == org.id
    created = entries(app, record_type="memberships", record_id=link.id)[-1]
    assert created.action == AuditAction.CREATE and created.user_label == "buero@example.org"
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert "Rückgängig gemacht von buero@example.org" in html
    # a second time is refused, nothing changes
    count = len(entries(app))
    assert client.post(f"/history/{entry.id}/undo").status_code == 409
    assert len(entries(app)) == count


def test_an_ended_membership_is_undone(app, client, make, login_as, staffer):
    ini = make.initiative(name="Netzwerk West")
    org = make.organisation(name="Westwerk AG")
    link = make.membership(org, ini)
    change(app, staffer, Membership, link.id, until=dt.date(2026, 6, 30))
    entry = entries(app, record_type="memberships", action=AuditAction.UPDATE)[-1]
    login_as("staff")
    assert client.get(f"/history/{entry.id}/undo").status_code == 200
    assert client.post(f"/history/{entry.id}/undo").status_code == 302
    assert load(app, Membership, link.id).until is None


def test_undo_is_refused_when_the_initiative_is_gone_too(app, client, make, login_as, staffer):
    ini = make.initiative(name="Vergangen e.V.")
    org = make.organisation(name="Bleibt GmbH")
    link = make.membership(org, ini)
    delete(app, staffer, Membership, link.id)
    _delete_as(app, staffer, "initiative", ini)
    entry = entries(app, record_type="memberships", action=AuditAction.DELETE)[-1]
    login_as("staff")
    count = len(entries(app))
    response = client.post(f"/history/{entry.id}/undo", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "gibt es nicht mehr" in html
    assert load(app, Membership, link.id) is None and len(entries(app)) == count


def test_admins_restore_a_deleted_initiative_with_its_id_and_themes(
    app, client, make, login_as, staffer
):
    ini = make.initiative(name="Zurück e.V.", themes=["Wasserstoff"], laender=["05"])
    _delete_as(app, staffer, "initiative", ini)
    entry = entries(app, record_type="initiatives", action=AuditAction.DELETE)[-1]
    assert entry.changes["themes"][0] and entry.changes["laender"][0] == ["05"]
    login_as("staff")
    assert client.get(f"/history/{entry.id}/undo").status_code == 403
    assert client.post(f"/history/{entry.id}/undo").status_code == 403
    assert load(app, Initiative, ini.id) is None
    client.post("/logout")
    login_as("admin")
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    assert f'data-undo="{entry.id}"' in html
    assert client.post(f"/history/{entry.id}/undo").status_code == 302
    back = load(
        app, Initiative, ini.id, selectinload(Initiative.themes), selectinload(Initiative.laender)
    )
    assert back.name == "Zurück e.V."
    assert [t.name for t in back.themes] == ["Wasserstoff"]
    assert [land.ags for land in back.laender] == ["05"]
    with app.app_context():
        doc = db.session.scalar(select(SearchDocument).where(SearchDocument.record_id == ini.id))
        assert doc is not None and "Zurück" in doc.title
    assert client.get(f"/initiatives/{ini.id}").status_code == 200


def test_creates_and_other_kinds_are_not_undone_from_the_verlauf(app, client, make, login_as):
    event = make.event()
    make.save(
        AgendaBlock(
            event_id=event.id,
            starts_at=event.starts_at,
            ends_at=event.starts_at + dt.timedelta(hours=1),
            title="Begrüßung",
            kind=AgendaKind.PLENUM,
        )
    )
    entry = entries(app)[-1]
    login_as("admin")
    assert client.get(f"/history/{entry.id}/undo").status_code == 409
    assert client.post(f"/history/{entry.id}/undo").status_code == 409
    assert client.get("/history/999999999/undo").status_code == 404


def test_a_restored_person_gets_consents_and_links_back_one_by_one(
    app, client, make, login_as, staffer
):
    person = make.person(first_name="Rita", last_name="Rückkehr")
    org = make.organisation(name="Heimat GmbH")
    make.affiliation(person, org, function="Leitung")
    make.consent(person)
    _delete_as(app, staffer, "person", person)
    login_as("admin")
    gone = entries(app, record_type="persons", action=AuditAction.DELETE)[-1]
    link = entries(app, record_type="affiliations", action=AuditAction.DELETE)[-1]
    consent = entries(app, record_type="consents", action=AuditAction.DELETE)[-1]
    # the link cannot come back before the person
    html = client.post(f"/history/{link.id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "gibt es nicht mehr" in html
    assert client.post(f"/history/{gone.id}/undo").status_code == 302
    assert client.post(f"/history/{link.id}/undo").status_code == 302
    assert client.post(f"/history/{consent.id}/undo").status_code == 302
    back = load(app, Person, person.id)
    assert back.first_name == "Rita" and back.email == person.email
    with app.app_context():
        assert db.session.get(Affiliation, link.record_id).function == "Leitung"
        assert db.session.get(Consent, consent.record_id).person_id == person.id
    html = client.get(f"/history/person/{person.id}").get_data(as_text=True)
    assert "Verlauf eines gelöschten Datensatzes" not in html


def test_a_portal_profile_save_with_plz_10117_keeps_the_review_feed_working(
    app, client, make, login_as
):
    """The reproduction of issue 21, defect 2, through the portal form itself."""
    own = make.initiative(name="Mitte verbindet e.V.")
    login_as("editor", initiative=own)
    response = client.post(
        "/unsere-initiative/profil",
        data={"version": str(own.version), "plz": "10117", "place": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    client.post("/logout")
    for role in ("staff", "admin"):
        login_as(role)
        feed = client.get("/history/changes-by-initiatives")
        assert feed.status_code == 200
        html = feed.get_data(as_text=True)
        assert "10117" in html and "Berlin" in html
        assert client.get(f"/history/initiative/{own.id}").status_code == 200
        client.post("/logout")


def test_the_review_feed_costs_the_same_for_few_and_many_cards(app, client, login_as, make):
    from tests.helpers import recorded

    ini = make.initiative(name="Viele Speicherungen e.V.")
    editor = make.user(role="editor", initiative_id=ini.id, email="viel@example.org")

    def saves(n: int) -> None:
        for k in range(n):
            org = make.organisation(name=f"Firma {k} GmbH")

            def work(org_id: int = org.id, k: int = k) -> None:
                db.session.get_one(Initiative, ini.id).short_name = f"VS{k}"
                db.session.add(Membership(organisation_id=org_id, initiative_id=ini.id))

            _commit_as(app, editor, work)

    login_as("staff")
    saves(2)
    with recorded(app) as few:
        assert client.get("/history/changes-by-initiatives").status_code == 200
    saves(12)
    with recorded(app) as many:
        assert client.get("/history/changes-by-initiatives").status_code == 200
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("began_today", [False, True])
def test_a_contact_person_removed_in_the_portal_comes_back_from_the_verlauf(
    app, client, make, login_as, began_today
):
    ini = make.initiative(name="Kontakt e.V.")
    person = make.person(first_name="Karla", last_name="Kontakt")
    since = dt.date.today() if began_today else dt.date(2024, 1, 1)
    role = make.initiative_role(person, ini, since=since)
    login_as("editor", initiative=ini)
    assert client.post(f"/unsere-initiative/personen/{role.id}/beenden").status_code == 302
    removed = load(app, InitiativeRole, role.id)
    assert (removed is None) if began_today else (removed.until is not None)
    client.post("/logout")
    login_as("staff")
    html = client.get(f"/history/initiative/{ini.id}").get_data(as_text=True)
    entry = entries(app, record_type="initiative_roles")[-1]
    assert f'data-undo="{entry.id}"' in html
    assert client.post(f"/history/{entry.id}/undo").status_code == 302
    back = load(app, InitiativeRole, role.id)
    assert back is not None and back.until is None and back.since == since
