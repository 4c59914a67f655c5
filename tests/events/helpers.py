"""Shared helpers of the events tests: a published event with workshops, form data, links."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from crm.extensions import db
from crm.models import OutboxMail
from tests.helpers import with_overrides

LINK = re.compile(r"https?://[^/\s]+(/anmeldung/[A-Za-z0-9_\-]+)")


def open_event(
    make: Any, *, capacity: int | None = 10, workshops: int = 3, **kw: Any
) -> tuple[Any, list[Any]]:
    """A published event with an open registration window and `workshops` workshops."""
    now = dt.datetime.now(dt.UTC)
    event = make.event(
        capacity=capacity,
        registration_opens_at=kw.pop("registration_opens_at", now - dt.timedelta(days=1)),
        registration_closes_at=kw.pop("registration_closes_at", now + dt.timedelta(days=30)),
        starts_at=kw.pop("starts_at", now + dt.timedelta(days=40)),
        **kw,
    )
    items = [
        make.workshop(event, title=f"Workshop {c}", position=i)
        for i, c in enumerate("ABCDE"[:workshops])
    ]
    return event, items


def form_data(workshops: list[Any], **overrides: Any) -> dict[str, Any]:
    """A valid registration submission (first three workshops as wishes)."""
    data: dict[str, Any] = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika.mustermann@example.org",
        "organisation": "Beispiel Maschinenbau GmbH",
        "function": "Geschäftsführung",
        "initiative": "",
        "pref1": str(workshops[0].id) if workshops else "",
        "pref2": str(workshops[1].id) if len(workshops) > 1 else "",
        "pref3": str(workshops[2].id) if len(workshops) > 2 else "",
        "consent_event": "y",
        "website": "",
    }
    return with_overrides(data, overrides)


def mails(app: Flask, to: str | None = None) -> list[OutboxMail]:
    """Outbox mails (to one address), oldest first."""
    with app.app_context():
        query = select(OutboxMail).order_by(OutboxMail.id)
        if to:
            query = query.where(OutboxMail.to_address == to)
        items = list(db.session.scalars(query))
        for item in items:
            db.session.expunge(item)
        return items


def personal_path(app: Flask, to: str) -> str:
    """The path of the newest personal link mailed to `to`."""
    for mail in reversed(mails(app, to)):
        match = LINK.search(mail.body)
        if match:
            return match.group(1)
    raise AssertionError(f"no personal link mailed to {to}")
