"""The job layer: outbox delivery at most once, job runs, retry, heartbeat banner, reminders."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from crm import jobs
from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import monitoring
from crm.mail.services import queue_mail
from crm.mail.services import send_pending
from crm.mail.tasks import deliver_now
from crm.models import JobRun
from crm.models import JobRunStatus
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.models import RegistrationStatus
from crm.models.base import utcnow
from tests.helpers import assert_turned_away

UTC = dt.UTC


class Sink:
    """An SMTP sink: refuses rcpt "refuse*" for good (550), "later*" for now (451)."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("refuse"):
            return "550 5.1.1 Mailbox unbekannt"
        if address.startswith("later"):
            return "451 4.7.1 Bitte später"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sink(app, monkeypatch) -> Iterator[Sink]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_FROM": "buero@example.org",
        "MAIL_RATE_PER_MINUTE": None,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    jobs.init_app(app)
    yield handler
    controller.stop()


def _queue(app, to: str, n: int = 1) -> list[int]:
    with app.app_context(), writing():
        mails = [queue_mail(to, f"Betreff {i}", "Text") for i in range(n)]
        db.session.commit()
        return [m.id for m in mails]


def _mails(app) -> dict[int, OutboxMail]:
    with app.app_context():
        return {m.id: m for m in db.session.scalars(select(OutboxMail))}


def test_delivery_records_state_after_each_exchange(app, sink):
    ok = _queue(app, "erika@example.org", 2)
    refused = _queue(app, "refuse@example.org")
    later = _queue(app, "later@example.org")
    with app.app_context():
        report = deliver_now()
    assert report is not None
    assert (report.sent, report.failed, report.retrying) == (2, 1, 1)
    mails = _mails(app)
    assert {mails[i].status for i in ok} == {OutboxStatus.SENT}
    assert mails[refused[0]].status == OutboxStatus.FAILED
    assert (
        mails[refused[0]].error.startswith("550") and "Mailbox unbekannt" in mails[refused[0]].error
    )
    waiting = mails[later[0]]
    assert waiting.status == OutboxStatus.QUEUED and waiting.attempts == 1
    assert waiting.next_attempt_at is not None and "451" in waiting.error
    assert len(sink.received) == 2
    # a second run sends nothing again: the retry waits for its backoff
    with app.app_context():
        again = deliver_now()
    assert again is not None and (again.sent, again.retrying) == (0, 0)
    assert len(sink.received) == 2


