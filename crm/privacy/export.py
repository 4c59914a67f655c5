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
from sqlalchemy import or_
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import AuditAction
from crm.models import AuditEntry
from crm.models import Consent
from crm.models import Event
from crm.models import Feedback
from crm.models import Initiative
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import InvitationCampaign
from crm.models import InvitationRecipient
from crm.models import Meeting
from crm.models import MeetingRequest
from crm.models import MeetingWish
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
        "invitations": _invitations_export(person_id),
        "feedback": _feedback_export([(r, e) for r, e in registrations]),
        "matchmaking": _matchmaking_export([(r, e) for r, e in registrations]),
    }


def _invitations_export(person_id: int) -> list[dict[str, Any]]:
    """The person's invitations: campaign, event, status, when sent and registered, and
    whether they unsubscribed through an invitation (their latest invitation consent)."""
    from crm.invitations.services import unsubscribed  # the invitations' own rule

    rows = db.session.execute(
        select(InvitationRecipient, InvitationCampaign, Event)
        .join(InvitationCampaign, InvitationCampaign.id == InvitationRecipient.campaign_id)
        .join(Event, Event.id == InvitationCampaign.event_id)
        .where(InvitationRecipient.person_id == person_id)
        .order_by(InvitationRecipient.id)
    ).all()
    return [
        {
            "campaign": {"id": c.id, "name": c.name},
            "event": {"id": e.id, "title": e.title, "starts_at": _iso(e.starts_at)},
            "status": _iso(r.status),
            "reason": r.reason,
            "language": r.language,
            "sent_at": _iso(r.mailed_at),
            "reminded_at": _iso(r.reminded_at),
            "registered_at": _iso(r.registered_at),
            "unsubscribed": unsubscribed(r),
        }
        for r, c, e in rows
    ]


def _feedback_export(registrations: list[tuple[Registration, Event]]) -> list[dict[str, Any]]:
    """The feedback the person gave after an event: ratings and comment."""
    events = {r.id: e for r, e in registrations}
    if not events:
        return []
    workshops = _workshop_titles([r for r, _e in registrations])
    answers = db.session.scalars(
        select(Feedback).where(Feedback.registration_id.in_(events)).order_by(Feedback.id)
    )
    return [
        {
            "event": {"id": events[f.registration_id].id, "title": events[f.registration_id].title},
            "overall": f.overall,
            "workshop": workshops.get(f.workshop_id),
            "workshop_rating": f.workshop_rating,
            "comment": f.comment,
            "created_at": _iso(f.created_at),
            "updated_at": _iso(f.updated_at),
        }
        for f in answers
    ]


def _partner_names(reg_ids: set[int]) -> dict[int, str | None]:
    """The names of the persons of other registrations (None: anonymous)."""
    if not reg_ids:
        return {}
    rows = db.session.execute(
        select(Registration.id, Person)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(Registration.id.in_(reg_ids))
    ).all()
    return {rid: (p.full_name if p is not None else None) for rid, p in rows}


def _matchmaking_export(registrations: list[tuple[Registration, Event]]) -> list[dict[str, Any]]:
    """The person's part in practitioner exchanges, per registration: the opt-in, the
    wishes they gave (not those others gave about them), the requests they sent (with
    their message) and received (without the sender's message: the sender's data), and
    their meetings with the partner, the time, whether held and their own rating."""
    own = {r.id: (r, e) for r, e in registrations}
    if not own:
        return []
    ids = list(own)
    wishes = list(
        db.session.scalars(
            select(MeetingWish).where(MeetingWish.registration_id.in_(ids)).order_by(MeetingWish.id)
        )
    )
    requests = list(
        db.session.scalars(
            select(MeetingRequest)
            .where(
                or_(
                    MeetingRequest.sender_registration_id.in_(ids),
                    MeetingRequest.recipient_registration_id.in_(ids),
                )
            )
            .order_by(MeetingRequest.created_at, MeetingRequest.id)
        )
    )
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(or_(Meeting.a_registration_id.in_(ids), Meeting.b_registration_id.in_(ids)))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    others = (
        {w.target_registration_id for w in wishes}
        | {q.sender_registration_id for q in requests}
        | {q.recipient_registration_id for q in requests}
        | {m.a_registration_id for m in meetings}
        | {m.b_registration_id for m in meetings}
    ) - set(ids)
    names = _partner_names(others)
    out = []
    for reg_id, (reg, event) in own.items():
        mine_w = [w for w in wishes if w.registration_id == reg_id]
        sent = [q for q in requests if q.sender_registration_id == reg_id]
        received = [q for q in requests if q.recipient_registration_id == reg_id]
        mine_m = [m for m in meetings if reg_id in (m.a_registration_id, m.b_registration_id)]
        took_part = reg.matchmaking_opt_in or reg.matchmaking_opted_at is not None
        if not (took_part or mine_w or sent or received or mine_m):
            continue
        out.append(
            {
                "event": {"id": event.id, "title": event.title},
                "opted_in": reg.matchmaking_opt_in,
                "opted_at": _iso(reg.matchmaking_opted_at),
                "wishes": [
                    {
                        "about": names.get(w.target_registration_id),
                        "level": _iso(w.level),
                        "at": _iso(w.updated_at),
                    }
                    for w in mine_w
                ],
                "requests_sent": [
                    {
                        "to": names.get(q.recipient_registration_id),
                        "message": q.message,
                        "status": _iso(q.status),
                        "created_at": _iso(q.created_at),
                        "answered_at": _iso(q.answered_at),
                    }
                    for q in sent
                ],
                "requests_received": [
                    {
                        "from": names.get(q.sender_registration_id),
                        "status": _iso(q.status),
                        "created_at": _iso(q.created_at),
                        "answered_at": _iso(q.answered_at),
                    }
                    for q in received
                ],
                "meetings": [_meeting_export(m, reg_id, names) for m in mine_m],
            }
        )
    return out


def _meeting_export(m: Meeting, reg_id: int, names: dict[int, str | None]) -> dict[str, Any]:
    mine_is_a = m.a_registration_id == reg_id
    partner = m.b_registration_id if mine_is_a else m.a_registration_id
    return {
        "partner": names.get(partner),
        "starts_at": _iso(m.starts_at),
        "held": m.held,
        "rating": m.rating_a if mine_is_a else m.rating_b,
        "cancelled_at": _iso(m.cancelled_at),
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
