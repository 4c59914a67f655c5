"""After a restore: erase again what was erased after the backup was taken.

The restore command calls `restore_hook(archive)` before it restores (it reads the
erasure ledger beside the archive, `crm.privacy.ledger`) and the step it returns after
the restore: every erasure in the ledger that the restored `erasure_log` does not know is
applied again, and logged with its original time, reason and person (the ledger survives).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete

from crm.db.engine import writing
from crm.extensions import db
from crm.models.audit import ErasureLog
from crm.privacy.common import PrivacyError
from crm.privacy.erasure import after_erasure
from crm.privacy.erasure import erase_persons
from crm.privacy.ledger import LEDGER_NAME
from crm.privacy.ledger import LedgerEntry
from crm.privacy.ledger import logged_erasures
from crm.privacy.ledger import read_ledger


def reapply_erasures(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Erase again each erasure of `entries` that the database's log lacks, oldest first,
    and log it as it was; commits. Returns the entries applied again."""
    known = {entry.key for entry in logged_erasures()}
    todo = sorted((e for e in entries if e.key not in known), key=lambda e: e.at)
    if not todo:
        return []
    with writing():
        for entry in todo:
            if entry.record_type == "persons":
                try:
                    result = erase_persons([entry.record_id], entry.reason)
                except PrivacyError:
                    pass  # nothing of the person in the backup
                else:  # logged below as it was, not as a new erasure
                    db.session.execute(delete(ErasureLog).where(ErasureLog.id.in_(result.log_ids)))
            db.session.add(
                ErasureLog(
                    at=entry.at,
                    user_label=entry.user_label,
                    record_type=entry.record_type,
                    record_id=entry.record_id,
                    reason=entry.reason,
                    summary=entry.summary,
                )
            )
        db.session.commit()
    after_erasure()
    return todo


def restore_hook(archive: Path) -> Callable[[], str | None]:
    """Read the ledger beside `archive` now (before the restore); the returned step
    re-applies it after the restore and says what it did (None: nothing to do)."""
    entries = read_ledger(archive.parent / LEDGER_NAME)

    def after_restore() -> str | None:
        done = reapply_erasures(entries)
        if not done:
            return None
        ids = ", ".join(f"#{e.record_id}" for e in done)
        return (
            f"Nach der Sicherung gelöscht und erneut gelöscht (Löschprotokoll {LEDGER_NAME}): "
            f"{len(done)} Datensätze ({ids})."
        )

    return after_restore
