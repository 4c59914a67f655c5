"""Invitations (#18): campaigns per event, their recipients, extra headers of outbox mails.

Reviewed by hand.

invitation_campaigns: the event (deleted with it), a name, the person filters (JSON),
subject and intro text in German and English, when it was first sent and last reminded,
a version for optimistic locking.

invitation_recipients: campaign × person, unique (a campaign never invites anyone twice,
also under concurrent sends); status (queued/sent/failed/registered/skipped, a CHECK
constraint), the SHA-256 of the personal token (unique; the token is derived from the
secret key and never stored), the mail language, why skipped, when the mail was claimed
for the outbox, the invitation's and the reminder's outbox mail (SET NULL when the outbox
is pruned), the registration made through it.

outbox_mails.headers: extra header lines (JSON; List-Unsubscribe and
List-Unsubscribe-Post of invitations, RFC 8058); NULL for existing mails. SQLite adds the
column in place; dropping it on the way down rebuilds the table, keeping AUTOINCREMENT.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

INVITATION_STATUS = sa.Enum(
    'queued', 'sent', 'failed', 'registered', 'skipped',
    name='invitation_status', native_enum=False, create_constraint=True, length=32,
)
NOW = sa.text('(CURRENT_TIMESTAMP)')


def upgrade():
    op.create_table('invitation_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('subject_de', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('intro_de', sa.Text(), nullable=True),
    sa.Column('intro_en', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=NOW, nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=NOW, nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_invitation_campaigns_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_campaigns')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('invitation_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_campaigns_event_id'), ['event_id'], unique=False)

    op.create_table('invitation_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', INVITATION_STATUS, server_default='queued', nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('mailed_at', sa.DateTime(), nullable=True),
    sa.Column('outbox_mail_id', sa.Integer(), nullable=True),
    sa.Column('reminder_mail_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=NOW, nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=NOW, nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['invitation_campaigns.id'], name=op.f('fk_invitation_recipients_campaign_id_invitation_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_invitation_recipients_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_mail_id'], ['outbox_mails.id'], name=op.f('fk_invitation_recipients_outbox_mail_id_outbox_mails'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reminder_mail_id'], ['outbox_mails.id'], name=op.f('fk_invitation_recipients_reminder_mail_id_outbox_mails'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_invitation_recipients_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_recipients')),
    sa.UniqueConstraint('campaign_id', 'person_id', name=op.f('uq_invitation_recipients_campaign_id_person_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_recipients_token_hash')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('invitation_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_recipients_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_recipients_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_recipients_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_recipients_outbox_mail_id'), ['outbox_mail_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_recipients_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table(
        'outbox_mails', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table(
        'outbox_mails', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('headers')
    with op.batch_alter_table('invitation_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_recipients_registration_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_recipients_outbox_mail_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_recipients_status'))
        batch_op.drop_index(batch_op.f('ix_invitation_recipients_person_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_recipients_campaign_id'))
    op.drop_table('invitation_recipients')
    with op.batch_alter_table('invitation_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_campaigns_event_id'))
    op.drop_table('invitation_campaigns')
