"""The exchange's settings in the history and under optimistic locking (#25): every save
is audited with worded field labels (publishing too, the plan's report not), and a form
older than the stored settings is refused with what is stored now, writing nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from crm.extensions import db
from crm.history import queries
from crm.history.fields import field_label
from crm.history.fields import table_label
from crm.matchmaking import services
from crm.models import AuditAction
from crm.models import AuditEntry
from tests.app.test_unchanged_saves import edit_form_of
from tests.app.test_unchanged_saves import snapshot
from tests.app.test_unchanged_saves import submitted
from tests.matchmaking.test_views import SETTINGS_FORM

UTC = dt.UTC
STALE = "Die Einstellungen wurden inzwischen geändert"


def _path(event_id: int) -> str:
    return f"/events/{event_id}/meetings/settings"


def _entries(app, event_id: int) -> list[AuditEntry]:
    with app.app_context():
        settings = services.settings_of(event_id)
        if settings is None:
            return []
        found = list(
            db.session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.record_type == "matchmaking_settings",
                    AuditEntry.record_id == settings.id,
                )
                .order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return found


def _stored(app, event_id: int, name: str):
    with app.app_context():
        settings = services.settings_of(event_id)
        return None if settings is None else getattr(settings, name)


def _form_data(client, event_id: int):
    """What the settings page would send back unchanged (its hidden version included)."""
    page = client.get(_path(event_id)).get_data(as_text=True)
    return submitted(edit_form_of(page, _path(event_id)))["data"]


def test_saves_are_in_the_history_with_worded_labels(app, client, make, login_as):
    event = make.event(title="Netzwerktreffen Nord")
    staff = login_as("staff")
    assert client.post(_path(event.id), data=SETTINGS_FORM).status_code == 302
    data = _form_data(client, event.id)
    data["max_open_sent"] = "4"
    data["video_mode"] = "tables"
    data["video_tables"] = "https://tisch.example.org/1"
    assert client.post(_path(event.id), data=data).status_code == 302
    created, updated = _entries(app, event.id)
    assert created.action == AuditAction.CREATE and updated.action == AuditAction.UPDATE
    assert created.user_id == staff.id == updated.user_id
    assert created.changes["max_open_sent"] == [None, 3]
    assert set(updated.changes) == {"max_open_sent", "video_mode", "video_tables"}
    assert updated.changes["max_open_sent"] == [3, 4]
    with app.test_request_context():
        assert table_label("matchmaking_settings") == "Einstellungen des Austauschs der Praktiker"
        rows = queries.entry_views([created, updated])
        shown = {c.label: (c.old, c.new) for c in rows[1].changes}
        assert shown["Höchstens offene gesendete Anfragen je Person"] == ("3", "4")
        assert shown["Videolinks"] == (
            "Raum-Muster (ein Raum je Treffen)",
            "Virtuelle Tische (ein Link je Tisch)",
        )
        first = {c.label: c.new for c in rows[0].changes}
        assert first["Veranstaltung"] == "Netzwerktreffen Nord"
        assert first["Zeitfenster von"] == "16.03.2027 14:00"
        assert first["Austausch der Praktiker eingeschaltet"] == "ja"
        # no column of the settings is shown under its bare name
        for row in rows:
            for change in row.changes:
                assert change.label != change.key, change.key


def test_every_settings_column_has_a_label():
    from crm.db.audit import IGNORED
    from crm.models import MatchmakingSettings

    for column in MatchmakingSettings.__table__.columns:
        if column.key not in IGNORED:
            assert field_label(column.key) != column.key, column.key


def test_publishing_is_in_the_history_the_plan_report_is_not(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    client.post(_path(event.id), data=SETTINGS_FORM)
    with app.app_context():
        settings = services.settings_of(event.id)
        settings.plan_report = {"method": "exact", "weights": {"1-2": 3.0}}
        db.session.commit()
    assert len(_entries(app, event.id)) == 1  # the report of a computation: no entry
    with app.app_context():
        services.settings_of(event.id).published_at = dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
        db.session.commit()
    published = _entries(app, event.id)[-1]
    assert set(published.changes) == {"published_at"}
    assert field_label("published_at") == "Plan der Treffen veröffentlicht am"


def test_a_stale_form_is_refused_and_writes_nothing(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    client.post(_path(event.id), data=SETTINGS_FORM)
    mine = _form_data(client, event.id)  # rendered at version 1
    theirs = _form_data(client, event.id)
    theirs["max_open_received"] = "12"
    assert client.post(_path(event.id), data=theirs).status_code == 302  # someone else saves
    before = snapshot(app)
    mine["max_meetings_per_person"] = "6"
    response = client.post(_path(event.id), data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert STALE in html and "<title>Fehler:" in html
    assert 'id="stale-settings"' in html
    # what is stored now where it differs from the input, the input itself kept
    assert "Höchstens offene erhaltene Anfragen je Person" in html and ">12<" in html
    assert snapshot(app) == before
    # the page keeps the input and carries the current version: saving again goes through
    again = submitted(edit_form_of(html, _path(event.id)))["data"]
    assert again["max_meetings_per_person"] == "6" and again["version"] == "2"
    assert client.post(_path(event.id), data=again).status_code == 302
    assert _stored(app, event.id, "max_meetings_per_person") == 6
    assert _stored(app, event.id, "max_open_received") == 6  # the input, as confirmed


def test_a_stale_form_without_changes_is_just_unchanged(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    client.post(_path(event.id), data=SETTINGS_FORM)
    mine = _form_data(client, event.id)
    with app.app_context():  # e.g. the plan was computed meanwhile: the version went up
        services.settings_of(event.id).plan_report = {"method": "exact"}
        db.session.commit()
    before = snapshot(app)
    response = client.post(_path(event.id), data=mine, follow_redirects=True)
    assert response.status_code == 200
    assert "Die Einstellungen sind unverändert." in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_settings_first_saved_by_someone_else_meanwhile(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    mine = _form_data(client, event.id)  # never saved: the form has no version yet
    assert mine["version"] == ""
    assert client.post(_path(event.id), data=SETTINGS_FORM).status_code == 302
    before = snapshot(app)
    mine["enabled"] = "y"
    mine["window_starts_at"] = "2027-03-16T15:00"
    mine["window_ends_at"] = "2027-03-16T16:00"
    response = client.post(_path(event.id), data=mine)
    assert response.status_code == 409
    assert STALE in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_changed_save_without_a_version_is_refused(app, client, make, login_as):
    event = make.event()
    login_as("staff")
    client.post(_path(event.id), data=SETTINGS_FORM)
    before = snapshot(app)
    for version in (None, "", "abc", "99"):
        data = {**SETTINGS_FORM, "max_open_sent": "9"}
        if version is not None:
            data["version"] = version
        assert client.post(_path(event.id), data=data).status_code == 409
    assert snapshot(app) == before
