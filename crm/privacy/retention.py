"""Retention: how long data is kept, what is due, and applying it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation
from crm.models import Consent
from crm.models import ConsentStatus
from crm.models import Event
from crm.models import InitiativeRole
from crm.models import Interaction
from crm.models import Person
from crm.models import Registration
from crm.models.activity import interaction_persons
from crm.models.base import utcnow
from crm.privacy.erasure import erase_persons
from crm.privacy.traces import anonymise_registrations


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
