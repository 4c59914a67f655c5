"""List sort indexes (#23): one index per sort of every list, the sort keys plus id.

Reviewed by hand.

The list pages of initiatives, organisations and persons sort by the keys of
crm.directory.queries (INITIATIVE_LIST, ORGANISATION_LIST, PERSON_LIST), each ending in
the id so that the order is total. An index on exactly those columns lets the database
read a page in order (forwards, or backwards for a descending sort and for the back half
of the pages) instead of sorting the whole table per request. The single-column indexes
on sort_name are the first columns of the new ones and go. Plain CREATE INDEX on both
backends (no table rebuild on SQLite); ANALYZE afterwards so that PostgreSQL's planner
knows the tables (SQLite keeps its statistics in sqlite_stat1, refreshed by ANALYZE too).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 19:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

INDEXES = {
    'initiatives': {
        'ix_initiatives_sort_name_id': ['sort_name', 'id'],
        'ix_initiatives_type_sort': ['type', 'sort_name', 'id'],
        'ix_initiatives_status_sort': ['status', 'sort_name', 'id'],
        'ix_initiatives_founded_year_id': ['founded_year', 'id'],
        'ix_initiatives_place_id': ['place', 'id'],
    },
    'organisations': {
        'ix_organisations_sort_name_id': ['sort_name', 'id'],
        'ix_organisations_type_sort': ['type', 'sort_name', 'id'],
        'ix_organisations_place_id': ['place', 'id'],
        'ix_organisations_land_sort': ['land_ags', 'sort_name', 'id'],
    },
    'persons': {
        'ix_persons_sort_name_id': ['sort_name', 'id'],
        'ix_persons_email_id': ['email', 'id'],
        'ix_persons_phone_id': ['phone', 'id'],
    },
}


def upgrade():
    for table, indexes in INDEXES.items():
        op.drop_index(f'ix_{table}_sort_name', table_name=table)
        for name, columns in indexes.items():
            op.create_index(name, table, columns, unique=False)
        op.execute(f'ANALYZE {table}')


def downgrade():
    for table, indexes in INDEXES.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
        op.create_index(f'ix_{table}_sort_name', table, ['sort_name'], unique=False)
