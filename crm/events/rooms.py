"""Online meeting: the room links a participant may see, and the files of the breakout
rooms (Zoom's pre-assignment import, a plain CSV for other tools, the moderators' lists).

A room link is for those with a seat (registered or attended) and staff, never for public
pages: the event's link for everyone seated, a workshop's own link for those assigned to it.
Persons whose processing is restricted (Art. 18 GDPR) are left out of every file with
e-mail addresses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.formats.tables import neutralise
from crm.models import Event
from crm.models import Person
from crm.models import Registration
from crm.models import RegistrationStatus
from crm.models import Workshop

#: Statuses that get the room links: people with a seat who have not missed the event.
WITH_ROOM = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
ZOOM_HEADER = ["Pre-assign Room Name", "Email Address"]
ROOMS_HEADER = ["Raum", "Name", "E-Mail", "Organisation"]


@dataclass(frozen=True)
class RoomLink:
    """A room a participant may enter: the event's or their workshop's."""

    title: str
    url: str


def assigned_room(registration: Registration) -> Workshop | None:
    """The workshop a seated registration is assigned to, when it has its own room link."""
    if registration.status not in WITH_ROOM or registration.assigned_workshop_id is None:
        return None
    workshop = db.session.get(Workshop, registration.assigned_workshop_id)
    return workshop if workshop is not None and workshop.online_url else None


def room_links(event: Event, registration: Registration) -> list[RoomLink]:
    """The rooms `registration` may enter: the event's, then its workshop's (none unseated)."""
    if registration.status not in WITH_ROOM:
        return []
    links = [RoomLink(event.title, event.online_url)] if event.online_url else []
    workshop = assigned_room(registration)
    if workshop is not None and workshop.online_url:
        links.append(RoomLink(workshop.title, workshop.online_url))
    return links


@dataclass(frozen=True)
class Seat:
    """An assigned participant in a workshop (one row of the room files)."""

    workshop: Workshop
    name: str
    email: str
    organisation: str


def seats(event: Event, workshop: Workshop | None = None) -> list[Seat]:
    """The assigned, seated participants of the event's workshops (or one workshop), by
    workshop and name; restricted persons left out."""
    workshops = {w.id: w for w in event.workshops}
    if workshop is not None:
        workshops = {workshop.id: workshop}
    rows = db.session.execute(
        select(Registration, Person)
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(WITH_ROOM),
            Registration.assigned_workshop_id.in_(list(workshops)),
            Person.restricted.is_(False),
        )
        .options(selectinload(Registration.organisation))
        .order_by(Person.sort_name, Registration.id)
    ).all()
    result = [
        Seat(
            workshops[r.assigned_workshop_id or 0],
            p.full_name,
            p.email or "",
            r.organisation.name if r.organisation else (r.organisation_text or ""),
        )
        for r, p in rows
    ]
    order = {w.id: (w.position, w.id) for w in workshops.values()}
    return sorted(result, key=lambda s: order[s.workshop.id])


def zoom_rows(items: Iterable[Seat]) -> list[list[str]]:
    """Zoom's pre-assignment: room (the workshop's title) and e-mail, for those with one."""
    return [[s.workshop.title, s.email] for s in items if s.email]


def room_rows(items: Iterable[Seat]) -> list[list[str]]:
    """The plain list: room, name, e-mail, organisation."""
    return [[s.workshop.title, s.name, s.email, s.organisation] for s in items]


def plain_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV that meeting tools import: UTF-8 without a byte order mark, commas, CRLF;
    no cell a spreadsheet would read as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(str(v)) for v in row])
    return buffer.getvalue().encode("utf-8")
