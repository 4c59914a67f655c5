"""Suggestion feedback: the office's decisions about network suggestions.

Reviewed by hand: one table, portable types (the decision is a VARCHAR with a CHECK
constraint, reasons are JSON), constraint names from the naming convention in
crm.models.base. Same-type pairs are stored normalised (smaller id first), which the
`normalised_pair` check enforces, so the unique constraint covers both directions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('accepted', 'dismissed', 'later', name='suggestion_decision', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("source_type IN ('initiative', 'organisation')", name=op.f('ck_suggestion_feedback_source_type')),
    sa.CheckConstraint("target_type IN ('initiative', 'organisation')", name=op.f('ck_suggestion_feedback_target_type')),
    sa.CheckConstraint('source_type <> target_type OR source_id < target_id', name=op.f('ck_suggestion_feedback_normalised_pair')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_suggestion_feedback_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationships.id'], name=op.f('fk_suggestion_feedback_relationship_id_relationships'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_feedback')),
    sa.UniqueConstraint('source_type', 'source_id', 'target_type', 'target_id', name='uq_suggestion_feedback_pair')
    )
    with op.batch_alter_table('suggestion_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_feedback_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_feedback_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_feedback_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_feedback_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_index('ix_suggestion_feedback_target', ['target_type', 'target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('suggestion_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestion_feedback_target')
        batch_op.drop_index(batch_op.f('ix_suggestion_feedback_relationship_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_feedback_decision'))
        batch_op.drop_index(batch_op.f('ix_suggestion_feedback_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_feedback_decided_at'))

    op.drop_table('suggestion_feedback')
