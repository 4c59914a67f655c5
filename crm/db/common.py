"""Helpers shared by backup, restore and copy-db: tables, row counts, revisions, emptiness."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: Tables `init-db` fills with shipped reference data and seed vocabularies: a database
#: holding only these (and the migration stamp) still counts as empty.
REFERENCE_TABLES = frozenset({"bundeslaender", "kreise", "postcodes", "themes", "formats"})


class DbOpsError(RuntimeError):
    """A database operation refused or failed; the message says why, in German."""


def quote(name: str) -> str:
    """A table name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def count_sql(name: str) -> str:
    """`SELECT COUNT(*)` of one table (the name quoted as an identifier)."""
    return f"SELECT COUNT(*) FROM {quote(name)}"  # noqa: S608 - a quoted identifier


def table_names(conn: Connection) -> list[str]:
    """Every table of the database (FTS5 tables and their shadow tables included)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        return [row[0] for row in rows]
    return sorted(inspect(conn).get_table_names())


def row_counts(conn: Connection, names: list[str] | None = None) -> dict[str, int]:
    """Rows per table, read in the transaction `conn` is in."""
    counts: dict[str, int] = {}
    for name in names if names is not None else table_names(conn):
        counts[name] = int(conn.execute(text(count_sql(name))).scalar_one())
    return counts


def database_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is stamped with (None: not migrated)."""
    if "alembic_version" not in table_names(conn):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def script_directory() -> ScriptDirectory:
    """The migrations shipped with this code."""
    return ScriptDirectory(str(MIGRATIONS_DIR))


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return script_directory().get_current_head()


def is_known_revision(revision: str | None) -> bool:
    """Does this code know `revision` (None: an unmigrated database, known)?"""
    if revision is None:
        return True
    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def records_in(conn: Connection) -> dict[str, int]:
    """Tables that hold records (not reference data, not the stamp) and have rows."""
    from crm.models import Base

    present = set(table_names(conn))
    names = [
        t.name
        for t in Base.metadata.sorted_tables
        if t.name in present and t.name not in REFERENCE_TABLES
    ]
    return {name: n for name, n in row_counts(conn, names).items() if n}


def refuse_unless_empty(engine: Engine, what: str) -> None:
    """DbOpsError unless `engine`'s database holds no records."""
    with engine.connect() as conn:
        filled = records_in(conn)
    if filled:
        sample = ", ".join(f"{name} ({n})" for name, n in sorted(filled.items())[:5])
        raise DbOpsError(
            f"{what} ist nicht leer: {sample}. Es wird nichts überschrieben; "
            "bitte eine neue, leere Datenbank angeben."
        )


def libpq_url(engine: Engine) -> str:
    """The engine's PostgreSQL URL as libpq tools (pg_dump, psql) read it."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
