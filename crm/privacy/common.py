"""What the parts of the data-subject rights share: the error they raise and the marker
that stands where personal values were.
"""

from __future__ import annotations

MARKER = "[Personendaten gelöscht]"
ERASED_KEY = "personal_data_erased"


class PrivacyError(Exception):
    """A request that cannot be done; the message (German) says why. Nothing changed."""
