"""Reads kept per process (`crm.db.kept`): a page request after another costs no statement
to know who is logged in or the data stamp, yet a logout, a locked account or any other
write counts at once, in this process and in any other on the host; what the write epoch
cannot see (a change around the app) counts after `READS_KEPT_S`, and never for a request
that writes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from crm.accounts.session import load_user
from crm.db import datastamp
from crm.db import kept
from crm.db.engine import begin_lazily
from crm.db.engine import reset_lazy_begin
from crm.db.kept import KeptReads
from crm.extensions import db
from crm.models import Organisation
from crm.models import User
from tests.conftest import TEST_PASSWORD
from tests.helpers import recorded

PAGE = "/account/password"
CHECK = ("FROM users", "session_token")  # the login check
STAMP = ("max(audit_entries.id)",)  # the data stamp, with the check or alone


def matching(seen: list[str], words: tuple[str, ...]) -> list[str]:
    """The statements of `seen` that hold every one of `words`."""
    return [statement for statement in seen if all(word in statement for word in words)]


def _log_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _in_another_process(app: Flask, code: str) -> None:
    """Run `code` in an app of its own process on the same database (as another worker)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    script = textwrap.dedent(
        f"""
        from sqlalchemy import update
        from crm import create_app
        from crm.extensions import db
        from crm.models import User
        from tests import factories
        app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 32,
                          "SQLALCHEMY_DATABASE_URI": {url!r}}})
        """
    )
    subprocess.run([sys.executable, "-c", script + textwrap.dedent(code)], check=True, timeout=120)