def test_temporary_failure_fails_for_good_after_the_last_attempt(app, sink, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    (mail_id,) = _queue(app, "later@example.org")
    for _ in range(2):
        with app.app_context(), writing():
            db.session.get_one(OutboxMail, mail_id).next_attempt_at = None
            db.session.commit()
            deliver_now()
    mail = _mails(app)[mail_id]
    assert mail.status == OutboxStatus.FAILED and mail.attempts == 2 and "451" in mail.error


def test_mail_left_sending_becomes_uncertain_and_is_not_resent(app, sink, client, login_as):
    (interrupted,) = _queue(app, "erika@example.org")
    with app.app_context(), writing():
        mail = db.session.get_one(OutboxMail, interrupted)
        mail.status = OutboxStatus.SENDING  # a worker was killed during the exchange
        mail.attempts = 1
        db.session.commit()
    with app.app_context():
        deliver_now()
    mail = _mails(app)[interrupted]
    assert mail.status == OutboxStatus.UNCERTAIN and sink.received == []
    login_as("staff")
    page = client.get("/outbox").get_data(as_text=True)
    assert "data-uncertain" in page and "unklar, ob gesendet" in page
    assert "Erneut senden" in page
    # asking first: the GET changes nothing
    confirm = client.get(f"/outbox/{interrupted}/resend")
    assert confirm.status_code == 200 and "zweimal" in confirm.get_data(as_text=True)
    assert _mails(app)[interrupted].status == OutboxStatus.UNCERTAIN
    response = client.post(f"/outbox/{interrupted}/resend")
    assert response.status_code == 302
    assert _mails(app)[interrupted].status == OutboxStatus.QUEUED
    with app.app_context():
        deliver_now()
    assert _mails(app)[interrupted].status == OutboxStatus.SENT and len(sink.received) == 1
    # a sent mail cannot be "resent": refused, nothing changed
    client.post(f"/outbox/{interrupted}/resend")
    assert _mails(app)[interrupted].status == OutboxStatus.SENT
    assert client.get("/outbox/999999/resend").status_code == 404


@pytest.mark.parametrize("who", ["editor", "anonymous"])
def test_resend_is_for_staff_only(app, client, login_as, make, who):
    (mail_id,) = _queue(app, "erika@example.org")
    if who != "anonymous":
        login_as(who, initiative=make.initiative())
    response = client.post(f"/outbox/{mail_id}/resend")
    assert_turned_away(response, who)
    assert _mails(app)[mail_id].status == OutboxStatus.QUEUED


def test_delivery_keeps_the_configured_rate(app, sink):
    _queue(app, "erika@example.org", 3)
    started = time.monotonic()
    with app.app_context(), writing():
        report = send_pending(app.config, rate_per_minute=300)  # one every 0.2 s
    assert report.sent == 3
    assert time.monotonic() - started >= 0.4


def test_a_second_run_waits_for_the_lock(app, sink):
    _queue(app, "erika@example.org")
    with app.app_context(), jobs.exclusive("outbox") as held:
        assert held
        assert deliver_now() is None  # another run holds the outbox
    assert len(sink.received) == 0
    with app.app_context():
        assert deliver_now() is not None
    assert len(sink.received) == 1


def test_send_mail_command_uses_the_same_service(app, runner, sink):
    (mail_id,) = _queue(app, "refuse@example.org")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "0 Mails gesendet, 1 fehlgeschlagen." in result.output
    assert _mails(app)[mail_id].status == OutboxStatus.FAILED


# ----------------------------------------------------------------- job runs and retry


@jobs.job()
def _always_fails(record_id: int) -> None:
    raise RuntimeError(f"Datensatz {record_id} kaputt")


def _execute(app, task) -> None:
    """Run one enqueued task the way the worker does (signals included)."""
    with app.app_context(), contextlib.suppress(RuntimeError):
        jobs.huey.execute(task)


def test_runs_are_recorded_from_signals(app):
    jobs.init_app(app)
    _execute(app, jobs.REGISTRY["deliver_outbox"].s())
    _execute(app, _always_fails.s(7))
    with app.app_context():
        runs = {r.name: r for r in db.session.scalars(select(JobRun))}
    assert runs["deliver_outbox"].status == JobRunStatus.COMPLETE
    failed = runs["_always_fails"]
    assert failed.status == JobRunStatus.FAILED
    assert "Datensatz 7 kaputt" in failed.error
    assert json.loads(failed.arguments) == {"args": [7], "kwargs": {}}
    assert failed.started_at is not None and failed.finished_at is not None


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("editor", 403), ("staff", 403), ("admin", 200)],
)
def test_jobs_page_is_for_admins(client, login_as, make, who, status):
    if who != "anonymous":
        login_as(who, initiative=make.initiative() if who == "editor" else None)
    assert client.get("/admin/jobs").status_code == status


def test_admin_sees_failed_job_and_retries_it_after_confirming(app, client, login_as):
    jobs.init_app(app)
    _execute(app, _always_fails.s(11))
    with app.app_context():
        run = db.session.scalars(select(JobRun)).one()
    login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Datensatz 11 kaputt" in page and f"/admin/jobs/{run.id}/retry" in page
    before = jobs.huey.pending_count()
    confirm = client.get(f"/admin/jobs/{run.id}/retry")
    assert confirm.status_code == 200 and "erneut starten" in confirm.get_data(as_text=True)
    assert jobs.huey.pending_count() == before  # asking changes nothing
    assert client.post(f"/admin/jobs/{run.id}/retry").status_code == 302
    assert jobs.huey.pending_count() == before + 1
    queued = jobs.huey.pending()[-1]
    assert queued.name == "_always_fails" and queued.args == (11,)
    assert "_always_fails" in client.get("/admin/jobs").get_data(as_text=True)
    # retried once: a second POST does not queue it again
    client.post(f"/admin/jobs/{run.id}/retry")
    assert jobs.huey.pending_count() == before + 1
    assert client.get("/admin/jobs/999999/retry").status_code == 404
    jobs.huey.flush()


