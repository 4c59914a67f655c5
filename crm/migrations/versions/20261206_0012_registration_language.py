"""The language a visitor registered in, so that their mails go out in it.

Reviewed by hand. One new nullable column, nothing else changes.

registrations.language: the two-letter language of the registration form ("de", "en");
NULL for registrations made before it was recorded (their mails then follow the person's
preferred language). SQLite adds the column in place; dropping it rebuilds the table
and keeps its AUTOINCREMENT (0006).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('language')
