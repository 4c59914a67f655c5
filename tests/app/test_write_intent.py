"""The write intent of a request (SQLite's `BEGIN IMMEDIATE`) ends with the request: what
runs afterwards in the same thread (the next test, a command, a job run in-process)
reads without holding the write lock."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Organisation


@pytest.mark.parametrize("method", ["post", "get"])
def test_a_request_leaves_no_write_intent_behind(app, client, method):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has no database-wide write lock")
        path = db.engine.url.database
    getattr(client, method)("/login", data={"email": "x@example.org", "password": "falsch"})
    with app.app_context():
        # a read after the request; its transaction stays open while another connection
        # takes the write lock (which fails at once if the read holds it)
        assert db.session.scalar(select(func.count(Organisation.id))) == 0
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO organisations (name, sort_name, type, version, created_at, "
                "updated_at) VALUES ('Nach der Anfrage GmbH', 'nach der anfrage gmbh', "
                "'unternehmen', 1, '2026-01-01', '2026-01-01')"
            )
            other.execute("COMMIT")
        finally:
            other.close()
        db.session.rollback()
        assert db.session.scalar(select(func.count(Organisation.id))) == 1
