"""An exchange to plan, shared by the planning tests and the browser cycle: a network
meeting with matchmaking on (three 20-minute slots, 13:00–14:00 UTC), six participants who
opted in, and their wishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Flask

from crm.extensions import db
from crm.models import MeetingVideoMode
from crm.models import MeetingWishLevel
from crm.models.matchmaking import MatchmakingSettings
from crm.models.matchmaking import MeetingWish

UTC = dt.UTC
START = dt.datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
WINDOW = (dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC), dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC))
SLOTS = [WINDOW[0] + dt.timedelta(minutes=20 * i) for i in range(3)]
PATTERN = "https://meet.example.org/industrienetz-{token}"
NAMES = ["Anna Adler", "Bernd Berger", "Clara Conrad", "David Dorn", "Eva Engel", "Felix Fuchs"]


@dataclass
class Exchange:
    """The event, the registrations (ids), their tokens and persons (ids)."""

    event_id: int
    registrations: list[int]
    tokens: list[str]
    persons: list[int]
    emails: list[str]


def build_exchange(app: Flask, make: Any, *, wishes: bool = True) -> Exchange:
    """The exchange: A↔B both "Unbedingt", C↔D "Gern", A→C "Gern", E→F "Gern" but F→E
    "Nein" (so E and F are never planned)."""
    event = make.event(starts_at=START)
    registrations, tokens, persons, emails = [], [], [], []
    for n, name in enumerate(NAMES):
        first, last = name.split()
        email = f"{first.lower()}.{last.lower()}@example.org"
        person = make.person(first_name=first, last_name=last, email=email)
        token = f"plan-token-{event.id}-{n}"
        registration = make.registration(
            event,
            person,
            token=token,
            organisation_text=f"{last} GmbH",
            matchmaking_opt_in=True,
            language="de",
        )
        registrations.append(registration.id)
        tokens.append(token)
        persons.append(person.id)
        emails.append(email)
    with app.app_context():
        db.session.add(
            MatchmakingSettings(
                event_id=event.id,
                enabled=True,
                meeting_minutes=20,
                window_starts_at=WINDOW[0],
                window_ends_at=WINDOW[1],
                max_meetings_per_person=3,
                video_mode=MeetingVideoMode.PATTERN,
                video_pattern=PATTERN,
            )
        )
        if wishes:
            r = registrations
            must, gladly, no = MeetingWishLevel.MUST, MeetingWishLevel.GLADLY, MeetingWishLevel.NO
            for source, target, level in (
                (0, 1, must), (1, 0, must), (2, 3, gladly), (3, 2, gladly),
                (0, 2, gladly), (4, 5, gladly), (5, 4, no),
            ):  # fmt: skip
                db.session.add(
                    MeetingWish(
                        registration_id=r[source], target_registration_id=r[target], level=level
                    )
                )
        db.session.commit()
    return Exchange(event.id, registrations, tokens, persons, emails)
