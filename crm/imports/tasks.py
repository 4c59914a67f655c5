"""A big import runs as a background job; the result page shows its progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from crm.db.audit import set_actor
from crm.db.engine import writing
from crm.db.statistics import refresh_statistics
from crm.extensions import db
from crm.imports import storage
from crm.imports.services import ImportRefused
from crm.imports.services import run_import
from crm.imports.services import spec_from_state
from crm.imports.undo import recover_interrupted
from crm.imports.undo import roll_back_interrupted
from crm.jobs import crontab
from crm.jobs import job
from crm.jobs import periodic_job
from crm.models import ImportBatch
from crm.models import User

STATISTICS_AFTER_ROWS = 1000  # an import this large refreshes the planner's statistics


class WorkerKilled(BaseException):
    """Raised by the fault injection of the tests (IMPORT_KILL_AFTER_CHUNK) to stop an
    import as a killed worker would: no code of the import runs after it, no `except
    Exception` catches it."""


def _kill_switch() -> Callable[[int], None] | None:
    after = current_app.config.get("IMPORT_KILL_AFTER_CHUNK")
    if not after:
        return None

    def stop(number: int) -> None:
        if number >= int(after):
            raise WorkerKilled(f"nach Abschnitt {number}")

    return stop


@job()
def import_file(batch_id: int, token: str) -> str:
    """Import the uploaded file of `token` into the recorded batch `batch_id`.

    Run again after an interruption (a Huey retry, a retry from /admin/jobs), the job
    finds its batch still "running": it rolls the partial import back as a whole and
    marks it failed (see `crm.imports.undo.roll_back_interrupted` for why that, and not
    resuming, is what the chunking makes correct). It never imports the file twice."""
    db.session.commit()  # no read transaction left open: the writes below begin afresh
    with writing():
        batch = db.session.get(ImportBatch, batch_id)
        if batch is None or batch.status not in ("queued", "running"):
            return "nichts zu tun"
        if batch.status == "running":
            db.session.rollback()
            roll_back_interrupted(batch_id)
            storage.delete(token)
            return "unterbrochen, rückgängig gemacht"
        state = storage.load_state(token, batch.user_id)
        if state is None:
            batch.status, batch.message = "failed", _("Die hochgeladene Datei ist nicht mehr da.")
            db.session.commit()
            return "Datei fehlt"
        user = db.session.get(User, batch.user_id) if batch.user_id else None
        set_actor(db.session, user)
        batch.status = "running"
        db.session.commit()
    spec = spec_from_state(state, storage.data_path(token, state))
    try:
        outcome = run_import(
            spec, dry_run=False, user=user, batch_id=batch_id, after_chunk=_kill_switch()
        )
    except ImportRefused as exc:
        storage.delete(token)
        return str(exc)
    except Exception:
        storage.delete(token)  # rolled back by run_import: the upload is of no more use
        raise
    storage.delete(token)
    if outcome.created + outcome.updated >= STATISTICS_AFTER_ROWS:
        refresh_statistics()  # a bulk load: the planner learns of the new rows now
    return f"{outcome.created} neu, {outcome.updated} aktualisiert"


@periodic_job(crontab(minute="*/5"))
def recover_imports() -> str:
    """Roll back imports left "running" by a killed worker (no sign of life for 15 min)."""
    recovered = recover_interrupted()
    return f"{len(recovered)} unterbrochene Importe rückgängig gemacht"


def preview_key(state: dict[str, Any]) -> str:
    """What a dry run depends on: reading, mapping, mode (a changed one is stale)."""
    return json.dumps([state.get("settings"), state.get("columns"), state.get("mode")])


@job()
def preview_file(token: str, user_id: int) -> str:
    """The dry run of a big upload; its outcome and progress are kept with the upload."""
    state = storage.load_state(token, user_id)
    if state is None:
        return "Datei fehlt"
    key = preview_key(state)
    spec = spec_from_state(state, storage.data_path(token, state))

    def report(rows: int) -> None:
        current = storage.load_state(token, user_id)
        if current is not None and preview_key(current) == key:
            current["preview_progress"] = rows
            storage.save_state(token, current)

    try:
        outcome = run_import(spec, dry_run=True, progress=report)
        result: dict[str, Any] = {"key": key, "outcome": outcome.to_dict()}
    except ImportRefused as exc:
        result = {"key": key, "error": str(exc)}
    current = storage.load_state(token, user_id)
    if current is None or preview_key(current) != key:
        return "inzwischen geändert"
    current["preview"] = result
    storage.save_state(token, current)
    return "fertig"
