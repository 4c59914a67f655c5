"""Data-subject rights (GDPR): one service per right, used by the web UI and the CLI.

The caller commits (one commit per request or command); after an erasure it calls
`after_erasure()` once the commit is done (it empties the SQLite write-ahead log).

Access and portability (Art. 15, 20): `person_export(person_id)` returns everything
stored about a person as a JSON-ready dict with these keys:

- ``format``: "industrienetz-person-export/1"; ``exported_at``: ISO time (UTC).
- ``person``: every column of the person (``id``, ``salutation``, ``title``, ``first_name``,
  ``last_name``, ``email``, ``phone``, ``preferred_language``, ``notes``, ``lawful_basis``,
  ``source``, ``collected_at``, ``restricted``, ``restriction_reason``, ``restricted_at``,
  ``anonymised_at``, ``created_at``, ``updated_at``) plus ``origin`` (see below).
- ``affiliations``: ``organisation`` (id, name), ``function``, ``since``, ``until``,
  ``origin``.
- ``initiative_roles``: ``initiative`` (id, name), ``role``, ``since``, ``until``, ``origin``.
- ``interactions``: interactions naming the person: ``kind``, ``occurred_at``, ``subject``,
  ``notes``, ``initiative``, ``organisation``, ``follow_up_due``, ``follow_up_done_at``.
- ``registrations``: ``event`` (id, title, starts_at), ``status``, ``registered_at``,
  ``cancelled_at``, ``checked_in_at``, ``organisation_text``, ``organisation``,
  ``initiative``, ``function``, ``workshop_wishes`` (rank, workshop), ``assigned_workshop``,
  ``origin``.
- ``consents``: ``purpose``, ``status``, ``method``, ``text_version``, ``given_at``,
  ``registration_id``, ``origin``, ``history`` (every recorded change: ``at``,
  ``action``, ``changes``).
- ``account``: the login with the person's e-mail, or null: ``email``, ``role``,
  ``initiative``, ``active``, ``language``, ``last_login_at``, ``failed_logins``,
  ``created_at`` (never the password hash, session token or other secrets).
- ``history``: the audit entries about the person's own record: ``at``, ``action``,
  ``by_role``, ``changes`` ({field: [old, new]}).
- ``mails``: outbox mails to the person's address: ``created_at``, ``subject``, ``body``,
  ``status``, ``sent_at``.
- ``origin`` values: ``staff`` (entered by the office), ``portal`` (by an initiative's
  representative), ``public`` (the public registration form or personal link),
  ``system`` (command line, import or demo data), ``unknown`` (no record of its creation).
  The person's own ``source`` field names an import batch or other source as typed.

Erasure (Art. 17): `erase_persons(ids, reason, actor)` removes the person row and every
link row, their outbox mails, their account, their search-index rows (and, on SQLite, the
FTS5 index is merged so no trace stays in its shadow tables), replaces their name and
e-mail in the free text of interactions and outbox mails by a marker, turns their
registrations into anonymous rows and wipes the values of every history entry about them
(the entry stays, saying "Personendaten gelöscht am … von …"). The erasure is logged in
`erasure_log` (who, when, record id, reason) without any personal value.

Restriction (Art. 18) and objection (Art. 21): `restrict_person`, `lift_restriction`,
`object_to_purpose`; visitors: `withdraw_consent_by_token`, `delete_registration_by_token`.

Retention: `retention_rules()`, `retention_due()`, `apply_retention()`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    Connection,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)

from crm.db.audit import ACTOR_KEY
from crm.events.services import hash_token
from crm.extensions import db
from crm.models import (
    Affiliation,
    AssignmentDraft,
    AuditAction,
    AuditEntry,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Event,
    Initiative,
    InitiativeRole,
    Interaction,
    Organisation,
    OutboxMail,
    Person,
    Registration,
    Role,
    User,
    Workshop,
    WorkshopPreference,
)
from crm.models.activity import interaction_persons
from crm.models.audit import ErasureLog
from crm.models.base import Base, utcnow
from crm.models.duplicates import DuplicateDismissal, RecordMerge
from crm.models.imports import ImportBatch
from crm.models.search import SearchDocument, SearchKind
from crm.search.schema import fts_table

EXPORT_FORMAT = "industrienetz-person-export/1"
MARKER = "[Personendaten gelöscht]"
ERASED_KEY = "personal_data_erased"
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
}


class PrivacyError(Exception):
    """A request that cannot be done; the message (German) says why. Nothing changed."""


# -- helpers ----------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, bool | int | str):
        return value.value
    return value


def _columns(record: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    skipped = set(skip)
    return {
        attr.key: _iso(getattr(record, attr.key))
        for attr in inspect(record).mapper.column_attrs
        if attr.key not in skipped
    }


def _ref(record: Any, label: str = "name") -> dict[str, Any] | None:
    if record is None:
        return None
    return {"id": record.id, label: getattr(record, label)}


def _origin_of(role: str | None, found: bool) -> str:
    if not found:
        return "unknown"
    if role in (Role.ADMIN.value, Role.STAFF.value):
        return "staff"
    if role == Role.EDITOR.value:
        return "portal"
    return "system"


def _origins(record_type: str, ids: Iterable[int]) -> dict[int, str]:
    """How each record was created, from its CREATE entry in the history."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(AuditEntry.record_id, AuditEntry.user_role).where(
            AuditEntry.record_type == record_type,
            AuditEntry.action == AuditAction.CREATE,
            AuditEntry.record_id.in_(wanted),
        )
    )
    found = {record_id: role for record_id, role in rows}
    return {i: _origin_of(found.get(i), i in found) for i in wanted}


