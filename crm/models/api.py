"""Tokens of the JSON API (/api/v1/): an account's named keys, stored only as a hash."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from crm.models.base import Base
from crm.models.base import str_enum
from crm.models.base import utcnow

if TYPE_CHECKING:
    from crm.models.accounts import User


class ApiScope(StrEnum):
    """What a token may do: read only, or read and write (never more than its account)."""

    READ = "read"
    WRITE = "write"


class ApiToken(Base):
    """A named token of one account. The token itself is shown once and never stored:
    `token_hash` is its SHA-256 (a random 256-bit token needs no slow hash), `hint` its
    first characters so that the owner can tell tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    scope: Mapped[ApiScope] = mapped_column(str_enum(ApiScope, "api_scope"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="raise")

    def usable(self, now: dt.datetime) -> bool:
        """Not revoked and not expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
