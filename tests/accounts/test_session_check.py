"""The session check of every logged-in request (`crm.accounts.session.load_user`) runs one
statement: it must give the account as the ORM loads it, attached to the request's session,
count as a statement, and still take a logout, a locked account or a new password into
account at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.accounts.session import load_user
from crm.db import datastamp
from crm.extensions import db
from crm.models import AuditEntry
from crm.models import Role
from crm.models import User
from tests.conftest import TEST_PASSWORD
from tests.helpers import recorded


def test_the_account_is_the_one_the_orm_loads(app, make):
    user = make.user(role="editor", initiative_id=make.initiative().id, language="en")
    with app.app_context():
        stored = db.session.get(User, user.id)
        stored.last_login_at = dt.datetime(2026, 12, 6, 21, 30, tzinfo=dt.UTC)
        db.session.commit()
    with app.app_context(), Session(db.engine) as other:
        expected = other.get(User, user.id)
        expected_stamp = other.execute(select(*datastamp.STAMP_COLUMNS)).one()
    with app.test_request_context("/"):
        loaded = load_user(expected.session_token)
        assert loaded is not None
        for column in User.__table__.columns:
            key = User.__mapper__.get_property_by_column(column).key
            value, want = getattr(loaded, key), getattr(expected, key)
            assert value == want, key
            assert type(value) is type(want), key
        assert loaded.role is Role.EDITOR
        assert loaded.last_login_at == dt.datetime(2026, 12, 6, 21, 30, tzinfo=dt.UTC)
        stamp = db.session.info["data_stamp"]
        assert stamp == (expected_stamp[0], str(expected_stamp[1]), int(expected_stamp[2] or 0))
        # persistent in the request's session, unchanged, the same object on a second look
        state = inspect(loaded)
        assert state.persistent
        assert not state.modified
        assert loaded not in db.session.dirty
        assert db.session.get(User, user.id) is loaded


def test_an_unknown_or_inactive_token_is_nobody(app, make):
    user = make.user()
    with app.app_context():
        token = db.session.get(User, user.id).session_token
        db.session.get(User, user.id).active = False
        db.session.commit()
    with app.test_request_context("/"):
        assert load_user(token) is None
        assert load_user("no-such-token") is None
        assert load_user("") is None


def test_the_account_in_the_session_already_is_the_one_returned(app, make):
    user = make.user()
    with app.test_request_context("/"):
        present = db.session.get(User, user.id)
        assert load_user(present.session_token) is present


def test_a_change_to_the_account_is_saved_and_a_visit_changes_nothing(app, client, login_as):
    user = login_as("staff")
    with app.app_context():
        entries = db.session.scalar(select(func.count(AuditEntry.id)))
        before = db.session.get(User, user.id).session_token
    assert client.get("/account/password").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    copied = client.get_cookie("session").value
    new = "ein-neues-langes-passwort-7"
    response = client.post(
        "/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).session_token != before  # saved
    assert client.get("/account/password").status_code == 200  # this browser stays in
    other = app.test_client()
    other.set_cookie("session", copied)
    assert other.get("/account/password").status_code == 302  # a copy of the old cookie not


def test_the_check_counts_as_a_statement(app, client, login_as):
    login_as("staff")
    with recorded(app) as seen:
        assert client.get("/account/password").status_code == 200
    assert any("FROM users" in s and "session_token" in s for s in seen)


def test_logout_and_locking_take_effect_at_once(app, client, login_as, make):
    user = login_as("staff")
    assert client.get("/account/password").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
