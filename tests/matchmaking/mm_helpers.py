"""A practitioner exchange to test the participants' side: an event with matchmaking on
(a 13:00–14:00 UTC window of three 20-minute slots, a workshop block 13:20–13:40), and
participants with organisations, an initiative with themes and personal-link tokens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask

from crm.extensions import db
from crm.models import AgendaBlock
from crm.models import AgendaKind
from crm.models import MatchmakingSettings
from crm.models import OrgType
from crm.models import Theme

UTC = dt.UTC
START = dt.datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
WINDOW = (dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC), dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC))
SLOTS = [WINDOW[0] + dt.timedelta(minutes=20 * i) for i in range(3)]
WORKSHOP_BLOCK = (SLOTS[1], SLOTS[2])


@dataclass
class People:
    """The event and its participants (registration ids, tokens, person ids)."""

    event_id: int
    registrations: list[int]
    tokens: list[str]
    persons: list[int]


def build_people(
    app: Flask, make: Any, *, count: int = 4, opted_in: int | None = None, **settings: Any
) -> People:
    """`count` registrations, the first `opted_in` (default: all) opted in; participant 0
    has workshop wishes (so the workshop block is blocked for them)."""
    opted_in = count if opted_in is None else opted_in
    event = make.event(starts_at=START)
    with app.app_context():
        hydrogen = Theme(name=f"Wasserstoff {uuid.uuid4().hex[:8]}")
        db.session.add(hydrogen)
        db.session.flush()
        theme_id = hydrogen.id
        db.session.commit()
    initiative = make.initiative(name=f"Allianz {event.id}")
    with app.app_context():
        from crm.models import initiative_themes

        db.session.execute(
            initiative_themes.insert().values(initiative_id=initiative.id, theme_id=theme_id)
        )
        db.session.add(
            AgendaBlock(
                event_id=event.id,
                starts_at=WORKSHOP_BLOCK[0],
                ends_at=WORKSHOP_BLOCK[1],
                title="Workshops",
                kind=AgendaKind.WORKSHOPS,
            )
        )
        db.session.commit()
    workshop = make.workshop(event)
    kinds = [OrgType.KOMMUNE, OrgType.GEWERKSCHAFT, OrgType.UNTERNEHMEN, OrgType.IHK]
    registrations, tokens, persons = [], [], []
    for n in range(count):
        organisation = make.organisation(name=f"Organisation {event.id}-{n}", type=kinds[n % 4])
        person = make.person(first_name=f"Vorname{n}", last_name=f"Nachname{n}")
        token = f"mm-token-{event.id}-{n}"
        registration = make.registration(
            event,
            person,
            token=token,
            organisation_id=organisation.id,
            initiative_id=initiative.id if n < 2 else None,
            matchmaking_opt_in=n < opted_in,
            function="Geheimfunktion",
        )
        registrations.append(registration.id)
        tokens.append(token)
        persons.append(person.id)
    with app.app_context():
        from crm.models import WorkshopPreference

        db.session.add(
            WorkshopPreference(registration_id=registrations[0], workshop_id=workshop.id, rank=1)
        )
        values: dict[str, Any] = {
            "enabled": True,
            "meeting_minutes": 20,
            "window_starts_at": WINDOW[0],
            "window_ends_at": WINDOW[1],
            "max_meetings_per_person": 3,
            "max_open_sent": 2,
            "max_open_received": 2,
            "request_expiry_hours": 48,
        }
        values.update(settings)
        db.session.add(MatchmakingSettings(event_id=event.id, **values))
        db.session.commit()
    return People(event.id, registrations, tokens, persons)
