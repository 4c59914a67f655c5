"""A cheap stamp that changes whenever the data changes, for caches such as the network graph.

Every write through the app leaves an audit entry (see `crm.db.audit`), and bulk loads
such as `seed-demo` record one as well, so the newest audit id is a version number of
the whole database that costs one indexed MAX() to read. The stamp adds the time of that
entry (ids start again after a database is emptied or restored to an older state; the
time tells such a version apart from the one cached before) and the newest of the review
feed's "seen" marks, which are no audited records.

A request that does not write uses the stamp read by an earlier one while nothing has
been written on this host since (`crm.db.kept`), so that whatever is cached by data version
(`cached`) costs it no statement at all. Otherwise the stamp is read in the same statement
as the account when the login is checked (`crm.accounts.session.load_user` selects
`STAMP_COLUMNS` beside the user and hands them to `remember`), or on its own by the first
`data_stamp()`. Within a session it holds for the transaction: a flush, a commit or a
rollback forgets it, and the next `data_stamp()` looks again; a transaction that has written
reads it inside, where its own writes are seen, and keeps it for no other request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from typing import Any
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.db.direct import DirectRead
from crm.db.engine import write_intent
from crm.db.epoch import wrote
from crm.db.kept import KeptReads
from crm.extensions import db
from crm.models import AuditEntry
from crm.models import AuditEntrySeen

T = TypeVar("T")
Stamp = tuple[int, str, int]

_STAMP_KEY = "data_stamp"
MAX_ENTRIES = 512

# The parts of the stamp as scalar subqueries, to be selected beside something else.
STAMP_COLUMNS = (
    select(func.max(AuditEntry.id)).scalar_subquery(),
    select(AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1).scalar_subquery(),
    select(func.max(AuditEntrySeen.id)).scalar_subquery(),
)

# Read on its own when nothing else read it, the way the login check is (`crm.db.direct`).
_STAMP_READ = DirectRead(select(*STAMP_COLUMNS))
_KEPT: KeptReads[Stamp] = KeptReads()

_entries: OrderedDict[tuple[str, Stamp, str, Hashable], Any] = OrderedDict()
_lock = threading.Lock()


def remember(
    audit_max: int | None, audit_at: Any, seen_max: int | None, *, seen: bytes | None = None
) -> Stamp:
    """Use a stamp read by another statement (see `STAMP_COLUMNS`) for this transaction, and
    keep it for other requests when the epoch `seen` was read before that statement."""
    stamp = (int(audit_max or 0), str(audit_at), int(seen_max or 0))
    db.session.info[_STAMP_KEY] = stamp
    if seen is not None:
        _KEPT.keep(db.engine, _STAMP_KEY, seen, stamp)
    return stamp


def data_stamp() -> Stamp:
    """(newest audit id, its time, newest seen mark id): see the module."""
    session = db.session()  # the request's own (the scoped proxy lacks in_transaction)
    stamp: Stamp | None = session.info.get(_STAMP_KEY)
    if stamp is not None:
        return stamp
    if session.autoflush:
        session.flush()  # as a query would: what is pending is part of the stamp
    if write_intent() or (session.in_transaction() and wrote(session.connection())):
        # its own writes are not committed: only its transaction sees them
        return remember(*session.execute(select(*STAMP_COLUMNS)).one())
    stamp = _KEPT.get(db.engine, _STAMP_KEY)
    if stamp is None:
        seen = _KEPT.epoch(db.engine)
        row = _STAMP_READ.one_or_none(db.engine, {})
        return remember(*(row or (None, None, None)), seen=seen)  # aggregates: one row
    session.info[_STAMP_KEY] = stamp
    return stamp


def data_version() -> int:
    """The current data version (0 for an empty database)."""
    return data_stamp()[0]


def cached(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, computed once per process for this database, data stamp, `name` and
    `key` (e.g. an account id and the day). The result must not hold ORM objects bound to
    a session: plain values, tuples, named tuples."""
    database = db.engine.url.render_as_string(hide_password=True)
    full_key = (database, data_stamp(), name, key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            result: T = _entries[full_key]
            return result
    value = compute()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value (tests, after they empty the database and ids restart)."""
    with _lock:
        _entries.clear()


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_STAMP_KEY, None)


# Every session forgets its stamp whenever its data may have changed.
event.listen(Session, "after_flush", _forget)
event.listen(Session, "after_transaction_end", _forget)
