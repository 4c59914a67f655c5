"""PostgreSQL: a request without write intent reads in autocommit mode (no `BEGIN`, no
`ROLLBACK`: one round trip per read), begins a transaction right before anything that is
not a plain read, and hands its connection back as a normal one. Pooled connections are
pinged only after lying unused, and a dropped one is replaced without an error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from crm.db import engine as engine_module
from crm.db import epoch as epochs
from crm.db.engine import begin_lazily
from crm.db.engine import reset_lazy_begin
from crm.extensions import db
from crm.models import Organisation
from crm.models import OrgType


@pytest.fixture
def pg(app: Any) -> Any:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("autocommit reads are PostgreSQL's; SQLite has its own lazy begin")
    return app


@contextmanager
def statuses(app: Any) -> Iterator[list[tuple[str, TransactionStatus, bool]]]:
    """(statement, transaction status after it, autocommit) of every statement meanwhile."""
    seen: list[tuple[str, TransactionStatus, bool]] = []

    def _after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        dbapi = conn.connection.driver_connection
        seen.append((statement, dbapi.info.transaction_status, dbapi.autocommit))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", _after)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", _after)


def test_a_logged_in_get_reads_without_a_transaction(pg, client, login_as):
    login_as("staff")
    with statuses(pg) as seen:
        assert client.get("/account/password").status_code == 200
    assert seen  # the session check at least
    for statement, status, autocommit in seen:
        assert autocommit, statement
        assert status == TransactionStatus.IDLE, statement  # nothing left open to roll back


def test_a_post_keeps_its_transaction(pg, client, login_as):
    login_as("staff")
    with statuses(pg) as seen:
        client.post("/account/password", data={"current": "falsch", "new": "x", "confirm": "x"})
    assert seen
    assert all(not autocommit for _, _, autocommit in seen)
    assert all(status == TransactionStatus.INTRANS for _, status, _ in seen)


@contextmanager
def lazy_request(app: Any) -> Iterator[None]:
    """A request context without write intent, as `enforce_session_policy` sets it up."""
    with app.test_request_context("/"):
        token = begin_lazily(True)
        try:
            yield
        finally:
            db.session.remove()
            reset_lazy_begin(token)


def test_a_write_in_a_read_request_is_one_transaction(pg):
    with lazy_request(pg):
        assert db.session.scalar(select(func.count(Organisation.id))) == 0
        dbapi = db.session.connection().connection.driver_connection
        assert dbapi.info.transaction_status == TransactionStatus.IDLE
        db.session.add(Organisation(name="Erste GmbH", type=OrgType.UNTERNEHMEN))
        db.session.flush()
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS  # BEGIN came first
        db.session.add(Organisation(name="Zweite GmbH", type=OrgType.UNTERNEHMEN))
        db.session.flush()
        db.session.rollback()  # both writes, and their audit entries, are undone together
    with lazy_request(pg):
        assert db.session.scalar(select(func.count(Organisation.id))) == 0
        db.session.add(Organisation(name="Dritte GmbH", type=OrgType.UNTERNEHMEN))
        db.session.commit()
    with pg.app_context():
        assert db.session.scalars(select(Organisation.name)).all() == ["Dritte GmbH"]


def test_locking_reads_and_server_side_cursors_get_a_transaction(pg, make):
    make.organisation(name="Gesperrt GmbH")
    with lazy_request(pg):
        dbapi = db.session.connection().connection.driver_connection
        locked = db.session.scalars(select(Organisation).with_for_update()).all()
        assert [o.name for o in locked] == ["Gesperrt GmbH"]
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS  # the lock is held
        db.session.rollback()
    with lazy_request(pg):
        # yield_per streams through a server-side cursor (DECLARE needs a transaction)
        rows = db.session.scalars(select(Organisation.name).execution_options(yield_per=10))
        assert list(rows) == ["Gesperrt GmbH"]


def test_the_next_user_of_the_connection_gets_a_transaction(pg, client, login_as):
    login_as("staff")
    assert client.get("/account/password").status_code == 200
    with pg.app_context():
        db.session.execute(text("SELECT 1"))
        dbapi = db.session.connection().connection.driver_connection
        assert not dbapi.autocommit
        assert dbapi.info.transaction_status == TransactionStatus.INTRANS
        db.session.rollback()


def test_a_connection_dropped_while_idle_is_replaced(pg, client, login_as, monkeypatch):
    login_as("staff")
    assert client.get("/account/password").status_code == 200
    with pg.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    # every pooled connection counts as idle for long, and the server drops them all
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert client.get("/account/password").status_code == 200
    with pg.app_context():
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        db.session.remove()


def test_a_connection_dropped_in_steady_use_costs_the_first_read_no_error(
    pg, client, login_as, monkeypatch
):
    login_as("staff")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)  # no ping before use
    with pg.app_context():
        db.session.remove()
        db.engine.dispose()
        engine = db.engine
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def drop_every_connection() -> None:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    assert client.get("/account/password").status_code == 200  # one pooled connection
    drop_every_connection()
    # the login check is kept (nothing was written): the data stamp, read the same way as
    # the check, meets the dropped connection first, leaves it and asks again
    assert client.get("/account/password").status_code == 200
    epochs.bump(engine)  # as after a write somewhere: the next request checks its login
    drop_every_connection()
    # the session check meets the dropped connection first: the same
    assert client.get("/account/password").status_code == 200
    assert client.get("/account/password").status_code == 200
