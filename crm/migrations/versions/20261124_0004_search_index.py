"""Global search index: search_documents plus a trigram index per backend, filled from the records.

Reviewed by hand. `search_documents` holds one folded text per initiative, organisation
and person (crm.search.index keeps it in sync). The substring index over its `text`
differs per backend and is therefore not in the models (the drift check skips it, see
crm.search.schema). There is one per kind, so each group of results reads its own:
- SQLite: FTS5 external-content tables `search_fts_<kind>` with the trigram tokenizer,
  each kept in sync by three triggers on search_documents (insert, delete, update)
  that only act on rows of its kind.
- PostgreSQL: the pg_trgm extension and partial GIN indexes (gin_trgm_ops) on `text`,
  `WHERE kind = '<kind>'`.

The upgrade fills the index from the rows that exist, with the same document builder
the application uses, reading the source columns as they are at this revision.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

KINDS = ('initiative', 'organisation', 'person')


def _sqlite_fts(kind):
    """One FTS5 trigram table per kind over search_documents.text, and its sync triggers."""
    fts = f"search_fts_{kind}"
    when = f"WHEN {{row}}.kind = '{kind}'"
    insert = f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text);"
    remove = f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5("
        "text, content='search_documents', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_after_insert AFTER INSERT ON search_documents "
        f"{when.format(row='new')} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_after_delete AFTER DELETE ON search_documents "
        f"{when.format(row='old')} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_after_update AFTER UPDATE ON search_documents "
        f"{when.format(row='old')} BEGIN {remove} {insert} END",
    ]


def _postgresql_trigram(kind):
    """One partial GIN trigram index per kind on search_documents.text."""
    return [
        f"CREATE INDEX ix_search_documents_text_trgm_{kind} ON search_documents "
        f"USING gin (text gin_trgm_ops) WHERE kind = '{kind}'"
    ]


# The source columns as they are at this revision (not the models of a later one).
SOURCES = {
    'initiative': ('initiatives', ('id', 'name', 'short_name', 'region_label', 'place')),
    'organisation': ('organisations', ('id', 'name', 'legal_name', 'other_names', 'place')),
    'person': ('persons', ('id', 'title', 'first_name', 'last_name', 'email')),
}


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('initiative', 'organisation', 'person', name='search_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('subtitle', sa.String(length=400), nullable=False),
    sa.Column('title_key', sa.String(length=250), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'record_id', name=op.f('uq_search_documents_kind_record_id'))
    )
    op.create_index('ix_search_documents_kind_title_key', 'search_documents', ['kind', 'title_key'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for kind in KINDS:
            for statement in _sqlite_fts(kind):
                op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for kind in KINDS:
            for statement in _postgresql_trigram(kind):
                op.execute(statement)
    _fill(bind)


def _fill(bind):
    from crm.models.search import SearchKind
    from crm.search.index import sync_all

    sources = {}
    for kind, (table_name, columns) in SOURCES.items():
        table = sa.table(table_name, *(sa.column(c) for c in columns))
        sources[SearchKind(kind)] = bind.execute(sa.select(table)).mappings().all()
    sync_all(bind, sources)


def downgrade():
    bind = op.get_bind()
    for kind in KINDS:
        if bind.dialect.name == 'sqlite':
            for trigger in ('insert', 'delete', 'update'):
                op.execute(f"DROP TRIGGER IF EXISTS search_fts_{kind}_after_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS search_fts_{kind}")
        elif bind.dialect.name == 'postgresql':
            # pg_trgm itself stays installed: other indexes may use it
            op.execute(f"DROP INDEX IF EXISTS ix_search_documents_text_trgm_{kind}")
    op.drop_index('ix_search_documents_kind_title_key', table_name='search_documents')
    op.drop_table('search_documents')
