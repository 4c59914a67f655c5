"""A big import runs as a background job; the result page shows its progress."""

from __future__ import annotations

from crm.audit import set_actor
from crm.database import writing
from crm.extensions import db
from crm.imports import storage
from crm.imports.services import ImportRefused, run_import, spec_from_state
from crm.jobs import job
from crm.models import ImportBatch, User


@job()
def import_file(batch_id: int, token: str) -> str:
    """Import the uploaded file of `token` into the recorded batch `batch_id`."""
    db.session.commit()  # no read transaction left open: the writes below begin afresh
    with writing():
        batch = db.session.get(ImportBatch, batch_id)
        if batch is None or batch.status not in ("queued", "running"):
            return "nichts zu tun"
        state = storage.load_state(token, batch.user_id)
        if state is None:
            batch.status, batch.message = "failed", "Die hochgeladene Datei ist nicht mehr da."
            db.session.commit()
            return "Datei fehlt"
        user = db.session.get(User, batch.user_id) if batch.user_id else None
        set_actor(db.session, user)
        batch.status = "running"
        db.session.commit()
    spec = spec_from_state(state, storage.data_path(token, state))
    try:
        outcome = run_import(spec, dry_run=False, user=user, batch_id=batch_id)
    except ImportRefused as exc:
        return str(exc)
    finally:
        storage.delete(token)
    return f"{outcome.created} neu, {outcome.updated} aktualisiert"