def _account_for(email: str | None) -> User | None:
    if not email:
        return None
    return db.session.scalar(select(User).where(User.email == email.lower()))


# -- access and portability (Art. 15, Art. 20) -----------------------------------------


def person_export(person_id: int) -> dict[str, Any] | None:
    """Everything stored about the person, JSON-ready (keys: see the module docstring)."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    affiliations = list(
        db.session.execute(
            select(Affiliation, Organisation)
            .join(Organisation, Organisation.id == Affiliation.organisation_id)
            .where(Affiliation.person_id == person_id)
            .order_by(Affiliation.id)
        )
    )
    roles = list(
        db.session.execute(
            select(InitiativeRole, Initiative)
            .join(Initiative, Initiative.id == InitiativeRole.initiative_id)
            .where(InitiativeRole.person_id == person_id)
            .order_by(InitiativeRole.id)
        )
    )
    consents = list(
        db.session.scalars(
            select(Consent).where(Consent.person_id == person_id).order_by(Consent.given_at)
        )
    )
    registrations = list(
        db.session.execute(
            select(Registration, Event)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.person_id == person_id)
            .order_by(Event.starts_at)
        )
    )
    interactions = list(
        db.session.scalars(
            select(Interaction)
            .join(interaction_persons, interaction_persons.c.interaction_id == Interaction.id)
            .where(interaction_persons.c.person_id == person_id)
            .order_by(Interaction.occurred_at)
        )
    )
    names = _names_for(interactions, [r for r, _e in registrations])
    workshops = _workshop_titles([r for r, _e in registrations])
    wishes: dict[int, list[WorkshopPreference]] = {}
    reg_ids = [r.id for r, _e in registrations]
    if reg_ids:
        for pref in db.session.scalars(
            select(WorkshopPreference)
            .where(WorkshopPreference.registration_id.in_(reg_ids))
            .order_by(WorkshopPreference.rank)
        ):
            wishes.setdefault(pref.registration_id, []).append(pref)
    consent_history = _history_by_record("consents", [c.id for c in consents])
    account = _account_for(person.email)
    mails = (
        list(
            db.session.scalars(
                select(OutboxMail)
                .where(func.lower(OutboxMail.to_address) == person.email)
                .order_by(OutboxMail.created_at)
            )
        )
        if person.email
        else []
    )
    person_origin = _origins("persons", [person.id]).get(person.id, "unknown")
    aff_origin = _origins("affiliations", [a.id for a, _o in affiliations])
    role_origin = _origins("initiative_roles", [r.id for r, _i in roles])
    reg_origin = _origins("registrations", reg_ids)
    consent_origin = _origins("consents", [c.id for c in consents])
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.record_type == "persons", AuditEntry.record_id == person.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "person": _columns(person, skip=("version", "sort_name")) | {"origin": person_origin},
        "affiliations": [
            {
                "organisation": _ref(org),
                "function": a.function,
                "since": _iso(a.since),
                "until": _iso(a.until),
                "origin": aff_origin.get(a.id, "unknown"),
            }
            for a, org in affiliations
        ],
        "initiative_roles": [
            {
                "initiative": _ref(ini),
                "role": _iso(r.role),
                "since": _iso(r.since),
                "until": _iso(r.until),
                "origin": role_origin.get(r.id, "unknown"),
            }
            for r, ini in roles
        ],
        "interactions": [
            {
                "kind": _iso(i.kind),
                "occurred_at": _iso(i.occurred_at),
                "subject": i.subject,
                "notes": i.notes,
                "initiative": names.get(("initiative", i.initiative_id)),
                "organisation": names.get(("organisation", i.organisation_id)),
                "follow_up_due": _iso(i.follow_up_due),
                "follow_up_done_at": _iso(i.follow_up_done_at),
            }
            for i in interactions
        ],
        "registrations": [
            {
                "event": {"id": e.id, "title": e.title, "starts_at": _iso(e.starts_at)},
                "status": _iso(r.status),
                "registered_at": _iso(r.registered_at),
                "cancelled_at": _iso(r.cancelled_at),
                "checked_in_at": _iso(r.checked_in_at),
                "organisation_text": r.organisation_text,
                "organisation": names.get(("organisation", r.organisation_id)),
                "initiative": names.get(("initiative", r.initiative_id)),
                "function": r.function,
                "workshop_wishes": [
                    {"rank": p.rank, "workshop": workshops.get(p.workshop_id)}
                    for p in wishes.get(r.id, [])
                ],
                "assigned_workshop": workshops.get(r.assigned_workshop_id),
                "origin": _registration_origin(reg_origin.get(r.id, "unknown")),
            }
            for r, e in registrations
        ],
        "consents": [
            {
                "purpose": _iso(c.purpose),
                "status": _iso(c.status),
                "method": _iso(c.method),
                "text_version": c.text_version,
                "given_at": _iso(c.given_at),
                "registration_id": c.registration_id,
                "origin": _registration_origin(consent_origin.get(c.id, "unknown"))
                if c.registration_id
                else consent_origin.get(c.id, "unknown"),
                "history": consent_history.get(c.id, []),
            }
            for c in consents
        ],
        "account": _account_export(account),
        "history": [
            {
                "at": _iso(h.at),
                "action": _iso(h.action),
                "by_role": h.user_role,
                "changes": h.changes,
            }
            for h in history
        ],
        "mails": [
            {
                "created_at": _iso(m.created_at),
                "subject": m.subject,
                "body": m.body,
                "status": _iso(m.status),
                "sent_at": _iso(m.sent_at),
            }
            for m in mails
        ],
    }


def _registration_origin(origin: str) -> str:
    # a registration (or its consent) created without a logged-in user: the public form
    return "public" if origin in ("system", "unknown") else origin


def _account_export(account: User | None) -> dict[str, Any] | None:
    if account is None:
        return None
    initiative = (
        db.session.get(Initiative, account.initiative_id) if account.initiative_id else None
    )
    return {
        "email": account.email,
        "role": _iso(account.role),
        "initiative": _ref(initiative),
        "active": account.active,
        "language": account.language,
        "last_login_at": _iso(account.last_login_at),
        "failed_logins": account.failed_logins,
        "created_at": _iso(account.created_at),
    }


def _history_by_record(record_type: str, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for h in db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.record_type == record_type, AuditEntry.record_id.in_(ids))
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        out.setdefault(h.record_id, []).append(
            {"at": _iso(h.at), "action": _iso(h.action), "changes": h.changes}
        )
    return out


def _names_for(
    interactions: list[Interaction], registrations: list[Registration]
) -> dict[tuple[str, int | None], dict[str, Any]]:
    ini_ids = {i.initiative_id for i in interactions} | {r.initiative_id for r in registrations}
    org_ids = {i.organisation_id for i in interactions} | {r.organisation_id for r in registrations}
    out: dict[tuple[str, int | None], dict[str, Any]] = {}
    for ini in db.session.scalars(select(Initiative).where(Initiative.id.in_(ini_ids - {None}))):
        out[("initiative", ini.id)] = {"id": ini.id, "name": ini.name}
    for org in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(org_ids - {None}))
    ):
        out[("organisation", org.id)] = {"id": org.id, "name": org.name}
    return out


def _workshop_titles(registrations: list[Registration]) -> dict[int | None, str]:
    event_ids = {r.event_id for r in registrations}
    if not event_ids:
        return {}
    return dict(
        db.session.execute(
            select(Workshop.id, Workshop.title).where(Workshop.event_id.in_(event_ids))
        ).all()
    )


def export_json(data: dict[str, Any]) -> str:
    """The export as pretty-printed UTF-8 JSON text."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