@pytest.mark.parametrize("who", ["staff", "editor"])
def test_retry_is_refused_to_non_admins(app, client, login_as, make, who):
    jobs.init_app(app)
    _execute(app, _always_fails.s(3))
    with app.app_context():
        run = db.session.scalars(select(JobRun)).one()
    login_as(who, initiative=make.initiative() if who == "editor" else None)
    before = jobs.huey.pending_count()
    assert client.post(f"/admin/jobs/{run.id}/retry").status_code == 403
    assert jobs.huey.pending_count() == before


def test_interrupted_runs_are_marked_when_the_worker_starts(app):
    with app.app_context(), writing():
        db.session.add(
            JobRun(
                task_id="t1",
                name="deliver_outbox",
                status=JobRunStatus.RUNNING,
                worker="host-a:123",
                started_at=utcnow(),
            )
        )
        db.session.add(
            JobRun(
                task_id="t2", name="deliver_outbox", status=JobRunStatus.RUNNING, worker="host-b:9"
            )
        )
        db.session.commit()
        assert monitoring.mark_interrupted_runs("host-a:") == 1
        states = {r.task_id: r.status for r in db.session.scalars(select(JobRun))}
    assert states == {"t1": JobRunStatus.INTERRUPTED, "t2": JobRunStatus.RUNNING}


# ----------------------------------------------------------------- heartbeat banner

BANNER = "Der Hintergrunddienst läuft nicht"


@pytest.fixture
def banner_app(make_app):
    banner = make_app(JOBS_WORKER_BANNER=True)
    jobs.init_app(banner)
    jobs.huey.delete(jobs.HEARTBEAT_KEY)
    return banner


def _login(client, make, role):
    from tests.conftest import TEST_PASSWORD

    user = make.user(role=role, password=TEST_PASSWORD)
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})


def test_banner_for_admins_only_when_the_heartbeat_is_stale(banner_app, make):
    admin, staff = banner_app.test_client(), banner_app.test_client()
    _login(admin, make, "admin")
    _login(staff, make, "staff")
    assert BANNER in admin.get("/").get_data(as_text=True)  # never seen
    assert BANNER in admin.get("/persons/").get_data(as_text=True)  # on every page
    assert BANNER not in staff.get("/").get_data(as_text=True)
    jobs.record_heartbeat(utcnow() - dt.timedelta(minutes=4))
    assert BANNER in admin.get("/").get_data(as_text=True)
    jobs.record_heartbeat(utcnow() - dt.timedelta(minutes=1))
    assert BANNER not in admin.get("/").get_data(as_text=True)
    assert BANNER not in staff.get("/").get_data(as_text=True)


def test_no_banner_when_switched_off(app, client, login_as):
    jobs.init_app(app)  # testing: off unless JOBS_WORKER_BANNER
    login_as("admin")
    assert BANNER not in client.get("/").get_data(as_text=True)


def test_readiness_and_metrics_know_the_queue(app, client, monkeypatch):
    jobs.init_app(app)
    body = client.get("/readyz").get_json()
    assert body["checks"]["jobs"]["ok"] is True
    with app.app_context():
        names = {metric.name for metric in monitoring.job_metrics()}
    assert {"industrienetz_jobs_queued", "industrienetz_jobs_failed"} <= names


# ----------------------------------------------------------------- reminders


def test_reminders_the_day_before_once_per_registration(app, make):
    from crm.events.tasks import send_reminders

    berlin = ZoneInfo("Europe/Berlin")
    tomorrow = dt.date(2027, 5, 11)
    start = dt.datetime(2027, 5, 11, 9, 0, tzinfo=berlin).astimezone(UTC)
    event = make.event(starts_at=start, title="Forum Wasserstoff")
    later = make.event(starts_at=start + dt.timedelta(days=3))
    coming = make.registration(event, make.person(email="anna@example.org"))
    make.registration(
        event, make.person(email="weg@example.org"), status=RegistrationStatus.CANCELLED
    )
    make.registration(
        event, make.person(email="warte@example.org"), status=RegistrationStatus.WAITLISTED
    )
    make.registration(later, make.person(email="spaeter@example.org"))
    with app.app_context():
        assert send_reminders(tomorrow) == 1
        assert send_reminders(tomorrow) == 0  # safe to run twice
        mails = list(db.session.scalars(select(OutboxMail)))
        reminded = db.session.get_one(type(coming), coming.id).reminded_at
    assert [m.to_address for m in mails] == ["anna@example.org"]
    assert mails[0].subject == "Erinnerung: Forum Wasserstoff ist morgen"
    assert "morgen" in mails[0].body and "Forum Wasserstoff" in mails[0].body
    assert reminded is not None


