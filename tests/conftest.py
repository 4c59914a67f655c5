"""Shared fixtures: every database test runs on SQLite and again on PostgreSQL when reachable.

Fixtures:
- `database_url` (session, parametrized): a fresh SQLite file, or a fresh PostgreSQL database.
- `app`: the application on that database, schema migrated and reference data loaded
  once per backend; every table but the reference ones is emptied after each test.
- `client`, `runner`, `login_as(role)`, and factories `make_initiative(...)` etc.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import bindparam
from sqlalchemy import text
from werkzeug.serving import make_server

from crm import create_app
from crm.extensions import db
from crm.extensions import limiter
from crm.models import Base
from crm.web.pagination import clear_counts
from tests import factories

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REFERENCE_TABLES = {"bundeslaender", "kreise", "postcodes", "themes", "formats", "alembic_version"}
TEST_PASSWORD = "korrekt-pferd-batterie-42"


def postgres_unreachable_reason() -> str | None:
    """None when the test PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}".strip()


def base_config(database_url: str) -> dict[str, Any]:
    """The configuration of an app under test."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + secrets.token_hex(8),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # reads kept between requests end with a write only, never with a slow machine's
        # clock (the time bound has tests of its own: tests/app/test_kept_reads.py)
        "READS_KEPT_S": 3600.0,
    }


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database for this test session on one backend."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
        return
    reason = postgres_unreachable_reason()
    if reason:
        print(f"\nSKIP PostgreSQL tests: {reason}")  # noqa: T201 - the reason must be visible
        pytest.skip(reason)
    name = f"crm_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # a test database need not survive a crash of the server: commits do not wait for
        # the disk (about 1 ms each here)
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    base, _, _ = POSTGRES_URL.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _session_app(database_url: str) -> Iterator[Flask]:
    """One app per backend, migrated and loaded with reference data once."""
    from flask_migrate import upgrade

    from crm.db.engine import writing
    from crm.reference.loader import load_reference_data

    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        with writing():
            load_reference_data()
            db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


_SEQUENCES: dict[str, list[str]] = {}


def _sequences(tables: list[Any]) -> list[str]:
    """The sequences of the id columns of `tables` (PostgreSQL), looked up once per database."""
    url = db.engine.url.render_as_string(hide_password=True)
    if url not in _SEQUENCES:
        found = []
        for table in tables:
            for column in table.primary_key.columns:
                sequence = db.session.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'"{table.name}"', "column": column.name},
                ).scalar()
                if sequence:
                    found.append(sequence)
        _SEQUENCES[url] = found
    return _SEQUENCES[url]


def empty_tables(app: Flask) -> None:
    """Delete every row outside the reference tables."""
    with app.app_context():
        tables = [
            t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES
        ]
        # DELETE, not TRUNCATE: on PostgreSQL, truncating some 60 tables takes a quarter of a
        # second (new files for every table), deleting the few rows a test wrote 5 ms
        for table in tables:
            db.session.execute(table.delete())
        if db.engine.dialect.name == "postgresql":
            # like RESTART IDENTITY: each test's ids start at 1 again
            db.session.execute(
                text(
                    "SELECT setval(CAST(s AS regclass), 1, false)"
                    " FROM unnest(CAST(:sequences AS text[])) AS s"
                ),
                {"sequences": _sequences(tables)},
            )
        else:
            # like RESTART IDENTITY: each test starts its AUTOINCREMENT counters afresh
            # (within a test, ids are never reused)
            db.session.execute(
                text("DELETE FROM sqlite_sequence WHERE name IN :names").bindparams(
                    bindparam("names", expanding=True)
                ),
                {"names": [t.name for t in tables]},
            )
        db.session.commit()
    clear_counts()  # the audit ids, and so the data versions, start again


@pytest.fixture
def app(_session_app: Flask) -> Iterator[Flask]:
    """The app under test; the database is emptied (but for reference data) afterwards."""
    with _session_app.app_context():
        limiter.reset()
    yield _session_app
    empty_tables(_session_app)


@pytest.fixture
def make_app(database_url: str, _session_app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database with config overrides (e.g. CSRF on)."""
    made: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        cfg = base_config(database_url) | overrides
        new = create_app(cfg)
        made.append(new)
        return new

    yield _make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    empty_tables(_session_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> factories.Factories:
    """Factories that create flushed, committed records: `make.initiative(name=...)`."""
    return factories.Factories(app)


@pytest.fixture
def login_as(app: Flask, client: FlaskClient, make: factories.Factories) -> Callable[..., Any]:
    """Create a user of `role` and log the test client in as them; returns the user."""

    def _login(role: str = "staff", *, initiative: Any = None, email: str | None = None) -> Any:
        user = make.user(
            role=role,
            initiative_id=getattr(initiative, "id", None),
            email=email,
            password=TEST_PASSWORD,
        )
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
