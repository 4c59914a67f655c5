"""Name folding and matching of imported rows to existing records (no Flask, no database).

`fold_name` is the one comparison form of names: case, blanks, punctuation, accents and
the umlaut spellings (ü/ue, ß/ss) folded away, so "Müller-Lüdenscheidt GmbH & Co. KG" and
"mueller luedenscheidt gmbh co kg" are the same. `name_score` compares two names after
folding with rapidfuzz (0–100). `OrganisationIndex` and `PersonIndex` find a row's
existing record: exactly by key, else a fuzzy candidate that must be decided by a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from rapidfuzz import fuzz
from rapidfuzz import process

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
# the ue/oe/ae spelling after a consonant or vowel folds like the umlaut itself
FUZZY_THRESHOLD = 88.0  # a score at or above this is offered as a possible match


def fold_name(s: str | None) -> str:
    """The comparison form of a name: lower case ASCII words separated by single blanks."""
    if not s:
        return ""
    text = s.casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_WORD.split(text)).strip()


def fold_key(s: str | None) -> str:
    """`fold_name` without any blanks (for headers: "E-Mail", "e mail", "EMail" alike)."""
    return fold_name(s).replace(" ", "")


def website_domain(url: str | None) -> str:
    """The host of a website without "www." ("" when there is none)."""
    if not url or not url.strip():
        return ""
    text = url.strip().lower()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def name_score(a: str | None, b: str | None) -> float:
    """How alike two names are after folding, 0–100 (word order does not matter)."""
    return float(fuzz.token_sort_ratio(fold_name(a), fold_name(b)))


@dataclass(frozen=True)
class Match:
    """An existing record for a row: `exact` (by key) or a fuzzy candidate with its score."""

    record_id: int
    exact: bool
    score: float = 100.0
    reason: str = ""


class OrganisationIndex:
    """Existing organisations by AGS, by website domain, by folded name + PLZ and by folded
    name."""

    def __init__(self) -> None:
        self.by_ags: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        self.by_name_plz: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[int, str] = {}
        self.blocks: dict[str, dict[int, str]] = defaultdict(dict)  # PLZ or initial → names

    def add(
        self,
        record_id: int,
        name: str,
        plz: str | None,
        website: str | None,
        ags: str | None = None,
    ) -> None:
        """Make a record findable (existing, or created earlier in the same file)."""
        folded = fold_name(name)
        domain = website_domain(website)
        if ags:
            self.by_ags.setdefault(ags, record_id)
        if domain:
            self.by_domain.setdefault(domain, record_id)
        self.by_name_plz.setdefault((folded, plz or ""), record_id)
        if record_id not in self.by_name[folded]:
            self.by_name[folded].append(record_id)
        self.names[record_id] = folded
        self.blocks[_block(folded, plz)][record_id] = folded

    def find(
        self, name: str, plz: str | None, website: str | None, ags: str | None = None
    ) -> Match | None:
        """The record of a row: by AGS, else by website domain, else by name + PLZ (a name
        alone when one side has no PLZ and the name is unique), else a fuzzy candidate."""
        if ags and ags in self.by_ags:
            return Match(self.by_ags[ags], True, reason="ags")
        folded = fold_name(name)
        domain = website_domain(website)
        if domain and domain in self.by_domain:
            return Match(self.by_domain[domain], True, reason="website")
        hit = self.by_name_plz.get((folded, plz or ""))
        if hit is not None:
            return Match(hit, True, reason="name_plz")
        same_name = self.by_name.get(folded, [])
        if len(same_name) == 1 and not plz:
            return Match(same_name[0], True, reason="name")
        if same_name:
            return Match(same_name[0], False, 100.0, reason="name_other_plz")
        return self._fuzzy(folded, plz)

    def _fuzzy(self, folded: str, plz: str | None) -> Match | None:
        block = self.blocks.get(_block(folded, plz))
        if not block or not folded:
            return None
        best = process.extractOne(
            folded, block, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD
        )
        if best is None:
            return None
        _name, score, record_id = best
        return Match(int(record_id), False, float(score), reason="similar_name")


def _block(folded: str, plz: str | None) -> str:
    """Blocking key of the fuzzy comparison: the PLZ, else the name's first letters."""
    return f"plz:{plz}" if plz else f"name:{folded[:3]}"


def person_name_key(first_name: str | None, last_name: str | None) -> str:
    """Folded "first last" of a person."""
    return f"{fold_name(first_name)}|{fold_name(last_name)}"


class PersonIndex:
    """Existing persons by e-mail, else by folded name + organisation."""

    def __init__(self) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name_org: dict[tuple[str, int | None], int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)

    def add(
        self,
        record_id: int,
        first_name: str,
        last_name: str,
        email: str | None,
        organisation_ids: list[int] | tuple[int, ...] = (),
    ) -> None:
        """Make a person findable."""
        if email:
            self.by_email.setdefault(email.strip().lower(), record_id)
        key = person_name_key(first_name, last_name)
        for org_id in organisation_ids or (None,):
            self.by_name_org.setdefault((key, org_id), record_id)
        if record_id not in self.by_name[key]:
            self.by_name[key].append(record_id)

    def find(
        self, first_name: str, last_name: str, email: str | None, organisation_id: int | None
    ) -> Match | None:
        """By e-mail; else by name + organisation; a person of the same name elsewhere is
        only a candidate to decide on."""
        if email and email.strip().lower() in self.by_email:
            return Match(self.by_email[email.strip().lower()], True, reason="email")
        key = person_name_key(first_name, last_name)
        hit = self.by_name_org.get((key, organisation_id))
        if hit is not None:
            return Match(hit, True, reason="name_organisation")
        same = self.by_name.get(key, [])
        if same:
            return Match(same[0], False, 100.0, reason="same_name")
        return None