def _lock_around_the_app(app: Flask, user_id: int) -> None:
    """Lock the account on a raw driver connection: no statement the engine sees."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            sql = {"sqlite": "UPDATE users SET active = FALSE WHERE id = ?"}.get(
                db.engine.dialect.name, "UPDATE users SET active = FALSE WHERE id = %s"
            )
            cursor.execute(sql, (user_id,))
            cursor.close()
            raw.commit()
        finally:
            raw.close()


def _is_sent_to_login(response: Any) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_page_after_another_is_served_without_a_check(app, client, login_as):
    user = login_as("staff")
    with recorded(app) as seen:
        assert client.get(PAGE).status_code == 200
        assert len(matching(seen, CHECK)) == 1  # the first after the login (a write) checks
        page = client.get(PAGE)
        assert page.status_code == 200
        assert len(matching(seen, CHECK)) == 1  # the second uses the kept check
    assert user.email in page.get_data(as_text=True)


def test_any_write_makes_the_next_page_check_again(app, client, login_as, make):
    login_as("staff")
    assert client.get(PAGE).status_code == 200
    make.organisation(name="Gießerei Auenland GmbH")  # anybody's save
    with recorded(app) as seen:
        assert client.get(PAGE).status_code == 200
        assert len(matching(seen, CHECK)) == 1


def test_a_logout_counts_at_once_for_a_copied_cookie(app, client, login_as):
    login_as("staff")
    assert client.get(PAGE).status_code == 200
    copied = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", copied)
    assert other.get(PAGE).status_code == 200  # kept for the copy too
    assert client.post("/logout").status_code == 302
    assert _is_sent_to_login(other.get(PAGE))


def test_a_lock_in_another_process_counts_at_once(app, client, login_as):
    user = login_as("staff")
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # kept
    _in_another_process(
        app,
        f"""
        with app.app_context():
            db.session.execute(update(User).where(User.id == {user.id}).values(active=False))
            db.session.commit()
        """,
    )
    assert _is_sent_to_login(client.get(PAGE))


def test_a_change_around_the_app_counts_after_the_kept_time(make_app, make):
    app = make_app(READS_KEPT_S=0.5)
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = _log_in(app, user.email)
    assert client.get(PAGE).status_code == 200
    _lock_around_the_app(app, user.id)
    started = time.monotonic()
    page = client.get(PAGE)
    if time.monotonic() - started < 0.5:  # within the kept time, on a slow machine or not
        assert page.status_code == 200  # the lock is not seen yet: the window documented
    # a request that writes checks inside its transaction, kept or not
    assert _is_sent_to_login(client.post(PAGE, data={}))
    time.sleep(0.6)
    assert _is_sent_to_login(client.get(PAGE))


def test_with_no_kept_time_every_page_checks(make_app, make):
    app = make_app(READS_KEPT_S=0)
    user = make.user(role="staff", password=TEST_PASSWORD)
    client = _log_in(app, user.email)
    with recorded(app) as seen:
        for _ in range(3):
            assert client.get(PAGE).status_code == 200
        assert len(matching(seen, CHECK)) == 3
    _lock_around_the_app(app, user.id)
    assert _is_sent_to_login(client.get(PAGE))


def test_the_kept_account_is_the_one_the_orm_loads(app, make):
    user = make.user(role="editor", initiative_id=make.initiative().id, language="en")
    with app.app_context():
        token = db.session.get(User, user.id).session_token
    values = []
    for _ in range(2):  # checked, then kept
        with app.test_request_context("/"):
            loaded = load_user(token)
            state = inspect(loaded)
            assert state.persistent
            assert not state.modified
            assert db.session.get(User, user.id) is loaded
            values.append({c.key: getattr(loaded, c.key) for c in User.__mapper__.column_attrs})
    assert values[0] == values[1]
    assert values[1]["language"] == "en"


def test_the_kept_checks_are_bounded(app, make, monkeypatch):
    monkeypatch.setattr(kept, "MAX_ENTRIES", 3)
    reads: KeptReads[tuple[int]] = KeptReads()
    with app.app_context():
        seen = reads.epoch(db.engine)
        for n in range(7):
            reads.keep(db.engine, f"token-{n}", seen, (n,))
        assert len(reads._kept) <= 3
        assert reads.get(db.engine, "token-6") == (6,)
        assert reads.get(db.engine, "token-0") is None
        reads.clear()
        assert reads.get(db.engine, "token-6") is None


def test_the_data_stamp_is_kept_until_a_write_in_any_process(app, client, login_as, make):
    login_as("staff")
    make.organisation(name="Gießerei Auenland GmbH")
    with app.test_request_context("/"):
        first = datastamp.data_stamp()  # read, and kept
    with recorded(app) as seen, app.test_request_context("/"):
        assert datastamp.data_stamp() == first
        assert matching(seen, STAMP) == []
    with recorded(app) as seen:  # a page: neither the check nor the stamp read
        assert client.get("/organisations/").status_code == 200
        assert client.get("/organisations/").status_code == 200
        assert len(matching(seen, STAMP)) <= 1
        seen.clear()
        page = client.get("/organisations/")
        assert matching(seen, STAMP) == []
    assert "Gießerei Auenland GmbH" in page.get_data(as_text=True)
    _in_another_process(
        app,
        """
        factories.Factories(app).organisation(name="Walzwerk Brückenland AG")
        """,
    )
    with app.test_request_context("/"):
        assert datastamp.data_stamp()[0] > first[0]  # the other process's write counts
    assert "Walzwerk Brückenland AG" in client.get("/organisations/").get_data(as_text=True)


def test_a_request_that_wrote_reads_the_stamp_inside_and_keeps_it_for_nobody(app, make):
    organisation = make.organisation(name="Gießerei Auenland GmbH")
    with app.test_request_context("/"):
        before = datastamp.data_stamp()
    with app.test_request_context("/"):
        token = begin_lazily(True)  # as a GET request: reads without a transaction
        db.session.get(Organisation, organisation.id).name = "Gießerei Auenland AG"
        inside = datastamp.data_stamp()  # flushed first, as a query would
        assert inside[0] > before[0]  # its own audit entry, not committed
        db.session.rollback()
        reset_lazy_begin(token)
    with app.test_request_context("/"):
        assert datastamp.data_stamp() == before  # the rolled-back stamp was not kept
