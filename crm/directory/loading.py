"""Loading records with their relations, as the record pages, the portal, the public pages
and the links feature need them: one record by id, and the links of a record with the
record at their other end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Relationship
from crm.web.pagination import RECORD_LIST_SIZE
from crm.web.pagination import Page

# The parameter a prebuilt statement of a record page takes the record's id by.
RECORD_ID: BindParameter[int] = bindparam("record_id")

# What the record pages load of a record they only name and link to (the rest of its row,
# an initiative's description and goals among it, would be read and never shown).
NAMED_ONLY: dict[Any, tuple[Any, ...]] = {
    Initiative: (Initiative.id, Initiative.name),
    Organisation: (Organisation.id, Organisation.name),
}


def by_id(model: Any, record_id: int, *relations: Any) -> Any:
    """The `model` row with this id and its `relations` loaded (None if there is none):
    a single related record joined to the row, each collection by one more statement."""
    return db.session.scalar(
        select(model)
        .where(model.id == record_id)
        .options(
            *(
                selectinload(relation) if relation.property.uselist else joinedload(relation)
                for relation in relations
            )
        )
    )


def _links(
    link: Any,
    other: Any,
    where: tuple[Any, ...],
    order_by: tuple[Any, ...],
    only: tuple[Any, ...] = (),
) -> Any:
    """SQL: the rows of `link` matching `where`, joined to and loaded with their `other`
    end (from the same join); of the other end only the columns `only` when given."""
    eager = contains_eager(other)
    if only:
        eager = eager.load_only(*only)
    return select(link).join(other).where(*where).options(eager).order_by(*order_by)


def links_of(link: Any, other: Any, *where: Any, order_by: tuple[Any, ...]) -> list[Any]:
    """The rows of `link` matching `where` with their `other` end: one statement."""
    return list(db.session.scalars(_links(link, other, where, order_by)))


class RecordList:
    """One paged list inside a record's page (an organisation's memberships, a person's
    affiliations), its statement built once with the record's id (`RECORD_ID`), the limit
    and the offset as parameters: the page's rows with the list's total as a window count,
    as `paginate_in_record` reads them, but without composing the statement and its cache
    key per request (on a record page with three such lists, more than reading their rows).
    `query` selects one entity and ends its sort in a unique column."""

    def __init__(self, query: Select[Any]) -> None:
        self.query = query
        self.paged = (
            query.add_columns(func.count().over().label("total_rows"))
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        self.count = select(func.count()).select_from(query.order_by(None).subquery())

    def page(self, record_id: int, page: int) -> Page[Any]:
        """Page `page` of the list of the record `record_id`; a page beyond the end (an old
        link) shows the last page, for one statement more (the count)."""
        rows = self._rows(record_id, page)
        if rows:
            return Page([row[0] for row in rows], page, RECORD_LIST_SIZE, int(rows[0][1]))
        if page == 1:
            return Page([], 1, RECORD_LIST_SIZE, 0)
        total = int(db.session.scalar(self.count, {"record_id": record_id}) or 0)
        last = Page([], page, RECORD_LIST_SIZE, total).pages
        return Page([row[0] for row in self._rows(record_id, last)], last, RECORD_LIST_SIZE, total)

    def _rows(self, record_id: int, page: int) -> list[Any]:
        offset = (page - 1) * RECORD_LIST_SIZE
        values = {"record_id": record_id, "limit": RECORD_LIST_SIZE, "offset": offset}
        return list(db.session.execute(self.paged, values).all())


def links_list(
    link: Any, other: Any, *where: Any, order_by: tuple[Any, ...], only: tuple[Any, ...] = ()
) -> RecordList:
    """The rows of `link` matching `where` (which compares with `RECORD_ID`) with their
    `other` end, of it only the columns `only` when given (what a record page shows of it),
    as a `RecordList`: a page of them with the total in one statement."""
    return RecordList(_links(link, other, where, order_by, only))


def relationships_of(kind: str, record_id: Any) -> Any:
    """SQL: a relationship of the initiative or organisation `record_id` (an id, or
    `RECORD_ID`), at either end."""
    if kind == "initiative":
        a, b = Relationship.initiative_a_id, Relationship.initiative_b_id
    else:
        a, b = Relationship.organisation_a_id, Relationship.organisation_b_id
    return (a == record_id) | (b == record_id)
