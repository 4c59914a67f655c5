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
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from contextvars import Token
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event

SQLITE_BUSY_TIMEOUT_MS = 30_000

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_lazy_begin: ContextVar[bool] = ContextVar("lazy_begin", default=False)
# Statements that need no transaction begun first in a lazily begun context: reads, and
# the BEGIN of a transaction itself.
_NO_BEGIN_BEFORE = ("SELECT", "PRAGMA", "BEGIN")


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
    if engine.dialect.name != "sqlite":
        return

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
