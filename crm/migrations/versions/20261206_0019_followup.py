"""The follow-up of an event (#18): materials, the follow-up mail, feedback, attendance imports.

Reviewed by hand.

1. followup_materials: links or uploaded files (stored under a random name in the instance
   folder) for an event or one of its workshops; exactly one of url and stored_name is set;
   removed_at: taken away by staff (restorable).
2. followup_settings: one row per event once the follow-up mail was sent: the feedback's
   close date, whether the absent were included, the last send.
3. followup_mails: one row per registration mailed (unique), so sending twice mails nobody
   twice.
4. followup_feedback: one answer per registration (unique), ratings 1–5 (CHECK), the
   workshop the rating is about (SET NULL when it is deleted), the comment.
5. followup_attendance_imports: applied attendance reports with the previous state of each
   registration they marked (JSON), for the undo.

All tables AUTOINCREMENT on SQLite (ids never reused, see 0006).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _create_materials():
    op.create_table('followup_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('stored_name', sa.String(length=60), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('mimetype', sa.String(length=120), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('(url IS NULL) <> (stored_name IS NULL)', name=op.f('ck_followup_materials_link_or_file')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_followup_materials_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_followup_materials_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_materials')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_followup_materials_stored_name')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('followup_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_materials_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_materials_workshop_id'), ['workshop_id'], unique=False)


def upgrade():
    _create_materials()
    op.create_table('followup_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('feedback_closes_on', sa.Date(), nullable=False),
    sa.Column('include_absent', sa.Boolean(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_followup_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_settings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_followup_settings_event_id')),
    sqlite_autoincrement=True
    )
    op.create_table('followup_attendance_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_followup_attendance_imports_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_followup_attendance_imports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_attendance_imports')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('followup_attendance_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_attendance_imports_event_id'), ['event_id'], unique=False)

    op.create_table('followup_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('workshop_rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('overall BETWEEN 1 AND 5', name=op.f('ck_followup_feedback_overall')),
    sa.CheckConstraint('workshop_rating IS NULL OR workshop_rating BETWEEN 1 AND 5', name=op.f('ck_followup_feedback_ws')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_followup_feedback_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_followup_feedback_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_followup_feedback_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_feedback')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_followup_feedback_registration_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('followup_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_feedback_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_feedback_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('followup_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_followup_mails_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_mails')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_followup_mails_registration_id')),
    sqlite_autoincrement=True
    )


def downgrade():
    op.drop_table('followup_mails')
    with op.batch_alter_table('followup_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_feedback_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_followup_feedback_event_id'))
    op.drop_table('followup_feedback')
    with op.batch_alter_table('followup_attendance_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_attendance_imports_event_id'))
    op.drop_table('followup_attendance_imports')
    op.drop_table('followup_settings')
    with op.batch_alter_table('followup_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_materials_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_followup_materials_event_id'))
    op.drop_table('followup_materials')
