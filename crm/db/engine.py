"""Engine set-up per backend: SQLite pragmas and write transactions that cannot deadlock.

SQLite allows one writer at a time. A transaction that starts as a reader and later
writes can fail at once with "database is locked" when another writer got there
first, whatever the busy timeout. So transactions that intend to write begin with
`BEGIN IMMEDIATE` (they wait for the write lock up front, up to the busy timeout);
read-only ones begin normally and never block writers under WAL.

A web request without write intent (a GET) begins no transaction at all: each of its
reads sees the newest committed data, as every statement does under PostgreSQL's default
READ COMMITTED, and the request spends no statement on `BEGIN`. Should such a request
write after all, `BEGIN IMMEDIATE` is issued right before its first write, so the write
and everything after it until the commit stay one transaction.

PostgreSQL does the same for requests without write intent: their connection runs in
autocommit mode, so a read costs one round trip instead of three (`BEGIN`, the read and
the `ROLLBACK` at its end), and `BEGIN` is sent right before the first statement that is
not a plain read (a write, `SELECT … FOR UPDATE`, a server-side cursor).

A pooled connection is pinged (`SELECT 1`) before use only when it lay unused for
`PING_AFTER_IDLE_S`, when a restarted server or a firewall may have dropped it; one in
steady use goes without (SQLAlchemy's `pool_pre_ping` pings on every checkout: one more
round trip per request). SQLite connections are never pinged: the database is a file.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextvars import ContextVar
from contextvars import Token
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import exc

SQLITE_BUSY_TIMEOUT_MS = 30_000

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_lazy_begin: ContextVar[bool] = ContextVar("lazy_begin", default=False)
# Statements that need no transaction begun first in a lazily begun context: reads, and
# the BEGIN of a transaction itself.
_NO_BEGIN_BEFORE = ("SELECT", "PRAGMA", "BEGIN")
# A read that locks rows needs a transaction to hold the locks (PostgreSQL).
_LOCKING_READ = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b", re.IGNORECASE)
# Pool record keys: the connection runs reads in autocommit mode; when it was last returned.
_AUTOCOMMIT_READS = "crm_autocommit_reads"
_RETURNED_AT = "crm_returned_at"
PING_AFTER_IDLE_S = 5.0


def set_write_intent(value: bool) -> Token[bool]:
    """Declare whether transactions begun from now on in this context will write; pass
    the returned token to `reset_write_intent` when that part (a request) is over."""
    return _write_intent.set(value)


def reset_write_intent(token: Token[bool] | None) -> None:
    """Undo `set_write_intent`: what runs after a request in the same thread (the next
    test, a command, a job run in-process) must not begin its reads as `BEGIN IMMEDIATE`
    (holding SQLite's write lock for as long as it reads)."""
    if token is None:
        return
    try:
        _write_intent.reset(token)
    except ValueError:  # set in another context: at least end the write intent here
        _write_intent.set(False)


def write_intent() -> bool:
    """Will transactions begun now in this context write (see `set_write_intent`)?"""
    return _write_intent.get()


def begin_lazily(value: bool) -> Token[bool]:
    """Declare whether reads from now on in this context run without a transaction (a web
    request without write intent); pass the returned token to `reset_lazy_begin`."""
    return _lazy_begin.set(value)


def reset_lazy_begin(token: Token[bool] | None) -> None:
    """Undo `begin_lazily` (see `reset_write_intent`)."""
    if token is None:
        return
    try:
        _lazy_begin.reset(token)
    except ValueError:
        _lazy_begin.set(False)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Begin transactions inside this block as SQLite write transactions."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_engine(engine: Engine) -> None:
    """Install the per-backend connection settings on `engine`."""
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
        return
    _ping_after_idle(engine)
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        _configure_postgresql(engine)


def autocommit_read(connection: Connection) -> None:
    """Let `connection` run the reads that follow without a transaction, as a request
    without write intent does: on PostgreSQL autocommit mode until the connection goes back
    to the pool (one round trip per read); SQLite's connections begin none unless told."""
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _read_in_autocommit(connection.connection)


def _read_in_autocommit(fairy: Any) -> None:
    """Switch a pooled psycopg connection to autocommit mode for reads, noted so that the
    pool's checkin switches it back (AUTOCOMMIT chosen by a caller stays the caller's)."""
    dbapi_connection = fairy.driver_connection
    if dbapi_connection is not None and not dbapi_connection.autocommit:
        dbapi_connection.autocommit = True
        fairy.info[_AUTOCOMMIT_READS] = True


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection before use if it lay unused for `PING_AFTER_IDLE_S` (instead
    of SQLAlchemy's `pool_pre_ping`, which pings on every checkout)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_S:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # as pool_pre_ping does: this connection and every older one are replaced
            raise exc.InvalidatePoolError() from error


def _configure_postgresql(engine: Engine) -> None:
    """Reads without write intent in autocommit mode; `BEGIN` before anything else."""
    import psycopg
    from psycopg.pq import TransactionStatus

    idle = TransactionStatus.IDLE

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        fairy = connection.connection
        if _lazy_begin.get() and not _write_intent.get():
            _read_in_autocommit(fairy)
        elif fairy.info.pop(_AUTOCOMMIT_READS, False):
            fairy.driver_connection.autocommit = False

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_write(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        fairy = connection.connection
        if not fairy.info.get(_AUTOCOMMIT_READS):
            return
        dbapi_connection = fairy.driver_connection
        if dbapi_connection.info.transaction_status != idle:
            return  # already in the transaction begun for a write
        plain_read = (
            not isinstance(cursor, psycopg.ServerCursor)  # DECLARE needs a transaction
            and _plain_read(statement)
        )
        if not plain_read:
            dbapi_connection.execute("BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        # the pool has rolled back whatever was open: the next user gets a normal connection
        restore = record.info.pop(_AUTOCOMMIT_READS, False)
        if restore and dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False


# statement text -> is it a read without row locks? The texts come from SQLAlchemy's
# compiled cache, so the same few hundred repeat (and a text's hash is computed once);
# the search for FOR UPDATE in a long statement costs more than the rest of this check.
_plain_reads: dict[str, bool] = {}
_PLAIN_READS_KEPT = 1024  # texts of a few kB at most: a few MB per process


def _plain_read(statement: str) -> bool:
    """Is `statement` a SELECT that locks no rows (so it needs no transaction)?"""
    return kept_answer(_plain_reads, _PLAIN_READS_KEPT, statement, _is_plain_read)


def _is_plain_read(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT" and not _LOCKING_READ.search(statement)


def kept_answer(
    answers: dict[str, bool], limit: int, statement: str, answer: Callable[[str], bool]
) -> bool:
    """`answer(statement)`, kept in `answers` by the statement's text (at most `limit` texts;
    then they start afresh): the texts come from SQLAlchemy's compiled cache and repeat."""
    known = answers.get(statement)
    if known is None:
        known = answer(statement)
        if len(answers) >= limit:
            answers.clear()
        answers[statement] = known
    return known


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas; `BEGIN IMMEDIATE` for write intent, no transaction for plain reads."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # erased values are overwritten in the file, not only unlinked (Art. 17 GDPR)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if _write_intent.get():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif not _lazy_begin.get():
            connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        dbapi_connection = connection.connection.driver_connection
        if dbapi_connection.in_transaction or not _lazy_begin.get():
            return
        if not statement.lstrip()[:6].upper().startswith(_NO_BEGIN_BEFORE):
            dbapi_connection.execute("BEGIN IMMEDIATE")
