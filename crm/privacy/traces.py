"""The traces a person leaves outside their own rows, and how an erasure removes them:
their values in the history, in free text, in outbox mails, in other stores and in
uploaded files; registrations turned into anonymous ones.
"""

from __future__ import annotations

import re
import secrets
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from crm.db.audit import ACTOR_KEY
from crm.events.services import hash_token
from crm.extensions import db
from crm.models import AssignmentDraft
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Feedback
from crm.models import Interaction
from crm.models import InvitationRecipient
from crm.models import Meeting
from crm.models import MeetingRequest
from crm.models import MeetingWish
from crm.models import OutboxMail
from crm.models import Person
from crm.models import Registration
from crm.models import User
from crm.models.activity import interaction_persons
from crm.models.base import Base
from crm.models.base import utcnow
from crm.models.duplicates import DuplicateDismissal
from crm.models.duplicates import RecordMerge
from crm.models.imports import ImportBatch
from crm.models.search import SearchKind
from crm.privacy.common import ERASED_KEY
from crm.privacy.common import MARKER
from crm.search.schema import fts_table

ERASED_ACCOUNT_LABEL = "[gelöschtes Konto]"
# link tables whose audit entries name the person by `person_id`
PERSON_LINK_TABLES = ("affiliations", "initiative_roles", "consents", "registrations")
SCAN_CHUNK = 500
# free text elsewhere that may name a person: their full name, e-mail and phone become the
# marker (names of records, which may contain a surname, are left alone)
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "events": ("description",),
    "workshops": ("description",),
    "initiatives": ("description", "goals"),
    "relationships": ("note",),
    "job_runs": ("error",),
    "meeting_requests": ("message",),  # the short message of a request to meet (#25)
}


@dataclass
class PersonalValues:
    """The personal values of the persons to erase, as patterns for free text."""

    strong: list[str]  # replaced everywhere (full names, e-mail, phone, notes)
    weak: dict[int, list[str]]  # per person: first and last name, only in their own texts

    def _pattern(self, values: Iterable[str]) -> re.Pattern[str] | None:
        parts = sorted({v for v in values if v}, key=len, reverse=True)
        if not parts:
            return None
        return re.compile(
            "|".join(r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in parts), re.IGNORECASE
        )

    def strong_pattern(self) -> re.Pattern[str] | None:
        return self._pattern(self.strong)

    def all_pattern(self, person_ids: Iterable[int]) -> re.Pattern[str] | None:
        weak = [w for pid in person_ids for w in self.weak.get(pid, [])]
        return self._pattern([*self.strong, *weak])


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def personal_values(persons: list[Person], accounts: list[User]) -> PersonalValues:
    strong: list[str] = []
    weak: dict[int, list[str]] = {}
    for p in persons:
        first, last = _clean(p.first_name), _clean(p.last_name)
        for variant in (
            f"{first} {last}",
            f"{last}, {first}",
            f"{last} {first}",
            _clean(p.full_name),
            _clean(p.email),
            _clean(p.phone),
            _clean(p.notes) if len(_clean(p.notes)) >= 12 else "",
        ):
            if len(variant) >= 5 and variant not in strong:
                strong.append(variant)
        weak[p.id] = [v for v in (first, last, _clean(p.title)) if len(v) >= 3]
    strong.extend(a.email for a in accounts if a.email not in strong)
    return PersonalValues(strong=strong, weak=weak)


def scrub(value: Any, pattern: re.Pattern[str] | None) -> tuple[Any, bool]:
    """`value` (text or JSON) with every match of `pattern` replaced by the marker."""
    if pattern is None:
        return value, False
    if isinstance(value, str):
        new = pattern.sub(MARKER, value)
        return new, new != value
    if isinstance(value, list):
        changed = False
        out_list = []
        for item in value:
            new_item, c = scrub(item, pattern)
            out_list.append(new_item)
            changed = changed or c
        return out_list, changed
    if isinstance(value, dict):
        changed = False
        out_dict = {}
        for key, item in value.items():
            new_item, c = scrub(item, pattern)
            out_dict[key] = new_item
            changed = changed or c
        return out_dict, changed
    return value, False


