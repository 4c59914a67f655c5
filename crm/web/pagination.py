"""Pagination of list queries: one COUNT and one page SELECT, whatever the page size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from crm.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and where it lies."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Is there a page before this one?"""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Is there a page after this one?"""
        return self.page < self.pages


def parse_page(value: str | None) -> int:
    """A page number from a query parameter; anything odd means page 1."""
    try:
        return max(1, min(int(value or 1), 1_000_000))
    except ValueError:
        return 1


def paginate(
    query: Select[Any], page: int, per_page: int, *, reverse: Select[Any] | None = None
) -> Page[Any]:
    """Run `query` for one page; a page beyond the end shows the last page.

    `reverse` is the same query in exactly the opposite order (the sort must end in a
    unique column). With it, pages in the back half are read from the end, so that the
    database skips at most half the rows: the last page costs what the first does.
    """
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = int(total or 0)
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    if reverse is not None and page > (last + 1) // 2:
        skip_from_end = total - page * per_page  # negative on a partly filled last page
        rows = reverse.limit(per_page + min(0, skip_from_end)).offset(max(0, skip_from_end))
        items = list(db.session.scalars(rows))[::-1]
    else:
        items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
