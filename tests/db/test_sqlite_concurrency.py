"""32 concurrent writers: nothing lost, no "database is locked" (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.db.engine import writing
from crm.extensions import db
from crm.models import Organisation

WRITERS = 32
WRITES_EACH = 5


def test_concurrent_writers_lose_nothing(app):
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(WRITES_EACH):
                with app.app_context(), writing():
                    # read, then write in the same transaction: the pattern that
                    # deadlocks with deferred SQLite transactions
                    count = db.session.scalar(select(func.count(Organisation.id)))
                    db.session.add(
                        Organisation(name=f"Writer {n} #{i} after {count}", type="unternehmen")
                    )
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == WRITERS * WRITES_EACH


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas do not apply to PostgreSQL")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
