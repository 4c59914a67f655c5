"""The merge form: one choice per field (radio buttons), read from the posted data.

The fields differ per kind and per pair, so the form is read by hand from the posted
values; anything odd becomes a MergeError with a German message (nothing changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from crm.duplicates.services import CHOICES
from crm.duplicates.services import MERGE_FIELDS
from crm.duplicates.services import MergeError


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def parse_choices(kind: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The posted choice of every field (`field-<name>`); missing ones keep the default."""
    out: dict[str, str] = {}
    for spec in MERGE_FIELDS[kind]:
        value = data.get(f"field-{spec.name}")
        if value is None or value == "":
            continue
        if value not in CHOICES or (value == "both" and not spec.combinable):
            raise MergeError(_("Die Auswahl für „%(field)s“ ist ungültig.", field=spec.label))
        out[spec.name] = value
    return out


def parse_versions(data: Mapping[str, Any]) -> tuple[int, int]:
    """The versions of both records the page was shown with."""
    keep, other = _int(data.get("keep_version")), _int(data.get("other_version"))
    if keep is None or other is None:
        raise MergeError(_("Die Version der Datensätze fehlt. Bitte die Seite neu laden."))
    return keep, other