# -- erasure (Art. 17) ------------------------------------------------------------------


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


@dataclass
class _Values:
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


def _personal_values(persons: list[Person], accounts: list[User]) -> _Values:
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
    return _Values(strong=strong, weak=weak)


def _scrub(value: Any, pattern: re.Pattern[str] | None) -> tuple[Any, bool]:
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
            new_item, c = _scrub(item, pattern)
            out_list.append(new_item)
            changed = changed or c
        return out_list, changed
    if isinstance(value, dict):
        changed = False
        out_dict = {}
        for key, item in value.items():
            new_item, c = _scrub(item, pattern)
            out_dict[key] = new_item
            changed = changed or c
        return out_dict, changed
    return value, False


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
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(_("Bitte einen Grund für die Löschung angeben."))
    if len(reason) > 2000:
        raise PrivacyError(_("Der Grund darf höchstens 2000 Zeichen lang sein."))
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
    values = _personal_values(persons, accounts)
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
    result.history_entries_wiped, result.history_entries_scrubbed = _scrub_history(
        conn, history_ids, link_ids, account_ids, own_interactions, values, note
    )
    # 2. interactions: the person's name and e-mail replaced by the marker
    result.interactions_scrubbed = _scrub_interactions(conn, ids, own_interactions, values)
    # 3. registrations stay as anonymous rows (counts kept); their draft notes go
    if reg_ids:
        result.registrations_anonymised = anonymise_registrations(conn, reg_ids, note)
    # 4. outbox: mails to them deleted, mentions elsewhere scrubbed
    result.mails_deleted = _erase_mails(conn, emails, values)
    # 5. links, consents, search index, accounts, the person rows
    result.consents_deleted = len(link_ids["consents"])
    result.links_deleted = len(link_ids["affiliations"]) + len(link_ids["initiative_roles"])
    conn.execute(delete(Consent).where(Consent.person_id.in_(ids)))
    conn.execute(delete(Affiliation).where(Affiliation.person_id.in_(ids)))
    conn.execute(delete(InitiativeRole).where(InitiativeRole.person_id.in_(ids)))
    conn.execute(delete(interaction_persons).where(interaction_persons.c.person_id.in_(ids)))
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
    _erase_other_stores(conn, ids, history_ids, values)
    result.files_removed = _erase_files(values)
    _purge_fulltext_index(conn)
    _audit_marks(conn, "persons", ids, AuditAction.DELETE, note)
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


