"""Event reminders the day before (once per registration, through the outbox)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from crm.database import writing
from crm.events import services
from crm.extensions import db
from crm.jobs import crontab, periodic_job

BERLIN = ZoneInfo("Europe/Berlin")


def send_reminders(day: dt.date | None = None) -> int:
    """Queue a reminder for every registration of an event starting on `day` (default:
    tomorrow in Berlin); each is marked, so a second run sends none again."""
    if day is None:
        day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=1)
    queued = 0
    for registration_id in services.reminders_due(day):
        with writing():
            if services.remind(registration_id):
                queued += 1
            db.session.commit()  # one registration, its mark and its mail together
    return queued


@periodic_job(crontab(hour="8", minute="0"))
def event_reminders() -> str:
    """The reminders for tomorrow's events (every morning)."""
    return f"{send_reminders()} Erinnerungen"
