"""An import stopped in the middle (its worker killed, an unexpected error) is rolled back
as a whole: by the next run of its job or by the periodic recovery; never imported twice.

The import runs in-process on the real database in chunks of 10 rows; the kill is the
fault injection IMPORT_KILL_AFTER_CHUNK (an exception no `except Exception` catches, after
the chunk's commit), nothing of the database is mocked."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm import jobs
from crm.extensions import db
from crm.imports import beat
from crm.imports import services
from crm.imports.services import ImportInterrupted
from crm.imports.services import prepare
from crm.imports.services import run_import
from crm.imports.tasks import WorkerKilled
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import ImportBatch
from crm.models import Organisation
from crm.models.base import utcnow
from tests.helpers import count_rows

ROWS = 35  # four chunks of 10 (the last one of 5)


def _name(i: int) -> str:
    """Names unlike each other (similar ones would be held back for review)."""
    letters = (
        hashlib.sha256(str(i).encode())
        .hexdigest()
        .translate(str.maketrans("0123456789", "ghijklmnop"))
    )
    return letters[:10].capitalize() + " GmbH"


def _site(i: int) -> str:
    return _name(i).split()[0].lower() + ".example"


UPDATED = _name(3)  # exists before the import (without a website), gets its website from it


def _csv() -> bytes:
    lines = ["Firma;PLZ;Webseite"] + [f"{_name(i)};50667;{_site(i)}" for i in range(ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _start_big_import(app, client) -> tuple[int, str]:
    """Upload, map and confirm: the import is queued as a job (IMPORT_JOB_ROWS=1)."""
    response = client.post(
        "/imports/",
        data={"kind": "organisations", "file": (io.BytesIO(_csv()), "firmen.csv")},
        content_type="multipart/form-data",
    )
    match = re.search(r"/imports/([0-9a-f]{32})/file", response.headers["Location"])
    assert match
    token = match.group(1)
    client.post(
        f"/imports/{token}/mapping",
        data={"col-0": "name", "col-1": "plz", "col-2": "website", "mode": "both"},
    )
    response = client.post(f"/imports/{token}/confirm")
    assert response.status_code == 302 and "/imports/batches/" in response.headers["Location"]
    with app.app_context():
        batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
        db.session.commit()
    assert batch_id is not None
    return batch_id, token


def _state(app, batch_id: int) -> tuple[ImportBatch, int, str | None]:
    """The batch, the number of organisations, the website of the updated one."""
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert batch is not None
        db.session.expunge(batch)
        orgs = db.session.scalar(select(func.count()).select_from(Organisation)) or 0
        site = db.session.scalar(select(Organisation.website).where(Organisation.name == UPDATED))
        db.session.commit()
    return batch, orgs, site


def _history(app, audit_key: str) -> dict[str, list[tuple[str, int]]]:
    """The history of the batch's records: what the import did, what the rollback did."""
    with app.app_context():
        entries = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "organisations"))
        )
        mine = {(e.record_id) for e in entries if e.batch == audit_key}
        result: dict[str, list[tuple[str, int]]] = {"import": [], "after": []}
        for e in sorted(entries, key=lambda e: e.id):
            if e.record_id in mine:
                key = "import" if e.batch == audit_key else "after"
                result[key].append((str(e.action), e.record_id))
        db.session.commit()
    return result


@pytest.fixture
def big_import(app, client, login_as, make, monkeypatch):
    """A staff member, one organisation the file updates, chunks of 10, the job layer."""
    login_as("staff")
    make.organisation(name=UPDATED, plz="50667")
    jobs.init_app(app)
    monkeypatch.setattr(services, "CHUNK", 10)
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 1)
    return app


@pytest.fixture
def killed(big_import, client) -> tuple[int, str]:
    """A big import whose worker was killed after its second chunk: (batch id, token)."""
    app = big_import
    batch_id, token = _start_big_import(app, client)
    app.config["IMPORT_KILL_AFTER_CHUNK"] = 2
    try:
        with app.app_context(), pytest.raises(WorkerKilled):
            jobs.REGISTRY["import_file"].call_local(batch_id, token)
    finally:
        app.config.pop("IMPORT_KILL_AFTER_CHUNK")
    batch, orgs, site = _state(app, batch_id)
    # as a killed worker leaves it: two chunks committed, the batch still "running"
    assert batch.status == "running" and batch.rows_done == 20
    assert orgs == 1 + 19 and site == "https://" + _site(3)
    return batch_id, token


