"""The parts of the search index that live outside the models, and how Alembic skips them.

The substring index over `search_documents.text` is split by kind, so that each group
of results is read from its own index and a search can stop after enough candidates:
- SQLite: FTS5 external-content tables `search_fts_<kind>` with the trigram tokenizer
  (plus their shadow tables `search_fts_<kind>_data`, ...), kept in sync by triggers;
- PostgreSQL: partial GIN indexes `ix_search_documents_text_trgm_<kind>` (pg_trgm).
Migration 0004 creates them for its backend only, so the model-vs-database drift check
must not report them: `env.py` and the drift test use the filters below.
"""

from __future__ import annotations

from typing import Any

from crm.models.search import SearchKind

FTS_TABLE_PREFIX = "search_fts"
TRIGRAM_INDEX_PREFIX = "ix_search_documents_text_trgm"
IGNORED_TABLE_PREFIXES: tuple[str, ...] = (FTS_TABLE_PREFIX,)
IGNORED_INDEX_PREFIXES: tuple[str, ...] = (TRIGRAM_INDEX_PREFIX,)


def fts_table(kind: SearchKind) -> str:
    """The SQLite FTS5 table that indexes the documents of `kind`."""
    return f"{FTS_TABLE_PREFIX}_{kind.value}"


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic filter on reflected names: skip the FTS5 tables and the trigram indexes."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(IGNORED_TABLE_PREFIXES)
    if type_ == "index":
        return not name.startswith(IGNORED_INDEX_PREFIXES)
    return True


def include_object(
    _obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """Alembic filter on schema objects: skip the backend-specific search index."""
    return include_name(name, type_, None)
