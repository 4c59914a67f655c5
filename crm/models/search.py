"""The global search index: one folded text document per initiative, organisation and person.

The rows are kept in sync with the records by a session hook (`crm.search.index`) in the
same transaction as the change. The backend-specific substring index over `text`, one per
kind (FTS5 trigram tables on SQLite, partial pg_trgm GIN indexes on PostgreSQL), is created
by the migration and is not part of the model: the drift check ignores it
(`crm.search.schema`).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from crm.models.base import Base
from crm.models.base import str_enum


class SearchKind(StrEnum):
    """The record types the global search finds, in the order results are grouped."""

    INITIATIVE = "initiative"
    ORGANISATION = "organisation"
    PERSON = "person"


class SearchDocument(Base):
    """What the global search matches for one record; derived data, never edited by hand."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "record_id"),
        # exact-name hits are found by this index even when a search matches thousands
        Index("ix_search_documents_kind_title_key", "kind", "title_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(str_enum(SearchKind, "search_kind"))
    record_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(250))  # display name
    subtitle: Mapped[str] = mapped_column(String(400), default="")  # place or e-mail
    title_key: Mapped[str] = mapped_column(String(250), default="")  # folded title, for ranking
    # Folded names, other names, place and e-mail: what the trigram index covers.
    text: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SearchDocument {self.kind} {self.record_id} {self.title}>"