def _assert_rolled_back_as_a_whole(app, batch_id: int) -> None:
    batch, orgs, site = _state(app, batch_id)
    assert batch.status == "failed" and batch.undone_at is not None
    assert "unterbrochen" in (batch.message or "") and "19 entfernt" in batch.message
    assert "1 wiederhergestellt" in batch.message
    assert (batch.created, batch.updated, batch.errors) == (0, 0, 0)
    assert orgs == 1 and site is None
    history = _history(app, batch.audit_batch)
    created = [i for action, i in history["import"] if action == AuditAction.CREATE]
    updated = [i for action, i in history["import"] if action == AuditAction.UPDATE]
    assert len(created) == 19 and len(updated) == 1
    # every record the import created was deleted, the updated one changed back, once each
    assert sorted(i for a, i in history["after"] if a == AuditAction.DELETE) == sorted(created)
    assert [i for a, i in history["after"] if a == AuditAction.UPDATE] == updated
    with app.app_context():
        assert beat.last(batch_id) is None


def _nothing_doubles_afterwards(app, client, batch_id: int, token: str) -> None:
    """The killed job run once more imports nothing; the same file imported again
    afterwards: every row once."""
    with app.app_context():
        assert jobs.REGISTRY["import_file"].call_local(batch_id, token) == "nichts zu tun"
    batch_id, token = _start_big_import(app, client)
    with app.app_context():
        assert jobs.REGISTRY["import_file"].call_local(batch_id, token) == "34 neu, 1 aktualisiert"
    batch, orgs, site = _state(app, batch_id)
    assert batch.status == "done" and (batch.created, batch.updated) == (34, 1)
    assert orgs == ROWS and site == "https://" + _site(3)
    with app.app_context():
        names = db.session.scalars(select(Organisation.name)).all()
        db.session.commit()
    assert len(names) == len(set(names)) == ROWS


def test_a_killed_import_is_rolled_back_when_its_job_runs_again(big_import, client, killed):
    app, (batch_id, token) = big_import, killed
    with app.app_context():
        result = jobs.REGISTRY["import_file"].call_local(batch_id, token)
    assert result == "unterbrochen, rückgängig gemacht"
    _assert_rolled_back_as_a_whole(app, batch_id)
    page = client.get(f"/imports/batches/{batch_id}").get_data(as_text=True)
    assert "Der Import wurde abgebrochen" in page and "rückgängig gemacht" in page
    assert '<meta http-equiv="refresh"' not in page
    _nothing_doubles_afterwards(app, client, batch_id, token)


def test_the_periodic_recovery_rolls_back_a_stale_import_only(big_import, client, killed):
    app, (batch_id, token) = big_import, killed
    recover = jobs.REGISTRY["recover_imports"]
    with app.app_context():
        # the last chunk was a moment ago: it may still be running
        assert recover.call_local() == "0 unterbrochene Importe rückgängig gemacht"
    assert _state(app, batch_id)[0].status == "running"
    with app.app_context():
        old = utcnow() - beat.STALE_AFTER - dt.timedelta(seconds=1)
        jobs.huey.put(beat.KEY.format(batch_id), old.isoformat())
        assert recover.call_local() == "1 unterbrochene Importe rückgängig gemacht"
        assert recover.call_local() == "0 unterbrochene Importe rückgängig gemacht"
    _assert_rolled_back_as_a_whole(app, batch_id)
    _nothing_doubles_afterwards(app, client, batch_id, token)


def test_a_run_thought_dead_cannot_write_after_the_rollback(big_import, killed):
    app, (batch_id, token) = big_import, killed
    with app.app_context():
        jobs.REGISTRY["import_file"].call_local(batch_id, token)
        claim = services._claim_chunk(batch_id)
        with pytest.raises(ImportInterrupted):
            claim(30)  # the next chunk of the old run: refused in its own transaction
    assert _state(app, batch_id)[0].rows_done == 20


def test_an_unexpected_error_in_the_middle_rolls_back_at_once(big_import, tmp_path):
    app = big_import
    path = tmp_path / "firmen.csv"
    path.write_bytes(_csv())

    def fail(number: int) -> None:
        if number == 3:
            raise RuntimeError("Verbindung verloren")

    with app.app_context():
        spec = prepare("organisations", path, path.name, mode="both")
        with pytest.raises(RuntimeError):
            run_import(spec, dry_run=False, after_chunk=fail)
        batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
        db.session.commit()
    batch, orgs, site = _state(app, batch_id)
    assert batch.status == "failed" and batch.undone_at is not None
    assert orgs == 1 and site is None
    assert count_rows(app, Organisation, Organisation.name.like("%GmbH")) == 1
