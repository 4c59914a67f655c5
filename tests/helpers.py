"""Small helpers shared by the test folders: form fields in a page, row counts, a CSRF login,
the statements a block runs."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db
from crm.models import Postcode
from tests.conftest import TEST_PASSWORD


@contextmanager
def recorded(app: Flask) -> Iterator[list[str]]:
    """The SQL of every statement the app's engine runs meanwhile, whitespace folded."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def days_from_today(offset: int | None) -> dt.date | None:
    """Today plus `offset` days (None for None), worked out when a test runs: a date worked
    out when the tests are collected is yesterday's for a run that passes midnight."""
    return None if offset is None else dt.date.today() + dt.timedelta(days=offset)


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def hidden_field(page: str, name: str) -> str:
    """The value of the (hidden) input `name` in `page`, unescaped; fails when there is none."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def count_rows(app: Flask, model: Any, *where: Any) -> int:
    """How many rows of `model` there are (that match `where`)."""
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def csrf_client(app: Flask, user: Any) -> FlaskClient:
    """A client of `app` (CSRF protection on) logged in as `user` with a valid token."""
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    login = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token[1]}
    )
    assert login.status_code == 302
    return client


def with_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Form data: `data` with `overrides`, where an override of None leaves the field out."""
    return {k: v for k, v in (data | overrides).items() if v is not None}


def plz_spanning(column: Any) -> Any:
    """A query of the PLZ, in order, whose places lie in more than one `column` (Kreis, Land)."""
    return (
        select(Postcode.plz)
        .group_by(Postcode.plz)
        .having(func.count(func.distinct(column)) > 1)
        .order_by(Postcode.plz)
    )


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows of one of our CSV downloads (UTF-8 with a byte order mark, semicolons)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def assert_turned_away(response: Any, who: str) -> None:
    """`who` may not use the page: an anonymous visitor is sent to the login (and back after
    it), anyone signed in gets 403."""
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == 403
