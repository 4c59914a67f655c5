"""The list queries at (moderate) scale on PostgreSQL: EXPLAIN ANALYZE of every statement
that the list pages run, for every sort, on the first, a middle and the last page; no
sequential scan of a large table, no sort spilling to disk (issue #23, target 7).

PostgreSQL only (SQLite has neither the planner nor the statistics this is about): the
module seeds its own database once (`seed-demo --size scale` with fewer rows, then the
statistics refresh that seed-demo does) and is skipped, with the reason printed, when the
server does not answer. The statements are captured from real requests, so this checks
what the pages run, not a copy of their queries; each page is requested once before, so
that what is kept per data version (the counts) is not counted as per-request work.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy import text

from crm import create_app
from crm.extensions import db
from tests.conftest import POSTGRES_URL
from tests.conftest import base_config
from tests.conftest import postgres_unreachable_reason

ORGANISATIONS, PERSONS = 10_000, 15_000
LARGE = 5_000  # rows from which a table must not be read in full for one page
EMAIL, PASSWORD = "explain-staff@example.org", "explain-" + secrets.token_hex(8)
LISTS = ("initiatives", "organisations", "persons")


@pytest.fixture(scope="module")
def scaled_app() -> Iterator[Flask]:
    """An app on its own PostgreSQL database, seeded at moderate scale and analysed."""
    reason = postgres_unreachable_reason()
    if reason:
        print(f"\nSKIP EXPLAIN tests: {reason}")  # noqa: T201 - the reason must be visible
        pytest.skip(reason)
    from flask_migrate import upgrade

    from crm.accounts.services import create_user
    from crm.db.engine import writing
    from crm.db.statistics import refresh_statistics
    from crm.demo.seed import seed_demo
    from crm.reference.loader import load_reference_data

    name = f"crm_explain_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    app = create_app(base_config(f"{base}/{name}"))
    try:
        with app.app_context():
            upgrade()
            with writing():
                load_reference_data()
                seed_demo(size="scale", seed=2021, orgs=ORGANISATIONS, persons=PERSONS)
                create_user(EMAIL, "staff", PASSWORD)
                db.session.commit()
            refresh_statistics(vacuum=True)  # what seed-demo does after its load
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def staff(scaled_app: Flask) -> FlaskClient:
    """A test client logged in as staff."""
    client = scaled_app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _sorts(name: str) -> list[str]:
    from crm.directory import queries

    spec = {
        "initiatives": queries.INITIATIVE_LIST,
        "organisations": queries.ORGANISATION_LIST,
        "persons": queries.PERSON_LIST,
    }[name]
    return list(spec.sorts)


def _urls(app: Flask) -> list[str]:
    """Every sort of every list, ascending, on its first, middle and last page."""
    from sqlalchemy import func
    from sqlalchemy import select

    from crm.models import Initiative
    from crm.models import Organisation
    from crm.models import Person

    per_page = int(app.config["PAGE_SIZE"])
    urls = []
    with app.app_context():
        for name, model in zip(LISTS, (Initiative, Organisation, Person), strict=True):
            total = int(db.session.scalar(select(func.count()).select_from(model)) or 0)
            last = max(1, math.ceil(total / per_page))
            for sort in _sorts(name):
                for page in sorted({1, max(1, last // 2), last}):
                    urls.append(f"/{name}/?sort={sort}&page={page}")
            urls.append(f"/{name}/?dir=desc&page={max(1, last // 3)}")
    return urls


def _selects(app: Flask, client: FlaskClient, url: str) -> list[tuple[str, Any]]:
    """The SELECT statements (with their parameters) of one request."""
    captured: list[tuple[str, Any]] = []

    def _capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_a: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _capture)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", _capture)
    assert response.status_code == 200, url
    return captured


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _problems(plan: dict[str, Any], sizes: dict[str, float]) -> list[str]:
    found = []
    for node in _nodes(plan):
        relation = node.get("Relation Name", "")
        if node["Node Type"] == "Seq Scan" and sizes.get(relation, 0) >= LARGE:
            found.append(f"sequential scan of {relation} ({sizes[relation]:,.0f} rows)")
        if node["Node Type"] in ("Sort", "Incremental Sort") and (
            node.get("Sort Space Type") == "Disk" or "external" in node.get("Sort Method", "")
        ):
            found.append(f"sort on disk ({node.get('Sort Method')})")
    return found


def test_every_list_query_uses_an_index_and_sorts_in_memory(
    scaled_app: Flask, staff: FlaskClient
) -> None:
    """Each statement of each list page: no full read of a large table, no disk sort."""
    with scaled_app.app_context():
        sizes = {
            name: float(rows)
            for name, rows in db.session.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
            )
        }
        assert sizes["persons"] >= PERSONS  # the statistics are current after the load
    failures, timings = [], []
    for url in _urls(scaled_app):
        staff.get(url)  # what is kept per data version is kept now
        for statement, parameters in _selects(scaled_app, staff, url):
            with scaled_app.app_context():
                connection = db.session.connection()
                result = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
                )
                explained = result.scalar_one()
                db.session.rollback()
            root = explained[0] if isinstance(explained, list) else explained
            timings.append((root["Execution Time"], url, statement.split("FROM", 1)[-1][:60]))
            failures += [f"{url}: {p}\n  {statement[:300]}" for p in _problems(root["Plan"], sizes)]
    slowest = sorted(timings, reverse=True)[:5]
    print("\nslowest list statements (EXPLAIN ANALYZE, ms):")  # noqa: T201
    for ms, url, where in slowest:
        print(f"  {ms:7.2f}  {url}  FROM{where}")  # noqa: T201
    assert not failures, "\n".join(failures)


def test_the_count_of_a_list_is_not_repeated_per_request(
    scaled_app: Flask, staff: FlaskClient
) -> None:
    """Paging through a list counts it once per data version, not on every page."""
    staff.get("/persons/?page=3")
    later = _selects(scaled_app, staff, "/persons/?page=4")
    assert not [s for s, _ in later if "count(" in s.lower()], later
