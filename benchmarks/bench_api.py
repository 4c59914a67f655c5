"""Benchmark of the JSON API at scale: `python -m benchmarks.bench_api`.

A scratch SQLite database (`benchmarks.bench_directory`'s helpers: migrations, reference
data, `seed-demo --size scale` = 20,000 organisations and 60,000 persons, one staff
account), a staff `read` token, then through the Flask test client p50/p95 over
`--requests` requests (after a warm-up) of `GET /api/v1/organisations` and
`/api/v1/persons`: the first page, a deep cursor page (after 90 % of the ids) and a
filtered page, each with its SQL statement count. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import statistics
import sys
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from benchmarks.bench_directory import BENCH_EMAIL
from benchmarks.bench_directory import BackendResult
from benchmarks.bench_directory import PageResult
from benchmarks.bench_directory import StatementCounter
from benchmarks.bench_directory import bench_config
from benchmarks.bench_directory import prepare
from benchmarks.bench_directory import scratch_sqlite


def read_token(app: Flask) -> str:
    """A `read` token of the benchmark's staff account (committed)."""
    from crm.api import tokens
    from crm.db.engine import writing
    from crm.extensions import db
    from crm.models import User

    with app.app_context(), writing():
        staff = db.session.scalars(select(User).where(User.email == BENCH_EMAIL)).one()
        _record, token = tokens.issue(staff, "bench", "read")
        db.session.commit()
    return token


def pages_to_measure(app: Flask) -> list[PageResult]:
    """First page, a deep cursor page and a filtered page of both lists."""
    from crm.api.schemas import encode_cursor
    from crm.extensions import db
    from crm.models import Organisation
    from crm.models import Person

    pages: list[PageResult] = []
    with app.app_context():
        for plural, model, filtered in (
            ("organisations", Organisation, "type=wirtschaftsverband"),
            ("persons", Person, "q=schmidt"),
        ):
            path = f"/api/v1/{plural}"
            total = int(db.session.scalar(select(func.count()).select_from(model)) or 0)
            deep = db.session.scalar(
                select(model.id).order_by(model.id).offset(total * 9 // 10).limit(1)
            )
            assert deep is not None  # noqa: S101 - the seeded lists are not empty
            pages.append(PageResult(path, "first page", path, 0))
            pages.append(
                PageResult(path, "deep cursor (90 %)", f"{path}?cursor={encode_cursor(deep)}", 0)
            )
            pages.append(PageResult(path, filtered, f"{path}?{filtered}", 0))
    return pages


def measure(
    app: Flask, client: FlaskClient, headers: dict[str, str], page: PageResult, requests: int
) -> None:
    """Fill in status, statements and p50/p95 of `page`."""
    from crm.extensions import db

    for _ in range(5):
        client.get(page.path, headers=headers)
    with app.app_context():
        engine = db.engine
    with StatementCounter(engine) as counter:
        page.status = client.get(page.path, headers=headers).status_code
    page.statements = counter.count
    timings: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(page.path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
    page.p50 = statistics.median(timings)
    page.p95 = statistics.quantiles(timings, n=100, method="inclusive")[94]


def run(args: argparse.Namespace) -> tuple[BackendResult, list[PageResult]]:
    """Seed a scratch SQLite database and measure the API's lists on it."""
    from crm import create_app

    result = BackendResult("sqlite")
    with scratch_sqlite() as url:
        config: dict[str, Any] = bench_config(url, secrets.token_hex(32))
        config["API_RATE_LIMIT"] = "1000000 per minute"  # not the limit measured
        app = create_app(config)
        logging.getLogger("crm.requests").disabled = True  # a log line per request otherwise
        prepare(app, result, args.size)
        headers = {"Authorization": f"Bearer {read_token(app)}"}
        client = app.test_client()
        pages = pages_to_measure(app)
        for page in pages:
            measure(app, client, headers, page, args.requests)
    return result, pages


def report(result: BackendResult, pages: list[PageResult]) -> str:
    """The figures as a Markdown table."""
    counts = ", ".join(f"{n:,} {kind}" for kind, n in result.counts.items())
    lines = [
        f"SQLite, seeded in {result.seed_seconds:.0f} s ({counts})",
        "",
        "| request | status | p50 ms | p95 ms | SQL |",
        "|---|---|---|---|---|",
    ]
    for page in pages:
        lines.append(
            f"| {page.group} {page.label} | {page.status} | {page.p50:.1f} | {page.p95:.1f}"
            f" | {page.statements} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="scale", help="seed-demo size (default: scale)")
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    args = parser.parse_args(argv)
    result, pages = run(args)
    print(report(result, pages))
    return 0 if all(page.status == 200 for page in pages) else 1


if __name__ == "__main__":
    sys.exit(main())
