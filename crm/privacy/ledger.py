"""The erasure ledger (Art. 17): the erasures, in a file that outlives the database.

Every erasure is logged in the table `erasure_log`; but a backup taken before it still
holds the erased person, and restoring it would bring the person back. So each erasure is
also written to `erasure-ledger.jsonl` in the backup folder, beside the archives: one JSON
object per line with `at` (ISO time, UTC), `record_type`, `record_id`, `reason`,
`user_label` and `summary` (counts), the same facts as the log and no personal value.
`sync_ledger()` appends what the log has and the file lacks (after every erasure, by
`after_erasure`); `flask --app crm restore ARCHIVE` reads the ledger beside the archive
before restoring and afterwards erases again what the restored log does not know
(`crm.privacy.reapply`). Copy the ledger together with the archives.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crm.db.backup import configured_backup_folder
from crm.extensions import db
from crm.models.audit import ErasureLog

LEDGER_NAME = "erasure-ledger.jsonl"

log = logging.getLogger(__name__)


def _utc(at: dt.datetime) -> dt.datetime:
    """`at` as an aware UTC time to the second (SQLite hands times back without zone)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class LedgerEntry:
    """One erasure as the ledger keeps it."""

    at: dt.datetime
    record_type: str
    record_id: int
    reason: str
    user_label: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, dt.datetime]:
        """The same erasure in the log and in the ledger: which record, when (to the second)."""
        return (self.record_type, self.record_id, _utc(self.at))

    @classmethod
    def of(cls, row: ErasureLog) -> LedgerEntry:
        return cls(
            at=_utc(row.at),
            record_type=row.record_type,
            record_id=row.record_id,
            reason=row.reason,
            user_label=row.user_label,
            summary=dict(row.summary or {}),
        )

    def line(self) -> str:
        data = {
            "at": self.at.isoformat(),
            "record_type": self.record_type,
            "record_id": self.record_id,
            "reason": self.reason,
            "user_label": self.user_label,
            "summary": self.summary,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def parse(cls, line: str) -> LedgerEntry:
        data = json.loads(line)
        return cls(
            at=_utc(dt.datetime.fromisoformat(data["at"])),
            record_type=str(data["record_type"]),
            record_id=int(data["record_id"]),
            reason=str(data.get("reason") or ""),
            user_label=data.get("user_label"),
            summary=dict(data.get("summary") or {}),
        )


def ledger_path(folder: Path | None = None) -> Path:
    """The ledger in `folder`, by default in the configured backup folder."""
    return (folder or configured_backup_folder()) / LEDGER_NAME


def read_ledger(path: Path) -> list[LedgerEntry]:
    """The entries of the ledger at `path` (none when there is no such file). A line that
    cannot be read is reported in the log and left out."""
    if not path.is_file():
        return []
    entries: list[LedgerEntry] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(LedgerEntry.parse(line))
        except (ValueError, KeyError, TypeError):
            log.warning("erasure ledger %s: line %s cannot be read", path, number)
    return entries


def logged_erasures() -> list[LedgerEntry]:
    """The erasures in the database's `erasure_log`, oldest first."""
    rows = db.session.scalars(select(ErasureLog).order_by(ErasureLog.at, ErasureLog.id))
    return [LedgerEntry.of(row) for row in rows]


def sync_ledger(path: Path | None = None) -> int:
    """Append to the ledger every logged erasure it lacks; how many. A ledger that cannot
    be written is reported in the log (the next erasure tries again), never raised."""
    path = path or ledger_path()
    try:
        known = {entry.key for entry in read_ledger(path)}
        missing = [entry for entry in logged_erasures() if entry.key not in known]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.writelines(entry.line() + "\n" for entry in missing)
    except OSError:
        log.exception("erasure ledger %s cannot be written", path)
        return 0
    return len(missing)
