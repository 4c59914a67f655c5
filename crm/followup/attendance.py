"""Attendance from a meeting tool's report (Zoom, BigBlueButton, Jitsi, …), matched by e-mail.

The report is read with the import's readers (CSV in any of the office encodings and
delimiters, XLSX, ODS). Its e-mail column is found by its header ("E-Mail",
"User Email", "Teilnehmer-E-Mail", …), else as the column whose cells are mostly
addresses; the header row may come after a block of meeting details (Zoom). Addresses
are compared case-insensitively. Applying a report marks the matched registrations as
attended (status "attended" and `checked_in_at`, the same as the check-in, so the
event page and the dashboard count them) and keeps what they were before, so the
whole import can be undone.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import IO
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.formats.readers import HEADER_SEARCH_ROWS
from crm.formats.readers import UnreadableFile
from crm.formats.readers import cell_text
from crm.formats.readers import detect
from crm.formats.readers import raw_rows
from crm.jobs.files import instance_folder
from crm.models import AttendanceImport
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models.base import utcnow

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_HEADER_WORDS = ("email", "mail", "courriel", "correo")
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".ods")
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|txt|tsv|xlsx|ods)$")
MAX_ROWS = 20_000
MAX_AGE_SECONDS = 24 * 3600
#: Statuses the import marks as attended.
MARKABLE = (RegistrationStatus.REGISTERED, RegistrationStatus.NO_SHOW)


class ReportError(ValueError):
    """A report we cannot use; the message is for the person who uploaded it."""


def _folded(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def is_email_header(text: str) -> bool:
    """Does a header cell name an e-mail column ("E-Mail", "User Email", "Courriel")?"""
    folded = _folded(text)
    return any(word in folded for word in _HEADER_WORDS)


def address(cell: Any) -> str | None:
    """A cell as a lower-case e-mail address, or None when it is none."""
    text = cell_text(cell).strip().strip("<>").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    return text if _ADDRESS.match(text) else None


def folder() -> Path:
    """Where uploaded reports wait between preview and "Übernehmen"."""
    return instance_folder("attendance")


def prune(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove reports uploaded but never taken over (older than `max_age` seconds)."""
    removed = 0
    now = time.time()
    for path in folder().iterdir():
        if UPLOAD_NAME.match(path.name) and now - path.stat().st_mtime > max_age:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def save_upload(stream: IO[bytes], filename: str) -> str:
    """Keep an uploaded report under a random name (reports left behind for a day are
    removed); returns that name."""
    prune()
    suffix = Path(filename).suffix.lower()
    name = secrets.token_hex(16) + (suffix if suffix in SUFFIXES else ".csv")
    (folder() / name).write_bytes(stream.read())
    return name


def upload_path(name: str | None) -> Path | None:
    """The stored report of `name` (None: wrong shape or gone)."""
    if not name or not UPLOAD_NAME.match(name):
        return None
    path = folder() / name
    return path if path.is_file() else None


def remove_upload(name: str | None) -> None:
    """Delete a stored report."""
    path = upload_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def _addresses_below(rows: list[list[Any]], start: int, column: int) -> int:
    return sum(1 for row in rows[start + 1 :] if column < len(row) and address(row[column]))


def find_email_column(rows: list[list[Any]]) -> tuple[int, int] | None:
    """(header row index, column index) of the e-mail addresses, or None.

    Among the first rows, every cell naming an e-mail column is a candidate; the one with
    the most addresses below it wins (a Zoom report has a block of meeting details with
    the host's address above the participants' header). Without such a header: the
    column that holds addresses in most of its filled rows, under the first row."""
    best: tuple[int, int, int] | None = None  # (addresses, row, column)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for column, cell in enumerate(row):
            if is_email_header(cell_text(cell)):
                found = (_addresses_below(rows, index, column), index, column)
                if best is None or found[0] > best[0]:
                    best = found
    if best is not None and best[0] > 0:
        return best[1], best[2]
    width = max((len(r) for r in rows), default=0)
    filled = [r for r in rows[1:] if any(cell_text(c) for c in r)]
    for column in range(width):
        hits = _addresses_below(rows, 0, column)
        if hits and hits * 2 >= len(filled):
            return 0, column
    return (best[1], best[2]) if best is not None else None


