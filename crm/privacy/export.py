"""Access and portability (Art. 15, Art. 20): everything stored about a person, as JSON
(the keys are listed in `crm.privacy.services`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Event
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Organisation
from crm.models import OutboxMail
from crm.models import Person
from crm.models import Registration
from crm.models import Role
from crm.models import User
from crm.models import Workshop
from crm.models import WorkshopPreference
from crm.models.activity import interaction_persons
from crm.models.base import utcnow

EXPORT_FORMAT = "industrienetz-person-export/1"


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


def _linked(link: Any, target: Any, target_id: Any, person_id: int, order: Any) -> list[Any]:
    """The person's rows of a link table (`link`), each with the record it points to."""
    return list(
        db.session.execute(
            select(link, target)
            .join(target, target.id == target_id)
            .where(link.person_id == person_id)
            .order_by(order)
        )
    )


def person_export(person_id: int) -> dict[str, Any] | None:
    """Everything stored about the person, JSON-ready (keys: see the module docstring)."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    affiliations = _linked(
        Affiliation, Organisation, Affiliation.organisation_id, person_id, Affiliation.id
    )
    roles = _linked(
        InitiativeRole, Initiative, InitiativeRole.initiative_id, person_id, InitiativeRole.id
    )
    consents = list(
        db.session.scalars(
            select(Consent).where(Consent.person_id == person_id).order_by(Consent.given_at)
        )
    )
    registrations = _linked(Registration, Event, Registration.event_id, person_id, Event.starts_at)
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
