"""API tokens: issue, find by the presented token, note the last use, revoke.

A token is `inz_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: a token that random needs no slow hash, and a lookup by hash stays one indexed
query per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from crm import permissions
from crm.db.engine import writing
from crm.extensions import db
from crm.models import ApiScope
from crm.models import ApiToken
from crm.models import User
from crm.models.base import utcnow

PREFIX = "inz_"
HINT_LENGTH = len(PREFIX) + 6
# the last use is written at most this often per token (a write per request would
# serialise every API read on SQLite)
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    user: User, name: str, scope: ApiScope | str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user` (added to the session, not committed) and the token itself,
    which is shown once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=hash_token(token),
        hint=token[:HINT_LENGTH],
        scope=ApiScope(scope),
        expires_at=expires_at,
    )
    db.session.add(record)
    db.session.flush()
    return record, token


def authenticate(presented: str) -> ApiToken | None:
    """The usable token (not revoked, not expired, of an active account) for `presented`."""
    if not presented.startswith(PREFIX) or len(presented) > 100:
        return None
    record = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(presented))
    )
    now = utcnow()
    if record is None or not record.usable(now) or not record.user.active:
        return None
    return record


def touch(record: ApiToken) -> None:
    """Note the token's use (at most once per TOUCH_INTERVAL), in its own short write."""
    now = utcnow()
    if record.last_used_at is not None and now - record.last_used_at < TOUCH_INTERVAL:
        return
    db.session.commit()  # end the reading transaction before taking the write lock
    with writing():
        db.session.execute(
            update(ApiToken).where(ApiToken.id == record.id).values(last_used_at=now)
        )
        db.session.commit()


def visible_tokens(user: Any) -> list[ApiToken]:
    """The tokens `user` manages: their own; every account's for admins."""
    query = select(ApiToken).options(joinedload(ApiToken.user))
    if not permissions.can_see_all_api_tokens(user):
        query = query.where(ApiToken.user_id == user.id)
    return list(
        db.session.scalars(
            query.order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke(record: ApiToken) -> None:
    """End the token at once (kept in the list as revoked, with its last use)."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()


def user_by_email(email: str) -> User | None:
    """The account with this e-mail (for the command line)."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))
