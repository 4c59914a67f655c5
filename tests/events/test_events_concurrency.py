"""Concurrent registrations never over-book: 40 simultaneous submissions for 10 seats."""

from __future__ import annotations

import threading

from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Registration
from crm.models import RegistrationStatus
from tests.events.helpers import form_data
from tests.events.helpers import open_event

SUBMISSIONS = 40
CAPACITY = 10


def test_concurrent_submissions_fill_exactly_the_capacity(app, make, monkeypatch, database_url):
    monkeypatch.setitem(app.config, "EVENT_REGISTRATION_RATE_LIMIT", "1000 per minute")
    event, workshops = open_event(make, capacity=CAPACITY)
    barrier = threading.Barrier(SUBMISSIONS)
    codes: list[int] = []
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        client = app.test_client()
        data = form_data(workshops, email=f"gleichzeitig{i}@example.org", last_name=f"Muster{i}")
        try:
            barrier.wait(timeout=30)
            codes.append(client.post(f"/events/{event.id}/register", data=data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert codes == [302] * SUBMISSIONS
    with app.app_context():
        figures = dict(
            db.session.execute(
                select(Registration.status, func.count(Registration.id))
                .where(Registration.event_id == event.id)
                .group_by(Registration.status)
            ).all()
        )
    registered = figures.get(RegistrationStatus.REGISTERED, 0)
    waitlisted = figures.get(RegistrationStatus.WAITLISTED, 0)
    backend = database_url.split(":", 1)[0]
    print(  # noqa: T201 - the figures belong in the test log
        f"\n[{backend}] submissions={SUBMISSIONS} capacity={CAPACITY} registered={registered} "
        f"waitlisted={waitlisted} over-bookings={max(0, registered - CAPACITY)}"
    )
    assert registered == CAPACITY
    assert waitlisted == SUBMISSIONS - CAPACITY
