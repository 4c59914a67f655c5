"""A network meeting that took place yesterday, with two workshops and five registrations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from crm.models import RegistrationStatus


@dataclass
class Meeting:
    """Ids and personal-link tokens of the test meeting."""

    event: Any
    workshops: list[Any]
    regs: dict[str, Any]  # by letter: a attended (A, de), b registered (B, en), c no-show,
    # d cancelled, e waitlisted
    tokens: dict[str, str]
    people: dict[str, Any]


@pytest.fixture
def meeting(app, make) -> Meeting:
    """The meeting: yesterday, two workshops (A, B), five registrations."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    event = make.event(starts_at=start, title="Netzwerktreffen Industrie")
    ws = [
        make.workshop(event, title=t, position=i)
        for i, t in enumerate(("Fachkräfte", "Wasserstoff"))
    ]
    spec = {
        "a": ("Anna", "Arndt", RegistrationStatus.ATTENDED, ws[0], "de"),
        "b": ("Ben", "Baker", RegistrationStatus.REGISTERED, ws[1], "en"),
        "c": ("Carla", "Conrad", RegistrationStatus.NO_SHOW, ws[0], "de"),
        "d": ("Dirk", "Dahl", RegistrationStatus.CANCELLED, None, "de"),
        "e": ("Eva", "Ernst", RegistrationStatus.WAITLISTED, None, "de"),
    }
    regs, tokens, people = {}, {}, {}
    for key, (first, last, status, workshop, language) in spec.items():
        person = make.person(
            first_name=first, last_name=last, email=f"{first.lower()}.{last.lower()}@example.org"
        )
        tokens[key] = f"token-{key}-{event.id}"
        regs[key] = make.registration(
            event,
            person,
            token=tokens[key],
            status=status,
            assigned_workshop_id=workshop.id if workshop else None,
            language=language,
            checked_in_at=start if status is RegistrationStatus.ATTENDED else None,
        )
        people[key] = person
    return Meeting(event, ws, regs, tokens, people)
