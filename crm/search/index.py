"""Keeping `search_documents` in sync with initiatives, organisations and persons.

Each searchable record has one document: a display title and subtitle, the folded
title for ranking, and a folded text of its names, other names, place and e-mail.
Folding happens here in Python (`crm.models.text.fold`: lower case, no diacritics, ß → ss,
plus the ä → ae spelling), so "muller", "müller" and "mueller" find "Müller" on
SQLite and PostgreSQL alike.

An `after_flush` session hook rewrites the documents of the records a flush created,
changed or deleted, on the flush's own connection: the index changes in the same
transaction as the record. Core statements that bypass the ORM (the demo seed, bulk
imports) are followed by `rebuild_search_index()`, which reconciles the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

from crm.models import Initiative
from crm.models import Organisation
from crm.models import Person
from crm.models.search import SearchDocument
from crm.models.search import SearchKind
from crm.models.text import fold

Document = dict[str, Any]
Row = Mapping[Any, Any]

CHUNK = 500
# German spelling without umlauts, so that "mueller" finds "Müller" too.
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})

# The columns each document is built from; a change to any of them rewrites the document.
SOURCE_COLUMNS: dict[SearchKind, tuple[str, ...]] = {
    SearchKind.INITIATIVE: ("id", "name", "short_name", "region_label", "place"),
    SearchKind.ORGANISATION: ("id", "name", "legal_name", "other_names", "place"),
    SearchKind.PERSON: ("id", "title", "first_name", "last_name", "email"),
}
MODELS: dict[type, SearchKind] = {
    Initiative: SearchKind.INITIATIVE,
    Organisation: SearchKind.ORGANISATION,
    Person: SearchKind.PERSON,
}
_TABLES: dict[SearchKind, Table] = {
    kind: model.__table__  # type: ignore[attr-defined]
    for model, kind in MODELS.items()
}
_WRITTEN = ("title", "subtitle", "title_key", "text")
_COLUMNS = ("kind", "record_id", *_WRITTEN)
SMALL_BATCH = 50
ANALYZE_AFTER = 1000
# A connection-private scratch table for bulk writes on SQLite (never in the models).
_STAGING = Table(
    "search_staging",
    MetaData(),
    Column("kind", String),
    Column("record_id", Integer),
    *(Column(name, String) for name in _WRITTEN),
    prefixes=["TEMPORARY"],
)


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> tuple[str, str]:
    """`word` folded, and folded in the ä → ae spelling (names repeat: cache them)."""
    if word.isascii():
        return word.lower(), word.lower()
    return fold(word), fold(word.casefold().translate(_TRANSLITERATION))


def fold_words(text: str | None) -> str:
    """`text` folded (see `crm.models.text.fold`) with white space collapsed to single spaces."""
    return " ".join(_fold_word(w)[0] for w in (text or "").split())


def searchable_text(*parts: str | None) -> str:
    """Fold `parts` (one line per line of input) into the text the trigram index covers.

    Words that read differently in the ä → ae spelling are added once more at the end.
    """
    lines: list[str] = []
    spelled: list[str] = []
    for part in parts:
        for line in (part or "").splitlines():
            words = [_fold_word(w) for w in line.split()]
            folded = " ".join(w[0] for w in words)
            if folded and folded not in lines:
                lines.append(folded)
            spelled.extend(w[1] for w in words if w[1] != w[0] and w[1] not in spelled)
    if spelled:
        lines.append(" ".join(spelled))
    return "\n".join(lines)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _joined(*parts: str | None, sep: str = " ") -> str:
    return sep.join(p for p in (_clean(part) for part in parts) if p)


def initiative_document(row: Row) -> Document:
    """The search document of an initiative row (name, short name, region, place)."""
    return {
        "title": _clean(row["name"])[:250],
        "subtitle": _joined(row.get("short_name"), row.get("place"), sep=" · ")[:400],
        "title_key": fold_words(row["name"])[:250],
        "text": searchable_text(
            row["name"], row.get("short_name"), row.get("region_label"), row.get("place")
        ),
    }


def organisation_document(row: Row) -> Document:
    """The search document of an organisation row (names, legal and other names, place)."""
    return {
        "title": _clean(row["name"])[:250],
        "subtitle": _clean(row.get("place"))[:400],
        "title_key": fold_words(row["name"])[:250],
        "text": searchable_text(
            row["name"], row.get("legal_name"), row.get("other_names"), row.get("place")
        ),
    }


def person_document(row: Row) -> Document:
    """The search document of a person row (first and last name, e-mail)."""
    name = _joined(row.get("first_name"), row.get("last_name"))
    return {
        "title": _joined(row.get("title"), name)[:250],
        "subtitle": _clean(row.get("email"))[:400],
        "title_key": fold_words(name)[:250],
        "text": searchable_text(name, row.get("email")),
    }


BUILDERS: dict[SearchKind, Callable[[Row], Document]] = {
    SearchKind.INITIATIVE: initiative_document,
    SearchKind.ORGANISATION: organisation_document,
    SearchKind.PERSON: person_document,
}


def build_documents(kind: SearchKind, rows: Iterable[Row]) -> Iterator[Document]:
    """Documents (with kind and record_id) for source `rows` of `kind`."""
    builder = BUILDERS[kind]
    for row in rows:
        yield {"kind": kind, "record_id": row["id"], **builder(row)}


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _source_rows(conn: Connection, kind: SearchKind, ids: Collection[int] | None) -> Iterator[Row]:
    table = _TABLES[kind]
    query = select(*(table.c[name] for name in SOURCE_COLUMNS[kind]))
    if ids is None:
        yield from conn.execute(query).mappings()
        return
    for chunk in _chunks(ids):
        yield from conn.execute(query.where(table.c.id.in_(chunk))).mappings()


def _upsert(conn: Connection, documents: Sequence[Document]) -> None:
    """Insert or update `documents` by (kind, record_id)."""
    if not documents:
        return
    table: Any = SearchDocument.__table__
    if conn.dialect.name == "sqlite" and len(documents) > SMALL_BATCH:
        # FTS5 flushes its pending index data at every statement, and a statement per
        # row is what an executemany is: stage the rows, then write them in one statement.
        _STAGING.create(conn, checkfirst=True)
        conn.execute(_STAGING.delete())
        conn.execute(_STAGING.insert(), list(documents))
        source: Any = select(*(_STAGING.c[name] for name in _COLUMNS)).where(true())
        stmt: Any = sqlite.insert(table).from_select(list(_COLUMNS), source)
    else:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table)
        source = None
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "record_id"],
        set_={name: stmt.excluded[name] for name in _WRITTEN},
    )
    if source is not None:
        conn.execute(stmt)
        conn.execute(_STAGING.delete())
    else:
        conn.execute(stmt, list(documents))


def _delete(conn: Connection, kind: SearchKind, record_ids: Collection[int]) -> None:
    for chunk in _chunks(record_ids):
        conn.execute(
            delete(SearchDocument).where(
                SearchDocument.kind == kind, SearchDocument.record_id.in_(chunk)
            )
        )


def _changed(obj: Any, kind: SearchKind) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in SOURCE_COLUMNS[kind][1:])


def _after_flush(session: Session, _context: Any) -> None:
    refresh: dict[SearchKind, set[int]] = {}
    remove: dict[SearchKind, set[int]] = {}
    for obj in session.new:
        if (kind := MODELS.get(type(obj))) is not None:
            refresh.setdefault(kind, set()).add(obj.id)
    for obj in session.dirty:
        kind = MODELS.get(type(obj))
        if kind is not None and _changed(obj, kind):
            refresh.setdefault(kind, set()).add(obj.id)
    for obj in session.deleted:
        if (kind := MODELS.get(type(obj))) is not None:
            remove.setdefault(kind, set()).add(inspect(obj).identity[0])
    if not refresh and not remove:
        return
    conn = session.connection()
    for kind, ids in remove.items():
        _delete(conn, kind, ids)
    for kind, ids in refresh.items():
        _upsert(conn, list(build_documents(kind, _source_rows(conn, kind, ids))))


def install(session: scoped_session[Any]) -> None:
    """Attach the search-index hook to the app's session."""
    if not event.contains(session, "after_flush", _after_flush):
        event.listen(session, "after_flush", _after_flush)


