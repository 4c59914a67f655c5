"""Invitations (#18): a recipient's status "cancelled" (registered, then cancelled).

Reviewed by hand.

invitation_recipients.status gains "cancelled": an invited person who registered and then
cancelled their registration no longer counts as registered (and gets no reminder to
register). The CHECK constraint of the status column is replaced (SQLite rebuilds the
table, keeping AUTOINCREMENT, see 0006). On the way down, cancelled recipients become
"sent" (their invitation went out; the old schema has no better word for it).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

OLD_STATUSES = ('queued', 'sent', 'failed', 'registered', 'skipped')
NEW_STATUSES = (*OLD_STATUSES, 'cancelled')


def _status_check(statuses):
    return 'status IN (%s)' % ', '.join(f"'{s}'" for s in statuses)


def _replace_check(statuses):
    with op.batch_alter_table(
        'invitation_recipients', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_invitation_recipients_invitation_status'), type_='check'
        )
        batch_op.create_check_constraint('invitation_status', _status_check(statuses))


def upgrade():
    _replace_check(NEW_STATUSES)


def downgrade():
    op.execute("UPDATE invitation_recipients SET status = 'sent' WHERE status = 'cancelled'")
    _replace_check(OLD_STATUSES)
