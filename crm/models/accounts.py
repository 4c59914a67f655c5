"""User accounts: who logs in, with which role, and the token that binds their sessions."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import validates

from crm.models.base import Base
from crm.models.base import TimestampMixin
from crm.models.base import str_enum
from crm.models.enums import Role

if TYPE_CHECKING:
    from crm.models.directory import Initiative


def new_session_token() -> str:
    """A fresh random token; changing it ends every session that carries the old one."""
    return secrets.token_urlsafe(32)


class User(TimestampMixin, Base):
    """A login. Editors are bound to exactly one initiative."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'editor' AND initiative_id IS NOT NULL)"
            " OR (role <> 'editor' AND initiative_id IS NULL)",
            name="editor_initiative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[dt.datetime | None]
    language: Mapped[str] = mapped_column(String(2), default="de")
    #: SHA-256 of the private calendar feed token (None: no feed; a new token revokes the old)
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    initiative: Mapped[Initiative | None] = relationship(lazy="raise")

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    # Flask-Login protocol. get_id returns the session token, not the primary key
    # (the "alternative id" pattern), so rotating the token invalidates old cookies.
    @property
    def is_active(self) -> bool:
        """Inactive users cannot log in and lose their sessions."""
        return self.active

    @property
    def is_authenticated(self) -> bool:
        """A loaded user is an authenticated one."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous."""
        return False

    def get_id(self) -> str:
        """The value Flask-Login stores in the session cookie."""
        return self.session_token

    def rotate_session_token(self) -> None:
        """End every session of this user (logout, password change, deactivation)."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
