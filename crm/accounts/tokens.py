"""Signed, single-use account links: invitations and password resets.

A token is an itsdangerous `URLSafeTimedSerializer` signature over the user's id and a
*fingerprint* of the account's current secrets (password hash and session token):

- purpose-bound: every purpose signs with its own salt, so an invitation token fails
  signature verification on the reset page and vice versa;
- expiring: the signature carries its creation time; `max_age` refuses old tokens;
- single use without a table: setting a password (or rotating the session token on
  logout, deactivation or a new invitation) changes the fingerprint, so every link
  issued before stops verifying. No column is needed.

The functions here are pure (secret key and clock are parameters) and unit-testable.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from typing import Literal
from typing import TypeVar

from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer

SALT_PREFIX = "industrienetz.accounts."
U = TypeVar("U")


class Purpose(enum.StrEnum):
    """What a token may be used for; each purpose has its own signing salt."""

    INVITATION = "invitation"
    RESET = "reset"


TokenProblem = Literal["invalid", "expired", "used"]


class TokenError(Exception):
    """A token was refused: "invalid" (tampered, malformed, wrong purpose), "expired",
    or "used" (the account changed since: password set, sessions ended, deactivated)."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem)
        self.problem: TokenProblem = problem


def fingerprint(user: Any, secret: str) -> str:
    """A keyed digest of the account's current secrets; changes when any of them does."""
    material = f"{user.id}|{user.password_hash or ''}|{user.session_token}".encode()
    return hmac.new(secret.encode(), material, hashlib.sha256).hexdigest()[:32]


def _signer_at(timestamp: int) -> type[TimestampSigner]:
    class _FixedClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return _FixedClockSigner


def _serializer(secret: str, purpose: Purpose, issued_at: int | None = None) -> Any:
    if issued_at is None:
        return URLSafeTimedSerializer(secret, salt=SALT_PREFIX + purpose.value)
    return URLSafeTimedSerializer(
        secret, salt=SALT_PREFIX + purpose.value, signer=_signer_at(issued_at)
    )


def make_token(user: Any, purpose: Purpose, *, secret: str, issued_at: int | None = None) -> str:
    """A signed link token for `user` and `purpose` (`issued_at`: a Unix time, for tests)."""
    payload = {"u": int(user.id), "f": fingerprint(user, secret)}
    return str(_serializer(secret, purpose, issued_at).dumps(payload))


@dataclass(frozen=True)
class Claim:
    """What a token with a valid signature says."""

    user_id: int
    fingerprint: str


def read_token(token: str, purpose: Purpose, *, secret: str, max_age: timedelta) -> Claim:
    """Check signature, purpose and age; the claim inside, or TokenError."""
    try:
        payload = _serializer(secret, purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise TokenError("invalid") from exc
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("u"), int)
        or not isinstance(payload.get("f"), str)
    ):
        raise TokenError("invalid")
    return Claim(payload["u"], payload["f"])


def verify_token(
    token: str,
    purpose: Purpose,
    *,
    secret: str,
    max_age: timedelta,
    load: Callable[[int], U | None],
) -> U:
    """The active account a token was issued to, if it is still unchanged; else TokenError."""
    claim = read_token(token, purpose, secret=secret, max_age=max_age)
    user = load(claim.user_id)
    if user is None or not getattr(user, "active", False):
        raise TokenError("used")
    if not hmac.compare_digest(claim.fingerprint, fingerprint(user, secret)):
        raise TokenError("used")
    return user
