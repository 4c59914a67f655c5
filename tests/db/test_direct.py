"""`crm.db.direct.DirectRead`: a Core SELECT run on the DB-API cursor gives what SQLAlchemy
would give, is seen by the engine's statement hooks, sees a change at once, and turns a
driver error into SQLAlchemy's exceptions without spoiling the pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import bindparam
from sqlalchemy import column
from sqlalchemy import event
from sqlalchemy import exc
from sqlalchemy import select
from sqlalchemy import table

from crm.db import datastamp
from crm.db.direct import DirectRead
from crm.extensions import db
from crm.models import Role
from crm.models import User

_USERS = select(*User.__table__.columns, *datastamp.STAMP_COLUMNS).where(
    User.id == bindparam("user_id")
)


def _through_sqlalchemy(user_id: int) -> tuple[Any, ...] | None:
    with db.engine.connect() as connection:
        row = connection.execute(_USERS, {"user_id": user_id}).one_or_none()
    return None if row is None else tuple(row)


def test_values_and_their_types_are_sqlalchemys(app, make):
    initiative = make.initiative()
    user = make.user(role="editor", initiative_id=initiative.id, language="en")
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.last_login_at = dt.datetime(2026, 12, 7, 9, 15, 30, tzinfo=dt.UTC)
        db.session.commit()
        read = DirectRead(_USERS)
        got = read.one_or_none(db.engine, {"user_id": user.id})
        want = _through_sqlalchemy(user.id)
        assert got is not None and want is not None
        assert got == want
        assert [type(value) for value in got] == [type(value) for value in want]
        assert Role.EDITOR in got
        assert read.one_or_none(db.engine, {"user_id": user.id + 1000}) is None


def test_a_change_is_seen_at_once(app, make):
    user = make.user(language="de")
    with app.app_context():
        read = DirectRead(select(User.language).where(User.id == bindparam("user_id")))
        assert read.one_or_none(db.engine, {"user_id": user.id}) == ("de",)
        assert read.one_or_none(db.engine, {"user_id": user.id}) == ("de",)
        db.session.get(User, user.id).language = "en"
        db.session.commit()
        assert read.one_or_none(db.engine, {"user_id": user.id}) == ("en",)


def test_the_engines_statement_hooks_see_it(app, make):
    user = make.user()
    seen: list[tuple[str, str]] = []

    def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(("before", statement))

    def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(("after", statement))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", _before)
        event.listen(engine, "after_cursor_execute", _after)
        try:
            DirectRead(_USERS).one_or_none(engine, {"user_id": user.id})
        finally:
            event.remove(engine, "before_cursor_execute", _before)
            event.remove(engine, "after_cursor_execute", _after)
    assert [when for when, _ in seen] == ["before", "after"]
    assert all("FROM users" in statement for _, statement in seen)


def test_a_driver_error_is_sqlalchemys_and_the_pool_stays_usable(app, make):
    user = make.user()
    broken = DirectRead(select(column("x")).select_from(table("no_such_table")))
    with app.app_context():
        with pytest.raises(exc.DBAPIError):
            broken.one_or_none(db.engine, {})
        assert DirectRead(_USERS).one_or_none(db.engine, {"user_id": user.id}) is not None
        assert db.session.get(User, user.id) is not None
