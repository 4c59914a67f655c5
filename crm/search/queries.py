"""The global search: substring-tolerant, ranked, grouped by record type, scoped by permissions.

The query is folded like the documents (`crm.search.index`) and split into words; a
record is found when its text contains every word. SQLite answers words of three or
more characters from the kind's FTS5 trigram table (all of them as one bound FTS
expression of quoted strings, so user input is never FTS syntax) and shorter ones with
LIKE; PostgreSQL answers all of them with LIKE, which its pg_trgm GIN indexes serve.

Ranking is the same on both backends, so both give the same order: exact title, title
prefix, a word of the title starting with the query, the query inside the title, then
matches elsewhere (other names, place, e-mail); within a rank shorter titles first, then
alphabetically. (bm25 or trigram similarity would order ties differently per backend,
and bm25 costs up to 30 µs per candidate.)

Each kind reads at most CANDIDATES matches: a word like "gmbh" matches thousands of
records, and ranking all of them would cost time in proportion. Such a group is ranked
among those candidates plus all exact-name hits, and its count reads "more than".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Integer
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import column
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import table as sql_table
from sqlalchemy import union_all

from crm import permissions
from crm.extensions import db
from crm.models import Initiative
from crm.models.search import SearchDocument
from crm.models.search import SearchKind
from crm.models.text import fold
from crm.models.text import like_contains
from crm.models.text import like_escape
from crm.permissions import AnySelect
from crm.search.schema import fts_table

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_TRIGRAM_WORD = 3  # shorter words cannot use a trigram index
CANDIDATES = 200

D = SearchDocument
# Built statements by shape (backend, kinds, words, whose scope): building one costs more
# than running it, and everything that varies between searches is a bound parameter.
_STATEMENTS: dict[tuple[Any, ...], CompoundSelect[*tuple[Any, ...]]] = {}


# The page a hit links to, by `permissions.search_hit_page`: endpoint and its id argument.
PAGES: dict[tuple[str, SearchKind], tuple[str, str]] = {
    ("internal", SearchKind.INITIATIVE): ("directory.initiative_detail", "initiative_id"),
    ("internal", SearchKind.ORGANISATION): ("directory.organisation_detail", "organisation_id"),
    ("internal", SearchKind.PERSON): ("directory.person_detail", "person_id"),
    ("public", SearchKind.INITIATIVE): ("public.detail", "initiative_id"),
}
_PAGE_ARGS = dict(PAGES.values())


@dataclass(frozen=True)
class Hit:
    """One record found: what to show, and which page of it this user may open
    (`endpoint` None: the hit is shown without a link)."""

    kind: SearchKind
    record_id: int
    title: str
    subtitle: str
    endpoint: str | None
    marked_title: tuple[tuple[str, bool], ...]

    @property
    def linked(self) -> bool:
        """Does the hit link to a page?"""
        return self.endpoint is not None

    @property
    def url_args(self) -> dict[str, int]:
        """The arguments of `endpoint` (`url_for(hit.endpoint, **hit.url_args)`)."""
        return {_PAGE_ARGS[self.endpoint]: self.record_id} if self.endpoint else {}


class Hits(list[Hit]):
    """The best hits of one record type, with the number of matching records.

    When `more` is set, there are more than `total` matches: the search looked no further.
    """

    def __init__(self, hits: list[Hit], total: int, more: bool = False) -> None:
        super().__init__(hits)
        self.total = total
        self.more = more


def clean_query(raw: str | None) -> str:
    """Trim, drop control characters, collapse white space and cut to 100 characters."""
    text = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in (raw or "")[:1000]
    )
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def query_words(query: str) -> list[str]:
    """The folded, distinct words of `query` (at most eight)."""
    words: list[str] = []
    for word in fold(query).split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _fts_string(word: str) -> str:
    """`word` as an FTS5 string literal: matched as a substring, never parsed as syntax."""
    return '"' + word.replace('"', '""') + '"'


def _like(col: Any, key: str) -> ColumnElement[bool]:
    return col.like(bindparam(key), escape="\\")


def _kind_is(kind: SearchKind) -> ColumnElement[bool]:
    # a literal, not a parameter, so that PostgreSQL can pick the kind's partial index
    return D.kind == literal_column(f"'{kind.value}'")


def _candidates(kind: SearchKind, dialect: str, n_long: int, n_short: int) -> AnySelect:
    """Documents of `kind` whose text contains every word (parameters w0, w1, ... and fts)."""
    columns = (D.id, D.record_id, D.title, D.subtitle, D.title_key)
    # Short words cannot use a trigram index; on PostgreSQL the expression keeps them from
    # trying (a GIN trigram scan for a two-letter pattern reads the whole index).
    unindexed = D.text + literal_column("''") if dialect == "postgresql" else D.text
    short_words = [_like(unindexed, f"w{i}") for i in range(n_short)]
    if dialect != "sqlite" or not n_long:
        long_words = (_like(D.text, f"w{n_short + i}") for i in range(n_long))
        # in record order: an index scan of the kind that stops at enough candidates,
        # never a table scan that happens to meet the other kinds first
        return (
            select(*columns)
            .where(_kind_is(kind), *long_words, *short_words)
            .order_by(D.kind, D.record_id)
        )
    name = fts_table(kind)
    fts = sql_table(name, column("rowid"))
    fts_name: ColumnElement[Any] = literal_column(name)
    return (
        select(*columns)
        .select_from(fts)
        .join(D, D.id == fts.c.rowid)
        .where(fts_name.op("MATCH")(bindparam("fts")), *short_words)
        .order_by(fts.c.rowid)
    )


def _ranked(user: Any, kind: SearchKind, dialect: str, n_long: int, n_short: int) -> AnySelect:
    """The best `limit` of the first CANDIDATES matches of `kind`, with their count."""
    found = permissions.scope_search(user, _candidates(kind, dialect, n_long, n_short))
    c = found.limit(bindparam("candidates", type_=Integer)).subquery()
    key = c.c.title_key.collate("C") if dialect == "postgresql" else c.c.title_key
    tier = case(
        (c.c.title_key == bindparam("q"), 0),
        (_like(c.c.title_key, "q_prefix"), 1),
        (or_(_like(c.c.title_key, "q_word"), _like(c.c.title_key, "q_part")), 2),
        (_like(c.c.title_key, "q_inside"), 3),
        else_=4,
    )
    order = (tier, func.length(c.c.title_key), key, c.c.id)
    ranked = select(
        c.c.id,
        c.c.record_id,
        c.c.title,
        c.c.subtitle,
        func.row_number().over(order_by=order).label("position"),
        func.count().over().label("total"),
    ).subquery()
    return select(literal_column(f"'{kind.value}'").label("kind"), ranked).where(
        ranked.c.position <= bindparam("limit")
    )


def _statement(
    user: Any, kinds: tuple[SearchKind, ...], n_long: int, n_short: int
) -> CompoundSelect[*tuple[Any, ...]]:
    dialect = db.session.get_bind().dialect.name
    # scope_search depends on the user's role and initiative only
    key = (dialect, kinds, n_long, n_short, str(user.role), getattr(user, "initiative_id", None))
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 1000:
            _STATEMENTS.clear()
        parts = [_ranked(user, kind, dialect, n_long, n_short) for kind in kinds]
        statement = _STATEMENTS[key] = union_all(*parts)
    return statement


def _parameters(words: list[str], limit: int) -> dict[str, Any]:
    folded = " ".join(words)
    pattern = like_escape(folded)
    long_words = [w for w in words if len(w) >= MIN_TRIGRAM_WORD]
    short_words = [w for w in words if len(w) < MIN_TRIGRAM_WORD]
    params: dict[str, Any] = {
        "q": folded,
        "q_prefix": f"{pattern}%",
        "q_word": f"% {pattern}%",
        "q_part": f"%-{pattern}%",
        "q_inside": f"%{pattern}%",
        "limit": limit,
        "candidates": CANDIDATES,
        "fts": " AND ".join(_fts_string(w) for w in long_words),
    }
    # short words first; SQLite also has the long ones in `fts`
    for i, word in enumerate(short_words + long_words):
        params[f"w{i}"] = like_contains(word)
    return params


def _exact(user: Any, kinds: list[SearchKind], folded: str, limit: int) -> list[Any]:
    """Documents whose whole title is the query (found by index, however many matches)."""
    query: AnySelect = select(D.kind, D.id, D.record_id, D.title, D.subtitle).where(
        D.kind.in_(kinds), D.title_key == folded
    )
    query = permissions.scope_search(user, query).order_by(D.kind, D.id).limit(limit * len(kinds))
    return list(db.session.execute(query))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _mark(title: str, words: list[str]) -> tuple[tuple[str, bool], ...]:
    """`title` cut into (segment, matched) pieces where the folded words occur."""
    origin: Sequence[int]
    if title.isascii():
        folded, origin = title.lower(), range(len(title))
    else:
        pieces = [_fold_char(ch) for ch in title]
        folded = "".join(pieces)
        origin = [i for i, piece in enumerate(pieces) for _ in piece]
    marked = [False] * len(title)
    for word in words:
        start = folded.find(word)
        while start != -1:
            for k in range(start, start + len(word)):
                marked[origin[k]] = True
            start = folded.find(word, start + 1)
    segments: list[tuple[str, bool]] = []
    begin = 0
    for i in range(1, len(title) + 1):
        if i == len(title) or marked[i] != marked[begin]:
            segments.append((title[begin:i], marked[begin]))
            begin = i
    return tuple(segments)


def search(user: Any, q: str | None, *, limit_per_kind: int = 10) -> dict[SearchKind, Hits]:
    """The records `user` may see that match `q`, best first, grouped by kind (in enum order)."""
    words = query_words(clean_query(q))
    kinds = permissions.searchable_kinds(user)
    if not words or not kinds:
        return {}
    n_long = sum(len(w) >= MIN_TRIGRAM_WORD for w in words)
    statement = _statement(user, kinds, n_long, len(words) - n_long)
    rows = list(db.session.execute(statement, _parameters(words, limit_per_kind)))
    capped = [SearchKind(r.kind) for r in rows if r.position == 1 and r.total >= CANDIDATES]
    exact = _exact(user, capped, " ".join(words), limit_per_kind) if capped else []
    grouped: dict[SearchKind, list[Any]] = {}
    totals: dict[SearchKind, int] = {}
    for row in exact:
        grouped.setdefault(SearchKind(row.kind), []).append(row)
    for row in sorted(rows, key=lambda r: r.position):
        kind = SearchKind(row.kind)
        totals[kind] = row.total
        group = grouped.setdefault(kind, [])
        if len(group) < limit_per_kind and all(row.id != other.id for other in group):
            group.append(row)
    listed = _listed_initiatives(user, grouped.get(SearchKind.INITIATIVE, []))
    return {
        kind: Hits(
            [_hit(user, kind, row, words, listed) for row in grouped[kind]],
            total=totals[kind],
            more=totals[kind] >= CANDIDATES,
        )
        for kind in kinds
        if grouped.get(kind)
    }


def _listed_initiatives(user: Any, rows: list[Any]) -> frozenset[int]:
    """Which of the found initiatives that `user` may not open internally are publicly
    listed (their public profile is open to everyone); one query, only when needed."""
    ids = [
        r.record_id
        for r in rows
        if not permissions.can_open_search_hit(user, SearchKind.INITIATIVE, r.record_id)
    ]
    if not ids:
        return frozenset()
    query = select(Initiative.id).where(Initiative.id.in_(ids), Initiative.public_listing.is_(True))
    return frozenset(db.session.scalars(query))


def _hit(user: Any, kind: SearchKind, row: Any, words: list[str], listed: frozenset[int]) -> Hit:
    page = permissions.search_hit_page(
        user, kind, row.record_id, listed=kind is SearchKind.INITIATIVE and row.record_id in listed
    )
    return Hit(
        kind=kind,
        record_id=row.record_id,
        title=row.title,
        subtitle=row.subtitle,
        endpoint=PAGES[(page, kind)][0] if page is not None else None,
        marked_title=_mark(row.title, words),
    )
