"""Prometheus metrics: requests, latency and SQL statements per route; app state on scrape.

Per-request metrics live in prometheus_client's metric objects. Under several gunicorn
workers set PROMETHEUS_MULTIPROC_DIR (an empty folder, cleared at start, before the app
is imported — deploy/gunicorn.conf.py does it): every worker then writes its values there
and a scrape of any worker sums them (the client's multiprocess mode).

Values that describe the installation rather than the requests (unsent mails, age of the
last backup, and whatever the job layer adds with `register_collector`) are computed at
scrape time by the worker that answers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.core import Metric

REQUESTS = Counter(
    "industrienetz_http_requests",
    "HTTP requests by method, route rule and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "industrienetz_http_request_duration_seconds",
    "Time to answer a request, by method and route rule",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
STATEMENTS = Histogram(
    "industrienetz_sql_statements_per_request",
    "SQL statements executed while answering one request, by route rule",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250, 1000),
)

#: functions yielding metric families at scrape time; the job layer appends its own
#: (queue length, failed jobs) with `register_collector`.
COLLECTORS: list[Callable[[], Iterable[Metric]]] = []


def register_collector(collector: Callable[[], Iterable[Metric]]) -> None:
    """Add a function whose metric families are computed at every scrape."""
    if collector not in COLLECTORS:
        COLLECTORS.append(collector)


def observe(method: str, route: str, status: int, seconds: float, statements: int) -> None:
    """Record one answered request."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    STATEMENTS.labels(route).observe(statements)


def installation_metrics() -> Iterable[Metric]:
    """Unsent mails in the outbox and the age of the newest backup."""
    from sqlalchemy import func
    from sqlalchemy import select

    from crm.db.backup import backup_status
    from crm.extensions import db
    from crm.models import OutboxMail

    unsent = db.session.scalar(
        select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))
    )
    db.session.rollback()
    yield GaugeMetricFamily(
        "industrienetz_outbox_unsent", "Mails in the outbox not sent yet", value=unsent or 0
    )
    status = backup_status()
    age = status.age
    yield GaugeMetricFamily(
        "industrienetz_backup_age_seconds",
        "Age of the newest readable backup archive (+Inf: none)",
        value=age.total_seconds() if age is not None else float("inf"),
    )
    yield GaugeMetricFamily(
        "industrienetz_backup_size_bytes",
        "Size of the newest readable backup archive",
        value=status.size,
    )
    yield GaugeMetricFamily(
        "industrienetz_scrape_timestamp_seconds",
        "When these values were computed",
        value=dt.datetime.now(dt.UTC).timestamp(),
    )


register_collector(installation_metrics)


class _ScrapeTime:
    """Adapter: the registered functions as one prometheus collector."""

    def collect(self) -> Iterable[Metric]:
        for collector in COLLECTORS:
            yield from collector()

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time only


def render() -> tuple[bytes, str]:
    """The exposition text of every metric (all workers' in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        per_request = generate_latest(registry)
    else:
        per_request = generate_latest(REGISTRY)
    state = CollectorRegistry()
    state.register(_ScrapeTime())
    return per_request + generate_latest(state), CONTENT_TYPE_LATEST
