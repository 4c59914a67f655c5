"""The practitioner exchange (#25): 1:1 meetings between participants who opted in.

Reviewed by hand.

1. matchmaking_settings: one row per event (unique event_id, deleted with the event): on or
   off, meeting length (15/20/30, checked), the time window, caps on meetings and open
   requests, request expiry, the date the schedule is fixed, how video links are made,
   when the schedule was published.
2. meeting_wishes: a registration's "must" / "gladly" / "no" for another registration of
   the same event (one per ordered pair, never oneself).
3. meeting_requests: a request with a short message from one registration to another, its
   status and when it expires; indexed by event and status for the expiry sweep.
4. meetings: a planned meeting of two registrations (a < b) in a slot, with its video
   link, where it came from, its reasons, held/rating afterwards, and a cancellation.
5. registrations.matchmaking_opt_in (false for every existing registration) and
   matchmaking_opted_at.
6. consents.purpose gains "matchmaking": the CHECK constraint is replaced (SQLite rebuilds
   the table, keeping AUTOINCREMENT, see 0006). On the way down such consents are deleted.

All new tables cascade with their event and registrations.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OLD_PURPOSES = (
    'event_communication', 'event_invitations', 'newsletter', 'public_listing', 'photos',
    'participant_list', 'union_affiliation',
)
NEW_PURPOSES = (*OLD_PURPOSES, 'matchmaking')


def _purpose_check(purposes):
    return 'purpose IN (%s)' % ', '.join(f"'{p}'" for p in purposes)


def upgrade():
    op.create_table('matchmaking_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('meeting_minutes', sa.Integer(), server_default='20', nullable=False),
    sa.Column('window_starts_at', sa.DateTime(), nullable=True),
    sa.Column('window_ends_at', sa.DateTime(), nullable=True),
    sa.Column('max_meetings_per_person', sa.Integer(), server_default='4', nullable=False),
    sa.Column('max_open_sent', sa.Integer(), server_default='5', nullable=False),
    sa.Column('max_open_received', sa.Integer(), server_default='8', nullable=False),
    sa.Column('request_expiry_hours', sa.Integer(), server_default='72', nullable=False),
    sa.Column('fixed_at', sa.DateTime(), nullable=True),
    sa.Column('video_mode', sa.Enum('pattern', 'tables', name='meeting_video_mode', native_enum=False, create_constraint=True, length=32), server_default='pattern', nullable=False),
    sa.Column('video_pattern', sa.String(length=300), nullable=True),
    sa.Column('video_tables', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('max_meetings_per_person >= 1', name=op.f('ck_matchmaking_settings_max_meetings')),
    sa.CheckConstraint('max_open_sent >= 0 AND max_open_received >= 0', name=op.f('ck_matchmaking_settings_open_caps')),
    sa.CheckConstraint('meeting_minutes IN (15, 20, 30)', name=op.f('ck_matchmaking_settings_meeting_minutes')),
    sa.CheckConstraint('request_expiry_hours >= 1', name=op.f('ck_matchmaking_settings_expiry')),
    sa.CheckConstraint('window_ends_at IS NULL OR window_starts_at IS NULL OR window_ends_at > window_starts_at', name=op.f('ck_matchmaking_settings_window')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_matchmaking_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matchmaking_settings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_matchmaking_settings_event_id')),
    sqlite_autoincrement=True
    )
    op.create_table('meeting_wishes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('target_registration_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('must', 'gladly', 'no', name='meeting_wish_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('registration_id <> target_registration_id', name=op.f('ck_meeting_wishes_not_self')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_meeting_wishes_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_registration_id'], ['registrations.id'], name=op.f('fk_meeting_wishes_target_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_wishes')),
    sa.UniqueConstraint('registration_id', 'target_registration_id', name=op.f('uq_meeting_wishes_registration_id_target_registration_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('meeting_wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_wishes_target_registration_id'), ['target_registration_id'], unique=False)

    op.create_table('meeting_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sender_registration_id', sa.Integer(), nullable=False),
    sa.Column('recipient_registration_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=True),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', 'expired', 'withdrawn', name='meeting_request_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('sender_registration_id <> recipient_registration_id', name=op.f('ck_meeting_requests_not_self')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_meeting_requests_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_registration_id'], ['registrations.id'], name=op.f('fk_meeting_requests_recipient_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_registration_id'], ['registrations.id'], name=op.f('fk_meeting_requests_sender_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_requests')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('meeting_requests', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_requests_event_status', ['event_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_requests_recipient_registration_id'), ['recipient_registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_requests_sender_registration_id'), ['sender_registration_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('a_registration_id', sa.Integer(), nullable=False),
    sa.Column('b_registration_id', sa.Integer(), nullable=False),
    sa.Column('video_url', sa.String(length=300), nullable=True),
    sa.Column('source', sa.Enum('planned', 'request', name='meeting_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('held', sa.Boolean(), nullable=True),
    sa.Column('rating_a', sa.Integer(), nullable=True),
    sa.Column('rating_b', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('a_registration_id < b_registration_id', name=op.f('ck_meetings_pair_order')),
    sa.CheckConstraint('rating_a IS NULL OR rating_a BETWEEN 1 AND 5', name=op.f('ck_meetings_rating_a')),
    sa.CheckConstraint('rating_b IS NULL OR rating_b BETWEEN 1 AND 5', name=op.f('ck_meetings_rating_b')),
    sa.ForeignKeyConstraint(['a_registration_id'], ['registrations.id'], name=op.f('fk_meetings_a_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['b_registration_id'], ['registrations.id'], name=op.f('fk_meetings_b_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_meetings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_a_registration_id'), ['a_registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_b_registration_id'), ['b_registration_id'], unique=False)
        batch_op.create_index('ix_meetings_event_slot', ['event_id', 'starts_at'], unique=False)

    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column('matchmaking_opt_in', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column('matchmaking_opted_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table(
        'consents', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_consents_consent_purpose'), type_='check')
        batch_op.create_check_constraint('consent_purpose', _purpose_check(NEW_PURPOSES))


def downgrade():
    op.execute("DELETE FROM consents WHERE purpose = 'matchmaking'")
    with op.batch_alter_table(
        'consents', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_consents_consent_purpose'), type_='check')
        batch_op.create_check_constraint('consent_purpose', _purpose_check(OLD_PURPOSES))

    with op.batch_alter_table(
        'registrations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('matchmaking_opted_at')
        batch_op.drop_column('matchmaking_opt_in')

    op.drop_table('meetings')
    op.drop_table('meeting_requests')
    op.drop_table('meeting_wishes')
    op.drop_table('matchmaking_settings')
