"""Online meeting: a workshop's own room link.

Reviewed by hand.

workshops.online_url: the link of the workshop's online room (a breakout room or a
meeting of its own; any http(s) URL, up to 300 characters like events.online_url).
NULL for existing workshops: their participants use the event's link. SQLite adds the
column in place; dropping it on the way down rebuilds the table, keeping AUTOINCREMENT
(see 0006).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table(
        'workshops', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('online_url', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table(
        'workshops', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('online_url')