def erase_other_stores(
    conn: Connection, ids: list[int], history_ids: list[int], values: PersonalValues
) -> None:
    """Merge records and dismissed duplicate pairs of the persons go; import reports and
    other merges lose the persons' values (replaced by the marker)."""
    conn.execute(
        delete(RecordMerge).where(
            RecordMerge.kind == "person",
            or_(RecordMerge.kept_id.in_(history_ids), RecordMerge.removed_id.in_(history_ids)),
        )
    )
    conn.execute(
        delete(DuplicateDismissal).where(
            DuplicateDismissal.kind == "person",
            or_(DuplicateDismissal.a_id.in_(ids), DuplicateDismissal.b_id.in_(ids)),
        )
    )
    strong = values.strong_pattern()
    if strong is None:
        return
    for table_name, columns in FREE_TEXT.items():
        table = Base.metadata.tables[table_name]
        cols = [table.c[name] for name in columns]
        for row in conn.execute(
            select(table.c.id, *cols).where(_like_any(cols, values.strong))
        ).all():
            new = {}
            for name in columns:
                text_value, changed = scrub(row._mapping[name], strong)
                if changed:
                    new[name] = text_value
            if new:
                conn.execute(update(table).where(table.c.id == row.id).values(**new))
    merges: Table = RecordMerge.__table__  # type: ignore[assignment]
    for row in conn.execute(select(merges.c.id, merges.c.removed_name, merges.c.saved)).all():
        name, c1 = scrub(row.removed_name, strong)
        saved, c2 = scrub(row.saved, strong)
        if c1 or c2:
            conn.execute(
                update(merges).where(merges.c.id == row.id).values(removed_name=name, saved=saved)
            )
    batches: Table = ImportBatch.__table__  # type: ignore[assignment]
    for batch in conn.execute(
        select(batches.c.id, batches.c.error_rows, batches.c.message, batches.c.filename)
    ).all():
        errors, c1 = scrub(batch.error_rows, strong)
        message, c2 = scrub(batch.message, strong)
        filename, c3 = scrub(batch.filename, strong)
        if c1 or c2 or c3:
            conn.execute(
                update(batches)
                .where(batches.c.id == batch.id)
                .values(error_rows=errors, message=message, filename=filename)
            )


def _upload_roots() -> list[Path]:
    """Where uploaded files other than logos live: import uploads in the instance folder."""
    return [Path(current_app.instance_path) / "imports"]


def erase_files(values: PersonalValues) -> int:
    """Remove uploaded working files (pending imports) that hold a person's values; each
    upload's folder goes as a whole. Logos (organisations, initiatives) hold no persons."""
    needles = [v.lower().encode() for v in values.strong]
    if not needles:
        return 0
    removed = 0
    for root in _upload_roots():
        if not root.is_dir():
            continue
        for folder in [p for p in root.iterdir() if p.is_dir()]:
            hit = False
            for file in folder.rglob("*"):
                if file.is_file() and any(n in file.read_bytes().lower() for n in needles):
                    hit = True
                    break
            if hit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def _wiped_changes(changes: Any, note: str) -> dict[str, Any]:
    keep: dict[str, Any] = {}
    if isinstance(changes, dict):  # keep the ids of the links (no personal values)
        for key in ("person_id", "event_id", "organisation_id", "initiative_id"):
            pair = changes.get(key)
            if isinstance(pair, list) and all(v is None or isinstance(v, int) for v in pair):
                keep[key] = pair
    return keep | {ERASED_KEY: [note, note]}


def _entry_names_person(changes: Any, ids: set[int]) -> bool:
    pair = changes.get("person_id") if isinstance(changes, dict) else None
    return isinstance(pair, list) and any(v in ids for v in pair if isinstance(v, int))


