"""Migrations: one head, an empty database upgrades, models and migrations do not drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy import text

from crm.extensions import db
from crm.extensions import migrate
from crm.models import Base
from crm.search import schema as search_schema


def test_single_head(app):
    with app.app_context():
        config = migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


def test_upgrade_creates_every_model_table(app):
    # the session fixture upgraded an empty database; running it again changes nothing
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_empty_database_upgrades(make_app, tmp_path):
    fresh = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/empty.sqlite")
    with fresh.app_context():
        upgrade()
        assert "initiatives" in inspect(db.engine).get_table_names()


def _autoincrement_tables() -> set[str]:
    with db.engine.connect() as conn:  # closed before the migration takes the write lock
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        return {name for name, sql in rows if "AUTOINCREMENT" in sql}


def test_sqlite_rebuilds_on_the_way_down_keep_autoincrement(make_app, tmp_path):
    # 0007 and 0008 rebuild outbox_mails, registrations and persons in batch mode (a new
    # CHECK constraint, dropped columns); each rebuild must keep AUTOINCREMENT (0006)
    fresh = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/down.sqlite")
    rebuilt = {"outbox_mails", "registrations", "persons"}
    with fresh.app_context():
        upgrade()
        assert rebuilt <= _autoincrement_tables()
        downgrade(revision="0006")
        assert rebuilt <= _autoincrement_tables()


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as conn:
        opts = {
            "compare_type": True,
            "include_name": search_schema.include_name,
            "include_object": search_schema.include_object,
        }
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
