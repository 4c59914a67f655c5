"""An invitation campaign in the history (#18): creating, changing, sending and reminding
are audited with who and when, with worded field labels, and shown on the campaign's
page; its recipients are not audited (their thousands of status changes would flood the
history). A campaign entry is not undone or restored from the Verlauf: refused cleanly."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import InvitationCampaign
from tests.invitations.helpers import build_world

FORM = {
    "name": "Einladung Rheinland",
    "land": "05",
    "role": "ansprechperson",
    "subject_de": "Einladung",
    "subject_en": "Invitation",
    "intro_de": "Hallo",
    "intro_en": "Hello",
}


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.record_type.like("invitation%"))
                .order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return found


def _campaign(app) -> InvitationCampaign:
    with app.app_context():
        found = db.session.scalars(select(InvitationCampaign)).one()
        db.session.expunge_all()
        return found


def test_create_change_send_and_remind_show_in_the_history(app, client, make, login_as):
    world = build_world(make)
    me = login_as("staff", email="beraterin@example.org")
    base = f"/events/{world.event.id}/invitations"
    assert client.post(f"{base}/new", data=FORM).status_code == 302
    saved = _campaign(app)
    edit = f"{base}/{saved.id}/edit"
    unchanged = FORM | {"version": str(saved.version)}
    assert client.post(edit, data=unchanged).status_code == 302  # nothing written
    assert len(_entries(app)) == 1
    changed = unchanged | {"subject_de": "Herzliche Einladung", "theme": ""}
    changed.pop("role")
    assert client.post(edit, data=changed).status_code == 302
    assert client.post(f"{base}/{saved.id}/send").status_code == 302
    assert client.post(f"{base}/{saved.id}/send").status_code == 302  # again: no entry
    assert client.post(f"{base}/{saved.id}/remind").status_code == 302

    entries = _entries(app)
    assert {e.record_type for e in entries} == {"invitation_campaigns"}  # no recipient rows
    assert [e.action for e in entries] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]
    assert all(e.user_label == me.email and e.record_id == saved.id for e in entries)
    created, changed_entry, sent, reminded = (e.changes for e in entries)
    assert created["subject_de"] == [None, "Einladung"]
    assert changed_entry.keys() == {"subject_de", "filters"}
    assert sent.keys() == {"sent_at"} and reminded.keys() == {"reminded_at"}

    page = client.get(f"{base}/{saved.id}").get_data(as_text=True)
    history = page[page.index("data-campaign-history") :]
    assert history.count("data-entry=") == 4
    assert "beraterin@example.org" in history and "angelegt" in history
    for label in (
        "Betreff (Deutsch)",
        "Empfängerfilter",
        "Versand begonnen am",
        "Erinnerung versandt am",
        "Veranstaltung",
    ):
        assert label in history, label
    # the filters by name, not as stored keys
    assert "Bundesland: Nordrhein-Westfalen; Rolle in Initiative: " in history
    assert "{&#39;land&#39;" not in history and ">subject_de<" not in history
    assert "Herzliche Einladung" in history


def test_campaign_entries_are_not_undone_or_restored_from_the_verlauf(app, client, make, login_as):
    world = build_world(make)
    login_as("admin")
    base = f"/events/{world.event.id}/invitations"
    client.post(f"{base}/new", data=FORM)
    saved = _campaign(app)
    client.post(
        f"{base}/{saved.id}/edit",
        data=FORM | {"version": str(saved.version), "subject_de": "Neu"},
    )
    for entry in _entries(app):
        refused = client.get(f"/history/{entry.id}/undo")
        assert refused.status_code == 409
        assert "lässt sich nicht rückgängig machen" in refused.get_data(as_text=True)
        assert client.post(f"/history/{entry.id}/undo").status_code == 409
        restore = client.post(
            f"/history/{entry.id}/restore",
            data={"field": "subject_de", "version": str(saved.version + 1)},
        )
        assert restore.status_code == 404
    after = _campaign(app)
    assert after.subject_de == "Neu" and after.version == saved.version + 1
    assert len(_entries(app)) == 2  # the refusals wrote nothing
