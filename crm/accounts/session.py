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
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from werkzeug.wrappers import Response

from crm.db import datastamp
from crm.db.audit import set_actor
from crm.db.direct import DirectRead
from crm.db.engine import begin_lazily
from crm.db.engine import reset_lazy_begin
from crm.db.engine import reset_write_intent
from crm.db.engine import set_write_intent
from crm.db.engine import write_intent
from crm.db.kept import KeptReads
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
# counts) costs it no further statement. It runs whenever the check of an earlier request
# cannot be used (`crm.db.kept`: something was written since), so it runs on the DB-API
# cursor (`crm.db.direct`): SQLAlchemy's execution and loading around it would cost more
# than a small page.
_USER_COLUMNS = tuple(User.__table__.columns)
_USER_KEYS = tuple(User.__mapper__.get_property_by_column(c).key for c in _USER_COLUMNS)
_ID = _USER_KEYS.index("id")
_SESSION_CHECK = DirectRead(
    select(*_USER_COLUMNS, *datastamp.STAMP_COLUMNS).where(
        User.session_token == bindparam("token"), User.active.is_(True)
    )
)
# A request without write intent uses the check of an earlier one while nothing has been
# written since (see there); a request that writes checks inside its write transaction.
_KEPT: KeptReads[tuple[Any, ...]] = KeptReads()


def load_user(session_token: str) -> User | None:
    """Flask-Login's user loader: the cookie carries the session token, not the user id."""
    if not session_token:
        return None
    values: tuple[Any, ...] | None
    row: Sequence[Any] | None
    if write_intent():  # checked inside the write transaction, as all it reads
        row = db.session.execute(_SESSION_CHECK.statement, {"token": session_token}).first()
        values = _account(row, None)
    else:
        values = _KEPT.get(db.engine, session_token)
        if values is None:
            seen = _KEPT.epoch(db.engine)  # before the read (see `crm.db.epoch`)
            row = _SESSION_CHECK.one_or_none(db.engine, {"token": session_token})
            values = _account(row, seen)
            if values is not None:
                _KEPT.keep(db.engine, session_token, seen, values)
    if values is None:
        return None
    present = db.session.identity_map.get(identity_key(User, values[_ID]))
    if present is not None:  # as a query would: the session's own copy
        return present
    # Attached to the session as if the ORM had loaded it: unchanged, and saved as usual
    # when the request changes it.
    user = User()
    for key, value in zip(_USER_KEYS, values, strict=True):
        set_committed_value(user, key, value)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def _account(row: Sequence[Any] | None, seen: bytes | None) -> tuple[Any, ...] | None:
    """The account's values of a session check's row; its data stamp is remembered (and
    kept, when the check read the epoch `seen` before)."""
    if row is None:
        return None
    datastamp.remember(*row[len(_USER_KEYS) :], seen=seen)
    return tuple(row[: len(_USER_KEYS)])


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
