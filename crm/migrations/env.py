"""Alembic environment: migrations run against the app's engine and model metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from crm.search import schema as search_schema

config = context.config
if config.config_file_name:
    # keep loggers that the app (or pytest) configured before a migration runs
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    """The app's SQLAlchemy engine."""
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Emit SQL to stdout instead of running it (alembic --sql)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations on a connection of the app's engine."""

    def process_revision_directives(context, revision, directives):
        # `flask db migrate` with no model changes writes no empty revision
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # the backend-specific search index (FTS5 table, pg_trgm index) is not in the models
    conf_args.setdefault("include_name", search_schema.include_name)
    conf_args.setdefault("include_object", search_schema.include_object)

    with get_engine().connect() as connection:
        # SQLite: a migration that rebuilds a table (batch mode: copy, drop, rename) must
        # not fire the ON DELETE actions of the dropped original, so foreign keys are off
        # while migrations run (a pragma that only works outside a transaction, hence on
        # the driver connection before ours begins); each such migration ends with
        # `PRAGMA foreign_key_check`.
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **conf_args
            )
            with context.begin_transaction():
                context.run_migrations()
            # the pragma below is a no-op inside a transaction: end the one a run may leave
            # open, or the pooled connection keeps foreign keys off for whoever uses it
            # next in this process
            if connection.in_transaction():
                connection.commit()
        finally:
            if sqlite:
                if connection.in_transaction():  # only after a failed migration
                    connection.rollback()
                driver.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
