"""The meeting plan (#25): reminders, interactions of held meetings, the plan's report.

Reviewed by hand.

1. meetings.reminded_at: when the reminder shortly before the meeting was queued (NULL: not
   yet; the periodic job reminds each meeting once).
2. meetings.interaction_id: the interaction "Getroffen beim …" of a held meeting (created
   once; SET NULL when staff delete that interaction).
3. matchmaking_settings.plan_report: what the last computation of the plan reported
   (method, time, the weight of each wished pair, people below their target with the
   library's reason code); JSON, NULL before the first computation.

SQLite rebuilds the tables for the foreign key, keeping AUTOINCREMENT (see 0006).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table(
        'meetings', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('interaction_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_meetings_interaction_id_interactions'),
            'interactions',
            ['interaction_id'],
            ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table(
        'matchmaking_settings', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('plan_report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table(
        'matchmaking_settings', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('plan_report')
    with op.batch_alter_table(
        'meetings', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_meetings_interaction_id_interactions'), type_='foreignkey'
        )
        batch_op.drop_column('interaction_id')
        batch_op.drop_column('reminded_at')
