"""/admin/jobs: queued, running, failed and recent background jobs; retry a failed one."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from crm import permissions
from crm.extensions import db
from crm.jobs import HEARTBEAT_STALE
from crm.jobs import last_heartbeat
from crm.jobs import worker_stale
from crm.jobs.monitoring import queued_tasks
from crm.jobs.monitoring import retry
from crm.models import JobRun
from crm.models import JobRunStatus

bp = Blueprint("jobs", __name__)

RECENT = 100


def _allowed() -> None:
    if not permissions.can_manage_jobs(current_user):
        abort(403)


@bp.get("/admin/jobs")
def index() -> str:
    """The queue, the runs of the last days (failed ones first) and the worker's heartbeat."""
    _allowed()
    runs = list(db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(RECENT)))
    failed = list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.status == JobRunStatus.FAILED)
            .order_by(JobRun.id.desc())
            .limit(RECENT)
        )
    )
    try:
        queued = queued_tasks()
        queue_error = None
    except Exception as exc:  # the queue's storage is down: say so, show the rest
        queued, queue_error = [], type(exc).__name__
    return render_template(
        "jobs/index.html",
        queued=queued,
        queue_error=queue_error,
        running=[r for r in runs if r.status == JobRunStatus.RUNNING],
        failed=failed,
        recent=runs,
        heartbeat=last_heartbeat(),
        stale=worker_stale(),
        stale_after=int(HEARTBEAT_STALE.total_seconds() // 60),
    )


@bp.route("/admin/jobs/<int:run_id>/retry", methods=["GET", "POST"])
def retry_run(run_id: int) -> str | Response:
    """Ask first (GET), then enqueue the failed run again with its arguments (POST)."""
    _allowed()
    run = db.get_or_404(JobRun, run_id)
    retryable = run.status in (JobRunStatus.FAILED, JobRunStatus.INTERRUPTED)
    if request.method == "POST":
        if retryable and retry(run.id):
            flash(_("Der Job „%(n)s“ steht wieder in der Warteschlange.", n=run.name), "success")
        else:
            flash(_("Dieser Job kann nicht erneut gestartet werden."), "error")
        return redirect(url_for("jobs.index"))
    return render_template(
        "confirm.html",
        heading=_("Job „%(n)s“ erneut starten?", n=run.name),
        rows=[
            (_("Fehler"), run.error or "–"),
            (_("Angaben"), run.arguments),
        ],
        text=_("Der Job wird mit denselben Angaben wieder in die Warteschlange gestellt."),
        button=_("Erneut starten"),
        back=url_for("jobs.index"),
        blocked=not retryable,
        audited=False,
    )
