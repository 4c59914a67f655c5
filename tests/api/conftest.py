"""Fixtures of the API tests: a token for an account, the headers that carry it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from crm.api import tokens
from crm.db.engine import writing
from crm.extensions import db
from crm.models import User


@pytest.fixture
def token_for(app: Flask) -> Callable[..., str]:
    """`token_for(user, scope="read", **kw)`: a new token of `user` (committed)."""

    def _token(user: Any, scope: str = "read", **kw: Any) -> str:
        with app.app_context(), writing():
            account = db.session.get_one(User, user.id)
            _record, token = tokens.issue(account, kw.pop("name", "Test"), scope, **kw)
            db.session.commit()
        return token

    return _token


def bearer(token: str) -> dict[str, str]:
    """The header that carries `token`."""
    return {"Authorization": f"Bearer {token}"}
