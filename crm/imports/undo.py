"""Taking an import back: "Import rückgängig machen".

Created records are removed and updated ones get their previous values, read from the
history entries the import wrote (they share its batch key). A record changed by anyone
after the import is left alone, and the undo says which and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from crm import permissions
from crm.db.engine import writing
from crm.directory import details as directory_details
from crm.directory import services as directory_services
from crm.extensions import db
from crm.history import fields as f
from crm.imports import beat
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import ImportBatch
from crm.models.base import utcnow


class UndoRefused(Exception):
    """The batch cannot be undone (already undone)."""


@dataclass
class UndoReport:
    """What the undo did and which records it left alone (with the reason)."""

    removed: int = 0
    restored: int = 0
    left_alone: list[dict[str, Any]] = field(default_factory=list)


def _label(record: Any) -> str:
    for attr in ("name", "title"):
        if getattr(record, attr, None):
            return str(getattr(record, attr))
    if hasattr(record, "last_name"):
        return f"{record.first_name} {record.last_name}".strip()
    return f"#{record.id}"


def _changed_later(entry: AuditEntry, key: str, last_id: int) -> bool:
    later = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.record_type == entry.record_type,
            AuditEntry.record_id == entry.record_id,
            AuditEntry.id > last_id,
            (AuditEntry.batch.is_(None)) | (AuditEntry.batch != key),
        )
    )
    return bool(later)


def _restore(record: Any, changes: dict[str, Any]) -> None:
    model = type(record)
    for key, (old, _new) in changes.items():
        if key in f.COLLECTIONS:
            db.session.refresh(record, attribute_names=[key])
            ref_model, column = f.REFERENCE_MODELS[f.COLLECTIONS[key]]
            items = list(db.session.scalars(select(ref_model).where(column.in_(old or []))))
            setattr(record, key, items)
        elif key in model.__table__.columns:
            setattr(record, key, f.to_python(model, key, old))


def undo_batch(batch: ImportBatch) -> UndoReport:
    """Undo an import in one transaction (the caller commits)."""
    if batch.undone_at is not None:
        raise UndoRefused(_("Dieser Import wurde bereits rückgängig gemacht."))
    key = batch.audit_batch
    entries = list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.batch == key).order_by(AuditEntry.id.desc())
        )
    )
    report = UndoReport()
    last_of: dict[tuple[str, int], int] = {}
    for entry in entries:
        last_of.setdefault((entry.record_type, entry.record_id), entry.id)
    done: set[tuple[str, int]] = set()
    left: set[tuple[str, int]] = set()
    for entry in entries:
        ident = (entry.record_type, entry.record_id)
        model = f.ALL_MODELS.get(entry.record_type)
        if model is None:
            continue
        record = db.session.get(model, entry.record_id)
        if record is None:
            continue
        if ident in left:
            continue
        reason = None
        if ident not in done and _changed_later(entry, key, last_of[ident]):
            reason = _("nach dem Import geändert")
        elif ident not in done and permissions.person_locked(record):  # Art. 18 GDPR
            reason = _("Verarbeitung eingeschränkt")
        if reason is not None:
            left.add(ident)
            report.left_alone.append(
                {
                    "record_type": entry.record_type,
                    "record_id": entry.record_id,
                    "label": _label(record),
                    "reason": reason,
                }
            )
            continue
        if entry.action is AuditAction.CREATE:
            kind = f.KIND_OF_TABLE.get(entry.record_type)
            if kind is not None:
                db.session.flush()
                impact = directory_details.delete_impact(kind, record.id)
                if impact.blocked or any(n for _k, n in impact.items):
                    left.add(ident)
                    report.left_alone.append(
                        {
                            "record_type": entry.record_type,
                            "record_id": entry.record_id,
                            "label": _label(record),
                            "reason": _("hat inzwischen weitere Verknüpfungen"),
                        }
                    )
                    continue
                directory_services.delete(kind, record)
            else:
                db.session.delete(record)
            db.session.flush()
            report.removed += 1
        elif entry.action is AuditAction.UPDATE:
            _restore(record, entry.changes or {})
            report.restored += 1
        done.add(ident)
    batch.undone_at = utcnow()
    batch.undo_report = report.left_alone
    return report


def undo(batch_id: int, user: Any = None) -> UndoReport:
    """Load the batch, undo it and commit; UndoRefused when there is none or it is done."""
    with writing():
        batch = db.session.get(ImportBatch, batch_id)
        if batch is None:
            raise UndoRefused(_("Diesen Import gibt es nicht."))
        try:
            report = undo_batch(batch)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
    return report


def roll_back_interrupted(batch_id: int, *, only_stale: bool = False) -> UndoReport | None:
    """Take back an import that was interrupted (its worker killed, an unexpected error),
    as a whole, and mark it failed. None when the batch is not running (any more), or,
    with `only_stale`, when it still shows signs of life (`crm.imports.beat`).

    Why roll back rather than resume: the rows of a chunk and their history entries are
    committed in one transaction, every one with the batch's key, so the entries with that
    key are exactly what the committed chunks wrote, and `undo_batch` takes back exactly
    that. Resuming would need more than the chunking keeps: the counts and error rows of
    the committed chunks live in memory until the end, and so does the handler's memory of
    the file (a later row refers to a record an earlier row created, by placeholder), so a
    resumed run would count wrong and could match differently from an uninterrupted one.

    The batch row is locked first; a chunk still being written by a run thought dead waits
    for that lock and is then refused (`services._claim_chunk`), so nothing is written
    after the rollback."""
    with writing():
        batch = db.session.get(ImportBatch, batch_id, with_for_update=True)
        if batch is None or batch.status != "running" or batch.undone_at is not None:
            db.session.rollback()
            return None
        if only_stale and not beat.stale(batch_id):
            db.session.rollback()
            return None
        try:
            report = undo_batch(batch)
        except Exception:
            db.session.rollback()
            raise
        batch.status = "failed"
        batch.created = batch.updated = batch.unchanged = batch.errors = 0
        batch.message = _(
            "Der Import wurde unterbrochen (der Hintergrunddienst wurde beendet oder ein "
            "Fehler trat auf) und als Ganzes rückgängig gemacht: %(removed)s entfernt, "
            "%(restored)s wiederhergestellt. Bitte die Datei erneut importieren.",
            removed=report.removed,
            restored=report.restored,
        )
        db.session.commit()
    beat.forget(batch_id)
    return report


def recover_interrupted() -> list[int]:
    """Roll back every running import without signs of life; returns their ids."""
    running = list(
        db.session.scalars(select(ImportBatch.id).where(ImportBatch.status == "running"))
    )
    db.session.rollback()
    return [i for i in running if roll_back_interrupted(i, only_stale=True) is not None]
