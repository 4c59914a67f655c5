"""The slots of the practitioner exchange, as plain data (no Flask, no SQLAlchemy).

The time window is cut into meetings of the chosen length, from its start; a rest too
short for a whole meeting is left out. A slot is blocked for a participant when it
overlaps any of their busy times (their workshop, for example), even by a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence

#: The meeting lengths the office can choose, in minutes.
LENGTHS = (15, 20, 30)
#: More slots than this are refused: a window of days is a mistake, not an exchange.
MAX_SLOTS = 96

Interval = tuple[dt.datetime, dt.datetime]


def meeting_slots(starts_at: dt.datetime, ends_at: dt.datetime, minutes: int) -> list[dt.datetime]:
    """The start times of the slots of the window [starts_at, ends_at) for meetings of
    `minutes` each, in order; [] for an empty or reversed window.

    Raises ValueError for a length that is not positive or a window of more than
    `MAX_SLOTS` slots."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise ValueError(f"meeting length must be a positive number of minutes, not {minutes!r}")
    length = dt.timedelta(minutes=minutes)
    count = int((ends_at - starts_at) / length) if ends_at > starts_at else 0
    if count > MAX_SLOTS:
        raise ValueError(f"{count} slots: more than {MAX_SLOTS}")
    return [starts_at + i * length for i in range(count)]


def overlaps(slot: dt.datetime, minutes: int, busy: Interval) -> bool:
    """True when the slot starting at `slot` overlaps the interval `busy` (half-open)."""
    start, end = busy
    return slot < end and start < slot + dt.timedelta(minutes=minutes)


def blocked_slots(
    slots: Sequence[dt.datetime], minutes: int, busy: Iterable[Interval]
) -> set[dt.datetime]:
    """The slots that overlap any of the busy intervals."""
    intervals = list(busy)
    return {slot for slot in slots if any(overlaps(slot, minutes, b) for b in intervals)}


def unavailable_slots(
    slots: Sequence[dt.datetime],
    minutes: int,
    busy_by_person: dict[int, list[Interval]],
) -> dict[int, set[dt.datetime]]:
    """For each person with busy times, the slots they cannot meet in (only non-empty
    sets are returned)."""
    result: dict[int, set[dt.datetime]] = {}
    for person, busy in busy_by_person.items():
        blocked = blocked_slots(slots, minutes, busy)
        if blocked:
            result[person] = blocked
    return result
