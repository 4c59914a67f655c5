"""Text helpers for German names: sorting and searching that treat umlauts sensibly."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case `text` and strip diacritics, so that "Müller" and "muller" compare equal.

    This is DIN 5007 variant 1 (ä sorts as a, ß as ss), which is what German
    dictionaries and phone books use for names.
    """
    if not text:
        return ""
    text = text.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sort_key(*parts: str | None) -> str:
    """A sortable key for a name made of `parts` (e.g. last name, first name)."""
    return " ".join(fold(p).strip() for p in parts if p)[:200]


def like_escape(text: str) -> str:
    """`text` for a LIKE pattern with `escape="\\"`: its % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_contains(text: str) -> str:
    """A LIKE pattern (with `escape="\\"`) matching values that contain `text` literally."""
    return f"%{like_escape(text)}%"
