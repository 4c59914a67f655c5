"""What the parts of the data-subject rights share: the error they raise and the marker
that stands where personal values were.
"""

from __future__ import annotations

MARKER = "[Personendaten gelöscht]"
ERASED_KEY = "personal_data_erased"


class PrivacyError(Exception):
    """A request that cannot be done; the message (German) says why. Nothing changed."""


def checked_reason(reason: str | None, limit: int, missing: str, too_long: str) -> str:
    """The reason given for a request, stripped; PrivacyError with `missing` when there is
    none, with `too_long` when it has more than `limit` characters."""
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(missing)
    if len(reason) > limit:
        raise PrivacyError(too_long)
    return reason
