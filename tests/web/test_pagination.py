"""Pagination: kept counts told apart by statement and parameters; deep pages read from
where they start (kept per data version) are the pages read by offset."""

from __future__ import annotations

from sqlalchemy import event

from crm.directory import queries
from crm.extensions import db
from crm.models import Organisation
from crm.models import OrgType
from crm.web.pagination import count_rows
from crm.web.pagination import page_starts
from crm.web.pagination import paginate
from crm.web.pagination import statement_key


def _organisations(**filters: str):
    return queries.organisations_query(queries.ListParams(filters=dict(filters)))


def test_statement_key_tells_parameters_and_structure_apart(app):
    with app.app_context():
        ihk = statement_key(_organisations(type="ihk"))
        assert ihk == statement_key(_organisations(type="ihk"))
        assert ihk != statement_key(_organisations(type="hwk"))
        assert ihk != statement_key(_organisations(size="klein"))
        assert ihk != statement_key(_organisations())


def test_kept_counts_of_the_same_list_with_other_filters_differ(app, make):
    make.organisation(name="Kammer", type=OrgType.IHK)
    make.organisation(name="Firma A", type=OrgType.UNTERNEHMEN)
    make.organisation(name="Firma B", type=OrgType.UNTERNEHMEN)
    with app.app_context():
        counts = [count_rows(_organisations(type=t)) for t in ("ihk", "unternehmen", "ihk")]
        assert counts == [1, 2, 1]
        assert count_rows(_organisations()) == 3


def _pages(query, reverse, sort, descending, pages):
    """The ids on each page, and on one beyond the end (the last page again)."""
    key = Organisation.id
    return [
        [
            o.id
            for o in paginate(
                query, n, 10, reverse=lambda: reverse, key=key, sort=sort, descending=descending
            ).items
        ]
        for n in range(1, pages + 2)
    ]


def test_deep_pages_read_from_their_start_are_the_pages_read_by_offset(app, make):
    for n in range(27):  # names repeat: the id decides between equal sort keys
        make.organisation(name=f"Firma {n % 4}", type=[OrgType.IHK, OrgType.HWK][n % 2])
    with app.app_context():
        for sort in ("name", "type"):
            for desc in (False, True):
                params = queries.ListParams(sort=sort, desc=desc)
                query = queries.organisations_query(params)
                reverse = queries.organisations_query(params, reverse=True)
                columns = queries.ORGANISATION_LIST.sorts[sort]
                by_start = _pages(query, reverse, columns, desc, 3)
                by_offset = _pages(query, reverse, (), desc, 3)
                assert by_start == by_offset, (sort, desc)
                assert sum(by_start[:3], []) == [o.id for o in db.session.scalars(query)]
                starts, total = page_starts(query, columns, desc, 10)
                assert len(starts) == 3
                assert total == 27


def test_page_starts_follow_a_change(app, make):
    for n in range(12):
        make.organisation(name=f"Firma {n:02d}")
    with app.app_context():
        query = queries.organisations_query(queries.ListParams())
        columns = queries.ORGANISATION_LIST.sorts["name"]
        starts, total = page_starts(query, columns, False, 10)
        assert ([s[0] for s in starts], total) == (["firma 00", "firma 10"], 12)
    make.organisation(name="Firma 00a")  # audited: a new data version
    with app.app_context():
        starts, total = page_starts(query, columns, False, 10)
        assert ([s[0] for s in starts], total) == (["firma 00", "firma 09"], 13)


def test_a_deep_page_after_a_save_counts_and_finds_its_start_in_one_statement(app, make):
    for n in range(25):
        make.organisation(name=f"Firma {n:02d}")
    with app.app_context():
        query = queries.organisations_query(queries.ListParams())
        columns = queries.ORGANISATION_LIST.sorts["name"]
        statements: list[str] = []

        def note(_conn, _cursor, statement, *_args):
            if "organisations" in statement:  # not BEGIN nor the data version
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            page = paginate(query, 3, 10, key=Organisation.id, sort=columns)
            again = paginate(query, 2, 10, key=Organisation.id, sort=columns)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert (page.page, page.total, len(page.items)) == (3, 25, 5)
        assert (again.total, len(again.items)) == (25, 10)
        # page 3: the starts with the count, then the rows; page 2: only its rows
        assert len(statements) == 3


def test_deep_pages_of_a_sort_by_a_nullable_column_are_the_pages_read_by_offset(app, make):
    # two in five without a place: SQLite sorts them first, PostgreSQL last; 5 pages of 10
    # and one of 7, so that one page holds both kinds (read by offset), others one only
    for n in range(57):
        make.organisation(
            name=f"Firma {n % 4}",
            place=None if n % 5 < 2 else f"Ort {n % 3}",
            land_ags=None if n % 6 < 2 else ["05", "09"][n % 2],
        )
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            for sort in ("place", "land"):
                for desc in (False, True):
                    params = queries.ListParams(sort=sort, desc=desc)
                    query = queries.organisations_query(params)
                    reverse = queries.organisations_query(params, reverse=True)
                    columns = queries.ORGANISATION_LIST.sorts[sort]
                    by_start = _pages(query, reverse, columns, desc, 6)
                    by_offset = _pages(query, reverse, (), desc, 6)
                    assert by_start == by_offset, (sort, desc)
                    assert sum(by_start[:6], []) == [o.id for o in db.session.scalars(query)]
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
    # pages read from their start, among the NULLs and among the rest
    from_start = [s for s in statements if ">=" in s or "<=" in s]
    assert any("organisations.place IS NULL" in s for s in from_start)
    assert any("organisations.place IS NULL" not in s for s in from_start)
