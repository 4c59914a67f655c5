"""Job runs recorded from Huey's signals; the queue's readiness check and metrics."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from crm.db.engine import writing
from crm.extensions import db
from crm.jobs import REGISTRY
from crm.jobs import S
from crm.jobs import current_flask_app
from crm.jobs import describe_arguments
from crm.jobs import huey
from crm.jobs import last_heartbeat
from crm.jobs import worker_name
from crm.jobs import worker_stale
from crm.models import JobRun
from crm.models import JobRunStatus
from crm.models import OutboxMail
from crm.models import OutboxStatus
from crm.models.base import utcnow

#: Recorded runs older than this are removed (nightly).
KEEP_RUNS = dt.timedelta(days=14)

_registered = False


def _record(task: Any, **values: Any) -> None:
    """Insert or update the row of this task run, in its own app context and session."""
    with current_flask_app().app_context(), writing():
        run = db.session.scalar(
            select(JobRun).where(JobRun.task_id == task.id).order_by(JobRun.id.desc()).limit(1)
        )
        if run is None:
            run = JobRun(
                task_id=task.id,
                name=task.name[:100],
                arguments=describe_arguments(tuple(task.args), dict(task.kwargs)),
                status=JobRunStatus.QUEUED,
            )
            db.session.add(run)
        for key, value in values.items():
            setattr(run, key, value)
        db.session.commit()


def _on_executing(signal: str, task: Any, *args: Any) -> None:
    _record(
        task,
        status=JobRunStatus.RUNNING,
        started_at=utcnow(),
        finished_at=None,
        worker=worker_name(),
        error=None,
    )


def _on_end(signal: str, task: Any, exc: BaseException | None = None, *args: Any) -> None:
    status = {
        S.SIGNAL_COMPLETE: JobRunStatus.COMPLETE,
        S.SIGNAL_ERROR: JobRunStatus.FAILED,
        S.SIGNAL_RETRYING: JobRunStatus.RETRYING,
        S.SIGNAL_INTERRUPTED: JobRunStatus.INTERRUPTED,
        S.SIGNAL_LOCKED: JobRunStatus.SKIPPED,
    }[signal]
    error = None
    if exc is not None:
        error = f"{type(exc).__name__}: {exc}"[:4000]
    elif signal == S.SIGNAL_INTERRUPTED:
        error = "Der Hintergrunddienst wurde während des Laufs beendet."
    _record(task, status=status, finished_at=utcnow(), error=error)


def register() -> None:
    """Connect the signal handlers, the readiness check and the metrics (once)."""
    global _registered
    if _registered:
        return
    _registered = True
    huey.signal(S.SIGNAL_EXECUTING)(_on_executing)
    huey.signal(
        S.SIGNAL_COMPLETE,
        S.SIGNAL_ERROR,
        S.SIGNAL_RETRYING,
        S.SIGNAL_INTERRUPTED,
        S.SIGNAL_LOCKED,
    )(_on_end)

    from crm.ops import health
    from crm.ops import metrics

    health.register_check("jobs", check_queue)
    metrics.register_collector(job_metrics)


def mark_interrupted_runs(worker_prefix: str) -> int:
    """Runs left "running" by a worker of this host that was killed (called at start)."""
    result = db.session.execute(
        update(JobRun)
        .where(JobRun.status == JobRunStatus.RUNNING, JobRun.worker.like(f"{worker_prefix}%"))
        .values(
            status=JobRunStatus.INTERRUPTED,
            finished_at=utcnow(),
            error="Der Hintergrunddienst wurde während des Laufs beendet.",
        )
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def prune_runs(now: dt.datetime | None = None) -> int:
    """Remove recorded runs older than KEEP_RUNS."""
    cutoff = (now or utcnow()) - KEEP_RUNS
    result = db.session.execute(delete(JobRun).where(JobRun.enqueued_at < cutoff))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def queued_tasks(limit: int = 50) -> list[dict[str, Any]]:
    """Tasks waiting in the queue (name and arguments), oldest first."""
    return [
        {"id": task.id, "name": task.name, "arguments": describe_arguments(task.args, task.kwargs)}
        for task in huey.pending(limit)
    ]


def retry(run_id: int) -> bool:
    """Enqueue a failed (or interrupted) run again with the same arguments."""
    run = db.session.get(JobRun, run_id)
    if run is None or run.status not in (JobRunStatus.FAILED, JobRunStatus.INTERRUPTED):
        return False
    task = REGISTRY.get(run.name)
    if task is None:
        return False
    try:
        payload = json.loads(run.arguments or "{}")
    except ValueError:
        return False
    run.status = JobRunStatus.RETRYING
    db.session.commit()
    task(*payload.get("args", []), **payload.get("kwargs", {}))
    return True


def check_queue() -> tuple[bool, str]:
    """The queue's storage answers (readiness check "jobs")."""
    pending = huey.pending_count()
    beat = last_heartbeat()
    age = None if beat is None else int((utcnow() - beat).total_seconds())
    seen = _("nie") if age is None else _("vor %(s)s s", s=age)
    return True, _("%(n)s wartend, Hintergrunddienst zuletzt %(seen)s", n=pending, seen=seen)


def job_metrics() -> Iterable[Metric]:
    """Queue length, failed runs and the heartbeat's age."""
    pending = GaugeMetricFamily("industrienetz_jobs_queued", "Jobs waiting in the queue")
    with contextlib.suppress(Exception):
        pending.add_metric([], huey.pending_count())
    yield pending
    failed = db.session.scalar(
        select(func.count(JobRun.id)).where(JobRun.status == JobRunStatus.FAILED)
    )
    db.session.rollback()
    failures = GaugeMetricFamily(
        "industrienetz_jobs_failed", "Recorded job runs that ended with an error"
    )
    failures.add_metric([], int(failed or 0))
    yield failures
    by_status = dict(
        db.session.execute(
            select(OutboxMail.status, func.count(OutboxMail.id)).group_by(OutboxMail.status)
        ).all()
    )
    db.session.rollback()
    mails = GaugeMetricFamily(
        "industrienetz_outbox_mails", "Outbox mails by delivery state", labels=["status"]
    )
    for state in OutboxStatus:
        mails.add_metric([state.value], int(by_status.get(state, 0)))
    yield mails
    stale = GaugeMetricFamily(
        "industrienetz_worker_stale", "1 when the worker's heartbeat is older than 3 minutes"
    )
    stale.add_metric([], 1 if worker_stale() else 0)
    yield stale
