"""Password hashing with Argon2id (argon2-cffi) at OWASP-recommended parameters."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 12

# A valid hash of a random password: verifying against it when the user is unknown
# costs the same time as a real check, so response times do not reveal accounts.
_DUMMY_HASH_PASSWORD = "not-a-real-password-just-for-timing"  # noqa: S105


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash `password` for storage."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check `password` against `stored_hash`; a missing hash costs the same time and fails."""
    hasher = _hasher()
    if not stored_hash:
        hasher.verify(hasher.hash(_DUMMY_HASH_PASSWORD), _DUMMY_HASH_PASSWORD)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why `password` is too weak, or None when it is acceptable (a message key in German)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_PASSWORD_LENGTH)
    return None
