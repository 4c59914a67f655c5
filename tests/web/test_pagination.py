"""Pagination: the kept counts are told apart by the statement and its parameters."""

from __future__ import annotations

from crm.directory import queries
from crm.models import OrgType
from crm.web.pagination import count_rows
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
