"""Background computations that a page follows (a large plan or assignment of an event):
whether one is queued or running, and why the last one ended without a result.

Both are kept in the queue's storage, per object id: `<prefix>-running:<id>` holds the id
of the queued task until its run ends, `<prefix>-problem:<id>` the message of a run that
ended without a result (read once: the page shows it once).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.jobs import huey
from crm.models import JobRun
from crm.models import JobRunStatus


@dataclass(frozen=True)
class Tracked:
    """One kind of followed computation, its storage keys starting with `prefix`."""

    prefix: str

    def running_key(self, object_id: int) -> str:
        return f"{self.prefix}-running:{object_id}"

    def problem_key(self, object_id: int) -> str:
        return f"{self.prefix}-problem:{object_id}"

    def start(self, object_id: int, task: Any) -> None:
        """Queue the task (`some_job.s(...)`); the state is running until its run ends."""
        huey.put(self.running_key(object_id), task.id)
        huey.enqueue(task)

    def state(self, object_id: int) -> tuple[bool, str | None]:
        """(a computation is queued or running, the problem of the last one if it failed).

        A run that a killed worker left behind (recorded as interrupted or failed) counts as
        ended, with a message."""
        problem = huey.get(self.problem_key(object_id))  # read once: shown once
        task_id = huey.get(self.running_key(object_id), peek=True)
        if task_id is None:
            return False, problem
        run = db.session.scalar(
            select(JobRun).where(JobRun.task_id == str(task_id)).order_by(JobRun.id.desc()).limit(1)
        )
        if run is not None and run.status in (JobRunStatus.FAILED, JobRunStatus.INTERRUPTED):
            huey.delete(self.running_key(object_id))
            return False, _("Die Berechnung wurde abgebrochen. Bitte starten Sie sie erneut.")
        return True, problem

    def report(self, object_id: int, message: str) -> None:
        """Why the run ended without a result (the page shows it once)."""
        huey.put(self.problem_key(object_id), message)

    @contextlib.contextmanager
    def running(self, object_id: int) -> Iterator[None]:
        """Around the body of the task: when it ends the state is no longer running, and
        an error is reported as a failed computation (and raised on)."""
        try:
            yield
        except Exception:
            self.report(object_id, _("Die Berechnung ist fehlgeschlagen."))
            raise
        finally:
            huey.delete(self.running_key(object_id))


__all__ = ["Tracked"]
