"""A read on a pooled connection's DB-API cursor, for the statements nearly every request runs.

A logged-in request checks its session token and reads the data stamp in one statement
(`crm.accounts.session.load_user`), unless it can use those of an earlier request
(`crm.db.kept`); a request that needs the data stamp alone reads it the same way
(`crm.db.datastamp`). Through the ORM session that check cost
about 0.3 ms of a request on SQLite and 0.7 ms on PostgreSQL, of which the database's own
share is about 0.03 ms and 0.15 ms (one round trip). The rest is SQLAlchemy's machinery
around it: the session's transaction, the execution context, the result and the ORM's
loading; on a page that shows little, that costs more than the page (issue #23, target 4).

`DirectRead` compiles a Core statement once per dialect, runs it on the DB-API cursor of
a connection from the engine's pool and converts the values with the columns' own result
processors, so they are what SQLAlchemy would return. What stays the same:

- the engine's `before_cursor_execute` and `after_cursor_execute` hooks see the statement
  like any other (the request log's and the tests' statement counts);
- on PostgreSQL the read runs in autocommit mode, as every read of a request without write
  intent does (`crm.db.engine`): one round trip, and it sees the newest committed data;
- after a driver error the connection is dropped from the pool and the statement runs once
  more through SQLAlchemy, which raises its own exception types; should that connection be
  dropped as well (a restarted server drops every pooled one), SQLAlchemy renews the pool
  and one last try gets a new connection.

Use it for a statement run on nearly every request, where the saving counts; everything
else goes through the session as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import exc
from sqlalchemy.engine import Dialect

from crm.db.engine import autocommit_read


class _Compiled:
    """A statement compiled for one dialect: its text, parameter order and converters."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        # the values fixed in the statement (such as a LIMIT's); the caller's come later
        required = {key: None for key, bind in compiled.binds.items() if bind.required}
        self.constants = compiled.construct_params(required)
        self.positions = tuple(compiled.positiontup or ())  # empty: the driver takes names
        self.processors: tuple[Callable[[Any], Any] | None, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        )
        self._last: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The DB-API parameters: a tuple or a mapping, as the driver wants them."""
        params = {**self.constants, **values}
        return tuple(params[name] for name in self.positions) if self.positions else params

    def converted(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The row's values as SQLAlchemy would return them (the same row as last time
        converted once: values such as dates and enum members cannot be changed in place)."""
        raw = tuple(row)
        last = self._last
        if last is not None and last[0] == raw:
            return last[1]
        values = tuple(
            value if process is None else process(value)
            for process, value in zip(self.processors, raw, strict=True)
        )
        self._last = (raw, values)
        return values


class DirectRead:
    """A Core SELECT of at most one row, run on the DB-API cursor (see the module)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def one_or_none(self, engine: Engine, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The row for these parameter values, or None."""
        dialect = engine.dialect
        compiled = self._compiled.get((dialect.name, dialect.driver))
        if compiled is None:
            compiled = self._compiled[(dialect.name, dialect.driver)] = _Compiled(
                self.statement, dialect
            )
        parameters = compiled.parameters(values)
        with engine.connect() as connection:
            autocommit_read(connection)
            try:
                row = _execute(connection, compiled.sql, parameters)
            except dialect.loaded_dbapi.Error:
                connection.invalidate()  # whatever went wrong, this connection is not reused
            else:
                return None if row is None else compiled.converted(row)
        return self._through_sqlalchemy(engine, values)

    def _through_sqlalchemy(
        self, engine: Engine, values: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """Once more, through SQLAlchemy: should the next pooled connection be dropped as
        well (a restarted server drops them all), SQLAlchemy sees the disconnect, renews the
        whole pool, and a last try gets a new connection."""
        try:
            return self._read(engine, values)
        except exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return self._read(engine, values)

    def _read(self, engine: Engine, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        with engine.connect() as connection:
            found = connection.execute(self.statement, values).one_or_none()
        return None if found is None else tuple(found)


def _execute(connection: Connection, sql: str, parameters: Any) -> Sequence[Any] | None:
    """Run `sql` on the connection's DB-API cursor, seen by the engine's statement hooks."""
    cursor = connection.connection.cursor()
    try:
        dispatch = connection.dispatch
        dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, False)
        cursor.execute(sql, parameters)
        row: Sequence[Any] | None = cursor.fetchone()
        dispatch.after_cursor_execute(connection, cursor, sql, parameters, None, False)
        return row
    finally:
        cursor.close()
