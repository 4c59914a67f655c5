"""Material files do not outlive their materials (#18): a file no material refers to any
more (its workshop deleted, the rows gone by the cascade) is removed by the nightly job
once it has been found so for the grace period; within it, a material that names the file
again (restored) keeps it. Files of materials, removed ones too, always stay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm import jobs
from crm.extensions import db
from crm.followup import files
from crm.followup import services
from crm.followup.tasks import prune_material_files
from crm.models import Material
from tests.followup.test_followup import PDF
from tests.followup.test_followup import _pptx
from tests.followup.test_followup import _upload

GRACE = files.ORPHAN_GRACE


@pytest.fixture(autouse=True)
def _own_instance_folder(app, monkeypatch, tmp_path):
    """Files of this test only: the job looks at the whole folder, and another test (or
    process) may be using the shared instance folder at the same time."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


def _stored(app) -> dict[str, str]:
    """Title → stored name of every uploaded material."""
    with app.app_context():
        return {
            m.title: m.stored_name
            for m in db.session.scalars(select(Material).where(Material.stored_name.is_not(None)))
        }


def _on_disk(app, name: str) -> bool:
    with app.app_context():
        return (files.folder() / name).is_file()


def _prune(app, now: float) -> int:
    with app.app_context():
        return files.prune_orphans(services.stored_names(), now=now)


def test_files_of_a_deleted_workshop_go_after_the_grace_period(app, client, login_as, meeting):
    login_as("staff")
    event_id, workshop = meeting.event.id, meeting.workshops[0]
    assert _upload(client, meeting, PDF, "plenum.pdf", title="Plenum").status_code == 302
    assert (
        _upload(client, meeting, _pptx(), "ws.pptx", title="Werkstatt", workshop=str(workshop.id))
    ).status_code == 302
    assert _upload(client, meeting, PDF, "alt.pdf", title="Entfernt").status_code == 302
    stored = _stored(app)
    with app.app_context():
        removed = db.session.scalars(select(Material).where(Material.title == "Entfernt")).one()
        services.remove_material(removed)  # removed by staff: restorable, its file stays
        db.session.commit()
        stray = files.folder() / "notiz.txt"  # not a material's name: never touched
        stray.write_text("x")
    assert client.post(f"/events/{event_id}/workshops/{workshop.id}/delete").status_code == 302
    assert set(_stored(app)) == {"Plenum", "Entfernt"}  # the workshop's row went with it
    orphan = stored["Werkstatt"]
    assert _on_disk(app, orphan)

    start = 1_900_000_000.0
    _prune(app, start)  # found without a material: remembered, kept
    _prune(app, start + GRACE - 60)
    assert _on_disk(app, orphan)
    assert _prune(app, start + GRACE) == 1
    assert not _on_disk(app, orphan)
    for title in ("Plenum", "Entfernt"):
        assert _on_disk(app, stored[title])
    assert _on_disk(app, "notiz.txt")
    assert _prune(app, start + 2 * GRACE) == 0  # safe to run twice
    with app.app_context():
        stray.unlink()


def test_a_file_named_again_within_the_grace_period_stays(app, client, login_as, meeting):
    login_as("staff")
    workshop = meeting.workshops[1]
    assert (
        _upload(client, meeting, PDF, "ws.pdf", title="Ergebnis", workshop=str(workshop.id))
    ).status_code == 302
    name = _stored(app)["Ergebnis"]
    assert client.post(f"/events/{meeting.event.id}/workshops/{workshop.id}/delete").status_code
    start = 1_900_000_000.0
    _prune(app, start)
    with app.app_context():  # the material comes back (e.g. restored) and names the file
        db.session.add(
            Material(
                event_id=meeting.event.id,
                title="Ergebnis",
                stored_name=name,
                filename="ws.pdf",
                mimetype="application/pdf",
                size=len(PDF),
            )
        )
        db.session.commit()
    _prune(app, start + GRACE)
    assert _on_disk(app, name)
    with app.app_context():  # and when it goes again, the grace period starts anew
        db.session.execute(Material.__table__.delete())
        db.session.commit()
    _prune(app, start + 2 * GRACE)
    assert _on_disk(app, name)
    _prune(app, start + 3 * GRACE)
    assert not _on_disk(app, name)
    page = client.get(f"/events/{meeting.event.id}/nachbereitung")
    assert page.status_code == 200


def test_the_nightly_job_is_known_to_the_worker(app):
    assert jobs.REGISTRY["prune_material_files"] is prune_material_files
    with app.app_context():
        assert prune_material_files.call_local().endswith("verwaiste Unterlagen entfernt")
