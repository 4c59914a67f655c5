"""`flask --app crm worker`: the job consumer (Huey) with a heartbeat."""

from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from crm.db.engine import writing


def _beat(stop: threading.Event, interval: float) -> None:
    from crm.jobs import record_heartbeat

    while not stop.is_set():
        try:
            record_heartbeat()
        except Exception:  # the storage may be down for a moment; try again
            logging.getLogger(__name__).exception("heartbeat not written")
        stop.wait(interval)


@click.command("worker")
@with_appcontext
@click.option("--workers", type=int, default=None, help="threads (default: JOBS_WORKERS)")
@click.option("--no-periodic", is_flag=True, help="run queued jobs only, no schedule")
def worker_command(workers: int | None, no_periodic: bool) -> None:
    """Run the background jobs: outbox delivery, nightly backup, reminders, ..."""
    from huey.consumer import Consumer

    from crm.jobs import HEARTBEAT_INTERVAL_SECONDS
    from crm.jobs import LOCKS
    from crm.jobs import huey
    from crm.jobs import worker_name
    from crm.jobs.monitoring import mark_interrupted_runs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host = worker_name().rpartition(":")[0]
    with writing():
        interrupted = mark_interrupted_runs(f"{host}:")
    if interrupted:
        click.echo(f"{interrupted} unterbrochene Läufe eines beendeten Dienstes vermerkt.")
    count = workers or int(current_app.config.get("JOBS_WORKERS", 2))
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(stop, HEARTBEAT_INTERVAL_SECONDS), daemon=True, name="heartbeat"
    )
    thread.start()
    # flush_locks: a lock left by a killed worker (its run is over) is released at start
    consumer = Consumer(
        huey,
        workers=count,
        periodic=not no_periodic,
        flush_locks=True,
        extra_locks=",".join(LOCKS),
    )
    try:
        consumer.run()
    finally:
        stop.set()
