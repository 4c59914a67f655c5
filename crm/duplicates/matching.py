"""Name folding, blocking keys and pair scores for finding duplicates (pure Python).

Nothing here touches the database or Flask: the queries hand in plain rows and get
pairs with a score (0–100) and the reasons a person can read (as codes; the views
word them). Names are compared after folding case, blanks, punctuation and umlaut
spellings (ü/ue, ß/ss), and without legal forms ("GmbH", "e.V."), then with rapidfuzz.

Blocking keeps the work near-linear: only records that share a key (a name token's
head, the PLZ with the name's start, an e-mail address, a website domain) are compared,
and very large blocks are left out (a key that many records share tells nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process

from crm.imports.matching import fold_name as _import_fold_name
from crm.imports.matching import website_domain

#: Words that say nothing about which organisation it is (legal forms, fillers).
ORG_STOPWORDS = frozenset(
    {
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "co",
        "ohg",
        "gbr",
        "ug",
        "se",
        "ev",
        "e",
        "v",
        "und",
        "der",
        "die",
        "das",
        "fur",
        "fuer",
        "von",
        "haftungsbeschrankt",
        "haftungsbeschraenkt",
        "gesellschaft",
        "ggmbh",
        "the",
        "of",
        "and",
        "inc",
        "ltd",
    }
)
#: Blocks with more members than this are not compared (their key is too common).
MAX_BLOCK = 60
#: A pair is shown from this score on.
MIN_SCORE = 75.0

# reason codes (worded in the views)
SAME_EMAIL = "same_email"
SIMILAR_NAME = "similar_name"
SAME_NAME = "same_name"
SAME_PLZ = "same_plz"
SAME_WEBSITE = "same_website"
SAME_ORGANISATION = "same_organisation"
SAME_PLACE = "same_place"


@lru_cache(maxsize=250_000)
def fold_name(text: str | None) -> str:
    """`text` folded for comparing, as the import matches names (`crm.imports.matching`):
    lower case, no accents, ü/ue and ß/ss alike, punctuation as blanks, blanks collapsed
    ("Müller-Lüdenscheidt" = "mueller ludenscheidt" = "MUELLER LUEDENSCHEIDT")."""
    return _import_fold_name(text)


def org_core(name: str | None) -> str:
    """An organisation's folded name without legal forms and fillers."""
    words = [w for w in fold_name(name).split() if w not in ORG_STOPWORDS]
    return " ".join(words)


def name_score(a: str, b: str, *, score_cutoff: float | None = None, **_kw: Any) -> float:
    """How alike two folded names are (0–100): the better of the plain and the
    word-order-free comparison (0 below `score_cutoff`, as rapidfuzz scorers do)."""
    if not a or not b:
        return 0.0
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    return score if score_cutoff is None or score >= score_cutoff else 0.0


@dataclass(frozen=True)
class OrgRow:
    """What the duplicate check needs of an organisation."""

    id: int
    name: str
    plz: str | None = None
    place: str | None = None
    website: str | None = None
    other_names: str | None = None


@dataclass(frozen=True)
class PersonRow:
    """What the duplicate check needs of a person."""

    id: int
    first_name: str
    last_name: str
    email: str | None = None
    organisation_ids: frozenset[int] = frozenset()


@dataclass
class Pair:
    """Two records that are likely the same, `a_id` < `b_id`."""

    a_id: int
    b_id: int
    score: float
    reasons: list[str] = field(default_factory=list)
    name_similarity: float = 0.0


def _candidates(
    keys: Iterable[tuple[int, Iterable[str]]],
    names: dict[int, list[str]],
    *,
    exact: tuple[str, ...],
    cutoff: float,
) -> Iterator[tuple[int, int]]:
    """The candidate id pairs: records sharing a key, each pair once, large blocks left
    out. Within a block of a name key only pairs whose names come close (compared by
    rapidfuzz in C, one member against the rest) are candidates; keys starting with one of
    `exact` (an e-mail, a domain) make every pair of their block a candidate."""
    groups: dict[str, list[int]] = defaultdict(list)
    for record_id, record_keys in keys:
        for key in set(record_keys):
            if key:
                groups[key].append(record_id)
    seen: set[tuple[int, int]] = set()
    prefilter = cutoff - 5
    for key, members in groups.items():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        members = sorted(members)
        close: Iterable[tuple[int, int]]
        if key.startswith(exact):
            close = combinations(members, 2)
        else:
            close = _close_pairs(members, names, prefilter)
        for a, b in close:
            if (a, b) not in seen:
                seen.add((a, b))
                yield a, b


def _close_pairs(
    members: list[int], names: dict[int, list[str]], cutoff: float
) -> Iterator[tuple[int, int]]:
    """Pairs of a block whose names (any of them) come close."""
    owners: list[int] = []
    choices: list[str] = []
    starts: list[int] = []
    for member in members:
        starts.append(len(choices))
        for name in names[member]:
            owners.append(member)
            choices.append(name)
    for i, a in enumerate(members[:-1]):
        offset = starts[i + 1]
        later = choices[offset:]
        for name in names[a]:
            for _n, _s, j in process.extract(
                name, later, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None
            ):
                yield a, owners[offset + j]


def org_keys(core: str, plz: str | None, domain: str) -> list[str]:
    """Blocking keys of an organisation: the head of each name word (so that a typo in
    the last letters still meets), the PLZ with the name's first letters, the domain."""
    words = core.split()
    keys = [f"w:{w[:5]}" for w in words if len(w) >= 3]
    if plz and core:
        keys.append(f"p:{plz}:{core[:3]}")
    if domain:
        keys.append(f"d:{domain}")
    if core:
        keys.append(f"s:{''.join(sorted(words))[:12]}")
    return keys


