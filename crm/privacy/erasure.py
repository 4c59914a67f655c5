"""Erasure (Art. 17): a person goes without residue; see `crm.privacy.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import InitiativeRole
from crm.models import InvitationRecipient
from crm.models import Person
from crm.models import Registration
from crm.models import User
from crm.models.activity import interaction_persons
from crm.models.audit import ErasureLog
from crm.models.base import utcnow
from crm.models.duplicates import RecordMerge
from crm.models.search import SearchDocument
from crm.models.search import SearchKind
from crm.privacy.common import ERASED_KEY
from crm.privacy.common import PrivacyError
from crm.privacy.common import checked_reason
from crm.privacy.ledger import sync_ledger
from crm.privacy.traces import anonymise_registrations
from crm.privacy.traces import audit_marks
from crm.privacy.traces import erase_files
from crm.privacy.traces import erase_mails
from crm.privacy.traces import erase_other_stores
from crm.privacy.traces import personal_values
from crm.privacy.traces import purge_fulltext_index
from crm.privacy.traces import scrub_history
from crm.privacy.traces import scrub_interactions


@dataclass
class ErasureResult:
    """What an erasure did, in counts (no personal values)."""

    persons: int = 0
    registrations_anonymised: int = 0
    links_deleted: int = 0
    consents_deleted: int = 0
    mails_deleted: int = 0
    accounts_deleted: int = 0
    files_removed: int = 0
    interactions_scrubbed: int = 0
    history_entries_wiped: int = 0
    history_entries_scrubbed: int = 0
    log_ids: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """The counts as a dict (for the log and the CLI)."""
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def _erased_note(now: dt.datetime, actor_label: str) -> str:
    return _(
        "Personendaten gelöscht am %(at)s von %(who)s",
        at=now.strftime("%d.%m.%Y %H:%M"),
        who=actor_label,
    )


def erase_persons(person_ids: Iterable[int], reason: str, actor: Any = None) -> ErasureResult:
    """Erase the persons without residue (see the module docstring). No commit.

    `actor`: the acting user (None on the command line). Raises PrivacyError (nothing
    changed) for an empty reason, an unknown person or the acting user's own account.
    """
    reason = checked_reason(
        reason,
        2000,
        _("Bitte einen Grund für die Löschung angeben."),
        _("Der Grund darf höchstens 2000 Zeichen lang sein."),
    )
    ids = sorted(set(person_ids))
    stored = list(db.session.scalars(select(Person).where(Person.id.in_(ids))))
    found = {p.id for p in stored}
    # a person deleted earlier still has values in the history's deletion snapshot
    ghosts = [_deleted_person(pid) for pid in ids if pid not in found]
    # duplicates merged into (or from) them: the same human, their snapshots too
    merged_away = [pid for pid in _merged_persons(ids) if pid not in ids]
    for pid in merged_away:
        try:
            ghosts.append(_deleted_person(pid))
        except PrivacyError:
            continue
    history_ids = sorted({*ids, *merged_away})
    persons = stored + ghosts
    emails = [p.email for p in persons if p.email]
    accounts = (
        list(db.session.scalars(select(User).where(User.email.in_(emails)))) if emails else []
    )
    actor_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", False) else None
    if actor_id is not None and any(a.id == actor_id for a in accounts):
        raise PrivacyError(_("Das eigene Konto lässt sich so nicht löschen."))
    actor_label = getattr(actor, "email", None) if actor_id else _("Kommandozeile")
    now = utcnow()
    values = personal_values(persons, accounts)
    note = _erased_note(now, str(actor_label))
    db.session.flush()
    conn = db.session.connection()
    result = ErasureResult(persons=len(persons))
    account_ids = [a.id for a in accounts]

    reg_ids = list(conn.scalars(select(Registration.id).where(Registration.person_id.in_(ids))))
    link_ids = {
        "affiliations": list(
            conn.scalars(select(Affiliation.id).where(Affiliation.person_id.in_(ids)))
        ),
        "initiative_roles": list(
            conn.scalars(select(InitiativeRole.id).where(InitiativeRole.person_id.in_(ids)))
        ),
        "consents": list(conn.scalars(select(Consent.id).where(Consent.person_id.in_(ids)))),
        "registrations": reg_ids,
    }
    own_interactions = set(
        conn.scalars(
            select(interaction_persons.c.interaction_id).where(
                interaction_persons.c.person_id.in_(ids)
            )
        )
    )

    # 1. history: wipe entries about the persons and their links, scrub the rest
    result.history_entries_wiped, result.history_entries_scrubbed = scrub_history(
        conn, history_ids, link_ids, account_ids, own_interactions, values, note
    )
    # 2. interactions: the person's name and e-mail replaced by the marker
    result.interactions_scrubbed = scrub_interactions(conn, ids, own_interactions, values)
    # 3. registrations stay as anonymous rows (counts kept); their draft notes go
    if reg_ids:
        result.registrations_anonymised = anonymise_registrations(conn, reg_ids, note)
    # 4. outbox: mails to them deleted, mentions elsewhere scrubbed
    result.mails_deleted = erase_mails(conn, emails, values)
    # 5. links, consents, search index, accounts, the person rows
    result.consents_deleted = len(link_ids["consents"])
    result.links_deleted = len(link_ids["affiliations"]) + len(link_ids["initiative_roles"])
    conn.execute(delete(Consent).where(Consent.person_id.in_(ids)))
    conn.execute(delete(Affiliation).where(Affiliation.person_id.in_(ids)))
    conn.execute(delete(InitiativeRole).where(InitiativeRole.person_id.in_(ids)))
    conn.execute(delete(interaction_persons).where(interaction_persons.c.person_id.in_(ids)))
    # their invitations go (an erased person is gone, so nobody invites them again)
    conn.execute(delete(InvitationRecipient).where(InvitationRecipient.person_id.in_(ids)))
    conn.execute(
        delete(SearchDocument).where(
            SearchDocument.kind == SearchKind.PERSON, SearchDocument.record_id.in_(ids)
        )
    )
    if account_ids:
        conn.execute(delete(User).where(User.id.in_(account_ids)))
        result.accounts_deleted = len(account_ids)
    conn.execute(delete(Person).where(Person.id.in_(ids)))
    # the ORM must not write the deleted rows back (or audit them)
    for person in stored:
        db.session.expunge(person)
    for account in accounts:
        db.session.expunge(account)
    # 6. other stores: merges and dismissed duplicates, import reports, uploaded files
    erase_other_stores(conn, ids, history_ids, values)
    result.files_removed = erase_files(values)
    purge_fulltext_index(conn)
    audit_marks(conn, "persons", ids, AuditAction.DELETE, note)
    # 6. the erasure itself, without personal values
    for pid in ids:
        log = conn.execute(
            ErasureLog.__table__.insert().returning(ErasureLog.__table__.c.id),  # type: ignore[attr-defined]
            {
                "at": now,
                "user_id": actor_id,
                "user_label": actor_label if actor_id else None,
                "record_type": "persons",
                "record_id": pid,
                "reason": reason,
                "summary": result.summary() | {"persons_in_request": len(ids)},
            },
        ).scalar_one()
        result.log_ids.append(log)
    return result


def _merged_persons(ids: list[int]) -> list[int]:
    """Persons merged into (or kept from) the given ones by the duplicates feature."""
    rows = db.session.execute(
        select(RecordMerge.kept_id, RecordMerge.removed_id).where(
            RecordMerge.kind == "person",
            or_(RecordMerge.kept_id.in_(ids), RecordMerge.removed_id.in_(ids)),
        )
    )
    return sorted({i for row in rows for i in row})


def _deleted_person(person_id: int) -> Person:
    """A transient Person with the values of its deletion snapshot in the history (never
    added to the session), or PrivacyError when there is nothing left to erase."""
    snapshot = db.session.scalar(
        select(AuditEntry.changes)
        .where(
            AuditEntry.record_type == "persons",
            AuditEntry.record_id == person_id,
            AuditEntry.action == AuditAction.DELETE,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if not isinstance(snapshot, dict) or ERASED_KEY in snapshot:
        raise PrivacyError(_("Diese Person gibt es nicht (mehr)."))

    def old(key: str) -> str | None:
        pair = snapshot.get(key)
        value = pair[0] if isinstance(pair, list) and pair else None
        return value if isinstance(value, str) else None

    ghost = Person(
        first_name=old("first_name") or "",
        last_name=old("last_name") or "",
        title=old("title"),
        email=old("email"),
        phone=old("phone"),
        notes=old("notes"),
    )
    ghost.id = person_id
    return ghost


def erase_person(person_id: int, reason: str, actor: Any = None) -> ErasureResult:
    """Erase one person (see `erase_persons`). No commit."""
    return erase_persons([person_id], reason, actor)


def after_erasure() -> None:
    """After the commit of an erasure: on SQLite, write the log back into the database
    file and empty it, so no old page with erased values stays in the -wal file; then
    append the erasure to the ledger beside the backups (`crm.privacy.ledger`)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:  # outside any transaction (autocommit: see crm.db.engine)
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()
            cursor.close()
        finally:
            raw.close()
    sync_ledger()


def erasure_log(limit: int = 50) -> list[ErasureLog]:
    """The latest erasures, newest first."""
    return list(
        db.session.scalars(
            select(ErasureLog).order_by(ErasureLog.at.desc(), ErasureLog.id.desc()).limit(limit)
        )
    )
