"""Data-subject rights: restriction with reason and date, anonymous registrations, erasure log.

Reviewed by hand.

1. persons.restriction_reason / persons.restricted_at: why and since when processing of a
   person is restricted (Art. 18 GDPR); the flag `restricted` exists already.
2. registrations.person_id may be NULL and is set NULL when its person is deleted: an
   erased person's registrations, and those anonymised by the retention rules, stay as
   anonymous rows so that the event statistics keep their counts. SQLite: the table is
   rebuilt (AUTOINCREMENT kept, foreign keys are off during migrations, see env.py).
3. erasure_log: who erased which record when and why (Art. 17), without personal values.

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-06 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def _registration_person(batch_op, nullable, ondelete):
    batch_op.drop_constraint('fk_registrations_person_id_persons', type_='foreignkey')
    batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=nullable)
    batch_op.create_foreign_key(
        'fk_registrations_person_id_persons', 'persons', ['person_id'], ['id'],
        ondelete=ondelete,
    )


def upgrade():
    with op.batch_alter_table(
        'persons', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('restriction_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('restricted_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table(
        'registrations', recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        _registration_person(batch_op, True, 'SET NULL')

    op.create_table('erasure_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_label', sa.String(length=254), nullable=True),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_erasure_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('erasure_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_log_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('erasure_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_log_at'))
    op.drop_table('erasure_log')

    op.execute('DELETE FROM registrations WHERE person_id IS NULL')
    with op.batch_alter_table(
        'registrations', recreate='auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        _registration_person(batch_op, False, 'CASCADE')

    with op.batch_alter_table(
        'persons', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('restricted_at')
        batch_op.drop_column('restriction_reason')
