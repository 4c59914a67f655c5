"""Workshop assignment drafts: the office's working draft of an event's assignment.

Reviewed by hand: one table, portable types. One row per event (unique event_id,
deleted with the event). `placements` and `notes` are JSON objects keyed by
registration id (registration → workshop id or null; registration → explanation);
a placement whose registration or workshop has gone is ignored when read. The
published state stays in registrations.assigned_workshop_id, manual placements in
registrations.assignment_fixed, so no existing table changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('mix', sa.String(length=60), nullable=False),
    sa.Column('placements', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_assignment_drafts_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_drafts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_assignment_drafts_event_id'))
    )


def downgrade():
    op.drop_table('assignment_drafts')
