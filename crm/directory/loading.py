"""Loading records with their relations, as the record pages, the portal, the public pages
and the links feature need them: one record by id, and the links of a record with the
record at their other end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Initiative
from crm.models import Organisation
from crm.models import Relationship
from crm.web.pagination import Page
from crm.web.pagination import paginate_in_record

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


def links_page(
    link: Any,
    other: Any,
    *where: Any,
    order_by: tuple[Any, ...],
    page: int,
    only: tuple[Any, ...] = (),
) -> Page[Any]:
    """One page of `links_of` (see `paginate_in_record`), with the total: one statement;
    of the other end only the columns `only` when given (what a record page shows of it)."""
    return paginate_in_record(_links(link, other, where, order_by, only), page)


def relationships_of(kind: str, record_id: int) -> Any:
    """SQL: a relationship of the initiative or organisation `record_id`, at either end."""
    if kind == "initiative":
        a, b = Relationship.initiative_a_id, Relationship.initiative_b_id
    else:
        a, b = Relationship.organisation_a_id, Relationship.organisation_b_id
    return (a == record_id) | (b == record_id)