def sync_all(conn: Connection, sources: Mapping[SearchKind, Iterable[Row]]) -> dict[str, int]:
    """Make `search_documents` equal the documents of `sources`; write only the differences."""
    wanted: dict[tuple[SearchKind, int], Document] = {}
    for kind, rows in sources.items():
        for doc in build_documents(kind, rows):
            wanted[(kind, doc["record_id"])] = doc
    stale: dict[SearchKind, set[int]] = {}
    current: set[tuple[SearchKind, int]] = set()
    table = SearchDocument.__table__
    columns = (table.c.kind, table.c.record_id, *(table.c[n] for n in _WRITTEN))
    for row in conn.execute(select(*columns)).mappings():
        key = (SearchKind(row["kind"]), row["record_id"])
        existing = wanted.get(key)
        if existing is None:
            stale.setdefault(key[0], set()).add(key[1])
        elif all(existing[n] == row[n] for n in _WRITTEN):
            current.add(key)
    for kind, record_ids in stale.items():
        _delete(conn, kind, record_ids)
    changes = [doc for key, doc in wanted.items() if key not in current]
    _upsert(conn, changes)
    if conn.dialect.name == "postgresql" and len(changes) > ANALYZE_AFTER:
        # fresh statistics, or the planner may scan instead of using the trigram indexes
        conn.exec_driver_sql("ANALYZE search_documents")
    return {
        "documents": len(wanted),
        "written": len(changes),
        "deleted": sum(len(v) for v in stale.values()),
    }


def rebuild_search_index(session: Session | scoped_session[Any] | None = None) -> dict[str, int]:
    """Reconcile the whole search index with the records (after Core bulk writes). No commit."""
    if session is None:
        from crm.extensions import db

        session = db.session
    session.flush()
    conn = session.connection()
    return sync_all(conn, {kind: _source_rows(conn, kind, None) for kind in SearchKind})