# ----------------------------------------------------------------- large assignments


def _run_queued(app) -> None:
    """The worker's part: take the next task from the queue and run it."""
    task = jobs.huey.dequeue()
    assert task is not None
    _execute(app, task)


@pytest.fixture
def meeting(app, login_as) -> Any:
    """A meeting of 12 participants, the job queue empty, a staff member logged in."""
    from tests.events.test_events_assignment import build_meeting

    jobs.init_app(app)
    jobs.huey.flush()
    built = build_meeting(app, participants=12)
    login_as("staff")
    return built


def test_large_event_is_assigned_by_the_worker_and_the_page_refreshes(
    app, client, meeting, monkeypatch
):
    from tests.events.test_events_assignment import draft_of

    monkeypatch.setitem(app.config, "ASSIGNMENT_JOB_THRESHOLD", 10)
    page = f"/events/{meeting.event_id}/assignment"
    response = client.post(page + "/run", data={"mix": ["sector"]}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "im Hintergrund berechnet" in html
    assert 'http-equiv="refresh"' in html and "data-assignment-running" in html
    assert jobs.huey.pending_count() == 1
    # a second click while it runs queues nothing more
    client.post(page + "/run", data={"mix": ["sector"]})
    assert jobs.huey.pending_count() == 1
    _run_queued(app)
    html = client.get(page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "data-assignment-running" not in html
    assert len(draft_of(app, meeting.event_id)) == 12


def test_small_event_stays_synchronous(app, client, meeting):
    from tests.events.test_events_assignment import draft_of

    client.post(f"/events/{meeting.event_id}/assignment/run", data={"mix": ["sector"]})
    assert jobs.huey.pending_count() == 0
    assert len(draft_of(app, meeting.event_id)) == 12


def test_a_killed_assignment_run_ends_with_a_message(app, client, make, meeting, monkeypatch):
    monkeypatch.setitem(app.config, "ASSIGNMENT_JOB_THRESHOLD", 10)
    page = f"/events/{meeting.event_id}/assignment"
    client.post(page + "/run")
    task = jobs.huey.dequeue()  # the worker took it ... and was killed during the run
    make.save(
        JobRun(
            task_id=task.id,
            name="compute_assignment",
            status=JobRunStatus.INTERRUPTED,
            worker="host:1",
        )
    )
    html = client.get(page).get_data(as_text=True)
    assert "data-assignment-running" not in html and "abgebrochen" in html


def test_a_followed_computation_ends_with_its_run_and_tells_why_once(app):
    from crm.events.tasks import compute_assignment
    from crm.jobs.tracked import Tracked

    tracked = Tracked("test-computation")
    jobs.init_app(app)
    jobs.huey.flush()
    with app.app_context():
        tracked.start(7, compute_assignment.s(7, []))
        assert tracked.state(7) == (True, None)
        assert tracked.state(8) == (False, None)
        with pytest.raises(RuntimeError), tracked.running(7):
            raise RuntimeError("kaputt")
        assert tracked.state(7) == (False, "Die Berechnung ist fehlgeschlagen.")
        assert tracked.state(7) == (False, None)  # shown once
        tracked.start(7, compute_assignment.s(7, []))
        with tracked.running(7):
            tracked.report(7, "Nicht eingeschaltet.")
        assert tracked.state(7) == (False, "Nicht eingeschaltet.")
    jobs.huey.flush()


def test_betrieb_page_names_the_jobs_check_and_links_the_jobs_page(app, client, login_as):
    jobs.init_app(app)
    login_as("admin")
    html = client.get("/admin/betrieb").get_data(as_text=True)
    assert "Warteschlange der Hintergrundjobs erreichbar" in html
    assert 'href="/admin/jobs"' in html