@dataclass
class Report:
    """The addresses of a report (lower case, each once) and its rows without one."""

    emails: list[str] = field(default_factory=list)
    without_address: list[int] = field(default_factory=list)  # row numbers
    column: str = ""


def read_report(path: Path, filename: str) -> Report:
    """The e-mail addresses of an attendance report; ReportError when it has none."""
    rows: list[list[Any]] = []
    try:
        settings = detect(path, filename)
        for _number, row in raw_rows(path, settings):
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ReportError(_("Der Bericht hat zu viele Zeilen."))
    except UnreadableFile as exc:
        raise ReportError(str(exc)) from exc
    except ReportError:
        raise
    except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
        raise ReportError(_("Die Datei lässt sich nicht als Tabelle lesen.")) from exc
    found = find_email_column(rows)
    if found is None:
        raise ReportError(
            _("Im Bericht wurde keine Spalte mit E-Mail-Adressen gefunden (z. B. „E-Mail“).")
        )
    header_index, column = found
    header = rows[header_index]
    report = Report(column=cell_text(header[column]) if column < len(header) else "")
    seen: set[str] = set()
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(cell_text(c) for c in row):
            continue
        email = address(row[column]) if column < len(row) else None
        if email is None:
            report.without_address.append(number)
        elif email not in seen:
            seen.add(email)
            report.emails.append(email)
    if not report.emails:
        raise ReportError(_("Der Bericht enthält keine E-Mail-Adressen."))
    return report


@dataclass
class Preview:
    """What applying a report would do."""

    to_mark: list[tuple[Registration, Person]] = field(default_factory=list)
    already: list[tuple[Registration, Person]] = field(default_factory=list)
    not_seated: list[tuple[Registration, Person]] = field(default_factory=list)  # cancelled…
    unmatched: list[str] = field(default_factory=list)


def preview(event_id: int, report: Report) -> Preview:
    """Match the report's addresses to the event's registrations (case-insensitive)."""
    rows = db.session.execute(
        select(Registration, Person)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event_id, Person.email.is_not(None))
        .order_by(Registration.id)
    )
    by_email = {str(p.email).strip().lower(): (r, p) for r, p in rows}
    result = Preview()
    for email in report.emails:
        match = by_email.get(email)
        if match is None:
            result.unmatched.append(email)
        elif match[0].status is RegistrationStatus.ATTENDED:
            result.already.append(match)
        elif match[0].status in MARKABLE:
            result.to_mark.append(match)
        else:
            result.not_seated.append(match)
    return result


def apply(event_id: int, found: Preview, filename: str, user_id: int | None) -> AttendanceImport:
    """Mark the matched registrations attended, remembering their state (caller commits)."""
    now = utcnow()
    changes = []
    for registration, _person in found.to_mark:
        if registration.status not in MARKABLE:
            continue
        changes.append(
            {
                "id": registration.id,
                "status": registration.status.value,
                "checked_in_at": registration.checked_in_at.isoformat()
                if registration.checked_in_at
                else None,
            }
        )
        registration.status = RegistrationStatus.ATTENDED
        registration.checked_in_at = now
    batch = AttendanceImport(
        event_id=event_id,
        user_id=user_id,
        filename=filename[:200],
        marked_at=now,
        changes=changes,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def imports(event_id: int) -> list[AttendanceImport]:
    """The event's attendance imports, newest first."""
    return list(
        db.session.scalars(
            select(AttendanceImport)
            .where(AttendanceImport.event_id == event_id)
            .order_by(AttendanceImport.id.desc())
        )
    )


def undo(batch: AttendanceImport) -> int:
    """Put the registrations of an import back as they were (those not changed since);
    returns how many. The caller commits."""
    if batch.undone_at is not None:
        return 0
    restored = 0
    for change in batch.changes:
        registration = db.session.get(Registration, int(change["id"]))
        if registration is None or registration.status is not RegistrationStatus.ATTENDED:
            continue
        if registration.checked_in_at != batch.marked_at:
            continue  # checked in again since (by hand or another import): keep that
        registration.status = RegistrationStatus(change["status"])
        before = change.get("checked_in_at")
        registration.checked_in_at = None if before is None else dt.datetime.fromisoformat(before)
        restored += 1
    batch.undone_at = utcnow()
    return restored
