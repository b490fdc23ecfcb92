"""feedback requests and answers after an event; programmes of events

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

feedback_settings: when an event's feedback requests go out by themselves.
feedback_questions: an organiser's own questions on the form.
feedback_requests: one row per registration and stage (feedback, follow-up), so each
goes once. feedback_responses, follow_up_responses: the attendees' answers.
programmes, programme_events: events grouped for one report.
"""
from alembic import op
import sqlalchemy as sa

import eventapp.database


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    op.create_table('feedback_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('label_ja', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'scale', 'yes_no')", name=op.f('ck_feedback_questions_kind')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feedback_questions_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_questions'))
    )
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_questions_event_id'), ['event_id'], unique=False)

    op.create_table('feedback_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('delay_hours', sa.Integer(), nullable=True),
    sa.Column('follow_up_days', sa.Integer(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.CheckConstraint('delay_hours IS NULL OR delay_hours BETWEEN 0 AND 2160', name=op.f('ck_feedback_settings_delay_hours')),
    sa.CheckConstraint('follow_up_days BETWEEN 1 AND 730', name=op.f('ck_feedback_settings_follow_up_days')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feedback_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_feedback_settings'))
    )
    op.create_table('programme_events',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_programme_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_events_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'event_id', name=op.f('pk_programme_events'))
    )
    op.create_table('feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('feedback', 'follow_up')", name=op.f('ck_feedback_requests_stage')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feedback_requests_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_feedback_requests_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_requests')),
    sa.UniqueConstraint('registration_id', 'stage', name='uq_feedback_requests_stage')
    )
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_requests_event_id'), ['event_id'], unique=False)

    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('useful', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('quote_consent', sa.Boolean(), nullable=False),
    sa.Column('attribution', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("attribution IN ('organisation', 'anonymous')", name=op.f('ck_feedback_responses_attribution')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_responses_rating')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feedback_responses_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_feedback_responses_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_responses')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_feedback_responses_registration_id'))
    )
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_responses_event_id'), ['event_id'], unique=False)

    op.create_table('follow_up_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('with_whom', sa.String(length=300), nullable=False),
    sa.Column('created_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eventapp.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("result IN ('meeting', 'pilot', 'agreement', 'nothing_yet')", name=op.f('ck_follow_up_responses_result')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_follow_up_responses_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_follow_up_responses_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_responses')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_follow_up_responses_registration_id'))
    )
    with op.batch_alter_table('follow_up_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_responses_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('follow_up_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_responses_event_id'))

    op.drop_table('follow_up_responses')
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_responses_event_id'))

    op.drop_table('feedback_responses')
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_requests_event_id'))

    op.drop_table('feedback_requests')
    op.drop_table('programme_events')
    op.drop_table('feedback_settings')
    with op.batch_alter_table('feedback_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_questions_event_id'))

    op.drop_table('feedback_questions')
    op.drop_table('programmes')
