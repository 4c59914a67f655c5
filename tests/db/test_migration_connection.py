"""Running the migrations in-process leaves the connection pool as the engine set it up."""

from __future__ import annotations

from sqlalchemy import text

from crm.extensions import db


def test_init_db_in_process_leaves_foreign_keys_on(app, runner):
    """SQLite: env.py turns foreign keys off while migrations run; every pooled connection
    must have them on again afterwards, or ON DELETE actions silently stop working."""
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.session.execute(text("SELECT 1")).scalar() == 1
            return
        # the pool hands out the connection the migrations used; check a few to be sure
        connections = [db.engine.connect() for _ in range(3)]
        try:
            flags = [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections]
        finally:
            for c in connections:
                c.close()
    assert flags == [1, 1, 1]
