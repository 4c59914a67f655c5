"""copy-db: move an office from the embedded SQLite to PostgreSQL.

1. The source must be at the newest migration; the target must hold no records.
2. The target is migrated to the head (the schema, the search index, the stamp).
3. Every table of the models is copied in dependency order, in batches, in one target
   transaction, from one read snapshot of the source. A column that points into its own
   table (an organisation's parent) is filled in afterwards, so row order never matters.
4. Every sequence starts above the largest id — and above SQLite's AUTOINCREMENT counter,
   so that an id SQLite had handed out once is not given out again.
5. The row counts of every table are compared; any difference is an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import select
from sqlalchemy import text

from crm.db.common import DbOpsError
from crm.db.common import database_revision
from crm.db.common import head_revision
from crm.db.common import quote
from crm.db.common import refuse_unless_empty
from crm.db.common import row_counts

BATCH_SIZE = 2000


@dataclass
class CopyResult:
    """Rows per table in the source and the target, and how long it took."""

    source: dict[str, int]
    target: dict[str, int]
    seconds: float


def copy_database(
    source: Engine,
    target_app: Flask,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> CopyResult:
    """Copy every table of `source` into the database of `target_app` (see module doc)."""
    from flask_migrate import upgrade

    from crm.extensions import db
    from crm.models import Base

    started = time.perf_counter()
    with target_app.app_context():
        target: Engine = db.engine
        if target.dialect.name != "postgresql":
            raise DbOpsError("Das Ziel von copy-db muss eine PostgreSQL-Datenbank sein.")
        if source.url == target.url:
            raise DbOpsError("Quelle und Ziel sind dieselbe Datenbank.")
        with source.connect() as conn:
            revision = database_revision(conn)
        if revision != head_revision():
            raise DbOpsError(
                f"Die Quelle steht auf Migration {revision}, nicht auf {head_revision()}. "
                "Bitte zuerst `flask --app crm db upgrade` auf der Quelle ausführen."
            )
        refuse_unless_empty(target, "Die Zieldatenbank")
        upgrade()
        tables = list(Base.metadata.sorted_tables)
        with source.connect() as src, target.begin() as dst:
            counters = _sqlite_counters(src)
            # the migrations may have seeded rows (none today); the copy replaces them
            for table in reversed(tables):
                dst.execute(table.delete())
            for table in tables:
                copied = _copy_table(src, dst, table, batch_size)
                if progress:
                    progress(table.name, copied)
            _set_sequences(dst, tables, counters)
            names = [t.name for t in tables]
            source_counts = row_counts(src, names)
            target_counts = row_counts(dst, names)
            if source_counts != target_counts:
                wrong = [n for n in names if source_counts[n] != target_counts[n]]
                raise DbOpsError(
                    "Die Zeilenzahlen weichen ab (" + ", ".join(wrong) + "); nichts übernommen."
                )
    return CopyResult(source_counts, target_counts, time.perf_counter() - started)


def _self_references(table: Table) -> list[str]:
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.nullable
    ]


def _copy_table(src: Connection, dst: Connection, table: Table, batch_size: int) -> int:
    """Copy `table` in batches ordered by its key; self-references are set afterwards."""
    deferred = _self_references(table)
    order = list(table.primary_key.columns) or list(table.columns)
    result = src.execution_options(yield_per=batch_size).execute(select(table).order_by(*order))
    later: list[dict[str, Any]] = []
    copied = 0
    for partition in result.mappings().partitions(batch_size):
        rows = [dict(row) for row in partition]
        if deferred:
            for row in rows:
                values = {c: row[c] for c in deferred if row[c] is not None}
                if values:
                    later.append({"_key": {c.name: row[c.name] for c in order}, **values})
                    for c in values:
                        row[c] = None
        dst.execute(table.insert(), rows)
        copied += len(rows)
    for item in later:
        key = item.pop("_key")
        clause = [table.c[name] == value for name, value in key.items()]
        dst.execute(table.update().where(*clause).values(**item))
    return copied


def _sqlite_counters(src: Connection) -> dict[str, int]:
    """SQLite's AUTOINCREMENT counters (the largest id ever handed out per table)."""
    if src.dialect.name != "sqlite":
        return {}
    exists = src.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).scalar()
    if not exists:
        return {}
    return {
        name: int(seq) for name, seq in src.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
    }


def _set_sequences(dst: Connection, tables: list[Table], counters: dict[str, int]) -> None:
    """Each sequence continues after max(id) (and after SQLite's counter)."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        column = keys[0]
        sequence = dst.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if not sequence:
            continue
        largest = dst.execute(
            text(f"SELECT COALESCE(MAX({quote(column.name)}), 0) FROM {quote(table.name)}")  # noqa: S608
        ).scalar_one()
        value = max(int(largest), counters.get(table.name, 0))
        if value > 0:
            dst.execute(text("SELECT setval(:s, :v, true)"), {"s": sequence, "v": value})
        else:
            dst.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
