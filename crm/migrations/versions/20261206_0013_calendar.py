"""Calendar: the SEQUENCE of an event, the status "abgesagt", a private feed per account.

Reviewed by hand.

1. events.sequence: the iCalendar SEQUENCE, raised when an event's time, place or status
   change, so that calendars replace the entry; 0 for existing events.
2. events.status gains "abgesagt" (cancelled): the CHECK constraint of the status column
   is replaced (SQLite rebuilds the table, keeping AUTOINCREMENT, see 0006). On the way
   down, cancelled events become "abgeschlossen".
3. users.calendar_token_hash: the SHA-256 of the private calendar feed's token (a unique
   index; NULL: no feed). The token itself is shown once and never stored.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_STATUSES = ('entwurf', 'veroeffentlicht', 'anmeldung_geschlossen', 'abgeschlossen')
NEW_STATUSES = (*OLD_STATUSES, 'abgesagt')


def _status_check(statuses):
    return 'status IN (%s)' % ', '.join(f"'{s}'" for s in statuses)


def upgrade():
    with op.batch_alter_table(
        'events', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_events_event_status'), type_='check')
        batch_op.create_check_constraint('event_status', _status_check(NEW_STATUSES))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_users_calendar_token_hash'), ['calendar_token_hash'], unique=True
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_calendar_token_hash'))
        batch_op.drop_column('calendar_token_hash')

    op.execute("UPDATE events SET status = 'abgeschlossen' WHERE status = 'abgesagt'")
    with op.batch_alter_table(
        'events', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_events_event_status'), type_='check')
        batch_op.create_check_constraint('event_status', _status_check(OLD_STATUSES))
        batch_op.drop_column('sequence')