def _erase_other_stores(
    conn: Connection, ids: list[int], history_ids: list[int], values: _Values
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
                text_value, changed = _scrub(row._mapping[name], strong)
                if changed:
                    new[name] = text_value
            if new:
                conn.execute(update(table).where(table.c.id == row.id).values(**new))
    merges: Table = RecordMerge.__table__  # type: ignore[assignment]
    for row in conn.execute(select(merges.c.id, merges.c.removed_name, merges.c.saved)).all():
        name, c1 = _scrub(row.removed_name, strong)
        saved, c2 = _scrub(row.saved, strong)
        if c1 or c2:
            conn.execute(
                update(merges).where(merges.c.id == row.id).values(removed_name=name, saved=saved)
            )
    batches: Table = ImportBatch.__table__  # type: ignore[assignment]
    for batch in conn.execute(
        select(batches.c.id, batches.c.error_rows, batches.c.message, batches.c.filename)
    ).all():
        errors, c1 = _scrub(batch.error_rows, strong)
        message, c2 = _scrub(batch.message, strong)
        filename, c3 = _scrub(batch.filename, strong)
        if c1 or c2 or c3:
            conn.execute(
                update(batches)
                .where(batches.c.id == batch.id)
                .values(error_rows=errors, message=message, filename=filename)
            )


def _upload_roots() -> list[Path]:
    """Where uploaded files other than logos live: import uploads in the instance folder."""
    return [Path(current_app.instance_path) / "imports"]


def _erase_files(values: _Values) -> int:
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


def _scrub_history(
    conn: Connection,
    ids: list[int],
    link_ids: dict[str, list[int]],
    account_ids: list[int],
    own_interactions: set[int],
    values: _Values,
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
                changes, changed = _scrub(row.changes, every if own_text else strong)
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


def _scrub_interactions(conn: Connection, ids: list[int], own: set[int], values: _Values) -> int:
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
        subject, c1 = _scrub(row.subject, pattern)
        notes, c2 = _scrub(row.notes, pattern)
        if c1 or c2:
            conn.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(subject=subject[:200], notes=notes, updated_at=utcnow())
            )
            count += 1
    return count


def _erase_mails(conn: Connection, emails: list[str], values: _Values) -> int:
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
        subject, _c1 = _scrub(row.subject, strong)
        body, _c2 = _scrub(row.body, strong)
        ics, _c3 = _scrub(row.ics, strong)
        conn.execute(
            update(table).where(table.c.id == row.id).values(subject=subject, body=body, ics=ics)
        )
    return deleted


def _audit_marks(
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
    no values (nor the person's id). Their personal link stops working. No commit."""
    if not registration_ids:
        return 0
    note = note or _("Anmeldung anonymisiert am %(at)s", at=utcnow().strftime("%d.%m.%Y %H:%M"))
    audit: Table = AuditEntry.__table__  # type: ignore[assignment]
    conn.execute(
        update(audit)
        .where(audit.c.record_type == "registrations", audit.c.record_id.in_(registration_ids))
        .values(changes={ERASED_KEY: [note, note]})
    )
    _audit_marks(conn, "registrations", registration_ids, AuditAction.UPDATE, note)
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


def _purge_fulltext_index(conn: Connection) -> None:
    """SQLite: merge the person FTS5 index into one segment, so deleted rows leave no
    trace in its shadow tables (with secure_delete the freed pages are zeroed)."""
    if conn.dialect.name != "sqlite":
        return
    name = fts_table(SearchKind.PERSON)
    conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES('optimize')")  # noqa: S608


def after_erasure() -> None:
    """After the commit of an erasure: on SQLite, write the log back into the database
    file and empty it, so no old page with erased values stays in the -wal file."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:  # outside any transaction (autocommit: see crm.db.engine)
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.fetchall()
        cursor.close()
    finally:
        raw.close()


def erasure_log(limit: int = 50) -> list[ErasureLog]:
    """The latest erasures, newest first."""
    return list(
        db.session.scalars(
            select(ErasureLog).order_by(ErasureLog.at.desc(), ErasureLog.id.desc()).limit(limit)
        )
    )


# -- restriction (Art. 18) and objection (Art. 21) -------------------------------------


def restrict_person(person: Person, reason: str) -> bool:
    """Restrict processing of `person` (reason required). False when already restricted
    with the same reason (nothing written). No commit."""
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(_("Bitte einen Grund für die Einschränkung angeben."))
    if len(reason) > 500:
        raise PrivacyError(_("Der Grund darf höchstens 500 Zeichen lang sein."))
    if person.restricted and person.restriction_reason == reason:
        return False
    if not person.restricted:
        person.restricted_at = utcnow()
    person.restricted = True
    person.restriction_reason = reason
    return True


def lift_restriction(person: Person) -> bool:
    """Lift the restriction; False when there was none. No commit."""
    if not person.restricted:
        return False
    person.restricted = False
    person.restriction_reason = None
    person.restricted_at = None
    return True


def latest_consents(person_id: int) -> dict[ConsentPurpose, Consent]:
    """The latest consent per purpose of the person."""
    out: dict[ConsentPurpose, Consent] = {}
    for consent in db.session.scalars(
        select(Consent).where(Consent.person_id == person_id).order_by(Consent.given_at, Consent.id)
    ):
        out[consent.purpose] = consent
    return out


def object_to_purpose(
    person_id: int, purpose: ConsentPurpose, method: ConsentMethod = ConsentMethod.EMAIL
) -> bool:
    """The person objects to `purpose`: the consent is revoked everywhere at once (a
    revocation becomes the latest consent for the purpose, the old rows stay as proof).
    False when there was nothing to revoke. No commit."""
    latest = latest_consents(person_id).get(purpose)
    if latest is None or latest.status == ConsentStatus.REVOKED:
        return False
    db.session.add(
        Consent(
            person_id=person_id,
            purpose=purpose,
            status=ConsentStatus.REVOKED,
            method=method,
            text_version=latest.text_version,
            given_at=utcnow(),
        )
    )
    return True


# -- visitors: their personal link -----------------------------------------------------


def withdraw_consent_by_token(registration: Registration, purpose: ConsentPurpose) -> bool:
    """A visitor withdraws one consent from their personal link. No commit."""
    if registration.person_id is None:
        return False
    return object_to_purpose(registration.person_id, purpose, ConsentMethod.WEB_FORM)


def person_has_other_data(person_id: int, except_registration: int | None = None) -> bool:
    """Does anything but the given registration (and consents) hang on the person?"""
    checks = [
        exists().where(Affiliation.person_id == person_id),
        exists().where(InitiativeRole.person_id == person_id),
        exists().where(interaction_persons.c.person_id == person_id),
        exists().where(
            Registration.person_id == person_id,
            Registration.id != (except_registration or 0),
        ),
    ]
    return any(db.session.scalar(select(check)) for check in checks)


def delete_registration_by_token(registration: Registration) -> str:
    """A visitor deletes their registration from their personal link: the row stays as an
    anonymous one (counts kept); a person known only from this registration is erased.
    Returns "erased" or "anonymised". No commit."""
    person_id = registration.person_id
    if person_id is None:
        raise PrivacyError(_("Diese Anmeldung ist bereits gelöscht."))
    if person_has_other_data(person_id, except_registration=registration.id):
        db.session.flush()
        anonymise_registrations(db.session.connection(), [registration.id])
        db.session.expire(registration)
        return "anonymised"
    erase_persons([person_id], _("Löschung der Anmeldung über den persönlichen Link"))
    return "erased"


# -- retention -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRules:
    """How long data is kept (instance configuration, with these defaults)."""

    registration_months: int = 24  # registrations of events that ended longer ago: anonymised
    inactive_person_months: int = 36  # persons without any activity: proposed for erasure
    revoked_consent_months: int = 36  # revoked consents kept as proof, then deleted


def retention_rules() -> RetentionRules:
    """The rules from the configuration (RETENTION_REGISTRATION_MONTHS,
    RETENTION_INACTIVE_PERSON_MONTHS, RETENTION_REVOKED_CONSENT_MONTHS)."""
    cfg = current_app.config
    defaults = RetentionRules()

    def months(key: str, default: int) -> int:
        value = cfg.get(key, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            return default
        return number if number > 0 else default

    return RetentionRules(
        registration_months=months("RETENTION_REGISTRATION_MONTHS", defaults.registration_months),
        inactive_person_months=months(
            "RETENTION_INACTIVE_PERSON_MONTHS", defaults.inactive_person_months
        ),
        revoked_consent_months=months(
            "RETENTION_REVOKED_CONSENT_MONTHS", defaults.revoked_consent_months
        ),
    )


def _months_ago(now: dt.datetime, months: int) -> dt.datetime:
    return now - dt.timedelta(days=round(months * 30.4375))


@dataclass
class RetentionDue:
    """What the retention rules say is due now."""

    registrations: list[tuple[int, str, dt.datetime]]  # (registration id, event title, end)
    persons: list[Person]
    consents: list[int]

    @property
    def empty(self) -> bool:
        return not (self.registrations or self.persons or self.consents)


def retention_due(
    now: dt.datetime | None = None, rules: RetentionRules | None = None
) -> RetentionDue:
    """Registrations to anonymise, persons proposed for erasure, revoked consents to delete."""
    now = now or utcnow()
    rules = rules or retention_rules()
    reg_cut = _months_ago(now, rules.registration_months)
    registrations = [
        (rid, title, ends)
        for rid, title, ends in db.session.execute(
            select(Registration.id, Event.title, Event.ends_at)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.person_id.is_not(None), Event.ends_at < reg_cut)
            .order_by(Event.ends_at, Registration.id)
        )
    ]
    person_cut = _months_ago(now, rules.inactive_person_months)
    recent = or_(
        exists().where(Affiliation.person_id == Person.id),
        exists().where(InitiativeRole.person_id == Person.id),
        exists().where(and_(Consent.person_id == Person.id, Consent.given_at >= person_cut)),
        exists().where(
            and_(Consent.person_id == Person.id, Consent.status == ConsentStatus.CONFIRMED)
        ),
        exists().where(
            and_(Registration.person_id == Person.id, Registration.registered_at >= person_cut)
        ),
        exists()
        .where(interaction_persons.c.person_id == Person.id)
        .where(interaction_persons.c.interaction_id == Interaction.id)
        .where(Interaction.occurred_at >= person_cut),
    )
    persons = list(
        db.session.scalars(
            select(Person)
            .where(Person.updated_at < person_cut, Person.restricted.is_(False), ~recent)
            .order_by(Person.sort_name, Person.id)
        )
    )
    consent_cut = _months_ago(now, rules.revoked_consent_months)
    consents = list(
        db.session.scalars(
            select(Consent.id)
            .where(Consent.status == ConsentStatus.REVOKED, Consent.given_at < consent_cut)
            .order_by(Consent.id)
        )
    )
    return RetentionDue(registrations=registrations, persons=persons, consents=consents)


@dataclass
class RetentionReport:
    """What a retention run did (or, as a dry run, would do)."""

    registrations: int
    persons: int
    consents: int
    applied: bool
    lines: list[str] = field(default_factory=list)


def apply_retention(
    actor: Any = None, *, apply: bool = True, now: dt.datetime | None = None
) -> RetentionReport:
    """Anonymise old registrations, erase persons proposed for erasure, delete revoked
    consents past their proof period. With apply=False nothing changes. No commit."""
    due = retention_due(now)
    lines: list[str] = []
    for rid, title, ends in due.registrations:
        lines.append(
            _(
                "Anmeldung #%(id)s (%(event)s, Ende %(end)s) anonymisieren",
                id=rid,
                event=title,
                end=ends.date().isoformat(),
            )
        )
    for person in due.persons:
        lines.append(_("Person #%(id)s löschen (keine Aktivität)", id=person.id))
    for cid in due.consents:
        lines.append(_("Widerrufene Einwilligung #%(id)s löschen", id=cid))
    if apply and not due.empty:
        if due.registrations:
            db.session.flush()
            anonymise_registrations(db.session.connection(), [r[0] for r in due.registrations])
        if due.consents:
            db.session.execute(delete(Consent).where(Consent.id.in_(due.consents)))
        if due.persons:
            erase_persons(
                [p.id for p in due.persons],
                _("Aufbewahrungsfrist abgelaufen (keine Aktivität)"),
                actor,
            )
    return RetentionReport(
        registrations=len(due.registrations),
        persons=len(due.persons),
        consents=len(due.consents),
        applied=apply,
        lines=lines,
    )


def chunks(items: list[int], size: int = SCAN_CHUNK) -> Iterator[list[int]]:
    """`items` in slices of `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
