"""The planner's statistics, refreshed after bulk loads (seed-demo, imports).

PostgreSQL plans every list query from the statistics of its tables; a table of 60,000
persons that was never analysed is read in full and sorted where an index would have
served (the autovacuum daemon catches up only after a while). VACUUM also marks the pages
as all-visible, which lets the deep pages of a list read their ids from the index alone
(see `crm.web.pagination`). SQLite's planner reads `sqlite_stat1`, which ANALYZE fills.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text

from crm.extensions import db

# The tables that a bulk load fills and whose lists are paged.
BULK_TABLES = (
    "initiatives",
    "organisations",
    "memberships",
    "persons",
    "affiliations",
    "initiative_roles",
    "consents",
    "audit_entries",
)


def refresh_statistics(tables: Iterable[str] = BULK_TABLES, *, vacuum: bool = False) -> None:
    """ANALYZE `tables` (PostgreSQL: with `vacuum`, VACUUM (ANALYZE) them); outside of any
    transaction of the session, so call it after the load's commit."""
    names = [name for name in tables if name.replace("_", "").isalnum()]  # our own names
    engine = db.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
            connection.execute(text(f"{command} {', '.join(names)}"))
        else:
            for name in names:
                connection.execute(text(f"ANALYZE {name}"))
