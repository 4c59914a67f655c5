"""Organisations by AGS: a Kommune's or Kreis's Amtlicher Gemeindeschlüssel.

Reviewed by hand.

organisations.ags: eight digits for a Gemeinde, five for a Kreis (checked by the form and
the import, not by the database); NULL for every existing organisation and for any that
is not a Kommune. Indexed: the import matches an organisation by its AGS first. SQLite
adds the column in place; dropping it on the way down rebuilds the table, keeping
AUTOINCREMENT (see 0006).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table(
        'organisations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('ags', sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisations_ags'), ['ags'], unique=False)


def downgrade():
    with op.batch_alter_table(
        'organisations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_ags'))
        batch_op.drop_column('ags')
