"""The job layer: one Huey instance for all long and periodic work.

Embedded default: SqliteHuey with its file in the instance folder (`instance/jobs.sqlite`),
so `make run` needs no server. Production: Redis (`JOBS_URL` or `REDIS_URL`). Tasks are
defined in a `tasks.py` beside each feature's services with `@job` / `@periodic_job`;
they run inside an app context, take ids (never ORM objects) and are safe to run twice.
Every run is recorded in `job_runs` from Huey's signals (the admin page /admin/jobs); the
worker writes a heartbeat into Huey's storage, and a stale one shows admins a banner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import os
import socket
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask import current_app
from flask import has_app_context
from huey import Huey
from huey import crontab
from huey import signals as S
from huey.exceptions import TaskLockedException
from huey.storage import MemoryStorage
from huey.storage import RedisStorage
from huey.storage import SqliteStorage

from crm.models.base import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "worker-heartbeat"
#: The worker counts as stopped when its heartbeat is older than this.
HEARTBEAT_STALE = dt.timedelta(minutes=3)
HEARTBEAT_INTERVAL_SECONDS = 30

#: The one queue of the installation; its storage is chosen by `init_app`.
huey = Huey("industrienetz", storage_class=MemoryStorage, utc=True)

#: The named locks of `exclusive` (released when a worker starts: a killed one left them).
LOCKS = ("outbox", "backup")

#: name → task, for retrying a recorded run by name.
REGISTRY: dict[str, Any] = {}

_app: Flask | None = None


def storage_for(app: Flask) -> tuple[type, dict[str, Any]]:
    """The storage class and its arguments from JOBS_URL (or REDIS_URL)."""
    url = app.config.get("JOBS_URL") or app.config.get("REDIS_URL")
    if not url:
        if app.testing:
            return MemoryStorage, {}
        return SqliteStorage, {"filename": str(Path(app.instance_path) / "jobs.sqlite")}
    url = str(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url.removeprefix("sqlite:///")}
    if url == "memory://":
        return MemoryStorage, {}
    raise ValueError(f"JOBS_URL nicht verstanden: {url}")


def init_app(app: Flask) -> None:
    """Point the queue at the storage this app is configured for."""
    global _app
    _app = app
    storage_class, kwargs = storage_for(app)
    if storage_class is SqliteStorage:
        Path(kwargs["filename"]).parent.mkdir(parents=True, exist_ok=True)
    huey.storage_class = storage_class
    huey.storage_kwargs = kwargs
    huey.storage = storage_class(huey.name, **kwargs)
    # import the tasks so that the worker (and retries) know them by name
    import crm.db.tasks
    import crm.events.tasks
    import crm.followup.tasks
    import crm.invitations.tasks
    import crm.mail.tasks
    import crm.matchmaking.plan_tasks
    import crm.network.tasks
    import crm.privacy.tasks  # noqa: F401
    from crm.jobs import monitoring

    monitoring.register()
    app.jinja_env.globals["worker_warning"] = worker_warning


def current_flask_app() -> Flask:
    """The app whose context tasks run in (the current one inside an app context)."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:
        raise RuntimeError("crm.jobs.init_app was not called")
    return _app


def _in_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return fn(*args, **kwargs)
        with current_flask_app().app_context():
            return fn(*args, **kwargs)

    return run


def job(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background task (Huey options: retries, retry_delay, ...)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        task = huey.task(name=fn.__name__, **options)(_in_app(fn))
        REGISTRY[fn.__name__] = task
        return task

    return decorate


def periodic_job(schedule: Callable[..., bool], **options: Any) -> Callable[..., Any]:
    """Declare a task that the worker runs on a schedule (`crontab(...)`)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        task = huey.periodic_task(schedule, name=fn.__name__, **options)(_in_app(fn))
        REGISTRY[fn.__name__] = task
        return task

    return decorate


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Hold the named lock (across workers and hosts) while the block runs; yields False
    (and runs nothing exclusive) when another run holds it."""
    lock = huey.lock_task(name)
    try:
        with lock:
            yield True
    except TaskLockedException:
        yield False


def worker_name() -> str:
    """host:pid of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record_heartbeat(at: dt.datetime | None = None) -> None:
    """The worker is alive (written every HEARTBEAT_INTERVAL_SECONDS)."""
    huey.put(HEARTBEAT_KEY, (at or utcnow()).isoformat())


def last_heartbeat() -> dt.datetime | None:
    """When the worker was last seen alive (None: never)."""
    value = huey.get(HEARTBEAT_KEY, peek=True)
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value))


def worker_stale(now: dt.datetime | None = None) -> bool:
    """No heartbeat for more than HEARTBEAT_STALE (or none at all)."""
    beat = last_heartbeat()
    return beat is None or (now or utcnow()) - beat > HEARTBEAT_STALE


def worker_warning() -> bool:
    """Show admins the banner "the worker is not running"? (JOBS_WORKER_BANNER; None:
    on except in testing.) Never for anyone else; a storage error counts as stale."""
    from flask import current_app
    from flask_login import current_user

    from crm import permissions

    if not permissions.can_manage_jobs(current_user):
        return False
    enabled = current_app.config.get("JOBS_WORKER_BANNER")
    if enabled is None:
        enabled = not current_app.testing
    if not enabled:
        return False
    try:
        return worker_stale()
    except Exception:
        return True


def describe_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The arguments of a task as JSON (tasks take ids, so this holds no personal data)."""
    return json.dumps({"args": list(args), "kwargs": kwargs}, default=str)


__all__ = [
    "HEARTBEAT_STALE",
    "REGISTRY",
    "S",
    "crontab",
    "current_flask_app",
    "describe_arguments",
    "exclusive",
    "huey",
    "init_app",
    "job",
    "last_heartbeat",
    "periodic_job",
    "record_heartbeat",
    "worker_name",
    "worker_stale",
]