def org_pairs(rows: Iterable[OrgRow], *, min_score: float = MIN_SCORE) -> list[Pair]:
    """Likely duplicate organisations, best first."""
    by_id: dict[int, tuple[OrgRow, list[str], str]] = {}
    keys: list[tuple[int, list[str]]] = []
    for row in rows:
        names = [org_core(row.name)]
        names += [org_core(n) for n in (row.other_names or "").splitlines() if n.strip()]
        names = [n for n in names if n]
        domain = website_domain(row.website)
        by_id[row.id] = (row, names, domain)
        record_keys: list[str] = []
        for name in names:
            record_keys += org_keys(name, row.plz, domain)
        if not names and domain:
            record_keys.append(f"d:{domain}")
        keys.append((row.id, record_keys))
    all_names = {rid: data[1] for rid, data in by_id.items()}
    pairs: list[Pair] = []
    for a_id, b_id in _candidates(keys, all_names, exact=("d:",), cutoff=80):
        pair = score_orgs(by_id[a_id], by_id[b_id])
        if pair is not None and pair.score >= min_score:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a_id, p.b_id))
    return pairs


def score_orgs(a: tuple[OrgRow, list[str], str], b: tuple[OrgRow, list[str], str]) -> Pair | None:
    """Score one pair of organisations (None when nothing speaks for it)."""
    row_a, names_a, domain_a = a
    row_b, names_b, domain_b = b
    similarity = max((name_score(x, y) for x in names_a for y in names_b), default=0.0)
    reasons: list[str] = []
    if similarity >= 99.5:
        reasons.append(SAME_NAME)
    elif similarity >= 80:
        reasons.append(SIMILAR_NAME)
    same_domain = bool(domain_a) and domain_a == domain_b
    same_plz = bool(row_a.plz) and row_a.plz == row_b.plz
    if same_domain:
        reasons.append(SAME_WEBSITE)
    if same_plz:
        reasons.append(SAME_PLZ)
    elif row_a.place and fold_name(row_a.place) == fold_name(row_b.place):
        reasons.append(SAME_PLACE)
    if similarity < 80 and not same_domain:
        return None
    score = similarity * 0.8 + (12 if same_plz else 0) + (20 if same_domain else 0)
    if row_a.plz and row_b.plz and not same_plz:
        score -= 8  # two different addresses: perhaps two branches
    return Pair(
        min(row_a.id, row_b.id),
        max(row_a.id, row_b.id),
        round(min(score, 100.0), 1),
        reasons,
        similarity,
    )


def person_name(first: str | None, last: str | None) -> str:
    """A person's folded full name."""
    return fold_name(f"{first or ''} {last or ''}")


def person_keys(row: PersonRow) -> list[str]:
    """Blocking keys of a person: the e-mail, the last name's head with the first
    initial, the first name's head with the last initial (a typo in either still meets)."""
    first = fold_name(row.first_name).replace(" ", "")
    last = fold_name(row.last_name).replace(" ", "")
    keys: list[str] = []
    if row.email:
        keys.append(f"e:{row.email.strip().lower()}")
    if last and first:
        keys.append(f"l:{last[:4]}:{first[:1]}")
        keys.append(f"f:{first[:3]}:{last[:3]}")
    return keys


def person_pairs(rows: Iterable[PersonRow], *, min_score: float = MIN_SCORE) -> list[Pair]:
    """Likely duplicate persons, best first."""
    by_id: dict[int, PersonRow] = {}
    keys: list[tuple[int, list[str]]] = []
    for row in rows:
        by_id[row.id] = row
        keys.append((row.id, person_keys(row)))
    names = {rid: [person_name(r.first_name, r.last_name)] for rid, r in by_id.items()}
    pairs: list[Pair] = []
    for a_id, b_id in _candidates(keys, names, exact=("e:",), cutoff=85):
        pair = score_persons(by_id[a_id], by_id[b_id], names[a_id][0], names[b_id][0])
        if pair is not None and pair.score >= min_score:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a_id, p.b_id))
    return pairs


def score_persons(
    a: PersonRow, b: PersonRow, name_a: str | None = None, name_b: str | None = None
) -> Pair | None:
    """Score one pair of persons (None when nothing speaks for it); `name_a`/`name_b`:
    their folded names when known already."""
    similarity = name_score(
        name_a if name_a is not None else person_name(a.first_name, a.last_name),
        name_b if name_b is not None else person_name(b.first_name, b.last_name),
    )
    same_email = bool(a.email) and (a.email or "").lower() == (b.email or "").lower()
    same_org = bool(a.organisation_ids & b.organisation_ids)
    reasons: list[str] = []
    if same_email:
        reasons.append(SAME_EMAIL)
    if similarity >= 99.5:
        reasons.append(SAME_NAME)
    elif similarity >= 85:
        reasons.append(SIMILAR_NAME)
    if same_org:
        reasons.append(SAME_ORGANISATION)
    if same_email:
        score = 90 + similarity / 10
    elif similarity >= 85:
        score = similarity * 0.85 + (15 if same_org else 0)
        if a.email and b.email:
            score -= 15  # two different addresses: namesakes, unless they share more
    else:
        return None
    return Pair(min(a.id, b.id), max(a.id, b.id), round(min(score, 100.0), 1), reasons, similarity)