def scrub_history(
    conn: Connection,
    ids: list[int],
    link_ids: dict[str, list[int]],
    account_ids: list[int],
    own_interactions: set[int],
    values: PersonalValues,
    note: str,
) -> tuple[int, int]:
    table: Table = AuditEntry.__table__  # type: ignore[assignment]
    id_set = set(ids)
    own = {("persons", i) for i in ids} | {("users", i) for i in account_ids}
    for record_type, record_ids in link_ids.items():
        own |= {(record_type, i) for i in record_ids}
    strong = values.strong_pattern()
    every = values.all_pattern(ids)
    labels = {v.lower() for v in values.strong}
    wiped = scrubbed = 0
    last_id = 0
    while True:
        rows = conn.execute(
            select(
                table.c.id,
                table.c.record_type,
                table.c.record_id,
                table.c.changes,
                table.c.user_id,
                table.c.user_label,
                table.c.reverted_by_label,
            )
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(SCAN_CHUNK)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        for row in rows:
            new: dict[str, Any] = {}
            about_them = (row.record_type, row.record_id) in own or (
                row.record_type in PERSON_LINK_TABLES and _entry_names_person(row.changes, id_set)
            )
            if about_them:
                if not (isinstance(row.changes, dict) and ERASED_KEY in row.changes):
                    new["changes"] = _wiped_changes(row.changes, note)
                    wiped += 1
            else:
                own_text = row.record_type == "interactions" and row.record_id in own_interactions
                changes, changed = scrub(row.changes, every if own_text else strong)
                if changed:
                    new["changes"] = changes
                    scrubbed += 1
            if row.user_id in account_ids or (row.user_label or "").lower() in labels:
                new["user_label"] = ERASED_ACCOUNT_LABEL
            if (row.reverted_by_label or "").lower() in labels:
                new["reverted_by_label"] = ERASED_ACCOUNT_LABEL
            if new:
                conn.execute(update(table).where(table.c.id == row.id).values(**new))
    return wiped, scrubbed


def _like_any(columns: list[Any], values: Iterable[str]) -> Any:
    return or_(*(c.ilike(f"%{v}%") for c in columns for v in values))


def scrub_interactions(
    conn: Connection, ids: list[int], own: set[int], values: PersonalValues
) -> int:
    table: Table = Interaction.__table__  # type: ignore[assignment]
    strong = values.strong_pattern()
    needles = values.strong + [w for pid in ids for w in values.weak.get(pid, [])]
    if not needles:
        return 0
    candidates = conn.execute(
        select(table.c.id, table.c.subject, table.c.notes).where(
            or_(
                table.c.id.in_(own) if own else False,
                _like_any([table.c.subject, table.c.notes], needles),
            )
        )
    ).all()
    # the persons linked to each interaction: weak values (single names) only in their own
    linked: dict[int, set[int]] = {}
    if candidates:
        for iid, pid in conn.execute(
            select(interaction_persons.c.interaction_id, interaction_persons.c.person_id).where(
                interaction_persons.c.interaction_id.in_([c.id for c in candidates]),
                interaction_persons.c.person_id.in_(ids),
            )
        ):
            linked.setdefault(iid, set()).add(pid)
    count = 0
    for row in candidates:
        pattern = values.all_pattern(linked[row.id]) if row.id in linked else strong
        subject, c1 = scrub(row.subject, pattern)
        notes, c2 = scrub(row.notes, pattern)
        if c1 or c2:
            conn.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(subject=subject[:200], notes=notes, updated_at=utcnow())
            )
            count += 1
    return count


def erase_mails(conn: Connection, emails: list[str], values: PersonalValues) -> int:
    table: Table = OutboxMail.__table__  # type: ignore[assignment]
    deleted = 0
    if emails:
        deleted = conn.execute(
            delete(table).where(func.lower(table.c.to_address).in_([e.lower() for e in emails]))
        ).rowcount
    strong = values.strong_pattern()
    if strong is None:
        return deleted
    for row in conn.execute(
        select(table.c.id, table.c.subject, table.c.body, table.c.ics).where(
            _like_any([table.c.subject, table.c.body, table.c.ics], values.strong)
        )
    ).all():
        subject, _c1 = scrub(row.subject, strong)
        body, _c2 = scrub(row.body, strong)
        ics, _c3 = scrub(row.ics, strong)
        conn.execute(
            update(table).where(table.c.id == row.id).values(subject=subject, body=body, ics=ics)
        )
    return deleted


def audit_marks(
    conn: Connection, record_type: str, record_ids: Iterable[int], action: AuditAction, note: str
) -> None:
    """One history entry per record saying what was erased (no values). It also moves the
    data version on (`crm.db.datastamp`), so caches such as the network graph forget."""
    actor = db.session.info.get(ACTOR_KEY)
    user_id, user_label, user_role = actor if actor else (None, None, None)
    rows = [
        {
            "at": utcnow(),
            "user_id": user_id,
            "user_label": user_label,
            "user_role": user_role,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "changes": {ERASED_KEY: [note, note]},
            "batch": uuid.uuid4().hex,
        }
        for record_id in record_ids
    ]
    if rows:
        conn.execute(insert(AuditEntry), rows)


