"""Duplicates: pairs declared "kein Duplikat", and merges of two records (with undo).

Reviewed by hand. Two new tables, nothing else changes.

1. duplicate_dismissals: kind (organisation/person) × pair of ids, smaller id first
   (a CHECK enforces it, so the unique constraint covers both directions); who and when.
2. record_merges: one row per merge — kept id, removed id (and its name, for the page
   after the record is gone), the audit batch of the merge's transaction, what the audit
   trail does not keep (JSON), who and when, and when it was undone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('duplicate_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('a_id', sa.Integer(), nullable=False),
    sa.Column('b_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('organisation', 'person')", name=op.f('ck_duplicate_dismissals_kind')),
    sa.CheckConstraint('a_id < b_id', name=op.f('ck_duplicate_dismissals_ordered_pair')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_duplicate_dismissals_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_dismissals')),
    sa.UniqueConstraint('kind', 'a_id', 'b_id', name='uq_duplicate_dismissals_pair'),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('duplicate_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_dismissals_decided_by_id'), ['decided_by_id'], unique=False)

    op.create_table('record_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('removed_id', sa.Integer(), nullable=False),
    sa.Column('removed_name', sa.String(length=250), nullable=False),
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.Column('saved', sa.JSON(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('organisation', 'person')", name=op.f('ck_record_merges_kind')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_record_merges_merged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_record_merges_undone_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_merges')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('record_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_merges_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_merges_merged_by_id'), ['merged_by_id'], unique=False)
        batch_op.create_index('ix_record_merges_kept', ['kind', 'kept_id'], unique=False)


def downgrade():
    with op.batch_alter_table('record_merges', schema=None) as batch_op:
        batch_op.drop_index('ix_record_merges_kept')
        batch_op.drop_index(batch_op.f('ix_record_merges_merged_by_id'))
        batch_op.drop_index(batch_op.f('ix_record_merges_batch'))
    op.drop_table('record_merges')
    with op.batch_alter_table('duplicate_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_dismissals_decided_by_id'))
    op.drop_table('duplicate_dismissals')
