"""Who is logged in: loading users by session token, timeouts, login required by default."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.wrappers import Response

from crm.db import datastamp
from crm.db.audit import set_actor
from crm.db.engine import begin_lazily
from crm.db.engine import reset_lazy_begin
from crm.db.engine import reset_write_intent
from crm.db.engine import set_write_intent
from crm.extensions import db
from crm.models import User
from crm.models.base import utcnow

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The idle timeout counts from the last request, noted in the session cookie to the
# minute: a request within a minute of the last note changes no cookie, so it is neither
# signed nor sent again (SESSION_REFRESH_EACH_REQUEST is off). The session may end up to
# a minute early, never late.
SEEN_AT_RESOLUTION_S = 60
# Where a user with a one-time password may go before choosing their own.
_ALLOWED_BEFORE_CHANGE = frozenset(
    {"accounts.password", "accounts.logout", "static", "main.set_language"}
)


def public(view: F) -> F:
    """Mark a view as reachable without login (everything else requires one)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


# The session check: the account of the token, if active, and the data stamp, in one
# statement, so that what the page caches by data version (vocabularies, the navigation's
# counts) costs it no further statement. Built once: a request spends no time composing it.
_MAPPER = User.__mapper__
_USER_COLUMNS = tuple(User.__table__.columns)
_USER_KEYS = tuple(_MAPPER.get_property_by_column(c).key for c in _USER_COLUMNS)
_LOAD_USER = select(*_USER_COLUMNS, *datastamp.STAMP_COLUMNS).where(
    User.session_token == bindparam("token"), User.active.is_(True)
)


class _SessionCheck:
    """`_LOAD_USER` compiled once per dialect, to be run on the DB-API cursor of the ORM
    session's connection: every logged-in request runs it, and SQLAlchemy's execution and
    ORM loading (about half of the cost of a request to a trivial page) would add nothing
    but the conversion of the values, done here by the columns' own result processors."""

    def __init__(self, dialect: Dialect) -> None:
        compiled = _LOAD_USER.compile(dialect=dialect)
        self.sql = compiled.string
        self.params = compiled.construct_params({"token": ""})
        self.positions = tuple(compiled.positiontup or ())
        self.processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _LOAD_USER.selected_columns
        )

    def parameters(self, token: str) -> Any:
        """The DB-API parameters for `token` (a tuple or a mapping, as the driver wants)."""
        params: dict[str, Any] = {**self.params, "token": token}
        return tuple(params[name] for name in self.positions) if self.positions else params

    def values(self, row: Sequence[Any]) -> list[Any]:
        """The row's values as SQLAlchemy would return them."""
        return [
            value if process is None else process(value)
            for process, value in zip(self.processors, row, strict=True)
        ]


_checks: dict[tuple[str, str], _SessionCheck] = {}


def load_user(session_token: str) -> User | None:
    """Flask-Login's user loader: the cookie carries the session token, not the user id."""
    if not session_token:
        return None
    connection = db.session.connection()
    dialect = connection.dialect
    check = _checks.get((dialect.name, dialect.driver))
    if check is None:
        check = _checks[(dialect.name, dialect.driver)] = _SessionCheck(dialect)
    parameters = check.parameters(session_token)
    cursor = connection.connection.cursor()
    try:
        # the engine's statement hooks see it as any other statement (counts, lazy begin)
        dispatch = connection.dispatch
        dispatch.before_cursor_execute(connection, cursor, check.sql, parameters, None, False)
        cursor.execute(check.sql, parameters)
        row = cursor.fetchone()
        dispatch.after_cursor_execute(connection, cursor, check.sql, parameters, None, False)
        values = None if row is None else check.values(row)
    except dialect.loaded_dbapi.Error:
        # once more through SQLAlchemy, for its error handling (a lost connection
        # invalidates the pool) and its exception types
        found = connection.execute(_LOAD_USER, {"token": session_token}).one_or_none()
        values = None if found is None else list(found)
    finally:
        cursor.close()
    if values is None:
        return None
    datastamp.remember(*values[len(_USER_KEYS) :])
    user = db.session.identity_map.get(_MAPPER.identity_key_from_primary_key((values[0],)))
    if user is None:  # as the ORM loads it: values set without events, then persistent
        user = _MAPPER.class_manager.new_instance()
        user.__dict__.update(zip(_USER_KEYS, values, strict=False))
        make_transient_to_detached(user)
        db.session.add(user)
    return user


def start_session(user: User) -> None:
    """Log `user` in and note the times that the idle and absolute timeouts measure from."""
    session.clear()
    session.permanent = True
    login_user(user)
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now
    user.last_login_at = utcnow()
    user.failed_logins = 0


def end_session(user: User | None) -> None:
    """Log out and rotate the user's token so that a copied cookie stops working."""
    if user is not None:
        user.rotate_session_token()
    logout_user()
    session.clear()


def _expired() -> bool:
    now = int(time.time())
    cfg = current_app.config
    idle: dt.timedelta = cfg["SESSION_IDLE_TIMEOUT"]
    absolute: dt.timedelta = cfg["PERMANENT_SESSION_LIFETIME"]
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    return now - seen_at > idle.total_seconds() or now - login_at > absolute.total_seconds()


def enforce_session_policy() -> Response | None:
    """Before every request: declare write intent, expire sessions, require login."""
    writes = request.method not in SAFE_METHODS
    g.write_intent_token = set_write_intent(writes)
    g.lazy_begin_token = begin_lazily(not writes)
    set_actor(db.session, current_user)
    view = current_app.view_functions.get(request.endpoint or "")
    is_public = request.endpoint == "static" or getattr(view, "is_public", False)

    if current_user.is_authenticated:
        if _expired():
            logout_user()
            session.clear()
            if not is_public:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            return None
        now = int(time.time())
        if now - session.get("seen_at", 0) >= SEEN_AT_RESOLUTION_S:
            session["seen_at"] = now
        if current_user.must_change_password and request.endpoint not in _ALLOWED_BEFORE_CHANGE:
            return redirect(url_for("accounts.password"))
        return None
    if is_public or view is None:  # unknown URLs fall through to the 404 page
        return None
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def end_write_intent(_exc: BaseException | None = None) -> None:
    """After every request: the write intent of a POST ends with it."""
    reset_write_intent(g.pop("write_intent_token", None))
    reset_lazy_begin(g.pop("lazy_begin_token", None))
