"""Background jobs: outbox delivery state, reminder marker, job runs.

Reviewed by hand.

1. outbox_mails.status (queued/sending/sent/failed/uncertain), attempts, last_attempt_at,
   next_attempt_at: the state of a mail is written before and after each SMTP exchange,
   so that a mail is sent at most once; a mail found "sending" was interrupted during the
   exchange and becomes "uncertain" (never resent by itself). Existing mails: sent ones
   (sent_at set) become "sent", all others "queued" (the old sender retried every unsent
   mail, an error included), attempts 1 where an error was recorded.
2. registrations.reminded_at: the reminder mail the day before was queued (once per
   registration).
3. job_runs: one row per background job run, written from Huey's signals (admin page).

SQLite: a batch operation that rebuilds a table (the CHECK constraint of the new status
column, dropping columns on the way down) must keep AUTOINCREMENT (revision 0006), hence
table_kwargs={'sqlite_autoincrement': True} on every batch operation here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OUTBOX_STATUS = sa.Enum(
    'queued', 'sending', 'sent', 'failed', 'uncertain', name='outbox_status',
    native_enum=False, create_constraint=True, length=32,
)
JOB_RUN_STATUS = sa.Enum(
    'queued', 'running', 'complete', 'failed', 'retrying', 'interrupted', 'skipped',
    name='job_run_status', native_enum=False, create_constraint=True, length=32,
)


def upgrade():
    with op.batch_alter_table(
        'outbox_mails', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('status', OUTBOX_STATUS, server_default='queued', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_mails_status'), ['status'], unique=False)
    op.execute("UPDATE outbox_mails SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.execute(
        "UPDATE outbox_mails SET attempts = 1, last_attempt_at = created_at "
        "WHERE sent_at IS NULL AND error IS NOT NULL"
    )

    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))

    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('arguments', sa.Text(), nullable=False),
    sa.Column('status', JOB_RUN_STATUS, nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_enqueued_at'), ['enqueued_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_enqueued_at'))
        batch_op.drop_index(batch_op.f('ix_job_runs_status'))
        batch_op.drop_index(batch_op.f('ix_job_runs_task_id'))
    op.drop_table('job_runs')

    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table(
        'outbox_mails', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mails_status'))
        # the CHECK of the status column would be copied into the rebuilt table otherwise
        batch_op.drop_constraint(batch_op.f('ck_outbox_mails_outbox_status'), type_='check')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
