"""A cheap stamp that changes whenever the data changes, for caches such as the network graph.

Every write through the app leaves an audit entry (see `crm.db.audit`), and bulk loads
such as `seed-demo` record one as well, so the newest audit id is a version number of
the whole database that costs one indexed MAX() to read.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry


def data_version() -> int:
    """The current data version (0 for an empty database)."""
    return int(db.session.scalar(select(func.max(AuditEntry.id))) or 0)
