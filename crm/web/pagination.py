"""Pagination of list queries: one COUNT and one page SELECT, whatever the page size.

The COUNT of a list is kept per process for the database's data version (`data_version`
changes with every write: every write leaves an audit entry) and the exact statement with
its parameters, so that paging through a list of 60,000 persons counts it once, not on
every request; a save anywhere counts it again. An estimate (PostgreSQL's reltuples) was
the alternative for unfiltered lists, but the page numbers and the last page must be
exact, and a filtered list would still have counted every time.

With `key` (the unique column the sort ends in), a page deep in the list reads its rows
in two steps in one statement: the ids of the page from the sort's index alone (an
index-only scan that skips the earlier rows without visiting the table), then those rows
by id. Skipping 30,000 rows of the table itself costs ten times as much. When the sort's
columns are never NULL (the default sorts by name), a page deep in the list is read from
where it starts instead: the sort key of every page's first row is kept per data version,
like the count (`page_starts`), and the page is the next rows along the sort's index from
there (a keyset read), which costs what the first page does.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import tuple_

from crm.db.datastamp import data_version
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


COUNT_CACHE_SIZE = 1024
_counts: OrderedDict[Hashable, int] = OrderedDict()
_counts_lock = threading.Lock()


def statement_key(statement: Select[Any]) -> Hashable:
    """What identifies `statement` with its parameters, without compiling it to SQL: the
    cache key SQLAlchemy looks its compiled statements up by (the statement's structure)
    and the values of its parameters in order. Compiling costs ten times as much; only
    a statement SQLAlchemy cannot cache is compiled."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        compiled = statement.compile(db.engine)
        return str(compiled), tuple(sorted((k, repr(v)) for k, v in compiled.params.items()))
    return cache_key.key, tuple(repr(bind.effective_value) for bind in cache_key.bindparams)


def _count_statement(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.order_by(None).subquery())


def _count_key(statement: Select[Any]) -> Hashable:
    return (str(db.engine.url), data_version(), statement_key(statement))


def _keep_count(key: Hashable, total: int) -> None:
    with _counts_lock:
        _counts[key] = total
        _counts.move_to_end(key)
        while len(_counts) > COUNT_CACHE_SIZE:
            _counts.popitem(last=False)


def count_rows(query: Select[Any]) -> int:
    """How many rows `query` has, counted once per data version (see the module)."""
    statement = _count_statement(query)
    key = _count_key(statement)
    with _counts_lock:
        if key in _counts:
            _counts.move_to_end(key)
            return _counts[key]
    total = int(db.session.scalar(statement) or 0)
    _keep_count(key, total)
    return total


def clear_counts() -> None:
    """Forget every kept count (tests that empty the database, where ids start again)."""
    with _counts_lock:
        _counts.clear()


# Where each page of a directory list starts (the sort key of its first row), kept per data
# version like the count: a page deep in the list is then read from its start along the
# sort's index instead of skipping every row before it (on PostgreSQL the middle of 60,000
# persons cost 1.5 times the first page). For sorts whose columns are never NULL but the
# first (a place, a date): a NULL compares with nothing, and SQLite and PostgreSQL sort it at
# opposite ends, so a page is read from its start only when its rows are all NULL or all
# not NULL in that column, which the start of the next page tells (`_from_start`).
STARTS_CACHE_SIZE = 32
_starts: OrderedDict[Hashable, tuple[list[tuple[Any, ...]], int]] = OrderedDict()


def _never_null(sort: Sequence[Any]) -> bool:
    return all(getattr(getattr(c, "expression", c), "nullable", True) is False for c in sort)


def _read_from_starts(sort: Sequence[Any]) -> bool:
    """Can the pages of a list ordered by `sort` be read from where they start?"""
    return bool(sort) and _never_null(sort[1:])


def page_starts(
    query: Select[Any], sort: Sequence[Any], descending: bool, per_page: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The `sort` values of the first row of every page of `query` (which is ordered by
    `sort`, all ascending or all `descending`) and how many rows it has, read in one pass
    over the sort's index and kept per data version; the count is kept for `count_rows`
    too, so the first deep page after a save costs one statement more than the first page,
    not two."""
    key = (str(db.engine.url), data_version(), statement_key(query), per_page)
    with _counts_lock:
        if key in _starts:
            _starts.move_to_end(key)
            return _starts[key]
    order = [column.desc() if descending else column.asc() for column in sort]
    numbered = (
        query.order_by(None)
        .with_only_columns(
            *sort,
            func.row_number().over(order_by=order).label("row_number"),
            func.count().over().label("total"),
        )
        .subquery()
    )
    first_rows = (
        select(*list(numbered.c)[: len(sort)], numbered.c.total)
        .where((numbered.c.row_number - 1) % per_page == 0)
        .order_by(numbered.c.row_number)
    )
    rows = [tuple(row) for row in db.session.execute(first_rows)]
    found = ([row[:-1] for row in rows], int(rows[0][-1]) if rows else 0)
    _keep_count(_count_key(_count_statement(query)), found[1])
    with _counts_lock:
        _starts[key] = found
        while len(_starts) > STARTS_CACHE_SIZE:
            _starts.popitem(last=False)
    return found


def _from_start(
    query: Select[Any],
    sort: Sequence[Any],
    descending: bool,
    starts: list[tuple[Any, ...]],
    page: int,
) -> Select[Any] | None:
    """`query` from the first row of `page` on (a keyset read), given where every page
    starts; None where one comparison cannot say it: when the first sort column may be
    NULL, for a page whose rows are partly NULL there, and for the last page (whether
    NULLs follow its start is not known; it is read from the end instead)."""
    start = starts[page - 1]
    if not _never_null(sort[:1]):
        following = starts[page] if page < len(starts) else None
        if following is None or (start[0] is None) != (following[0] is None):
            return None
        if start[0] is None:  # a page among the NULLs: they are in the order of the rest
            query = query.where(sort[0].is_(None))
            sort, start = sort[1:], start[1:]
    row = tuple_(*sort)
    values = tuple_(
        *(literal(value, column.type) for column, value in zip(sort, start, strict=True))
    )
    return query.where(row <= values if descending else row >= values)


def _fetch(query: Select[Any], columns: Sequence[Any]) -> list[Any]:
    """The rows of `query`: plain rows of `columns` when given, else its records."""
    if columns:
        return list(db.session.execute(query.with_only_columns(*columns)))
    return list(db.session.scalars(query))


def _rows(
    query: Select[Any], limit: int, offset: int, key: Any, columns: Sequence[Any] = ()
) -> list[Any]:
    if key is None or offset == 0:
        return _fetch(query.limit(limit).offset(offset), columns)
    ids = query.with_only_columns(key).limit(limit).offset(offset).subquery()
    return _fetch(query.where(key.in_(select(ids.c[0]))).limit(limit), columns)


def paginate(
    query: Select[Any],
    page: int,
    per_page: int,
    *,
    reverse: Callable[[], Select[Any]] | None = None,
    key: Any = None,
    columns: Sequence[Any] = (),
    sort: Sequence[Any] = (),
    descending: bool = False,
) -> Page[Any]:
    """Run `query` for one page; a page beyond the end shows the last page.

    `reverse` builds the same query in exactly the opposite order (the sort must end in a
    unique column); it is called only for a page in the back half, which is then read from
    the end, so that the database skips at most half the rows: the last page costs what the
    first does.
    `key` is that unique column, for reading deep pages by id and keeping the count per
    data version (see the module): only for lists of audited records. With `columns`,
    the page's rows are plain result rows of these columns instead of records (cheaper
    where a row shows a few columns), read by the same `query`, so that the kept count
    stays the one of `query`, shared with its exports. `sort` are the columns `query` is
    ordered by (ending in `key`; all `descending` or none): when none of them but the
    first is ever NULL, a page after the first is read from where it starts
    (`page_starts`, `_from_start`).
    """
    starts: list[tuple[Any, ...]] = []
    if key is not None and page > 1 and _read_from_starts(sort):
        starts, total = page_starts(query, sort, descending, per_page)
    elif key is not None:  # a directory list: audited records, the count is kept
        total = count_rows(query)
    else:  # e.g. the review feed, whose "seen" marks are not audited: counted afresh
        total = int(db.session.scalar(_count_statement(query)) or 0)
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    # (the count and the starts are of the same statement)
    from_start = (
        _from_start(query, sort, descending, starts, page) if 1 < page <= len(starts) else None
    )
    if from_start is not None:
        items = _fetch(from_start.limit(per_page), columns)
    elif reverse is not None and page > (last + 1) // 2:
        skip_from_end = total - page * per_page  # negative on a partly filled last page
        limit = per_page + min(0, skip_from_end)
        rows = _rows(reverse(), limit, max(0, skip_from_end), key, columns)
        items = rows[::-1]
    else:
        items = _rows(query, per_page, (page - 1) * per_page, key, columns)
    return Page(items=items, page=page, per_page=per_page, total=total)


# How many rows a list inside a record's page (an initiative's members, an organisation's
# memberships, a person's affiliations) shows at a time.
RECORD_LIST_SIZE = 50


def paginate_in_record(
    query: Select[Any], page: int, per_page: int = RECORD_LIST_SIZE
) -> Page[Any]:
    """One page of a list inside a record's page, in one statement: the page's rows with
    the list's total as a window count (`count(*) OVER ()`, computed before LIMIT), so
    that a record page costs the same number of statements however long its lists are.
    Only a page beyond the end (an old link) costs more: the count, then the last page.
    `query` selects one entity and must end its sort in a unique column."""
    counted = query.add_columns(func.count().over().label("total_rows"))
    rows = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        return Page([row[0] for row in rows], page, per_page, int(rows[0][1]))
    if page == 1:
        return Page([], 1, per_page, 0)
    total = count_rows(query)
    last = Page([], page, per_page, total).pages
    items = list(db.session.scalars(query.limit(per_page).offset((last - 1) * per_page)))
    return Page(items, last, per_page, total)
