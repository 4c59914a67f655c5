"""iCalendar files of events (RFC 5545), written with the `icalendar` package."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from crm.models import Event

PRODID = "-//Industrienetz//Veranstaltungen//DE"
UID_DOMAIN = "industrienetz.example.org"


def event_calendar(event: Event, *, url: str | None = None, now: dt.datetime | None = None) -> str:
    """One VEVENT for `event` in a VCALENDAR, as text (CRLF line ends)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = CalendarEvent()
    item.add("uid", f"event-{event.id}@{UID_DOMAIN}")
    item.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    item.add("dtstart", event.starts_at.astimezone(dt.UTC))
    item.add("dtend", event.ends_at.astimezone(dt.UTC))
    item.add("summary", event.title)
    location = ", ".join(p for p in (event.venue, event.online_url) if p)
    if location:
        item.add("location", location)
    description = "\n\n".join(p for p in (event.description, event.online_url, url) if p)
    if description:
        item.add("description", description)
    if url:
        item.add("url", url)
    calendar.add_component(item)
    return calendar.to_ical().decode("utf-8")