def anonymise_registrations(
    conn: Connection, registration_ids: list[int], note: str | None = None
) -> int:
    """Detach registrations from their person and drop what they typed (the row, its
    status, check-in, wishes and workshop stay for the statistics); their history keeps
    no values (nor the person's id). Their personal link stops working. Their part in the
    follow-up, the practitioner exchange and invitations goes too (`_release_followups`).
    No commit."""
    if not registration_ids:
        return 0
    _release_followups(conn, registration_ids)
    note = note or _("Anmeldung anonymisiert am %(at)s", at=utcnow().strftime("%d.%m.%Y %H:%M"))
    audit: Table = AuditEntry.__table__  # type: ignore[assignment]
    conn.execute(
        update(audit)
        .where(audit.c.record_type == "registrations", audit.c.record_id.in_(registration_ids))
        .values(changes={ERASED_KEY: [note, note]})
    )
    audit_marks(conn, "registrations", registration_ids, AuditAction.UPDATE, note)
    table: Table = Registration.__table__  # type: ignore[assignment]
    count = 0
    for reg_id in registration_ids:
        count += conn.execute(
            update(table)
            .where(table.c.id == reg_id)
            .values(
                person_id=None,
                organisation_text=None,
                function=None,
                token_hash=hash_token(secrets.token_urlsafe(32)),
            )
        ).rowcount
    conn.execute(
        update(Consent)
        .where(Consent.registration_id.in_(registration_ids))
        .values(registration_id=None)
    )
    wanted = {str(i) for i in registration_ids}
    event_ids = set(
        conn.scalars(select(Registration.event_id).where(Registration.id.in_(registration_ids)))
    )
    drafts: Table = AssignmentDraft.__table__  # type: ignore[assignment]
    if event_ids:
        for row in conn.execute(
            select(drafts.c.id, drafts.c.notes).where(drafts.c.event_id.in_(event_ids))
        ).all():
            notes = dict(row.notes or {})
            if wanted & notes.keys():
                for key in wanted:
                    notes.pop(key, None)
                conn.execute(update(drafts).where(drafts.c.id == row.id).values(notes=notes))
    return count


def _release_followups(conn: Connection, registration_ids: list[int]) -> None:
    """What hangs on the registrations in the features added after the privacy one:

    - practitioner exchange: meetings still to come are cancelled through the planning
      (their partners are told by mail once the plan is published; the mail does not name
      the person); the opt-in, the wishes they gave and were given, and the requests they
      sent or received (with their messages) are deleted. Meetings already past stay as
      anonymous rows (held, ratings: statistics of the exchange).
    - feedback: the answer row stays with its ratings, which are statistics aggregated in
      the event's results, but the free-text comment is deleted (it may name the person or
      others and is the one personal part); the row then hangs on the anonymous
      registration only, so nothing links the ratings to the person.
    - invitations: the recipient row loses its link to the registration. An erasure deletes
      the person's recipient rows (`crm.privacy.erasure`); when the person stays (a
      visitor deleting one registration), the row stays so that no campaign for the event
      invites them again and no reminder is sent to them.
    """
    from crm.matchmaking.planning import cancel_meetings_of  # the planning's own rule

    now = utcnow()
    upcoming = set(
        conn.scalars(
            select(Registration.id).where(
                Registration.id.in_(registration_ids),
                select(Meeting.id)
                .where(
                    Meeting.cancelled_at.is_(None),
                    Meeting.starts_at > now,
                    or_(
                        Meeting.a_registration_id == Registration.id,
                        Meeting.b_registration_id == Registration.id,
                    ),
                )
                .exists(),
            )
        )
    )
    for reg_id in sorted(upcoming):
        registration = db.session.get(Registration, reg_id)
        if registration is not None:
            cancel_meetings_of(registration)
    if upcoming:
        db.session.flush()
    conn.execute(
        delete(MeetingWish).where(
            or_(
                MeetingWish.registration_id.in_(registration_ids),
                MeetingWish.target_registration_id.in_(registration_ids),
            )
        )
    )
    conn.execute(
        delete(MeetingRequest).where(
            or_(
                MeetingRequest.sender_registration_id.in_(registration_ids),
                MeetingRequest.recipient_registration_id.in_(registration_ids),
            )
        )
    )
    conn.execute(
        update(Registration)
        .where(Registration.id.in_(registration_ids))
        .values(matchmaking_opt_in=False, matchmaking_opted_at=None)
    )
    conn.execute(
        update(Feedback).where(Feedback.registration_id.in_(registration_ids)).values(comment=None)
    )
    conn.execute(
        update(InvitationRecipient)
        .where(InvitationRecipient.registration_id.in_(registration_ids))
        .values(registration_id=None, registered_at=None)
    )


def purge_fulltext_index(conn: Connection) -> None:
    """SQLite: merge the person FTS5 index into one segment, so deleted rows leave no
    trace in its shadow tables (with secure_delete the freed pages are zeroed)."""
    if conn.dialect.name != "sqlite":
        return
    name = fts_table(SearchKind.PERSON)
    conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES('optimize')")  # noqa: S608
