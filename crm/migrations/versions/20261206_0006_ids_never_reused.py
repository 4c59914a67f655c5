"""Ids are never reused; the review feed groups a save and keeps seen state per account.

Reviewed by hand.

1. SQLite gave the id of a deleted row to the next new one (the largest id plus one), so
   a new person could inherit a deleted person's history, search entry and every other
   row that refers to a record by kind and id. Every table with a single integer key is
   rebuilt with AUTOINCREMENT (batch mode, recreate="always": create the new table, copy
   every row with its id, drop the old one, rename). Its indexes, CHECK and foreign key
   constraints are reflected and created again; its triggers (the search index's FTS5
   sync triggers on search_documents) are read before and created again after. The
   rebuild runs with foreign keys off (see env.py), so dropping the original fires no
   ON DELETE action; `PRAGMA foreign_key_check` must come back empty at the end.
   The counter of each table starts above the largest id its history (and the search
   index and suggestion feedback, which name records by kind and id) knows, so that the
   id of a record deleted before this migration is not given out again either.
   PostgreSQL: nothing to rebuild, its sequences never hand out an id twice.
2. audit_entries.batch: the entries written by one save share a batch (one review card);
   reverted_at / reverted_by_id / reverted_by_label: a staff revert shown on the card.
3. audit_entry_seen: which staff account saw which editor change when (seen state per
   account). The existing "seen" marks (reviewed_by_id, reviewed_at) are copied into it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The tables with a single integer key at revision 0005 (the reference tables keyed by
# AGS and the many-to-many tables have no counter to protect).
TABLES = (
    'affiliations', 'agenda_blocks', 'assignment_drafts', 'audit_entries', 'consents',
    'events', 'formats', 'initiative_roles', 'initiatives', 'interactions', 'memberships',
    'organisations', 'outbox_mails', 'persons', 'postcodes', 'registrations',
    'relationships', 'search_documents', 'suggestion_feedback', 'themes', 'users',
    'workshop_preferences', 'workshops',
)


def _audit_columns(batch_op):
    batch_op.add_column(sa.Column('batch', sa.String(length=32), nullable=True))
    batch_op.add_column(sa.Column('reverted_at', sa.DateTime(), nullable=True))
    batch_op.add_column(sa.Column('reverted_by_id', sa.Integer(), nullable=True))
    batch_op.add_column(sa.Column('reverted_by_label', sa.String(length=254), nullable=True))
    batch_op.create_index(batch_op.f('ix_audit_entries_batch'), ['batch'], unique=False)
    batch_op.create_foreign_key(
        batch_op.f('fk_audit_entries_reverted_by_id_users'), 'users', ['reverted_by_id'],
        ['id'], ondelete='SET NULL',
    )


def _rebuild(bind, table, autoincrement, extra=None):
    """Rebuild `table` on SQLite with (or without) AUTOINCREMENT, keeping rows, ids and
    triggers; `extra(batch_op)` adds further changes to the same rebuild."""
    triggers = [
        row[0] for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        )
    ]
    with op.batch_alter_table(
        table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
    ) as batch_op:
        if extra is not None:
            extra(batch_op)
    for sql in triggers:
        op.execute(sql)


# Other tables that name a record by kind and id (search index, suggestion feedback).
KIND_OF = {'initiatives': 'initiative', 'organisations': 'organisation', 'persons': 'person'}


def _start_counter_above_history(bind, table):
    """sqlite_sequence of `table` at least the largest id its history (or any table that
    refers to its records by kind and id) has seen."""
    queries = [("SELECT MAX(record_id) FROM audit_entries WHERE record_type = ?", table)]
    kind = KIND_OF.get(table)
    if kind is not None:
        queries += [
            ("SELECT MAX(record_id) FROM search_documents WHERE kind = ?", kind),
            ("SELECT MAX(source_id) FROM suggestion_feedback WHERE source_type = ?", kind),
            ("SELECT MAX(target_id) FROM suggestion_feedback WHERE target_type = ?", kind),
        ]
    found = [bind.exec_driver_sql(sql, (value,)).scalar() for sql, value in queries]
    known = max((n for n in found if n is not None), default=None)
    if known is None:
        return
    seq = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).scalar()
    if seq is None:
        bind.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, known)
        )
    elif seq < known:
        bind.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (known, table))


def _check_foreign_keys(bind):
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'foreign keys broken by the table rebuild: {broken[:5]}')


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for table in TABLES:
            _rebuild(bind, table, True, _audit_columns if table == 'audit_entries' else None)
        for table in TABLES:
            _start_counter_above_history(bind, table)
        _check_foreign_keys(bind)
    else:
        with op.batch_alter_table('audit_entries') as batch_op:
            _audit_columns(batch_op)

    op.create_table('audit_entry_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entries.id'], name=op.f('fk_audit_entry_seen_entry_id_audit_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entry_seen_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry_seen')),
    sa.UniqueConstraint('user_id', 'entry_id', name=op.f('uq_audit_entry_seen_user_id_entry_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('audit_entry_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_seen_entry_id'), ['entry_id'], unique=False)
    op.execute(
        'INSERT INTO audit_entry_seen (user_id, entry_id, seen_at) '
        'SELECT reviewed_by_id, id, reviewed_at FROM audit_entries '
        'WHERE reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL'
    )


def _drop_audit_columns(batch_op):
    batch_op.drop_constraint(batch_op.f('fk_audit_entries_reverted_by_id_users'), type_='foreignkey')
    batch_op.drop_index(batch_op.f('ix_audit_entries_batch'))
    batch_op.drop_column('reverted_by_label')
    batch_op.drop_column('reverted_by_id')
    batch_op.drop_column('reverted_at')
    batch_op.drop_column('batch')


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table('audit_entry_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_seen_entry_id'))
    op.drop_table('audit_entry_seen')
    if bind.dialect.name == 'sqlite':
        for table in TABLES:
            _rebuild(bind, table, False, _drop_audit_columns if table == 'audit_entries' else None)
        _check_foreign_keys(bind)
    else:
        with op.batch_alter_table('audit_entries') as batch_op:
            _drop_audit_columns(batch_op)
