"""iCalendar files of events (RFC 5545), written with the `icalendar` package.

Times are local to Berlin (`DTSTART;TZID=Europe/Berlin`) with the zone's VTIMEZONE, so a
calendar shows 10:00 whatever its own zone and across the change of summer time. Each
event keeps its UID for life; its SEQUENCE is raised when time, place or status change
(crm/events/services.py), so calendars replace the old entry instead of adding a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from icalendar import Timezone
from icalendar import TimezoneDaylight
from icalendar import TimezoneStandard
from icalendar import vRecur

from crm.models import Event
from crm.models import EventStatus

PRODID = "-//Industrienetz//Veranstaltungen//DE"
UID_DOMAIN = "industrienetz.example.org"
TZID = "Europe/Berlin"
BERLIN = ZoneInfo(TZID)


def event_uid(event: Event) -> str:
    """The stable UID of an event (the same in every file and mail)."""
    return f"event-{event.id}@{UID_DOMAIN}"


def berlin_timezone() -> Timezone:
    """The VTIMEZONE of Europe/Berlin: CET/CEST, the EU rule since 1996 (last Sundays)."""
    zone = Timezone()
    zone.add("tzid", TZID)
    for part, name, start, before, after, month in (
        (TimezoneDaylight(), "CEST", dt.datetime(1970, 3, 29, 2), 1, 2, 3),
        (TimezoneStandard(), "CET", dt.datetime(1970, 10, 25, 3), 2, 1, 10),
    ):
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("tzoffsetfrom", dt.timedelta(hours=before))
        part.add("tzoffsetto", dt.timedelta(hours=after))
        part.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
        zone.add_component(part)
    return zone


def _calendar(method: str, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", TZID)
    calendar.add_component(berlin_timezone())
    return calendar


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(BERLIN)


def _utc(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _vevent(
    event: Event, url: str | None, now: dt.datetime, organizer: str | None, room: bool
) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", event_uid(event))
    item.add("dtstamp", _utc(now))
    item.add("sequence", event.sequence or 0)
    if event.updated_at is not None:
        item.add("last-modified", _utc(event.updated_at))
    item.add("dtstart", _local(event.starts_at))
    item.add("dtend", _local(event.ends_at))
    item.add("summary", event.title)
    cancelled = event.status is EventStatus.ABGESAGT
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    room_link = event.online_url if room else None  # the room link: never in public files
    location = ", ".join(p for p in (event.venue, room_link) if p)
    if location:
        item.add("location", location)
    description = "\n\n".join(p for p in (event.description, room_link, url) if p)
    if description:
        item.add("description", description)
    if url:
        item.add("url", url)
    if organizer:
        item.add("organizer", f"mailto:{organizer}")
    return item


def event_calendar(
    event: Event,
    *,
    url: str | None = None,
    now: dt.datetime | None = None,
    method: str = "PUBLISH",
    organizer: str | None = None,
    room: bool = False,
) -> str:
    """One VEVENT for `event` in a VCALENDAR, as text (CRLF line ends).

    `method` is PUBLISH for a file or an invitation, CANCEL for the mail of a cancellation
    (the event then carries STATUS:CANCELLED). `room`: include the online room link (for
    registrants and staff; a public file never has it).
    """
    calendar = _calendar(method)
    calendar.add_component(_vevent(event, url, now or dt.datetime.now(dt.UTC), organizer, room))
    return calendar.to_ical().decode("utf-8")


@dataclass(frozen=True)
class DayEntry:
    """An all-day entry of a feed (a follow-up on its due date), already worded."""

    uid: str
    day: dt.date
    summary: str
    description: str | None = None
    url: str | None = None
    modified: dt.datetime | None = None


def _day_entry(entry: DayEntry, now: dt.datetime) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", f"{entry.uid}@{UID_DOMAIN}")
    item.add("dtstamp", _utc(now))
    if entry.modified is not None:
        item.add("last-modified", _utc(entry.modified))
    item.add("dtstart", entry.day)
    item.add("dtend", entry.day + dt.timedelta(days=1))
    item.add("summary", entry.summary)
    item.add("transp", "TRANSPARENT")
    if entry.description:
        item.add("description", entry.description)
    if entry.url:
        item.add("url", entry.url)
    return item


def feed(
    name: str,
    events: Iterable[tuple[Event, str | None]],
    days: Iterable[DayEntry] = (),
    *,
    now: dt.datetime | None = None,
    rooms: bool = False,
) -> str:
    """A subscribable calendar: `events` (each with its page URL) and all-day `days`;
    `rooms`: with the online room links (a private feed only)."""
    now = now or dt.datetime.now(dt.UTC)
    calendar = _calendar("PUBLISH", name)
    for event, url in events:
        calendar.add_component(_vevent(event, url, now, None, rooms))
    for entry in days:
        calendar.add_component(_day_entry(entry, now))
    return calendar.to_ical().decode("utf-8")


@dataclass(frozen=True)
class TimedEntry:
    """A timed entry of a personal calendar (a 1:1 meeting), already worded."""

    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str | None = None
    location: str | None = None
    url: str | None = None
    sequence: int = 0
    modified: dt.datetime | None = None
    cancelled: bool = False


def _timed_entry(entry: TimedEntry, now: dt.datetime) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", f"{entry.uid}@{UID_DOMAIN}")
    item.add("dtstamp", _utc(now))
    item.add("sequence", entry.sequence)
    if entry.modified is not None:
        item.add("last-modified", _utc(entry.modified))
    item.add("dtstart", _local(entry.starts_at))
    item.add("dtend", _local(entry.ends_at))
    item.add("summary", entry.summary)
    item.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    for name, value in (("location", entry.location), ("description", entry.description)):
        if value:
            item.add(name, value)
    if entry.url:
        item.add("url", entry.url)
    return item


def entries_calendar(
    entries: Iterable[TimedEntry],
    *,
    name: str | None = None,
    now: dt.datetime | None = None,
    method: str = "PUBLISH",
) -> str:
    """A calendar of timed entries (a participant's 1:1 meetings), as text (CRLF)."""
    now = now or dt.datetime.now(dt.UTC)
    calendar = _calendar(method, name)
    for entry in entries:
        calendar.add_component(_timed_entry(entry, now))
    return calendar.to_ical().decode("utf-8")
