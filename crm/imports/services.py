"""The import: one service behind the wizard and the command line.

`run_import` reads a file row by row (streamed), matches each row to an existing record,
and either only reports what it would do (dry run: everything is written inside one
transaction that is rolled back, so the preview is exactly what the import will do) or
writes it, one transaction per chunk of rows: a row is written whole or not at all,
rows with errors are skipped and listed, and never stop the good ones.

Every record written carries the import's history batch key (AuditEntry.batch), which
is how `crm.imports.undo` takes the import back.

The parts: `crm.imports.spec` (what to import and how), `crm.imports.handler` and
`crm.imports.handlers` (matching and writing the rows of each kind),
`crm.imports.outcome` (what happened to each row). This module runs them and is the
entry point of the wizard, the command line and the background jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from itertools import islice
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from crm.db.audit import BATCH_KEY
from crm.db.engine import writing
from crm.extensions import db
from crm.formats import readers
from crm.imports import beat
from crm.imports.handlers import HANDLERS
from crm.imports.outcome import Outcome
from crm.imports.spec import ImportRefused
from crm.imports.spec import ImportSpec
from crm.imports.spec import check_spec
from crm.imports.spec import count_rows
from crm.imports.spec import inspect_file
from crm.imports.spec import prepare
from crm.imports.spec import read_headers
from crm.imports.spec import spec_from_state
from crm.imports.undo import roll_back_interrupted
from crm.models import ImportBatch

__all__ = [
    "ImportInterrupted",
    "ImportRefused",
    "ImportSpec",
    "Outcome",
    "count_rows",
    "inspect_file",
    "new_batch",
    "prepare",
    "read_headers",
    "run_import",
    "spec_from_state",
]


CHUNK = 500


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


def _values(columns: dict[int, str], cells: list[Any]) -> dict[str, Any]:
    return {name: cells[i] if i < len(cells) else None for i, name in columns.items()}


def new_batch(
    spec: ImportSpec, user: Any = None, *, status: str = "running", rows_total: int | None = None
) -> int:
    """Record an import about to run (its id is what undo and the progress page use)."""
    with writing():
        batch = ImportBatch(
            kind=spec.kind,
            mode=spec.mode,
            filename=spec.filename[:255],
            user_id=getattr(user, "id", None),
            user_label=getattr(user, "email", None),
            audit_batch="import-" + uuid.uuid4().hex[:24],
            error_rows=[],
            status=status,
            rows_total=rows_total,
        )
        db.session.add(batch)
        db.session.commit()
        return batch.id


class ImportInterrupted(ImportRefused):
    """The batch is no longer running (it was rolled back as interrupted): stop."""


def _claim_chunk(batch_id: int) -> Callable[[int], None]:
    """Inside each chunk's transaction: count its rows on the batch, but only while the
    batch is still "running" -- a batch rolled back as interrupted meanwhile refuses the
    chunk, so nothing is written after the rollback (the update waits for its row lock)."""

    def claim(rows: int) -> None:
        result = db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id, ImportBatch.status == "running")
            .values(rows_done=rows)
        )
        if not getattr(result, "rowcount", 0):
            db.session.rollback()
            raise ImportInterrupted(_("Der Import wurde inzwischen als unterbrochen beendet."))
        beat.record(batch_id)

    return claim


def run_import(
    spec: ImportSpec,
    *,
    dry_run: bool,
    user: Any = None,
    batch_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> Outcome:
    """Dry run or import of a file (see the module docstring). Returns the outcome; the
    batch (for undo) is recorded unless it is a dry run (`batch_id`: one recorded before,
    e.g. when the import runs as a background job). `after_chunk(n)` is called after the
    n-th chunk was committed (the tests stop an import there, as a killed worker would).

    An import that stops with an unexpected error is rolled back as a whole at once
    (`crm.imports.undo.roll_back_interrupted`); one that stops without running any code
    after it (a killed worker) stays "running" and is rolled back by the next run of its
    job or by the periodic `recover_imports`."""
    check_spec(spec)
    outcome = Outcome()
    if dry_run:
        _run(spec, outcome, "dry-run", dry_run=True, progress=progress)
        return outcome
    if batch_id is None:
        batch_id = new_batch(spec, user)
    outcome.batch_id = batch_id
    audit_key = db.session.scalar(select(ImportBatch.audit_batch).where(ImportBatch.id == batch_id))
    if audit_key is None:
        raise ImportRefused(_("Diesen Import gibt es nicht."))
    beat.record(batch_id)
    try:
        _run(
            spec,
            outcome,
            audit_key,
            dry_run=False,
            progress=_claim_chunk(batch_id),
            after_chunk=after_chunk,
        )
    except ImportInterrupted:
        raise  # rolled back by the recovery, which recorded why
    except ImportRefused as exc:
        _record_counts(outcome, str(exc))
        beat.forget(batch_id)
        raise
    except Exception:
        db.session.rollback()
        roll_back_interrupted(batch_id)
        raise
    _record_counts(outcome)
    beat.forget(batch_id)
    return outcome


def _run(
    spec: ImportSpec,
    outcome: Outcome,
    audit_key: str,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    after_chunk: Callable[[int], None] | None = None,
) -> None:
    # End the caller's (read) transaction, so that the import's begins as a write
    # transaction (on SQLite, a read transaction cannot safely turn into a writing one).
    db.session.commit()
    try:
        with writing():
            handler = HANDLERS[spec.kind](spec)
            rows = readers.data_rows(spec.path, spec.settings)
            for number, chunk in enumerate(_chunks(rows, CHUNK), start=1):
                db.session.info[BATCH_KEY] = audit_key
                with db.session.no_autoflush:  # one flush per chunk, not one per query
                    results = [handler.process(n, _values(spec.columns, c)) for n, c in chunk]
                try:
                    db.session.flush()
                except SQLAlchemyError as exc:
                    db.session.rollback()
                    raise ImportRefused(
                        _(
                            "Die Daten verletzen eine Regel der Datenbank; nichts aus diesem "
                            "Abschnitt (Zeilen %(first)s–%(last)s) wurde geschrieben.",
                            first=chunk[0][0],
                            last=chunk[-1][0],
                        )
                    ) from exc
                handler.settle()
                for result in results:
                    outcome.add(result)
                if progress is not None:  # a real import: in the chunk's transaction
                    progress(outcome.total)
                if not dry_run:
                    db.session.commit()
                if after_chunk is not None:
                    after_chunk(number)
            if dry_run:
                db.session.rollback()
    except readers.UnreadableFile as exc:
        db.session.rollback()
        raise ImportRefused(str(exc)) from exc


def _record_counts(outcome: Outcome, failure: str | None = None) -> None:
    with writing():
        batch = db.session.get(ImportBatch, outcome.batch_id)
        if batch is not None and batch.status == "running":
            batch.status = "failed" if failure else "done"
            batch.message = failure
            batch.rows_done = outcome.total
            batch.created = outcome.created
            batch.updated = outcome.updated
            batch.unchanged = outcome.unchanged + outcome.skipped + outcome.review
            batch.errors = outcome.error_count
            batch.error_rows = outcome.errors[:200]
            db.session.commit()
